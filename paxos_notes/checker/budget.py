"""How far a search may go before it stops, and how big a space is known to be
(beyond the paper; issue 12).

Every search here keeps each state it has seen (to recognise it when it is
reached again), so its memory grows with the states explored and a space too
big to finish would take all the machine's memory before it said anything.
``python -m paxos_notes check`` therefore stops every search at a budget of
distinct states (`DEFAULT_MAX_STATES`, ``--max-states`` overrides it) and, as a
second guard for states bigger than the ones measured, at a resident set size
(`DEFAULT_MAX_MEMORY_MB`, ``--max-memory``). A search stopped either way found no
violation in what it saw and says INCONCLUSIVE, never "safe".

The defaults come from measured bytes per state at the largest sizes each
model accepts (CPython 3.11, x86_64, peak RSS of the whole process divided by
the distinct states, interpreter included):

- ``lamport`` 7 acceptors, 4 values, ballots 0..5: 3,000,000 states, 570 MB
  (about 190 bytes per state: the parent dict of packed integers);
- ``agents`` 16 acceptors, 8 proposers, 4 values, numbers 0..7: 1,000,000 states,
  577 MB (about 580 bytes per state: a tuple of agent numbers, a message
  bitmask and a parent pointer each);
- ``livelock``: every size it accepts (5 acceptors, 3 proposers) is a few
  thousand states; the budget is the agents' one.

So the defaults keep a search near 600 MB, well under 1 GB.

`lower_bound` says, before a search starts, how many states a space has at
least: a count measured before (`KNOWN`), or a bound that costs nothing to
compute (each function's docstring says how it is derived).
"""

from __future__ import annotations

import math
import os
import resource
import sys

DEFAULT_MAX_STATES = {"lamport": 3_000_000, "agents": 1_000_000, "livelock": 1_000_000}
DEFAULT_MAX_MEMORY_MB = 800

#: Distinct states of the ``lamport`` model measured to the end
#: (acceptors, values, max_ballot, symmetry) -> count (README, benchmarks/lamport.py).
KNOWN: dict[tuple[int, int, int, bool], int] = {
    (3, 2, 1, False): 3_921,
    (3, 2, 2, False): 185_369,
    (3, 2, 2, True): 17_153,
    (3, 2, 3, False): 8_220_065,
    (3, 2, 3, True): 710_709,
    (4, 2, 2, False): 2_135_473,
    (4, 2, 2, True): 57_436,
    (4, 2, 3, True): 4_856_671,
    (5, 2, 1, False): 701_505,
    (5, 2, 2, True): 2_088_565,
}


def rss_mb() -> float:
    """The process's resident set size now, in MB.

    On Linux from ``/proc/self/statm`` (a read of a few bytes, cheap enough to
    do every few thousand states); elsewhere the peak so far
    (``getrusage``), which is never below the current size, so a limit checked
    against it errs on the safe side.
    """
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError, AttributeError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def lamport_lower_bound(acceptors: int, values: int, max_ballot: int,
                        symmetry: bool) -> tuple[int, str]:
    """At least how many distinct states the ``lamport`` model has, and why.

    A count measured before, if there is one for this size or a smaller one
    (same acceptors, no more values, no higher ballots: every state of the
    smaller space is a state of this one). Otherwise a bound: every ballot's
    ``1a`` message can be sent, and each acceptor may answer any subset of the
    ``max_ballot + 1`` ballots with ``1b`` messages (taking them in increasing
    order, so it always may), so there are at least ``2^(acceptors * ballots)``
    sets of messages; with ``symmetry`` divided by the number of renamings
    (``acceptors! * values!``).
    """
    ballots = max_ballot + 1
    bound = 2 ** (acceptors * ballots)
    why = (f"2^({acceptors} acceptors x {ballots} ballots): each acceptor may answer any "
           f"set of the {ballots} prepare requests")
    if symmetry:
        group = math.factorial(acceptors) * math.factorial(values)
        bound = -(-bound // group)
        why += f", divided by {group:,} renamings"
    for (a, v, b, sym), count in KNOWN.items():
        if a == acceptors and sym == symmetry and v <= values and b <= max_ballot \
                and count > bound:
            same = (v, b) == (values, max_ballot)
            bound, why = count, ("measured to the end" if same else
                                 f"measured to the end with {v} values and ballots 0..{b}, "
                                 f"a part of this space")
    return bound, why


def agents_lower_bound(variant: str, acceptors: int | None, proposers: int | None,
                       values: int | None, max_ballot: int | None) -> tuple[int, str]:
    """At least how many distinct states the ``agents`` model has, and why.

    Every proposer that may start phase 1 sends its first prepare requests; an
    acceptor may answer any subset of the requests it gets (delivered in
    increasing order, each is above its promise), and every answer stays in the
    set of messages sent, which is part of the state: with ``r`` first prepare
    requests in all, at least ``2^r`` states. Raises ``ValueError`` for a bad
    parameter, as `check_agents` would.
    """
    from .model import MAX_BALLOT_LIMIT, AgentsModel
    from .variants import get_variant

    v = get_variant(variant)
    mb = v.max_ballot if max_ballot is None else max_ballot
    if isinstance(mb, bool) or not isinstance(mb, int) or not 0 <= mb <= MAX_BALLOT_LIMIT:
        raise ValueError(f"max_ballot must be in 0..{MAX_BALLOT_LIMIT}, got {mb!r}")
    model = AgentsModel(v.cluster(acceptors, proposers, values), 0, mb)
    requests = 0
    for aid in model.initial[0]:
        started = model.unary("propose", aid)
        if started is not None:
            requests += started[1].bit_count()
    return 2 ** requests, (f"2^{requests}: each acceptor may answer any set of the "
                           f"{requests} first prepare requests")
