"""Exercises of ``06_progress.ipynb`` (§2.4 Progress).

- 06.1: how many prepare requests a duel of k phase-1 starts sends (the
  notebook's scripted duel, run again here with `paxos_notes.script.drive`);
- 06.2: which spread of the election timers needs the fewest phase-1 starts;
- 06.3: which spread has the shortest 90th-percentile time to a decision;
- 06.4: what the result of Fischer, Lynch and Paterson rules out.

06.2 and 06.3 are measured, not remembered: the checkers run the same
`paxos_notes.progress.Contest` as the notebook, on the same seeds.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..cluster import Cluster
from ..election import Timeouts
from ..messages import Prepare
from ..progress import Contest, Summary, measure, summarize
from ..script import Action, drive
from ..sim import Simulation
from . import as_int, exercise

# -- 06.1 -------------------------------------------------------------------------

DUEL_STARTS = 10


def duel_actions(starts: int) -> list[Action]:
    """The paper's duel with 3 acceptors: p1 and p2 take turns completing phase 1
    with a1 and a2; each one's accept requests then arrive after the other's
    higher promise, and are ignored."""
    actions: list[Action] = []
    turn = ("p1", "p2")
    for i in range(starts):
        p = turn[i % 2]
        actions += [("propose", p),
                    ("deliver", p, "a1", "Prepare"), ("deliver", p, "a2", "Prepare"),
                    ("deliver", "a1", p, "Promise"), ("deliver", "a2", p, "Promise")]
        if i > 0:
            q = turn[(i - 1) % 2]
            actions += [("deliver", q, "a1", "Accept"), ("deliver", q, "a2", "Accept")]
    return actions


def duel(starts: int) -> Simulation:
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=0, manual=True)
    drive(sim, duel_actions(starts))
    return sim


def prepares_sent(sim: Simulation) -> int:
    return sum(1 for e in sim.trace.events if e.kind == "send" and isinstance(e.message, Prepare))


@exercise("06.1")
def prepares_in_a_duel(answer: Any) -> tuple[bool, str]:
    """A duel of 10 phase-1 starts, 3 acceptors: how many prepare requests are sent?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number of prepare requests."
    sim = duel(DUEL_STARTS)
    right = prepares_sent(sim)
    if k == right:
        chosen = "nothing" if not sim.chosen else "something"
        return True, (f"{right}: each of the {DUEL_STARTS} phase-1 starts sends a prepare "
                      f"request to all 3 acceptors (a3's are still in flight), and {chosen} "
                      f"is chosen. The cost grows without bound while no value is chosen.")
    if k == 2 * DUEL_STARTS:
        return False, ("that counts only the prepare requests a1 and a2 answer. This "
                       "package's Proposer.prepare sends to every acceptor; a3's requests "
                       "are sent too, they are just never delivered in the script.")
    if k == DUEL_STARTS:
        return False, "that is one per phase-1 start; each start sends one to every acceptor."
    return False, ("count per phase-1 start: one prepare request to each of the 3 "
                   "acceptors; then multiply.")


# -- 06.2 and 06.3 ---------------------------------------------------------------------

SPREADS = (0.0, 2.0, 32.0)
PROPOSERS = 4
SEEDS = range(40)


@cache
def spread_summary(spread: float) -> Summary:
    """What the exercise asks the reader to run: 4 proposers, 5 acceptors, the
    election, timers uniform in [3, 3 + spread], seeds 0..39, the other settings
    `Contest`'s defaults."""
    return summarize(measure(Contest(PROPOSERS, timeouts=Timeouts(3.0, spread)), SEEDS))


