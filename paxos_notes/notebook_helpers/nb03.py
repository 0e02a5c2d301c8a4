"""Helpers for ``03_choosing_a_value.ipynb`` (§2.2, first half: quorums, P1, P2 → P2c).

- `quorum_storyboard` and `quorum_table`: majorities, an unsafe threshold and
  a grid, side by side;
- `single_proposal_run` and `value_majorities`: why a value is chosen only
  when a *single proposal* is accepted by a majority;
- `p1_p2a_run` and `p2a_breaches`: the acceptor c of §2.2 that never received
  a proposal, forced by P1 to break P2a;
- `p2c_cases`: P2c judged by `paxos_notes.invariants.p2c_holds` on edited
  grids of the P2cArgument widget;
- `ignore_accepted_run`: the checker's shortest run without P2c, replayed.

Nothing here is random: every simulation is manual and every search exhaustive.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from ..checker import AgentsResult, check_agents
from ..checker.variants import OwnValueProposer
from ..cluster import Cluster
from ..invariants import History, chosen_proposals, p2c_holds
from ..messages import Proposal, Value
from ..paper import Table
from ..quorums import Grid, Majority, QuorumSystem, Threshold, acceptor_names
from ..script import Action, Run, drive, replay
from ..sim import Simulation
from ..widgets import p2c_argument as p2c
from ..widgets import quorum_intersection as qi
from ..widgets._draw import storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# ---------------------------------------------------------------------------
# Quorums
# ---------------------------------------------------------------------------


def quorum_storyboard() -> Figure:
    """Four panels: two majorities of 5 and their count; the adversary finding two
    disjoint quorums in "any 2 of 5"; two grid quorums meeting; why the shared
    acceptor matters (it carries an accepted value to a later proposer)."""
    majority = qi.QuorumSpec(5, "majority")
    unsafe = qi.QuorumSpec(5, "threshold", k=2)
    grid = qi.QuorumSpec(6, "grid", rows=2)
    first, second = frozenset({"a1", "a2", "a3"}), frozenset({"a3", "a4", "a5"})
    states = [
        qi.QuorumState(majority, first, second),
        qi.adversary_state(unsafe),
        qi.QuorumState(grid, frozenset({"a1", "a2", "a3", "a4"}),
                       frozenset({"a4", "a5", "a6", "a3"})),
        qi.QuorumState(majority, first, second, "why"),
    ]
    frames = [(qi.canvas(s, compact=True), qi.caption(s)) for s in states]
    return storyboard_figure(frames, columns=2, panel_width=4.0,
                             title="Quorums: majorities, an unsafe threshold, a grid",
                             caption_lines=9, legend=qi.LEGEND)


def _fmt(s: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(s, key=lambda a: int(a[1:]))) + "}"


def grid_4x4_example() -> str:
    """Two quorums of a 4 x 4 grid: 7 acceptors each, fewer than a majority of 16 (9), and
    7 + 7 = 14 <= 16, yet they meet where a row crosses a column."""
    names = acceptor_names(16)
    grid = Grid([names[i:i + 4] for i in range(0, 16, 4)])
    q1 = frozenset({*grid.rows[0], *grid.columns[0]})
    q2 = frozenset({*grid.rows[3], *grid.columns[3]})
    return (f"{grid.describe()}, acceptors a1..a16 row by row\n"
            f"Q1 = row 1 + column 1 = {_fmt(q1)}: {len(q1)} acceptors, quorum: "
            f"{grid.is_quorum(q1)}\n"
            f"Q2 = row 4 + column 4 = {_fmt(q2)}: {len(q2)} acceptors, quorum: "
            f"{grid.is_quorum(q2)}\n"
            f"a majority of 16 needs {Majority(names).k}; "
            f"{len(q1)} + {len(q2)} = {len(q1) + len(q2)} <= 16, yet Q1 ∩ Q2 = {_fmt(q1 & q2)}")


def quorum_systems() -> tuple[QuorumSystem, ...]:
    """The systems of the quorum table: majorities, thresholds at and above n/2, grids."""
    five, six, nine = acceptor_names(5), acceptor_names(6), acceptor_names(9)
    return (
        Majority(five),
        Threshold(five, 2),
        Majority(six),
        Threshold(six, 3),
        Grid([six[:3], six[3:]]),
        Grid([nine[:3], nine[3:6], nine[6:]]),
    )


def quorum_table() -> Table:
    """For each system: n, the smallest quorum, the pigeonhole count, and two disjoint
    quorums if the adversary (`QuorumSystem.intersection_witness`) finds them."""
    rows = []
    for q in quorum_systems():
        n = len(q.acceptors)
        k = len(q.minimal_quorums()[0])
        witness = q.intersection_witness()
        rel = ">" if 2 * k > n else "≤"
        rows.append((
            q.describe(), str(n), str(k), f"{k} + {k} = {2 * k} {rel} {n}",
            "none: safe" if witness is None else f"{_fmt(witness[0])} and {_fmt(witness[1])}",
        ))
    return Table(("quorum system", "n", "smallest quorum", "count", "two disjoint quorums"),
                 tuple(rows), caption="Does every pair of quorums share an acceptor?")


# ---------------------------------------------------------------------------
# A single proposal, accepted by a majority
# ---------------------------------------------------------------------------


def value_majorities(acceptances: Iterable[tuple[str, Proposal]],
                     quorums: QuorumSystem) -> list[Value]:
    """The WRONG rule: values that a quorum accepted, adding up different proposals."""
    who: dict[Value, set[str]] = {}
    for acceptor, p in acceptances:
        who.setdefault(p.value, set()).add(acceptor)
    return sorted(v for v, s in who.items() if quorums.is_phase2_quorum(s))


SINGLE_PROPOSAL_SCRIPT: tuple[Action, ...] = (
    ("propose", "p1"),
    ("deliver", "p1", "a1", "Prepare"),
    ("deliver", "p1", "a2", "Prepare"),
    ("drop", "p1", "a3", "Prepare"),
    ("deliver", "a1", "p1", "Promise"),
    ("deliver", "a2", "p1", "Promise"),
    ("deliver", "p1", "a1", "Accept"),
    ("drop", "p1", "a2", "Accept"),
    ("propose", "p2"),
    ("drop", "p2", "a1", "Prepare"),
    ("deliver", "p2", "a2", "Prepare"),
    ("deliver", "p2", "a3", "Prepare"),
    ("deliver", "a2", "p2", "Promise"),
    ("deliver", "a3", "p2", "Promise"),
    ("deliver", "p2", "a3", "Accept"),
    ("drop", "p2", "a2", "Accept"),
    ("propose", "p1"),
    ("deliver", "p1", "a1", "Prepare"),
    ("deliver", "p1", "a2", "Prepare"),
    ("drop", "p1", "a3", "Prepare"),
    ("deliver", "a1", "p1", "Promise"),
    ("deliver", "a2", "p1", "Promise"),
    ("deliver", "p1", "a2", "Accept"),
    ("drop", "p1", "a1", "Accept"),
    ("propose", "p2"),
    ("deliver", "p2", "a1", "Prepare"),
    ("deliver", "p2", "a3", "Prepare"),
    ("drop", "p2", "a2", "Prepare"),
    ("deliver", "a1", "p2", "Promise"),
    ("deliver", "a3", "p2", "Promise"),
    ("deliver", "p2", "a1", "Accept"),
    ("deliver", "p2", "a3", "Accept"),
)


def single_proposal_run() -> Run:
    """The paper's algorithm on a lossy network: 'x' is accepted by a majority, but in two
    different proposals (0 and 2); then proposal (3, 'y') is accepted by a majority."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1), seed=0, manual=True)
    return drive(sim, SINGLE_PROPOSAL_SCRIPT)


