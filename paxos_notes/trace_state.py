"""What a trace says the agents know, after any number of its events (§2.1, §2.2, §2.3).

A `paxos_notes.trace.Trace` lists what happened; a reader stepping through it
wants what those events add up to at each moment. `TraceState(trace).at(k)` is
that moment after the first ``k`` events, as a `Snapshot`: which agents are
up, which messages are in flight (by ``msg_id``), each acceptor's stable
storage (§2.2: "the highest-numbered proposal that it has ever accepted and the
number of the highest-numbered prepare request to which it has responded"),
each proposer's request in progress, each learner's value, the proposals chosen
so far, the violations, the partition.

What a crash loses is not written down here a second time. For every agent the
fold keeps a record of the agent's own class from `paxos_notes.agents`,
holding what the trace shows of it, and a crash or a restart calls that
record's own ``crash()`` / ``restart()``: a learner forgets what it learned,
a proposer its proposal in progress, an acceptor keeps its storage — because
that is what `agents.py` says. Where the simulator recorded an acceptor's
storage after the event (`Event.state`), that record wins: a variant whose
acceptor forgets more (amnesia) shows what it really kept.

Memory grows linearly with the trace, not with its square: a full copy of
the fold (a keyframe) is kept only once at least as many events have passed
since the last one as the copy holds entries, and `TraceState.at` replays
the few events between the keyframe before ``k`` and ``k``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .agents import Acceptor, AcceptorStorage, Agent, Learner, Proposer, replace
from .ballots import Allocator
from .messages import Accept, Accepted, Chosen, Message, Prepare, Promise, Proposal
from .quorums import Majority
from .trace import Event, Trace

ROLES = ("proposer", "acceptor", "learner", "agent")
NOTABLE = ("propose", "crash", "restart", "chosen", "learned", "violation", "drop",
           "duplicate", "partition", "heal")
#: Fewest events between two keyframes: a step back replays at most this many
#: events (or as many as the fold holds entries, when that is more).
MIN_GAP = 32
CACHED = 8  # snapshots kept at hand: stepping back and forth does not replay


@dataclass(frozen=True)
class Snapshot:
    """What the trace says after its first ``cursor`` events.

    ``agents`` holds a record of each proposer, acceptor and learner (their
    classes from `paxos_notes.agents`) with what the trace shows of it;
    `promised`, `accepted`, `learned` and `request` read it.
    """

    cursor: int
    up: Mapping[str, bool]
    in_flight: Mapping[int, Message]
    agents: Mapping[str, Agent]
    requests: Mapping[str, Prepare | Accept]
    chosen: str = ""
    violations: tuple[str, ...] = ()
    partition: str = ""
    last: Event | None = None
    recent: Event | None = None  # the deliver/drop that caused ``last`` (same step)

    @cached_property
    def promised(self) -> dict[str, Any]:
        """Acceptor -> the number of the highest prepare it answered (or None)."""
        return {n: a.promised for n, a in self.agents.items() if isinstance(a, Acceptor)}

    @cached_property
    def accepted(self) -> dict[str, Proposal | None]:
        """Acceptor -> the highest-numbered proposal it accepted (or None)."""
        return {n: a.accepted for n, a in self.agents.items() if isinstance(a, Acceptor)}

    @cached_property
    def learned(self) -> dict[str, str | None]:
        """Learner -> the value it learned (or None)."""
        return {n: a.learned.value if a.learned else None for n, a in self.agents.items()
                if isinstance(a, Learner)}

    def request(self, proposer: str) -> Prepare | Accept | None:
        """The prepare or accept request of ``proposer``'s proposal in progress, if any."""
        agent = self.agents.get(proposer)
        if not isinstance(agent, Proposer) or agent.number is None:
            return None  # idle, or its crash lost the proposal
        return self.requests.get(proposer)

    def size(self) -> int:
        """How many entries this snapshot holds (what a copy of it costs)."""
        return len(self.up) + len(self.in_flight) + len(self.agents) + len(self.requests) \
            + len(self.violations)


