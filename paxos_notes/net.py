"""One simulated world for both protocols: §2.1's network and failures.

§2.1 lets agents "operate at arbitrary speed, may fail by stopping, and may
restart", and messages "can take arbitrarily long to be delivered, can be
duplicated, and can be lost, but they are not corrupted." `World` makes each
of those happen, reproducibly: one `random.Random`, seeded by the caller,
decides every delay, loss, duplicate and crash, so the same seed gives the
same trace, byte for byte.

The world knows nothing of Paxos. It keeps the clock, the queue of timed
events, the messages in flight (`Pending`), the partitions and the counts of
delivered, dropped and duplicated messages; it delivers, drops, duplicates,
crashes and restarts the same way for every protocol. A protocol's simulator
subclasses it and supplies only

- ``_receive(message)``: apply the receiver's handler to a delivered message;
- ``_crashed(name, node)`` / ``_restarted(name, node)``: what to record when a
  node stops or starts again (its storage, what it replayed, ...);
- ``_on_<kind>(ref)``: its own timers (a proposer's timeout, an election, ...);
- ``_meta()``: the trace's header.

Used by `paxos_notes.sim` (single-decree Paxos, §2) and
`paxos_notes.multipaxos.sim` (the replicated state machine, §3).

Two ways to drive a world: automatically (`World.step`, `World.run` pop the
time-ordered queue) or by hand (``manual=True``: `pending` lists the messages
in flight and `deliver`, `drop`, `duplicate`, `crash`, `restart`,
`partition` and `heal` act on them) — the feature DSLabs' visual debugger and
RaftScope's fault menu give their readers.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Protocol

from .trace import Event, Trace

_tuple_new = tuple.__new__

#: Why a message was dropped as it was sent (``network.loss``): a trace's loader
#: (`paxos_notes.trace_replay`) knows such a drop by it.
LOST = "lost by the network"

# -- validating parameters --------------------------------------------------------------


def probability(name: str, p: object) -> float:
    """``p`` as a float in 0..1, or a ValueError naming ``name``."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in 0..1, got {p!r}")
    return float(p)


