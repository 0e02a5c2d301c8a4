"""Presentation for ``04_the_algorithm.ipynb`` (§2.2, second half: the promise, the phases, P1a).

The runs, the rules beside their code and the counterexample replays are in the
notebook's cells. Here: the acceptor tables (`p1a_table`, `prepare_table`), a
faulty run in words (`fault_report`), and the checker's tables
(`broken_rules_table`, `phase2a_table`, `safe_variants_table`), whose slow
searches are read from the committed results (`paxos_notes.checker.stored`,
re-run by the tests).
"""

from __future__ import annotations

from ..agents import Acceptor, AcceptorStorage, Proposer
from ..ballots import ProposalNumber
from ..checker import VARIANTS, check_agents, shortest
from ..checker.stored import stored
from ..invariants import P2C
from ..messages import Accept, Prepare, Proposal
from ..paper import Table
from ..script import Run, memory
from ..sim import Simulation

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


P1A_CASES = ((None, None, 0), (2, None, 1), (2, None, 2), (2, (1, "x"), 3))


def p1a_table() -> Table:
    """`Acceptor.may_accept` and `Acceptor.on_accept` on an accept request, in a few states."""
    rows = []
    for promised, accepted, n in P1A_CASES:
        a = acceptor(promised, accepted)
        new, out = a.on_accept(Accept("p1", "a1", number(n), "y"))
        verdict = "accepts" if new.accepted != a.accepted or out else "ignores it"
        rows.append((memory(a), f"accept {n} 'y'", str(a.may_accept(number(n))), verdict,
                     memory(new)))
    return Table(("acceptor a1 before", "request", "may_accept (P1a)", "on_accept",
                  "a1 after"), tuple(rows), caption="P1a at work: Acceptor.on_accept")


# The fourth case is the optimization alone: a1 promised 2, then accepted (3, 'x') from
# an accept request whose prepare it never saw; phase 1(b) would answer prepare 3.
PREPARE_CASES = ((None, None, 0), (3, None, 2), (3, None, 3), (2, (3, "x"), 3),
                 (3, (3, "x"), 4))


def _prepare_reason(a: Acceptor, n: int) -> str:
    """Which part of the rule decides a prepare request numbered ``n`` (the same tests as
    `Acceptor.should_promise`, named)."""
    m, pn = a.memory, number(n)
    if m.promised is not None and not pn > m.promised:
        return f"phase 1(b): {n} is not greater than the promise {m.promised}"
    if m.accepted is not None and not m.accepted.number < pn:
        return f"the optimization: {n} is not above the accepted {m.accepted}"
    return "phase 1(b): above every prepare answered" if m.promised is not None else \
        "phase 1(b): no prepare answered yet"


def prepare_table() -> Table:
    """`Acceptor.should_promise` and `Acceptor.on_prepare` in a few states, with the part
    of the rule that decides each."""
    rows = []
    for promised, accepted, n in PREPARE_CASES:
        a = acceptor(promised, accepted)
        new, out = a.on_prepare(Prepare("p1", "a1", number(n)))
        reply = out[0].describe() if out else "nothing (ignored)"
        rows.append((memory(a), f"prepare {n}", str(a.should_promise(number(n))),
                     _prepare_reason(a, n), reply, memory(new)))
    return Table(("acceptor a1 before", "request", "should_promise", "why", "reply",
                  "a1 after"), tuple(rows), caption="Phase 1(b) at work: Acceptor.on_prepare")


# ---------------------------------------------------------------------------
# A faulty run, in words
# ---------------------------------------------------------------------------


def fault_report(sim: Simulation, reordered: int) -> str:
    """What the network did (``reordered``: deliveries that overtook, counted in the
    notebook) and what was chosen, in a few lines."""
    s = sim.summary()
    proposals = sum(1 for e in sim.trace if e.kind == "propose")
    issued = sorted(sim.history.issued.values())
    return "\n".join([
        f"seed {s['seed']}: {s['sent']} messages sent, {s['dropped']} lost, "
        f"{s['duplicated']} duplicated, {reordered} delivered after a later one (reordered)",
        f"phase 1 started {proposals} times; proposals issued (accept requests sent): "
        + ", ".join(str(p) for p in issued),
        f"proposals chosen: {', '.join(s['chosen_proposals'])}  →  values chosen: "
        f"{sorted(set(s['chosen']))}",
        f"first chosen at t = {s['chosen_at']:.1f}; learned: {s['learned']}; "
        f"violations: {s['violations'] or 'none'}",
    ])


