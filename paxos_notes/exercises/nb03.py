"""Exercises of ``03_choosing_a_value.ipynb`` (§2.2, first half).

- 03.1: the smallest safe threshold for 7 acceptors (`paxos_notes.quorums`);
- 03.2: which value, if any, is chosen — a single proposal, not a value, must
  be accepted by a majority (`paxos_notes.invariants.chosen_proposals`);
- 03.3: which values P2c allows a proposer to propose (`p2c_holds`);
- 03.4: the acceptor that the quorums C and S share in the checker's
  ``ignore-accepted`` run (the one that carried the chosen value to p2).

Every checker judges the answer with the package's own functions, so the
reason it gives is the rule the notebook quotes.
"""

from __future__ import annotations

from typing import Any

from ..ballots import ProposalNumber
from ..checker import shortest
from ..invariants import chosen_proposals, p2c_holds
from ..messages import Proposal
from ..quorums import Majority, Threshold, acceptor_names, names_text
from ..script import replay
from . import as_int, exercise

# -- 03.1 -------------------------------------------------------------------------

N_031 = 7


@exercise("03.1")
def smallest_safe_threshold(answer: Any) -> tuple[bool, str]:
    """Quorums are "any k of 7": the smallest k for which any two quorums meet."""
    k = as_int(answer)
    names = acceptor_names(N_031)
    if k is None:
        return False, "give a whole number k between 1 and 7."
    if not 1 <= k <= N_031:
        return False, f"k must be between 1 and {N_031}: a quorum is a set of the 7 acceptors."
    system = Threshold(names, k)
    witness = system.intersection_witness()
    if witness is not None:
        a, b = (", ".join(sorted(q)) for q in witness)
        return False, (f"with k = {k} the adversary finds two quorums with nobody in common: "
                       f"{{{a}}} and {{{b}}} ({k} + {k} = {2 * k} ≤ 7).")
    if k > Majority(names).k:
        return False, (f"k = {k} is safe, but not the smallest: k = {Majority(names).k} also "
                       f"gives {Majority(names).k} + {Majority(names).k} = "
                       f"{2 * Majority(names).k} > 7, so two quorums always share an acceptor.")
    return True, ("k = 4: 4 + 4 = 8 > 7, so by pigeonhole two quorums share an acceptor, while "
                  "with 3 the adversary finds {a1, a2, a3} and {a4, a5, a6}. A majority.")


# -- 03.2 -------------------------------------------------------------------------


def _n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, 3)


ACCEPTANCES_032: tuple[tuple[str, Proposal], ...] = (
    ("a1", Proposal(_n(0), "x")),
    ("a2", Proposal(_n(0), "x")),
    ("a3", Proposal(_n(2), "x")),
    ("a4", Proposal(_n(1), "y")),
    ("a5", Proposal(_n(1), "y")),
)
NOTHING = "nothing"


@exercise("03.2")
def which_value_is_chosen(answer: Any) -> tuple[bool, str]:
    """Five acceptors have accepted ACCEPTANCES_032: "x", "y" or "nothing"?"""
    quorums = Majority(acceptor_names(5))
    chosen = chosen_proposals(ACCEPTANCES_032, quorums)
    right = sorted(p.value for p in chosen)[0] if chosen else NOTHING
    given = answer.strip().strip("'\"").lower() if isinstance(answer, str) else answer
    if given not in ("x", "y", NOTHING):
        return False, 'answer "x", "y" or "nothing" (a string).'
    if given == right:
        return True, ("no single proposal has a majority: (0, 'x') has {a1, a2}, (2, 'x') has "
                      "{a3}, (1, 'y') has {a4, a5}. Three acceptors accepted 'x', but in two "
                      "different proposals, and acceptances of different proposals do not add "
                      "up.")
    if given == "x":
        return False, ("'x' was accepted by a1, a2 and a3, a majority — but in two proposals, "
                       "(0, 'x') and (2, 'x'). A value is chosen only when a single proposal "
                       "with that value has been accepted by a majority.")
    return False, ("(1, 'y') was accepted by a4 and a5 only: 2 of 5 acceptors, not a majority "
                   "(3 needed).")


# -- 03.3 -------------------------------------------------------------------------

