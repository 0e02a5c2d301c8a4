"""The paper's safety requirements as executable checks (§2.1, §2.2).

§2.1 asks three things of consensus:

> "Only a value that has been proposed may be chosen,"
> "Only a single value is chosen, and"
> "A process never learns that a value has been chosen unless it actually has been."

and §2.2 derives the rules that guarantee them, of which two can be checked at
the moment they matter: P1a when an acceptor accepts, and P2c when a proposer
issues a proposal.

P2c is judged one set S at a time (`p2c_clause`, from what each acceptor's
promise would report, `reports`), and as the paper states it, over every
majority (`p2c_holds`, `p2c_witness`); the P2c widget asks the same functions
about the grid the reader edits.

"Chosen" is a fact about history, not about any one agent's state: a proposal
is chosen once a quorum *has accepted* it, even if some of those acceptors
later accept something else. So the checks read a record of what happened —
the messages sent — never the agents' current memory. The pure functions work
on any collection of messages (the model checker keeps a set); `History`
applies them incrementally, one message at a time, for the simulator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from .ballots import ProposalNumber
from .messages import Accept, Accepted, Message, Promise, Proposal, Value
from .quorums import QuorumSystem

ONLY_PROPOSED = "only a proposed value is chosen"
SINGLE_VALUE = "only a single value is chosen"
ONLY_CHOSEN_LEARNED = "a process never learns a value that was not chosen"
P1A = "P1a"
P2C = "P2c"
REQUIREMENTS = (ONLY_PROPOSED, SINGLE_VALUE, ONLY_CHOSEN_LEARNED)


@dataclass(frozen=True)
class Violation:
    """One broken requirement, with the facts that break it."""

    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


# -- pure checks over a record of acceptances ---------------------------------


def chosen_proposals(
    acceptances: Iterable[tuple[str, Proposal]], quorums: QuorumSystem
) -> set[Proposal]:
    """Proposals accepted by a phase-2 quorum (§2.2: chosen)."""
    voters: dict[Proposal, set[str]] = defaultdict(set)
    for acceptor, proposal in acceptances:
        voters[proposal].add(acceptor)
    return {p for p, who in voters.items() if quorums.is_phase2_quorum(who)}


def reports(acceptances: Iterable[tuple[str, Proposal]], n: ProposalNumber) -> dict[str, Proposal]:
    """What each acceptor's promise for ``n`` reports, judged on the acceptances.

    Phase 1(b): an acceptor answers a prepare request numbered n "with the
    highest-numbered proposal (if any) that it has accepted"; and a proposer
    asks for "the proposal with the highest number less than n that it has
    accepted" (§2.2). Only acceptors that accepted something below ``n`` appear.
    """
    out: dict[str, Proposal] = {}
    for acceptor, p in acceptances:
        if p.number < n and (acceptor not in out or p > out[acceptor]):
            out[acceptor] = p
    return out


def highest_reported(
    reported: dict[str, Proposal], s: Iterable[str]
) -> tuple[Proposal | None, tuple[str, ...]]:
    """P2c (b)'s "highest-numbered proposal among all proposals numbered less than
    n accepted by the acceptors in S", from `reports`, and which members of S
    reported it (in the order of ``s``); ``(None, ())`` if S reports nothing."""
    got = [(a, reported[a]) for a in s if a in reported]
    if not got:
        return None, ()
    top = max(p for _, p in got)
    return top, tuple(a for a, p in got if p == top)


def p2c_clause(
    proposal: Proposal, acceptances: Iterable[tuple[str, Proposal]], s: Iterable[str]
) -> str:
    """Which clause of P2c holds for ``proposal`` with the set of acceptors ``s``:
    ``"a"`` (no acceptor in S accepted a proposal numbered below n), ``"b"`` (v is
    the value of the highest-numbered one) or ``""`` (neither). Whether ``s`` is a
    majority is the caller's question (`p2c_witness` asks it)."""
    top, _ = highest_reported(reports(acceptances, proposal.number), s)
    return _clause(proposal, top)


def _clause(proposal: Proposal, top: Proposal | None) -> str:
    if top is None:
        return "a"
    return "b" if top.value == proposal.value else ""


def p2c_witness(
    proposal: Proposal, acceptances: Iterable[tuple[str, Proposal]], quorums: QuorumSystem
) -> frozenset[str] | None:
    """A set S for which P2c holds for ``proposal`` — the first phase-1 quorum,
    smallest first, whose clause (a) or (b) holds — or None if there is none."""
    reported = reports(acceptances, proposal.number)
    names = quorums.acceptors
    for size in range(1, len(names) + 1):
        for s in combinations(names, size):
            if quorums.is_phase1_quorum(s) and _clause(proposal,
                                                       highest_reported(reported, s)[0]):
                return frozenset(s)
    return None


def p2c_holds(
    proposal: Proposal, acceptances: Iterable[tuple[str, Proposal]], quorums: QuorumSystem
) -> bool:
    """P2c for one issued proposal, judged on the acceptances made so far.

    "For any v and n, if a proposal with value v and number n is issued, then
    there is a set S consisting of a majority of acceptors such that either (a)
    no acceptor in S has accepted any proposal numbered less than n, or (b) v
    is the value of the highest-numbered proposal among all proposals numbered
    less than n accepted by the acceptors in S."

    S ranges over phase-1 quorums (the sets a proposer gathers promises from).
    """
    return p2c_witness(proposal, acceptances, quorums) is not None


