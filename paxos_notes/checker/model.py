"""The ``agents`` model: every reachable state of this project's own agents.

Not a re-model: a state is the tuple of `paxos_notes.agents` objects (frozen,
hashable) plus the set of every message ever sent, and a step is one call of
the agents' own handlers. As in Lamport's TLA+ specification, a message once
sent stays in the set and may be delivered at any time, any number of times,
or never — which covers loss, duplication and reordering at once.

Actions from a state:

- ``propose p``: proposer p starts phase 1 with its next number, if that
  number is at most ``max_ballot`` (the paper's natural number);
- ``deliver m``: any message in the set, to a receiver that is up;
- ``crash a`` / ``restart a`` for acceptors (or, in the variants that say so,
  for proposers), in the variants that explore failures.

The search is breadth-first with parent pointers, so the first violation found
is a shortest one. On every new state it checks the paper's three safety
requirements (§2.1) with the functions of `paxos_notes.invariants`, reading
"accepted" from the `Accepted` messages (every acceptance is announced to the
learners, so the set of messages is the history).
"""

from __future__ import annotations

import resource
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..agents import Acceptor, Agent, Learner, Proposer
from ..cluster import Cluster
from ..invariants import (
    ONLY_CHOSEN_LEARNED,
    ONLY_PROPOSED,
    SINGLE_VALUE,
    chosen_proposals,
)
from ..messages import Accepted, Message, Proposal
from ..script import Step, replay
from ..trace import Trace
from .variants import CRASHING, Variant, get_variant

State = tuple[tuple[int, ...], int, int]  # agent numbers, bitmask of messages sent, crashes
Action = tuple[str, Any]  # ("propose", name) | ("deliver", message) | ("crash", name) ...
Progress = Callable[[int, int, int, float], None]

MAX_BALLOT_LIMIT = 7
MAX_CRASHES = 4


@dataclass(frozen=True)
class AgentsResult:
    variant: str
    distinct_states: int
    states_generated: int
    depth: int
    seconds: float
    peak_memory_mb: float
    violation: str | None
    counterexample: tuple[Step, ...]
    chosen_values: tuple[str, ...]
    complete: bool
    cluster: Cluster = field(repr=False)

    @property
    def safe(self) -> bool:
        return self.violation is None

    def trace(self) -> Trace:
        """Replay the counterexample in the simulator (manual mode) as a `Trace`."""
        return replay(self.cluster, self.counterexample).trace

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "agents", "variant": self.variant,
            "distinct_states": self.distinct_states,
            "states_generated": self.states_generated, "depth": self.depth,
            "seconds": round(self.seconds, 3), "peak_memory_mb": round(self.peak_memory_mb, 1),
            "states_per_second": round(self.distinct_states / self.seconds) if self.seconds else 0,
            "violation": self.violation is not None, "rule": self.violation,
            "chosen_values": list(self.chosen_values), "complete": self.complete,
            "counterexample": [s.to_json() for s in self.counterexample],
        }


