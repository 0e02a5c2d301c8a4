"""Exercises of ``07_the_implementation.ipynb`` (§2.5 The Implementation).

- 07.1: a decision's network messages when every process plays every role
  (`paxos_notes.processes.ProcessSimulation`);
- 07.2: which crash point around an acceptor's write can break a promise
  (scripted runs, `paxos_notes.script.drive`);
- 07.3: the number a restarted proposer uses next (`Proposer.crash`,
  `Proposer.restart`, `Proposer.prepare`);
- 07.4: which promises count toward a proposer's current number
  (`Proposer.on_promise`).

Each checker asks the package's own code for the right answer, so the
exercises cannot drift from the code the notebook shows.
"""

from __future__ import annotations

from typing import Any

from ..agents import Proposer
from ..ballots import Allocator, ProposalNumber
from ..checker import get_variant
from ..cluster import Cluster
from ..messages import Promise
from ..processes import ProcessSimulation
from ..quorums import Majority, acceptor_names
from ..script import Action, drive
from ..sim import Simulation
from . import as_int, exercise

# -- 07.1 -------------------------------------------------------------------------

PROCESSES_071 = 5


def network_messages_071(processes: bool = True, learning: str = "distinguished") -> int:
    """Network messages of one decision led by p1, 5 processes (or 5 of each role on
    machines of their own), every message delivered in sending order."""
    n = PROCESSES_071
    cluster = Cluster(acceptors=n, proposers=n, learners=n,
                      learning=learning)  # type: ignore[arg-type]
    world = ProcessSimulation if processes else Simulation
    run = drive(world(cluster, seed=0, manual=True), [("propose", "p1")]).settle()
    return run.sim.counts.sent


@exercise("07.1")
def messages_between_processes(answer: Any) -> tuple[bool, str]:
    """Five processes, p1 leads and is the distinguished learner: network messages?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number of network messages."
    right = network_messages_071()
    if k == right:
        return True, (f"{right}: 4 prepare requests and 4 promises (P1's own acceptor answers "
                      f"inside P1), 2 accept requests (to the 2 other acceptors of the first "
                      f"majority of 3), 2 acceptances to l1, and 4 messages from l1 telling "
                      f"the other learners.")
    if k == network_messages_071(processes=False):
        return False, (f"{k} is the count with every role on a machine of its own. In P1, p1 "
                       f"and a1 and l1 talk without the network: prepare, promise, accept and "
                       f"accepted inside P1 are not sent.")
    if k == network_messages_071(learning="all"):
        return False, (f"{k} is the count when every acceptor tells every learner. Here the "
                       f"leader is the distinguished learner: acceptors tell only l1, which "
                       f"tells the others.")
    return False, ("count phase by phase, leaving out what stays inside P1: prepare requests "
                   "and promises, accept requests to the first majority, acceptances to the "
                   "leader's learner, and the leader telling the other learners.")


# -- 07.2 -------------------------------------------------------------------------

CRASH_POINTS_072: dict[str, tuple[str, bool, tuple[Action, ...]]] = {
    # letter: (words, the acceptor sends before it writes, a1's steps before its restart)
    "a": ("a1 crashes before it writes anything", False,
          (("crash", "a1"), ("deliver", "p2", "a1", "Prepare"))),
    "b": ("a1 crashes after the write, before the send", False,
          (("deliver", "p2", "a1", "Prepare"), ("drop", "a1", "p2", "Promise"),
           ("crash", "a1"))),
    "c": ("a1 crashes after the write and the send", False,
          (("deliver", "p2", "a1", "Prepare"), ("crash", "a1"))),
    "d": ("a1 sends first and crashes before the write", True,
          (("deliver", "p2", "a1", "Prepare"), ("crash", "a1"))),
}


def promise_forgotten_072(letter: str) -> bool:
    """After a1's crash and restart: is a promise from a1 on its way to p2 that a1's
    memory no longer holds?"""
    _, send_first, steps = CRASH_POINTS_072[letter]
    cluster = get_variant("send-before-persist").cluster() if send_first else Cluster()
    run = drive(Simulation(cluster, seed=0, manual=True),
                [("propose", "p2"), *steps, ("restart", "a1")])
    promised = run.sim.agents["a1"].promised  # type: ignore[union-attr]
    sent = [p.message for p in run.sim.pending() if isinstance(p.message, Promise)
            and p.message.sender == "a1"]
    return any(promised is None or promised < m.n for m in sent)


def _letters(answer: Any) -> set[str] | None:
    if isinstance(answer, str):
        answer = answer.replace(",", " ").split() if len(answer.strip()) > 1 else [answer]
    try:
        items = {str(x).strip().strip("()").lower() for x in answer}
    except TypeError:
        return None
    return items if items <= set(CRASH_POINTS_072) else None


@exercise("07.2")
def crash_points_that_break_a_promise(answer: Any) -> tuple[bool, str]:
    """Which crash points leave p2 counting a promise that a1 no longer keeps?"""
    given = _letters(answer)
    if given is None:
        return False, "answer a set of letters among a, b, c, d, e.g. {\"a\"}."
    right = {k for k in CRASH_POINTS_072 if promise_forgotten_072(k)}
    if given == right:
        return True, ("only d: a1's promise reaches p2, but a1 restarts from storage written "
                      "before it, so it may accept a proposal below the number p2 counts on. "
                      "In a and b, p2 never hears from a1 (a lost message, which the "
                      "algorithm survives); in c a1 remembers what it sent.")
    if "b" in given:
        return False, ("b is harmless: a1 remembers a promise that p2 never received. An "
                       "acceptor may refuse more than it has told anyone; to p2 it looks like "
                       "a lost message.")
    if "a" in given or "c" in given:
        return False, ("in a, a1 neither wrote nor sent anything; in c, it restarts "
                       "remembering exactly the promise p2 holds. Neither breaks a promise.")
    return False, ("one crash point does: the one where the response is already on its way "
                   "and the write has not happened yet.")


# -- 07.3 -------------------------------------------------------------------------

PROCESSES_073 = 5
INDEX_073 = 2  # P3: numbers 2, 7, 12, 17, 22, ...
TRIED_073 = 17


def next_number_073() -> int:
    """P3's proposer (index 2 of 5) last tried 17, crashes and restarts, then prepares."""
    p = Proposer("p3", INDEX_073, "z", Majority(acceptor_names(3)), Allocator(PROCESSES_073),
                 highest_tried=ProposalNumber.from_natural(TRIED_073, PROCESSES_073))
    p, _ = p.crash().restart().prepare()
    assert p.number is not None
    return p.number.natural


