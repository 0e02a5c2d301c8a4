"""§3's gap scenario, built by running the servers, step by step.

§3 of *Paxos Made Simple* walks through a leader change: the new leader knows
commands 1–134, 138 and 139; it runs phase 1 for instances 135–137 and for all
instances above 139; suppose only 135 and 140 turn out constrained. It then
runs phase 2 for 135 and 140, and fills 136 and 137 with a "no-op" command
(phase 2 with no-op), so that commands 1–140 can be executed.

`gap_scenario` makes exactly that happen with the real servers on the manual
simulator (nothing is staged by editing state):

1. ``s3`` leads (α = 10) and gets commands 1–134 chosen and known everywhere;
2. it proposes 135–140 at once (six clients), and the network decides what
   each server gets: ``s2`` accepts 135 and 140, nobody else accepts 136–137
   (only ``s3`` itself), 138 and 139 are accepted by all and ``s1`` hears that
   they were chosen;
3. ``s3`` crashes; ``s1`` — knowing 1–134, 138, 139 — runs phase 1 with one
   message per server, becomes leader, finds 135 and 140 constrained, proposes
   them and no-ops in 136–137, and executes 1–140.

The result is a `GapScenario`: what the new leader knew, the prepare it sent,
the promises, what was constrained, where no-ops went, the phase-2 messages,
the executed sequence, and `Frame`\\ s — per-instance state of every server
before and after each step, with the messages that step sent — for a notebook
table or a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .kv import NOOP, describe_value
from .messages import (
    Accept,
    Accepted,
    Heartbeat,
    Message,
    Prepare,
    Promise,
    Redirect,
    Reply,
    Request,
)
from .server import BROKEN, Setup
from .sim import Simulation, Workload
from .trace import Trace

SERVERS = ("s1", "s2", "s3")
OLD_LEADER, NEW_LEADER = "s3", "s1"
KNOWN_PREFIX = 134
KNOWN_BEYOND = (138, 139)
LAST = 140
ALPHA = 10
SHOWN = tuple(range(133, 142))


@dataclass(frozen=True)
class Frame:
    """The state after one step. ``instances[i][server]`` holds ``accepted``
    (the proposal accepted there, in words, or ``None``) and ``chosen`` (the
    command the server knows chosen there, or ``None``); ``servers[name]``
    holds ``role``, ``executed`` and ``number`` (a candidate's or leader's)."""

    step: int
    action: str
    sent: tuple[dict[str, Any], ...]
    instances: dict[int, dict[str, dict[str, str | None]]]
    servers: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class GapScenario:
    alpha: int
    old_leader: str
    new_leader: str
    known_before: tuple[int, ...]
    prepare: dict[str, Any]
    prepares_sent: int
    promises: tuple[dict[str, Any], ...]
    constrained: dict[int, str]
    noops: tuple[int, ...]
    phase2: tuple[dict[str, Any], ...]
    executed: tuple[str, ...]
    before: Frame
    after: Frame
    frames: tuple[Frame, ...]
    safe: bool
    trace: Trace = field(repr=False)

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """Plain JSON-ready data (instance numbers become strings as JSON keys do).
        The full run's trace (all 140 commands, ~0.6 MB) only with ``trace=True``."""
        d = asdict(self)
        if trace:
            d["trace"] = self.trace.to_dict()
        else:
            del d["trace"]
        return d

    def table(self, frame: Frame | None = None) -> list[dict[str, Any]]:
        """One row per shown instance: each server's accepted / chosen entry."""
        f = frame if frame is not None else self.after
        rows = []
        for i, per in f.instances.items():
            row: dict[str, Any] = {"instance": i}
            for name, cell in per.items():
                row[f"{name} accepted"] = cell["accepted"]
                row[f"{name} chosen"] = cell["chosen"]
            rows.append(row)
        return rows


def _frame(sim: Simulation, step: int, action: str, sent: list[dict[str, Any]]) -> Frame:
    instances: dict[int, dict[str, dict[str, str | None]]] = {}
    for i in SHOWN:
        per: dict[str, dict[str, str | None]] = {}
        for name, s in sim.servers.items():
            acc = s.stable.storage(i).accepted
            chosen = s.stable.chosen.get(i)
            per[name] = {
                "accepted": None if acc is None else f"({acc.number}, {describe_value(acc.value)})",
                "chosen": None if chosen is None else describe_value(chosen),
            }
        instances[i] = per
    servers = {
        name: {"role": s.role, "executed": s.executed,
               "number": str(s.leadership.number) if s.leadership else None}
        for name, s in sim.servers.items()}
    return Frame(step, action, tuple(sent), instances, servers)


