"""Why P1 alone is not enough: a state from which nothing can ever be chosen (§2.2).

> P1. "An acceptor must accept the first proposal that it receives."

With P1 as the only rule (no numbers, no promises) each acceptor keeps the
first value that reaches it, forever. The paper's worry, in our words: values
proposed at about the same time can leave every acceptor holding one while no
value holds a majority; and with two values split about evenly, the failure of
one acceptor can leave no value that can still gather a majority.

This is a liveness question, not a safety one, so the search is different from
`check_agents`: we build the whole (small) state graph, mark every state from
which some state with a chosen value is reachable, and report the shortest
path to a state that is *not* marked — a dead end for consensus.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..quorums import Majority, acceptor_names

# A state: (accepted value or None per acceptor, crashed flags, proposals sent
# as a bitmask over proposers, proposals delivered as a bitmask over
# (proposer, acceptor) pairs).
P1State = tuple[tuple[str | None, ...], tuple[bool, ...], int, int]


@dataclass(frozen=True)
class P1Result:
    acceptors: int
    values: tuple[str, ...]
    max_crashes: int
    distinct_states: int
    stuck: bool
    path: tuple[str, ...]
    final: tuple[str | None, ...]
    crashed: tuple[bool, ...]

    def describe_final(self) -> str:
        parts = []
        for name, v, down in zip(acceptor_names(self.acceptors), self.final, self.crashed,
                                 strict=True):
            parts.append(f"{name}: {'crashed' if down else (repr(v) if v else 'nothing')}")
        return ", ".join(parts)


def check_p1_alone(acceptors: int = 3, values: tuple[str, ...] = ("x", "y"),
                   max_crashes: int = 1) -> P1Result:
    """Search for a reachable state from which no value can ever be chosen."""
    if not 1 <= acceptors <= 7:
        raise ValueError(f"acceptors must be in 1..7, got {acceptors}")
    if not 1 <= len(values) <= 4 or len(set(values)) != len(values):
        raise ValueError(f"values must be 1..4 distinct values, got {values!r}")
    if not 0 <= max_crashes <= acceptors:
        raise ValueError(f"max_crashes must be in 0..{acceptors}, got {max_crashes}")
    names = acceptor_names(acceptors)
    quorums = Majority(names)

    def chosen(s: P1State) -> bool:
        accepted, _crashed, _, _ = s
        for v in values:
            # an acceptor that accepted and then crashed still counts: it *has* accepted
            if quorums.is_phase2_quorum(n for n, a in zip(names, accepted, strict=True) if a == v):
                return True
        return False

    def successors(s: P1State):
        accepted, crashed, sent, delivered = s
        for p, v in enumerate(values):
            if not sent >> p & 1:
                yield f"proposer {p + 1} sends its value {v!r} to every acceptor", \
                    (accepted, crashed, sent | 1 << p, delivered)
        for p, v in enumerate(values):
            if not sent >> p & 1:
                continue
            for i, name in enumerate(names):
                bit = 1 << (p * acceptors + i)
                if delivered & bit or crashed[i]:
                    continue
                new = accepted
                if accepted[i] is None:  # P1: the first proposal it receives
                    new = (*accepted[:i], v, *accepted[i + 1:])
                verb = "accepts it (P1: its first)" if accepted[i] is None else "ignores it"
                yield f"{name} receives {v!r} and {verb}", (new, crashed, sent, delivered | bit)
        if sum(crashed) < max_crashes:
            for i, name in enumerate(names):
                if not crashed[i]:
                    yield f"{name} crashes for good", \
                        (accepted, (*crashed[:i], True, *crashed[i + 1:]), sent, delivered)

    init: P1State = ((None,) * acceptors, (False,) * acceptors, 0, 0)
    parent: dict[P1State, tuple[P1State, str] | None] = {init: None}
    order = [init]
    edges: dict[P1State, list[P1State]] = {}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        out = edges[s] = []
        for label, t in successors(s):
            out.append(t)
            if t not in parent:
                parent[t] = (s, label)
                order.append(t)
                queue.append(t)
    # Backward reachability from the states where a value is chosen.
    preds: dict[P1State, list[P1State]] = {s: [] for s in parent}
    for s, ts in edges.items():
        for t in ts:
            preds[t].append(s)
    live = {s for s in parent if chosen(s)}
    work = deque(live)
    while work:
        t = work.popleft()
        for s in preds[t]:
            if s not in live:
                live.add(s)
                work.append(s)
    dead = next((s for s in order if s not in live), None)  # BFS order: shortest first
    path: list[str] = []
    if dead is not None:
        s = dead
        while parent[s] is not None:
            prev, label = parent[s]  # type: ignore[misc]
            path.append(label)
            s = prev
    final = dead if dead is not None else init
    return P1Result(acceptors, tuple(values), max_crashes, len(parent), dead is not None,
                    tuple(reversed(path)), final[0], final[1])