def _spread(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    if isinstance(answer, str):
        try:
            return float(answer.strip())
        except ValueError:
            return None
    return None


def _best(field: str) -> float:
    return min(SPREADS, key=lambda s: getattr(spread_summary(s), field))


def _figures(field: str, digits: int) -> str:
    return ", ".join(f"spread {s:g}: {getattr(spread_summary(s), field):.{digits}f}"
                     for s in SPREADS)


@exercise("06.2")
def fewest_prepares(answer: Any) -> tuple[bool, str]:
    """4 proposers with the election: which spread (0, 2 or 32) needs the fewest
    phase-1 starts, by median?"""
    s = _spread(answer)
    if s not in SPREADS:
        return False, "answer one of the spreads 0, 2 or 32."
    figures = _figures("prepares_median", 0)
    if s == _best("prepares_median"):
        return True, (f"{s:g} ({figures}). With a wide spread one process usually times "
                      f"out well before the others, its prepare requests reach their "
                      f"acceptors first, and the others then hear a leader and wait.")
    if s == 0:
        return False, (f"not 0 ({figures}). With no spread every timer fires at the same "
                       f"instant, so all four campaign together, over and over.")
    return False, (f"not {s:g} ({figures}). With a spread of 2, two timers often fire "
                   f"within one message delay (1 to 3) of each other, before either "
                   f"process has heard the other's prepare request.")


@exercise("06.3")
def shortest_tail(answer: Any) -> tuple[bool, str]:
    """4 proposers with the election: which spread (0, 2 or 32) has the shortest
    90th-percentile time until a value is chosen?"""
    s = _spread(answer)
    if s not in SPREADS:
        return False, "answer one of the spreads 0, 2 or 32."
    figures = _figures("time_p90", 1)
    if s == _best("time_p90"):
        return True, (f"{s:g} ({figures}): spread enough to break the lockstep, short "
                      f"enough not to wait long for the first timer.")
    if s == 0:
        zero = spread_summary(0.0)
        return False, (f"not 0 ({figures}). Its median is {zero.time_median:.1f}, but "
                       f"lockstep timers keep colliding: {zero.runs - zero.decided} of "
                       f"{zero.runs} runs chose nothing by t = 500. The slow tail is the "
                       f"livelock.")
    return False, (f"not {s:g} ({figures}). It rarely collides, but everyone waits for "
                   f"a timer drawn from [3, 35] before anyone campaigns: wide is slow.")


# -- 06.4 ---------------------------------------------------------------------------

FLP_CHOICES = {
    "A": "a deterministic algorithm that, in a fully asynchronous system where one "
         "process may crash, always stays safe and decides in every run",
    "B": "an algorithm that is always safe (never chooses two values), whatever "
         "the network does",
    "C": "a randomized algorithm that decides with probability 1",
    "D": "an algorithm that decides whenever messages arrive within a known time bound",
}
FLP_RIGHT = frozenset({"A"})


def _letters(answer: Any) -> set[str] | None:
    items = [answer] if isinstance(answer, str) else answer
    try:
        letters = {str(x).strip().upper() for x in items}
    except TypeError:
        return None
    return letters if letters <= FLP_CHOICES.keys() and letters else None


@exercise("06.4")
def what_flp_rules_out(answer: Any) -> tuple[bool, str]:
    """Which of A-D does the Fischer-Lynch-Paterson result say cannot exist?"""
    given = _letters(answer)
    if given is None:
        return False, "answer a set of letters among A, B, C and D, e.g. {\"A\"}."
    if given == FLP_RIGHT:
        return True, ("only A. The result is about guaranteed termination of a "
                      "deterministic algorithm with no timing assumptions and one "
                      "possible crash. Safety alone is possible (Paxos is safe in every "
                      "run), and randomness (C) or a time bound (D) steps outside its "
                      "assumptions.")
    if "B" in given:
        return False, ("B exists: Paxos itself never chooses two values, in any run. "
                       "The result is about deciding, not about deciding wrongly.")
    if "C" in given:
        return False, ("C is outside the result: it covers deterministic algorithms; "
                       "randomized ones can decide with probability 1.")
    if "D" in given:
        return False, ("D is outside the result: with a known bound on delays the "
                       "system is not fully asynchronous, and timeouts become reliable.")
    return False, "A is the one the result rules out: look at its assumptions again."