class _Recorder:
    """Runs actions on the simulation and keeps a frame after each."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.frames: list[Frame] = []

    def __call__(self, action: str, fn: Any, *args: Any) -> list[dict[str, Any]]:
        start = len(self.sim.trace)
        fn(*args)
        sent = [e.to_dict()["message"] | {"local": e.kind == "local"}
                for e in self.sim.trace.events[start:] if e.kind in ("send", "local")]
        self.frames.append(_frame(self.sim, len(self.frames), action, sent))
        return sent


def _drain(sim: Simulation) -> None:
    """Deliver every pending message, and what it causes, until none is left."""
    while sim.pending():
        sim.deliver(sim.pending()[0].id)


def _deliver_where(sim: Simulation, keep: Callable[[Message], bool]) -> None:
    """Deliver pending messages ``keep`` accepts (and what follows from them that
    it accepts) until none is left; the others stay pending."""
    while True:
        chosen = [p for p in sim.pending() if keep(p.message)]
        if not chosen:
            return
        sim.deliver(chosen[0].id)


def _drop_all(sim: Simulation) -> None:
    for p in sim.pending():
        sim.drop(p.id)


def _is_client_traffic(m: Message) -> bool:
    return isinstance(m, Request | Redirect)


def _old_leader_runs(sim: Simulation) -> None:
    """Steps 1 and 2: s3 leads; 1–134 chosen; 135–140 proposed, partly delivered."""
    sim.campaign(OLD_LEADER)
    _drain(sim)
    for k in range(1, KNOWN_PREFIX + 1):
        sim.invoke("c1", ("put", "x", k))
        _drain(sim)
    # Six clients, one command each; each request reaches s3 before the next
    # is sent, so client c2 gets instance 135, ..., c7 gets 140.
    for i in range(KNOWN_PREFIX + 1, LAST + 1):
        sim.invoke(f"c{i - KNOWN_PREFIX + 1}", ("put", f"k{i}", i))
        _deliver_where(sim, _is_client_traffic)
    # Who gets which accept request (s3 accepted every one itself):
    gets = {135: {"s2"}, 136: set(), 137: set(), 138: {"s1", "s2"}, 139: {"s1", "s2"},
            140: {"s2"}}
    _deliver_where(sim, lambda m: isinstance(m, Accept) and m.receiver in gets[m.instance])
    # s3 hears that 138 and 139 were accepted (so they are chosen, and it knows);
    # s2's acceptances of 135 and 140 never reach it.
    _deliver_where(sim, lambda m: isinstance(m, Accepted) and m.instance in KNOWN_BEYOND)
    _drop_all(sim)
    # Two heartbeat intervals later s3 tells s1 the commands it knows chosen
    # beyond 134 (138 and 139); everything else it sends now is lost.
    sim.tick(OLD_LEADER)
    sim.tick(OLD_LEADER)
    _deliver_where(sim, lambda m: isinstance(m, Heartbeat) and m.receiver == NEW_LEADER)
    _drop_all(sim)


def gap_scenario() -> GapScenario:
    """Build §3's scenario and return what happened (see the module docstring)."""
    sim = Simulation(Setup(servers=SERVERS, alpha=ALPHA), seed=0,
                     workload=Workload(clients=0), manual=True)
    _old_leader_runs(sim)
    sim.crash(OLD_LEADER)
    record = _Recorder(sim)
    new = sim.servers[NEW_LEADER]
    known_before = tuple(sorted(new.stable.chosen))
    before = _frame(sim, 0, f"{OLD_LEADER} has crashed; {NEW_LEADER} knows "
                    f"1–{KNOWN_PREFIX}, {KNOWN_BEYOND[0]} and {KNOWN_BEYOND[1]}", [])
    record.frames.append(before)

    sent = record(f"{NEW_LEADER} starts phase 1", sim.campaign, NEW_LEADER)
    prepares = [m for m in sent if m["type"] == Prepare.__name__]
    promises: list[dict[str, Any]] = [m for m in sent if m["type"] == Promise.__name__]
    phase2: list[dict[str, Any]] = []
    while sim.pending():
        p = sim.pending()[0]
        m = p.message
        if m.receiver in sim.servers and not sim.servers[m.receiver].up:
            record(f"{m.describe()} to {m.receiver} is lost: {m.receiver} is down",
                   sim.deliver, p.id)
            continue
        out = record(f"{m.receiver} receives {m.describe()} from {m.sender}", sim.deliver, p.id)
        promises += [x for x in out if x["type"] == Promise.__name__]
        phase2 += [x for x in out if x["type"] == Accept.__name__]
    # The followers learn 135–140 from the new leader's next heartbeat.
    record(f"{NEW_LEADER}'s heartbeat interval passes", sim.tick, NEW_LEADER)
    record(f"{NEW_LEADER}'s heartbeat interval passes", sim.tick, NEW_LEADER)
    while sim.pending():
        p = sim.pending()[0]
        m = p.message
        record(f"{m.receiver} receives {m.describe()} from {m.sender}", sim.deliver, p.id)

    lead = sim.servers[NEW_LEADER]
    assert lead.leadership is not None
    chosen = lead.stable.chosen
    return GapScenario(
        alpha=ALPHA, old_leader=OLD_LEADER, new_leader=NEW_LEADER,
        known_before=known_before,
        prepare=prepares[0] if prepares else {},
        prepares_sent=len([m for m in prepares if m["receiver"] != NEW_LEADER]),
        promises=tuple(promises),
        constrained={i: describe_value(chosen[i]) for i in lead.leadership.constrained},
        noops=tuple(i for i in lead.leadership.noops if chosen.get(i) == NOOP),
        phase2=tuple(phase2),
        executed=tuple(describe_value(v) for v in lead.log()),
        before=before, after=record.frames[-1], frames=tuple(record.frames),
        safe=sim.safe, trace=sim.trace,
    )



