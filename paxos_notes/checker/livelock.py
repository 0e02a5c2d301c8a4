"""Livelock found by search: two proposers can duel forever (§2.4 Progress).

> "It's easy to construct a scenario in which two proposers each keep issuing a
> sequence of proposals with increasing numbers, none of which are ever
> chosen." (§2.4)

The safety checker (`paxos_notes.checker.model`) looks for a *state* that breaks
a rule. A livelock is not a state but an endless run, so this module searches
the same agents (`paxos_notes.agents`, driven through the checker's own
`AgentsModel`: one call of an agent's handler per step) for runs that never choose.

The model
---------
A state is every agent plus the messages in flight, as in the checker, with
three differences that make an endless run a finite thing to look for:

- **Messages that can no longer do anything are forgotten.** A message is
  *dead* when delivering it would change nothing: a prepare below the
  acceptor's promise, an accept request below it, a promise for a round its
  proposer has left, an acceptance already counted. For the paper's agents a
  dead message stays dead (promises and proposal numbers only grow), so
  dropping it changes no behaviour; the tests check this on random runs.
- **What was accepted is kept only while it can still matter.** A value is
  chosen when a majority has accepted one proposal (§2.2), possibly at
  different times, so the acceptances of proposal n (``votes``) are kept while
  an accept request for n is still in flight. The search stops at the first
  state where a value is chosen: from there on the run has made progress.
- **Proposers are patient.** A proposer starts a new proposal only when its
  current one is over: no message of it (prepare, promise or accept request
  with its number) is in flight any more. This is how a real proposer uses a
  timeout, and it rules out the dull endless run of one proposer that keeps
  starting over before its own messages arrive. It also makes delivery fair:
  in a loop in which every proposer proposes, every message is delivered or
  dies within two turns.

(a) Bounded numbers: `find_bounded_duel` searches the concrete states (the
numbers as the agents pick them) with proposal numbers at most ``N``, for the
shortest schedule that has used every number 0..N and chosen nothing. One
exists for every N, and it gets longer with N: the bounded search can only
show ever longer prefixes of the duel, never the duel itself.

(b) Numbers renamed by their order: `find_duel` merges states that differ
only in the size of their numbers. Each state's numbers are renamed by their
order: the distinct rounds that occur (a number is a round and its owner,
`paxos_notes.ballots`) become 0, 1, 2, ... with the owner kept. One detail is
kept besides the order: whether two consecutive rounds are adjacent (gaps of
two or more all become two). The agents compare numbers, which only needs the
order, but a proposer's next number is the next one *of its own set* above
its last (`Allocator.next_above`), and whether that lands above or below
another proposer's number depends on that gap. (With two proposers, p1 at 2
and p2 at 3 or at 5 are the same order; p1's next number, 4, lands above 3 and
below 5.) With the gap kept, the renaming maps every step of a state onto a
step of its renamed state and back, so the quotient graph has exactly the
runs of the agents, up to renaming, and it is finite. An endless run of the
duel is then a *cycle* in that graph that never reaches "chosen" and in which
every proposer proposes: a lasso (a stem from the initial state, then a loop
repeated forever) that stands for every bound at once. `DuelResult.unroll`
turns the loop, taken k times, back into concrete steps with growing numbers,
and `DuelResult.replay` runs them in the simulator (`paxos_notes.script`).

> "To guarantee progress, a distinguished proposer must be selected as the
> only one to try issuing proposals." (§2.4)

With one proposer allowed to propose (``may_propose=("p1",)``) the search
sees the whole quotient graph and finds no cycle in it (a complete
depth-first search that never steps back onto its own path), and no state
in which nothing is chosen and nothing can happen (``dead_ends == 0``). So
every run chooses a value, within `DuelResult.longest_run` steps: the
paper's remedy, checked on the same agents.

Exit codes of ``python -m paxos_notes check --model livelock``: 1 when a run
that never chooses was found (a duel, or with ``--max-ballot N`` a schedule
that used every number up to N and chose nothing), 0 when none exists, 2 for
a usage error.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..agents import Agent, Proposer
from ..ballots import ProposalNumber
from ..cluster import Cluster
from ..messages import Accept, Accepted
from ..script import Run, Step, replay
from .graph import breadth_first_order, components, longest_run, shortest_loop, shortest_path
from .model import AgentsModel, describe_step

__all__ = ["BoundedDuel", "DuelResult", "find_bounded_duel", "find_duel"]

#: Allowed sizes: the quotient graph grows fast with both.
ACCEPTORS = (1, 5)
PROPOSERS = (1, 3)
MAX_BALLOT = 12

Votes = tuple[tuple[ProposalNumber, str], ...]  # (proposal number, acceptor), sorted
State = tuple[tuple[int, ...], int, Votes]  # agent ids, bitmask of live messages, votes
Action = tuple[str, Any]  # ("propose", proposer name) | ("deliver", message id)
CHOSEN = None  # every state in which a value is chosen: the search stops there
UNBOUNDED = 1 << 62


# ---------------------------------------------------------------------------
# Renaming proposal numbers
# ---------------------------------------------------------------------------


def _numbers(x: object) -> set[ProposalNumber]:
    """Every proposal number inside an agent or a message."""
    if isinstance(x, ProposalNumber):
        return {x}
    if isinstance(x, tuple | frozenset):
        out: set[ProposalNumber] = set()
        for item in x:
            out |= _numbers(item)
        return out
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        out = set()
        for f in dataclasses.fields(x):
            out |= _numbers(getattr(x, f.name))
        return out
    return set()


def _rename(x: Any, f: dict[ProposalNumber, ProposalNumber]) -> Any:
    """``x`` with every proposal number n replaced by ``f[n]`` (``x`` itself if none changes)."""
    if isinstance(x, ProposalNumber):
        return f.get(x, x)
    if isinstance(x, tuple):
        items = tuple(_rename(i, f) for i in x)
        return x if all(a is b for a, b in zip(items, x, strict=True)) else items
    if isinstance(x, frozenset):
        renamed = frozenset(_rename(i, f) for i in x)
        return x if renamed == x else renamed
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        changes = {}
        for fld in dataclasses.fields(x):
            old = getattr(x, fld.name)
            new = _rename(old, f)
            if new is not old:
                changes[fld.name] = new
        return dataclasses.replace(x, **changes) if changes else x
    return x


def order_renaming(numbers: set[ProposalNumber], anchor: bool) -> dict[ProposalNumber,
                                                                     ProposalNumber]:
    """The renaming of ``numbers`` by their order (see the module docstring).

    Rounds become 0, 1, 2, ... in order, a gap of two or more between
    consecutive rounds becomes two, owners stay. ``anchor`` keeps round 0 in
    place: needed while some proposer has not proposed yet, since its first
    number is the lowest of its set, wherever the others are.
    """
    rounds = sorted({n.round for n in numbers} | ({0} if anchor else set()))
    new_round: dict[int, int] = {}
    previous = None
    for r in rounds:
        if previous is None:
            new_round[r] = 0
        else:
            new_round[r] = new_round[previous] + min(r - previous, 2)
        previous = r
    return {n: ProposalNumber(new_round[n.round], n.proposer, n.proposers) for n in numbers}


# ---------------------------------------------------------------------------
# The model: the checker's agents, messages that can still act, patient proposers
# ---------------------------------------------------------------------------


def _bits(mask: int) -> Iterator[int]:
    i = 0
    while mask:
        if mask & 1:
            yield i
        mask >>= 1
        i += 1


@dataclass(frozen=True)
class _Info:
    """What the search needs to know about one message, computed once."""

    n: ProposalNumber
    sender: str
    receiver: str
    slot: int  # the receiver's place in the state; -1 for a learner (never delivered)
    accept: bool  # an accept request (phase 2(a))
    accepted: bool  # an acceptance announced to a learner (§2.3)


class _DuelModel:
    """The agents of ``cluster``, searched for runs that never choose.

    States hold agent and message ids of the checker's `AgentsModel` (which runs
    the agents' handlers and remembers their answers); ``successors`` gives the
    concrete steps or, with ``canonical``, the steps of the quotient graph.
    """

    def __init__(self, cluster: Cluster, may_propose: tuple[str, ...],
                 max_ballot: int = UNBOUNDED) -> None:
        self.cluster = cluster
        self.quorums = cluster.quorum_system
        self.m = AgentsModel(cluster, max_crashes=0, max_ballot=max_ballot, learners=False)
        self.names = self.m.names
        self.proposer_slots = tuple(self.m.index[p] for p in may_propose)
        self.info: list[_Info] = []
        self._agent_numbers: dict[int, tuple[ProposalNumber, ...]] = {}
        self._message_numbers: dict[int, tuple[ProposalNumber, ...]] = {}
        self._renamed_agents: dict[tuple[int, tuple[ProposalNumber, ...]], int] = {}
        self._renamed_messages: dict[tuple[int, tuple[ProposalNumber, ...]], int] = {}
        self.initial: State = (self.m.initial[0], 0, ())

    def agent(self, state: State, slot: int) -> Agent:
        return self.m.agents[state[0][slot]]

    def _message_info(self, mid: int) -> _Info:
        while len(self.info) <= mid:
            m = self.m.messages[len(self.info)]
            self.info.append(_Info(m.n, m.sender, m.receiver, self.m.receiver_slot[len(self.info)],
                                   isinstance(m, Accept), isinstance(m, Accepted)))
        return self.info[mid]

    # -- one step ------------------------------------------------------------

    def successors(self, state: State, canonical: bool) -> Iterator[tuple[Action, State | None]]:
        """Every step from ``state``: a patient proposal, or a delivery of a live message.

        A successor is ``CHOSEN`` (None) when the step makes a value chosen.
        """
        aids, live, _ = state
        for slot in self.proposer_slots:
            if self._busy(state, slot):
                continue
            r = self.m.unary("propose", aids[slot])
            if r is not None:  # None: the next number would pass the bound
                yield ("propose", self.names[slot]), self._after(state, slot, r[0], r[1],
                                                                 canonical)
        for mid in _bits(live):
            slot = self.info[mid].slot
            new, out = self.m.deliver(aids[slot], mid)
            yield ("deliver", mid), self._after(state, slot, new, out, canonical)

    def _busy(self, state: State, slot: int) -> bool:
        """Whether the proposer's current proposal still has a message in flight."""
        p = self.agent(state, slot)
        assert isinstance(p, Proposer)
        if p.number is None:
            return False
        return any(self.info[mid].n == p.number and p.name in (self.info[mid].sender,
                                                               self.info[mid].receiver)
                   for mid in _bits(state[1]))

    def _after(self, state: State, slot: int, new: int, out: int,
               canonical: bool) -> State | None:
        aids, live, votes = state
        aids = (*aids[:slot], new, *aids[slot + 1:])
        new_votes = set(votes)
        for mid in _bits(out):
            info = self._message_info(mid)
            if info.accepted:
                new_votes.add((info.n, info.sender))
            elif info.slot >= 0:
                live |= 1 << mid
        for n in {n for n, _ in new_votes.difference(votes)}:
            if self.quorums.is_phase2_quorum({a for m, a in new_votes if m == n}):
                return CHOSEN
        live = sum(1 << mid for mid in _bits(live) if not self._dead(aids, new_votes, mid))
        still_open = {self.info[mid].n for mid in _bits(live) if self.info[mid].accept}
        kept = tuple(sorted(v for v in new_votes if v[0] in still_open))
        result = (aids, live, kept)
        return self.canonical(result) if canonical else result

    def _dead(self, aids: tuple[int, ...], votes: set[tuple[ProposalNumber, str]],
              mid: int) -> bool:
        """Delivering ``mid`` now would change nothing (and, for these agents, never will)."""
        slot = self.info[mid].slot
        new, out = self.m.deliver(aids[slot], mid)
        if new != aids[slot]:
            return False
        for o in _bits(out):
            info = self._message_info(o)
            if not (info.accepted and (info.n, info.sender) in votes):
                return False
        return True

    # -- the quotient ----------------------------------------------------------

    def canonical(self, state: State) -> State:
        """``state`` with its proposal numbers renamed by their order."""
        aids, live, votes = state
        numbers: set[ProposalNumber] = {n for n, _ in votes}
        for aid in aids:
            numbers.update(self._numbers_of_agent(aid))
        for mid in _bits(live):
            numbers.update(self._numbers_of_message(mid))
        anchor = any(self.m.agents[aids[s]].highest_tried is None for s in self.proposer_slots)
        f = order_renaming(numbers, anchor)
        if all(k == v for k, v in f.items()):
            return state
        new_aids = tuple(self._rename_agent(aid, f) for aid in aids)
        new_live = 0
        for mid in _bits(live):
            new_live |= 1 << self._rename_message(mid, f)
        new_votes = tuple(sorted((f[n], a) for n, a in votes))
        return new_aids, new_live, new_votes

    def _numbers_of_agent(self, aid: int) -> tuple[ProposalNumber, ...]:
        hit = self._agent_numbers.get(aid)
        if hit is None:
            hit = self._agent_numbers[aid] = tuple(sorted(_numbers(self.m.agents[aid])))
        return hit

    def _numbers_of_message(self, mid: int) -> tuple[ProposalNumber, ...]:
        hit = self._message_numbers.get(mid)
        if hit is None:
            hit = self._message_numbers[mid] = tuple(sorted(_numbers(self.m.messages[mid])))
        return hit

    def _rename_agent(self, aid: int, f: dict[ProposalNumber, ProposalNumber]) -> int:
        key = (aid, tuple(f[n] for n in self._numbers_of_agent(aid)))
        hit = self._renamed_agents.get(key)
        if hit is None:
            hit = self._renamed_agents[key] = self.m._aid(_rename(self.m.agents[aid], f))
        return hit

    def _rename_message(self, mid: int, f: dict[ProposalNumber, ProposalNumber]) -> int:
        key = (mid, tuple(f[n] for n in self._numbers_of_message(mid)))
        hit = self._renamed_messages.get(key)
        if hit is None:
            bit = self.m._mask((_rename(self.m.messages[mid], f),))
            hit = self._renamed_messages[key] = bit.bit_length() - 1
            self._message_info(hit)
        return hit

    # -- words ---------------------------------------------------------------------

    def step(self, number: int, action: Action, after: State) -> Step:
        """A concrete step in the checker's words (``after``: the state it leads to)."""
        kind, what = action
        if kind == "propose":
            proposer = self.agent(after, self.m.index[what])
            return describe_step(number, ("propose", (what, proposer.number)))
        return describe_step(number, ("deliver", self.m.messages[what]))


