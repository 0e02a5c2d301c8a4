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

A `Frame` holds typed data only: each server's `Slot` in each instance (the
`Proposal` its acceptor accepted there, the command value it knows chosen),
its `ServerInfo` (role, executed prefix, proposal number), and the messages the
step `Sent`. A viewer formats them; nothing is formatted here and read back.

`frames_from_simulation` records the same frames from any seeded automatic
run; `failover_simulation` is the built-in one whose leader crashes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from functools import lru_cache
from typing import Any

from ..ballots import ProposalNumber
from ..messages import Proposal, Value
from .kv import NOOP, describe_value
from .messages import (
    MESSAGE_TYPES,
    Accept,
    Accepted,
    Heartbeat,
    Message,
    Prepare,
    Promise,
    Redirect,
    Reply,
    Request,
    message_to_dict,
)
from .server import BROKEN, Setup
from .sim import Fault, Network, Simulation, Timing, Workload
from .trace import Trace

SERVERS = ("s1", "s2", "s3")
OLD_LEADER, NEW_LEADER = "s3", "s1"
KNOWN_PREFIX = 134
KNOWN_BEYOND = (138, 139)
LAST = 140
ALPHA = 10
SHOWN = tuple(range(133, 142))
MAX_COLUMNS = 24  # instances a frame can show


@dataclass(frozen=True)
class Slot:
    """One server in one instance: the proposal its acceptor accepted there (its
    stable storage, §2.2) and the command value it knows chosen there, if any."""

    accepted: Proposal | None = None
    chosen: Value | None = None


EMPTY = Slot()


@dataclass(frozen=True)
class ServerInfo:
    """A server at one moment: ``role`` (``leader``, ``candidate``, ``follower`` or
    ``down``), the prefix of the log it has ``executed``, and a candidate's or
    leader's proposal ``number``."""

    role: str
    executed: int = 0
    number: ProposalNumber | None = None


@dataclass(frozen=True)
class Sent:
    """A message a step sent; ``local``: to the sender's own acceptor (no network)."""

    message: Message
    local: bool = False


@dataclass(frozen=True)
class Frame:
    """The state after one step: ``instances[i][server]`` is that server's `Slot` in
    instance i, ``servers[name]`` its `ServerInfo`, ``sent`` what the step sent."""

    step: int
    action: str
    sent: tuple[Sent, ...]
    instances: dict[int, dict[str, Slot]]
    servers: dict[str, ServerInfo]


@dataclass(frozen=True)
class GapScenario:
    alpha: int
    old_leader: str
    new_leader: str
    known_before: tuple[int, ...]
    prepare: Prepare | None
    prepares_sent: int
    promises: tuple[Promise, ...]
    constrained: dict[int, str]
    noops: tuple[int, ...]
    phase2: tuple[Sent, ...]
    executed: tuple[str, ...]
    before: Frame
    after: Frame
    frames: tuple[Frame, ...]
    safe: bool
    trace: Trace = field(repr=False)

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """Plain JSON-ready data (instance numbers become strings as JSON keys do).
        The full run's trace (all 140 commands, ~0.6 MB) only with ``trace=True``."""
        d = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "trace"}
        if trace:
            d["trace"] = self.trace.to_dict()
        return d

    def table(self, frame: Frame | None = None) -> list[dict[str, Any]]:
        """One row per shown instance: each server's accepted proposal and chosen
        command, in words."""
        f = frame if frame is not None else self.after
        rows = []
        for i, per in f.instances.items():
            row: dict[str, Any] = {"instance": i}
            for name, slot in per.items():
                acc = slot.accepted
                row[f"{name} accepted"] = None if acc is None else \
                    f"({acc.number}, {describe_value(acc.value)})"
                row[f"{name} chosen"] = None if slot.chosen is None else \
                    describe_value(slot.chosen)
            rows.append(row)
        return rows


