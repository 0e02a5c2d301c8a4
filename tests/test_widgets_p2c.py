"""P2cArgument: the induction of §2.2 on a ballots x acceptors grid."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.invariants import p2c_holds
from paxos_notes.messages import Proposal
from paxos_notes.widgets import P2cArgument
from paxos_notes.widgets.p2c_argument import (
    VALUES,
    GridState,
    acceptances,
    caption,
    default_state,
    majority,
    number,
    p2c_for,
    render,
    reported,
    some_majority,
    storyboard,
)


def test_default_grid_shows_p2c_b_through_the_shared_acceptor() -> None:
    w = P2cArgument()
    assert repr(w) == "P2cArgument(m=1, n=5, acceptors=5)"
    assert "Base (ballot m = 1): proposal (1, 'x') is chosen" in w.caption
    assert "S ∩ C = {a3}" in w.caption
    assert "P2c (b) holds" in w.caption and "(3, 'x') (from {a3, a5})" in w.caption
    top, who = reported(w.state, w.state.promisers, 5)
    assert top == Proposal(number(3), "x") and who == ["a3", "a5"]
    assert "P2c for (5, &#x27;x&#x27;)" not in w.svg  # plain SVG text, not HTML-escaped twice


def test_stepping_walks_the_induction_from_m_to_n() -> None:
    w = P2cArgument()
    seen = [w.frame_bytes]
    expected = ["Ballot 2: nobody", "Ballot 3: proposal (3, 'x')", "Ballot 4: proposal (4, 'x')",
                "Ballot n = 5"]
    for words in expected:
        w.step_button.click()
        assert w.caption.startswith(words)
        seen.append(w.frame_bytes)
    assert len(set(seen)) == 5 and w.cursor_slider.value == 4
    w.step_button.click()  # stops at n
    assert w.state.cursor == 4
    w.cursor_slider.value = 0
    assert w.frame_bytes == seen[0]


def test_proposing_another_value_fails_p2c_and_says_why() -> None:
    w = P2cArgument()
    w.proposed_menu.value = "y"
    assert "P2c fails for this S" in w.caption
    assert "(b) fails because the highest of them is (3, 'x')" in w.caption
    assert "No majority satisfies P2c for this value" in w.caption
    assert "P2c fails for S" in w.svg


def test_a_set_s_that_is_not_a_majority_is_refused() -> None:
    w = P2cArgument()
    w.s_toggles[4].value = False  # S = {a3, a4}
    assert w.state.promisers == frozenset({"a3", "a4"})
    assert "S is not a majority" in w.caption


def test_clause_a_when_s_accepted_nothing_below_n() -> None:
    e = None
    cells = ((e, e, "x"), (e, e, e), (e, e, e))
    w = P2cArgument(cells, m=0, n=2, promisers=("a1", "a2"), proposed="y")
    assert "P2c (a) holds" in w.caption
    assert "not a majority, so nothing is chosen" in w.caption


def test_editing_the_grid_can_break_the_induction() -> None:
    w = P2cArgument()
    w.cell_buttons[(3, "a3")].click()  # x -> y
    w.cell_buttons[(3, "a5")].click()
    assert w.state.cells[3] == (None, None, "y", None, "y")
    assert w.cell_buttons[(3, "a3")].description == "y"
    w.step(2)
    assert "The grid has 'y' ≠ 'x', and indeed no majority satisfies P2c" in w.caption
    w.step(1)
    assert "the induction already broke at ballot 3" not in w.caption  # ballot 4 is fine
    w.set_cell(4, "a2", "z")
    assert "already broke at ballot 3" in w.caption


def test_two_values_in_one_ballot_are_impossible() -> None:
    w = P2cArgument()
    w.set_cell(3, "a4", "y")
    w.step(2)
    assert "holds two values 'x', 'y'" in w.caption


def test_bad_inputs_raise_or_show_a_message() -> None:
    with pytest.raises(ValueError, match=r"n must be in 2\.\.5 \(above m = 1\), got 1"):
        GridState(default_state().cells, m=1, n=1)
    with pytest.raises(ValueError, match="rectangle"):
        GridState(((None, None, None), (None, None)), m=0, n=1)
    with pytest.raises(ValueError, match=r"acceptors must be in 3\.\.7"):
        GridState(((None, None), (None, None)), m=0, n=1)
    with pytest.raises(ValueError, match="cell values must be None or one of"):
        P2cArgument(((None, "q", None), (None, None, None)))
    w = P2cArgument()
    before = w.frame_bytes
    w.n_slider.value = 0
    assert "n must be in 2..5" in w.message and w.frame_bytes == before
    w.n_slider.value = 4
    assert w.message == "" and w.state.n == 4
    with pytest.raises(ValueError, match="acceptor must be one of"):
        w.set_cell(0, "a9", "x")


grids = st.lists(st.lists(st.sampled_from((None, *VALUES)), min_size=3, max_size=3),
                 min_size=4, max_size=4)


@settings(max_examples=60, deadline=None)
@given(grids, st.sampled_from(VALUES))
def test_the_verdict_for_one_s_agrees_with_the_invariant(cells: list, value: str) -> None:
    state = GridState(tuple(map(tuple, cells)), m=0, n=3)
    quorum_ok = [q for q in majority(state).minimal_quorums(1)
                 if p2c_for(state, q, 3, value)]
    holds = p2c_holds(Proposal(number(3), value), acceptances(state), majority(state))
    assert bool(quorum_ok) == holds
    assert (some_majority(state, 3, value) is not None) == holds


@pytest.mark.parametrize("cursor", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("proposed", ["x", "z"])
def test_every_step_renders_deterministically(cursor: int, proposed: str) -> None:
    state = replace(default_state(), cursor=cursor, proposed=proposed)
    assert render(state) == render(state) and render(state).startswith("<svg")
    assert caption(state) == caption(state)


def test_storyboard_has_the_key_induction_steps_and_a_failure() -> None:
    fig = storyboard()
    assert len(fig.axes) == 4
    words = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "Base" in words and "P2c fails" in words
