"""Processes, not roles (§2.5).

§2.1 allows that "a single process may act as more than one agent", and §2.5
builds the implementation that way: every process is a proposer, an acceptor
and a learner, and "The algorithm chooses a leader, which plays the roles of
the distinguished proposer and the distinguished learner."

The agents do not change for that; only the wiring does. `Placement` says which
process hosts which agents. `ProcessSimulation` is the simulator of
`paxos_notes.sim` with a network between *processes*: a message from one agent
to another agent of the same process is handed over inside the process, at
once — it is never lost, delayed or duplicated, and it is not counted as sent —
while every other message travels on the network as before. So a run of the
same agents, on the same script, shows how many messages a decision costs on
the wire when roles share a process, as against one machine per role.

Agents still crash one at a time here; the process is only a postal address.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from .cluster import Cluster
from .messages import Message
from .sim import Counts, Simulation

MAX_NAME = 32


@dataclass(frozen=True)
class Placement:
    """Which process hosts which agents: ``hosts`` is ``((process, agents), ...)``.

    Every agent is on exactly one process; a process may host any agents.
    """

    hosts: tuple[tuple[str, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        names = [process for process, _ in self.hosts]
        if len(set(names)) != len(names):
            raise ValueError(f"hosts must name each process once, got {names}")
        for process, agents in self.hosts:
            if not isinstance(process, str) or not 1 <= len(process) <= MAX_NAME:
                raise ValueError(f"process names must be strings of 1..{MAX_NAME} characters, "
                                 f"got {process!r}")
            for agent in agents:
                if agent in seen:
                    raise ValueError(f"agent {agent!r} must be on one process, "
                                     f"got {seen[agent]!r} and {process!r}")
                seen[agent] = process
        object.__setattr__(self, "_host", seen)

    @classmethod
    def by_index(cls, cluster: Cluster) -> Placement:
        """§2.5's shape: process ``P<i>`` hosts proposer ``p<i>``, acceptor ``a<i>``
        and learner ``l<i>`` (whichever of them the cluster has)."""
        groups: dict[int, list[str]] = {}
        for names in (cluster.proposer_names, cluster.acceptor_names, cluster.learner_names):
            for i, name in enumerate(names, 1):
                groups.setdefault(i, []).append(name)
        return cls(tuple((f"P{i}", tuple(groups[i])) for i in sorted(groups)))

    @property
    def processes(self) -> tuple[str, ...]:
        return tuple(process for process, _ in self.hosts)

    @property
    def agents(self) -> frozenset[str]:
        return frozenset(self._host)  # type: ignore[attr-defined]

    def host(self, agent: str) -> str:
        """The process that hosts ``agent``."""
        try:
            return self._host[agent]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise ValueError(f"agent must be one of {sorted(self.agents)}, "
                             f"got {agent!r}") from None

    def local(self, m: Message) -> bool:
        """Whether ``m`` stays inside one process."""
        return self.host(m.sender) == self.host(m.receiver)

    def describe(self) -> str:
        return "; ".join(f"{p} = {{{', '.join(agents)}}}" for p, agents in self.hosts)


class ProcessSimulation(Simulation):
    """A `Simulation` whose nodes are processes (§2.5).

    ``placement`` defaults to `Placement.by_index`. A message between agents of
    one process is handed over inside it, in the order the messages were sent,
    once the handler that sent it has finished; it is counted in `local`, not
    in ``counts.sent``, and the trace records it as a ``deliver`` event without
    a message id (it was never in flight). All the simulator's actions —
    manual or automatic, faults included — apply to network messages only.
    """

    def __init__(self, cluster: Cluster | None = None, *, placement: Placement | None = None,
                 **kwargs: Any) -> None:
        cluster = cluster if cluster is not None else Cluster()
        self.placement = placement if placement is not None else Placement.by_index(cluster)
        names = set(cluster.proposer_names) | set(cluster.acceptor_names) \
            | set(cluster.learner_names)
        if self.placement.agents != names:
            raise ValueError(f"placement must place exactly the agents {sorted(names)}, "
                             f"got {sorted(self.placement.agents)}")
        self.local = 0
        self._handoffs: deque[Message] = deque()
        self._handing_over = False
        super().__init__(cluster, **kwargs)

    def _meta(self) -> dict[str, Any]:
        # which process hosts which agents: loading runs the same hand-overs again
        return {**super()._meta(),
                "placement": [[process, list(agents)] for process, agents in self.placement.hosts]}

    @property
    def counts(self) -> Counts:
        """The network's counts: a message handed over inside a process is not sent."""
        return replace(super().counts, sent=super().counts.sent - self.local)

    def _put_in_flight(self, m: Message, kind: str = "send") -> None:
        # `Simulation._apply` has recorded m in the history already, within the step
        # of the handler that sent it, so a local acceptance that completes a
        # majority is seen as chosen there.
        if kind == "send" and self.placement.local(m):
            self.local += 1
            self._handoffs.append(m)
            return
        super()._put_in_flight(m, kind)

    def _apply(self, *args: Any, **kwargs: Any) -> None:
        super()._apply(*args, **kwargs)
        if self._handing_over:
            return  # the loop below, further up the stack, takes it, in order
        # Hand over once the handler's step is complete, so that every step
        # (and its "chosen" event) belongs to exactly one handler.
        self._handing_over = True
        try:
            while self._handoffs:
                m = self._handoffs.popleft()
                agent = self.agents[m.receiver]
                inside = f"inside {self.placement.host(m.receiver)}"
                if not agent.up:
                    self._event("drop", m.receiver, m, None, f"receiver is down ({inside})")
                    continue
                self._event("deliver", m.receiver, m, None, inside)
                self._receive(m, agent)
        finally:
            self._handing_over = False


__all__ = ["Placement", "ProcessSimulation"]