ACCEPTANCES_033: tuple[tuple[str, Proposal], ...] = (
    ("a1", Proposal(_n(0), "x")),
    ("a2", Proposal(_n(1), "y")),
)
NUMBER_033 = 2
CANDIDATES_033 = ("x", "y", "z")


def allowed_values_033() -> set[str]:
    """The values v for which P2c holds for proposal (2, v), by `p2c_holds`."""
    quorums = Majority(acceptor_names(3))
    return {v for v in CANDIDATES_033
            if p2c_holds(Proposal(_n(NUMBER_033), v), ACCEPTANCES_033, quorums)}


def _as_values(answer: Any) -> set[str] | None:
    if isinstance(answer, str):
        answer = [answer]
    try:
        items = list(answer)
    except TypeError:
        return None
    if not all(isinstance(v, str) for v in items):
        return None
    return {v.strip().strip("'\"") for v in items}


@exercise("03.3")
def values_p2c_allows(answer: Any) -> tuple[bool, str]:
    """a1 accepted (0, 'x'), a2 accepted (1, 'y'), a3 nothing: which v for proposal (2, v)?"""
    given = _as_values(answer)
    if given is None:
        return False, "answer a set of values, e.g. {'x'} or {'x', 'z'}."
    right = allowed_values_033()
    if given == right:
        return True, ("P2c asks for *some* majority S. S = {a1, a3}: the highest proposal below "
                      "2 is (0, 'x'), so 'x' is allowed; S = {a2, a3} or {a1, a2}: (1, 'y'), so "
                      "'y' is allowed. 'z' would need a majority that accepted nothing below 2, "
                      "and a3 is the only such acceptor.")
    missing, extra = sorted(right - given), sorted(given - right)
    if extra:
        v = extra[0]
        if v in CANDIDATES_033:
            return False, (f"{v!r} is not allowed: every majority contains a1 or a2, which "
                           f"accepted proposals below 2, so (a) fails; and no majority's "
                           f"highest proposal below 2 has value {v!r}, so (b) fails.")
        return False, f"{v!r} is not one of the values in play ({', '.join(CANDIDATES_033)})."
    v = missing[0]
    s, top = ("{a1, a3}", "(0, 'x')") if v == "x" else ("{a2, a3}", "(1, 'y')")
    return False, (f"{v!r} is allowed too: P2c needs only *one* majority S, and with S = {s} "
                   f"the highest-numbered proposal below 2 accepted in S is {top}.")


# -- 03.4 -------------------------------------------------------------------------


def c_and_s_034() -> tuple[frozenset[str], frozenset[str]]:
    """In the checker's shortest ``ignore-accepted`` run: C, the acceptors that accepted the
    first chosen proposal, and S, the acceptors whose promises p2 held when it issued
    (1, 'y') (the run ends with p2 still holding them)."""
    result = shortest("ignore-accepted")
    run = replay(result.cluster, result.counterexample)
    first = min(run.history.chosen)
    c = frozenset(a for a, p in run.history.acceptances if p == first)
    s = frozenset(p.sender for p in run.sim.agents["p2"].promises)
    return c, s


@exercise("03.4")
def acceptor_in_c_and_s(answer: Any) -> tuple[bool, str]:
    """In the ``ignore-accepted`` run: the acceptor in both C (chose (0, 'x')) and S (the
    promises p2 used to issue (1, 'y'))."""
    given = answer.strip().strip("'\"").lower() if isinstance(answer, str) else None
    c, s = c_and_s_034()
    both = c & s
    if given is None or given not in {"a1", "a2", "a3"}:
        return False, "answer one acceptor's name as a string, e.g. \"a2\"."
    if given in both:
        return True, (f"{given}: it accepted (0, 'x') (C = {names_text(c)}) and promised p2 "
                      f"(S = {names_text(s)}), and its promise reported (0, 'x'). The shared "
                      f"acceptor did carry 'x' to p2; p2 ignored it, and P2c broke.")
    if given in c:
        return False, (f"{given} accepted (0, 'x'), so it is in C = {names_text(c)}, but p2 never "
                       f"used a promise from it: S = {names_text(s)}.")
    return False, (f"{given} promised p2, so it is in S = {names_text(s)}, but it never accepted "
                   f"(0, 'x'): C = {names_text(c)}.")