# ---------------------------------------------------------------------------
# The results
# ---------------------------------------------------------------------------


def _validate(acceptors: int, proposers: int, may_propose: tuple[str, ...] | None
              ) -> tuple[Cluster, tuple[str, ...]]:
    for name, value, (low, high) in (("acceptors", acceptors, ACCEPTORS),
                                     ("proposers", proposers, PROPOSERS)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    cluster = Cluster(acceptors=acceptors, proposers=proposers)
    names = cluster.proposer_names
    if may_propose is None:
        return cluster, names
    chosen = tuple(may_propose)
    if not chosen or any(p not in names for p in chosen) or len(set(chosen)) != len(chosen):
        raise ValueError(f"may_propose must be distinct names among {names}, got {may_propose!r}")
    return cluster, tuple(p for p in names if p in chosen)


@dataclass(frozen=True)
class _Path:
    """An abstract path: (action kind, proposer or None, state it leads to) per edge."""

    edges: tuple[tuple[str, str | None, State], ...]


@dataclass(frozen=True)
class DuelResult:
    """What `find_duel` found: the quotient graph's size and, if any, a lasso.

    ``stem`` and ``loop`` are the concrete steps of the lasso's first turn
    (numbers as the agents pick them); `unroll` gives more turns. For a
    configuration with no endless run, ``loop`` is empty and ``longest_run``
    says how many steps the longest run takes before a value is chosen.
    """

    acceptors: int
    proposers: int
    may_propose: tuple[str, ...]
    states: int  # distinct states of the quotient graph in which nothing is chosen
    transitions: int  # its steps, including those that make a value chosen
    cyclic_components: int  # components with a cycle seen (1: the search stopped at one)
    longest_run: int | None  # when there is no cycle: the most steps before "chosen"
    dead_ends: int | None  # when the search saw every state: states with no step at all
    complete: bool  # False if max_states stopped the search before it decided
    seconds: float
    stem: tuple[Step, ...]
    loop: tuple[Step, ...]
    cluster: Cluster = field(repr=False)
    _model: _DuelModel = field(repr=False, compare=False)
    _stem: _Path = field(repr=False, compare=False)
    _loop: _Path = field(repr=False, compare=False)

    @property
    def found(self) -> bool:
        """Whether a run that never chooses (a duel) exists."""
        return bool(self.loop)

    def proposals_per_turn(self) -> int:
        return sum(1 for s in self.loop if s.action == "propose")

    def unroll(self, turns: int) -> tuple[Step, ...]:
        """The stem and then the loop ``turns`` times, as concrete steps.

        The loop returns to the same state up to renaming, so each turn is the
        same schedule with higher numbers; the steps are recomputed on the
        agents, without renaming, so the numbers are the ones they pick.
        """
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 0:
            raise ValueError(f"turns must be an integer >= 0, got {turns!r}")
        if not self.found:
            raise ValueError(f"turns: there is no loop to unroll with {self.may_propose} "
                             f"proposing (every run chooses a value)")
        return _concrete(self._model, self._stem.edges + self._loop.edges * turns)[0]

    def proposal_numbers(self, turns: int) -> tuple[ProposalNumber, ...]:
        """The numbers of the proposals of `unroll` (``turns``), in order."""
        self.unroll(turns)  # validates turns
        return _concrete(self._model, self._stem.edges + self._loop.edges * turns)[1]

    def replay(self, turns: int, seed: int = 0) -> Run:
        """`unroll` run in a manual-mode `paxos_notes.sim.Simulation` (see `script.replay`)."""
        return replay(self.cluster, self.unroll(turns), seed=seed)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "livelock", "acceptors": self.acceptors, "proposers": self.proposers,
            "may_propose": list(self.may_propose), "states": self.states,
            "transitions": self.transitions, "cyclic_components": self.cyclic_components,
            "longest_run": self.longest_run, "dead_ends": self.dead_ends,
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
            "duel": self.found, "stem": [s.to_json() for s in self.stem],
            "loop": [s.to_json() for s in self.loop],
        }