# -- the rules at work: what goes wrong without them ---------------------------------


def broken_scenario(name: str, *, control: bool = False) -> Simulation:
    """A short manual run that breaks §3 with ``Setup(broken=name)``, step by step.

    ``control=True`` takes exactly the same steps with the paper's rules, for
    comparison. Both return the `Simulation`: its `Simulation.history` (for
    `paxos_notes.multipaxos.linearizability.check`), `Simulation.lost_writes`, the
    monitor's `Simulation.violations` and the trace.

    ``"skip-phase1"`` — a write acknowledged, then lost:

    1. ``s1`` leads; c1's ``put('x', 1)`` is accepted by ``s1`` and ``s2``
       (``s3`` never hears of it): chosen in instance 1. ``s1`` executes it and
       answers c1: the write is acknowledged.
    2. ``s1`` crashes before telling anyone that instance 1 is chosen.
    3. ``s2`` takes over, and c2 asks it ``get('x')``. Skipping phase 1, ``s2``
       proposes the get in instance 1, where it knows of nothing: ``s2`` and
       ``s3`` accept, so a second value is chosen in instance 1, and the get
       answers ``None`` — the acknowledged put is gone. (With phase 1, ``s2``'s
       own promise reports ``put('x', 1)`` in instance 1, which ``s2`` proposes
       again; the get goes to instance 2 and answers 1.)

    ``"no-gap-fill"`` — commands executed out of order:

    1. ``s1`` leads (α = 3) and proposes c1's ``put('x', 1)`` in instance 1 and
       c2's ``put('x', 2)`` in instance 2; ``s2``'s acceptance of 2 arrives
       first. Not waiting for the gap, ``s1`` executes 2, then 1: x = 1.
       ``s2`` learns both at once and executes them in order: x = 2.
    2. c3's ``get('x')`` at ``s1`` answers 1. ``s1`` crashes; ``s2`` takes over;
       c3's next ``get('x')`` answers 2 although nobody wrote since. (In
       order, both servers have x = 2 and both gets answer 2.)
    """
    if name not in BROKEN:
        raise ValueError(f"name must be one of {BROKEN}, got {name!r}")
    setup = Setup(servers=SERVERS, alpha=3, broken=None if control else name)
    sim = Simulation(setup, seed=0, workload=Workload(clients=0), manual=True)
    sim.campaign("s1")
    _drain(sim)
    if name == "skip-phase1":
        sim.advance(1.0)
        sim.invoke("c1", ("put", "x", 1))  # c1 asks s1
        _deliver_where(sim, _is_client_traffic)
        _deliver_where(sim, lambda m: isinstance(m, Accept | Accepted) and "s3" not in
                       (m.sender, m.receiver))
        _deliver_where(sim, lambda m: isinstance(m, Reply))
        sim.crash("s1")
        _drop_all(sim)
        sim.campaign("s2")
        _drain(sim)
        sim.advance(1.0)
        sim.invoke("c2", ("get", "x"))  # c2 asks s2
        _drain(sim)
        return sim
    sim.advance(1.0)
    sim.invoke("c1", ("put", "x", 1))  # c1 asks s1: instance 1
    _deliver_where(sim, _is_client_traffic)
    sim.advance(1.0)
    sim.invoke("c2", ("put", "x", 2))  # c2 asks s2, is sent on to s1: instance 2
    _deliver_where(sim, _is_client_traffic)
    for instance in (2, 1):  # s2's acceptances reach s1 in this order
        _deliver_where(sim, lambda m, i=instance: isinstance(m, Accept | Accepted)
                       and m.instance == i and "s3" not in (m.sender, m.receiver))
    _drain(sim)  # the replies, and s3's acceptances
    for _ in range(2):  # s1's heartbeats tell s2 and s3 that 1 and 2 are chosen
        sim.tick("s1")
    _drain(sim)
    sim.advance(1.0)
    sim.invoke("c3", ("get", "x"))  # c3 asks s3, is sent on to s1
    _drain(sim)
    sim.crash("s1")
    sim.campaign("s2")
    _drain(sim)
    sim.advance(1.0)
    sim.invoke("c3", ("get", "x"))  # c3 asks s1 again, which is down ...
    _drain(sim)
    sim.retry("c3")  # ... so it tries the next server, s2
    _drain(sim)
    return sim
