"""ProposalNumbering: disjoint sets of numbers, and the collision without them (§2.5)."""

from __future__ import annotations

import pytest

from paxos_notes.ballots import Allocator
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Simulation
from paxos_notes.trace import Trace
from paxos_notes.widgets import ProposalNumbering
from paxos_notes.widgets.proposal_numbering import (
    NumberingState,
    caption,
    collisions,
    load_counterexample,
    picks,
    render,
    storyboard,
)


def _small_trace() -> Trace:
    sim = Simulation(Cluster(), seed=3)
    sim.run(until=12.0)
    return sim.trace


@pytest.mark.parametrize("proposers", [1, 2, 3, 5])
def test_each_pick_is_next_above_what_the_proposer_has_seen(proposers: int) -> None:
    script = picks(proposers, False, 4)
    alloc = Allocator(proposers)
    assert len(script) == 4 * proposers
    for p in script:
        assert p.number == alloc.next_above(p.proposer, p.seen)
        assert alloc.owns(p.proposer, p.number)
        assert p.seen is None or p.number > p.seen
    naturals = [p.number.natural for p in script]
    assert len(set(naturals)) == len(naturals)  # disjoint sets: never the same number


def test_a_shared_set_makes_one_round_collide() -> None:
    state = NumberingState(3, True, 2, step=6)
    assert collisions(state) == {0: [0, 1, 2], 3: [0, 1, 2]}
    assert collisions(NumberingState(3, True, 2, step=1)) == {}


def test_stepping_shows_each_pick_and_back_returns_the_same_frame() -> None:
    pn = ProposalNumbering()
    assert repr(pn) == "ProposalNumbering(proposers=3, shared=False)"
    start = pn.frame_bytes
    assert "Step through" in pn.caption
    pn.step_button.click()
    assert pn.state.step == 1 and pn.step_slider.value == 1
    assert "p1 has seen nothing yet; next_above gives 0 = 0 × 3 + 0" in pn.caption
    assert pn.frame_bytes != start
    for _ in range(3):
        pn.step_button.click()
    assert "p1 has seen 2; next_above gives 3 = 1 × 3 + 0" in pn.caption
    assert "All numbers picked so far are different" in pn.caption
    for _ in range(4):
        pn.back_button.click()
    assert pn.frame_bytes == start
    pn.back_button.click()  # stops at the start
    assert pn.state.step == 0
    pn.step_slider.value = pn.state.total
    pn.step_button.click()  # and at the end
    assert pn.state.step == pn.state.total
    pn.reset_button.click()
    assert pn.state.step == 0


def test_the_broken_scheme_shows_the_collision() -> None:
    pn = ProposalNumbering(proposers=2)
    assert pn.replay_button.disabled
    pn.step_button.click()
    pn.shared_toggle.value = True
    assert pn.state.shared and pn.state.step == 0  # a new scheme starts over
    assert not pn.replay_button.disabled
    assert "Allocator(2, shared=True)" in pn.caption
    pn.step(2)
    assert "Collision: p1 already picked 0" in pn.caption
    assert "collision at 0" in pn.svg


def test_replay_embeds_a_trace_player_on_the_counterexample() -> None:
    trace = _small_trace()
    pn = ProposalNumbering(shared=True, counterexample=lambda: trace)
    pn.replay_button.click()
    assert pn.player is not None and pn.player in pn.player_box.children
    assert pn.player.view.trace is trace
    assert pn.message == ""
    assert pn.replay() is pn.player  # a second click reuses it


def test_replay_without_a_counterexample_says_so_in_the_widget() -> None:
    def missing() -> Trace:
        raise ValueError("the model checker's counterexample is not available yet")

    pn = ProposalNumbering(shared=True, counterexample=missing)
    pn.replay_button.click()
    assert "not available" in pn.message and pn.player is None


def test_the_default_counterexample_comes_from_the_checker() -> None:
    try:
        trace = load_counterexample()
    except ValueError as e:  # the checker does not provide it (yet)
        assert "not available" in str(e)
        return
    assert isinstance(trace, Trace) and len(trace) > 0
    assert any(e.kind == "violation" for e in trace)


@pytest.mark.parametrize("state", [
    NumberingState(),
    NumberingState(1, False, 1, 1),
    NumberingState(3, False, 3, 5),
    NumberingState(5, False, 6, 30),
    NumberingState(3, True, 3, 2),
    NumberingState(5, True, 6, 30),
])
def test_every_mode_renders_deterministically(state: NumberingState) -> None:
    svg = render(state)
    assert svg == render(state) and svg.startswith("<svg")
    assert ("shared set" in svg) == state.shared
    assert caption(state) == caption(state)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"proposers": 0}, "proposers must be in 1..5, got 0"),
    ({"proposers": 6}, "proposers must be in 1..5, got 6"),
    ({"rounds": 0}, "rounds must be in 1..6, got 0"),
])
def test_bad_parameters_raise_value_errors(kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError) as e:
        ProposalNumbering(**kwargs)
    assert words in str(e.value)
    with pytest.raises(ValueError, match=r"step must be in 0\.\.9, got 10"):
        NumberingState(3, False, 3, 10)


def test_storyboard_contrasts_the_two_schemes() -> None:
    fig = storyboard(3, 2)
    assert len(fig.axes) == 4
    words = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "Disjoint sets" in words and "Collision" in words
