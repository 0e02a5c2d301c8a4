"""Exercises of ``04_the_algorithm.ipynb`` (§2.2, second half).

- 04.1: which accept requests an acceptor may accept (P1a, `Acceptor.may_accept`);
- 04.2: the value phase 2(a) makes a proposer propose (`Proposer.choose_value`);
- 04.3: how many messages one round costs on a perfect network (a simulation);
- 04.4: the number a proposer tries after a nack (`Proposer.on_nack`, `prepare`).

Each checker asks the agents' own code for the right answer, so the notebook's
exercises cannot drift from the code the notebook shows.
"""

from __future__ import annotations

from typing import Any

from ..agents import Acceptor, AcceptorStorage, Proposer
from ..ballots import Allocator, ProposalNumber
from ..cluster import Cluster
from ..messages import Nack, Promise, Proposal
from ..quorums import Majority, acceptor_names
from ..sim import Simulation
from . import as_int, as_ints, exercise

PROPOSERS = 2


def _n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, PROPOSERS)


# -- 04.1 -------------------------------------------------------------------------

REQUESTS_041 = (4, 5, 6)


def acceptor_041() -> Acceptor:
    """a1 has promised 5 and accepted (3, 'x')."""
    return Acceptor("a1", stable=AcceptorStorage(_n(5), Proposal(_n(3), "x")))


@exercise("04.1")
def which_requests_it_may_accept(answer: Any) -> tuple[bool, str]:
    """a1 promised 5 and accepted (3, 'x'). Which of accept 4, 5, 6 may it accept?"""
    given = as_ints(answer)
    if given is None:
        return False, "answer a set of proposal numbers, e.g. {4} or {4, 6}."
    a = acceptor_041()
    right = {n for n in REQUESTS_041 if a.may_accept(_n(n))}
    if given == right:
        return True, ("{5, 6}: P1a forbids only numbers below the promise. a1 answered prepare "
                      "5, which is greater than 4, so (4, ·) is refused; 5 is not greater than "
                      "5 and 6 is above it. Having accepted (3, 'x') does not matter.")
    if 4 in given:
        return False, ("4 is refused: a1 has responded to prepare 5, a number greater than 4, "
                       "and P1a allows accepting n only if it has not.")
    if 5 not in given:
        return False, ("5 is allowed: P1a speaks of a prepare request with a number *greater* "
                       "than n, and 5 is not greater than 5. The proposer that was promised 5 "
                       "must be able to get its proposal accepted.")
    return False, ("6 is allowed: no prepare numbered above 6 was answered. An acceptor may "
                   "accept a proposal above its promise (phase 2 may reach acceptors that "
                   "never saw the prepare).")


# -- 04.2 -------------------------------------------------------------------------

REPORTS_042 = (("a1", (2, "x")), ("a2", (4, "y")), ("a3", None))


def proposer_042() -> Proposer:
    names = acceptor_names(3)
    return Proposer("p1", 1, "z", Majority(names), Allocator(PROPOSERS))


def promises_042() -> tuple[Promise, ...]:
    return tuple(Promise(a, "p1", _n(5), None if acc is None else Proposal(_n(acc[0]), acc[1]))
                 for a, acc in REPORTS_042)


@exercise("04.2")
def value_phase_2a_picks(answer: Any) -> tuple[bool, str]:
    """p2's own value is 'z'; its promises for 5 report (2, 'x'), (4, 'y') and nothing."""
    given = answer.strip().strip("'\"") if isinstance(answer, str) else None
    if given is None:
        return False, "answer a value as a string: \"x\", \"y\" or \"z\"."
    right = proposer_042().choose_value(promises_042())
    if given == right:
        return True, ("'y': the highest-numbered proposal among the responses is (4, 'y'). "
                      "Its own value 'z' is allowed only if no response reports a proposal.")
    if given == "x":
        return False, ("'x' is from (2, 'x'), the lowest-numbered report (or the first): the "
                       "lowest-accepted variant, which the checker breaks in 20 steps. Phase "
                       "2(a) asks for the highest-numbered proposal among the responses.")
    if given == "z":
        return False, ("'z' is the proposer's own value; it may propose it only if the "
                       "responses reported no proposals, and two of them did.")
    return False, f"{given!r} is not among the values in play ('x', 'y', 'z')."


# -- 04.3 -------------------------------------------------------------------------


def messages_043() -> int:
    """Messages sent when one proposer runs one proposal on a perfect network of 5
    acceptors and 1 learner, every message delivered in sending order."""
    sim = Simulation(Cluster(acceptors=5, proposers=1, learners=1), seed=0, manual=True)
    sim.propose("p1")
    while sim.pending():
        sim.deliver(sim.pending()[0].id)
    return sim.counts.sent


@exercise("04.3")
def messages_in_one_round(answer: Any) -> tuple[bool, str]:
    """5 acceptors, 1 proposer, 1 learner, no failures: how many messages in all?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number of messages."
    right = messages_043()
    if k == right:
        return True, (f"{right}: 5 prepare requests, 5 promises, then accept requests to the 3 "
                      f"acceptors whose promises made the first majority, and 3 acceptance "
                      f"messages to the learner. The 2 late promises change nothing.")
    if k == 20:
        return False, ("that counts accept requests to all 5 acceptors. Phase 2(a) sends them "
                       "only to the acceptors whose promises formed the majority (3 of them "
                       "here), so only 3 acceptances follow too.")
    if k == 12:
        return False, ("that is the count if prepare requests went to a majority only (3 + 3 "
                       "+ 3 + 3). This package's Proposer.prepare sends them to all 5 "
                       "acceptors, and on a perfect network all 5 answer.")
    if k == 13:
        return False, ("the proposer sends prepare requests to all 5 acceptors (this package's "
                       "Proposer.prepare does), and all 5 answer on a perfect network.")
    return False, ("count phase by phase: prepare requests, promises, accept requests, and the "
                   "acceptors' messages to the learner. Run a Simulation with "
                   "Cluster(acceptors=5, proposers=1) to check.")


# -- 04.4 -------------------------------------------------------------------------


def next_number_044() -> int:
    """p1 (index 0 of 2) sent accept 2; a1 answers with a nack: it has promised 7."""
    names = acceptor_names(3)
    p = Proposer("p1", 0, "x", Majority(names), Allocator(PROPOSERS),
                 highest_tried=_n(2), phase="2", number=_n(2))
    p, _ = p.on_nack(Nack("a1", "p1", _n(2), _n(7)))
    p, _ = p.prepare()
    assert p.number is not None
    return p.number.natural


@exercise("04.4")
def number_after_a_nack(answer: Any) -> tuple[bool, str]:
    """p1 draws from {0, 2, 4, ...}; its accept 2 gets a nack saying promised 7. Next?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number: the number p1 puts on its next prepare request."
    right = next_number_044()
    if k == right:
        return True, (f"{right}: the smallest number of p1's own set {{0, 2, 4, …}} above 7, "
                      f"the promise the nack reported (Allocator.next_above).")
    if k <= 7:
        return False, (f"{k} is not above 7: a1 has promised 7 and would ignore a prepare "
                       f"numbered {k}. The nack exists to tell p1 to jump above it.")
    if k % 2 == 1:
        return False, (f"{k} is p2's number (odd numbers belong to p2): proposers choose from "
                       f"disjoint sets, and p1's is {{0, 2, 4, …}}.")
    return False, f"{k} is p1's and above 7, but not the smallest such number."
