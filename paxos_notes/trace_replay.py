"""Loading a trace runs it again: the agents must do what the trace says they did (§2.1).

A trace file can be well formed and still tell of a run that could never
happen: a message delivered that nobody sent, an acceptor accepting below its
promise, two values chosen with no violation recorded, the clock going back.
`rederive` refuses such a file. It builds the agents the header names (their
classes looked up by name in `paxos_notes.cluster.AGENT_CLASSES`, never
evaluated) and walks the events with a manual-mode `Simulation` — the code
that wrote them. Each event that the world chooses (a proposer's timeout, a
delivery, a loss, a duplicate, a crash, a restart, a late write to storage, a
partition, a heal) is applied as that action; every other event (what an
agent sent, promised, accepted, learned, what was chosen, each violation of
§2.1's requirements) must be exactly what the agents' handlers and
`paxos_notes.invariants` give back, in the same order, at the same step and
time.

The first event that differs is named, with its number and the reason, in one
``ValueError`` line. The work is the simulation's own, so loading stays linear
in the length of the trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from .agents import Proposer
from .cluster import Cluster, agent_classes
from .messages import Message
from .net import LOST
from .processes import Placement, ProcessSimulation
from .quorums import Majority, QuorumSystem, from_spec
from .sim import Simulation
from .trace import Event, Trace, one_line

_tuple_new = tuple.__new__

#: Events the world chooses; every other event follows from one of these.
CAUSES = ("propose", "deliver", "drop", "duplicate", "crash", "restart", "persist",
          "partition", "heal")
#: A delivery that failed on arrival (`paxos_notes.net.World._deliver`).
FAILED_DELIVERY = ("partitioned", "receiver is down")
#: A message a reader (or a script) dropped by hand (`paxos_notes.net.World.drop`).
DROPPED = "dropped"


class _Stop(Exception):
    """A difference found at event ``index``: becomes the loader's ValueError."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(index, reason)
        self.index, self.reason = index, reason


def _what(e: Event) -> str:
    return f"{e.kind!r} ({e.describe()[:120]})"


def _short(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)[:80]


def _difference(got: Event, want: Event) -> str:
    """Why the trace's event ``got`` is not the event ``want`` the agents give."""
    if (got.kind, got.agent) != (want.kind, want.agent):
        return f"the trace has {_what(got)}, but the agents' handlers give {_what(want)} here"
    if got.message != want.message:
        return (f"the trace's {got.kind} carries {got.message!r:.120}, but the agents' "
                f"handlers give {want.message!r:.120}")
    if got.msg_id != want.msg_id:
        return (f"message id #{got.msg_id} should be #{want.msg_id} (ids count every "
                f"message put in flight)")
    if got.state != want.state:
        return (f"{got.agent or 'the run'}'s recorded {got.kind} state {_short(got.state)} is "
                f"not what the handlers give: {_short(want.state)}"[:300])
    if got.detail != want.detail:
        return f"detail {got.detail[:120]!r} should be {want.detail[:120]!r}"
    return (f"step {got.step} at time {got.time} should be step {want.step} at time "
            f"{want.time}, those of the event that caused it")


