"""Helpers for ``04_the_algorithm.ipynb`` (§2.2, second half: the promise, the phases, P1a).

- `p1a_table`, `prepare_table`: what an acceptor does with an accept or a
  prepare request in a few states, decided by the agents' own methods;
- `clean_run`: the whole algorithm on a perfect network, step by step;
  `faulty_run` and `fault_report`: a seeded run with loss, duplication and
  reordering;
- `broken_rules_table`, `safe_variants_table`: the model checker on the
  variants that break a rule of this section, and on two that look wrong
  but are safe. Searches that take more than a few seconds are not re-run
  here: their figures are `RECORDED` (tests/test_notebook_helpers_nb04.py
  re-runs them and checks every number);
- `recorded_run`: a recorded counterexample replayed in the simulator;
- `nack_run`: a proposer told by a nack that it was overtaken.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..agents import Acceptor, AcceptorStorage, NackingAcceptor, Proposer
from ..ballots import ProposalNumber
from ..checker import VARIANTS, AgentsResult, Variant, check_agents
from ..checker.variants import AmnesiacAcceptor
from ..cluster import Cluster
from ..messages import Accept, Nack, Prepare, Proposal
from ..paper import Table
from ..script import Action, Run, Step, drive, replay
from ..sim import Network, Simulation
from ..trace import Trace

# ---------------------------------------------------------------------------
# What an acceptor does, in a few states
# ---------------------------------------------------------------------------

PROPOSERS = 2


def number(natural: int) -> ProposalNumber:
    """The proposal number the paper writes as ``natural`` (two proposers)."""
    return ProposalNumber.from_natural(natural, PROPOSERS)


def acceptor(promised: int | None = None, accepted: tuple[int, str] | None = None) -> Acceptor:
    """An acceptor a1 that has promised ``promised`` and accepted ``accepted``."""
    storage = AcceptorStorage(
        None if promised is None else number(promised),
        None if accepted is None else Proposal(number(accepted[0]), accepted[1]))
    return Acceptor("a1", ("l1",), stable=storage)


def _state(a: Acceptor) -> str:
    p = "nothing" if a.promised is None else str(a.promised)
    acc = "nothing" if a.accepted is None else str(a.accepted)
    return f"promised {p}, accepted {acc}"


P1A_CASES = ((None, None, 0), (2, None, 1), (2, None, 2), (2, (1, "x"), 3))


def p1a_table() -> Table:
    """`Acceptor.may_accept` and `Acceptor.on_accept` on an accept request, in a few states."""
    rows = []
    for promised, accepted, n in P1A_CASES:
        a = acceptor(promised, accepted)
        new, out = a.on_accept(Accept("p1", "a1", number(n), "y"))
        verdict = "accepts" if new.accepted != a.accepted or out else "ignores it"
        rows.append((_state(a), f"accept {n} 'y'", str(a.may_accept(number(n))), verdict,
                     _state(new)))
    return Table(("acceptor a1 before", "request", "may_accept (P1a)", "on_accept",
                  "a1 after"), tuple(rows), caption="P1a at work: Acceptor.on_accept")


PREPARE_CASES = ((None, None, 0), (3, None, 2), (3, None, 3), (3, (3, "x"), 3),
                 (3, (3, "x"), 4))


def prepare_table() -> Table:
    """`Acceptor.should_promise` and `Acceptor.on_prepare` in a few states."""
    rows = []
    for promised, accepted, n in PREPARE_CASES:
        a = acceptor(promised, accepted)
        new, out = a.on_prepare(Prepare("p1", "a1", number(n)))
        reply = out[0].describe() if out else "nothing (ignored)"
        rows.append((_state(a), f"prepare {n}", str(a.should_promise(number(n))), reply,
                     _state(new)))
    return Table(("acceptor a1 before", "request", "should_promise", "reply",
                  "a1 after"), tuple(rows), caption="Phase 1(b) at work: Acceptor.on_prepare")


def survives_restart() -> str:
    """An acceptor's storage before a crash and after the restart, with and without
    stable storage."""
    out = []
    for cls, which in ((Acceptor, "stable storage"),
                       (AmnesiacAcceptor, "no stable storage (amnesia)")):
        a = cls("a1", ("l1",), stable=acceptor(3, (2, "x")).stable)
        back = a.crash().restart()
        out.append(f"{which}: before the crash {_state(a)}; after the restart {_state(back)}")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def clean_run() -> Run:
    """p1 proposes 'x' on a perfect network and it is chosen and learned; then p2 tries
    'y', hears of (0, 'x') and proposes 'x' again."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1), seed=0, manual=True)
    return drive(sim, [("propose", "p1")]).settle().then([("propose", "p2")]).settle()