def roles(trace: Trace) -> dict[str, str]:
    """Each agent's role, from the trace header, else from the messages it sent."""
    out: dict[str, str] = {}
    meta = trace.meta if isinstance(trace.meta, dict) else {}
    for key, role in (("proposers", "proposer"), ("acceptors", "acceptor"),
                      ("learners", "learner")):
        names = meta.get(key)
        if isinstance(names, list):
            for n in names:
                if isinstance(n, str):
                    out.setdefault(n, role)
    for e in trace.events:
        m = e.message
        if m is not None:
            if isinstance(m, Prepare | Accept):
                out.setdefault(m.sender, "proposer")
                out.setdefault(m.receiver, "acceptor")
            elif isinstance(m, Promise):
                out.setdefault(m.sender, "acceptor")
                out.setdefault(m.receiver, "proposer")
            elif isinstance(m, Accepted):
                out.setdefault(m.sender, "acceptor")
                out.setdefault(m.receiver, "learner")
    for e in trace.events:  # agents that never sent a telling message
        for name in _names(e):
            out.setdefault(name, "agent")
    order = {r: i for i, r in enumerate(ROLES)}
    return dict(sorted(out.items(), key=lambda kv: (order[kv[1]], _natural_key(kv[0]))))


def _names(e: Event) -> tuple[str, ...]:
    m = e.message
    return tuple(n for n in (e.agent, *((m.sender, m.receiver) if m else ())) if n)


def _natural_key(name: str) -> tuple[str, int]:
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    return head, int(tail) if tail else -1


def _records(roles: Mapping[str, str]) -> dict[str, Agent]:
    """A fresh record per agent of a known role. Their quorum system and number
    allocator are placeholders: the fold never runs a handler on them, it only
    stores what the trace shows and asks them to crash and restart."""
    acceptors = tuple(n for n, r in roles.items() if r == "acceptor") or ("a1",)
    quorums = Majority(acceptors)
    out: dict[str, Agent] = {}
    for name, role in roles.items():
        if role == "acceptor":
            out[name] = Acceptor(name)
        elif role == "proposer":
            out[name] = Proposer(name, 0, "", quorums, Allocator(1))
        elif role == "learner":
            out[name] = Learner(name, quorums)
    return out


class _Fold:
    """The state after some events, mutable: `apply` one more event, `snapshot` it."""

    def __init__(self, roles: Mapping[str, str]) -> None:
        self.cursor = 0
        self.up: dict[str, bool] = dict.fromkeys(roles, True)
        self.agents = _records(roles)
        self.requests: dict[str, Prepare | Accept] = {}
        self.in_flight: dict[int, Message] = {}
        self.last_delivered: dict[str, Message] = {}
        self.chosen = ""
        self.violations: tuple[str, ...] = ()
        self.partition = ""
        self.last: Event | None = None
        self.recent: Event | None = None
        self.structured = False  # the trace records acceptor storage on its events

    def copy(self) -> _Fold:
        new = object.__new__(_Fold)
        new.__dict__.update(self.__dict__)
        for name in ("up", "agents", "requests", "in_flight", "last_delivered"):
            setattr(new, name, dict(getattr(self, name)))
        return new

    def size(self) -> int:
        return len(self.up) + len(self.agents) + len(self.requests) + len(self.in_flight) \
            + len(self.last_delivered) + len(self.violations)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.cursor, dict(self.up), dict(self.in_flight), dict(self.agents),
                        dict(self.requests), self.chosen, self.violations, self.partition,
                        self.last, self.recent)

    def _store(self, name: str, promised: Any, accepted: Proposal | None) -> None:
        acceptor = self.agents.get(name)
        if isinstance(acceptor, Acceptor):
            self.agents[name] = replace(acceptor, stable=AcceptorStorage(promised, accepted),
                                        unsaved=None)

    def apply(self, e: Event) -> None:
        self.cursor += 1
        self.last = e
        m = e.message
        kind = e.kind
        st = e.state or {}
        if kind in ("deliver", "drop") and m is not None:
            self.recent = e
        elif self.recent is not None and self.recent.step != e.step:
            self.recent = None
        if kind in ("send", "duplicate") and m is not None:
            if e.msg_id is not None:
                self.in_flight[e.msg_id] = m
            if kind == "send":
                self._sent(m)
        elif kind == "deliver" and m is not None:
            if e.msg_id is not None:
                self.in_flight.pop(e.msg_id, None)
            self.last_delivered[m.receiver] = m
        elif kind == "drop":
            if e.msg_id is not None:
                self.in_flight.pop(e.msg_id, None)
        elif kind in ("crash", "restart") and e.agent:
            self.up[e.agent] = kind == "restart"
            agent = self.agents.get(e.agent)
            if agent is not None:  # what it keeps is its own class's business
                self.agents[e.agent] = agent.crash() if kind == "crash" else agent.restart()
        elif kind == "accept" and e.agent and "accepted" not in st:
            # Older traces: "accept" follows the delivery of the Accept it accepts.
            got = self.last_delivered.get(e.agent)
            acceptor = self.agents.get(e.agent)
            if isinstance(got, Accept) and isinstance(acceptor, Acceptor):
                self._store(e.agent, acceptor.promised, Proposal(got.n, got.value))
        elif kind == "learned" and e.agent:
            learned = st.get("learned")
            got = self.last_delivered.get(e.agent)
            if learned is None and isinstance(got, Accepted | Chosen):
                learned = Proposal(got.n, got.value)  # older traces: what it just heard
            learner = self.agents.get(e.agent)
            if learned is not None and isinstance(learner, Learner):
                self.agents[e.agent] = replace(learner, learned=learned)
        elif kind == "chosen":
            self.chosen = e.detail
        elif kind == "violation":
            self.violations = (*self.violations, e.detail)
        elif kind == "partition":
            self.partition = e.detail
        elif kind == "heal":
            self.partition = ""
        if e.agent and "promised" in st:  # the simulator's own record of an acceptor
            self.structured = True
            self._store(e.agent, st["promised"], st.get("accepted"))

    def _sent(self, m: Message) -> None:
        agent = self.agents.get(m.sender)
        if isinstance(m, Prepare | Accept):
            if isinstance(agent, Proposer):
                proposal = Proposal(m.n, m.value) if isinstance(m, Accept) else None
                self.agents[m.sender] = replace(agent, phase="2" if proposal else "1",
                                                number=m.n, proposal=proposal)
            self.requests[m.sender] = m
        elif self.structured or not isinstance(agent, Acceptor):
            return  # the acceptor's own events already said what it stores
        elif isinstance(m, Promise):
            self._store(m.sender, m.n, m.accepted)
        elif isinstance(m, Accepted):
            self._store(m.sender, agent.promised, Proposal(m.n, m.value))


