"""A deterministic driver for the replicated key-value store (§3 in §2.1's world).

Everything random lives in the simulator, none of it in the servers: one `random.Random`,
seeded by the caller, decides message delays (so messages overtake each other),
losses, duplicates, crashes, the servers' randomized election timeouts and the
clients' operations. The same seed gives the same run and the same trace JSON,
byte for byte — the recipe of `paxos_notes.sim`.

The network, the faults and the step loop are `paxos_notes.net.World`, the
same world the single-decree simulator runs in; this module supplies what is
§3: the servers' and clients' handlers, their timers, and what to record.

- N `Server` replicas and M clients issuing ``get`` / ``put`` / ``cas``;
  scripted operations (`Scripted`, e.g. a ``reconfig``) and scripted faults
  (`Fault`: crash, restart, crash the leader, partition, heal).
- Crashes keep stable storage (`paxos_notes.multipaxos.server.Stable`).
- Partitions cut server-to-server links; clients reach every server.
- After ``Network.faults_until`` no message is lost or duplicated, partitions
  heal and crashed servers restart, so liveness can be checked.
- After every step the `Monitor` checks safety; each client's invocations and
  completions are kept for `paxos_notes.multipaxos.linearizability.check` (`history`);
  `Simulation.lost_writes` finds acknowledged writes missing from the log.
- Manual mode (``manual=True``): nothing happens by itself; deliver, drop or
  duplicate a pending message, fire a server's timers, crash, restart,
  partition — what a reader, a test or a widget does step by step.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .. import net
from ..net import Pending, World
from .client import Client
from .kv import Command, Op, describe_value, validate_op
from .linearizability import Operation
from .messages import Message, Value
from .safety import Monitor
from .server import Server, Setup, settle
from .trace import Event, Trace

__all__ = ["Fault", "Network", "OpRecord", "Pending", "Scripted", "Simulation", "Timing",
           "Workload"]


@dataclass(frozen=True)
class Network(net.Network):
    """Faults (`paxos_notes.net.Network`): ``loss`` / ``duplication`` per message,
    ``delay`` (and ``link_delay``) per delivery, ``crash_rate`` server crashes per
    unit of time, each restarting after a time in ``restart_delay``;
    ``faults_until``: the time after which the network behaves, partitions
    heal and crashed servers restart."""

    restart_delay: tuple[float, float] = (10.0, 30.0)


@dataclass(frozen=True)
class Timing:
    """``heartbeat``: a leader's tick; ``election``: a follower's randomized
    timeout is uniform in this range; ``client_retry``: a client resends after
    this long; ``think``: a client's pause between operations."""

    heartbeat: float = 5.0
    election: tuple[float, float] = (20.0, 40.0)
    client_retry: float = 40.0
    think: tuple[float, float] = (0.0, 2.0)

    def __post_init__(self) -> None:
        net.positive("heartbeat", self.heartbeat)
        net.interval("election", self.election, low_positive=True)
        net.positive("client_retry", self.client_retry)
        net.interval("think", self.think)


MAX_CLIENTS = 32
MAX_OPS = 100_000