FAULTS = Network(loss=0.2, duplication=0.2, delay=(1.0, 8.0))
FAULTY_SEED = 13


def faulty_run(seed: int = FAULTY_SEED, network: Network = FAULTS,
               until: float = 300.0) -> Simulation:
    """Automatic mode: 3 acceptors, 2 proposers ('x' and 'y'), a learner, and a network
    that loses and duplicates messages and delivers them after random delays."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1), seed=seed,
                     network=network)
    return sim.run(until=until)


def overtaken(trace: Trace) -> int:
    """Deliveries of a message to an agent that had already received a message sent after
    it (to the same agent): reorderings."""
    order: dict[int, int] = {}
    for e in trace:
        if e.kind in ("send", "duplicate") and e.msg_id is not None:
            order[e.msg_id] = len(order)
    latest: dict[str, int] = {}
    count = 0
    for e in trace:
        if e.kind == "deliver" and e.msg_id in order and e.message is not None:
            k, who = order[e.msg_id], e.message.receiver
            if k < latest.get(who, -1):
                count += 1
            latest[who] = max(k, latest.get(who, -1))
    return count


def fault_report(sim: Simulation) -> str:
    """What the network did and what was chosen, in a few lines."""
    s = sim.summary()
    proposals = sum(1 for e in sim.trace if e.kind == "propose")
    issued = sorted(sim.history.issued.values())
    lines = [
        f"seed {s['seed']}: {s['sent']} messages sent, {s['dropped']} lost, "
        f"{s['duplicated']} duplicated, {overtaken(sim.trace)} delivered after a later one "
        f"(reordered)",
        f"phase 1 started {proposals} times; proposals issued (accept requests sent): "
        + ", ".join(str(p) for p in issued),
        f"proposals chosen: {', '.join(s['chosen_proposals'])}  →  values chosen: "
        f"{sorted(set(s['chosen']))}",
        f"first chosen at t = {s['chosen_at']:g}; learned: {s['learned']}; "
        f"violations: {s['violations'] or 'none'}",
    ]
    return "\n".join(lines)


def many_seeds(seeds: range, network: Network = FAULTS) -> str:
    """The same cluster and network over many seeds: how many runs chose one value."""
    one = none = more = 0
    for seed in seeds:
        sim = faulty_run(seed, network)
        values = sim.history.chosen_values
        if sim.violations or len(values) > 1:
            more += 1
        elif values:
            one += 1
        else:
            none += 1
    return (f"{len(seeds)} seeds ({seeds.start}..{seeds.stop - 1}): exactly one value chosen "
            f"in {one}, none yet in {none}, a safety violation in {more}")


# ---------------------------------------------------------------------------
# The model checker, live and recorded
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """A search too slow for the notebook, run once and written down.

    ``command`` reproduces it; the tests re-run it and compare every field."""

    variant: str
    learners: bool
    distinct_states: int
    safe: bool
    steps: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        extra = "" if self.learners == VARIANTS[self.variant].learners else \
            f", learners={self.learners}"
        return f'check_agents("{self.variant}"{extra})'


_PHASE2_STEPS = (
    "p1 starts phase 1 with proposal number 0",
    "p2 starts phase 1 with proposal number 1",
    "a1 receives prepare 0 from p1",
    "a2 receives prepare 0 from p1",
    "a1 receives prepare 1 from p2",
    "a3 receives prepare 1 from p2",
    "p1 receives promise 0 (none) from a1",
    "p1 receives promise 0 (none) from a2",
    "p1 starts phase 1 with proposal number 2",
    "p2 receives promise 1 (none) from a1",
    "p2 receives promise 1 (none) from a3",
    "a2 receives accept 0 'x' from p1",
    "a2 receives prepare 2 from p1",
    "a1 receives accept 1 'y' from p2",
    "a1 receives prepare 2 from p1",
    "a3 receives accept 1 'y' from p2",
    "p1 receives promise 2 (0, 'x') from a2",
    "p1 receives promise 2 (1, 'y') from a1",
    "a1 receives accept 2 'x' from p1",
    "a2 receives accept 2 'x' from p1",
)

RECORDED: dict[str, Recorded] = {r.variant: r for r in (
    Recorded("paper", True, 16785, True),
    Recorded("lowest-accepted", False, 135156, False, _PHASE2_STEPS),
    Recorded("any-accepted", False, 135156, False, _PHASE2_STEPS),
    Recorded("phase2-other-majority", True, 126081, True),
    Recorded("accept-raises-promise", True, 16785, True),
)}

LIVE_BROKEN = ("no-promise", "ignore-accepted", "small-quorum")
RECORDED_BROKEN = ("lowest-accepted", "any-accepted")

RULES = {
    "no-promise": "P1a / phase 2(b): keep the promise",
    "ignore-accepted": "P2c / phase 2(a): take a reported value",
    "small-quorum": "majorities: any two share an acceptor",
    "lowest-accepted": "phase 2(a): the highest-numbered report",
    "any-accepted": "phase 2(a): the highest-numbered report",
}


@cache
def checked(variant: str, learners: bool | None = None) -> AgentsResult:
    """`check_agents` on a variant, once per session."""
    return check_agents(variant, learners=learners)


def broken_rules_table() -> Table:
    """One row per rule of this section that the checker can break: the fast searches run
    now, the slow ones are the `RECORDED` figures."""
    rows = []
    for name in (*LIVE_BROKEN, *RECORDED_BROKEN):
        v = VARIANTS[name]
        if name in LIVE_BROKEN:
            r = checked(name)
            length, states, source = len(r.counterexample), r.distinct_states, "run now"
        else:
            rec = RECORDED[name]
            length, states = len(rec.steps), rec.distinct_states
            source = "recorded"  # the call that reproduces it is in the caption
        rows.append((name, RULES[name], v.sentence, str(length), f"{states:,}", source))
    return Table(("variant", "rule broken", "what the variant does (VARIANTS)",
                  "counterexample steps", "states explored", "search"), tuple(rows),
                 caption="Without each rule: the model checker's shortest run to two values "
                         "chosen (3 acceptors, 2 proposers); recorded rows come from "
                         "check_agents(variant), too slow to run here")


SAFE_LIVE = ("paper", "phase2-other-majority", "accept-raises-promise")


def safe_variants_table() -> Table:
    """The paper and two variants that look unsafe, searched now with learner deliveries
    skipped (learners change no other agent), and the full searches as recorded."""
    rows = []
    for name in SAFE_LIVE:
        r = checked(name, False)
        full = RECORDED[name]
        verdict = "no violation" if full.safe else "VIOLATION"
        full_text = f"{full.distinct_states:,}: {verdict} (recorded: {full.command})"
        rows.append((name, VARIANTS[name].sentence,
                     f"{r.distinct_states:,}: {'no violation' if r.safe else r.violation}",
                     full_text))
    return Table(("variant", "what it does", "states explored now (learners skipped)",
                  "full search, learners included"), tuple(rows),
                 caption="Two variants that look wrong, and the paper, searched exhaustively")


@cache
def checked_run(variant: str) -> Run:
    """The checker's shortest counterexample for ``variant`` (searched now, once), replayed
    step by step."""
    r = checked(variant)
    if r.safe:
        raise ValueError(f"variant must be one that breaks safety, got {variant!r}")
    return replay(r.cluster, r.counterexample)


NACKS = Variant(
    "nacks", "Acceptors tell a proposer it was overtaken (a nack); the proposer abandons its "
    "proposal and next tries a number above the one reported.", True,
    acceptor=NackingAcceptor, learners=False)
NACKS_STATES = 34861  # check_agents(NACKS): no violation (about 3 s; tests re-run it)


# ---------------------------------------------------------------------------
# Replaying a recorded counterexample
# ---------------------------------------------------------------------------


def _step_text(m: Any) -> str:
    return f"{m.receiver} receives {m.describe()} from {m.sender}"


def steps_from_texts(cluster: Cluster, texts: tuple[str, ...]) -> tuple[Step, ...]:
    """Rebuild checker `Step`s from their texts, finding each message in a simulation of
    ``cluster`` (the same cluster the checker searched)."""
    sim = Simulation(cluster, seed=0, manual=True)
    steps = []
    for i, text in enumerate(texts, 1):
        if " starts phase 1 with " in text:
            agent = text.split()[0]
            sim.propose(agent)
            steps.append(Step(i, "propose", agent, None, text))
            continue
        pid = next((p.id for p in sim.pending() if _step_text(p.message) == text), None)
        if pid is None:
            raise ValueError(f"step {i} ({text!r}) is not a delivery of a pending message")
        m = sim.in_flight[pid].message
        if text in texts[i:]:
            sim.duplicate(pid)
        sim.deliver(pid)
        steps.append(Step(i, "deliver", m.receiver, m, text))
    return tuple(steps)


def recorded_run(variant: str) -> Run:
    """A `RECORDED` counterexample, replayed on the variant's own cluster."""
    rec = RECORDED[variant]
    if rec.safe:
        raise ValueError(f"variant must be one with a counterexample, got {variant!r}")
    cluster = get_cluster(variant)
    return replay(cluster, steps_from_texts(cluster, rec.steps))


