"""Checkers of the exercises in 02_the_problem.ipynb: each accepts the right
answer and rejects plausible wrong ones with a reason that helps."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb02 import history_02_2
from paxos_notes.invariants import ONLY_CHOSEN_LEARNED


def test_the_notebook_registers_four_exercises() -> None:
    assert {"02.1", "02.2", "02.3", "02.4"} <= set(exercises())


@pytest.mark.parametrize("exercise", ["02.1", "02.2", "02.3", "02.4"])
def test_no_answer_yet(exercise: str) -> None:
    assert not check(exercise, None).answered


# -- 02.1: safety or liveness ------------------------------------------------------

@pytest.mark.parametrize("answer", [{"A", "D", "E"}, ["e", "d", "a"], "ADE", "A, D, E"])
def test_02_1_accepts_the_three_requirements(answer) -> None:
    fb = check("02.1", answer)
    assert fb.right, fb.reason


def test_02_1_rejects_the_popular_paraphrase_as_liveness() -> None:
    fb = check("02.1", {"A", "C", "E"})
    assert not fb.right and "liveness goal" in fb.reason and "*not* chosen" in fb.reason


def test_02_1_rejects_progress_as_liveness() -> None:
    fb = check("02.1", {"A", "B", "D", "E"})
    assert not fb.right and "liveness" in fb.reason


def test_02_1_names_a_missing_requirement() -> None:
    fb = check("02.1", {"A", "E"})
    assert not fb.right and "D" in fb.reason
    assert not check("02.1", {"Z"}).right


# -- 02.2: which requirement a history breaks ------------------------------------

def test_the_02_2_history_breaks_only_requirement_3() -> None:
    history = history_02_2()
    assert {v.rule for v in history.violations} == {ONLY_CHOSEN_LEARNED}
    assert history.chosen_values == {"x"} and history.learned["l1"].value == "y"


@pytest.mark.parametrize("answer", [{3}, [3], 3, ("3",)])
def test_02_2_accepts_requirement_3(answer) -> None:
    fb = check("02.2", answer)
    assert fb.right and "Accepted is not chosen" in fb.reason


def test_02_2_rejects_requirement_2_explaining_accepted_versus_chosen() -> None:
    fb = check("02.2", {2, 3})
    assert not fb.right and "only 'x' by a majority" in fb.reason


@pytest.mark.parametrize("answer", [{1}, {4}, True, "three"])
def test_02_2_rejects_other_answers(answer) -> None:
    assert not check("02.2", answer).right


# -- 02.3: what a1 forgot ----------------------------------------------------------

@pytest.mark.parametrize("answer", ["promise", "its promise to p2", "Promised number",
                                    "the promise not to accept anything below 1",
                                    "promise not to accept lower proposals"])
def test_02_3_accepts_the_promise(answer) -> None:
    fb = check("02.3", answer)
    assert fb.right, fb.reason


@pytest.mark.parametrize("answer", ["accepted proposal", "the value it accepted"])
def test_02_3_rejects_the_accepted_proposal(answer) -> None:
    fb = check("02.3", answer)
    assert not fb.right and "accepted nothing" in fb.reason


@pytest.mark.parametrize("answer", ["promise and accepted proposal", "everything", "", 1,
                                    "its promise, its accepted value"])
def test_02_3_rejects_vague_answers(answer) -> None:
    assert not check("02.3", answer).right


# -- 02.4: votes a liar cannot split -----------------------------------------------

@pytest.mark.parametrize("votes", [
    {"g1": "attack", "g2": "attack", "g3": "attack", "g4": "retreat"},
    {"g1": "retreat", "g2": "retreat", "g3": "retreat", "g4": "retreat"},
    {"g1": "Attack", "g2": "retreat", "g3": "attack", "g4": "attack"},
])
def test_02_4_accepts_votes_with_a_clear_majority(votes) -> None:
    fb = check("02.4", votes)
    assert fb.right and "everyone decides" in fb.reason


def test_02_4_rejects_a_tie() -> None:
    fb = check("02.4", {"g1": "attack", "g2": "retreat", "g3": "attack", "g4": "retreat"})
    assert not fb.right and "2–2 tie" in fb.reason and "SPLIT" in fb.reason


@pytest.mark.parametrize("votes", [
    {"g1": "attack"}, {"g1": "attack", "g2": "attack", "g3": "attack", "g4": "charge"},
    ["attack"] * 4])
def test_02_4_rejects_malformed_votes(votes) -> None:
    assert not check("02.4", votes).right
