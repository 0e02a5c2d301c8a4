"""The self-checks of 05_learning_a_chosen_value.ipynb: each accepts the right answer,
which it gets from the simulator, and explains why a plausible wrong one is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb05 import fewest_distinguished, learning_cost, survives


def test_notebook_05_registers_four_exercises() -> None:
    assert {"05.1", "05.2", "05.3", "05.4"} <= set(exercises())


def test_one_distinguished_learner_of_four_with_five_acceptors_costs_six_messages() -> None:
    assert learning_cost(5, 4, "distinguished") == (6, 5)
    assert check("05.1", 6).right and check("05.1", "6").right


@pytest.mark.parametrize(("answer", "hint"), [
    (9, "m + k"), (8, "all 5 acceptors"), (7, "telling itself"), (12, "first arrangement"),
    (20, "first arrangement"), (5, "two hops"), ("six", "whole number")])
def test_wrong_counts_with_one_distinguished_learner_are_explained(answer: object,
                                                                   hint: str) -> None:
    f = check("05.1", answer)
    assert not f.right and hint in f.reason


def test_a_set_of_five_of_ten_learners_costs_more_than_telling_everyone() -> None:
    assert learning_cost(3, 10, "set", 5)[0] == 35 > learning_cost(3, 10, "all")[0] == 20
    f = check("05.2", 35)
    assert f.right and "more than the 20" in f.reason


@pytest.mark.parametrize(("answer", "hint"), [
    (20, "first arrangement"), (55, "not distinguished"), (40, "all 3 acceptors"),
    (30, "two hops")])
def test_wrong_counts_with_a_set_are_explained(answer: int, hint: str) -> None:
    f = check("05.2", answer)
    assert not f.right and hint in f.reason


def test_a_distinguished_learner_costs_one_extra_message_delay() -> None:
    assert learning_cost(3, 3, "all")[1] == 4
    assert check("05.3", 5).right


@pytest.mark.parametrize(("answer", "hint"), [(4, "every acceptor tells"),
                                              (2, "moment the value is chosen"),
                                              (7, "one chain")])
def test_wrong_delays_are_explained(answer: int, hint: str) -> None:
    f = check("05.3", answer)
    assert not f.right and hint in f.reason


def test_two_crashes_need_three_distinguished_learners() -> None:
    assert fewest_distinguished(10, 2) == 3
    assert check("05.4", 3).right


def test_f_crashes_need_f_plus_one_distinguished_learners() -> None:
    assert [fewest_distinguished(5, f) for f in range(0, 4)] == [1, 2, 3, 4]


def test_two_distinguished_learners_both_crashed_leave_the_rest_unaware() -> None:
    assert not survives(10, 2, ("l1", "l2"))
    assert survives(10, 2, ("l1", "l3")) and survives(10, 3, ("l1", "l2"))


@pytest.mark.parametrize(("answer", "hint"), [(2, "take out every distinguished"),
                                              (1, "take out every distinguished"),
                                              (10, "first arrangement"), (5, "not the smallest"),
                                              (0, "between 1 and 10"), (11, "between 1 and 10")])
def test_wrong_numbers_of_distinguished_learners_are_explained(answer: int, hint: str) -> None:
    f = check("05.4", answer)
    assert not f.right and hint in f.reason
