"""Presentation of 03_choosing_a_value.ipynb: the quorum table and storyboard, P2c cases.

The notebook's runs are written out in its cells (strict nbval checks their output);
what is left in the helper is tested here."""

from __future__ import annotations

from paxos_notes.invariants import p2c_holds
from paxos_notes.messages import Proposal
from paxos_notes.notebook_helpers import nb03
from paxos_notes.quorums import Grid, Majority, Threshold
from paxos_notes.widgets import p2c_argument as p2c


def test_p2c_cases_agree_with_p2c_holds() -> None:
    verdicts = [nb03.p2c_verdict(state, n, v)[0] for _, state, n, v in nb03.P2C_CASES]
    assert verdicts == [True, False, True, True, False]
    for _, state, n, v in nb03.P2C_CASES:
        expected = p2c_holds(Proposal(p2c.number(n), v), p2c.acceptances(state),
                             Majority(state.acceptors))
        assert nb03.p2c_verdict(state, n, v)[0] == expected


def test_p2c_verdict_names_the_clause_and_the_set() -> None:
    holds, why = nb03.p2c_verdict(nb03.P2C_CASES[3][1], 5, "z")
    assert holds and why.startswith("(a) with S = {a2, a3, a5}")
    # the widget's grid: its own S = {a3, a4, a5} is named, as in the widget's picture
    holds, why = nb03.p2c_verdict(nb03.P2C_CASES[0][1], 5, "x")
    assert holds and why == "(b) with S = {a3, a4, a5}: highest below n in S is (3, 'x')"
    # when the widget's S does not satisfy P2c, another majority that does is named
    state = p2c.default_state().with_cell(3, "a3", "y").with_cell(3, "a5", "y")
    holds, why = nb03.p2c_verdict(state, 5, "x")
    assert holds and why == "(b) with S = {a1, a2, a3}: highest below n in S is (4, 'x')"
    assert len(nb03.p2c_cases().rows) == len(nb03.P2C_CASES)


def test_quorum_table_finds_disjoint_quorums_exactly_for_small_thresholds() -> None:
    table = nb03.quorum_table()
    for system, row in zip(nb03.quorum_systems(), table.rows, strict=True):
        n = len(system.acceptors)
        small = isinstance(system, Threshold) and not isinstance(system, Majority) \
            and 2 * system.k <= n
        assert (row[-1] != "none: safe") == small, row
    assert table.rows[1][-1] == "{a1, a2} and {a3, a4}"
    assert isinstance(nb03.quorum_systems()[-1], Grid)


def test_quorum_storyboard_has_four_panels() -> None:
    fig = nb03.quorum_storyboard()
    assert len(fig.axes) == 4
