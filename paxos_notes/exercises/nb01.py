"""Exercises of ``01_introduction.ipynb`` (§1: the state machine approach)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations, permutations
from typing import Any

from . import exercise

DEPOSIT, WITHDRAW, OK, REFUSED = "deposit", "withdraw", "ok", "refused"
CAPACITY = 3


def step(coins: int, command: str) -> tuple[int, str]:
    """The notebook's bank account: one transition, (next state, output).

    The checkers keep their own copy of the machine the notebook defines in a
    cell, so that they judge answers by the rules stated in the notebook's text.
    """
    if command == DEPOSIT:
        return (coins + 1, OK) if coins < CAPACITY else (coins, REFUSED)
    if command == WITHDRAW:
        return (coins - 1, OK) if coins > 0 else (coins, REFUSED)
    raise ValueError(f"command must be {DEPOSIT!r} or {WITHDRAW!r}, got {command!r}")


def account(commands: Iterable[str]) -> tuple[int, list[str]]:
    """The account run from empty: (final coins, outputs)."""
    coins, outputs = 0, []
    for c in commands:
        coins, out = step(coins, c)
        outputs.append(out)
    return coins, outputs


def coins(n: int) -> str:
    return f"{n} coin" if n == 1 else f"{n} coins"

# 01.2: three replicas' logs; which of them end in the same state?
LOGS_01_2: dict[str, tuple[str, ...]] = {
    "r1": (DEPOSIT, WITHDRAW, DEPOSIT),
    "r2": (DEPOSIT, DEPOSIT, WITHDRAW),
    "r3": (WITHDRAW, DEPOSIT, DEPOSIT),
}


def _as_names(answer: Any) -> set[str] | None:
    if isinstance(answer, str):
        answer = [answer]
    try:
        names = {str(x).strip().lower() for x in answer}
    except TypeError:
        return None
    return names


@exercise("01.1")
def order_with_a_refusal(answer: Any) -> tuple[bool, str]:
    """An order of deposit, deposit, withdraw, withdraw in which a withdrawal is refused."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return False, ("give a list of four commands, e.g. ['deposit', 'withdraw', "
                       "'deposit', 'withdraw']")
    cmds = [str(c).strip().lower() for c in answer]
    if Counter(cmds) != Counter({DEPOSIT: 2, WITHDRAW: 2}):
        return False, (f"use each of 'deposit' and 'withdraw' exactly twice; you gave "
                       f"{cmds}")
    _, outputs = account(cmds)
    trail = ", ".join(f"{c} → {o}" for c, o in zip(cmds, outputs, strict=True))
    if REFUSED in outputs:
        return True, (f"{trail}. Same four commands as the order deposit, withdraw, deposit, "
                      f"withdraw, which refuses nothing: order alone changed what clients "
                      f"were told.")
    return False, (f"{trail}: nothing was refused. A withdrawal is refused when the account "
                   f"is empty; put a withdrawal before the deposits have paid for it.")


@exercise("01.2")
def replicas_in_the_same_state(answer: Any) -> tuple[bool, str]:
    """Which replicas of LOGS_01_2 end in the same state?"""
    names = _as_names(answer)
    if names is None or not names <= set(LOGS_01_2):
        return False, "give the names of the replicas, e.g. {'r1', 'r3'}"
    finals = {n: account(log)[0] for n, log in LOGS_01_2.items()}
    right = {"r1", "r2"}
    listing = ", ".join(f"{n} ends with {coins(f)}" for n, f in sorted(finals.items()))
    if names == right:
        return True, (f"{listing}. r1 and r2 ran their commands in different orders and still "
                      f"agree, because no command was refused; r3's first withdrawal hit an "
                      f"empty account. Different orders sometimes agree, but replicas cannot "
                      f"count on it.")
    if names == set(LOGS_01_2):
        return False, (f"{listing}: r3 withdraws first, from an empty account, so its "
                       f"withdrawal is refused and it ends one coin richer.")
    return False, f"{listing}. Which two have the same final number of coins?"


FAULTS = ("delay", "loss", "duplication", "crash")
SUBMITTED = (DEPOSIT, DEPOSIT, WITHDRAW, WITHDRAW)  # what c1 and c2 send in the notebook


def reachable_balances(fault: str, submitted: tuple[str, ...] = SUBMITTED) -> set[int]:
    """Every final balance a naive replica can reach when ``fault`` is the only fault.

    Messages may always be reordered (the notebook's question says so), so every
    fault is judged over every arrival order. delay: any order of the submitted
    commands; loss and crash (a message that arrives while the replica is down is
    missed): any order of any subset of them; duplication: any order of the
    commands plus at most one extra copy of each.
    """
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {FAULTS}, got {fault!r}")
    n = len(submitted)
    logs: set[tuple[str, ...]] = set()
    if fault == "delay":
        logs = set(permutations(submitted))
    elif fault in ("loss", "crash"):
        for k in range(n + 1):
            for keep in combinations(range(n), k):
                logs |= set(permutations([submitted[i] for i in keep]))
    else:
        for k in range(n + 1):
            for extra in combinations(range(n), k):
                logs |= set(permutations([*submitted, *(submitted[i] for i in extra)]))
    return {account(log)[0] for log in logs}


def _as_faults(answer: Any) -> set[str] | None:
    words = {"delay": "delay", "delays": "delay", "reordering": "delay", "reorder": "delay",
             "loss": "loss", "lost": "loss", "losses": "loss",
             "duplication": "duplication", "duplicate": "duplication",
             "duplicates": "duplication", "duplicated": "duplication",
             "crash": "crash", "crashes": "crash", "crashed": "crash"}
    names = _as_names(answer)
    if names is None or not names <= set(words):
        return None
    return {words[n] for n in names}


@exercise("01.3")
def fault_that_makes_money(answer: Any) -> tuple[bool, str]:
    """Which fault, each on top of arbitrary reordering, can leave a replica with 3
    coins when the clients submitted two deposits and two withdrawals?"""
    faults = _as_faults(answer)
    if faults is None or not faults:
        return False, f"give one or more of {', '.join(map(repr, FAULTS))}"
    reach = {f: reachable_balances(f) for f in FAULTS}
    right = {f for f in FAULTS if 3 in reach[f]}
    table = "; ".join(f"{f}: {sorted(reach[f])}" for f in FAULTS)
    if faults == right:
        return True, (f"only duplication: a copied deposit is a coin nobody paid in. Balances "
                      f"each fault alone can produce — {table}.")
    wrong = sorted(faults - right)
    if wrong:
        return False, (f"{', '.join(wrong)} alone cannot reach 3 coins (reachable balances: "
                       f"{table}). Losing or reordering commands never adds a deposit.")
    return False, f"something is missing (reachable balances: {table})."
