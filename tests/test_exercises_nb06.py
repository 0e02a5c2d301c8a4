"""The self-checks of 06_progress.ipynb: each accepts the right answer and
explains why a plausible wrong one is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb06 import (
    DUEL_STARTS,
    FLP_CHOICES,
    duel,
    prepares_sent,
    spread_summary,
)
from paxos_notes.progress import phase1_starts


def test_notebook_06_registers_four_exercises() -> None:
    assert {"06.1", "06.2", "06.3", "06.4"} <= set(exercises())


def test_the_checkers_duel_is_the_papers_numbers_going_up_and_nothing_chosen() -> None:
    sim = duel(DUEL_STARTS)
    assert phase1_starts(sim.trace) == [(("p1", "p2")[i % 2], i) for i in range(DUEL_STARTS)]
    assert not sim.chosen and sim.history.safe


def test_a_ten_start_duel_sends_thirty_prepare_requests() -> None:
    assert prepares_sent(duel(DUEL_STARTS)) == 30
    f = check("06.1", 30)
    assert f.right and "nothing is chosen" in f.reason


@pytest.mark.parametrize(("answer", "hint"), [(20, "a3"), (10, "one per"), (7, "multiply")])
def test_wrong_prepare_counts_get_a_reason(answer: int, hint: str) -> None:
    f = check("06.1", answer)
    assert not f.right and hint in f.reason


def test_a_wide_spread_needs_the_fewest_phase_1_starts() -> None:
    medians = {s: spread_summary(s).prepares_median for s in (0.0, 2.0, 32.0)}
    assert medians[32.0] < medians[2.0] < medians[0.0]
    assert check("06.2", 32).right
    assert check("06.2", "32").right
    f = check("06.2", 0)
    assert not f.right and "same instant" in f.reason


def test_a_moderate_spread_has_the_shortest_tail() -> None:
    tails = {s: spread_summary(s).time_p90 for s in (0.0, 2.0, 32.0)}
    assert tails[2.0] < tails[32.0] < tails[0.0]
    assert check("06.3", 2).right
    assert "livelock" in check("06.3", 0).reason
    assert "wide is slow" in check("06.3", 32).reason


@pytest.mark.parametrize("exercise", ["06.2", "06.3"])
@pytest.mark.parametrize("answer", [5, "wide", True])
def test_a_spread_outside_the_choices_is_refused(exercise: str, answer: object) -> None:
    f = check(exercise, answer)
    assert not f.right and "0, 2 or 32" in f.reason


@pytest.mark.parametrize("answer", [{"A"}, "A", ["a"], ("A",)])
def test_flp_rules_out_only_guaranteed_deterministic_termination(answer: object) -> None:
    assert check("06.4", answer).right


@pytest.mark.parametrize(("answer", "hint"), [
    ({"A", "B"}, "Paxos itself"), ({"C"}, "randomized"), ({"A", "D"}, "known bound"),
])
def test_flp_wrong_choices_are_explained(answer: set[str], hint: str) -> None:
    f = check("06.4", answer)
    assert not f.right and hint in f.reason


def test_flp_answers_must_be_letters_a_to_d() -> None:
    assert set(FLP_CHOICES) == {"A", "B", "C", "D"}
    assert "letters" in check("06.4", {"E"}).reason
    assert "letters" in check("06.4", 4).reason