@exercise("07.3")
def number_after_a_restart(answer: Any) -> tuple[bool, str]:
    """P3 of 5 processes last tried 17; after a crash and restart, its next number?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number: the number on P3's next prepare request."
    right = next_number_073()
    if k == right:
        return True, (f"{right}: P3's set is {{2, 7, 12, 17, 22, …}} (index 2 of 5: round × "
                      f"5 + 2); 17 survived the crash on stable storage, and the next prepare "
                      f"takes the smallest number of its own set above it.")
    if k == INDEX_073:
        return False, ("2 is P3's first number: what a proposer that kept nothing on stable "
                       "storage would use again (the forgetful-proposer variant). A number "
                       "may never be used twice.")
    if k <= TRIED_073:
        return False, (f"{k} is not above 17, the highest number P3 tried. Reusing or going "
                       f"below it could issue a second proposal with a number already used.")
    if k % PROCESSES_073 != INDEX_073:
        return False, (f"{k} is not in P3's set: {k} = {k // 5} × 5 + {k % 5}, a number of "
                       f"P{k % 5 + 1}. Sets are disjoint, so no two processes share a number.")
    return False, f"{k} is P3's and above 17, but not the smallest such number."


# -- 07.4 -------------------------------------------------------------------------

PROPOSERS_074 = 2


def counted_promises_074() -> int:
    """p1 (index 0 of 2) sent prepare 0, then abandoned it and sent prepare 2. Promise 0
    arrives from a1 and a2, then promise 2 from a3: how many count toward 2?"""
    def n(k: int) -> ProposalNumber:
        return ProposalNumber.from_natural(k, PROPOSERS_074)

    p = Proposer("p1", 0, "x", Majority(acceptor_names(3)), Allocator(PROPOSERS_074))
    p, _ = p.prepare()
    p, _ = p.prepare()
    assert p.number == n(2)
    for sender, k in (("a1", 0), ("a2", 0), ("a3", 2)):
        p, _ = p.on_promise(Promise(sender, "p1", n(k), None))
    return len(p.promises)


@exercise("07.4")
def promises_that_count(answer: Any) -> tuple[bool, str]:
    """Promises for 0 from a1 and a2, then for 2 from a3: how many count toward 2?"""
    k = as_int(answer)
    if k is None:
        return False, "answer a whole number of promises."
    right = counted_promises_074()
    if k == right:
        return True, ("1: only a3's promise answers prepare 2. a1 and a2 promised only not to "
                      "accept below 0, so they may still accept a proposal numbered 1 (p2's); "
                      "Proposer.on_promise ignores a promise whose number is not the current "
                      "one, and p1 must wait for another promise for 2.")
    if k == 3:
        return False, ("3 counts promises for 0 as if they were for 2: the untagged-responses "
                       "variant. A promise for 0 says nothing about proposals numbered 1, so "
                       "p1 could issue proposal 2 while 'y' is being chosen with number 1.")
    return False, ("a promise counts only toward the number it answers (it carries that "
                   "number): which of the three answer prepare 2?")