class _Replay:
    """Mixed into a manual `Simulation` (or `ProcessSimulation`): its recorder
    compares each event with the trace's instead of appending it, and the
    network's decisions (a loss, a duplicate as a message is sent) are read
    from the trace instead of drawn at random."""

    agents: dict[str, Any]
    in_flight: dict[int, Any]
    leader: str | None
    steps: int
    now: float
    dropped: int
    duplicated: int
    _next_id: int
    EVENT: type[Event]

    def __init__(self, events: list[Event], meta: dict[str, Any], cluster: Cluster,
                 **kwargs: Any) -> None:
        self._events = events
        self._cursor = 0
        # Messages in flight, by value, for a duplicate made by hand (which names no
        # id): counted from the first such duplicate on, as most traces have none.
        self._flying: Counter[Message] | None = None
        self._loss = meta.get("loss") != 0
        self._duplication = meta.get("duplication") != 0
        super().__init__(cluster, seed=0, manual=True, **kwargs)  # type: ignore[call-arg]

    def _meta(self) -> dict[str, Any]:
        return {}  # no header to write (and no quorums to list)

    # -- what the agents do, compared with what the trace says --------------------
    def _event(self, kind: str, agent: str = "", message: Any = None,
               msg_id: int | None = None, detail: str = "",
               state: dict[str, Any] | None = None) -> None:
        i = self._cursor
        # `now` is an event's time, rounded already: no need for Event's constructor
        want = _tuple_new(self.EVENT, (self.steps, self.now, kind, agent, message, msg_id,
                                       detail, state))
        if i >= len(self._events):
            raise _Stop(i, f"missing: the trace ends, but the agents' handlers go on with "
                           f"{_what(want)}")
        got = self._events[i]
        if got != want:
            self._known(i, got)  # an unknown name is the plainer reason
            raise _Stop(i, _difference(got, want))
        self._cursor = i + 1

    def _peek(self) -> Event | None:
        return self._events[self._cursor] if self._cursor < len(self._events) else None

    def _put_in_flight(self, m: Any, kind: str = "send") -> None:
        before = self._next_id
        super()._put_in_flight(m, kind)  # type: ignore[misc]
        mid = self._next_id
        if mid == before:
            return  # handed over inside a process: never in flight
        if self._flying is not None:
            self._flying[m] += 1
        nxt = self._peek()
        if nxt is None or nxt.step != self.steps:
            return
        # what the network did to it as it was sent, in the order `World` draws it
        if nxt.kind == "drop" and nxt.msg_id == mid and nxt.detail == LOST:
            if not self._loss:
                raise _Stop(self._cursor, "a message is lost by the network, but the "
                                          "header's loss rate is 0")
            self._take(mid)
            self.dropped += 1
            self._event("drop", m.sender, m, mid, LOST)
        elif kind == "send" and nxt.kind == "duplicate" and nxt.msg_id == mid + 1:
            if not self._duplication:
                raise _Stop(self._cursor, "the network duplicates a message as it is sent, "
                                          "but the header's duplication rate is 0")
            self.duplicated += 1
            self._put_in_flight(m, "duplicate")

    def _take(self, msg_id: int) -> Any:
        p = super()._take(msg_id)  # type: ignore[misc]
        if self._flying is not None:
            self._flying[p.message] -= 1
        return p

    # -- the world's choices, applied as actions ------------------------------------
    def replay(self) -> None:
        events = self._events
        time, step = 0.0, 0
        while self._cursor < len(events):
            i = self._cursor
            e = events[i]
            if e.time < time:
                raise _Stop(i, f"time {e.time} is before the previous event's time {time}: "
                               f"time runs backwards")
            if e.step < step:
                raise _Stop(i, f"step {e.step} comes after step {step}: steps run backwards")
            self._known(i, e)
            self.now, self.steps = e.time, e.step
            self._cause(i, e)
            if self._cursor == i:
                raise _Stop(i, f"{_what(e)} does not happen: the agents' run records nothing "
                               f"for it")
            time, step = e.time, e.step

    def _known(self, i: int, e: Event) -> None:
        names = self.agents
        if e.agent and e.agent not in names:
            raise _Stop(i, f"agent {e.agent[:64]!r} is not one of the header's agents")
        m = e.message
        if m is not None:
            for who in (m.sender, m.receiver):
                if who not in names:
                    raise _Stop(i, f"the message's {'sender' if who == m.sender else 'receiver'}"
                                   f" {who[:64]!r} is not one of the header's agents")

    def _in_flight(self, i: int, e: Event) -> None:
        """The message event ``e`` acts on must be in flight under its id."""
        p = self.in_flight.get(e.msg_id) if e.msg_id is not None else None
        if p is None:
            raise _Stop(i, f"{e.kind} of message #{e.msg_id}, which is not in flight: never "
                           f"sent, or already delivered or dropped")
        if p.message != e.message:
            raise _Stop(i, f"message #{e.msg_id} in flight is {p.message!r:.120}, "
                           f"not {e.message!r:.120}")

    def _cause(self, i: int, e: Event) -> None:
        kind, name = e.kind, e.agent
        if kind not in CAUSES or (kind in ("deliver", "drop") and e.msg_id is None):
            raise _Stop(i, f"{_what(e)} does not follow from the events before it: the "
                           f"agents' handlers do not produce it here")
        if kind == "propose":
            agent = self.agents.get(name)
            if not isinstance(agent, Proposer):
                raise _Stop(i, f"{name!r} proposes, but it is not a proposer")
            if not agent.up:
                raise _Stop(i, f"{name} proposes while it is down")
            if self.leader is not None and name != self.leader:
                raise _Stop(i, f"{name} proposes, but only the leader {self.leader} does "
                               f"in this run")
            self._propose(name, agent)  # type: ignore[attr-defined]
        elif kind == "deliver" or (kind == "drop" and e.detail in FAILED_DELIVERY):
            self._in_flight(i, e)
            self._deliver(self._take(e.msg_id))  # type: ignore[attr-defined]
        elif kind == "drop" and e.detail == DROPPED:
            self._in_flight(i, e)
            self._lose(self._take(e.msg_id), DROPPED)  # type: ignore[attr-defined]
        elif kind == "drop":
            raise _Stop(i, f"a message is {LOST} only as it is sent" if e.detail == LOST
                        else f"a drop must say why: {DROPPED!r}, {LOST!r} or one of "
                             f"{FAILED_DELIVERY}")
        elif kind == "duplicate":
            if self._flying is None:
                self._flying = Counter(p.message for p in self.in_flight.values())
            if not self._flying[e.message]:
                raise _Stop(i, f"duplicates {e.message!r:.120}, which is not in flight")
            self.duplicated += 1
            self._put_in_flight(e.message, "duplicate")
        elif kind in ("crash", "restart"):
            node = self.agents.get(name)
            if node is None:
                raise _Stop(i, f"{kind} must name an agent, got {name[:64]!r}")
            if node.up == (kind == "restart"):
                verb = "crashes" if kind == "crash" else "restarts"
                raise _Stop(i, f"{name} {verb} while it is already "
                               f"{'up' if node.up else 'down'}")
            (self._crash if kind == "crash" else self._restart)(name)  # type: ignore[attr-defined]
        elif kind == "persist":
            self._on_persist(name)  # type: ignore[attr-defined]
        elif kind == "partition":
            groups = [g.split(",") if g else [] for g in e.detail.split(" | ")] \
                if e.detail else []
            try:
                self.partition(*groups)  # type: ignore[attr-defined]
            except ValueError as err:
                raise _Stop(i, f"partition: {one_line(err)}") from None
        else:
            self.heal()  # type: ignore[attr-defined]


