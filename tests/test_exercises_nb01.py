"""Checkers of the exercises in 01_introduction.ipynb: each accepts the right
answer and rejects plausible wrong ones with a reason that helps."""

from __future__ import annotations

import pytest

from paxos_notes.exercises import check, exercises
from paxos_notes.exercises.nb01 import FAULTS, reachable_balances


def test_the_notebook_registers_three_exercises() -> None:
    assert {"01.1", "01.2", "01.3"} <= set(exercises())


@pytest.mark.parametrize("exercise", ["01.1", "01.2", "01.3"])
def test_no_answer_yet(exercise: str) -> None:
    fb = check(exercise, None)
    assert not fb.answered and fb.verdict == "No answer yet"


# -- 01.1: an order with a refused withdrawal -------------------------------------

@pytest.mark.parametrize("answer", [
    ["withdraw", "deposit", "deposit", "withdraw"],
    ("deposit", "withdraw", "withdraw", "deposit"),
    ["Withdraw", "withdraw", "deposit", "deposit"],
])
def test_01_1_accepts_any_order_with_a_refusal(answer) -> None:
    fb = check("01.1", answer)
    assert fb.right, fb.reason
    assert "refused" in fb.reason


def test_01_1_rejects_an_order_where_every_withdrawal_is_covered() -> None:
    fb = check("01.1", ["deposit", "withdraw", "deposit", "withdraw"])
    assert not fb.right and "nothing was refused" in fb.reason


@pytest.mark.parametrize("answer", [
    ["withdraw", "deposit"], ["withdraw", "withdraw", "withdraw", "deposit"], "withdraw", 3])
def test_01_1_rejects_other_commands_and_shapes(answer) -> None:
    fb = check("01.1", answer)
    assert not fb.right and ("exactly twice" in fb.reason or "list of four" in fb.reason)


# -- 01.2: which replicas end in the same state -----------------------------------

@pytest.mark.parametrize("answer", [{"r1", "r2"}, ["r2", "r1"], ("R1", "r2")])
def test_01_2_accepts_r1_and_r2(answer) -> None:
    fb = check("01.2", answer)
    assert fb.right and "r3 ends with 2 coins" in fb.reason


def test_01_2_rejects_all_three_and_explains_the_refusal() -> None:
    fb = check("01.2", {"r1", "r2", "r3"})
    assert not fb.right and "refused" in fb.reason


@pytest.mark.parametrize("answer", [{"r1", "r3"}, {"r4"}, 12])
def test_01_2_rejects_other_sets(answer) -> None:
    assert not check("01.2", answer).right


# -- 01.3: which fault can make money --------------------------------------------

def test_the_reachable_balances_behind_01_3() -> None:
    assert reachable_balances("delay") == {0, 1, 2}
    assert reachable_balances("loss") == reachable_balances("crash") == {0, 1, 2}
    assert reachable_balances("duplication") == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="fault"):
        reachable_balances("fire")


@pytest.mark.parametrize("answer", ["duplication", {"duplicate"}, ["Duplicates"]])
def test_01_3_accepts_duplication(answer) -> None:
    fb = check("01.3", answer)
    assert fb.right and "copied deposit" in fb.reason


@pytest.mark.parametrize("answer", [{"loss"}, {"duplication", "crash"}, {"delay"}])
def test_01_3_rejects_faults_that_only_reorder_or_remove(answer) -> None:
    fb = check("01.3", answer)
    assert not fb.right and "cannot reach 3 coins" in fb.reason


def test_01_3_rejects_unknown_faults() -> None:
    fb = check("01.3", {"fire"})
    assert not fb.right and all(f in fb.reason for f in FAULTS)


def test_the_checkers_account_has_the_notebooks_transition_table() -> None:
    from paxos_notes.exercises.nb01 import account, step

    # the table the notebook prints: (state, input) -> (next state, output)
    table = {(0, "deposit"): (1, "ok"), (0, "withdraw"): (0, "refused"),
             (1, "deposit"): (2, "ok"), (1, "withdraw"): (0, "ok"),
             (2, "deposit"): (3, "ok"), (2, "withdraw"): (1, "ok"),
             (3, "deposit"): (3, "refused"), (3, "withdraw"): (2, "ok")}
    assert {k: step(*k) for k in table} == table
    assert account(["withdraw", "deposit", "deposit", "withdraw"]) == (1, ["refused", "ok",
                                                                          "ok", "ok"])
    with pytest.raises(ValueError, match="command must be"):
        step(0, "steal")
