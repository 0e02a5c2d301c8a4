"""Presentation for ``03_choosing_a_value.ipynb`` (§2.2, first half: quorums, P1, P2 → P2c).

The runs, the checker's counterexample and the paper-facing functions
(``value_majorities``, ``p2a_breaches`` …) are written out in the notebook's
cells. What stays here is presentation:

- `quorum_storyboard` and `quorum_table`: majorities, an unsafe threshold and
  grids, side by side;
- `p2c_cases`: P2c judged by `paxos_notes.invariants.p2c_holds` on edited
  grids of the P2cArgument widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..invariants import p2c_holds
from ..messages import Proposal, Value
from ..paper import Table
from ..quorums import Grid, Majority, QuorumSystem, Threshold, acceptor_names, names_text
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
            "none: safe" if witness is None else
            f"{names_text(witness[0])} and {names_text(witness[1])}",
        ))
    return Table(("quorum system", "n", "smallest quorum", "count", "two disjoint quorums"),
                 tuple(rows), caption="Does every pair of quorums share an acceptor?")


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
    satisfies it (with the clause), or why none does. S is the widget's S (the grid's
    promisers) when it satisfies P2c, so the table agrees with the widget's picture;
    otherwise the first majority `p2c_witness` finds."""
    acc = p2c.acceptances(state)
    majority = p2c.majority(state)
    holds = p2c_holds(Proposal(p2c.number(n), value), acc, majority)
    if not holds:
        return False, "no majority S satisfies (a) or (b)"
    widget_s = state.promisers
    clause = p2c.p2c_for(state, widget_s, n, value) if majority.is_quorum(widget_s) else ""
    s = widget_s if clause else p2c.some_majority(state, n, value)
    assert s is not None
    clause = clause or p2c.p2c_for(state, s, n, value)
    top, _ = p2c.reported(state, s, n)
    why = ("nobody in S accepted below n" if clause == "a" else
           f"highest below n in S is ({top.number.natural}, {top.value!r})")  # type: ignore[union-attr]
    return True, f"({clause}) with S = {names_text(s)}: {why}"


def p2c_cases() -> Table:
    rows = []
    for label, state, n, value in P2C_CASES:
        holds, why = p2c_verdict(state, n, value)
        rows.append((label, f"({n}, {value!r})", "holds" if holds else "FAILS", why))
    return Table(("grid", "proposal issued", "P2c", "why (a majority S that satisfies it)"),
                 tuple(rows), caption="P2c judged by paxos_notes.invariants.p2c_holds")


__all__ = ["P2C_CASES", "p2c_cases", "p2c_verdict", "quorum_storyboard", "quorum_systems",
           "quorum_table"]