# -- the incremental record the simulator keeps --------------------------------


@dataclass(frozen=True)
class Learned:
    """A learner announcing that ``proposal`` was chosen: not a message, but what
    the third requirement of §2.1 judges (a history written by hand lists it
    between the messages, see `History.record`)."""

    learner: str
    proposal: Proposal

    def describe(self) -> str:
        return f"{self.learner} learns {self.proposal.value!r}"


class History:
    """What has happened so far, and which requirements it broke.

    Feed it every message sent (`record_sent`) and every value a learner
    learns (`record_learned`), or both in one list (`record`). ``proposed``
    are the values proposers were asked to propose.
    """

    def __init__(self, quorums: QuorumSystem, proposed: Iterable[Value]) -> None:
        self.quorums = quorums
        self.proposed = frozenset(proposed)
        self.acceptances: set[tuple[str, Proposal]] = set()
        self.promised: dict[str, ProposalNumber] = {}  # highest prepare each acceptor answered
        self.issued: dict[ProposalNumber, Proposal] = {}
        self.chosen: set[Proposal] = set()
        self.learned: dict[str, Proposal] = {}
        self.violations: list[Violation] = []
        self._voters: dict[Proposal, set[str]] = defaultdict(set)
        self._clashes: set[Proposal] = set()

    @property
    def chosen_values(self) -> set[Value]:
        return {p.value for p in self.chosen}

    def record_sent(self, message: Message) -> None:
        if isinstance(message, Promise):
            prev = self.promised.get(message.sender)
            if prev is None or message.n > prev:
                self.promised[message.sender] = message.n
        elif isinstance(message, Accept):
            self._issue(Proposal(message.n, message.value))
        elif isinstance(message, Accepted):
            self._accept(message.sender, Proposal(message.n, message.value))

    def _issue(self, proposal: Proposal) -> None:
        earlier = self.issued.get(proposal.number)
        if earlier is not None:
            if earlier != proposal and proposal not in self._clashes:
                self._clashes.add(proposal)
                # Two proposals with one number: P2c is stated per (v, n) and
                # the P2b induction needs numbers to name one proposal.
                self.violations.append(Violation(
                    P2C, f"proposals {earlier} and {proposal} were both issued with number "
                         f"{proposal.number}"))
            return
        self.issued[proposal.number] = proposal
        if not self._p2c_holds(proposal):
            self.violations.append(Violation(
                P2C, f"proposal {proposal} was issued, but in every quorum S some acceptor "
                     f"has accepted a proposal below {proposal.number}, and the highest of "
                     f"them has another value"))

    def _p2c_holds(self, proposal: Proposal) -> bool:
        """`p2c_holds`, with a shortcut for the common case (a monitor asks on
        every proposal of a long run): if every proposal numbered below n that
        any acceptor accepted has value v, then in any S the highest of them is
        v's or there is none, so the set of all acceptors, if it is a quorum,
        is an S for which (a) or (b) holds."""
        n, v = proposal.number, proposal.value  # _voters: each proposal accepted, once
        if all(p.number >= n or p.value == v for p in self._voters) \
                and self.quorums.is_phase1_quorum(self.quorums.acceptors):
            return True
        return p2c_holds(proposal, self.acceptances, self.quorums)

    def _accept(self, acceptor: str, proposal: Proposal) -> None:
        if (acceptor, proposal) in self.acceptances:
            return
        promised = self.promised.get(acceptor)
        if promised is not None and promised > proposal.number:
            self.violations.append(Violation(
                P1A, f"{acceptor} accepted {proposal} after answering prepare {promised}"))
        self.acceptances.add((acceptor, proposal))
        voters = self._voters[proposal]
        voters.add(acceptor)
        if proposal not in self.chosen and self.quorums.is_phase2_quorum(voters):
            self.chosen.add(proposal)
            if proposal.value not in self.proposed:
                self.violations.append(Violation(
                    ONLY_PROPOSED, f"{proposal.value!r} was chosen but never proposed"))
            values = self.chosen_values
            if len(values) > 1 and not any(v.rule == SINGLE_VALUE for v in self.violations):
                self.violations.append(Violation(
                    SINGLE_VALUE, "values " + " and ".join(repr(v) for v in sorted(values))
                    + " were both chosen"))

    def record(self, *happenings: Message | Learned) -> History:
        """Record messages sent and values learned, in order; returns the history.

        This is how a history is written by hand (a test, or a notebook showing
        what each check says about a run the agents would never produce).
        """
        for h in happenings:
            if isinstance(h, Learned):
                self.record_learned(h.learner, h.proposal)
            elif isinstance(h, Message):
                self.record_sent(h)
            else:
                raise ValueError(f"happenings must be messages or Learned, got {h!r}")
        return self

    def record_learned(self, learner: str, proposal: Proposal) -> None:
        self.learned[learner] = proposal
        if proposal.value not in self.chosen_values:
            self.violations.append(Violation(
                ONLY_CHOSEN_LEARNED, f"{learner} learned {proposal.value!r}, which was not chosen"))

    @property
    def safe(self) -> bool:
        return not self.violations
