"""Exercises of notebook 08 (§3): each checker accepts the right answer and
rejects plausible wrong ones with a reason that says what is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises import nb08 as ex


def test_every_exercise_of_notebook_08_is_registered() -> None:
    assert [e for e in exercises() if e.startswith("08.")] == ["08.1", "08.2", "08.3", "08.4"]


def test_no_answer_yet_is_neither_right_nor_wrong() -> None:
    feedback = check("08.1", None)
    assert not feedback.answered and feedback.verdict == "No answer yet"


# -- 08.1 ---------------------------------------------------------------------------------


def test_phase1_plan_runs_a_real_server_through_phase_1() -> None:
    plan = ex.phase1_plan(ex.KNOWN_081, ex.REPORTED_081)
    assert plan.gaps == (21, 22, 24, 25) and plan.above == 27
    assert plan.constrained == (22, 27) and plan.noops == (21, 24, 25)


def test_phase1_plan_reproduces_the_papers_scenario() -> None:
    plan = ex.phase1_plan((*range(1, 135), 138, 139), (135, 140))
    assert plan.gaps == (135, 136, 137) and plan.above == 140
    assert plan.constrained == (135, 140) and plan.noops == (136, 137)


@pytest.mark.parametrize("answer", [{21, 24, 25}, [25, 21, 24], ("21", "24", "25")])
def test_081_accepts_the_gaps(answer: object) -> None:
    assert check("08.1", answer).right


@pytest.mark.parametrize(("answer", "words"), [
    ({21, 22, 24, 25}, "constrained"),
    ({21}, "{24, 25} also lie below 27"),
    ({21, 24, 25, 28}, "wait for new client commands"),
    ({20, 21}, "already knows the commands"),
    ("twenty-one", "give a set of instance numbers"),
])
def test_081_rejects_plausible_mistakes_with_a_reason(answer: object, words: str) -> None:
    feedback = check("08.1", answer)
    assert feedback.answered and not feedback.right
    assert words in feedback.reason


# -- 08.2 ---------------------------------------------------------------------------------


def test_082_is_measured_on_a_run() -> None:
    assert ex.measured_phase2_per_command() == 8


@pytest.mark.parametrize(("answer", "words"), [
    (10, "messages to itself"),
    (4, "every server of the instance"),
    (16, "phase 1 as well"),
    (3, "Count both directions"),
    ("eight", "whole number"),
])
def test_082_rejects_plausible_mistakes_with_a_reason(answer: object, words: str) -> None:
    feedback = check("08.2", answer)
    assert not feedback.right and words in feedback.reason


def test_082_accepts_8() -> None:
    assert check("08.2", 8).right and check("08.2", "8").right


# -- 08.3 ---------------------------------------------------------------------------------


def test_083_the_machine_says_instance_10() -> None:
    assert ex.first_instance_with() == 10
    assert ex.first_instance_with(alpha=5, at=2) == 7
    assert check("08.3", 10).right


@pytest.mark.parametrize(("answer", "words"), [
    (7, "only α instances later"),
    (8, "only α instances later"),
    (9, "off by one"),
    (13, "i+α"),
])
def test_083_rejects_plausible_mistakes_with_a_reason(answer: int, words: str) -> None:
    feedback = check("08.3", answer)
    assert not feedback.right and words in feedback.reason


# -- 08.4 ---------------------------------------------------------------------------------


def test_084_the_checker_finds_the_late_read() -> None:
    feedback = check("08.4", False)
    assert feedback.right and "returned None, but the spec gives 1" in feedback.reason
    assert check("08.4", "no").right


def test_084_rejects_true_and_says_which_read_is_wrong() -> None:
    feedback = check("08.4", True)
    assert not feedback.right and "the second" in feedback.reason
    assert "True or False" in check("08.4", 3).reason