@dataclass(frozen=True)
class BoundedDuel:
    """A shortest schedule that uses every proposal number 0..``max_ballot`` and
    chooses nothing (`find_bounded_duel`); ``schedule`` is empty if there is none."""

    acceptors: int
    proposers: int
    max_ballot: int
    states: int  # concrete states explored
    seconds: float
    schedule: tuple[Step, ...]
    numbers: tuple[ProposalNumber, ...]  # of the schedule's proposals, in order
    cluster: Cluster = field(repr=False)

    @property
    def length(self) -> int:
        return len(self.schedule)

    def replay(self, seed: int = 0) -> Run:
        return replay(self.cluster, self.schedule, seed=seed)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "livelock", "acceptors": self.acceptors, "proposers": self.proposers,
            "max_ballot": self.max_ballot, "states": self.states,
            "seconds": round(self.seconds, 3), "length": self.length,
            "numbers": [n.natural for n in self.numbers],
            "schedule": [s.to_json() for s in self.schedule],
        }


# ---------------------------------------------------------------------------
# The searches
# ---------------------------------------------------------------------------


def _concrete(model: _DuelModel, edges: tuple[tuple[str, str | None, State], ...],
              canonical: bool = True) -> tuple[tuple[Step, ...], tuple[ProposalNumber, ...]]:
    """Follow abstract edges on the concrete agents: at each step, the concrete
    successor whose renamed state (with ``canonical``; else the state itself) is
    the edge's target. Returns the steps and the numbers of the proposals."""
    state = model.initial
    steps: list[Step] = []
    numbers: list[ProposalNumber] = []
    for i, (kind, proposer, target) in enumerate(edges, 1):
        for action, nxt in model.successors(state, canonical=False):
            if action[0] != kind or (proposer is not None and action[1] != proposer):
                continue
            if nxt is not CHOSEN and (model.canonical(nxt) if canonical else nxt) == target:
                steps.append(model.step(i, action, nxt))
                if kind == "propose":
                    numbers.append(model.agent(nxt, model.m.index[action[1]]).number)
                state = nxt
                break
        else:  # pragma: no cover - would mean the renaming is not a bisimulation
            raise AssertionError(f"step {i} of the lasso has no concrete counterpart")
    return tuple(steps), tuple(numbers)