def accepted_by(run: Run) -> dict[str, list[str]]:
    """Each acceptor's acceptances, in number order."""
    out: dict[str, list[str]] = {a: [] for a in run.sim.cluster.acceptor_names}
    for a, p in sorted(run.history.acceptances, key=lambda ap: (ap[1].number, ap[0])):
        out[a].append(str(p))
    return out


# ---------------------------------------------------------------------------
# P1 and P2a: the acceptor c that never received a proposal
# ---------------------------------------------------------------------------

P1_P2A_SCRIPT: tuple[Action, ...] = (
    ("propose", "p1"),
    ("deliver", "p1", "a1", "Prepare"),
    ("deliver", "p1", "a2", "Prepare"),
    ("drop", "p1", "a3", "Prepare"),
    ("deliver", "a1", "p1", "Promise"),
    ("deliver", "a2", "p1", "Promise"),
    ("deliver", "p1", "a1", "Accept"),
    ("deliver", "p1", "a2", "Accept"),
    ("propose", "p2"),
    ("deliver", "p2", "a1", "Prepare"),
    ("deliver", "p2", "a3", "Prepare"),
    ("drop", "p2", "a2", "Prepare"),
    ("deliver", "a1", "p2", "Promise"),
    ("deliver", "a3", "p2", "Promise"),
    ("deliver", "p2", "a3", "Accept"),
)

OWN_VALUE = OwnValueProposer
"""A proposer that ignores the proposals its promises report: nothing but P1 and P2a."""