def get_cluster(variant: str) -> Cluster:
    v: Variant = VARIANTS[variant]
    return v.cluster()


# ---------------------------------------------------------------------------
# Nacks and abandoning
# ---------------------------------------------------------------------------

NACK_SCRIPT: tuple[Action, ...] = (
    ("propose", "p1"),
    ("deliver", "p1", "a1", "Prepare"),
    ("deliver", "p1", "a2", "Prepare"),
    ("deliver", "a1", "p1", "Promise"),
    ("deliver", "a2", "p1", "Promise"),
    ("propose", "p2"),
    ("propose", "p2"),
    ("propose", "p2"),
    ("deliver", "p2", "a1", "Prepare", "5"),
    ("deliver", "p1", "a1", "Accept"),
    ("deliver", "a1", "p1", "Nack"),
)
"""p1 completes phase 1 with number 0; meanwhile p2 has tried numbers 1 and 3 (those
prepare requests are still in flight) and reaches a1 with number 5; p1's accept request
0 arrives at a1 after that."""


def nack_run() -> Run:
    """p1 is overtaken: a1 promised p2's number 5 before p1's accept request 0 arrived, so
    a1 refuses it with a nack, and p1 abandons proposal 0, remembering 5."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1, acceptor=NackingAcceptor),
                     seed=0, manual=True)
    return drive(sim, NACK_SCRIPT)


def nack_messages(run: Run) -> list[str]:
    return [e.describe() for e in run.trace if e.kind == "send"
            and isinstance(e.message, Nack)]


def proposer_state(p: Proposer) -> str:
    n = "none" if p.number is None else str(p.number)
    seen = "none" if p.highest_seen is None else str(p.highest_seen)
    return f"{p.name}: phase {p.phase}, number {n}, highest number heard of {seen}"


__all__ = [
    "FAULTS", "FAULTY_SEED", "NACKS", "NACKS_STATES", "NACK_SCRIPT", "RECORDED", "Recorded",
    "acceptor", "broken_rules_table", "checked", "checked_run",
    "clean_run", "fault_report",
    "faulty_run", "get_cluster", "many_seeds", "nack_messages", "nack_run", "number",
    "overtaken", "p1a_table", "prepare_table", "proposer_state", "recorded_run",
    "safe_variants_table", "steps_from_texts", "survives_restart",
]