class _SimReplay(_Replay, Simulation):
    pass


class _ProcessReplay(_Replay, ProcessSimulation):
    pass


# -- the header: which agents ran -------------------------------------------------------


def _names(meta: dict[str, Any], key: str) -> list[str]:
    v = meta.get(key)
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError(f"{key} must be a list of the cluster's {key} (names), so that "
                         f"loading can run its agents again")
    return v


def _quorums(meta: dict[str, Any], acceptors: list[str]) -> QuorumSystem:
    spec = meta.get("quorum_system")
    if spec is None:  # traces written before the header named it
        listed = meta.get("phase2_quorums")
        if isinstance(listed, list) and listed and \
                not str(meta.get("quorums", "")).startswith("majority"):
            spec = {"kind": "explicit", "quorums": listed}
        else:
            return Majority(acceptors)
    q = from_spec(acceptors, spec)
    said = meta.get("quorums")
    if said is not None and said != q.describe():
        raise ValueError(f"quorums says {str(said)[:80]!r}, but quorum_system is "
                         f"{q.describe()!r}")
    return q


def run_from_header(meta: dict[str, Any], events: list[Event]) -> _Replay:
    """The manual simulation a trace's header describes, ready to `replay` ``events``."""
    acceptors, proposers, learners = (_names(meta, k) for k in
                                      ("acceptors", "proposers", "learners"))
    values = meta.get("values")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("values must be a list of the proposers' values")
    shape = Cluster(acceptors=len(acceptors), proposers=len(proposers), learners=len(learners))
    for key, built in (("acceptors", shape.acceptor_names), ("proposers", shape.proposer_names),
                       ("learners", shape.learner_names)):
        if tuple(meta[key]) != built:
            raise ValueError(f"{key} must be {list(built)[:20]}, as the simulator names "
                             f"them, got {str(meta[key])[:80]}")
    classes = agent_classes(meta.get("agents", {}))
    learning = meta.get("learning", "all")
    distinguished = meta.get("distinguished", 1)
    shared = meta.get("shared_numbers", False)
    if not isinstance(distinguished, int) or isinstance(distinguished, bool) \
            or not isinstance(shared, bool):
        raise ValueError("distinguished must be an integer and shared_numbers a boolean")
    cluster = Cluster(acceptors=len(acceptors), proposers=len(proposers),
                      learners=len(learners), values=tuple(values),
                      quorums=_quorums(meta, acceptors), shared_numbers=shared,
                      learning=learning, distinguished=distinguished, **classes)
    leader = meta.get("leader")
    if leader is not None and leader not in cluster.proposer_names:
        raise ValueError(f"leader must be null or one of {list(cluster.proposer_names)}")
    placement = meta.get("placement")
    if placement is None:
        return _SimReplay(events, meta, cluster, leader=leader)
    if not isinstance(placement, list) or not all(
            isinstance(h, list) and len(h) == 2 and isinstance(h[1], list) for h in placement):
        raise ValueError("placement must be a list of [process, [agents]]")
    hosts = Placement(tuple((p, tuple(agents)) for p, agents in placement))
    return _ProcessReplay(events, meta, cluster, leader=leader, placement=hosts)


