"""Exercises of ``02_the_problem.ipynb`` (§2.1 The Problem)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..ballots import ProposalNumber
from ..invariants import REQUIREMENTS, History, Learned
from ..messages import Accepted, Proposal
from ..quorums import Majority, acceptor_names
from ..widgets.two_faced_general import ATTACK, GENERALS, RETREAT, generals
from . import exercise

# 02.1: which statements are safety requirements of §2.1?
STATEMENTS_02_1: dict[str, str] = {
    "A": "Only a value that has been proposed may be chosen.",
    "B": "Some proposed value is eventually chosen.",
    "C": "Once a value has been chosen, every process can eventually learn it.",
    "D": "A process never learns that a value has been chosen unless it actually has been.",
    "E": "Only a single value is chosen.",
}
SAFETY_02_1 = frozenset({"A", "D", "E"})


def _letters(answer: Any) -> set[str] | None:
    if isinstance(answer, str):
        answer = [c for c in answer if c.strip() and c not in ",;"]
    try:
        return {str(x).strip().upper() for x in answer}
    except TypeError:
        return None


@exercise("02.1")
def which_are_safety(answer: Any) -> tuple[bool, str]:
    """The letters of STATEMENTS_02_1 that are safety requirements."""
    letters = _letters(answer)
    if letters is None or not letters <= set(STATEMENTS_02_1):
        return False, "give a set of letters from A to E, e.g. {'A', 'B'}"
    if letters == SAFETY_02_1:
        return True, ("A, E and D are §2.1's three safety requirements: each says something "
                      "bad never happens, so a finite run can break it. B and C only ask that "
                      "something good happens eventually: liveness.")
    if "C" in letters:
        return False, ("C is the liveness goal, not the third requirement: it asks that a "
                       "chosen value be learned eventually. The third requirement forbids "
                       "learning a value that was *not* chosen.")
    if "B" in letters:
        return False, ("B promises progress (something is eventually chosen): that is "
                       "liveness. No finite run can break it; a little more waiting might "
                       "still fix it.")
    missing = ", ".join(sorted(SAFETY_02_1 - letters))
    return False, f"some safety requirement is missing: look again at {missing}."


# 02.2: a history written by hand (the notebook prints it with nb02.by_hand)
def _n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, 2)


HISTORY_02_2 = (Accepted("a1", "l1", _n(0), "x"), Accepted("a2", "l1", _n(0), "x"),
                Accepted("a3", "l1", _n(1), "y"), Learned("l1", Proposal(_n(1), "y")))


def history_02_2() -> History:
    """HISTORY_02_2 judged over three acceptors (any two are a majority)."""
    return History(Majority(acceptor_names(3)), ("x", "y")).record(*HISTORY_02_2)


def _requirements(answer: Any) -> set[int] | None:
    if isinstance(answer, int) and not isinstance(answer, bool):
        answer = [answer]
    try:
        out = set()
        for x in answer:
            if isinstance(x, bool):
                return None
            out.add(int(x))
        return out
    except (TypeError, ValueError):
        return None


@exercise("02.2")
def which_requirements_break(answer: Any) -> tuple[bool, str]:
    """The numbers (1, 2, 3) of the requirements HISTORY_02_2 breaks."""
    numbers = _requirements(answer)
    if numbers is None or not numbers <= {1, 2, 3}:
        return False, "give a set of requirement numbers among 1, 2 and 3, e.g. {1}"
    history = history_02_2()
    broken = {i for i, rule in enumerate(REQUIREMENTS, 1)
              if any(v.rule == rule for v in history.violations)}
    if numbers == broken:
        return True, ("only requirement 3: 'x' is chosen (a1 and a2 are a majority) and 'y' "
                      "was merely accepted by a3 — yet l1 announced 'y'. Accepted is not "
                      "chosen.")
    if 2 in numbers:
        return False, ("two values were accepted, but only 'x' by a majority: only a chosen "
                       "value counts for requirement 2, and just one value is chosen here.")
    if 1 in numbers:
        return False, "both 'x' and 'y' were proposed, so requirement 1 holds."
    return False, "look at what l1 learned and whether a majority accepted it."


@exercise("02.3")
def what_a1_forgot(answer: Any) -> tuple[bool, str]:
    """In the amnesia counterexample, what did a1 forget that safety needed?"""
    if not isinstance(answer, str) or not answer.strip():
        return False, "answer with a short string naming what a1 forgot, in a word or two"
    text = answer.strip().lower()
    # "promise not to accept lower proposals" names only the promise; "promise and
    # accepted proposal" names two things, one of which a1 never had.
    names_two = re.search(r"\b(and|both|plus)\b|[,&+/]", text) is not None
    names_accepted = names_two or re.search(
        r"accepted (proposal|value)|(proposal|value|what) it (had )?accepted", text) is not None
    if "promis" in text and not names_accepted:
        return True, ("a1 had promised p2 (number 1) never to accept a proposal numbered "
                      "below 1. Restarted with an empty memory, it accepted (0, 'x') — a "
                      "broken promise that let 'x' and 'y' both be chosen.")
    if "accept" in text and "promis" not in text:
        return False, ("a1 had accepted nothing before it crashed (step 6: 'on stable "
                       "storage: promised 1, accepted nothing'), so there was no accepted "
                       "proposal to forget. What had it told p2?")
    if "promis" in text:
        return False, ("name the one thing a1 needed here: it had accepted nothing before "
                       "the crash.")
    return False, "look at steps 5 to 7: what did a1 hold before the crash and not after?"


@exercise("02.4")
def votes_the_liar_cannot_split(answer: Any) -> tuple[bool, str]:
    """Votes for g1..g4 such that a two-faced g5 cannot split the honest generals."""
    honest = GENERALS[:-1]
    if not isinstance(answer, Mapping) or sorted(answer) != sorted(honest):
        return False, (f"give a dict with a vote for each of {', '.join(honest)}, e.g. "
                       f"{{'g1': 'attack', 'g2': 'attack', 'g3': 'retreat', 'g4': 'retreat'}}")
    votes = {g: str(v).strip().lower() for g, v in answer.items()}
    if any(v not in (ATTACK, RETREAT) for v in votes.values()):
        return False, f"each vote must be {ATTACK!r} or {RETREAT!r}"
    result = generals({**votes, "g5": ATTACK}, liar="g5")
    a = sum(v == ATTACK for v in votes.values())
    if not result.split:
        return True, (f"the honest votes are {a}–{4 - a}: a lead of two or more votes survives "
                      f"the liar's single vote, so everyone decides "
                      f"{next(iter(result.decisions.values()))}.")
    return False, (f"with a 2–2 tie the liar decides for each general: "
                   f"{result.summary()}. Make the honest majority clearer.")