def _peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class AgentsModel:
    """States as small integers, so that the search hashes ints, not agents.

    Every distinct agent object and every distinct message gets a number the
    first time it appears. A state is (tuple of agent numbers, bitmask of
    message numbers). Handlers are pure, so the answer of an agent to a message
    is computed once and remembered by number.
    """

    def __init__(self, cluster: Cluster, max_crashes: int, max_ballot: int,
                 learners: bool = True, crashing: str = "acceptors") -> None:
        self.cluster = cluster
        self.crashes = Acceptor if crashing == "acceptors" else Proposer
        self.learners = learners
        self.max_crashes = max_crashes
        self.max_ballot = max_ballot
        self.quorums = cluster.quorum_system
        self.proposed = frozenset(cluster.proposal_values)
        agents = cluster.build()
        self.names = tuple(agents)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.is_learner = tuple(isinstance(a, Learner) for a in agents.values())
        self.agents: list[Agent] = []
        self._agent_ids: dict[Agent, int] = {}
        self.messages: list[Message] = []
        self._message_ids: dict[Message, int] = {}
        self.receiver_slot: list[int] = []
        self.accepted_mask = 0  # bits of Accepted messages
        self.initial: State = (tuple(self._aid(a) for a in agents.values()), 0, 0)
        self._deliver: dict[tuple[int, int], tuple[int, int]] = {}
        self._unary: dict[tuple[str, int], tuple[int, int] | None] = {}

    def _aid(self, agent: Agent) -> int:
        i = self._agent_ids.get(agent)
        if i is None:
            i = self._agent_ids[agent] = len(self.agents)
            self.agents.append(agent)
        return i

    def _mask(self, out: tuple[Message, ...]) -> int:
        mask = 0
        for m in out:
            i = self._message_ids.get(m)
            if i is None:
                i = self._message_ids[m] = len(self.messages)
                self.messages.append(m)
                # -1: a message the search never delivers (see `learners`)
                slot = self.index[m.receiver]
                if not self.learners and self.is_learner[slot]:
                    slot = -1
                self.receiver_slot.append(slot)
                if isinstance(m, Accepted):
                    self.accepted_mask |= 1 << i
            mask |= 1 << i
        return mask

    def deliver(self, aid: int, mid: int) -> tuple[int, int]:
        key = (aid, mid)
        hit = self._deliver.get(key)
        if hit is None:
            new, out = self.agents[aid].receive(self.messages[mid])
            hit = self._deliver[key] = (self._aid(new), self._mask(out))
        return hit

    def unary(self, kind: str, aid: int) -> tuple[int, int] | None:
        """propose / crash / restart / persist: an action on one agent."""
        key = (kind, aid)
        if key in self._unary:
            return self._unary[key]
        a = self.agents[aid]
        result: tuple[int, int] | None = None
        if kind == "propose":
            if isinstance(a, Proposer) and a.up:
                new, out = a.prepare()
                if new.number is not None and new.number.natural <= self.max_ballot:
                    result = (self._aid(new), self._mask(out))
        elif isinstance(a, self.crashes):
            if kind == "crash" and a.up:
                result = (self._aid(a.crash()), 0)
            elif kind == "persist" and isinstance(a, Acceptor) and a.up and a.unsaved is not None:
                result = (self._aid(a.persist()), 0)
            elif kind == "restart" and not a.up:
                result = (self._aid(a.restart()), 0)
        self._unary[key] = result
        return result

    def successors(self, state: State):
        aids, msgs, crashes = state
        kinds = ["propose"]
        if self.max_crashes:
            # No separate "persist" step: an unsaved write completes when the
            # acceptor next responds (`Acceptor._respond`) or is lost by a crash,
            # which keeps every crash window and far fewer interleavings.
            kinds.append("restart")
            if crashes < self.max_crashes:
                kinds.append("crash")
        for kind in kinds:
            c = crashes + (kind == "crash")
            for i, aid in enumerate(aids):
                r = self.unary(kind, aid)
                if r is not None:
                    yield (kind, self.names[i]), ((*aids[:i], r[0], *aids[i + 1:]),
                                                  msgs | r[1], c)
        rest, mid = msgs, 0
        while rest:
            if rest & 1 and self.receiver_slot[mid] >= 0:
                i = self.receiver_slot[mid]
                new, out = self.deliver(aids[i], mid)
                if new != aids[i] or out & ~msgs:  # else a self-loop: no new state
                    yield ("deliver", mid), ((*aids[:i], new, *aids[i + 1:]), msgs | out,
                                             crashes)
            rest >>= 1
            mid += 1

    def violation(self, parent: State, state: State) -> tuple[str, tuple[str, ...]] | None:
        """The paper's three requirements, re-judged only where the step changed something."""
        aids, msgs, _ = state
        new_acceptances = msgs & ~parent[1] & self.accepted_mask
        learners_changed = any(a != b for a, b in zip(aids, parent[0], strict=True))
        if not new_acceptances and not learners_changed:
            return None
        values = self.chosen_values(msgs)
        if len(values) > 1:
            return SINGLE_VALUE, values
        if any(v not in self.proposed for v in values):
            return ONLY_PROPOSED, values
        for aid in aids:
            a = self.agents[aid]
            if isinstance(a, Learner) and a.learned is not None and a.learned.value not in values:
                return ONLY_CHOSEN_LEARNED, values
        return None

    def resolve(self, action: Action) -> Action:
        kind, what = action
        return (kind, self.messages[what]) if kind == "deliver" else action

    def chosen_values(self, msgs: int) -> tuple[str, ...]:
        rest, mid, acceptances = msgs & self.accepted_mask, 0, []
        while rest:
            if rest & 1:
                m = self.messages[mid]
                acceptances.append((m.sender, Proposal(m.n, m.value)))
            rest >>= 1
            mid += 1
        return tuple(sorted({p.value for p in chosen_proposals(acceptances, self.quorums)}))