# ---------------------------------------------------------------------------
# The model checker, live and recorded
# ---------------------------------------------------------------------------


LIVE_BROKEN = ("no-promise", "ignore-accepted", "small-quorum")
RECORDED_BROKEN = ("small-quorum-even", "lowest-accepted", "any-accepted", "most-common-value")
RULES = {
    "no-promise": "P1a / phase 2(b): keep the promise",
    "ignore-accepted": "P2c / phase 2(a): take a reported value",
    **dict.fromkeys(("small-quorum", "small-quorum-even"),
                    "majorities: any two share an acceptor"),
    **dict.fromkeys(("lowest-accepted", "any-accepted", "most-common-value"),
                    "phase 2(a): the highest-numbered report"),
}


def broken_rules_table() -> Table:
    """One row per rule of this section that the checker can break: the fast searches run
    now, the slow ones are read from the committed results."""
    rows = []
    for name in (*LIVE_BROKEN, *RECORDED_BROKEN):
        if name in LIVE_BROKEN:
            r = shortest(name)  # the session's cached search, shared with the cells
            length, states, source = len(r.counterexample), r.distinct_states, "now"
        else:
            s = stored(name)
            length, states, source = len(s.steps), s.distinct_states, "recorded"
        v = VARIANTS[name]
        rows.append((name, RULES[name], v.sentence, str(length) if length else "none: safe",
                     f"{states:,} ({source}{v.unusual_bounds()})"))
    return Table(("variant", "rule broken", "what the variant does (VARIANTS)",
                  "steps to two values", "states explored"), tuple(rows),
                 caption="Without each rule: the model checker's shortest run to two values "
                         "chosen, if any (3 acceptors, 2 proposers, numbers 0..1 unless said "
                         "otherwise); recorded rows are check_agents(variant) as committed in "
                         "paxos_notes/data/checker_results.json")


def phase2a_table(runs: dict[str, Run]) -> Table:
    """Counterexamples of phase 2(a)'s wrong choices side by side: on how many acceptors,
    in how many steps, where P2c breaks and where two values are chosen."""
    rows = tuple(
        (name, str(len(run.sim.cluster.acceptor_names)), str(len(run.moments)),
         f"step {run.first('violation', P2C)}", f"step {run.first_two_values()}",
         " and ".join(str(p) for p in sorted(run.history.chosen)))
        for name, run in runs.items())
    return Table(("variant", "acceptors", "steps", "P2c broken", "two values chosen",
                  "chosen proposals"), rows, caption="Phase 2(a)'s wrong choices, side by side")


SAFE = ("paper", "phase2-other-majority", "accept-raises-promise")


def safe_variants_table() -> Table:
    """The paper and two variants that look unsafe, searched now with learner deliveries
    skipped (learners change no other agent), and the full searches as recorded."""
    rows = []
    for name in SAFE:
        r, full = check_agents(name, learners=False), stored(name)
        verdict = "no violation" if full.safe else "VIOLATION"
        rows.append((name, VARIANTS[name].sentence,
                     f"{r.distinct_states:,}: {'no violation' if r.safe else r.violation}",
                     f'{full.distinct_states:,}: {verdict} (recorded: check_agents("{name}"))'))
    return Table(("variant", "what it does", "states explored now (learners skipped)",
                  "full search, learners included"), tuple(rows),
                 caption="Two variants that look wrong, and the paper, searched exhaustively")


def proposer_state(p: Proposer) -> str:
    n = "none" if p.number is None else str(p.number)
    seen = "none" if p.highest_seen is None else str(p.highest_seen)
    return f"{p.name}: phase {p.phase}, number {n}, highest number heard of {seen}"


__all__ = [
    "acceptor", "broken_rules_table",
    "fault_report", "number", "p1a_table", "phase2a_table", "prepare_table",
    "proposer_state", "safe_variants_table",
]
