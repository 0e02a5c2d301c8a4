"""The self-checks of 07_the_implementation.ipynb: each accepts the right answer and
explains why a plausible wrong one is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb07 import (
    CRASH_POINTS_072,
    counted_promises_074,
    network_messages_071,
    next_number_073,
    promise_forgotten_072,
)


def test_notebook_07_registers_four_exercises() -> None:
    assert {"07.1", "07.2", "07.3", "07.4"} <= set(exercises())


# -- 07.1 ---------------------------------------------------------------------------


def test_five_processes_send_sixteen_network_messages_for_one_decision() -> None:
    # 4 + 4 (phase 1), 2 (accepts), 2 (acceptances to l1), 4 (l1 tells the others)
    assert network_messages_071() == 16
    assert check("07.1", 16).right and check("07.1", "16").right


def test_the_role_level_count_is_named_as_counting_messages_inside_p1() -> None:
    assert network_messages_071(processes=False) == 20
    f = check("07.1", 20)
    assert not f.right and "inside P1" in f.reason


def test_every_acceptor_telling_every_learner_is_named() -> None:
    f = check("07.1", network_messages_071(learning="all"))
    assert not f.right and "every acceptor tells every learner" in f.reason


@pytest.mark.parametrize("answer", [15, "x", 2.5])
def test_other_counts_and_non_numbers_are_wrong(answer: object) -> None:
    f = check("07.1", answer)
    assert not f.right


# -- 07.2 ---------------------------------------------------------------------------


def test_only_sending_before_the_write_leaves_a_forgotten_promise() -> None:
    assert {k for k in CRASH_POINTS_072 if promise_forgotten_072(k)} == {"d"}


@pytest.mark.parametrize("answer", ["d", {"d"}, ["D"], "(d)"])
def test_crash_point_d_is_right_in_any_shape(answer: object) -> None:
    assert check("07.2", answer).right


def test_crash_after_the_write_before_the_send_is_explained_as_harmless() -> None:
    f = check("07.2", {"b", "d"})
    assert not f.right and "b is harmless" in f.reason


@pytest.mark.parametrize("answer", [{"a"}, {"c", "d"}])
def test_crashes_with_nothing_sent_or_everything_written_are_explained(answer: object) -> None:
    f = check("07.2", answer)
    assert not f.right and "Neither breaks a promise" in f.reason


def test_crash_point_answers_must_be_letters() -> None:
    assert "set of letters" in check("07.2", {"z"}).reason
    assert "set of letters" in check("07.2", 4).reason


# -- 07.3 ---------------------------------------------------------------------------


def test_a_restarted_proposer_takes_its_smallest_number_above_the_stored_one() -> None:
    assert next_number_073() == 22
    assert check("07.3", 22).right


def test_starting_over_from_the_first_number_is_the_forgetful_proposer() -> None:
    f = check("07.3", 2)
    assert not f.right and "forgetful-proposer" in f.reason


@pytest.mark.parametrize("answer,phrase", [(17, "not above 17"), (18, "not in P3's set"),
                                          (27, "not the smallest")])
def test_wrong_numbers_after_a_restart_are_explained(answer: int, phrase: str) -> None:
    f = check("07.3", answer)
    assert not f.right and phrase in f.reason


# -- 07.4 ---------------------------------------------------------------------------


def test_only_the_promise_for_the_current_number_counts() -> None:
    assert counted_promises_074() == 1
    assert check("07.4", 1).right


def test_counting_every_promise_is_the_untagged_variant() -> None:
    f = check("07.4", 3)
    assert not f.right and "untagged-responses" in f.reason


def test_other_promise_counts_get_a_hint() -> None:
    f = check("07.4", 2)
    assert not f.right and "carries that number" in f.reason