@dataclass(frozen=True)
class Workload:
    """``clients`` clients ``c1..`` each run ``ops`` random operations on
    ``keys``, with values ``0..values-1``. With ``total``, the clients share
    ``total`` operations instead (the first ones run one more if it does not
    divide evenly) and ``ops`` is ignored."""

    clients: int = 2
    ops: int = 10
    keys: tuple[str, ...] = ("x", "y")
    values: int = 3
    total: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.clients, bool) or not isinstance(self.clients, int) \
                or not 0 <= self.clients <= MAX_CLIENTS:
            raise ValueError(f"clients must be an integer in 0..{MAX_CLIENTS}, "
                             f"got {self.clients!r}")
        if isinstance(self.ops, bool) or not isinstance(self.ops, int) \
                or not 0 <= self.ops <= MAX_OPS:
            raise ValueError(f"ops must be an integer in 0..{MAX_OPS}, got {self.ops!r}")
        if not self.keys or not all(isinstance(k, str) and k for k in self.keys):
            raise ValueError(f"keys must be a non-empty tuple of non-empty strings, "
                             f"got {self.keys!r}")
        if isinstance(self.values, bool) or not isinstance(self.values, int) \
                or not 1 <= self.values <= 1000:
            raise ValueError(f"values must be an integer in 1..1000, got {self.values!r}")
        if self.total is not None and (isinstance(self.total, bool)
                                       or not isinstance(self.total, int)
                                       or not 0 <= self.total <= MAX_OPS):
            raise ValueError(f"total must be None or an integer in 0..{MAX_OPS}, "
                             f"got {self.total!r}")

    def ops_for(self, index: int) -> int:
        """How many operations client number ``index`` (0, 1, ...) runs."""
        if self.total is None:
            return self.ops
        share, extra = divmod(self.total, self.clients) if self.clients else (0, 0)
        return share + (index < extra)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"c{i}" for i in range(1, self.clients + 1))


FaultAction = Literal["crash", "restart", "crash_leader", "partition", "heal"]
FAULT_ACTIONS = ("crash", "restart", "crash_leader", "partition", "heal")


