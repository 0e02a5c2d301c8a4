"""A deterministic simulator of the paper's world (§2.1's model, §2.4, §2.5).

§2.1 lets agents "operate at arbitrary speed, may fail by stopping, and may
restart", and messages "can take arbitrarily long to be delivered, can be
duplicated, and can be lost, but they are not corrupted." The simulator makes
each of those happen, reproducibly: one `random.Random` seeded by the caller
decides every delay, loss, duplicate and crash, so the same seed gives the same
`Trace`, byte for byte.

The world itself — network, messages in flight, faults, the step loop — is
`paxos_notes.net`, shared with the multi-Paxos simulator. This module adds
what is Paxos: it drives the agents of `paxos_notes.agents` (the same code
the model checker explores), checks `paxos_notes.invariants` after every step
and says what to record.

Two ways to drive it:

- automatic: `Simulation.run` pops a time-ordered event queue: deliveries
  (random per-link delays, so messages overtake each other), proposer
  timeouts (randomized, as §2.4 suggests), crashes and restarts;
- manual (``manual=True``): nothing happens by itself; a reader, a test or
  the model checker lists `pending` messages and chooses to `deliver`,
  `drop` or `duplicate` one, or to `crash` / `restart` an agent.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import net
from .agents import Acceptor, Agent, Learner, Proposer
from .cluster import Cluster
from .invariants import History, Violation
from .messages import Message, Promise, Proposal
from .net import Pending, World
from .quorums import to_spec
from .trace import Trace

__all__ = ["Counts", "Network", "Pending", "Simulation"]


@dataclass(frozen=True)
class Network(net.Network):
    """Fault rates for automatic mode (`paxos_notes.net.Network`), and §2.4's
    timeouts: ``retry``: a proposer that has not seen a value learned starts
    a new proposal after a time uniform in this range."""

    retry: tuple[float, float] = (10.0, 20.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        net.interval("retry", self.retry, high_positive=True)


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0


class _Header(NamedTuple):
    acceptors: tuple[str, ...]
    proposers: tuple[str, ...]
    learners: tuple[str, ...]
    values: tuple[str, ...]
    quorums: str
    agents: dict[str, str]
    phase2_quorums: tuple[tuple[str, ...], ...]


@functools.lru_cache(maxsize=64)
def _header(c: Cluster) -> _Header:
    """What a trace's header says of a cluster (`Simulation._meta` copies it).

    Cached: listing the minimal phase-2 quorums enumerates every subset of the
    acceptors, the costliest part of starting a run, and a benchmark or a fuzz
    campaign starts thousands of runs of one cluster.
    """
    q = c.quorum_system
    return _Header(c.acceptor_names, c.proposer_names, c.learner_names, c.proposal_values,
                   q.describe(), c.agent_classes,
                   tuple(tuple(sorted(m)) for m in q.minimal_quorums(2)))


class Simulation(World):
    """A run of the consensus algorithm on a simulated network.

    ``seed`` is required: every random choice comes from it. ``leader`` names
    the single proposer allowed to propose (§2.4's distinguished proposer);
    by default every proposer does.
    """

    NODE = "an agent"
    network: Network

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
        self.cluster = cluster if cluster is not None else Cluster()
        network = network if network is not None else Network()
        if not isinstance(network, Network):
            raise ValueError(f"network must be a paxos_notes.sim.Network, "
                             f"got {type(network).__name__}")
        self.agents: dict[str, Agent] = self.cluster.build()
        super().__init__(seed=seed, network=network, manual=manual, record=record,
                         nodes=self.agents)
        proposers = self.cluster.proposer_names
        if leader is not None and leader not in proposers:
            raise ValueError(f"leader must be one of {proposers}, got {leader!r}")
        self.leader = leader
        self.history = History(self.cluster.quorum_system, self.cluster.proposal_values)
        self.chosen_at: float | None = None
        self._sent = 0
        self.trace = Trace(meta=self._meta())
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
        try:
            h = _header(c)
        except TypeError:  # a cluster with an unhashable quorum system: no cache
            h = _header.__wrapped__(c)
        return {
            "seed": self.seed, "manual": self.manual, "leader": self.leader,
            "acceptors": list(h.acceptors), "proposers": list(h.proposers),
            "learners": list(h.learners), "values": list(h.values), "quorums": h.quorums,
            "loss": n.loss, "duplication": n.duplication, "delay": list(n.delay),
            "crash_rate": n.crash_rate,
            "agents": dict(h.agents),
            "phase2_quorums": [list(q) for q in h.phase2_quorums],
            # what loading needs to run the same agents again (`trace_replay`)
            "quorum_system": to_spec(c.quorum_system), "learning": c.learning,
            "distinguished": c.distinguished, "shared_numbers": c.shared_numbers,
        }

    @staticmethod
    def _storage(agent: Agent) -> dict[str, Any] | None:
        """An acceptor's memory after an event, for the trace (None for others)."""
        if not isinstance(agent, Acceptor):
            return None
        return {"promised": agent.promised, "accepted": agent.accepted}

    @property
    def counts(self) -> Counts:
        return Counts(self._sent, self.delivered, self.dropped, self.duplicated)

    @property
    def violations(self) -> list[Violation]:
        return self.history.violations

    @property
    def chosen(self) -> set[Proposal]:
        return set(self.history.chosen)

    def learned(self) -> dict[str, Proposal | None]:
        return {n: a.learned for n, a in self.agents.items() if isinstance(a, Learner)}

    # -- applying a handler ------------------------------------------------
    def _receive(self, m: Message, agent: Agent) -> None:
        new, out = agent.receive(m)
        self._apply(m.receiver, agent, new, out, m.sender)

    def _apply(self, name: str, old: Agent, new: Agent, out: Sequence[Message],
               sender: str = "") -> None:
        """Put ``name``'s new state in place, record what it did, send ``out``.
        ``sender``: whose message it handled ("" for a timeout)."""
        self.agents[name] = new
        record = self.record
        history = self.history
        # counted before the learner's record: learning an unchosen value (§2.1's
        # third requirement) must show as a violation event, like the others
        seen = len(history.violations)
        if isinstance(new, Acceptor):
            if record:
                self._record_acceptor(name, old, new, out)
            if new.unsaved is not None and not self.manual:
                self._schedule(0.0, "persist", name)
        elif isinstance(new, Learner) and new.learned is not None and old.learned is None:
            history.record_learned(name, new.learned)
            cause = f"from {sender}" if sender else "timeout"
            self._event("learned", name, detail=f"learns {new.learned.value!r} ({cause})",
                        state={"learned": new.learned})
        before = len(history.chosen)
        for m in out:
            self._sent += 1
            history.record_sent(m)
            self._put_in_flight(m)
        if len(history.chosen) > before:
            if self.chosen_at is None:
                self.chosen_at = self.now
            if record:
                newest = ", ".join(str(p) for p in sorted(history.chosen))
                self._event("chosen", "", detail=f"chosen so far: {newest}",
                            state={"chosen": sorted(history.chosen)})
        if record and len(history.violations) > seen:
            for v in history.violations[seen:]:
                self._event("violation", "", detail=str(v))

    def _record_acceptor(self, name: str, old: Acceptor, new: Acceptor,
                         out: Sequence[Message]) -> None:
        memory = new.memory  # read once: each property of an acceptor goes through it
        storage = {"promised": memory.promised, "accepted": memory.accepted}
        if memory.accepted is not None and memory.accepted != old.memory.accepted:
            self._event("accept", name, detail=f"accepts {memory.accepted}", state=storage)
        for m in out:
            if isinstance(m, Promise):
                accepted = f", reporting {m.accepted}" if m.accepted else ", nothing accepted"
                self._event("promise", name, detail=f"promises {m.n}{accepted}", state=storage)

    def _crashed(self, name: str, agent: Agent) -> None:
        self._event("crash", name, state=self._storage(agent))

    def _restarted(self, name: str, agent: Agent) -> None:
        self._event("restart", name, state=self._storage(agent))
        if not self.manual and isinstance(agent, Learner) and self._resting:
            # §2.3: a learner that lost what it knew "can have a proposer issue
            # a proposal" to find out again.
            for resting in sorted(self._resting):
                self._schedule(self.rng.uniform(*self.network.retry), "timeout", resting)
            self._resting.clear()

    # -- manual actions (deliver, drop, duplicate, crash, restart: `World`) --------
    def propose(self, name: str) -> None:
        """Have proposer ``name`` start phase 1 with a new number."""
        agent = self._node(name)
        if not isinstance(agent, Proposer):
            raise ValueError(f"name must be a proposer {self.cluster.proposer_names}, "
                             f"got {name!r}")
        self.steps += 1
        self._propose(name, agent)

    def _propose(self, name: str, agent: Proposer) -> None:
        """Phase 1(a) for ``name``, recorded (a proposer that is down sends nothing)."""
        new, out = agent.prepare()
        if out and self.record:
            self._event("propose", name, detail=f"starts phase 1 with number {new.number}")
        self._apply(name, agent, new, out)

    def persist(self, name: str) -> None:
        """Let an acceptor that sent before persisting finish writing."""
        agent = self._node(name)
        if isinstance(agent, Acceptor) and agent.unsaved is not None:
            self.steps += 1
            self._on_persist(name)

    # -- automatic mode -----------------------------------------------------
    def _all_learned(self) -> bool:
        return all(a.learned is not None for a in self.agents.values() if isinstance(a, Learner))

    def _on_persist(self, name: str) -> None:
        agent = self.agents[name]
        if isinstance(agent, Acceptor) and agent.unsaved is not None:
            self.agents[name] = new = agent.persist()
            self._event("persist", name, state=self._storage(new))

    def _on_timeout(self, name: str) -> None:
        if self._all_learned():
            self._resting.add(name)  # every learner knows the value: stop asking
            return
        agent = self.agents[name]
        if agent.up:
            self._propose(name, agent)
        self._schedule(self.rng.uniform(*self.network.retry), "timeout", name)

    def run(self, until: float = math.inf, max_steps: int = 1_000_000) -> Simulation:
        """Run automatic mode until simulated time ``until`` or nothing is left to do,
        for at most ``max_steps`` steps (``stopped_at_max_steps`` then says so)."""
        self._run(until, max_steps)
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
