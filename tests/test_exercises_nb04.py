"""The self-checks of 04_the_algorithm.ipynb: each accepts the right answer and
explains why a plausible wrong one is wrong."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb04 import messages_043, next_number_044


def test_notebook_04_registers_four_exercises() -> None:
    assert {"04.1", "04.2", "04.3", "04.4"} <= set(exercises())


@pytest.mark.parametrize("answer", [{5, 6}, [6, 5], ("5", "6")])
def test_acceptor_promised_5_may_accept_5_and_6(answer: object) -> None:
    assert check("04.1", answer).right


def test_accepting_below_the_promise_is_refused_with_p1a() -> None:
    f = check("04.1", {4, 5, 6})
    assert not f.right and "4 is refused" in f.reason


def test_leaving_out_the_promised_number_is_explained() -> None:
    f = check("04.1", {6})
    assert not f.right and "not greater than 5" in f.reason


def test_accept_answer_must_be_numbers() -> None:
    assert "set of proposal numbers" in check("04.1", "x").reason


def test_phase_2a_takes_the_highest_numbered_report() -> None:
    assert check("04.2", "y").right


def test_lowest_report_is_named_as_the_lowest_accepted_variant() -> None:
    f = check("04.2", "x")
    assert not f.right and "lowest-accepted" in f.reason


def test_own_value_is_allowed_only_without_reports() -> None:
    f = check("04.2", "z")
    assert not f.right and "own value" in f.reason


def test_one_round_with_five_acceptors_sends_sixteen_messages() -> None:
    assert messages_043() == 16
    assert check("04.3", 16).right


def test_counting_accepts_to_every_acceptor_is_explained() -> None:
    f = check("04.3", 20)
    assert not f.right and "whose promises formed the majority" in f.reason


def test_counting_prepares_to_a_majority_only_is_explained() -> None:
    # the paper's phase 1(a) sends to a majority; this package sends to every acceptor
    f = check("04.3", 12)
    assert not f.right and "all 5 acceptors" in f.reason


def test_other_message_counts_get_a_way_to_count() -> None:
    assert "phase by phase" in check("04.3", 11).reason
    assert "whole number" in check("04.3", "sixteen").reason


def test_after_a_nack_reporting_7_p1_tries_8() -> None:
    assert next_number_044() == 8
    assert check("04.4", 8).right


@pytest.mark.parametrize(("answer", "hint"), [(7, "not above 7"), (9, "p2's number"),
                                              (10, "not the smallest")])
def test_wrong_numbers_after_a_nack_are_explained(answer: int, hint: str) -> None:
    f = check("04.4", answer)
    assert not f.right and hint in f.reason