@dataclass(frozen=True)
class Fault:
    """At ``time``: crash / restart ``servers``, crash whoever leads, cut the
    servers into ``groups`` (a server in no group is cut off), or heal."""

    time: float
    action: FaultAction
    servers: tuple[str, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if self.action not in FAULT_ACTIONS:
            raise ValueError(f"action must be one of {FAULT_ACTIONS}, got {self.action!r}")
        if isinstance(self.time, bool) or not isinstance(self.time, (int, float)) \
                or not 0 <= self.time < math.inf:
            raise ValueError(f"time must be a number in [0, inf), got {self.time!r}")


@dataclass(frozen=True)
class Scripted:
    """At ``time`` (or as soon as it is free), ``client`` invokes ``op``."""

    time: float
    client: str
    op: Op


@dataclass
class OpRecord:
    """One client operation: what was asked, when, and what came back."""

    client: str
    request_id: int
    op: Op
    invoke: float
    complete: float | None = None
    output: Any = None


class Simulation(World):
    """N servers and M clients on a simulated network (`paxos_notes.net.World`:
    servers are its nodes, clients reach every server). ``seed`` is required."""

    NODE = "a server"
    EVENT = Event

    def __init__(
        self,
        setup: Setup | None = None,
        *,
        seed: int,
        workload: Workload | None = None,
        network: Network | None = None,
        timing: Timing | None = None,
        faults: Iterable[Fault] = (),
        script: Iterable[Scripted] = (),
        manual: bool = False,
        record: bool = True,
        check: bool = True,
    ) -> None:
        self.setup = setup if setup is not None else Setup()
        self.workload = workload if workload is not None else Workload()
        self.timing = timing if timing is not None else Timing()
        self.faults = tuple(faults)
        self.script = tuple(script)
        for f in self.faults:
            for name in (*f.servers, *(s for g in f.groups for s in g)):
                self.setup.index(name)
        for s in self.script:
            validate_op(s.op, self.setup.servers)
        self.servers: dict[str, Server] = {n: Server(n, self.setup) for n in self.setup.servers}
        super().__init__(seed=seed, network=network if network is not None else Network(),
                         manual=manual, record=record, nodes=self.servers)
        self.clients: dict[str, Client] = {}
        self.monitor: Monitor | None = Monitor(self.setup) if check else None
        self.ops: list[OpRecord] = []
        self._open: dict[str, OpRecord] = {}
        self._remaining: dict[str, int] = {}
        self._scripted: dict[str, list[Op]] = {}
        self._sent: dict[type, int] = {}  # messages sent, by type (see `sent`)
        #: Every time a server became leader: ``(time, server, proposal number)``.
        self.elections: list[tuple[float, str, str]] = []
        self.trace = Trace(meta=self._meta())
        self._faults_due: list[tuple[float, int, str, int]] = []  # see below
        for i, name in enumerate(self.workload.names):
            self._client(name)
            self._remaining[name] = self.workload.ops_for(i)
        if not manual:
            for name in self.setup.servers:
                self._schedule(self.rng.uniform(*self.timing.election), "election", name)
                self._schedule(self.rng.uniform(0.0, self.timing.heartbeat), "tick", name)
            for name in self.workload.names:
                if self._remaining[name]:
                    self._schedule(self.rng.uniform(*self.timing.think), "invoke", name)
            # Scripted faults wait in a list of their own, and only the next one is
            # in the queue: `kv` scripts thousands, and a queue that held them all
            # would make every step's push and pop slower. Each keeps the time and
            # the sequence number `_schedule` would have given it, so the order of
            # events is the same.
            for i, f in enumerate(self.faults):
                self._seq += 1
                self._faults_due.append((self.now + f.time, self._seq, "fault", i))
            self._faults_due.sort(reverse=True)  # the next one last, to pop
            self._next_fault()
            for i, s in enumerate(self.script):
                self._schedule(s.time, "script", i)
            if self.network.crash_rate > 0:
                self._schedule_crash()
            if math.isfinite(self.network.faults_until):
                self._schedule(self.network.faults_until, "recover", None)

    # -- bookkeeping ---------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        s, n, t, w = self.setup, self.network, self.timing, self.workload
        extra: dict[str, Any] = {}  # only when set, so that older traces stay the same
        if w.total is not None:
            extra["total"] = w.total
        if s.broken is not None:
            extra["broken"] = s.broken
        return extra | {
            "seed": self.seed, "manual": self.manual, "servers": list(s.servers),
            "initial": list(s.initial), "alpha": s.alpha, "loss": n.loss,
            "duplication": n.duplication, "delay": list(n.delay), "crash_rate": n.crash_rate,
            "faults_until": n.faults_until if math.isfinite(n.faults_until) else None,
            "heartbeat": t.heartbeat, "election": list(t.election),
            "clients": w.clients, "ops": w.ops,
        }

    def _client(self, name: str) -> Client:
        if name in self.setup.servers:
            raise ValueError(f"client must not be named like a server {self.setup.servers}, "
                             f"got {name!r}")
        if name not in self.clients:
            # Each client starts with a different server, so first guesses spread.
            start = len(self.clients) % len(self.setup.servers)
            self.clients[name] = Client(name, self.setup.servers, target=start)
        return self.clients[name]

    @property
    def violations(self) -> list:
        return self.monitor.violations if self.monitor is not None else []

    @property
    def safe(self) -> bool:
        return not self.violations

    def leaders(self) -> list[str]:
        """Servers that currently believe they lead (more than one is possible)."""
        return [n for n, s in self.servers.items() if s.is_leader]

    # -- sending -----------------------------------------------------------------
    @property
    def sent(self) -> Counter[str]:
        """How many messages of each type were sent, by type name (``"Accept"``)."""
        return Counter({kind.__name__: n for kind, n in self._sent.items()})

    def _transmit(self, m: Message) -> None:
        kind = type(m)
        self._sent[kind] = self._sent.get(kind, 0) + 1
        if self.monitor is not None:
            self.monitor.record_sent(m)
        self._put_in_flight(m)

    # -- running a server's handler -------------------------------------------------
    def _run_server(self, name: str, handler: Callable[..., tuple[Server, Any]],
                    *args: Any) -> None:
        """Run ``handler(server, *args)`` on server ``name``: a `Server` method."""
        old = self.servers[name]
        new, out = handler(old, *args)
        if new is old and not out:
            # Nothing happened (most often a follower's heartbeat tick, a quarter of
            # a run's steps): nothing to send, record or check.
            return
        new, sent = settle(new, out)
        self.servers[name] = new
        monitor = self.monitor
        seen = len(monitor.violations) if monitor is not None else 0
        for m in sent:
            if m.receiver != name:
                self._transmit(m)
                continue
            if self.monitor is not None:  # handled already, by `settle`
                self.monitor.record_sent(m)
            self._event("local", name, m)
        self._observe(name, old, new)
        if monitor is not None and len(monitor.violations) > seen:
            for v in monitor.violations[seen:]:
                self._event("violation", name, detail=str(v))

    def _observe(self, name: str, old: Server, new: Server) -> None:
        # Each part first asks whether the server's record changed at all (an
        # identity test): most steps change one part, and this runs for every step.
        changed_role = old.leadership is not new.leadership or old.up != new.up
        if changed_role and (old.role != new.role or (
                old.leadership and new.leadership
                and old.leadership.number != new.leadership.number)):
            if new.role == "candidate":
                assert new.leadership is not None
                self._event("campaign", name, detail=f"phase 1 with number "
                            f"{new.leadership.number} for {list(new.leadership.gaps)} "
                            f"and ≥{new.leadership.above}")
            elif new.role == "leader":
                assert new.leadership is not None
                lead = new.leadership
                self.elections.append((self.now, name, str(lead.number)))
                self._event("elected", name, detail=f"leads with {lead.number}; constrained "
                            f"{list(lead.constrained)}, no-ops {list(lead.noops)}")
            elif old.role in ("leader", "candidate") and new.role == "follower":
                self._event("step-down", name)
        if new.stable.chosen is not old.stable.chosen \
                and len(new.stable.chosen) > len(old.stable.chosen):
            # a server learns in instance order within one step, so this is also
            # the order it learned them in
            for s in new.stable.chosen.added_since(old.stable.chosen):
                value = new.stable.chosen[s]
                if self.monitor is not None:
                    self.monitor.record_learned(name, s, value)
                if self.record:
                    self._event("learn", name, detail=f"#{s} {describe_value(value)}")
        if new.machine is not old.machine and new.up and old.up \
                and new.executed > old.executed:
            if self.monitor is not None:
                self.monitor.record_executed(name, new.sm)
            if self.record:
                for s in new.executed_instances()[old.executed:new.executed]:
                    self._event("execute", name,
                                detail=f"#{s} {describe_value(new.stable.chosen[s])}")

    # -- clients ---------------------------------------------------------------------
    def _invoke(self, name: str, op: Op) -> None:
        client, out = self._client(name).invoke(op)
        self.clients[name] = client
        assert client.outstanding is not None
        rec = OpRecord(name, client.outstanding.request_id, client.outstanding.op, self.now)
        self.ops.append(rec)
        self._open[name] = rec
        self._event("invoke", name, detail=client.outstanding.describe())
        for m in out:
            self._transmit(m)
        if not self.manual:
            self._schedule(self.timing.client_retry, "retry", (name, rec.request_id))

    def _random_op(self) -> Op:
        w, r = self.workload, self.rng
        key = r.choice(w.keys)
        x = r.random()
        if x < 0.4:
            return ("get", key)
        if x < 0.8:
            return ("put", key, r.randrange(w.values))
        return ("cas", key, r.choice([None, *range(w.values)]), r.randrange(w.values))

    def _next_for(self, name: str) -> None:
        """A free client takes its next scripted operation, or its next random one."""
        if self._scripted.get(name):
            self._invoke(name, self._scripted[name].pop(0))
        elif self._remaining.get(name, 0) > 0:
            self._remaining[name] -= 1
            self._invoke(name, self._random_op())

    def _client_receive(self, m: Message) -> None:
        name = m.receiver
        old = self.clients[name]
        new, out = old.receive(m)
        self.clients[name] = new
        for x in out:
            self._transmit(x)
        if old.outstanding is not None and new.outstanding is None:
            rec = self._open.pop(name)
            rec.complete, rec.output = self.now, new.last[1] if new.last else None
            self._event("complete", name, detail=f"#{rec.request_id} → {rec.output!r}")
            if not self.manual:
                if self._scripted.get(name):
                    self._next_for(name)
                elif self._remaining.get(name, 0) > 0:
                    self._schedule(self.rng.uniform(*self.timing.think), "invoke", name)

    # -- what the world asks of a protocol -------------------------------------------
    def _receive(self, m: Message, server: Server | None) -> None:
        if server is not None:
            self._run_server(m.receiver, Server.receive, m)
        else:
            self._client_receive(m)

    def _restarted(self, name: str, server: Server) -> None:
        self._event("restart", name, detail=f"replayed {server.executed} commands")
        if self.monitor is not None:
            self.monitor.record_executed(name, server.sm)

    # -- actions (manual mode; deliver, drop, crash, partition... are `World`'s) -------
    def timeout(self, name: str) -> None:
        """Fire ``name``'s election timer."""
        self._server_action(name, Server.election_timeout)

    def tick(self, name: str) -> None:
        """Fire ``name``'s heartbeat timer."""
        self._server_action(name, Server.tick)

    def campaign(self, name: str) -> None:
        """Have ``name`` start phase 1 now, whatever it heard."""
        self._server_action(name, Server.campaign)

    def _server_action(self, name: str, handler: Callable[[Server], tuple[Server, Any]]) -> None:
        self._node(name)
        self.steps += 1
        self._run_server(name, handler)

    def invoke(self, client: str, op: Op) -> None:
        """Have ``client`` invoke ``op`` now."""
        self.steps += 1
        self._invoke(client, op)

    def retry(self, client: str) -> None:
        """Fire ``client``'s retry timer."""
        if client not in self.clients:
            raise ValueError(f"client must be one of {sorted(self.clients)}, got {client!r}")
        self.steps += 1
        self._retry(client)

    def _retry(self, client: str) -> None:
        new, out = self.clients[client].retry()
        self.clients[client] = new
        for m in out:
            self._transmit(m)

    def advance(self, dt: float) -> None:
        """Manual mode: let ``dt`` units of simulated time pass, with nothing
        happening — so that the history records which operation came first."""
        if not self.manual:
            raise ValueError("advance() is for manual mode; this simulation is manual=False")
        net.positive("dt", dt)
        self.now += dt

    # -- automatic mode (the loop, random crashes and recovery are `World`'s) ----------
    def _on_election(self, name: str) -> None:
        if self.servers[name].up:
            self._run_server(name, Server.election_timeout)
        self._schedule(self.rng.uniform(*self.timing.election), "election", name)

    def _on_tick(self, name: str) -> None:
        if self.servers[name].up:
            self._run_server(name, Server.tick)
        self._schedule(self.timing.heartbeat, "tick", name)

    def _on_invoke(self, name: str) -> None:
        if not self.clients[name].busy:
            self._next_for(name)

    def _on_retry(self, ref: tuple[str, int]) -> None:
        name, request_id = ref
        c = self.clients[name]
        if c.outstanding is not None and c.outstanding.request_id == request_id:
            self._retry(name)
            self._schedule(self.timing.client_retry, "retry", ref)

    def _on_script(self, i: int) -> None:
        s = self.script[i]
        self._scripted.setdefault(s.client, []).append(s.op)
        if not self._client(s.client).busy:
            self._next_for(s.client)

    def _next_fault(self) -> None:
        if self._faults_due:
            heapq.heappush(self._queue, self._faults_due.pop())

    def _on_fault(self, i: int) -> None:
        """A scripted fault: one step, whatever it does to how many servers."""
        self._next_fault()
        f = self.faults[i]
        if f.action == "crash":
            for name in f.servers:
                self._crash(name)
        elif f.action == "restart":
            for name in f.servers:
                self._restart(name)
        elif f.action == "crash_leader":
            leaders = sorted(self.leaders(), key=lambda n: self.servers[n].leadership.number)
            if leaders:
                self._crash(leaders[-1])
        elif f.action == "partition":
            self.partition(*f.groups)
        else:
            self.heal()

    @property
    def done(self) -> bool:
        """Every client finished every operation it was given (so far)."""
        return self._done()

    def _done(self) -> bool:  # `done`, as the function `run` asks after every step
        return (not self._open and all(v == 0 for v in self._remaining.values())
                and not any(self._scripted.values())
                and all(s.time <= self.now for s in self.script))

    def run(self, until: float = math.inf, max_steps: int = 10_000_000,
            stop_when_done: bool = True,
            progress: Callable[[Simulation], None] | None = None) -> Simulation:
        """Run until simulated time ``until``, or until every client is done.
        ``progress`` is called with the simulation every 1000 steps (and at the end)."""
        self._run(until, max_steps, stop=self._done if stop_when_done else None,
                  progress=None if progress is None else (lambda: progress(self)))
        return self

    @property
    def completed(self) -> int:
        """How many client operations have completed."""
        return len(self.ops) - len(self._open)

    # -- results ------------------------------------------------------------------------
    def history(self, kv_only: bool = True) -> list[Operation]:
        """The clients' operations as `paxos_notes.multipaxos.linearizability.Operation`s
        (``reconfig`` left out unless ``kv_only=False``)."""
        return [Operation(r.client, r.op, r.output if r.complete is not None else None,
                          r.invoke, r.complete)
                for r in self.ops if not (kv_only and r.op[0] == "reconfig")]

    @property
    def leader_changes(self) -> int:
        """How many times leadership passed on: every election after the first."""
        return max(0, len(self.elections) - 1)

    def acknowledged_writes(self) -> list[OpRecord]:
        """The writes a client was told succeeded: ``put`` answered ``"ok"``,
        ``cas`` answered ``True``."""
        return [r for r in self.ops if r.complete is not None
                and ((r.op[0] == "put" and r.output == "ok")
                     or (r.op[0] == "cas" and r.output is True))]

    def lost_writes(self) -> list[OpRecord]:
        """Acknowledged writes the replicated log has lost.

        The leader that answered had executed the write, so the command is in
        its log at some instance i. The write is *kept* if it is in some
        server's log and every server whose log reaches instance i has it too
        (at i, or anywhere); otherwise it is lost. Each server's log is what its
        stable storage makes it execute — the chosen commands up to its first
        gap — so a crashed server
        counts with what it will replay. With the paper's rules every log is a
        prefix of one sequence, so nothing is ever lost.
        """
        logs = [_durable_log(s) for s in self.servers.values()]
        first: dict[str, int] = {}
        for log in logs:
            for i, v in log.items():
                if i < first.get(v, i + 1):
                    first[v] = i
        contents = [set(log.values()) for log in logs]
        lost = []
        for r in self.acknowledged_writes():
            v = Command(r.client, r.request_id, r.op).encode()
            i = first.get(v)
            if i is None or any(i in log and v not in c for log, c in zip(logs, contents,
                                                                          strict=True)):
                lost.append(r)
        return lost

    def summary(self) -> dict[str, Any]:
        completed = [r for r in self.ops if r.complete is not None]
        return {
            "seed": self.seed, "time": round(self.now, 6), "steps": self.steps,
            "ops": len(self.ops), "completed": len(completed),
            "sent": sum(self._sent.values()), "by_type": dict(sorted(self.sent.items())),
            "delivered": self.delivered, "dropped": self.dropped,
            "duplicated": self.duplicated, "leaders": self.leaders(),
            "executed": {n: s.executed for n, s in self.servers.items()},
            "safe": self.safe, "violations": [str(v) for v in self.violations],
        }


def _durable_log(server: Server) -> dict[int, Value]:
    """The commands ``server``'s stable storage has it execute, by instance."""
    chosen = server.stable.chosen
    k = 0
    while k + 1 in chosen:
        k += 1
    return {i: chosen[i] for i in range(1, k + 1)}
