"""A deterministic simulator of the paper's world (§2.1's model, §2.4, §2.5).

§2.1 lets agents "operate at arbitrary speed, may fail by stopping, and may
restart", and messages "can take arbitrarily long to be delivered, can be
duplicated, and can be lost, but they are not corrupted." The simulator makes
each of those happen, reproducibly: one `random.Random` seeded by the caller
decides every delay, loss, duplicate and crash, so the same seed gives the same
`Trace`, byte for byte.

It drives the agents of `paxos_notes.agents` — the same code the model checker
explores — and checks `paxos_notes.invariants` after every step.

Two ways to drive it:

- automatic: `Simulation.run` pops a time-ordered event queue: deliveries
  (random per-link delays, so messages overtake each other), proposer
  timeouts (randomized, as §2.4 suggests), crashes and restarts;
- manual (``manual=True``): nothing happens by itself; a reader, a test or
  the model checker lists `pending` messages and chooses to `deliver`,
  `drop` or `duplicate` one, or to `crash` / `restart` an agent.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .agents import Acceptor, Agent, Learner, Proposer
from .cluster import Cluster
from .invariants import History, Violation
from .messages import Message, Promise, Proposal
from .trace import Event, Trace


def _check_probability(name: str, p: float) -> float:
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in 0..1, got {p!r}")
    return float(p)


def _check_range(name: str, r: tuple[float, float], positive: bool = False) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in r)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {r!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi < lo:
        raise ValueError(f"{name} must satisfy 0 <= low <= high < inf, got {r!r}")
    if positive and hi <= 0:
        raise ValueError(f"{name} must have high > 0, got {r!r}")
    return lo, hi


@dataclass(frozen=True)
class Network:
    """Fault rates for automatic mode. All zero: a perfect, slow network.

    - ``loss``, ``duplication``: probability per message, in 0..1;
    - ``delay``: (low, high), each delivery takes a uniform time in it;
      ``link_delay`` overrides it for chosen ``(sender, receiver)`` links;
    - ``crash_rate``: expected crashes per unit of time, whole cluster, >= 0;
      a crashed agent restarts after a time uniform in ``restart_delay``;
    - ``faults_until``: after this time no more loss, duplication or crashes
      (so liveness can be checked once the network behaves);
    - ``retry``: a proposer that has not seen a value learned starts a new
      proposal after a time uniform in this range (§2.4's random timeouts).
    """

    loss: float = 0.0
    duplication: float = 0.0
    delay: tuple[float, float] = (1.0, 3.0)
    link_delay: tuple[tuple[tuple[str, str], tuple[float, float]], ...] = ()
    crash_rate: float = 0.0
    restart_delay: tuple[float, float] = (5.0, 15.0)
    faults_until: float = math.inf
    retry: tuple[float, float] = (10.0, 20.0)

    def __post_init__(self) -> None:
        _check_probability("loss", self.loss)
        _check_probability("duplication", self.duplication)
        _check_range("delay", self.delay)
        for link, r in self.link_delay:
            _check_range(f"link_delay[{link}]", r)
        if not isinstance(self.crash_rate, (int, float)) or not 0 <= self.crash_rate < math.inf:
            raise ValueError(f"crash_rate must be a number >= 0, got {self.crash_rate!r}")
        _check_range("restart_delay", self.restart_delay, positive=True)
        _check_range("retry", self.retry, positive=True)
        if not self.faults_until >= 0:
            raise ValueError(f"faults_until must be >= 0, got {self.faults_until!r}")


@dataclass(frozen=True)
class Pending:
    """A message in flight. ``due`` is its delivery time (automatic mode only)."""

    id: int
    message: Message
    due: float = 0.0

    def describe(self) -> str:
        m = self.message
        return f"#{self.id} {m.sender}→{m.receiver}: {m.describe()}"


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0


class InFlight:
    """Messages in flight, by id: what manual mode lists and takes from.

    Shared by this simulator and the multi-Paxos one (`paxos_notes.multipaxos.sim`).
    """

    in_flight: dict[int, Pending]

    def pending(self) -> list[Pending]:
        """Messages in flight, oldest first."""
        return [self.in_flight[k] for k in sorted(self.in_flight)]

    def _take(self, msg_id: int) -> Pending:
        if msg_id not in self.in_flight:
            raise ValueError(f"msg_id must be one of the pending ids {sorted(self.in_flight)}, "
                             f"got {msg_id!r}")
        return self.in_flight.pop(msg_id)


# A scheduled event is a plain tuple (time, seq, kind, ref): the heap then
# compares tuples in C, and seq breaks ties in scheduling order.
_Scheduled = tuple[float, int, str, Any]


class Simulation(InFlight):
    """A run of the consensus algorithm on a simulated network.

    ``seed`` is required: every random choice comes from it. ``leader`` names
    the single proposer allowed to propose (§2.4's distinguished proposer);
    by default every proposer does.
    """

    def __init__(
        self,
        cluster: Cluster | None = None,
        *,
        seed: int,
        network: Network | None = None,
        manual: bool = False,
        leader: str | None = None,
        record: bool = True,
    ) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        self.cluster = cluster if cluster is not None else Cluster()
        self.network = network if network is not None else Network()
        self.manual = manual
        self.seed = seed
        self.rng = random.Random(seed)
        self.agents: dict[str, Agent] = self.cluster.build()
        proposers = self.cluster.proposer_names
        if leader is not None and leader not in proposers:
            raise ValueError(f"leader must be one of {proposers}, got {leader!r}")
        self.leader = leader
        self.now = 0.0
        self.steps = 0
        self._next_id = 0
        self._seq = 0
        self._queue: list[_Scheduled] = []
        self.in_flight: dict[int, Pending] = {}
        self.partitions: tuple[frozenset[str], ...] = ()
        self.history = History(self.cluster.quorum_system, self.cluster.proposal_values)
        self.chosen_at: float | None = None
        self._sent = self._delivered = self._dropped = self._duplicated = 0
        self.record = record
        self.trace = Trace(meta=self._meta())
        self._delays = dict(self.network.link_delay)
        self._resting: set[str] = set()
        if not manual:
            for name in proposers:
                if leader is None or name == leader:
                    self._schedule(self.rng.uniform(0.0, 1.0), "timeout", name)
            if self.network.crash_rate > 0:
                self._schedule_crash()

    # -- bookkeeping ------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        c, n = self.cluster, self.network
        return {
            "seed": self.seed, "manual": self.manual, "leader": self.leader,
            "acceptors": list(c.acceptor_names), "proposers": list(c.proposer_names),
            "learners": list(c.learner_names), "values": list(c.proposal_values),
            "quorums": c.quorum_system.describe(),
            "loss": n.loss, "duplication": n.duplication, "delay": list(n.delay),
            "crash_rate": n.crash_rate,
            "agents": c.agent_classes,
            "phase2_quorums": [sorted(q) for q in c.quorum_system.minimal_quorums(2)],
        }

    def _event(self, kind: str, agent: str = "", message: Message | None = None,
               msg_id: int | None = None, detail: str = "",
               state: dict[str, Any] | None = None) -> None:
        if self.record:
            self.trace.append(Event(self.steps, self.now, kind, agent, message, msg_id, detail,
                                    state))

    @staticmethod
    def _storage(agent: Agent) -> dict[str, Any] | None:
        """An acceptor's memory after an event, for the trace (None for others)."""
        if not isinstance(agent, Acceptor):
            return None
        return {"promised": agent.promised, "accepted": agent.accepted}

    def _schedule(self, delay: float, kind: str, ref: Any) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay, self._seq, kind, ref))

    def _faulty(self) -> bool:
        return self.now < self.network.faults_until

    def _check_agent(self, name: str) -> Agent:
        if name not in self.agents:
            raise ValueError(f"name must be an agent, one of {sorted(self.agents)}, "
                             f"got {name!r}")
        return self.agents[name]

    @property
    def counts(self) -> Counts:
        return Counts(self._sent, self._delivered, self._dropped, self._duplicated)

    @property
    def violations(self) -> list[Violation]:
        return self.history.violations

    @property
    def chosen(self) -> set[Proposal]:
        return set(self.history.chosen)

    def learned(self) -> dict[str, Proposal | None]:
        return {n: a.learned for n, a in self.agents.items() if isinstance(a, Learner)}

    def partitioned(self, a: str, b: str) -> bool:
        if not self.partitions:
            return False
        return not any(a in g and b in g for g in self.partitions)

    # -- sending ----------------------------------------------------------
    def _send_all(self, messages: Iterable[Message]) -> None:
        for m in messages:
            self._sent += 1
            self.history.record_sent(m)
            self._add_in_flight(m, "send")

    def _add_in_flight(self, m: Message, kind: str) -> None:
        self._next_id += 1
        mid = self._next_id
        if self.manual:
            self.in_flight[mid] = Pending(mid, m)
            self._event(kind, m.sender, m, mid)
            return
        self._event(kind, m.sender, m, mid)
        if self._faulty() and self.network.loss and self.rng.random() < self.network.loss:
            self._dropped += 1
            self._event("drop", m.sender, m, mid, "lost by the network")
            return
        lo, hi = self._delays.get((m.sender, m.receiver), self.network.delay)
        due = self.now + self.rng.uniform(lo, hi)
        self.in_flight[mid] = Pending(mid, m, due)
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, "deliver", mid))
        if kind == "send" and self._faulty() and self.network.duplication \
                and self.rng.random() < self.network.duplication:
            self._duplicated += 1
            self._add_in_flight(m, "duplicate")

    # -- applying a handler ------------------------------------------------
    def _apply(self, name: str, new: Agent, out: Sequence[Message], cause: str) -> None:
        old = self.agents[name]
        self.agents[name] = new
        if isinstance(new, Acceptor):
            storage = self._storage(new)
            if new.accepted != old.accepted and new.accepted is not None:
                self._event("accept", name, detail=f"accepts {new.accepted}", state=storage)
            for m in out:
                if isinstance(m, Promise):
                    accepted = f", reporting {m.accepted}" if m.accepted else ", nothing accepted"
                    self._event("promise", name, detail=f"promises {m.n}{accepted}",
                                state=storage)
            if new.unsaved is not None and not self.manual:
                self._schedule(0.0, "persist", name)
        elif isinstance(new, Learner) and new.learned is not None and old.learned is None:
            self.history.record_learned(name, new.learned)
            self._event("learned", name, detail=f"learns {new.learned.value!r} ({cause})",
                        state={"learned": new.learned})
        before = len(self.history.chosen)
        seen = len(self.history.violations)
        self._send_all(out)
        if len(self.history.chosen) > before:
            if self.chosen_at is None:
                self.chosen_at = self.now
            newest = ", ".join(str(p) for p in sorted(self.history.chosen))
            self._event("chosen", "", detail=f"chosen so far: {newest}",
                        state={"chosen": sorted(self.history.chosen)})
        for v in self.history.violations[seen:]:
            self._event("violation", "", detail=str(v))

    def _dispatch(self, m: Message, msg_id: int | None = None) -> None:
        agent = self.agents[m.receiver]
        if not agent.up:
            self._dropped += 1
            # the id lets a viewer take the message out of flight
            self._event("drop", m.receiver, m, msg_id, "receiver is down")
            return
        new, out = agent.receive(m)
        self._apply(m.receiver, new, out, f"from {m.sender}")

    # -- manual actions -----------------------------------------------------
    def deliver(self, msg_id: int) -> None:
        """Deliver one pending message now."""
        p = self._take(msg_id)
        self.steps += 1
        self._deliver(p)

    def _deliver(self, p: Pending) -> None:
        m = p.message
        if self.partitioned(m.sender, m.receiver):
            self._dropped += 1
            self._event("drop", m.receiver, m, p.id, "partitioned")
            return
        self._delivered += 1
        self._event("deliver", m.receiver, m, p.id)
        self._dispatch(m, p.id)

    def drop(self, msg_id: int) -> None:
        """Lose one pending message."""
        p = self._take(msg_id)
        self.steps += 1
        self._dropped += 1
        self._event("drop", p.message.receiver, p.message, p.id, "dropped")

    def duplicate(self, msg_id: int) -> None:
        """Put a second copy of a pending message in flight."""
        if msg_id not in self.in_flight:
            raise ValueError(f"msg_id must be one of the pending ids {sorted(self.in_flight)}, "
                             f"got {msg_id!r}")
        self.steps += 1
        self._duplicated += 1
        self._add_in_flight(self.in_flight[msg_id].message, "duplicate")

    def propose(self, name: str) -> None:
        """Have proposer ``name`` start phase 1 with a new number."""
        agent = self._check_agent(name)
        if not isinstance(agent, Proposer):
            raise ValueError(f"name must be a proposer {self.cluster.proposer_names}, "
                             f"got {name!r}")
        self.steps += 1
        new, out = agent.prepare()
        if out:
            self._event("propose", name, detail=f"starts phase 1 with number {new.number}")
        self._apply(name, new, out, "timeout")

    def crash(self, name: str) -> None:
        """Stop an agent: it loses what is not on stable storage."""
        agent = self._check_agent(name)
        self.steps += 1
        if agent.up:
            self.agents[name] = agent.crash()
            self._event("crash", name, state=self._storage(self.agents[name]))

    def restart(self, name: str) -> None:
        """Start a stopped agent again from its stable storage."""
        agent = self._check_agent(name)
        self._restart(name, agent)

    def _restart(self, name: str, agent: Agent) -> None:
        self.steps += 1
        if agent.up:
            return
        self.agents[name] = agent.restart()
        self._event("restart", name, state=self._storage(self.agents[name]))
        if not self.manual and isinstance(agent, Learner) and self._resting:
            # §2.3: a learner that lost what it knew "can have a proposer issue
            # a proposal" to find out again.
            for resting in sorted(self._resting):
                self._schedule(self.rng.uniform(*self.network.retry), "timeout", resting)
            self._resting.clear()

    def persist(self, name: str) -> None:
        """Let an acceptor that sent before persisting finish writing."""
        agent = self._check_agent(name)
        if isinstance(agent, Acceptor) and agent.unsaved is not None:
            self.steps += 1
            self.agents[name] = agent.persist()
            self._event("persist", name, state=self._storage(self.agents[name]))

    def partition(self, *groups: Iterable[str]) -> None:
        """Split the network: messages flow only within a group (an agent in no
        group is cut off from everyone). `heal` joins it again."""
        gs = tuple(frozenset(g) for g in groups)
        for g in gs:
            for name in g:
                self._check_agent(name)
        self.partitions = gs
        self._event("partition", detail=" | ".join(",".join(sorted(g)) for g in gs))

    def heal(self) -> None:
        self.partitions = ()
        self._event("heal")

    # -- automatic mode -----------------------------------------------------
    def _schedule_crash(self) -> None:
        self._schedule(self.rng.expovariate(self.network.crash_rate), "crash", None)

    def _all_learned(self) -> bool:
        return all(a.learned is not None for a in self.agents.values() if isinstance(a, Learner))

    def step(self) -> bool:
        """Process the next scheduled event. False when nothing is left."""
        if self.manual:
            raise ValueError("step() is for automatic mode; this simulation is manual=True")
        while self._queue:
            time, _, kind, ref = heapq.heappop(self._queue)
            if kind == "deliver" and ref not in self.in_flight:
                continue  # already handled by a manual action
            self.now = time
            self.steps += 1
            if kind == "deliver":
                self._deliver(self.in_flight.pop(ref))
            elif kind == "timeout":
                self._timeout(ref)
            elif kind == "crash":
                self._random_crash()
            elif kind == "restart":
                self.steps -= 1  # _restart counts the step itself
                self._restart(ref, self.agents[ref])
            elif kind == "persist":
                self.persist(ref)
            return True
        return False

    def _timeout(self, name: str) -> None:
        if self._all_learned():
            self._resting.add(name)  # every learner knows the value: stop asking
            return
        agent = self.agents[name]
        if agent.up:
            new, out = agent.prepare()
            self._event("propose", name, detail=f"starts phase 1 with number {new.number}")
            self._apply(name, new, out, "timeout")
        self._schedule(self.rng.uniform(*self.network.retry), "timeout", name)

    def _random_crash(self) -> None:
        if not self._faulty():
            return
        up = [n for n, a in self.agents.items() if a.up]
        if up:
            victim = self.rng.choice(up)
            self.agents[victim] = self.agents[victim].crash()
            self._event("crash", victim, state=self._storage(self.agents[victim]))
            self._schedule(self.rng.uniform(*self.network.restart_delay), "restart", victim)
        self._schedule_crash()

    def run(self, until: float = math.inf, max_steps: int = 1_000_000) -> Simulation:
        """Run automatic mode until simulated time ``until`` or nothing is left to do."""
        if not until >= 0:
            raise ValueError(f"until must be >= 0, got {until!r}")
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        budget = max_steps
        while budget and self._queue and self._queue[0][0] <= until:
            if not self.step():
                break
            budget -= 1
        return self

    # -- summary ------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        c = self.counts
        chosen = sorted(self.history.chosen)
        return {
            "seed": self.seed,
            "chosen": sorted({p.value for p in chosen}),  # values; one per proposal below
            "chosen_proposals": [str(p) for p in chosen],
            "chosen_at": None if self.chosen_at is None else round(self.chosen_at, 6),
            "learned": {k: (v.value if v else None) for k, v in self.learned().items()},
            "time": round(self.now, 6),
            "steps": self.steps,
            "sent": c.sent, "delivered": c.delivered, "dropped": c.dropped,
            "duplicated": c.duplicated,
            "safe": self.history.safe,
            "violations": [str(v) for v in self.history.violations],
        }