@dataclass
class _Graph:
    """What a depth-first search saw: states, steps (target -1: a value is chosen)."""

    states: list[State] = field(default_factory=list)
    edges: list[list[tuple[Action, int]]] = field(default_factory=list)
    post_order: list[int] = field(default_factory=list)
    transitions: int = 0
    back_edges: int = 0
    complete: bool = True

    def add(self, state: State, index: dict[State, int]) -> int:
        index[state] = len(self.states)
        self.states.append(state)
        self.edges.append([])
        return index[state]


def _depth_first(model: _DuelModel, canonical: bool, allowed: frozenset[str],
                 goal: Any = None, max_states: int | None = None,
                 progress: Callable[[int, int, int, float], None] | None = None,
                 ) -> tuple[_Graph, list[tuple[Action, int]] | None, int]:
    """Depth first from the initial state, the steps in `_DuelModel.successors`'
    order (proposals first, then the messages in the order the search first met them).

    Stops at the first step that closes a cycle on the search's own path in
    which every proposer of ``allowed`` proposes (returns the path and the
    position where the cycle starts), or, with ``goal``, at the first state
    for which ``goal(state)`` holds (returns the path to it, position -1).
    Otherwise explores every reachable state: (graph, None, -1).
    ``progress(states, depth, 0, seconds)`` is called every 5,000 new states.
    """
    started = time.perf_counter()
    graph = _Graph()
    index: dict[State, int] = {}
    root = graph.add(model.initial, index)
    stack = [(root, model.successors(model.initial, canonical))]
    path: list[tuple[Action, int]] = []  # the step into stack[k + 1] is path[k]
    on_stack = {root: 0}
    while stack:
        v, steps = stack[-1]
        nxt = next(steps, None)
        if nxt is None:
            stack.pop()
            del on_stack[v]
            graph.post_order.append(v)
            if path:
                path.pop()
            continue
        action, state = nxt
        graph.transitions += 1
        if state is CHOSEN:
            graph.edges[v].append((action, -1))
            continue
        w = index.get(state)
        if w is None:
            if max_states is not None and len(graph.states) >= max_states:
                graph.complete = False
                return graph, None, -1
            w = graph.add(state, index)
            if progress is not None and w % 5000 == 0:
                progress(w, len(stack), 0, time.perf_counter() - started)
            graph.edges[v].append((action, w))
            path.append((action, w))
            if goal is not None and goal(state):
                return graph, path, -1
            on_stack[w] = len(stack)
            stack.append((w, model.successors(state, canonical)))
            continue
        graph.edges[v].append((action, w))
        if w in on_stack:
            graph.back_edges += 1
            start = on_stack[w]
            cycle = [*path[start:], (action, w)]
            if allowed <= {a[1] for a, _ in cycle if a[0] == "propose"}:
                return graph, [*path, (action, w)], start
    return graph, None, -1


