"""The rules a reader can break, one named variant each (§2.2, §2.5).

A variant changes one thing about the paper's algorithm and says, in one
sentence, which statement of the paper it departs from. The change is either a
quorum or number-allocation choice, or a subclass of the paper's agent that
overrides exactly one method of `paxos_notes.agents`, so that a notebook can
show the paper's method and the changed one side by side
(``inspect.getsource``). ``expect_safe`` is what the model checker finds
within the variant's default bounds; the tests hold the checker to it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..agents import (
    Acceptor,
    AcceptorStorage,
    NackingAcceptor,
    Outgoing,
    Proposer,
    RepeatedPrepareAcceptor,
    replace,
)
from ..ballots import ProposalNumber
from ..cluster import ROLES, Cluster, agent_classes, register_agent_classes  # noqa: F401 (re-exported)
from ..messages import Promise, Proposal, Value
from ..quorums import Flexible, QuorumSystem, Threshold

# --------------------------------------------------------------------------
# Acceptors that break (or bend) a rule
# --------------------------------------------------------------------------


class NoPromiseAcceptor(Acceptor):
    """Breaks P1a: accepts any proposal, whatever it promised."""

    def may_accept(self, n: ProposalNumber) -> bool:
        return True


class AcceptRaisesPromiseAcceptor(Acceptor):
    """Accepting proposal n also promises n, as many implementations do."""

    def after_accepting(self, proposal: Proposal) -> AcceptorStorage:
        new = super().after_accepting(proposal)
        if new.promised is None or proposal.number > new.promised:
            return replace(new, promised=proposal.number)
        return new


class AmnesiacAcceptor(Acceptor):
    """Restarts with nothing remembered: no stable storage (§2.2)."""

    def restart(self) -> Acceptor:
        return replace(self, up=True, stable=AcceptorStorage(), unsaved=None)


class SendBeforePersistAcceptor(Acceptor):
    """Sends its response first and writes it to stable storage later, against
    §2.5's order: until `persist`, the new state is only in ``unsaved``, and a
    crash loses it."""

    def _respond(self, new: AcceptorStorage, replies: Outgoing) -> tuple[Acceptor, Outgoing]:
        return replace(self, stable=self.memory, unsaved=new), replies


# --------------------------------------------------------------------------
# Proposers that break (or bend) a rule
# --------------------------------------------------------------------------


class OwnValueProposer(Proposer):
    """Breaks phase 2(a) and P2c: proposes its own value, whatever is reported."""

    def choose_value(self, promises: tuple[Promise, ...]) -> Value:
        return self.value


class LowestAcceptedProposer(Proposer):
    """Phase 2(a) with the lowest-numbered reported proposal, not the highest."""

    def choose_value(self, promises: tuple[Promise, ...]) -> Value:
        reported = [p.accepted for p in promises if p.accepted is not None]
        return min(reported).value if reported else self.value


class FirstReportedProposer(Proposer):
    """Phase 2(a) with the first reported proposal to arrive, whatever its number."""

    def choose_value(self, promises: tuple[Promise, ...]) -> Value:
        reported = [p.accepted for p in promises if p.accepted is not None]
        return reported[0].value if reported else self.value


class MostCommonValueProposer(Proposer):
    """Phase 2(a) by vote: the value reported by the most promises; a tie goes to
    the value of the highest-numbered proposal, as in the paper."""

    def choose_value(self, promises: tuple[Promise, ...]) -> Value:
        reported = [p.accepted for p in promises if p.accepted is not None]
        if not reported:
            return self.value
        votes = Counter(p.value for p in reported)
        return max(reported, key=lambda p: (votes[p.value], p)).value


class AcceptToAllProposer(Proposer):
    """Phase 2(a) sends accept requests to every acceptor, not only the ones that
    promised: the accept set "need not be the same set of acceptors" (§2.2)."""

    def accept_targets(self, promisers: list[str]) -> tuple[str, ...]:
        return self.acceptors


class ForgetfulProposer(Proposer):
    """Does not keep the highest number it tried on stable storage (§2.5), so
    after a restart it uses its numbers again from the first."""

    def restart(self) -> Proposer:
        return replace(self, up=True, highest_tried=None)


class UntaggedProposer(Proposer):
    """Counts a promise for any of its numbers toward its current one: responses
    not told apart by the proposal number they carry (§2.5)."""

    def answers_current(self, message: Promise) -> bool:
        return True


#: Every agent class a cluster may be built from, by name: what a trace's
#: ``meta["agents"]`` may name (`paxos_notes.cluster.agent_classes`). The table
#: lives in `paxos_notes.cluster` (loading a trace runs the classes it names);
#: the broken ones join it here.
AGENT_CLASSES = register_agent_classes(
    NoPromiseAcceptor, AcceptRaisesPromiseAcceptor, AmnesiacAcceptor,
    SendBeforePersistAcceptor, OwnValueProposer, LowestAcceptedProposer,
    FirstReportedProposer, MostCommonValueProposer, AcceptToAllProposer, ForgetfulProposer,
    UntaggedProposer,
)


# --------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------

CRASHING = ("acceptors", "proposers")


@dataclass(frozen=True)
class Variant:
    name: str
    sentence: str
    expect_safe: bool
    acceptor: type[Acceptor] = Acceptor
    proposer: type[Proposer] = Proposer
    shared_numbers: bool = False
    max_crashes: int = 0  # crashes explored (with restart, and persist for acceptors)
    crashing: str = "acceptors"  # which agents may crash: one of CRASHING
    learners: bool = True  # explore deliveries to learners (see check_agents)
    quorums: Callable[[tuple[str, ...]], QuorumSystem] | None = field(default=None, repr=False)
    acceptors: int = 3
    proposers: int = 2
    max_ballot: int = 1  # highest natural proposal number a proposer may use

    def __post_init__(self) -> None:
        if self.crashing not in CRASHING:
            raise ValueError(f"crashing must be one of {CRASHING}, got {self.crashing!r}")

    def unusual_bounds(self) -> str:
        """The bounds where they differ from the usual search (3 acceptors, numbers
        0..1, learners explored), as "; 4 acceptors; numbers 0..2", or ""."""
        return "".join([f"; {self.acceptors} acceptors" if self.acceptors != 3 else "",
                        f"; numbers 0..{self.max_ballot}" if self.max_ballot != 1 else "",
                        "; learners skipped" if not self.learners else ""])

    def cluster(self, acceptors: int | None = None, proposers: int | None = None,
                values: int | None = None) -> Cluster:
        """The cluster this variant runs on, with optional sizes overridden."""
        base = Cluster(acceptors=self.acceptors if acceptors is None else acceptors,
                       proposers=self.proposers if proposers is None else proposers)
        vals = base.proposal_values
        if values is not None:
            if not 1 <= values <= base.proposers:
                raise ValueError(f"values must be in 1..{base.proposers} (one per proposer at "
                                 f"most), got {values}")
            vals = tuple(base.proposal_values[i % values] for i in range(base.proposers))
        q = self.quorums(base.acceptor_names) if self.quorums else None
        return dataclasses.replace(base, values=vals, quorums=q,
                                   shared_numbers=self.shared_numbers,
                                   acceptor=self.acceptor, proposer=self.proposer)


def _small(names: tuple[str, ...]) -> QuorumSystem:
    return Threshold(names, max(1, len(names) // 2))


def _flex_safe(names: tuple[str, ...]) -> QuorumSystem:
    n = len(names)
    return Flexible(names, q1=n, q2=1)


def _flex_unsafe(names: tuple[str, ...]) -> QuorumSystem:
    n = len(names)
    return Flexible(names, q1=max(1, n - 1), q2=1)


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("paper", "The algorithm exactly as §2.2 states it.", True),
    Variant(
        "no-promise",
        "Acceptors accept proposals below their promise, breaking P1a: \"An acceptor can "
        "accept a proposal numbered n iff it has not responded to a prepare request having a "
        "number greater than n.\"",
        False, acceptor=NoPromiseAcceptor),
    Variant(
        "ignore-accepted",
        "The proposer proposes its own value even when promises report accepted ones, "
        "breaking P2c and phase 2(a).",
        False, proposer=OwnValueProposer),
    Variant(
        "lowest-accepted",
        "The proposer takes the lowest-numbered reported proposal's value instead of the "
        "highest-numbered one that phase 2(a) asks for.",
        False, proposer=LowestAcceptedProposer, max_ballot=2, learners=False),
    Variant(
        "any-accepted",
        "The proposer takes the value of the first promise that reported one, not the "
        "highest-numbered (phase 2(a)).",
        False, proposer=FirstReportedProposer, max_ballot=2, learners=False),
    Variant(
        "most-common-value",
        "The proposer takes the value reported by the most promises (a tie goes to the "
        "highest-numbered proposal) instead of the highest-numbered one that phase 2(a) asks "
        "for. Safe with 3 acceptors, as searched here, and with 4 by counting: the "
        "acceptors that chose a value are never outvoted. With 5, two older reports outvote "
        "one newer one and two values are chosen, in a run of 29 steps "
        "(MOST_COMMON_VALUE_RUN), too deep to search.",
        True, proposer=MostCommonValueProposer, max_ballot=2, learners=False),
    Variant(
        "small-quorum",
        "Quorums of ⌊n/2⌋ acceptors: 1 of 3, so two quorums need not share an acceptor — "
        "the paper relies on \"any two majorities have at least one acceptor in common\".",
        False, quorums=_small),
    Variant(
        "small-quorum-even",
        "Quorums of n/2 acceptors: 2 of 4, so two quorums ({a1, a2} and {a3, a4}) need not "
        "share an acceptor, though each is half of them.",
        False, quorums=_small, acceptors=4),
    Variant(
        "shared-numbers",
        "Two proposers draw numbers from one set, against §2.5's \"disjoint sets of "
        "numbers\", with acceptors that answer a repeated prepare as implementations do.",
        False, shared_numbers=True, acceptor=RepeatedPrepareAcceptor),
    Variant(
        "shared-numbers-strict",
        "Shared numbers again, but acceptors answer only prepares numbered \"greater than\" "
        "their promise, as phase 1(b) says: the collision then costs progress, not safety.",
        True, shared_numbers=True),
    Variant(
        "repeated-prepare",
        "Acceptors answer a repeated prepare (numbers still disjoint): safe, because no two "
        "proposals share a number.",
        True, acceptor=RepeatedPrepareAcceptor),
    Variant(
        "amnesia",
        "Acceptors forget their promise and accepted proposal when they restart, against "
        "§2.2, where what an acceptor \"needs to remember\" survives a failure and restart.",
        False, acceptor=AmnesiacAcceptor, max_crashes=1, learners=False),
    Variant(
        "send-before-persist",
        "Acceptors send a response before recording it, against §2.5: \"An acceptor records "
        "its intended response in stable storage before actually sending the response.\"",
        False, acceptor=SendBeforePersistAcceptor, max_crashes=1, learners=False),
    Variant(
        "crash-restart",
        "The paper's acceptors crash and restart from stable storage: safe.",
        True, max_crashes=1, learners=False),
    Variant(
        "forgetful-proposer",
        "A proposer that does not keep the highest number it tried on stable storage, so "
        "after a crash and restart it uses a number again — against §2.5, where a proposer "
        "remembers the highest number it tried.",
        False, proposer=ForgetfulProposer, max_crashes=1, crashing="proposers",
        learners=False),
    Variant(
        "proposer-crash-restart",
        "The paper's proposers crash and restart, remembering the highest number they "
        "tried, so they never use a number twice: safe.",
        True, max_crashes=1, crashing="proposers", learners=False),
    Variant(
        "untagged-responses",
        "The proposer counts a promise for one of its older numbers toward its current "
        "prepare — against §2.5, where responses carry the proposal number they answer.",
        False, proposer=UntaggedProposer, max_ballot=2, learners=False),
    Variant(
        "nacks",
        "Acceptors tell a proposer it was overtaken (a nack); the proposer abandons its "
        "proposal and next tries a number above the one reported: \"a performance "
        "optimization that does not affect correctness\" (§2.2), and safe.",
        True, acceptor=NackingAcceptor, learners=False),
    Variant(
        "accept-raises-promise",
        "Accepting proposal n also promises n, as many implementations do; the paper does "
        "not need it, and it is safe.",
        True, acceptor=AcceptRaisesPromiseAcceptor),
    Variant(
        "phase2-other-majority",
        "Phase 2 accept requests go to every acceptor, so a different majority than the one "
        "that promised may accept — the paper allows it, and it is safe.",
        True, proposer=AcceptToAllProposer),
    Variant(
        "flexible-safe",
        "Flexible quorums: phase 1 needs all n acceptors, phase 2 just one; |Q1| + |Q2| > n, "
        "so every phase-1 quorum meets every phase-2 quorum: safe.",
        True, quorums=_flex_safe),
    Variant(
        "flexible-unsafe",
        "Flexible quorums with |Q1| + |Q2| = n (phase 1 n-1, phase 2 one): a phase-1 quorum "
        "can miss the acceptor that chose a value.",
        False, quorums=_flex_unsafe),
)}


#: The shortest run in which `MostCommonValueProposer` chooses two values, on
#: 5 acceptors (``VARIANTS["most-common-value"].cluster(acceptors=5)``): (0, x)
#: is accepted by a1 and a2; (1, y) is chosen by a3, a4, a5; p1's promises for 2
#: report x twice and y once, and the vote gives (2, x), chosen by a1, a2, a3.
#: It is the shortest possible: a second value needs a proposer whose majority
#: of 3 promises holds more older reports than newer ones, so three rounds
#: (numbers 0, 1, 2), each with a propose, 3 prepares and 3 promises, and 2 + 3
#: + 3 accepts: 29 steps. The breadth-first search cannot reach that depth with
#: 5 acceptors (1.5 million states reach depth 15), so the run is given here
#: and the tests replay it. With 3 or 4 acceptors no such run exists: any two
#: majorities share at least half of a majority, whose reports are newest.
MOST_COMMON_VALUE_RUN: tuple[tuple[str, ...], ...] = (
    ("propose", "p1"),
    *(("deliver", "p1", a, "Prepare", "0") for a in ("a1", "a2", "a3")),
    *(("deliver", a, "p1", "Promise", "0") for a in ("a1", "a2", "a3")),
    *(("deliver", "p1", a, "Accept", "0") for a in ("a1", "a2")),
    ("propose", "p2"),
    *(("deliver", "p2", a, "Prepare", "1") for a in ("a3", "a4", "a5")),
    *(("deliver", a, "p2", "Promise", "1") for a in ("a3", "a4", "a5")),
    *(("deliver", "p2", a, "Accept", "1") for a in ("a3", "a4", "a5")),
    ("propose", "p1"),
    *(("deliver", "p1", a, "Prepare", "2") for a in ("a1", "a2", "a3")),
    *(("deliver", a, "p1", "Promise", "2") for a in ("a1", "a2", "a3")),
    *(("deliver", "p1", a, "Accept", "2") for a in ("a1", "a2", "a3")),
)


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise ValueError(f"variant must be one of {sorted(VARIANTS)}, got {name!r}")
    return VARIANTS[name]