def p1_p2a_run() -> Run:
    """(0, 'x') is chosen by {a1, a2}; a3 never heard of it; p2 issues (1, 'y') and a3,
    obeying P1, accepts it: P2a is broken though only 'x' is chosen."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1, proposer=OWN_VALUE),
                     seed=0, manual=True)
    return drive(sim, P1_P2A_SCRIPT)


def p2a_breaches(history: History) -> list[str]:
    """P2a: "If a proposal with value v is chosen, then every higher-numbered proposal
    accepted by any acceptor has value v." Every acceptance that breaks it."""
    out = []
    for c in sorted(history.chosen):
        for a, p in sorted(history.acceptances, key=lambda ap: (ap[1], ap[0])):
            if p.number > c.number and p.value != c.value:
                out.append(f"{c} is chosen, yet {a} accepted {p}: higher-numbered, "
                           f"value {p.value!r} ≠ {c.value!r}")
    return out


# ---------------------------------------------------------------------------
# P2c on edited grids
# ---------------------------------------------------------------------------


def _grid_nothing_chosen() -> p2c.GridState:
    """Only (0, 'y') at a4 and (1, 'x') at a1: no value is chosen."""
    e = None
    cells = ((e, e, e, "y", e), ("x", e, e, e, e), *((e,) * 5,) * 4)
    return p2c.GridState(cells, m=1, n=5)


def _grid_broken_at_3() -> p2c.GridState:
    return p2c.default_state().with_cell(3, "a3", "y").with_cell(3, "a5", "y")


P2C_CASES: tuple[tuple[str, p2c.GridState, int, Value], ...] = (
    ("the widget's grid", p2c.default_state(), 5, "x"),
    ("the widget's grid", p2c.default_state(), 5, "y"),
    ("only (0, 'y') at a4 and (1, 'x') at a1", _grid_nothing_chosen(), 5, "y"),
    ("only (0, 'y') at a4 and (1, 'x') at a1", _grid_nothing_chosen(), 5, "z"),
    ("row 3 changed to 'y'", _grid_broken_at_3(), 3, "y"),
)


def p2c_verdict(state: p2c.GridState, n: int, value: Value) -> tuple[bool, str]:
    """P2c for proposal (n, value) on a grid, by `p2c_holds`; and a majority S that
    satisfies it (with the clause), or why none does."""
    acc = p2c.acceptances(state)
    majority = p2c.majority(state)
    holds = p2c_holds(Proposal(p2c.number(n), value), acc, majority)
    if not holds:
        return False, "no majority S satisfies (a) or (b)"
    s = p2c.some_majority(state, n, value)
    assert s is not None
    clause = p2c.p2c_for(state, s, n, value)
    top, _ = p2c.reported(state, s, n)
    why = ("nobody in S accepted below n" if clause == "a" else
           f"highest below n in S is ({top.number.natural}, {top.value!r})")  # type: ignore[union-attr]
    return True, f"({clause}) with S = {_fmt(s)}: {why}"


def p2c_cases() -> Table:
    rows = []
    for label, state, n, value in P2C_CASES:
        holds, why = p2c_verdict(state, n, value)
        rows.append((label, f"({n}, {value!r})", "holds" if holds else "FAILS", why))
    return Table(("grid", "proposal issued", "P2c", "why (first majority S found)"),
                 tuple(rows), caption="P2c judged by paxos_notes.invariants.p2c_holds")


# ---------------------------------------------------------------------------
# Without P2c: the checker's counterexample
# ---------------------------------------------------------------------------


@cache
def ignore_accepted_result() -> AgentsResult:
    """The model checker on the ``ignore-accepted`` variant (under a second; cached)."""
    return check_agents("ignore-accepted")


@cache
def ignore_accepted_run() -> Run:
    """The shortest run of the ``ignore-accepted`` variant, replayed step by step."""
    result = ignore_accepted_result()
    return replay(result.cluster, result.counterexample)


def carrier(run: Run, proposer: str) -> tuple[frozenset[str], frozenset[str]]:
    """C, the acceptors that accepted the first chosen proposal, and S, the acceptors whose
    promises ``proposer`` holds (for its current number) at the end of ``run``."""
    first = min(run.history.chosen)
    c = frozenset(a for a, p in run.history.acceptances if p == first)
    s = frozenset(p.sender for p in run.sim.agents[proposer].promises)
    return c, s


def chosen_in(acceptances: Iterable[tuple[str, Proposal]], quorums: QuorumSystem) -> list[str]:
    """The paper's rule: proposals (not values) accepted by a quorum."""
    return [str(p) for p in sorted(chosen_proposals(acceptances, quorums))]


__all__ = [
    "OWN_VALUE", "P1_P2A_SCRIPT", "P2C_CASES", "SINGLE_PROPOSAL_SCRIPT",
    "accepted_by", "carrier", "chosen_in", "drive", "grid_4x4_example",
    "ignore_accepted_result", "ignore_accepted_run",
    "p1_p2a_run", "p2a_breaches", "p2c_cases", "p2c_verdict", "quorum_storyboard",
    "quorum_systems", "quorum_table", "single_proposal_run",
    "value_majorities",
]