def find_duel(acceptors: int = 3, proposers: int = 2,
              may_propose: tuple[str, ...] | None = None,
              max_states: int | None = None,
              progress: Callable[[int, int, int, float], None] | None = None) -> DuelResult:
    """Search the quotient graph for a run that never chooses: a lasso.

    ``may_propose`` restricts which proposers start proposals (default: all);
    ``("p1",)`` is §2.4's distinguished proposer. A lasso's loop must have every
    proposer of ``may_propose`` propose (so that, proposers being patient,
    every message is delivered or dies).

    The search is depth first and stops at the first such loop it closes on
    its own path: with proposals tried first, that is the paper's duel, found
    after a few dozen states (not always the shortest lasso). If it finds none,
    it has seen every reachable state and decides from the whole graph: a
    cycle that the depth-first order missed is then found among the strongly
    connected components; with no cycle at all, ``longest_run`` is the most
    steps any run takes before a value is chosen. ``max_states`` stops a search
    that has found nothing by then (``complete`` is then False);
    ``progress(states, depth, 0, seconds)`` is called every 5,000 states. Raises
    ``ValueError`` naming a bad parameter (``acceptors`` 1..5, ``proposers``
    1..3, ``may_propose`` names of proposers, ``max_states`` >= 1).
    """
    cluster, allowed = _validate(acceptors, proposers, may_propose)
    if max_states is not None and (isinstance(max_states, bool) or
                                   not isinstance(max_states, int) or max_states < 1):
        raise ValueError(f"max_states must be an integer >= 1, got {max_states!r}")
    start = time.perf_counter()
    model = _DuelModel(cluster, allowed)
    who = frozenset(allowed)
    graph, path, loop_start = _depth_first(model, True, who, max_states=max_states,
                                           progress=progress)
    states = graph.states
    cyclic = 0
    longest: int | None = None
    stem_edges: list[tuple[Action, int]] = []
    loop_edges: list[tuple[Action, int]] = []
    if path is not None:
        stem_edges, loop_edges = path[:loop_start], path[loop_start:]
        cyclic = 1  # at least: the search stopped at the first one
    elif graph.complete and graph.back_edges == 0:
        longest = longest_run(graph.edges)  # no cycle: every run chooses
    elif graph.complete:
        comp = components(graph.edges)
        size: dict[int, int] = {}
        for c in comp:
            size[c] = size.get(c, 0) + 1
        cyclic_set = {c for c, k in size.items() if k > 1}
        cyclic_set |= {comp[v] for v, out in enumerate(graph.edges) if any(w == v for _, w in out)}
        cyclic = len(cyclic_set)
        for v in breadth_first_order(graph.edges):  # the first has the shortest stem
            if comp[v] in cyclic_set:
                loop = shortest_loop(graph.edges, comp, v, who)
                if loop is not None:
                    stem_edges, loop_edges = shortest_path(graph.edges, v), loop
                    break

    dead_ends = sum(1 for out in graph.edges if not out) if path is None and graph.complete \
        else None

    def abstract(edges: list[tuple[Action, int]]) -> _Path:
        return _Path(tuple((a[0], a[1] if a[0] == "propose" else None, states[w])
                           for a, w in edges))

    stem_path, loop_path = abstract(stem_edges), abstract(loop_edges)
    both, _ = _concrete(model, stem_path.edges + loop_path.edges)
    return DuelResult(
        acceptors=acceptors, proposers=proposers, may_propose=allowed, states=len(states),
        transitions=graph.transitions, cyclic_components=cyclic, longest_run=longest,
        dead_ends=dead_ends,
        complete=graph.complete or path is not None, seconds=time.perf_counter() - start,
        stem=both[:len(stem_edges)], loop=both[len(stem_edges):], cluster=cluster,
        _model=model, _stem=stem_path, _loop=loop_path)


