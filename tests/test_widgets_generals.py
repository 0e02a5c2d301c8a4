"""TwoFacedGeneral: a naive majority vote, and what one two-faced general does to it
(the Byzantine failures that §2.1's "non-Byzantine" model rules out)."""

from __future__ import annotations

import pytest

from paxos_notes.widgets import TwoFacedGeneral
from paxos_notes.widgets.two_faced_general import (
    ATTACK,
    GENERALS,
    RETREAT,
    VOTES,
    generals,
    render_vote,
    vote_caption,
    vote_storyboard,
)


def test_nobody_lying_means_everyone_decides_the_same() -> None:
    vote = generals()
    assert not vote.split and set(vote.decisions.values()) == {ATTACK}
    assert all(vote.tallies[g] == (3, 2) for g in vote.honest)


def test_a_two_faced_general_splits_a_tied_vote() -> None:
    vote = generals(liar="g5")
    assert vote.split
    assert vote.decisions == {"g1": ATTACK, "g2": ATTACK, "g3": RETREAT, "g4": RETREAT}
    assert vote.told[("g5", "g1")] == ATTACK and vote.told[("g5", "g3")] == RETREAT
    assert vote.summary() == "g5 lies; the honest generals SPLIT: g1, g2 attack; g3, g4 retreat"
    # what g3 holds: its own vote first, then one from each other general
    assert vote.held("g3") == [("g3", RETREAT), ("g1", ATTACK), ("g2", ATTACK),
                               ("g4", RETREAT), ("g5", RETREAT)]


def test_a_clear_honest_majority_survives_the_liar() -> None:
    assert not generals(liar="g3").split  # honest votes 3–1
    for liar in GENERALS:  # a unanimous vote can never be split
        assert not generals(dict.fromkeys(GENERALS, RETREAT), liar).split


def test_the_liar_splits_exactly_the_tied_honest_votes() -> None:
    # every vote of g1..g4 with g5 lying: a split iff the honest votes are 2–2
    for bits in range(16):
        votes = {g: ATTACK if bits >> i & 1 else RETREAT for i, g in enumerate(GENERALS[:4])}
        tied = sum(v == ATTACK for v in votes.values()) == 2
        assert generals({**votes, "g5": ATTACK}, liar="g5").split == tied, votes


def test_generals_rejects_bad_votes_and_liars() -> None:
    with pytest.raises(ValueError, match="votes must give a vote"):
        generals({"g1": ATTACK})
    with pytest.raises(ValueError, match="each vote"):
        generals(dict.fromkeys(GENERALS, "maybe"))
    with pytest.raises(ValueError, match="liar"):
        generals(liar="g9")


def test_the_vote_widget_follows_its_controls() -> None:
    widget = TwoFacedGeneral(liar="g5")
    assert repr(widget) == "TwoFacedGeneral(liar='g5')" and widget.vote.split
    assert "split" in widget.caption and "<svg" in widget.svg
    widget.liar_menu.value = ""
    assert repr(widget) == "TwoFacedGeneral(liar=None)" and not widget.vote.split
    widget.liar_menu.value = "g5"
    widget.vote_toggles[2].value = True  # g3 now votes attack: 3–1
    assert widget.vote.votes["g3"] == ATTACK and not widget.vote.split
    assert widget.vote_toggles[2].description == "g3: attack"
    widget.set(liar="g1", votes=VOTES)
    assert widget.liar_menu.value == "g1" and widget.vote.split


def test_vote_frames_are_deterministic_and_say_who_lies() -> None:
    a = render_vote(generals(liar="g5")).to_svg()
    assert a == render_vote(generals(liar="g5")).to_svg()
    assert "two-faced" in a and "two-faced" not in render_vote(generals()).to_svg()
    assert vote_caption(generals()).startswith("Nobody lies")
    assert "tied 2–2" in vote_caption(generals(liar="g5"))
    assert "3–1" in vote_caption(generals(liar="g3"))


def test_storyboards_render() -> None:
    assert vote_storyboard()._repr_png_().startswith(b"\x89PNG")
    assert TwoFacedGeneral(liar=None).storyboard()._repr_png_().startswith(b"\x89PNG")
