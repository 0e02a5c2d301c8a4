"""Checkers of notebook 09's exercises: right answers pass, plausible wrong ones get a reason."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb09 import CHOICES_09_4, SYSTEMS_09_3, breaks_p1a


def test_notebook_09_registers_four_exercises() -> None:
    assert [e for e in exercises() if e.startswith("09.")] == ["09.1", "09.2", "09.3", "09.4"]


@pytest.mark.parametrize("exercise", ["09.1", "09.2", "09.3", "09.4"])
def test_no_answer_yet_is_not_judged(exercise: str) -> None:
    feedback = check(exercise, None)
    assert not feedback.answered and feedback.verdict == "No answer yet"


# 09.1 ------------------------------------------------------------------------


def test_p1a_is_broken_by_the_three_variants_that_lose_a_promise() -> None:
    assert breaks_p1a() == {"no-promise", "amnesia", "send-before-persist"}


@pytest.mark.parametrize("answer", [
    {"no-promise", "amnesia", "send-before-persist"},
    ["send-before-persist", "amnesia", "no-promise"],
    "no-promise, amnesia, send-before-persist",
])
def test_09_1_accepts_the_three_variants_in_any_form(answer: object) -> None:
    assert check("09.1", answer).right


@pytest.mark.parametrize(("answer", "reason"), [
    ({"no-promise", "amnesia", "send-before-persist", "shared-numbers"}, "P2c"),
    ({"no-promise", "amnesia", "send-before-persist", "small-quorum"}, "quorums"),
    ({"no-promise", "amnesia", "send-before-persist", "untagged-responses"},
     "promises counted for the wrong number"),
    ({"no-promise", "amnesia", "send-before-persist", "forgetful-proposer"}, "P2c (step 19)"),
    ({"no-promise"}, "missed amnesia, send-before-persist"),
    ({"paper"}, "not a broken variant"),
    (42, "give a set of variant names"),
])
def test_09_1_rejects_wrong_sets_with_a_reason(answer: object, reason: str) -> None:
    feedback = check("09.1", answer)
    assert feedback.answered and not feedback.right
    assert reason in feedback.reason


# 09.2 ------------------------------------------------------------------------


def test_09_2_accepts_nine() -> None:
    feedback = check("09.2", 9)
    assert feedback.right and "1 + 1 + 3 + 1 + 3 = 9" in feedback.reason


@pytest.mark.parametrize(("answer", "reason"), [
    (5, "one acceptor"),
    (23, "states generated"),
    (7, "too few"),
    (13, "too many"),
    ("9", "whole number"),
    (True, "whole number"),
])
def test_09_2_rejects_other_counts_with_a_reason(answer: object, reason: str) -> None:
    feedback = check("09.2", answer)
    assert not feedback.right and reason in feedback.reason


# 09.3 ------------------------------------------------------------------------


def test_09_3_systems_are_the_ones_the_notebook_shows() -> None:
    assert SYSTEMS_09_3 == {"A": (3, 3), "B": (4, 1), "C": (2, 4), "D": (2, 3), "E": (5, 1)}


@pytest.mark.parametrize("answer", [{"A", "C", "E"}, "ACE", "a, c, e", ["E", "C", "A"]])
def test_09_3_accepts_the_safe_systems(answer: object) -> None:
    assert check("09.3", answer).right


@pytest.mark.parametrize(("answer", "reason"), [
    ({"A", "B", "C", "E"}, "B (q1 = 4, q2 = 1) is unsafe"),
    ({"A", "E"}, "C (q1 = 2, q2 = 4) is safe too"),
    ({"A", "C", "D", "E"}, "D (q1 = 2, q2 = 3) is unsafe"),
    ({"F"}, "letters from A to E"),
])
def test_09_3_rejects_wrong_sets_with_a_reason(answer: object, reason: str) -> None:
    feedback = check("09.3", answer)
    assert not feedback.right and reason in feedback.reason


# 09.4 ------------------------------------------------------------------------


def test_09_4_accepts_b() -> None:
    assert set(CHOICES_09_4) == {"A", "B", "C", "D"}
    assert check("09.4", "B").right and check("09.4", " b ").right


@pytest.mark.parametrize(("answer", "reason"), [
    ("A", "any number of times"),
    ("C", "network"),
    ("D", "greater than"),
    ("E", "one letter"),
    (2, "one letter"),
])
def test_09_4_rejects_the_other_choices_with_a_reason(answer: object, reason: str) -> None:
    feedback = check("09.4", answer)
    assert not feedback.right and reason in feedback.reason