def check_agents(
    variant: str | Variant = "paper",
    *,
    acceptors: int | None = None,
    proposers: int | None = None,
    values: int | None = None,
    max_ballot: int | None = None,
    progress: Progress | None = None,
    max_states: int | None = None,
    max_crashes: int | None = None,
    learners: bool | None = None,
    crashing: str | None = None,
) -> AgentsResult:
    """Explore every reachable state of the agents under ``variant``.

    Returns the counts, and for a violation a shortest counterexample. Bounds
    default to the variant's own (3 acceptors, 2 proposers, numbers 0..1);
    ``crashing`` says which agents the ``max_crashes`` crashes may hit
    (``"acceptors"`` or ``"proposers"``).
    """
    v = get_variant(variant) if isinstance(variant, str) else variant
    cluster = v.cluster(acceptors, proposers, values)
    mb = v.max_ballot if max_ballot is None else max_ballot
    if not isinstance(mb, int) or not 0 <= mb <= MAX_BALLOT_LIMIT:
        raise ValueError(f"max_ballot must be in 0..{MAX_BALLOT_LIMIT}, got {mb!r}")
    if max_states is not None and max_states < 1:
        raise ValueError(f"max_states must be >= 1, got {max_states}")
    crashes = v.max_crashes if max_crashes is None else max_crashes
    if not isinstance(crashes, int) or not 0 <= crashes <= MAX_CRASHES:
        raise ValueError(f"max_crashes must be in 0..{MAX_CRASHES}, got {crashes!r}")
    crash_who = v.crashing if crashing is None else crashing
    if crash_who not in CRASHING:
        raise ValueError(f"crashing must be one of {CRASHING}, got {crash_who!r}")
    explore_learners = v.learners if learners is None else learners
    model = AgentsModel(cluster, crashes, mb, explore_learners, crash_who)
    start = time.perf_counter()
    init = model.initial
    parent: dict[State, tuple[State, Action] | None] = {init: None}
    depth_of = {init: 1}
    frontier = deque([init])
    generated = 1
    depth = 1
    found: State | None = None
    found_rule: str | None = None
    chosen_values: tuple[str, ...] = ()
    complete = True
    next_report = 0
    while frontier:
        state = frontier.popleft()
        d = depth_of.pop(state)
        for action, nxt in model.successors(state):
            generated += 1
            if nxt in parent:
                continue
            parent[nxt] = (state, action)
            depth_of[nxt] = d + 1
            depth = max(depth, d + 1)
            bad = model.violation(state, nxt)
            if bad is not None:
                found, (found_rule, chosen_values) = nxt, bad
                break
            frontier.append(nxt)
        if found is not None:
            break
        if progress is not None and len(parent) >= next_report:
            next_report = len(parent) + 5000
            progress(len(parent), depth, len(frontier), time.perf_counter() - start)
        if max_states is not None and len(parent) >= max_states:
            complete = False
            break
    seconds = time.perf_counter() - start
    steps: tuple[Step, ...] = ()
    if found is not None:
        path: list[tuple[Action, bool]] = []
        s = found
        while parent[s] is not None:
            prev, action = parent[s]  # type: ignore[misc]
            forgot = False
            if action[0] == "propose":  # name the number it chose, from the state after
                proposer = model.agents[s[0][model.index[action[1]]]]
                action = ("propose", (action[1], proposer.number))
            elif action[0] == "restart":  # say so when the restart lost stable storage
                i = model.index[action[1]]
                forgot = _forgot(model.agents[prev[0][i]], model.agents[s[0][i]])
            path.append((action, forgot))
            s = prev
        steps = tuple(describe_step(i + 1, model.resolve(a), forgot)
                      for i, (a, forgot) in enumerate(reversed(path)))
    if progress is not None:
        progress(len(parent), depth, len(frontier), seconds)
    if found is None:
        chosen_values = ()
    return AgentsResult(
        variant=v.name, distinct_states=len(parent), states_generated=generated, depth=depth,
        seconds=seconds, peak_memory_mb=_peak_mb(), violation=found_rule,
        counterexample=steps, chosen_values=chosen_values, complete=complete,
        cluster=cluster,
    )


def _forgot(before: Agent, after: Agent) -> bool:
    """Whether a restart lost what stable storage should have kept."""
    if isinstance(before, Acceptor) and isinstance(after, Acceptor):
        return after.stable != before.stable
    if isinstance(before, Proposer) and isinstance(after, Proposer):
        return after.highest_tried != before.highest_tried
    return False


def describe_step(number: int, action: Action, forgot: bool = False) -> Step:
    kind, what = action
    if kind == "deliver":
        m: Message = what
        return Step(number, kind, m.receiver, m,
                    f"{m.receiver} receives {m.describe()} from {m.sender}")
    if kind == "propose":
        name, ballot = what
        return Step(number, kind, name, None,
                    f"{name} starts phase 1 with proposal number {ballot}")
    words = {
        "crash": "crashes",
        "restart": ("restarts with nothing remembered (no stable storage)" if forgot
                    else "restarts from stable storage"),
        "persist": "writes its state to stable storage",
    }[kind]
    return Step(number, kind, what, None, f"{what} {words}")
