"""QuorumIntersection: the pigeonhole count, the adversary, play (§2.2)."""

from __future__ import annotations

import pytest

from paxos_notes.widgets import QuorumIntersection
from paxos_notes.widgets.quorum_intersection import (
    QuorumSpec,
    QuorumState,
    adversary,
    caption,
    minimal_pairs,
    play_state,
    render,
    storyboard,
)

A = frozenset


def test_default_widget_invites_the_reader_and_has_a_short_repr() -> None:
    qi = QuorumIntersection()
    assert repr(qi) == "QuorumIntersection(n=5, system='majority')"
    assert "Toggle acceptors" in qi.caption
    bundle = qi._repr_mimebundle_()
    assert bundle["text/plain"] == repr(qi)  # nbval compares this: short, no address, no SVG
    assert "0x" not in bundle["text/plain"]
    assert qi.svg.startswith("<svg") and qi.picture.value == qi.svg


def test_toggling_two_majorities_shows_the_count_and_the_shared_acceptor() -> None:
    qi = QuorumIntersection()
    before = qi.frame_bytes
    for name in ("a1", "a2", "a3"):
        qi.toggle(1, name)
    for name in ("a3", "a4", "a5"):
        qi.second_row.children[int(name[1]) - 1].value = True  # as a click would
    assert qi.state.first == A({"a1", "a2", "a3"}) and qi.state.second == A({"a3", "a4", "a5"})
    assert "|Q1| + |Q2| = 3 + 3 = 6 > 5 = n" in qi.caption
    assert "Q1 ∩ Q2 = {a3}" in qi.caption
    assert qi.frame_bytes != before
    qi.toggle(1, "a1")
    qi.toggle(1, "a1")  # back to the same selection: the same frame, byte for byte
    assert qi.state.first == A({"a1", "a2", "a3"})
    assert qi.frame_bytes == render(qi.state).encode()


def test_a_set_too_small_is_called_out() -> None:
    qi = QuorumIntersection(first=("a1",), second=("a2", "a3", "a4"))
    assert "Q1 = {a1}" in qi.caption and "is not a quorum" in qi.caption
    assert "needs at least 3 of 5" in qi.caption
    assert "1 + 3 = 4 ≤ 5" in qi.caption


def test_adversary_explains_why_majorities_cannot_be_disjoint() -> None:
    qi = QuorumIntersection()
    qi.adversary_button.click()
    assert qi.state.view == "adversary"
    assert "no two disjoint quorums" in qi.caption
    assert "3 + 3 = 6 > 5" in qi.caption


def test_adversary_finds_disjoint_quorums_in_an_unsafe_system() -> None:
    qi = QuorumIntersection(system="threshold", k=2)
    qi.adversary_button.click()
    a, b = qi.state.first, qi.state.second
    assert a and b and not a & b
    assert "unsafe" in qi.caption
    assert [t.value for t in qi.first_row.children].count(True) == 2  # toggles follow


@pytest.mark.parametrize(("spec", "words"), [
    (QuorumSpec(5, "flexible", q1=4, q2=2), "q1 + q2 = 4 + 2 = 6 > 5"),
    (QuorumSpec(6, "grid", rows=2), "row"),
    (QuorumSpec(9, "grid"), "3 x 3 grid"),
])
def test_adversary_explains_other_safe_systems(spec: QuorumSpec, words: str) -> None:
    witness, text = adversary(spec)
    assert witness is None and words in text


def test_flexible_quorums_that_do_not_add_up_are_unsafe() -> None:
    witness, text = adversary(QuorumSpec(5, "flexible", q1=3, q2=2))
    assert witness is not None and len(witness[0]) == 3 and len(witness[1]) == 2
    assert "phase-1 quorum and a phase-2 quorum" in text


def test_lists_pick_minimal_quorums() -> None:
    qi = QuorumIntersection(n=3)
    qi.first_menu.value = qi.first_menu.options[1][1]
    qi.second_menu.value = qi.second_menu.options[-1][1]
    assert qi.state.first == A({"a1", "a2"}) and qi.state.second == A({"a2", "a3"})
    assert "Q1 ∩ Q2 = {a2}" in qi.caption


