"""Exercises of ``05_learning_a_chosen_value.ipynb`` (§2.3 Learning a Chosen Value).

- 05.1: messages to learners with one distinguished learner (m = 5, k = 4);
- 05.2: messages to learners with a set of five distinguished learners (m = 3,
  k = 10), which costs more than every acceptor telling every learner;
- 05.3: message delays until the last learner knows, one distinguished learner;
- 05.4: the fewest distinguished learners that survive any two learner crashes.

Each checker runs the simulator on the package's own agents to get the right
answer, so the exercises cannot drift from the code the notebook runs.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from ..agents import Learner, Proposer
from ..cluster import Cluster
from ..messages import Accepted, Chosen
from ..script import drive
from ..sim import Network, Simulation
from . import as_int, exercise


def learning_run(m: int, k: int, learning: str, d: int = 1,
                 proposer: type[Proposer] = Proposer) -> tuple[int, int, bool]:
    """One proposer, m acceptors, k learners, a perfect network on which each message
    takes one unit of time: (messages sent to learners, message delays from phase
    1(a) until the last learner knows, whether the run kept every safety
    requirement). `benchmarks/learning.py` measures its full grid with this."""
    cluster = Cluster(acceptors=m, proposers=1, learners=k, learning=learning,
                      distinguished=d, proposer=proposer)
    sim = Simulation(cluster, seed=0, network=Network(delay=(1.0, 1.0))).run()
    events = sim.trace.events
    start = next(e.time for e in events if e.kind == "propose")
    last = max(e.time for e in events if e.kind == "learned")
    told = sum(1 for e in events
               if e.kind == "send" and isinstance(e.message, Accepted | Chosen))
    return told, round(last - start), sim.history.safe


def learning_cost(m: int, k: int, learning: str, d: int = 1) -> tuple[int, int]:
    """(messages sent to learners, message delays) of `learning_run`."""
    told, delays, _ = learning_run(m, k, learning, d)
    return told, delays


def survives(k: int, d: int, crashed: tuple[str, ...]) -> bool:
    """Do all learners that stay up learn, when ``crashed`` stop before anything
    happens and one proposal then runs to the end (acceptors tell l1..ld)?"""
    cluster = Cluster(acceptors=3, proposers=1, learners=k, learning="set", distinguished=d)
    run = drive(Simulation(cluster, seed=0, manual=True),
                [*(("crash", name) for name in crashed), ("propose", "p1")]).settle()
    return all(a.learned is not None for a in run.sim.agents.values()
               if isinstance(a, Learner) and a.up)


def fewest_distinguished(k: int, crashes: int) -> int:
    """The smallest d such that every way of crashing ``crashes`` learners leaves every
    learner that is up knowing the value (no new proposal)."""
    names = tuple(f"l{i}" for i in range(1, k + 1))
    for d in range(1, k + 1):
        if all(survives(k, d, c) for c in combinations(names, crashes)):
            return d
    raise ValueError(f"crashes must be below k={k}, got {crashes}")


# -- 05.1 -------------------------------------------------------------------------

M_051, K_051 = 5, 4


@exercise("05.1")
def messages_with_one_distinguished_learner(answer: Any) -> tuple[bool, str]:
    """5 acceptors, 4 learners, l1 distinguished: messages to learners?"""
    n = as_int(answer)
    if n is None:
        return False, "answer a whole number of messages."
    right = learning_cost(M_051, K_051, "distinguished")[0]
    if n == right:
        return True, (f"{right}: the 3 acceptors of the majority that promised accept and "
                      f"each tells l1 (3 messages); l1 then tells l2, l3 and l4 (3 more). "
                      f"That is a + (k − 1) with a = 3 accepting acceptors.")
    if n == M_051 + K_051:
        return False, ("9 is the paper's m + k, a response from every acceptor plus one per "
                       "learner. Here the proposer sends accept requests only to the 3 "
                       "acceptors whose promises it used, and l1 does not tell itself.")
    if n == M_051 + K_051 - 1:
        return False, ("8 counts all 5 acceptors; only the 3 that received accept requests "
                       "(the majority that promised) accept and tell l1.")
    if n == 3 + K_051:
        return False, "7 has l1 telling itself: it tells the k − 1 = 3 other learners."
    if n in (3 * K_051, M_051 * K_051):
        return False, (f"{n} is every accepting acceptor telling every learner: the first "
                       f"arrangement, not the distinguished learner's.")
    return False, ("count two hops: accepting acceptors to l1, then l1 to the others. How "
                   "many acceptors accept when accept requests go to one majority of 5?")


# -- 05.2 -------------------------------------------------------------------------

M_052, K_052, D_052 = 3, 10, 5


@exercise("05.2")
def messages_with_a_set_of_five(answer: Any) -> tuple[bool, str]:
    """3 acceptors, 10 learners, l1..l5 distinguished: messages to learners?"""
    n = as_int(answer)
    if n is None:
        return False, "answer a whole number of messages."
    right = learning_cost(M_052, K_052, "set", D_052)[0]
    every = learning_cost(M_052, K_052, "all")[0]
    if n == right:
        return True, (f"{right}: 2 accepting acceptors tell each of the 5 distinguished "
                      f"learners (10), and each of those tells the 5 others (25): "
                      f"d·a + d·(k − d). That is more than the {every} messages of every "
                      f"acceptor telling every learner: a set larger than the number of "
                      f"acceptors that accept costs more than no set at all.")
    if n == every:
        return False, (f"{every} is the first arrangement (2 accepting acceptors × 10 "
                       f"learners); here acceptors tell only l1..l5, which then tell l6..l10.")
    if n == D_052 * 2 + D_052 * (K_052 - 1):
        return False, ("55 has each distinguished learner tell all 9 other learners. Here a "
                       "distinguished learner tells only the learners that are not "
                       "distinguished: the others heard from the acceptors themselves.")
    if n == D_052 * M_052 + D_052 * (K_052 - D_052):
        return False, ("40 counts all 3 acceptors; only the 2 that received accept requests "
                       "accept and tell the distinguished learners.")
    return False, ("count two hops: accepting acceptors to each of l1..l5, then each of "
                   "l1..l5 to each of l6..l10.")


# -- 05.3 -------------------------------------------------------------------------


@exercise("05.3")
def delays_with_one_distinguished_learner(answer: Any) -> tuple[bool, str]:
    """One distinguished learner: message delays from the prepare requests to the last
    learner knowing?"""
    n = as_int(answer)
    if n is None:
        return False, "answer a whole number of message delays."
    right = learning_cost(3, 3, "distinguished")[1]
    if n == right:
        return True, (f"{right}: prepare, promise, accept request, acceptance to l1, and "
                      f"l1's message to the others. One delay more than when every acceptor "
                      f"tells every learner (4).")
    if n == right - 1:
        return False, ("4 is when every acceptor tells every learner. Here the acceptances "
                       "reach only l1, which needs one more delay to tell the others.")
    if n == 2:
        return False, ("2 counts from the moment the value is chosen (acceptance to l1, then "
                       "l1 to the others); the question starts at the prepare requests.")
    return False, ("follow one chain of messages: prepare, promise, accept request, "
                   "acceptance, and whatever the distinguished learner sends.")


# -- 05.4 -------------------------------------------------------------------------

K_054, CRASHES_054 = 10, 2


@exercise("05.4")
def fewest_distinguished_learners_for_two_crashes(answer: Any) -> tuple[bool, str]:
    """10 learners, any 2 may crash for good: fewest distinguished learners?"""
    d = as_int(answer)
    if d is None:
        return False, "answer a whole number of distinguished learners."
    if not 1 <= d <= K_054:
        return False, f"the number of distinguished learners is between 1 and {K_054}."
    right = fewest_distinguished(K_054, CRASHES_054)
    if d == right:
        return True, (f"{right}: whichever two learners crash, at least one distinguished "
                      f"learner is left to hear from the acceptors and tell the rest. With "
                      f"f crashes allowed, f + 1 distinguished learners are needed.")
    if d < right:
        return False, (f"with {d}, the two crashes can take out every distinguished learner "
                       f"before it learns; then no learner that is up ever hears from the "
                       f"acceptors, and a new proposal would not help: the acceptors tell "
                       f"only the distinguished learners.")
    if d == K_054:
        return False, (f"{K_054} works (every learner hears from the acceptors: the first "
                       f"arrangement), but it costs the most messages; fewer suffice.")
    return False, f"{d} works, but it is not the smallest number that does."
