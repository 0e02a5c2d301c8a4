"""Progress (§2.4) measured: competing proposers with and without an election.

`ElectionRun` runs the single-decree agents of `paxos_notes.agents` under the
election of `paxos_notes.election`. It drives a manual-mode
`paxos_notes.sim.Simulation` through its public actions only (`pending`,
`deliver`, `propose`, `partition`), so the agents, the network's bookkeeping
and the safety checks are the simulator's own; what this module adds is time:

- every message is delivered after a delay drawn uniformly from ``delay``;
- every process's election timer fires after `Timeouts.draw` and is re-armed;
  then `on_election_timeout` decides whether its proposer starts phase 1.

With ``elect=False`` nobody listens: a process whose proposer is not in phase
2 starts phase 1 whenever its timer fires. That is the paper's dueling
proposers, on timers: each keeps issuing higher numbers, and whether anything
is chosen depends on luck (§2.4, "Livelock").

A run ends at the first chosen value (the question of §2.4 is whether one is
chosen at all, and how soon) or at ``until``. One seeded generator draws every
delay and timer, so a seed gives the same run every time. `measure` runs many
seeds; `summarize` condenses them into medians and 90th percentiles, where a
run that chose nothing counts as "never" (infinity), not as its cut-off time.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .agents import Acceptor, NackingAcceptor, Proposer
from .ballots import ProposalNumber
from .cluster import Cluster
from .election import Decision, Timeouts, hears_leader, leads, on_election_timeout
from .messages import Prepare
from .sim import Simulation
from .trace import Trace

MAX_UNTIL = 1e6
DEFAULT_TIMEOUTS = Timeouts(base=3.0, spread=8.0)
EventKind = Literal["campaign", "wait", "hears", "leads", "overtaken"]


@dataclass(frozen=True)
class ElectionEvent:
    """Something the election did: ``process`` started phase 1 with ``number``
    (campaign), let its timer pass (wait), took ``other`` for its leader
    (hears), finished phase 1 with ``number`` (leads), or learned from the
    acceptor ``other`` that a number above its ``number`` was promised
    (overtaken: a nack, or its own acceptor's promise)."""

    time: float
    process: str
    kind: EventKind
    number: ProposalNumber | None = None
    other: str = ""

    def describe(self) -> str:
        what = {
            "campaign": f"times out in silence and starts phase 1 with number {self.number}",
            "wait": "times out, but heard a leader since its last timeout: waits",
            "hears": f"hears {self.other} as leader",
            "leads": f"believes it leads (phase 1 done with number {self.number})",
            "overtaken": (f"no longer leads: {self.other} has promised a number above "
                          f"{self.number}" if self.other else
                          f"no longer leads: a number above {self.number} was promised"),
        }[self.kind]
        return f"t={self.time:6.2f}  {self.process} {what}"


@dataclass(frozen=True)
class Outcome:
    """One run: did a value get chosen, after how many phase-1 starts (all
    proposers together) and how much simulated time; what was chosen; and
    whether every safety requirement of §2.1 held (checked by the simulator)."""

    seed: int
    decided: bool
    prepares: int
    time: float
    chosen: tuple[str, ...]
    safe: bool
    most_leaders: int

    @property
    def prepares_to_decide(self) -> float:
        """Phase-1 starts until a value was chosen; infinity if none was."""
        return float(self.prepares) if self.decided else math.inf

    @property
    def time_to_decide(self) -> float:
        """Simulated time until a value was chosen; infinity if none was."""
        return self.time if self.decided else math.inf


def _check_delay(delay: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in delay)
    except (TypeError, ValueError):
        raise ValueError(f"delay must be a pair (low, high) of numbers, got {delay!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi < lo:
        raise ValueError(f"delay must satisfy 0 <= low <= high < inf, got {delay!r}")
    return lo, hi


def election_cluster(proposers: int = 2, acceptors: int = 5) -> Cluster:
    """The cluster these runs use: one learner, the paper's rules plus nacks
    (`NackingAcceptor`: an overtaken proposer hears of it, as multi-Paxos
    servers do)."""
    return Cluster(acceptors=acceptors, proposers=proposers, learners=1,
                   acceptor=NackingAcceptor)


class ElectionRun:
    """A run of the single-decree agents, with the election deciding who proposes.

    ``cluster.proposers`` must not exceed ``cluster.acceptors``: proposer
    ``p<i>`` lives in the process of acceptor ``a<i>`` (§2.5). ``partition``
    (optional) is passed to `Simulation.partition` at the start. ``record``
    keeps the simulator's trace and this run's `events` (off for sweeps).
    """

    def __init__(self, cluster: Cluster, *, seed: int, timeouts: Timeouts = DEFAULT_TIMEOUTS,
                 delay: tuple[float, float] = (1.0, 3.0), elect: bool = True,
                 partition: Sequence[Iterable[str]] = (), record: bool = False) -> None:
        if cluster.proposers > cluster.acceptors:
            raise ValueError(f"cluster.proposers must be in 1..{cluster.acceptors} (one per "
                             f"acceptor's process, §2.5), got {cluster.proposers}")
        if not isinstance(timeouts, Timeouts):
            raise ValueError(f"timeouts must be a Timeouts, got {timeouts!r}")
        self.sim = Simulation(cluster, seed=seed, manual=True, record=record)
        self.seed = seed
        self.delay = _check_delay(delay)
        self.timeouts = timeouts
        self.elect = elect
        self.record = record
        self.rng = random.Random(seed)
        self.home = dict(zip(cluster.acceptor_names, cluster.proposer_names, strict=False))
        self.own = {p: a for a, p in self.home.items()}
        self.heard = dict.fromkeys(cluster.proposer_names, False)
        self.leading = dict.fromkeys(cluster.proposer_names, False)
        self.events: list[ElectionEvent] = []
        self.now = 0.0
        self.prepares = 0
        self.most_leaders = 0
        self._queue: list[tuple[float, int, str, int | str]] = []
        self._seq = 0
        self._known: set[int] = set()
        if partition:
            self.sim.partition(*partition)
        for p in cluster.proposer_names:
            self._push(timeouts.draw(self.rng), "timer", p)

    # -- bookkeeping ------------------------------------------------------------
    def _push(self, delay: float, kind: str, ref: int | str) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay, self._seq, kind, ref))

    def _note(self, process: str, kind: EventKind, number: ProposalNumber | None = None,
              other: str = "") -> None:
        if self.record:
            self.events.append(ElectionEvent(self.now, process, kind, number, other))

    def _proposer(self, name: str) -> Proposer:
        p = self.sim.agents[name]
        assert isinstance(p, Proposer)
        return p

    def _acceptor(self, name: str) -> Acceptor:
        a = self.sim.agents[name]
        assert isinstance(a, Acceptor)
        return a

    def leaders(self) -> list[str]:
        """The processes that believe, right now, that they lead."""
        return [p for p, leading in self.leading.items() if leading]

    def _after_action(self, touched: str, sender: str = "") -> None:
        """Schedule what the last action sent, and see whether the process of
        ``touched`` (the agent the action changed) now leads or stopped leading.
        ``sender`` is the sender of the message just delivered, if any: for a
        proposer that stops leading, the acceptor whose nack told it."""
        for p in self.sim.pending():
            if p.id not in self._known:
                self._known.add(p.id)
                self._push(self.rng.uniform(*self.delay), "deliver", p.id)
        process = self.home.get(touched, touched)
        if process not in self.leading:
            return  # an acceptor-only process, or a learner: no proposer to lead
        is_now = leads(self._proposer(process), self._acceptor(self.own[process]))
        if is_now != self.leading[process]:
            self.leading[process] = is_now
            # Overtaken: either a nack reached the proposer (its sender has
            # promised more) or the process's own acceptor promised more.
            who = "" if is_now else (sender if touched == process else touched)
            self._note(process, "leads" if is_now else "overtaken",
                       self._proposer(process).number, other=who)
            self.most_leaders = max(self.most_leaders, sum(self.leading.values()))

    # -- the two kinds of event -------------------------------------------------
    def _deliver(self, msg_id: int) -> None:
        m = self.sim.in_flight[msg_id].message
        process = self.home.get(m.receiver)
        if self.elect and process is not None and \
                not self.sim.partitioned(m.sender, m.receiver) and \
                hears_leader(self._acceptor(m.receiver), m, process):
            if not self.heard[process]:
                self._note(process, "hears", other=m.sender)
            self.heard[process] = True
        self.sim.deliver(msg_id)

    def _timer(self, process: str) -> None:
        decision: Decision = on_election_timeout(self.leading[process], self.heard[process])
        if decision == "wait":
            self.heard[process] = False
            self._note(process, "wait")
        elif decision == "campaign":
            self.sim.propose(process)
            self.prepares += 1
            self._note(process, "campaign", self._proposer(process).number)
        self._push(self.timeouts.draw(self.rng), "timer", process)

    def step(self) -> bool:
        """Handle the next event (a delivery or a timer). False if none is left."""
        if not self._queue:
            return False
        self.now, _, kind, ref = heapq.heappop(self._queue)
        sender = ""
        if kind == "deliver":
            assert isinstance(ref, int)
            message = self.sim.in_flight[ref].message
            touched, sender = message.receiver, message.sender
            self._deliver(ref)
        else:
            assert isinstance(ref, str)
            touched = ref
            self._timer(ref)
        self._after_action(touched, sender)
        return True

    def run(self, until: float = 500.0, stop_when_chosen: bool = True) -> Outcome:
        """Run until simulated time passes ``until`` — or, with
        ``stop_when_chosen``, until a value is chosen, if that comes first."""
        if not 0 < until <= MAX_UNTIL:
            raise ValueError(f"until must be in (0, {MAX_UNTIL:g}], got {until!r}")
        while self._queue and self._queue[0][0] <= until:
            if stop_when_chosen and self.sim.chosen:
                break
            self.step()
        return self.outcome()

    def outcome(self) -> Outcome:
        history = self.sim.history
        return Outcome(self.seed, bool(history.chosen), self.prepares, self.now,
                       tuple(sorted(history.chosen_values)), history.safe, self.most_leaders)