def test_play_walks_every_pair_and_ends_on_why_it_matters() -> None:
    qi = QuorumIntersection(n=4)
    pairs = minimal_pairs(qi.spec)
    assert len(pairs) == 6 and qi.play.max == len(pairs) + 1 == qi.play_slider.max
    frames = set()
    for step in range(len(pairs)):
        qi.play.value = step + 1  # the Play widget drives the slider; 0 is the reader's pair
        assert qi.state.view == "play" and (qi.state.first, qi.state.second) == pairs[step]
        assert f"Pair {step + 1} of 6" in qi.caption
        frames.add(qi.frame_bytes)
    assert len(frames) == len(pairs)
    qi.play.value = len(pairs) + 1
    assert qi.state.view == "why"
    assert "carries the earlier accepted value to the later proposer" in qi.caption
    qi.play.value = 0
    assert qi.state.view == "pick"
    qi.toggle(1, "a4")  # a pick of one's own puts the slider back at the start
    assert qi.play_slider.value == 0 and qi.state.view == "pick"


def test_changing_n_rebuilds_the_toggle_rows() -> None:
    qi = QuorumIntersection(first=("a1", "a2", "a3"))
    old = qi.first_row.children[0]
    qi.n_slider.value = 7
    assert len(qi.first_row.children) == 7 and qi.state.first == A()
    assert old.comm is None  # closed: it will not linger in a saved notebook's widget state
    assert "majority (4 of 7)" in qi.caption


def test_a_bad_control_value_shows_a_message_not_a_traceback() -> None:
    qi = QuorumIntersection(system="threshold", k=2)
    before = qi.frame_bytes
    qi.k_slider.value = 7
    assert "k (quorum size) must be in 1..5, got 7" in qi.message
    assert qi.frame_bytes == before and qi.spec.k == 2
    qi.k_slider.value = 3
    assert qi.message == "" and qi.spec.k == 3
    qi.system_menu.value = "grid"
    qi.rows_slider.value = 2
    assert "rows must divide n = 5" in qi.message


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"n": 0}, "n (acceptors) must be in 1..9, got 0"),
    ({"n": 10}, "1..9"),
    ({"system": "bogus"}, "system must be one of"),
    ({"system": "threshold", "k": 6}, "k (quorum size) must be in 1..5, got 6"),
    ({"system": "flexible", "q1": 0}, "q1 (phase-1 quorum size) must be in 1..5"),
    ({"n": 7, "system": "grid", "rows": 2}, "allowed: [1, 7]"),
    ({"first": ("a9",)}, "unknown ['a9']"),
])
def test_bad_parameters_raise_value_errors(kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError) as e:
        QuorumIntersection(**kwargs)
    assert words in str(e.value)


def test_bad_pure_function_inputs_raise() -> None:
    spec = QuorumSpec(3)
    with pytest.raises(ValueError, match=r"step must be in 0\.\.3"):
        play_state(spec, 4)
    with pytest.raises(ValueError, match="view must be"):
        QuorumState(spec, view="zoom")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="which must be 1 or 2"):
        QuorumIntersection().toggle(3, "a1")


@pytest.mark.parametrize("state", [
    QuorumState(),
    QuorumState(QuorumSpec(1), A({"a1"}), A({"a1"})),
    QuorumState(QuorumSpec(5, "threshold", k=2), A({"a1", "a2"}), A({"a3", "a4"}), "adversary"),
    QuorumState(QuorumSpec(5, "flexible", q1=4, q2=2), A({"a1", "a2", "a3", "a4"}),
                A({"a4", "a5"}), "pick"),
    play_state(QuorumSpec(6, "grid", rows=2), 3),
    play_state(QuorumSpec(5), 10),
])
def test_every_view_renders_deterministically(state: QuorumState) -> None:
    svg = render(state)
    assert svg == render(state) and svg.startswith("<svg")
    assert caption(state) == caption(state)
    assert f"{state.spec.n} acceptors" in caption(state)


def test_storyboard_is_a_matplotlib_figure_of_key_frames() -> None:
    fig = storyboard(QuorumSpec(5, "threshold", k=2))
    assert len(fig.axes) == 4
    words = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "found two quorums with no acceptor in common" in words
    assert fig.canvas.__class__.__name__ == "FigureCanvasAgg"