def interval(name: str, r: object, *, low_positive: bool = False,
             high_positive: bool = False) -> tuple[float, float]:
    """``r`` as a pair ``(low, high)`` with ``0 <= low <= high < inf`` (``0 < low``
    with ``low_positive``; ``0 < high`` with ``high_positive``)."""
    try:
        lo, hi = (float(x) for x in r)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {r!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi < lo \
            or (low_positive and lo <= 0):
        bound = "0 < low" if low_positive else "0 <= low"
        raise ValueError(f"{name} must satisfy {bound} <= high < inf, got {r!r}")
    if high_positive and hi <= 0:
        raise ValueError(f"{name} must have high > 0, got {r!r}")
    return lo, hi


def positive(name: str, v: object) -> float:
    """``v`` as a float in (0, inf), or a ValueError naming ``name``."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf:
        raise ValueError(f"{name} must be a number in (0, inf), got {v!r}")
    return float(v)


def at_least_zero(name: str, v: object, *, finite: bool = True) -> float:
    """``v`` as a float >= 0 (and < inf when ``finite``)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0 \
            or (finite and v == math.inf):
        allowed = "in [0, inf)" if finite else ">= 0"
        raise ValueError(f"{name} must be a number {allowed}, got {v!r}")
    return float(v)


# -- the network's fault rates --------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Fault rates for automatic mode. All zero: a perfect, slow network.

    - ``loss``, ``duplication``: probability per message, in 0..1;
    - ``delay``: (low, high), each delivery takes a uniform time in it;
      ``link_delay`` overrides it for chosen ``(sender, receiver)`` links;
    - ``crash_rate``: expected crashes per unit of time, all nodes together,
      >= 0; a crashed node restarts after a time uniform in ``restart_delay``;
    - ``faults_until``: after this time no more loss, duplication or crashes
      (so liveness can be checked once the network behaves).
    """

    loss: float = 0.0
    duplication: float = 0.0
    delay: tuple[float, float] = (1.0, 3.0)
    link_delay: tuple[tuple[tuple[str, str], tuple[float, float]], ...] = ()
    crash_rate: float = 0.0
    restart_delay: tuple[float, float] = (5.0, 15.0)
    faults_until: float = math.inf

    def __post_init__(self) -> None:
        probability("loss", self.loss)
        probability("duplication", self.duplication)
        interval("delay", self.delay)
        for link, r in self.link_delay:
            interval(f"link_delay[{link}]", r)
        at_least_zero("crash_rate", self.crash_rate)
        interval("restart_delay", self.restart_delay, high_positive=True)
        at_least_zero("faults_until", self.faults_until, finite=False)


# -- messages in flight ------------------------------------------------------------------


class Pending(NamedTuple):
    """A message in flight. ``due`` is its delivery time (automatic mode only).

    A named tuple rather than a frozen dataclass: one is made for every message
    sent, and a tuple is several times cheaper to build (issue #11's speed).
    """

    id: int
    message: Any
    due: float = 0.0

    def describe(self) -> str:
        m = self.message
        return f"#{self.id} {m.sender}→{m.receiver}: {m.describe()}"


class Node(Protocol):
    """What the world needs of an agent or a server: it can stop and start again."""

    @property
    def up(self) -> bool: ...

    def crash(self) -> Any: ...

    def restart(self) -> Any: ...


# -- the world -----------------------------------------------------------------------------


class World:
    """The clock, the network and the failures of one simulated run.

    ``nodes`` are the participants that can crash (a protocol's agents or
    servers), keyed by name; the world replaces a node in that dict when it
    crashes or restarts. Messages to a receiver that is not a node (a
    multi-Paxos client) are never lost to a crash or a partition: partitions
    cut links between nodes.
    """

    NODE: ClassVar[str] = "a node"  # how a bad name is reported: "name must be a node, ..."
    EVENT: ClassVar[type[Event]] = Event  # the protocol's event record
    trace: Trace

    def __init__(self, *, seed: int, network: Network, manual: bool, record: bool,
                 nodes: dict[str, Node]) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        self.seed = seed
        self.network = network
        self.manual = manual
        self.record = record
        self.rng = random.Random(seed)
        self._nodes = nodes
        self.now = 0.0
        self._stamped, self._stamp = 0.0, 0.0  # `now`, and it rounded for the trace
        self.steps = 0
        self._next_id = 0
        self._seq = 0
        # A timed event is a plain tuple (time, seq, kind, ref): the heap then
        # compares tuples in C, and seq breaks ties in scheduling order.
        self._queue: list[tuple[float, int, str, Any]] = []
        self.in_flight: dict[int, Pending] = {}
        self.partitions: tuple[frozenset[str], ...] = ()
        self.delivered = self.dropped = self.duplicated = 0
        self._delays = dict(network.link_delay)
        #: True when the last run stopped at its ``max_steps`` with events still
        #: due before its ``until``: the run is cut short, not finished.
        self.stopped_at_max_steps = False

    # -- recording --------------------------------------------------------------------------
    def _event(self, kind: str, agent: str = "", message: Any = None,
               msg_id: int | None = None, detail: str = "",
               state: dict[str, Any] | None = None) -> None:
        if not self.record:
            return
        # This runs for every message sent and delivered, so it is kept cheap: the
        # time is rounded once per tick of the clock (round() to 6 places is slow),
        # and tuple.__new__ skips Event's constructor, which would round it again.
        if self.now != self._stamped:
            self._stamped = self.now
            self._stamp = round(self.now, 6)
        self.trace.events.append(_tuple_new(self.EVENT, (
            self.steps, self._stamp, kind, agent, message, msg_id, detail, state)))

    def _schedule(self, delay: float, kind: str, ref: Any) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay, self._seq, kind, ref))

    def _node(self, name: str) -> Any:
        node = self._nodes.get(name) if isinstance(name, str) else None
        if node is None:
            raise ValueError(f"name must be {self.NODE}, one of {sorted(self._nodes)}, "
                             f"got {name!r}")
        return node

    def partitioned(self, a: str, b: str) -> bool:
        """Is the link between ``a`` and ``b`` cut? Only links between nodes are."""
        if not self.partitions or a not in self._nodes or b not in self._nodes:
            return False
        return not any(a in g and b in g for g in self.partitions)

    # -- the network ------------------------------------------------------------------------
    def pending(self) -> list[Pending]:
        """Messages in flight, oldest first."""
        return [self.in_flight[k] for k in sorted(self.in_flight)]

    def _pending(self, msg_id: int) -> Pending:
        if msg_id not in self.in_flight:
            raise ValueError(f"msg_id must be one of the pending ids {sorted(self.in_flight)}, "
                             f"got {msg_id!r}")
        return self.in_flight[msg_id]

    def _take(self, msg_id: int) -> Pending:
        p = self._pending(msg_id)
        del self.in_flight[msg_id]
        return p

    def _put_in_flight(self, m: Any, kind: str = "send") -> None:
        """A message (``kind`` "send") or a copy of one ("duplicate") enters the
        network: lost, or delayed, and perhaps duplicated, by ``network``'s rates.

        The random draws come in a fixed order — loss, delay, duplication — so
        that a seed keeps giving the same run.
        """
        self._next_id += 1
        mid = self._next_id
        if self.record:  # tested before the call too: this runs for every message
            self._event(kind, m.sender, m, mid)
        if self.manual:
            self.in_flight[mid] = Pending(mid, m)
            return
        net = self.network
        faulty = self.now < net.faults_until
        random = self.rng.random
        if faulty and net.loss and random() < net.loss:
            self.dropped += 1
            self._event("drop", m.sender, m, mid, LOST)
            return
        lo, hi = self._delays.get((m.sender, m.receiver), net.delay) if self._delays \
            else net.delay
        # rng.uniform(lo, hi), written out: the same formula and the same draw,
        # without a Python call per message
        due = self.now + (lo + (hi - lo) * random())
        self.in_flight[mid] = _tuple_new(Pending, (mid, m, due))  # Pending(mid, m, due), faster
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, "deliver", mid))
        if kind == "send" and faulty and net.duplication and random() < net.duplication:
            self.duplicated += 1
            self._put_in_flight(m, "duplicate")

    def _lose(self, p: Pending, why: str) -> None:
        self.dropped += 1
        # the id lets a viewer take the message out of flight
        self._event("drop", p.message.receiver, p.message, p.id, why)

    def _deliver(self, p: Pending) -> None:
        m = p.message
        if self.partitions and self.partitioned(m.sender, m.receiver):
            self._lose(p, "partitioned")
            return
        node = self._nodes.get(m.receiver)
        if node is not None and not node.up:
            self._lose(p, "receiver is down")
            return
        self.delivered += 1
        if self.record:
            self._event("deliver", m.receiver, m, p.id)
        self._receive(m, node)

    def _receive(self, m: Any, node: Any) -> None:
        """Apply the receiver's handler to ``m`` (the protocol's part). ``node``:
        the receiver, if it is one of the world's nodes (else None)."""
        raise NotImplementedError

    # -- actions, by hand or by a script --------------------------------------------------------
    def deliver(self, msg_id: int) -> None:
        """Deliver one pending message now."""
        p = self._take(msg_id)
        self.steps += 1
        self._deliver(p)

    def drop(self, msg_id: int) -> None:
        """Lose one pending message."""
        p = self._take(msg_id)
        self.steps += 1
        self._lose(p, "dropped")

    def duplicate(self, msg_id: int) -> None:
        """Put a second copy of a pending message in flight."""
        p = self._pending(msg_id)
        self.steps += 1
        self.duplicated += 1
        self._put_in_flight(p.message, "duplicate")

    def crash(self, name: str) -> None:
        """Stop a node: it loses what is not on stable storage."""
        self._node(name)
        self.steps += 1
        self._crash(name)

    def restart(self, name: str) -> None:
        """Start a stopped node again from its stable storage."""
        self._node(name)
        self.steps += 1
        self._restart(name)

    def _crash(self, name: str) -> None:
        node = self._nodes[name]
        if node.up:
            self._nodes[name] = new = node.crash()
            self._crashed(name, new)

    def _restart(self, name: str) -> None:
        node = self._nodes[name]
        if not node.up:
            self._nodes[name] = new = node.restart()
            self._restarted(name, new)

    def _crashed(self, name: str, node: Any) -> None:
        self._event("crash", name)

    def _restarted(self, name: str, node: Any) -> None:
        self._event("restart", name)

    def partition(self, *groups: Iterable[str]) -> None:
        """Split the network: messages between nodes flow only within a group
        (a node in no group is cut off from every other). `heal` joins it again."""
        gs = tuple(frozenset(g) for g in groups)
        for g in gs:
            for name in g:
                self._node(name)
        self.partitions = gs
        self._event("partition", detail=" | ".join(",".join(sorted(g)) for g in gs))

    def heal(self) -> None:
        """Join every partition again."""
        self.partitions = ()
        self._event("heal")

    # -- automatic mode ---------------------------------------------------------------------------
    def step(self) -> bool:
        """Process the next scheduled event. False when nothing is left."""
        if self.manual:
            raise ValueError("step() is for automatic mode; this simulation is manual=True")
        queue = self._queue
        while queue:
            time, _, kind, ref = heapq.heappop(queue)
            if kind == "deliver":
                p = self.in_flight.pop(ref, None)
                if p is None:
                    continue  # a manual action took it out of flight already
                self.now = time
                self.steps += 1
                self._deliver(p)
            else:
                self.now = time
                self.steps += 1
                getattr(self, "_on_" + kind)(ref)
            return True
        return False

    def _run(self, until: float, max_steps: int, stop: Callable[[], bool] | None = None,
             progress: Callable[[], None] | None = None) -> None:
        """Step until simulated time ``until``, ``max_steps`` steps, nothing left, or
        ``stop()``; call ``progress()`` every 1000 steps and at the end."""
        if isinstance(until, bool) or not isinstance(until, (int, float)) or not until >= 0:
            raise ValueError(f"until must be a number >= 0, got {until!r}")
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        budget = max_steps
        queue = self._queue
        while budget and queue and queue[0][0] <= until:
            if stop is not None and stop():
                break
            if not self.step():
                break
            budget -= 1
            if progress is not None and budget % 1000 == 0:
                progress()
        self.stopped_at_max_steps = (budget == 0 and bool(queue) and queue[0][0] <= until
                                     and not (stop is not None and stop()))
        if progress is not None:
            progress()

    # failures, in automatic mode
    def _schedule_crash(self) -> None:
        """Draw when the next random crash comes (``network.crash_rate``)."""
        self._schedule(self.rng.expovariate(self.network.crash_rate), "crash", None)

    def _on_crash(self, _: None) -> None:
        if not self.now < self.network.faults_until:
            return
        up = [name for name, node in self._nodes.items() if node.up]
        if up:
            victim = self.rng.choice(up)
            self._crash(victim)
            self._schedule(self.rng.uniform(*self.network.restart_delay), "restart", victim)
        self._schedule_crash()

    def _on_restart(self, name: str) -> None:
        self._restart(name)

    def _on_recover(self, _: None) -> None:
        """The faults stop: heal every partition and restart every crashed node.
        (A protocol that wants this schedules "recover" at ``faults_until``.)"""
        if self.partitions:
            self.heal()
        for name, node in list(self._nodes.items()):
            if not node.up:
                self._restart(name)