def _plain(v: Any) -> Any:
    """Typed records as JSON-ready data: messages as `message_to_dict` writes them."""
    if type(v) in MESSAGE_TYPES.values():
        return message_to_dict(v)
    if isinstance(v, ProposalNumber):
        return [v.round, v.proposer, v.proposers]
    if is_dataclass(v) and not isinstance(v, type):
        return {f.name: _plain(getattr(v, f.name)) for f in fields(v)}
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


# -- frames of a run ------------------------------------------------------------------


def server_infos(sim: Simulation) -> dict[str, ServerInfo]:
    """Every server's role, executed prefix and proposal number, now."""
    return {name: ServerInfo(s.role, s.executed,
                             s.leadership.number if s.leadership else None)
            for name, s in sim.servers.items()}


def slots(sim: Simulation, instance: int) -> dict[str, Slot]:
    """Every server's `Slot` in ``instance``, now."""
    out = {}
    for name, s in sim.servers.items():
        acc = s.stable.storage(instance).accepted
        chosen = s.stable.chosen.get(instance)
        out[name] = EMPTY if acc is None and chosen is None else Slot(acc, chosen)
    return out


def sent_since(sim: Simulation, start: int) -> tuple[Sent, ...]:
    """The messages sent since trace event ``start``."""
    return tuple(Sent(e.message, e.kind == "local") for e in sim.trace.events[start:]
                 if e.kind in ("send", "local") and e.message is not None)


def _frame(sim: Simulation, step: int, action: str, sent: tuple[Sent, ...],
           shown: Iterable[int] = SHOWN) -> Frame:
    return Frame(step, action, sent, {i: slots(sim, i) for i in shown}, server_infos(sim))


