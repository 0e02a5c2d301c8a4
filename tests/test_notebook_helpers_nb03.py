"""Helpers of 03_choosing_a_value.ipynb: scripted runs, quorum facts, P2c cases."""

from __future__ import annotations

from paxos_notes.invariants import P2C, p2c_holds
from paxos_notes.messages import Proposal
from paxos_notes.notebook_helpers import nb03
from paxos_notes.quorums import Grid, Majority, Threshold
from paxos_notes.widgets import p2c_argument as p2c


def test_single_proposal_run_accepts_x_by_a_majority_but_chooses_only_3_y() -> None:
    run = nb03.single_proposal_run()
    q = run.sim.cluster.quorum_system
    assert nb03.value_majorities(run.history.acceptances, q) == ["x", "y"]
    assert nb03.chosen_in(run.history.acceptances, q) == ["(3, 'y')"]
    assert run.history.safe
    assert nb03.accepted_by(run) == {"a1": ["(0, 'x')", "(3, 'y')"], "a2": ["(2, 'x')"],
                                     "a3": ["(1, 'y')", "(3, 'y')"]}


def test_p1_p2a_run_breaks_p2a_while_only_x_is_chosen() -> None:
    run = nb03.p1_p2a_run()
    assert run.history.chosen_values == {"x"}
    assert nb03.p2a_breaches(run.history) == [
        "(0, 'x') is chosen, yet a3 accepted (1, 'y'): higher-numbered, value 'y' ≠ 'x'"]
    assert run.first("chosen") == 8
    assert run.first("violation", P2C) == 14  # issuing (1, 'y') is where P2c breaks
    assert run.first_two_values() is None
    # a3 had received nothing before: P1 obliges it to accept
    assert [str(p) for a, p in run.history.acceptances if a == "a3"] == ["(1, 'y')"]


def test_run_lines_can_be_filtered_by_event_kind() -> None:
    run = nb03.single_proposal_run()
    accepts = run.lines(kinds=["accept"])
    assert len([line for line in accepts if "accepts (" in line]) == 5
    assert len(run.lines()) > len(accepts)


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
    assert len(nb03.p2c_cases().rows) == len(nb03.P2C_CASES)


def test_quorum_table_finds_disjoint_quorums_exactly_for_small_thresholds() -> None:
    table = nb03.quorum_table()
    for system, row in zip(nb03.quorum_systems(), table.rows, strict=True):
        n = len(system.acceptors)
        small = isinstance(system, Threshold) and not isinstance(system, Majority) \
            and 2 * system.k <= n
        assert (row[-1] != "none: safe") == small, row


def test_grid_example_meets_although_counting_does_not_force_it() -> None:
    text = nb03.grid_4x4_example()
    assert "7 + 7 = 14 <= 16" in text and "Q1 ∩ Q2 = {a4, a13}" in text
    assert isinstance(nb03.quorum_systems()[-1], Grid)


def test_ignore_accepted_run_breaks_p2c_at_12_and_chooses_two_values_at_14() -> None:
    run = nb03.ignore_accepted_run()
    assert run.first("violation", P2C) == 12
    assert run.first_two_values() == 14
    assert run.first("chosen") == 11
    c, s = nb03.carrier(run, "p2")
    assert c == {"a1", "a2"} and s == {"a1", "a3"}
    assert nb03.ignore_accepted_result().distinct_states == 8462


def test_quorum_storyboard_has_four_panels() -> None:
    fig = nb03.quorum_storyboard()
    assert len(fig.axes) == 4
