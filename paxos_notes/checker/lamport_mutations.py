"""Mutations of Lamport's ``Paxos.tla``: one conjunct of one action changed.

Each class overrides one small method of `lamport_spec.Paxos` (the spec, one
method per guard), so the difference from the spec is the few lines below.
Both explorers take a mutation as ``spec=`` (`lamport_spec.check_lamport_naive`,
`lamport_fast.check_lamport`), and with ``invariants="all"`` they report the
conjunct of ``TypeOK``/``Inv`` or the step of the refinement of Voting that the
mutation breaks first, with the shortest behaviour that breaks it. This is the
evidence that those checks can fail: a check that no mutation trips would
prove nothing by passing on the spec itself.
"""

from __future__ import annotations

from .lamport_spec import Message, Paxos, SpecState

__all__ = ["HARMLESS", "MUTATIONS"]


class Phase1bAnyBallot(Paxos):
    """Phase1b without ``m.bal > maxBal[a]``: an acceptor also joins a lower ballot."""

    name = "Phase1b-any-ballot"

    def joins(self, s: SpecState, a: int, b: int) -> bool:
        return True


class Phase1bReportsMaxBal(Paxos):
    """Phase1b reporting ``mbal |-> maxBal[a]`` instead of ``maxVBal[a]``."""

    name = "Phase1b-reports-maxBal"

    def reports(self, s: SpecState, a: int) -> tuple[int, int | None]:
        return s.max_bal[a], s.max_val[a]


class Phase2aNoQuorum(Paxos):
    """Phase2a without ``\\A a \\in Q : \\E m \\in Q1b : m.acc = a``: no quorum of 1b needed."""

    name = "Phase2a-no-quorum"

    def quorum_ways(self, quorum: tuple[int, ...], q1b: list[Message]) -> int:
        return 1


class Phase2aTwice(Paxos):
    r"""Phase2a without ``~ \E m \in msgs : m.type = "2a" /\ m.bal = b``: two 2a per ballot."""

    name = "Phase2a-twice"

    def sent_2a(self, msgs: frozenset[Message], b: int) -> bool:
        return False


class Phase2aLowestVote(Paxos):
    """Phase2a taking the value of the *lowest*-numbered reported vote, not the highest."""

    name = "Phase2a-lowest-vote"

    def shows_value(self, q1bv: list[Message], v: int) -> int:
        lowest = min(m[3] for m in q1bv)  # type: ignore[type-var]
        return sum(1 for m in q1bv if m[4] == v and m[3] == lowest)


class Phase2aIgnoresVotes(Paxos):
    """Phase2a as if ``Q1bv = {}``: any value, whatever the quorum reports."""

    name = "Phase2a-ignores-votes"

    def shows_value(self, q1bv: list[Message], v: int) -> int:
        return 1


class Phase2bAnyBallot(Paxos):
    """Phase2b without ``m.bal >= maxBal[a]``: an acceptor votes below a ballot it joined."""

    name = "Phase2b-any-ballot"

    def may_vote(self, s: SpecState, a: int, b: int) -> bool:
        return True


class Phase2bStrict(Paxos):
    """Phase2b with ``m.bal >= maxBal[a]`` replaced by ``m.bal > maxBal[a]``.

    Not a bug for safety: the stronger guard only removes behaviours (an
    acceptor that joined ballot ``b`` can no longer vote in it, so fewer values
    get chosen), and every remaining step is still a Voting step. The checks
    find nothing, as they should; this mutation is in `HARMLESS`, not `MUTATIONS`.
    """

    name = "Phase2b-strict"

    def may_vote(self, s: SpecState, a: int, b: int) -> bool:
        return b > s.max_bal[a]


#: Every mutation, by name.
MUTATIONS: dict[str, Paxos] = {
    m.name: m
    for m in (
        Phase1bAnyBallot(),
        Phase1bReportsMaxBal(),
        Phase2aNoQuorum(),
        Phase2aTwice(),
        Phase2aLowestVote(),
        Phase2aIgnoresVotes(),
        Phase2bAnyBallot(),
    )
}

#: Mutations that break nothing the checks look at (they only remove behaviours).
HARMLESS: dict[str, Paxos] = {m.name: m for m in (Phase2bStrict(),)}