class _Recorder:
    """Runs actions on the simulation and keeps a frame after each."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.frames: list[Frame] = []

    def __call__(self, action: str, fn: Any, *args: Any) -> tuple[Sent, ...]:
        start = len(self.sim.trace)
        fn(*args)
        sent = sent_since(self.sim, start)
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
                    f"1–{KNOWN_PREFIX}, {KNOWN_BEYOND[0]} and {KNOWN_BEYOND[1]}", ())
    record.frames.append(before)

    sent = record(f"{NEW_LEADER} starts phase 1", sim.campaign, NEW_LEADER)
    prepares = [x.message for x in sent if isinstance(x.message, Prepare)]
    promises = [x.message for x in sent if isinstance(x.message, Promise)]
    phase2: list[Sent] = []
    while sim.pending():
        p = sim.pending()[0]
        m = p.message
        if m.receiver in sim.servers and not sim.servers[m.receiver].up:
            record(f"{m.describe()} to {m.receiver} is lost: {m.receiver} is down",
                   sim.deliver, p.id)
            continue
        out = record(f"{m.receiver} receives {m.describe()} from {m.sender}", sim.deliver, p.id)
        promises += [x.message for x in out if isinstance(x.message, Promise)]
        phase2 += [x for x in out if isinstance(x.message, Accept)]
    # The followers learn 135–140 from the new leader's next heartbeat.
    record(f"{NEW_LEADER}'s heartbeat interval passes", sim.tick, NEW_LEADER)
    record(f"{NEW_LEADER}'s heartbeat interval passes", sim.tick, NEW_LEADER)
    while sim.pending():
        p = sim.pending()[0]
        m = p.message
        if m.receiver in sim.servers and not sim.servers[m.receiver].up:
            record(f"{m.describe()} to {m.receiver} is lost: {m.receiver} is down",
                   sim.deliver, p.id)
            continue
        record(f"{m.receiver} receives {m.describe()} from {m.sender}", sim.deliver, p.id)

    lead = sim.servers[NEW_LEADER]
    assert lead.leadership is not None
    chosen = lead.stable.chosen
    return GapScenario(
        alpha=ALPHA, old_leader=OLD_LEADER, new_leader=NEW_LEADER,
        known_before=known_before,
        prepare=prepares[0] if prepares else None,
        prepares_sent=len([m for m in prepares if m.receiver != NEW_LEADER]),
        promises=tuple(promises),
        constrained={i: describe_value(chosen[i]) for i in lead.leadership.constrained},
        noops=tuple(i for i in lead.leadership.noops if chosen.get(i) == NOOP),
        phase2=tuple(phase2),
        executed=tuple(describe_value(v) for v in lead.log()),
        before=before, after=record.frames[-1], frames=tuple(record.frames),
        safe=sim.safe, trace=sim.trace,
    )


# -- frames of any automatic run, and the built-in failover run ----------------------

_Touched = tuple[tuple[tuple[str, tuple[tuple[int, Slot], ...]], ...],
                 tuple[tuple[str, ServerInfo], ...]]


def _touched(sim: Simulation) -> _Touched:
    """Every server's slots in the instances it has touched, and its info: what a
    frame would show, compared between steps to keep only the steps that change it."""
    per = []
    for name, s in sim.servers.items():
        st = s.stable
        cells = tuple(sorted((i, Slot(st.storage(i).accepted, st.chosen.get(i)))
                             for i in set(st.instances) | set(st.chosen)))
        per.append((name, cells))
    return tuple(per), tuple(server_infos(sim).items())


def _action(sim: Simulation, events: list[Any]) -> str:
    """One step of an automatic run in words: what happened, at what time.
    Crashes, restarts and elections first; else the message delivered or lost."""
    t = f"t={sim.now:g}"
    words: list[str] = []
    for e in events:
        if e.kind == "crash":
            words.append(f"{e.agent} crashes")
        elif e.kind == "restart":
            words.append(f"{e.agent} restarts ({e.detail})")
        elif e.kind == "campaign":
            what = e.detail.removeprefix("phase 1 ").replace("for [] and ", "for ")
            words.append(f"{e.agent} starts phase 1 {what}")
        elif e.kind == "elected":
            words.append(f"{e.agent} is elected ({e.detail})")
    for e in events:
        m = e.message
        if m is None or e.kind not in ("deliver", "drop"):
            continue
        if e.kind == "deliver":
            first = f"{m.receiver} receives {m.describe()} from {m.sender}"
        elif e.detail == "lost by the network":
            first = f"{m.describe()} to {m.receiver} is lost by the network"
        else:
            first = f"{m.describe()} to {m.receiver} is lost ({e.detail})"
        if e.kind == "deliver":  # what caused the rest of the step
            words.insert(0, first)
        else:
            words.append(first)
        break
    if not words:
        kinds = sorted({e.kind for e in events})
        words.append(", ".join(kinds) if kinds else "a timer fires")
    return f"{t}: " + "; ".join(words)


def frames_from_simulation(sim: Simulation, *, until: float = 1e6,
                           instances: Iterable[int] | None = None,
                           max_steps: int = 20_000) -> tuple[Frame, ...]:
    """Run an automatic-mode ``sim`` step by step (until every client is done, or
    past time ``until``) and keep a `Frame` after every step that changed some
    server's log, role or executed prefix (and after every crash and restart).
    ``instances``: the columns (default: every instance touched, at most
    `MAX_COLUMNS`)."""
    if not isinstance(sim, Simulation):
        raise ValueError(f"sim must be a multipaxos Simulation, got {type(sim).__name__}")
    if sim.manual:
        raise ValueError("sim must be in automatic mode (manual=False)")
    if not sim.record:
        raise ValueError("sim must record its trace (record=True)")
    last = _touched(sim)
    raw: list[tuple[str, tuple[Sent, ...], _Touched]] = [
        (f"t={sim.now:g}: the run starts", (), last)]
    steps = 0
    while steps < max_steps and sim.now <= until and not sim.done:
        start = len(sim.trace)
        if not sim.step():
            break
        steps += 1
        events = sim.trace.events[start:]
        now = _touched(sim)
        forced = any(e.kind in ("crash", "restart", "campaign", "elected") for e in events)
        if now != last or forced:
            raw.append((_action(sim, events), sent_since(sim, start), now))
            last = now
    if instances is None:
        touched = {i for _, _, (per, _) in raw for _, cells in per for i, _ in cells}
        shown = sorted(touched) or [1]
    else:
        shown = sorted(set(instances))
        if not shown or any(isinstance(i, bool) or not isinstance(i, int) or i < 1
                            for i in shown):
            raise ValueError(f"instances must be positive integers, got {instances!r}")
    if len(shown) > MAX_COLUMNS:
        raise ValueError(f"instances: the run touched {len(shown)} instances, more than "
                         f"{MAX_COLUMNS}; pass instances=range(...) to pick a window")
    frames = []
    for k, (action, sent, (per, infos)) in enumerate(raw):
        by_server = {name: dict(cells) for name, cells in per}
        table = {i: {name: by_server[name].get(i, EMPTY) for name in sim.servers}
                 for i in shown}
        frames.append(Frame(k, action, sent, table, dict(infos)))
    return tuple(frames)


FAILOVER_SEED = 14
FAILOVER_CRASH = 55.0


def failover_simulation(seed: int = FAILOVER_SEED, broken: str | None = None) -> Simulation:
    """The built-in failover run (not yet run): 3 servers, α = 4, five clients with
    three operations each; until just before t = 55 the network loses 30% of
    messages (delays 1–4), then it behaves. At t = 55 the leader crashes, with
    proposals in flight; it restarts at t = 105. With the default seed the new
    leader finds instances 3 and 5 constrained and fills 4 with a no-op: §3's
    gap scenario in miniature, arising by itself. ``broken``: the same run with
    one of §3's rules off (`BROKEN`); with ``"no-gap-fill"`` instance 4 stays
    empty and every server stops executing after instance 3."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    crash = FAILOVER_CRASH
    return Simulation(Setup(alpha=4, broken=broken), seed=seed, workload=Workload(clients=5, ops=3),
                      network=Network(delay=(1.0, 4.0), loss=0.3, faults_until=crash - 0.5),
                      timing=Timing(think=(0.0, 0.0)),
                      faults=(Fault(crash, "crash_leader"),
                              Fault(crash + 50.0, "restart", servers=("s1", "s2", "s3"))))


