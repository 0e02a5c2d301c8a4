"""Exercises of ``09_beyond_the_paper.ipynb`` (beyond the paper: model checking every rule)."""

from __future__ import annotations

from typing import Any

from ..checker import VARIANTS
from ..checker.lamport_fast import check_lamport
from ..checker.stored import stored
from ..invariants import P1A, P2C
from ..quorums import Flexible, acceptor_names
from ..script import replay
from . import exercise


def _names(answer: Any) -> set[str] | None:
    if isinstance(answer, str):
        answer = answer.replace(",", " ").split()
    try:
        return {str(x).strip() for x in answer}
    except TypeError:
        return None


def broken_variants() -> list[str]:
    """The variants the checker found unsafe (the committed results), in order."""
    return [n for n in VARIANTS if not stored(n).safe]


def first_rule_broken(name: str) -> tuple[int, str] | None:
    """In ``name``'s stored counterexample, replayed: the first step that broke a
    rule of §2.2 (P1a or P2c) and the violation's text, or None."""
    return replay(VARIANTS[name].cluster(), stored(name).steps).first_broken((P1A, P2C))


def breaks_p1a() -> set[str]:
    """The broken variants whose counterexample has an acceptor break P1a."""
    return {n for n in broken_variants()
            if (first := first_rule_broken(n)) is not None and first[1].startswith(P1A)}


@exercise("09.1")
def which_break_p1a(answer: Any) -> tuple[bool, str]:
    """The set of broken variants in whose counterexample an acceptor breaks P1a."""
    names = _names(answer)
    broken = set(broken_variants())
    if names is None or not names:
        return False, "give a set of variant names, e.g. {'no-promise'}"
    unknown = names - broken
    if unknown:
        return False, (f"{', '.join(sorted(unknown))}: not a broken variant; choose among "
                       f"{', '.join(sorted(broken))}")
    right = breaks_p1a()
    if names == right:
        return True, ("no-promise ignores its promises outright; amnesia forgets a promise in "
                      "a restart; send-before-persist sends a promise it never wrote down, "
                      "and the crash loses it. In all three, an acceptor that had promised "
                      "1 accepts proposal 0.")
    for name in sorted(names - right):
        first = first_rule_broken(name)
        if first is None:
            return False, (f"{name}: no rule of §2.2 is broken in its counterexample: every "
                           f"promise is kept, and the fault lies elsewhere (quorums that need "
                           f"not meet, or promises counted for the wrong number).")
        rule, detail = first[1].split(": ", 1)
        return False, (f"{name}: no acceptor breaks a promise there; the first rule broken "
                       f"is {rule} (step {first[0]}): {detail}.")
    missing = ", ".join(sorted(right - names))
    return False, (f"you missed {missing}: look for an acceptor that accepts a proposal "
                   f"numbered below a promise it made (a crash can hide one).")


@exercise("09.2")
def hand_count(answer: Any) -> tuple[bool, str]:
    """Distinct states of Lamport's spec with 2 acceptors, 1 value, ballot 0 only."""
    if isinstance(answer, bool) or not isinstance(answer, int):
        return False, "give a whole number of distinct states, e.g. 7"
    right = check_lamport(2, 1, 0).distinct_states
    if answer == right:
        return True, (f"{right}: no messages; 1a(0); a1's 1b, a2's, or both (three states); "
                      f"2a(0, v1); a1's vote, a2's, or both (three states): "
                      f"1 + 1 + 3 + 1 + 3 = {right}.")
    if answer == check_lamport(1, 1, 0).distinct_states:
        return False, ("that is the count for one acceptor. With two, each acceptor's 1b (and "
                       "later its 2b) can come first: where do the extra states come from?")
    if answer == check_lamport(2, 1, 0).states_generated:
        return False, ("that is TLC's 'states generated', which counts every successor, "
                       "repeats and stuttering steps included. Count each state once.")
    if answer < right:
        return False, ("too few: after 1a(0), a1 alone, a2 alone or both may have answered; "
                       "the same happens with the votes after 2a(0, v1).")
    return False, ("too many: a state is the set of messages sent, so the order in which two "
                   "1b messages were sent does not make two different states. Also, 2a(0, v1) "
                   "needs both 1b messages (the only majority of two is both).")


