"""The self-checks of 03_choosing_a_value.ipynb: each accepts the right answer and
explains why a plausible wrong one is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb03 import c_and_s_034


def test_notebook_03_registers_four_exercises() -> None:
    assert {"03.1", "03.2", "03.3", "03.4"} <= set(exercises())


def test_unanswered_exercise_says_no_answer_yet() -> None:
    feedback = check("03.1", None)
    assert not feedback.answered and feedback.verdict == "No answer yet"


@pytest.mark.parametrize("answer", [4, "4"])
def test_smallest_safe_threshold_of_seven_is_four(answer: object) -> None:
    assert check("03.1", answer).right


def test_threshold_three_of_seven_is_shown_two_disjoint_quorums() -> None:
    f = check("03.1", 3)
    assert not f.right and "{a1, a2, a3} and {a4, a5, a6}" in f.reason


def test_threshold_five_is_safe_but_not_the_smallest() -> None:
    f = check("03.1", 5)
    assert not f.right and "not the smallest" in f.reason


@pytest.mark.parametrize("answer", [True, "four", 0, 8])
def test_threshold_rejects_non_numbers_and_out_of_range(answer: object) -> None:
    f = check("03.1", answer)
    assert not f.right and ("whole number" in f.reason or "between 1 and 7" in f.reason)


@pytest.mark.parametrize("answer", ["nothing", "Nothing", " 'nothing' "])
def test_nothing_is_chosen_when_x_is_split_over_two_proposals(answer: str) -> None:
    assert check("03.2", answer).right


def test_counting_x_across_proposals_is_explained() -> None:
    f = check("03.2", "x")
    assert not f.right and "two proposals" in f.reason and "single proposal" in f.reason


def test_y_without_a_majority_is_explained() -> None:
    f = check("03.2", "y")
    assert not f.right and "not a majority" in f.reason


def test_which_value_rejects_other_answers() -> None:
    assert not check("03.2", 3).right
    assert "answer" in check("03.2", "z").reason


@pytest.mark.parametrize("answer", [{"x", "y"}, ["y", "x"], ("x", "y")])
def test_p2c_allows_x_and_y_for_proposal_two(answer: object) -> None:
    assert check("03.3", answer).right


def test_p2c_answer_missing_x_names_the_majority_that_allows_it() -> None:
    f = check("03.3", {"y"})
    assert not f.right and "S = {a1, a3}" in f.reason and "(0, 'x')" in f.reason


def test_p2c_answer_with_z_explains_both_clauses_fail() -> None:
    f = check("03.3", {"x", "y", "z"})
    assert not f.right and "(a) fails" in f.reason and "(b) fails" in f.reason


def test_p2c_answer_must_be_a_set_of_strings() -> None:
    assert "set of values" in check("03.3", 7).reason


def test_acceptor_shared_by_c_and_s_is_a1() -> None:
    f = check("03.4", "a1")
    assert f.right and "C = {a1, a2}" in f.reason and "S = {a1, a3}" in f.reason


@pytest.mark.parametrize(("answer", "hint"), [("a2", "never used a promise"),
                                              ("a3", "never accepted (0, 'x')")])
def test_acceptor_in_only_one_quorum_is_explained(answer: str, hint: str) -> None:
    f = check("03.4", answer)
    assert not f.right and hint in f.reason


def test_acceptor_answer_must_be_a_name() -> None:
    assert "acceptor's name" in check("03.4", 1).reason


def test_c_and_s_of_the_ignore_accepted_run_share_exactly_a1() -> None:
    c, s = c_and_s_034()
    assert c == {"a1", "a2"} and s == {"a1", "a3"} and c & s == {"a1"}
