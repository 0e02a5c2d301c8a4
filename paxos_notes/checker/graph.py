"""State graphs as the searches build them: components, shortest loops, longest runs.

Serves `paxos_notes.checker.livelock` (§2.4): a graph is a list, per state
(numbered from 0, the initial state), of its steps ``(action, target)``;
target ``-1`` is a step that leaves the graph (there: a value is chosen). The
functions are generic; what an action is, and what a loop must contain, is
the caller's business (``shortest_loop`` only needs to know which actions are
proposals and by whom).
"""

from __future__ import annotations

from collections import deque
from typing import Any

Action = tuple[str, Any]
Edges = list[list[tuple[Action, int]]]

__all__ = ["Edges", "breadth_first_order", "components", "longest_run", "shortest_loop",
           "shortest_path"]


def components(edges: Edges) -> list[int]:
    """Strongly connected components (iterative Tarjan): a component number per state."""
    n = len(edges)
    order = [0] * n
    low = [0] * n
    seen = [False] * n
    on_stack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = 0
    ncomp = 0
    for root in range(n):
        if seen[root]:
            continue
        work = [(root, 0)]
        seen[root] = True
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, k = work[-1]
            succ = edges[v]
            if k < len(succ):
                work[-1] = (v, k + 1)
                w = succ[k][1]
                if w < 0:
                    continue
                if not seen[w]:
                    seen[w] = True
                    order[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], order[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == order[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = ncomp
                    if w == v:
                        break
                ncomp += 1
    return comp


def shortest_path(edges: Edges, goal: int) -> list[tuple[Action, int]]:
    """The breadth-first path from state 0 to ``goal``, as (action, target) edges."""
    parent: dict[int, tuple[int, Action] | None] = {0: None}
    queue = deque([0])
    while queue and goal not in parent:
        v = queue.popleft()
        for action, w in edges[v]:
            if w >= 0 and w not in parent:
                parent[w] = (v, action)
                queue.append(w)
    path: list[tuple[Action, int]] = []
    at = goal
    while parent[at] is not None:
        v, action = parent[at]  # type: ignore[misc]
        path.append((action, at))
        at = v
    return path[::-1]


def shortest_loop(edges: Edges, comp: list[int], start: int,
                   proposers: frozenset[str]) -> list[tuple[Action, int]] | None:
    """The shortest closed walk from ``start`` inside its component in which every
    proposer of ``proposers`` proposes (breadth-first over (state, who proposed))."""
    c = comp[start]
    origin = (start, frozenset[str]())
    parent: dict[tuple[int, frozenset[str]], tuple[tuple[int, frozenset[str]], Action]] = {}
    queue = deque([origin])
    goal = (start, proposers)
    while queue:
        v, who = queue.popleft()
        for action, w in edges[v]:
            if w < 0 or comp[w] != c:
                continue
            node = (w, who | {action[1]} if action[0] == "propose" else who)
            if node in parent or node == origin:
                continue
            parent[node] = ((v, who), action)
            if node == goal:
                path: list[tuple[Action, int]] = []
                at = node
                while at != origin:
                    prev, act = parent[at]
                    path.append((act, at[0]))
                    at = prev
                return path[::-1]
            queue.append(node)
    return None


def longest_run(edges: Edges) -> int:
    """In an acyclic graph: the most steps from state 0 to a step that chooses."""
    longest: dict[int, int] = {}
    order: list[int] = []
    seen = set()
    stack = [(0, False)]
    while stack:  # post-order, so every successor is done before its state
        v, done = stack.pop()
        if done:
            order.append(v)
            continue
        if v in seen:
            continue
        seen.add(v)
        stack.append((v, True))
        stack.extend((w, False) for _, w in edges[v] if w >= 0 and w not in seen)
    for v in order:
        longest[v] = max((1 + (longest[w] if w >= 0 else 0) for _, w in edges[v]), default=0)
    return longest[0]


def breadth_first_order(edges: Edges) -> list[int]:
    seen = {0}
    order = [0]
    for v in order:
        for _, w in edges[v]:
            if w >= 0 and w not in seen:
                seen.add(w)
                order.append(w)
    return order
