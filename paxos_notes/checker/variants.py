"""The rules a reader can break, one named variant each (§2.2, §2.5).

Each variant changes one thing about the paper's algorithm and says, in one
sentence, which statement of the paper it departs from. ``expect_safe`` is what
the model checker finds within the variant's default bounds; the tests hold the
checker to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..agents import PAPER, Rules
from ..cluster import Cluster
from ..quorums import Flexible, QuorumSystem, Threshold


@dataclass(frozen=True)
class Variant:
    name: str
    sentence: str
    expect_safe: bool
    rules: Rules = PAPER
    shared_numbers: bool = False
    max_crashes: int = 0  # acceptor crashes explored (with restart and persist)
    learners: bool = True  # explore deliveries to learners (see check_agents)
    quorums: Callable[[tuple[str, ...]], QuorumSystem] | None = field(default=None, repr=False)
    acceptors: int = 3
    proposers: int = 2
    max_ballot: int = 1  # highest natural proposal number a proposer may use

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
        return replace(base, values=vals, rules=self.rules, quorums=q,
                       shared_numbers=self.shared_numbers)


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
        False, rules=replace(PAPER, keep_promises=False)),
    Variant(
        "ignore-accepted",
        "The proposer proposes its own value even when promises report accepted ones, "
        "breaking P2c and phase 2(a).",
        False, rules=replace(PAPER, value_choice="own")),
    Variant(
        "lowest-accepted",
        "The proposer takes the lowest-numbered reported proposal's value instead of the "
        "highest-numbered one that phase 2(a) asks for.",
        False, rules=replace(PAPER, value_choice="lowest"), max_ballot=2, learners=False),
    Variant(
        "any-accepted",
        "The proposer takes the value of the first promise that reported one, not the "
        "highest-numbered (phase 2(a)).",
        False, rules=replace(PAPER, value_choice="first"), max_ballot=2, learners=False),
    Variant(
        "small-quorum",
        "Quorums of half the acceptors, so two of them need not share an acceptor — the "
        "paper relies on \"any two majorities have at least one acceptor in common\".",
        False, quorums=_small),
    Variant(
        "shared-numbers",
        "Two proposers draw numbers from one set, against §2.5's \"disjoint sets of "
        "numbers\", with acceptors that answer a repeated prepare as implementations do.",
        False, shared_numbers=True, rules=replace(PAPER, answer_repeated_prepare=True)),
    Variant(
        "shared-numbers-strict",
        "Shared numbers again, but acceptors answer only prepares numbered \"greater than\" "
        "their promise, as phase 1(b) says: the collision then costs progress, not safety.",
        True, shared_numbers=True),
    Variant(
        "repeated-prepare",
        "Acceptors answer a repeated prepare (numbers still disjoint): safe, because no two "
        "proposals share a number.",
        True, rules=replace(PAPER, answer_repeated_prepare=True)),
    Variant(
        "amnesia",
        "Acceptors forget their promise and accepted proposal when they restart, against "
        "§2.2: an acceptor must remember them \"even if it fails and then restarts\".",
        False, rules=replace(PAPER, stable_storage=False), max_crashes=1, learners=False),
    Variant(
        "send-before-persist",
        "Acceptors send a response before recording it, against §2.5: \"An acceptor records "
        "its intended response in stable storage before actually sending the response.\"",
        False, rules=replace(PAPER, persist_before_send=False), max_crashes=1, learners=False),
    Variant(
        "crash-restart",
        "The paper's acceptors crash and restart from stable storage: safe.",
        True, max_crashes=1, learners=False),
    Variant(
        "accept-raises-promise",
        "Accepting proposal n also promises n, as many implementations do; the paper does "
        "not need it, and it is safe.",
        True, rules=replace(PAPER, accept_raises_promise=True)),
    Variant(
        "phase2-other-majority",
        "Phase 2 accept requests go to every acceptor, so a different majority than the one "
        "that promised may accept — the paper allows it, and it is safe.",
        True, rules=replace(PAPER, phase2_to="all")),
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


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise ValueError(f"variant must be one of {sorted(VARIANTS)}, got {name!r}")
    return VARIANTS[name]