class TraceState:
    """A trace folded once, read at any cursor: ``at(k)`` is the `Snapshot` after
    ``k`` events. `extend` folds events appended since (a live simulation's
    trace grows as the reader acts)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.roles = roles(trace)
        self._tail = _Fold(self.roles)  # the state after every event folded so far
        self._keyframes: list[_Fold] = [self._tail.copy()]
        self._key_cursors: list[int] = [0]
        self._walk: _Fold | None = None  # a fold moving forward with the reader
        self._cache: OrderedDict[int, Snapshot] = OrderedDict()
        self.extend()

    def __len__(self) -> int:
        return self._tail.cursor

    def extend(self) -> None:
        """Fold any events appended to the trace since the last call."""
        events = self.trace.events
        tail = self._tail
        for i in range(tail.cursor, len(events)):
            e = events[i]
            for name in _names(e):
                if name not in self.roles:  # an agent the header did not list
                    self.roles[name] = "agent"
                    tail.up[name] = True
            tail.apply(e)
            if tail.cursor - self._key_cursors[-1] >= max(MIN_GAP, tail.size()):
                self._keyframes.append(tail.copy())
                self._key_cursors.append(tail.cursor)

    def at(self, cursor: int) -> Snapshot:
        """The state after the first ``cursor`` events."""
        if isinstance(cursor, bool) or not isinstance(cursor, int) or \
                not 0 <= cursor <= len(self):
            raise ValueError(f"cursor must be in 0..{len(self)}, got {cursor!r}")
        snap = self._cache.get(cursor)
        if snap is not None:
            self._cache.move_to_end(cursor)
            return snap
        snap = self._fold_to(cursor).snapshot()
        self._cache[cursor] = snap
        if len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return snap

    def _fold_to(self, cursor: int) -> _Fold:
        if cursor == len(self):
            return self._tail
        k = bisect_right(self._key_cursors, cursor) - 1
        walk = self._walk
        # Walking on from where the reader was is cheaper than copying a keyframe.
        if walk is None or not self._key_cursors[k] <= walk.cursor <= cursor:
            walk = self._walk = self._keyframes[k].copy()
        events = self.trace.events
        while walk.cursor < cursor:
            walk.apply(events[walk.cursor])
        return walk

    def footprint(self) -> int:
        """Entries held (agents, messages in flight, ...) over every keyframe, cached
        snapshot and working fold: linear in the length of the trace."""
        folds = [*self._keyframes, self._tail, *([self._walk] if self._walk else [])]
        return sum(f.size() for f in folds) + sum(s.size() for s in self._cache.values())

    def notable(self) -> list[tuple[str, int]]:
        """(label, cursor) for events worth jumping to."""
        out = []
        for i, e in enumerate(self.trace.events[: len(self)]):
            if e.kind in NOTABLE:
                out.append((f"{i + 1}: {e.describe()}"[:90], i + 1))
        return out


def fold(trace: Trace, cursor: int) -> Snapshot:
    """The state the first ``cursor`` events of ``trace`` describe."""
    return TraceState(trace).at(cursor)