# 09.3: which flexible quorum systems over five acceptors are safe?
SYSTEMS_09_3: dict[str, tuple[int, int]] = {
    "A": (3, 3), "B": (4, 1), "C": (2, 4), "D": (2, 3), "E": (5, 1),
}


def _safe(q1: int, q2: int, n: int = 5) -> bool:
    return Flexible(acceptor_names(n), q1=q1, q2=q2).is_safe


@exercise("09.3")
def safe_flexible_systems(answer: Any) -> tuple[bool, str]:
    """The letters of SYSTEMS_09_3 whose quorums are safe for n = 5."""
    if isinstance(answer, str):
        answer = [c for c in answer if c.isalpha()]
    letters = _names(answer)
    if letters is None or not letters:
        return False, "give a set of letters from A to E, e.g. {'A'}"
    letters = {x.upper() for x in letters}
    if not letters <= set(SYSTEMS_09_3):
        return False, "give a set of letters from A to E, e.g. {'A'}"
    right = {k for k, (q1, q2) in SYSTEMS_09_3.items() if _safe(q1, q2)}
    if letters == right:
        return True, ("A, C and E: q1 + q2 = 6 > 5, so every phase-1 quorum meets every "
                      "phase-2 quorum. B and D have q1 + q2 = 5: a phase-1 quorum can miss "
                      "every acceptor of a phase-2 quorum that chose a value.")
    wrong = sorted(letters - right)
    if wrong:
        q1, q2 = SYSTEMS_09_3[wrong[0]]
        return False, (f"{wrong[0]} (q1 = {q1}, q2 = {q2}) is unsafe: {q1} + {q2} = {q1 + q2}, "
                       f"not more than 5, so a phase-1 quorum of {q1} can avoid a phase-2 "
                       f"quorum of {q2} entirely.")
    k = sorted(right - letters)[0]
    q1, q2 = SYSTEMS_09_3[k]
    return False, (f"{k} (q1 = {q1}, q2 = {q2}) is safe too: {q1} + {q2} = {q1 + q2} > 5, so "
                   f"the two must share an acceptor. Only the sum matters, not which is "
                   f"larger.")


# 09.4: why does repeated-prepare explore exactly the paper's states?
CHOICES_09_4: dict[str, str] = {
    "A": "The checker never delivers a message twice, so no prepare request is ever repeated.",
    "B": "Answering a repeated prepare re-sends the very promise already sent: a message "
         "already in the set of messages, so no new state arises.",
    "C": "With disjoint numbers a proposer never sends the same prepare request twice.",
    "D": "Answering a repeated prepare is what phase 1(b) says, so the variant is the paper.",
}


@exercise("09.4")
def why_same_count(answer: Any) -> tuple[bool, str]:
    """The letter of CHOICES_09_4 that explains repeated-prepare's count."""
    if not isinstance(answer, str) or answer.strip().upper() not in CHOICES_09_4:
        return False, "give one letter, 'A', 'B', 'C' or 'D'"
    letter = answer.strip().upper()
    if letter == "B":
        return True, ("the acceptor still holds promise n; had it accepted anything since "
                      "(only proposals numbered n or more are allowed), it would ignore the "
                      "request. So its answer is the identical Promise, to the same proposer "
                      "(numbers are disjoint): a message already in the set, hence no new "
                      "state.")
    return False, {
        "A": "it does: any message in the set may be delivered again, any number of times. "
             "That is how the model covers duplication.",
        "C": "the proposer sends it once, but the network may deliver it any number of "
             "times (the checker delivers any message in the set again).",
        "D": "phase 1(b) answers only a number \"greater than\" any already answered; an "
             "equal number is the variant's change.",
    }[letter]