def find_bounded_duel(max_ballot: int, acceptors: int = 3, proposers: int = 2,
                      shortest: bool = False) -> BoundedDuel:
    """A schedule, with proposal numbers at most ``max_ballot``, that uses every
    number 0..``max_ballot``, chooses nothing, and leaves only the last
    proposal's messages in flight (every earlier proposal is over: its prepare
    requests were answered or overtaken, its accept requests ignored).

    Searches the concrete states (numbers as the agents pick them, proposers
    patient). By default depth first, proposals tried first: the first such
    schedule it meets, in a few dozen states, not always the shortest. With
    ``shortest``, breadth first: the shortest schedule, at a cost that grows
    fast with ``max_ballot`` (see ``benchmarks/livelock.py``). Raises
    ``ValueError`` naming a bad parameter (``max_ballot`` 0..12, ``acceptors``
    1..5, ``proposers`` 1..3).
    """
    cluster, allowed = _validate(acceptors, proposers, None)
    if isinstance(max_ballot, bool) or not isinstance(max_ballot, int) or \
            not 0 <= max_ballot <= MAX_BALLOT:
        raise ValueError(f"max_ballot must be an integer from 0 to {MAX_BALLOT}, "
                         f"got {max_ballot!r}")
    start = time.perf_counter()
    model = _DuelModel(cluster, allowed, max_ballot)
    slots = model.proposer_slots
    wanted = set(range(max_ballot + 1))

    def goal(state: State) -> bool:
        used: set[int] = set()
        for i, slot in enumerate(slots):
            tried = model.agent(state, slot).highest_tried
            if tried is not None:
                used.update(range(i, tried.natural + 1, proposers))
        return wanted <= used and all(model.info[mid].n.natural == max_ballot
                                      for mid in _bits(state[1]))

    path: list[tuple[Action, State]]
    if shortest:
        explored, path = _breadth_first_goal(model, goal)
    else:
        graph, found, _ = _depth_first(model, False, frozenset(allowed), goal=goal)
        explored = len(graph.states)
        path = [(action, graph.states[w]) for action, w in found or []]
    edges = tuple((action[0], action[1] if action[0] == "propose" else None, target)
                  for action, target in path)
    schedule, numbers = _concrete(model, edges, canonical=False)
    return BoundedDuel(acceptors=acceptors, proposers=proposers, max_ballot=max_ballot,
                       states=explored, seconds=time.perf_counter() - start,
                       schedule=schedule, numbers=numbers, cluster=cluster)


def _breadth_first_goal(model: _DuelModel, goal: Any) -> tuple[int, list[tuple[Action, State]]]:
    """The shortest path (concrete states) from the initial state to one where
    ``goal`` holds and nothing is chosen; (states explored, path)."""
    parent: dict[State, tuple[State, Action] | None] = {model.initial: None}
    queue = deque([model.initial])
    found: State | None = None
    while queue and found is None:
        state = queue.popleft()
        for action, nxt in model.successors(state, canonical=False):
            if nxt is CHOSEN or nxt in parent:
                continue
            parent[nxt] = (state, action)
            if goal(nxt):
                found = nxt
                break
            queue.append(nxt)
    path: list[tuple[Action, State]] = []
    at = found
    while at is not None and parent[at] is not None:
        prev, action = parent[at]  # type: ignore[misc]
        path.append((action, at))
        at = prev
    return len(parent), path[::-1]