def rederive(trace: Trace) -> None:
    """Run ``trace``'s events again through the agents its header names; a one-line
    ``ValueError`` ("trace: event N: ...") at the first event they could not
    have produced, or ("trace: meta: ...") if the header does not say which
    agents ran."""
    meta = trace.meta
    try:
        run = run_from_header(meta, trace.events)
    except ValueError as e:
        raise ValueError(f"trace: meta: {one_line(e)}") from None
    try:
        run.replay()
    except _Stop as stop:
        raise ValueError(f"trace: event {stop.index}: {stop.reason}"[:400]) from None
    except ValueError as e:  # an action the simulator itself refuses
        raise ValueError(f"trace: event {run._cursor}: {one_line(e)}") from None




# -- the network alone: for a protocol whose handlers are not run again -----------------


def check_network(events: list[Event], nodes: Collection[str]) -> None:
    """Check the bookkeeping of `paxos_notes.net.World` along ``events``: the clock
    and the steps never go back; every message put in flight (``send``,
    ``duplicate``) takes the next id; a message is delivered or dropped only while
    it is in flight under that id, and a duplicate copies one in flight; a node
    (``nodes``: what can crash and be cut off) crashes only when up, restarts only
    when down, sends and acts only when up, and receives only when up and not cut
    off from the sender; a drop says a reason the world gives. One-line
    ``ValueError`` ("trace: event N: ...") at the first event that breaks one.

    This is what the §3 trace loader checks; it does not run the servers again.
    """
    try:
        _network(events, frozenset(nodes))
    except _Stop as stop:
        raise ValueError(f"trace: event {stop.index}: {stop.reason}"[:400]) from None