@lru_cache(maxsize=8)
def failover_frames(seed: int = FAILOVER_SEED) -> tuple[Frame, ...]:
    """Frames of `failover_simulation` (cached per seed)."""
    return frames_from_simulation(failover_simulation(seed))


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

    ``"no-gap-fill"`` — a gap that stops the log:

    1. ``s1`` leads (α = 3) and proposes c1's ``put('x', 1)`` in instance 1 and
       c2's ``put('x', 2)`` in instance 2. Only instance 2 reaches ``s2`` (the
       accept requests for 1 are lost): 2 is chosen, 1 is not, and ``s1``'s
       heartbeat tells ``s2`` that 2 is chosen. Nobody can execute 2 yet.
    2. ``s1`` crashes; ``s2`` takes over. Its phase 1 finds nothing accepted in
       instance 1 (only ``s1`` had accepted it): a gap. The broken leader leaves
       it empty, so ``s2`` executes nothing and c2 is never answered.
    3. c3's ``get('x')`` is chosen in instance 3, and waits behind the gap too.
       (With the paper's rules ``s2`` proposes a no-op in instance 1, executes
       1–3 at once, and c2 gets ``'ok'``, c3 gets 2.)
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
    for client, value in (("c1", 1), ("c2", 2)):  # instances 1 and 2, both at s1
        sim.advance(1.0)
        sim.invoke(client, ("put", "x", value))
        _deliver_where(sim, _is_client_traffic)
    _deliver_where(sim, lambda m: isinstance(m, Accept | Accepted) and m.instance == 2
                   and "s3" not in (m.sender, m.receiver))
    _drop_all(sim)  # the accept requests for 1, and s3's for 2, are lost
    for _ in range(2):  # s1's heartbeat tells s2 that 2 is chosen
        sim.tick("s1")
    _deliver_where(sim, lambda m: isinstance(m, Heartbeat) and m.receiver == "s2")
    _drop_all(sim)
    sim.crash("s1")
    sim.campaign("s2")
    _drain(sim)
    sim.advance(1.0)
    sim.invoke("c3", ("get", "x"))  # c3 asks s2
    _drain(sim)
    return sim
