"""What a command costs in §3's replicated log, measured on a seeded run.

§3's claim: with one leader, phase 1 runs once for all instances, and then
each command costs only phase 2 — an accept request to every other server and
an acceptance back, 2(N−1) messages and 2 message delays ("Key to the
efficiency of this approach is that ... the value to be proposed is not chosen
until phase 2."). After a leader change, the commands the new leader finds in
phase 1 (and the no-ops it puts in the gaps) wait for that phase 1 as well.

`command_costs` runs an automatic-mode `Simulation` step by step and watches
it: the servers' typed state (who is candidate or leader, with which proposal
number, which instances each knows chosen) and the typed messages of its trace
(requests, prepares, promises, accepts, acceptances). Nothing is read back from
text. In a run whose messages all take one time unit, a time difference *is* a
number of message delays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..ballots import ProposalNumber
from ..messages import Value
from .kv import NOOP
from .messages import Accept, Accepted, Prepare, Promise, Request
from .sim import Simulation


@dataclass(frozen=True)
class CommandCost:
    """Instance ``instance``, chosen by ``leader`` leading with ``number``.

    ``delays``: time from when the leader could act on the command (it received
    the request while leading; or, if the command had to wait for phase 1 — a
    value the promises reported, a no-op, a request that came while it was still
    a candidate — when it started phase 1) to when it learned it chosen.
    ``phase2``: accept requests for the instance from the leader and
    acceptances back to it, between servers. ``waited``: it waited for phase 1.
    """

    instance: int
    leader: str
    number: ProposalNumber
    value: Value
    delays: float
    phase2: int
    waited: bool


@dataclass(frozen=True)
class Phase1:
    """One phase 1: ``leader`` started it at ``started`` with ``number``, was
    elected at ``elected`` (None: never), and it cost ``messages`` prepares and
    promises between servers."""

    leader: str
    number: ProposalNumber
    started: float
    elected: float | None
    messages: int


@dataclass(frozen=True)
class Costs:
    commands: tuple[CommandCost, ...]
    phase1: tuple[Phase1, ...]

    def steady(self) -> list[CommandCost]:
        return [c for c in self.commands if not c.waited]

    def waited(self) -> list[CommandCost]:
        return [c for c in self.commands if c.waited]


def command_costs(sim: Simulation, until: float = 1e6) -> Costs:
    """Run ``sim`` (automatic mode, recording its trace) until its clients are done
    or time ``until``, and measure every instance some server learned chosen."""
    if sim.manual or not sim.record:
        raise ValueError("sim must be an automatic-mode Simulation that records its trace")
    started: dict[tuple[str, ProposalNumber], float] = {}
    elected: dict[tuple[str, ProposalNumber], float] = {}
    requests: dict[tuple[str, Value], list[float]] = {}
    learned: dict[int, tuple[float, str, ProposalNumber | None]] = {}
    phase1: Counter[tuple[str, ProposalNumber]] = Counter()
    phase2: Counter[tuple[int, str, ProposalNumber]] = Counter()
    roles = {name: (s.role, None) for name, s in sim.servers.items()}
    known = {name: len(s.stable.chosen) for name, s in sim.servers.items()}
    seen = len(sim.trace.events)
    while not sim.done and sim.now <= until and sim.step():
        for e in sim.trace.events[seen:]:
            m = e.message
            if e.kind == "deliver" and isinstance(m, Request):
                requests.setdefault((m.receiver, m.command.encode()), []).append(e.time)
            elif e.kind == "send" and isinstance(m, Prepare | Accept):
                _count(m, m.sender, phase1, phase2)
            elif e.kind == "send" and isinstance(m, Promise | Accepted):
                _count(m, m.receiver, phase1, phase2)
        seen = len(sim.trace.events)
        for name, s in sim.servers.items():
            number = s.leadership.number if s.leadership is not None else None
            if (s.role, number) != roles[name] and number is not None:
                (started if s.role == "candidate" else elected).setdefault((name, number),
                                                                           sim.now)
            roles[name] = (s.role, number)
            if len(s.stable.chosen) != known[name]:
                known[name] = len(s.stable.chosen)
                for i in s.stable.chosen:
                    learned.setdefault(i, (sim.now, name, number if s.is_leader else None))
    values: dict[int, Value] = {}
    for s in sim.servers.values():
        values.update(s.stable.chosen)
    commands = []
    for i in sorted(learned):
        t, leader, n = learned[i]
        if n is None:  # learned from a leader's message first, not as the leader
            continue
        since = elected.get((leader, n), 0.0)
        arrivals = [x for x in requests.get((leader, values[i]), []) if since <= x <= t]
        waited = values[i] == NOOP or not arrivals
        start = started.get((leader, n), since) if waited else arrivals[0]
        commands.append(CommandCost(i, leader, n, values[i], round(t - start, 6),
                                    phase2[(i, leader, n)], waited))
    ones = tuple(Phase1(leader, n, t, elected.get((leader, n)), phase1[(leader, n)])
                 for (leader, n), t in sorted(started.items(), key=lambda kv: kv[1]))
    return Costs(tuple(commands), ones)


def _count(m: Prepare | Promise | Accept | Accepted, leader: str,
           phase1: Counter[tuple[str, ProposalNumber]],
           phase2: Counter[tuple[int, str, ProposalNumber]]) -> None:
    if isinstance(m, Prepare | Promise):
        phase1[(leader, m.n)] += 1
    else:
        phase2[(m.instance, leader, m.n)] += 1


__all__ = ["CommandCost", "Costs", "Phase1", "command_costs"]