def _network(events: list[Event], nodes: frozenset[str]) -> None:
    flying: dict[int, Any] = {}
    copies: Counter[Any] = Counter()
    up = dict.fromkeys(nodes, True)
    groups: tuple[frozenset[str], ...] = ()
    last_id, time, step = 0, 0.0, 0

    def cut(a: str, b: str) -> bool:
        return bool(groups) and a in nodes and b in nodes and \
            not any(a in g and b in g for g in groups)

    for i, e in enumerate(events):
        if e.time < time:
            raise _Stop(i, f"time {e.time} is before the previous event's time {time}: "
                           f"time runs backwards")
        if e.step < step:
            raise _Stop(i, f"step {e.step} comes after step {step}: steps run backwards")
        time, step = e.time, e.step
        kind, name, m = e.kind, e.agent, e.message
        if kind in ("crash", "restart", "partition", "heal"):
            if kind == "partition":
                parts = [frozenset(g.split(",")) if g else frozenset()
                         for g in e.detail.split(" | ")] if e.detail else []
                unknown = sorted(set().union(*parts) - nodes) if parts else []
                if unknown:
                    raise _Stop(i, f"partition names {unknown[0][:64]!r}, which is not one of "
                                   f"the header's nodes")
                groups = tuple(parts)
            elif kind == "heal":
                groups = ()
            elif name not in nodes:
                raise _Stop(i, f"{kind} must name one of the header's nodes, "
                               f"got {name[:64]!r}")
            elif up[name] == (kind == "restart"):
                verb = "crashes" if kind == "crash" else "restarts"
                raise _Stop(i, f"{name} {verb} while it is already "
                               f"{'up' if up[name] else 'down'}")
            else:
                up[name] = kind == "restart"
            continue
        if name in nodes and not up[name] and kind not in ("drop", "duplicate"):
            raise _Stop(i, f"{_what(e)}: {name} is down")
        if kind in ("send", "duplicate"):
            if m is None or e.msg_id != last_id + 1:
                raise _Stop(i, f"message id #{e.msg_id} should be #{last_id + 1} (ids count "
                               f"every message put in flight)")
            if kind == "duplicate" and not copies[m]:
                raise _Stop(i, f"duplicates {m!r:.120}, which is not in flight")
            last_id = e.msg_id
            flying[last_id] = m
            copies[m] += 1
        elif kind in ("deliver", "drop") and e.msg_id is not None:
            p = flying.get(e.msg_id)
            if p is None:
                raise _Stop(i, f"{kind} of message #{e.msg_id}, which is not in flight: never "
                               f"sent, or already delivered or dropped")
            if p != m:
                raise _Stop(i, f"message #{e.msg_id} in flight is {p!r:.120}, not {m!r:.120}")
            receiver_down = m.receiver in nodes and not up[m.receiver]
            if kind == "deliver" and (receiver_down or cut(m.sender, m.receiver)):
                raise _Stop(i, f"delivered to {m.receiver}, which is "
                               f"{'down' if receiver_down else 'cut off by a partition'}")
            if kind == "drop":
                just_sent = i > 0 and events[i - 1].msg_id == e.msg_id and \
                    events[i - 1].kind in ("send", "duplicate")
                if not ((e.detail == LOST and just_sent) or e.detail == DROPPED
                        or (e.detail == "partitioned" and cut(m.sender, m.receiver))
                        or (e.detail == "receiver is down" and receiver_down)):
                    raise _Stop(i, f"the drop's reason {e.detail[:60]!r} does not hold here")
            del flying[e.msg_id]
            copies[m] -= 1


__all__ = ["CAUSES", "check_network", "rederive", "run_from_header"]
