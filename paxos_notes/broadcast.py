"""Replication without consensus: clients send each command to every replica (§1).

§1 of the paper: the complete Paxos algorithm is consensus applied to the
state machine approach, in which every server runs the same deterministic
machine on the same sequence of commands. This module is the design that
approach would use if there were no consensus: each client sends its command
straight to every replica, over the network of §2.1 ("can take arbitrarily
long to be delivered, can be duplicated, and can be lost"), and replicas may
stop and restart. What a replica then does with the commands that reach it is
the notebook's to write (``01_introduction.ipynb`` applies them in arrival
order and watches the replicas drift apart).

It is one more protocol on the one simulated world, `paxos_notes.net.World`:
the world decides every delay, loss, duplicate and crash from one seed, as it
does for the Paxos simulators; this module only schedules the clients'
submissions and says what a run's trace holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, NamedTuple

from . import trace as core
from .net import Network, World

REPLICAS = ("r1", "r2", "r3")


@dataclass(frozen=True)
class Submission:
    """A client hands ``command`` to the network at ``time``, for every replica."""

    client: str
    command: str
    time: float

    def __post_init__(self) -> None:
        for name in ("client", "command"):
            v = getattr(self, name)
            if not isinstance(v, str) or not 1 <= len(v) <= core.MAX_NAME:
                raise ValueError(f"{name} must be a string of 1..{core.MAX_NAME} characters, "
                                 f"got {v!r}")
        t = self.time
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < math.inf:
            raise ValueError(f"time must be a number in [0, inf), got {t!r}")


@dataclass(frozen=True)
class Command:
    """The message: one client's command on its way to one replica."""

    sender: str  # the client
    receiver: str  # the replica
    command: str

    def describe(self) -> str:
        return f"{self.sender}'s {self.command}"


@dataclass(frozen=True)
class Replica:
    """A replica as the world sees it: up or down. Its state is the caller's."""

    name: str
    up: bool = True

    def crash(self) -> Replica:
        return replace(self, up=False)

    def restart(self) -> Replica:
        return replace(self, up=True)


CODEC = core.Codec(
    schema="paxos-notes/broadcast-trace", version=1,
    kinds=("send", "deliver", "drop", "duplicate", "crash", "restart"),
    messages={"Command": Command},
    fields={"sender": core.string, "receiver": core.string, "command": core.string},
)


class Trace(core.Trace):
    """A broadcast run: the one `paxos_notes.trace.Trace`, read and written with `CODEC`."""

    codec: ClassVar[core.Codec] = CODEC


class Broadcast(World):
    """One run: every submission sent to every replica; the world does the rest.

    The trace has a ``send`` event per copy a client hands to the network (at
    the time it is submitted), ``duplicate`` for a second copy the network
    makes, ``drop`` for a copy lost on the way (detail "lost by the network")
    or reaching a replica that is down ("receiver is down"), ``deliver`` for a
    copy that arrives, and ``crash`` / ``restart`` for the replicas.
    """

    NODE = "a replica"

    def __init__(self, submissions: Iterable[Submission | tuple[str, str, float]], *,
                 seed: int, network: Network | None = None,
                 replicas: Sequence[str] = REPLICAS) -> None:
        subs = tuple(s if isinstance(s, Submission) else Submission(*s) for s in submissions)
        names = tuple(replicas)
        if not names or len(set(names)) != len(names) or \
                not all(isinstance(r, str) and r for r in names):
            raise ValueError(f"replicas must be distinct names, got {names!r}")
        self.replicas = names
        self.submissions = tuple(sorted(subs, key=lambda s: s.time))
        super().__init__(seed=seed, network=network if network is not None else Network(),
                         manual=False, record=True, nodes={r: Replica(r) for r in names})
        self.trace = Trace(meta=self._meta())
        for s in self.submissions:
            self._schedule(s.time, "submit", s)
        if self.network.crash_rate > 0:
            self._schedule_crash()

    def _meta(self) -> dict[str, Any]:
        n = self.network
        return {"seed": self.seed, "replicas": list(self.replicas),
                "submissions": [[s.client, s.command, s.time] for s in self.submissions],
                "network": {"loss": n.loss, "duplication": n.duplication,
                            "delay": list(n.delay), "crash_rate": n.crash_rate,
                            "restart_delay": list(n.restart_delay)}}

    def _on_submit(self, s: Submission) -> None:
        for r in self.replicas:
            self._put_in_flight(Command(s.client, r, s.command))

    def _receive(self, m: Command, node: Replica) -> None:
        """Nothing to do: the trace's ``deliver`` event is what the replica got."""

    def run(self, max_steps: int = 100_000) -> Broadcast:
        """Run until every submission is sent and every copy delivered or lost."""
        last = self.submissions[-1].time if self.submissions else 0.0
        self._run(math.inf, max_steps,
                  stop=lambda: self.now >= last and not self.in_flight and self._submitted())
        return self

    def _submitted(self) -> bool:
        return not any(kind == "submit" for _, _, kind, _ in self._queue)


def broadcast(submissions: Iterable[Submission | tuple[str, str, float]], *, seed: int,
              network: Network | None = None, replicas: Sequence[str] = REPLICAS
              ) -> Broadcast:
    """Send each (client, command, time) to every replica over ``network`` and run
    until every copy is delivered or lost. Deterministic for a ``seed``."""
    return Broadcast(submissions, seed=seed, network=network, replicas=replicas).run()


class Happening(NamedTuple):
    """One line of a broadcast run: a copy delivered, lost or missed, or a crash."""

    time: float
    kind: str  # deliver | lost | missed | crash | restart
    replica: str
    client: str = ""
    command: str = ""
    sent: float = 0.0
    copy: bool = False  # a second copy made by the network


def happenings(run: Broadcast) -> list[Happening]:
    """What happened to each copy of each command, and to each replica, in time order:
    the typed record a timeline or a narration of the run is drawn from."""
    sent: dict[int, tuple[float, bool]] = {}  # message id -> (time sent, a copy?)
    out = []
    for e in run.trace:
        m = e.message
        if e.kind in ("send", "duplicate"):
            sent[e.msg_id] = (e.time, e.kind == "duplicate")
        elif e.kind in ("crash", "restart"):
            out.append(Happening(e.time, e.kind, e.agent))
        elif m is not None and e.kind in ("deliver", "drop"):
            kind = "deliver" if e.kind == "deliver" else \
                "missed" if e.detail == "receiver is down" else "lost"
            out.append(Happening(e.time, kind, m.receiver, m.sender, m.command,
                                 *sent[e.msg_id]))
    return out
