"""The helpers of 02_the_problem.ipynb: requirement reports, hand-fed histories,
the fault tour, counterexample steps, and the two-faced-general vote."""

from __future__ import annotations

import pytest

from paxos_notes.agents import Acceptor
from paxos_notes.checker import counterexample
from paxos_notes.cluster import Cluster
from paxos_notes.invariants import ONLY_CHOSEN_LEARNED, ONLY_PROPOSED, P2C, SINGLE_VALUE
from paxos_notes.notebook_helpers import nb02
from paxos_notes.notebook_helpers.nb02 import (
    ATTACK,
    CONSTRUCTED,
    EXERCISE_HISTORY,
    RETREAT,
    TwoFacedGeneral,
    generals,
)
from paxos_notes.sim import Network, Simulation


@pytest.fixture(scope="module")
def amnesia():
    return counterexample("amnesia")


def verdicts(table) -> list[str]:
    return [row[2] for row in table.rows]


def test_a_seeded_faulty_run_passes_every_requirement() -> None:
    net = Network(loss=0.1, duplication=0.1, crash_rate=0.02, faults_until=80)
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=2), seed=0, network=net)
    sim.run(until=200)
    # the notebook's prose: three proposals chosen, all with value 'y'
    assert sim.summary()["chosen_proposals"] == ["(3, 'y')", "(5, 'y')", "(7, 'y')"]
    report = nb02.requirement_report(sim.history)
    assert verdicts(report) == ["holds", "holds", "holds"]
    assert [row[0] for row in report.rows] == ["Safety 1", "Safety 2", "Safety 3"]


@pytest.mark.parametrize(("k", "rule"), [(1, ONLY_PROPOSED), (2, SINGLE_VALUE),
                                         (3, ONLY_CHOSEN_LEARNED)])
def test_each_constructed_history_breaks_exactly_its_requirement(k: int, rule: str) -> None:
    history = CONSTRUCTED[k].history
    assert {v.rule for v in history.violations} == {rule}
    expected = ["holds"] * 3
    expected[k - 1] = "BROKEN"
    assert verdicts(nb02.requirement_report(history)) == expected


def test_constructed_histories_say_they_were_made_by_hand() -> None:
    for c in (*CONSTRUCTED.values(), EXERCISE_HISTORY, nb02.two_faced_acceptor()):
        assert c.lines()[0].startswith("CONSTRUCTED by hand")
        assert len(c.lines()) == len(c.fed) + 1


def test_the_exercise_history_breaks_only_requirement_3() -> None:
    assert {v.rule for v in EXERCISE_HISTORY.history.violations} == {ONLY_CHOSEN_LEARNED}


def test_one_two_faced_acceptor_gets_two_values_chosen() -> None:
    history = nb02.two_faced_acceptor().history
    assert history.chosen_values == {"x", "y"}
    assert {v.rule for v in history.violations} == {P2C, SINGLE_VALUE}
    assert "also broken: P2c" in nb02.requirement_report(history).caption


def test_the_fault_tour_shows_each_fault_and_still_chooses_x() -> None:
    tour = nb02.fault_tour()
    faults = {s.fault for s in tour.steps} - {""}
    assert faults == {"duplicated", "lost", "stop", "delayed", "restart"}
    s = tour.sim.summary()
    assert s["safe"] and s["chosen_proposals"] == ["(0, 'x')"] and s["learned"] == {"l1": "x"}
    assert (s["dropped"], s["duplicated"]) == (1, 1)
    assert not tour.sim.pending()
    kinds = [e.kind for e in tour.sim.trace]
    assert kinds.count("crash") == kinds.count("restart") == 1
    cursors = tour.cursors(4, 7, 10, 14)
    assert cursors == sorted(cursors) and cursors[-1] == len(tour.sim.trace)
    assert len(tour.lines()) == 14


def test_the_tour_is_the_same_every_time() -> None:
    assert nb02.fault_tour().sim.trace.to_json() == nb02.fault_tour().sim.trace.to_json()


def test_numbered_steps_match_the_checkers_counterexample(amnesia) -> None:
    steps = nb02.steps_of(amnesia)
    assert len(steps) == 16
    lines = nb02.numbered_steps(amnesia)
    numbered = [ln for ln in lines if not ln.startswith("      ")]
    assert len(numbered) == 16
    assert " 6. a1 crashes; on stable storage: promised 1, accepted -" in lines
    assert " 7. a1 restarts and now remembers: promised -, accepted -" in lines
    assert lines[-1].startswith("      VIOLATION — only a single value is chosen")
    only = nb02.numbered_steps(amnesia, only=(7,))
    assert only == [" 7. a1 restarts and now remembers: promised -, accepted -"]


def test_the_same_schedule_with_stable_storage_is_safe(amnesia) -> None:
    kept = nb02.same_schedule(amnesia, Acceptor)
    assert kept.history.safe and kept.history.chosen_values == {"y"}
    assert "13. a1 receives accept 0 'x' from p1" in nb02.numbered_steps(kept.trace)
    assert "      a1 ignores it" in nb02.numbered_steps(kept.trace, only=(13,))


def test_cursor_after_finds_the_first_event_of_a_kind(amnesia) -> None:
    i = nb02.cursor_after(amnesia, "restart")
    assert amnesia.events[i - 1].kind == "restart"
    with pytest.raises(ValueError, match="no 'partition' event"):
        nb02.cursor_after(amnesia, "partition")


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


def test_a_clear_honest_majority_survives_the_liar() -> None:
    assert not generals(liar="g3").split  # honest votes 3–1
    for liar in nb02.GENERALS:  # a unanimous vote can never be split
        assert not generals(dict.fromkeys(nb02.GENERALS, RETREAT), liar).split


def test_generals_rejects_bad_votes_and_liars() -> None:
    with pytest.raises(ValueError, match="votes must give a vote"):
        generals({"g1": ATTACK})
    with pytest.raises(ValueError, match="each vote"):
        generals(dict.fromkeys(nb02.GENERALS, "maybe"))
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
    widget.set(liar="g1", votes=nb02.VOTES)
    assert widget.liar_menu.value == "g1" and widget.vote.split


def test_vote_frames_are_deterministic_and_storyboards_render() -> None:
    a = nb02.render_vote(generals(liar="g5")).to_svg()
    assert a == nb02.render_vote(generals(liar="g5")).to_svg()
    assert nb02.vote_storyboard()._repr_png_().startswith(b"\x89PNG")
    assert TwoFacedGeneral(liar=None).storyboard()._repr_png_().startswith(b"\x89PNG")