def phase1_starts(trace: Trace) -> list[tuple[str, int]]:
    """(proposer, the paper's natural number) of each phase 1 started in ``trace``,
    in order: the "sequence of proposals with increasing numbers" of §2.4."""
    seen: list[tuple[str, int]] = []
    for e in trace.events:
        m = e.message
        if e.kind == "send" and isinstance(m, Prepare) and (m.sender, m.n.natural) not in seen:
            seen.append((m.sender, m.n.natural))
    return seen


# -- many seeds --------------------------------------------------------------------


@dataclass(frozen=True)
class Contest:
    """The settings of a sweep: how many proposers compete among how many
    acceptors, the election timers, message delays, and whether they elect."""

    proposers: int = 2
    acceptors: int = 5
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    delay: tuple[float, float] = (1.0, 3.0)
    elect: bool = True
    until: float = 500.0

    def run(self, seed: int, record: bool = False) -> ElectionRun:
        r = ElectionRun(election_cluster(self.proposers, self.acceptors), seed=seed,
                        timeouts=self.timeouts, delay=self.delay, elect=self.elect,
                        record=record)
        r.run(self.until)
        return r


def measure(contest: Contest, seeds: Iterable[int]) -> list[Outcome]:
    """One `Outcome` per seed."""
    return [contest.run(seed).outcome() for seed in seeds]


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``."""
    if not values:
        raise ValueError("values must not be empty")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], got {q!r}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Summary:
    """Many runs of one `Contest`. Percentiles count a run that chose nothing
    as infinity ("never"), so a median is finite only if most runs decided."""

    runs: int
    decided: int
    safe: int
    prepares_median: float
    prepares_p90: float
    prepares_max: float
    time_median: float
    time_p90: float
    two_leaders: int


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    prepares = [o.prepares_to_decide for o in outcomes]
    times = [o.time_to_decide for o in outcomes]
    return Summary(
        runs=len(outcomes),
        decided=sum(o.decided for o in outcomes),
        safe=sum(o.safe for o in outcomes),
        prepares_median=percentile(prepares, 50),
        prepares_p90=percentile(prepares, 90),
        prepares_max=max(prepares),
        time_median=percentile(times, 50),
        time_p90=percentile(times, 90),
        two_leaders=sum(o.most_leaders >= 2 for o in outcomes),
    )


def believed_leaders(events: Sequence[ElectionEvent], end: float
                     ) -> dict[str, list[tuple[float, float]]]:
    """For each process, the time intervals during which it believed it led."""
    spans: dict[str, list[tuple[float, float]]] = {}
    since: dict[str, float] = {}
    for e in events:
        if e.kind == "leads":
            since[e.process] = e.time
        elif e.kind == "overtaken" and e.process in since:
            spans.setdefault(e.process, []).append((since.pop(e.process), e.time))
    for p, t in since.items():
        spans.setdefault(p, []).append((t, end))
    return dict(sorted(spans.items()))


__all__ = [
    "DEFAULT_TIMEOUTS",
    "Contest",
    "ElectionEvent",
    "ElectionRun",
    "Outcome",
    "Summary",
    "believed_leaders",
    "election_cluster",
    "measure",
    "percentile",
    "phase1_starts",
    "summarize",
]
