"""Helpers for ``08_implementing_a_state_machine.ipynb`` (§3 Implementing a State Machine).

- `gap_summary` / `gap_table`: what §3's gap scenario (`gap_scenario`) did,
  in lines and as a table, one row per instance;
- `alpha_sweep` / `alpha_figure`: throughput and the largest gap for several
  windows α, measured on small seeded runs;
- `command_costs` / `costs_table` / `costs_figure`: messages and message
  delays per command, in steady state and for the commands that waited for a
  new leader's phase 1;
- `kv_run` / `verdict`: a faulty seeded run of the key-value store, its history
  checked by `paxos_notes.multipaxos.linearizability.check`;
- `reconfiguration_run` / `reconfiguration_report`: a server added, another
  removed, by commands in the log.

Everything random takes an explicit seed; the same call prints the same text.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..multipaxos import Fault, GapScenario, Network, Setup, Simulation, Timing, Workload
from ..multipaxos.kv import NOOP, describe_value
from ..multipaxos.linearizability import KV, Result, check
from ..multipaxos.messages import Accept, Accepted, Prepare, Promise, Request
from ..multipaxos.sim import Scripted
from ..paper import Table
from ..widgets import palette as pal
from ..widgets.log_widget import ranges

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# ---------------------------------------------------------------------------
# Phase 1 once, then phase 2 per command
# ---------------------------------------------------------------------------


def steady_state_demo(commands: int = 3) -> list[str]:
    """A manual run of three servers: s1 runs phase 1 once, then ``commands``
    client commands each cost phase 2 only. One line per message between
    servers (the client's request and the reply are left out)."""
    sim = Simulation(Setup(alpha=3), seed=0, workload=Workload(clients=0), manual=True)
    lines: list[str] = []

    def run(title: str, action: Any) -> None:
        start = len(sim.trace)
        action()
        while sim.pending():
            sim.deliver(sim.pending()[0].id)
        between = [e.message for e in sim.trace.events[start:] if e.kind == "send"
                   and e.message is not None and e.message.sender in sim.servers
                   and e.message.receiver in sim.servers]
        kinds: dict[str, int] = {}
        for m in between:
            kinds[type(m).__name__.lower()] = kinds.get(type(m).__name__.lower(), 0) + 1
        counts = ", ".join(f"{v} {k}" for k, v in kinds.items())
        lines.append(f"{title}: {len(between)} messages between servers ({counts})")
        lines.extend(f"    {m.sender}→{m.receiver}: {m.describe()}" for m in between)

    run("s1 runs phase 1, once, for every instance", lambda: sim.campaign("s1"))
    for k in range(1, commands + 1):
        run(f"command {k}, put('x', {k})", lambda k=k: sim.invoke("c1", ("put", "x", k)))
    return lines


# ---------------------------------------------------------------------------
# §3's gap scenario, in words and as a table
# ---------------------------------------------------------------------------


def known_ranges(instances: Iterable[int]) -> str:
    """``(1, 2, 3, 7)`` → ``1–3, 7``."""
    return ranges(instances).replace(",", ", ")


def gap_summary(g: GapScenario) -> list[str]:
    """What happened in §3's scenario, one line per fact, from the record."""
    p = g.prepare
    assert p is not None
    reports = []
    for m in g.promises:
        got = [f"{s} (proposal {x.number}: {describe_value(x.value)})" for s, x in m.accepted]
        reports.append(f"  {m.sender}: " + ("; ".join(got) if got else "nothing accepted"))
    others = [s for s in ("s1", "s2", "s3") if s != g.new_leader]
    accepts = [x for x in g.phase2 if not x.local]
    return [
        f"{g.old_leader} (the old leader) has crashed. {g.new_leader} knows the commands of "
        f"instances {known_ranges(g.known_before)}.",
        f"Phase 1: {g.new_leader} sends prepare {p.n} for instances "
        f"{known_ranges(p.gaps)} and every instance ≥ {p.above}: one message each to "
        f"{' and '.join(others)} ({g.prepares_sent} messages in all).",
        "Promises (each acceptor's highest-numbered proposal in each instance asked about):",
        *reports,
        "Constrained (phase 2 must propose the reported value): "
        + ", ".join(f"{i} → {v}" for i, v in sorted(g.constrained.items())) + ".",
        f"Gaps filled with no-op: {known_ranges(g.noops)}.",
        f"Phase 2: {len(accepts)} accept requests ({len(accepts) // max(len(others), 1)} "
        f"instances × {len(others)} servers).",
        f"{g.new_leader} has executed {len(g.executed)} commands, 1–{len(g.executed)}; the "
        f"last seven: {', '.join(g.executed[-7:])}.",
        f"Safety monitor: {'no rule broken' if g.safe else 'VIOLATION'}.",
    ]


def gap_table(g: GapScenario) -> Table:
    """One row per instance around the gap: what the new leader knew, what the
    promises reported, what it did in phase 2, and what it executed."""
    reported: dict[int, list[str]] = {}
    for m in g.promises:
        for s, x in m.accepted:
            reported.setdefault(s, []).append(f"{m.sender}: ({x.number}, "
                                              f"{describe_value(x.value)})")
    rows = []
    leader = g.new_leader
    log = dict(enumerate(g.executed, start=1))
    for i, per in g.before.instances.items():
        chosen = per[leader].chosen
        knew = None if chosen is None else describe_value(chosen)
        if knew is not None:
            action = "known chosen: nothing to do"
        elif i in g.constrained:
            action = "constrained: phase 2 with the reported value"
        elif i in g.noops:
            action = "gap: phase 2 with no-op"
        elif i > len(g.executed):
            action = "free: the next client command goes here"
        else:
            action = "?"
        rows.append((str(i), knew or "—", "; ".join(reported.get(i, [])) or "—", action,
                     log.get(i, "—")))
    return Table(columns=("instance", f"{leader} knew", "promises reported", f"{leader} does",
                          "executed as"),
                 rows=tuple(rows),
                 caption=f"§3's gap scenario, instances {min(g.before.instances)}–"
                         f"{max(g.before.instances)}")


# ---------------------------------------------------------------------------
# The window α: throughput and gaps
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaRow:
    alpha: int
    commands: int
    span: float
    throughput: float  # commands per 1000 units of simulated time
    largest_gap: int  # most instances ever missing below the highest chosen one
    safe: bool
    linearizable: bool


def largest_gap(chosen: Iterable[int]) -> int:
    """How many instances are missing below the highest of ``chosen``."""
    xs = set(chosen)
    return (max(xs) - len(xs)) if xs else 0


def alpha_run(alpha: int, *, seed: int = 1, clients: int = 10, ops: int = 4,
              servers: int = 3) -> AlphaRow:
    """One seeded run with window ``alpha``: ``clients`` clients, ``ops`` operations
    each, no think time, delays uniform in 1–3. The largest gap is measured after
    every step from the safety monitor's record of what was chosen."""
    setup = Setup(servers=tuple(f"s{k}" for k in range(1, servers + 1)), alpha=alpha)
    sim = Simulation(setup, seed=seed, workload=Workload(clients=clients, ops=ops),
                     network=Network(delay=(1.0, 3.0)), timing=Timing(think=(0.0, 0.0)),
                     record=False)
    monitor = sim.monitor
    assert monitor is not None
    gap = 0
    seen = 0
    while not sim.done and sim.step():
        if len(monitor.chosen) != seen:
            seen = len(monitor.chosen)
            gap = max(gap, largest_gap(monitor.chosen))
    done = [r for r in sim.ops if r.complete is not None]
    first = min(r.invoke for r in sim.ops)
    span = max(r.complete for r in done if r.complete is not None) - first
    lin = check(sim.history())
    return AlphaRow(alpha, len(done), round(span, 1), round(1000 * len(done) / span, 1), gap,
                    sim.safe, lin.linearizable)


def alpha_sweep(alphas: Sequence[int] = (1, 2, 3, 4, 6, 8), *, seed: int = 1,
                clients: int = 10, ops: int = 4) -> list[AlphaRow]:
    """`alpha_run` for each window in ``alphas`` (same seed, same workload)."""
    if not alphas:
        raise ValueError("alphas must name at least one window")
    return [alpha_run(a, seed=seed, clients=clients, ops=ops) for a in alphas]


def alpha_table(rows: Sequence[AlphaRow]) -> Table:
    return Table(
        columns=("α", "commands", "sim. time", "commands / 1000 time units",
                 "largest gap (≤ α−1)", "safe", "linearizable"),
        rows=tuple((str(r.alpha), str(r.commands), f"{r.span:g}", f"{r.throughput:g}",
                    str(r.largest_gap), str(r.safe), str(r.linearizable)) for r in rows),
        caption="Throughput and gaps against the window α")


def alpha_figure(rows: Sequence[AlphaRow]) -> Figure:
    """Throughput (line, circles) and the largest gap seen (bars, hatched) against α."""
    from ..widgets._draw import new_figure

    fig = new_figure(8.0, 3.4)
    left = fig.add_axes((0.08, 0.17, 0.40, 0.68))
    right = fig.add_axes((0.58, 0.17, 0.40, 0.68))
    xs = [r.alpha for r in rows]
    left.plot(xs, [r.throughput for r in rows], marker="o", color=pal.BLUE, linewidth=2)
    left.set_xlabel("window α")
    left.set_ylabel("commands per 1000 time units")
    left.set_title("throughput", fontsize=11)
    left.set_ylim(bottom=0)
    left.grid(True, color=pal.LIGHT_GREY, linewidth=0.6)
    right.bar(xs, [r.largest_gap for r in rows], color=pal.ORANGE, edgecolor=pal.INK,
              hatch="//", label="largest gap seen")
    right.plot(xs, [r.alpha - 1 for r in rows], color=pal.INK, linestyle="--", marker="_",
               markersize=12, label="bound α − 1")
    right.set_xlabel("window α")
    right.set_ylabel("instances missing")
    right.set_title("largest gap seen", fontsize=11)
    right.legend(fontsize=8, loc="upper left")
    right.grid(True, axis="y", color=pal.LIGHT_GREY, linewidth=0.6)
    for ax in (left, right):
        ax.set_xticks(xs)
    return fig


# ---------------------------------------------------------------------------
# What a command costs: steady state and after a leader change
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandCost:
    """Instance ``instance``, chosen by ``leader``: ``delays`` message delays from
    when the leader could act on it (it received the request, or it started
    phase 1 if the command had to wait for that) to when it learned it chosen;
    ``phase2`` accept + accepted messages between servers for it;
    ``waited`` — whether it waited for phase 1."""

    instance: int
    leader: str
    command: str
    delays: float
    phase2: int
    waited: bool


@dataclass
class Costs:
    sim: Simulation
    commands: list[CommandCost]
    phase1: dict[str, int] = field(default_factory=dict)  # "s3 (number 2)" -> messages
    crash_time: float = 0.0

    def steady(self) -> list[CommandCost]:
        return [c for c in self.commands if not c.waited]

    def waited(self) -> list[CommandCost]:
        return [c for c in self.commands if c.waited]

    def outage(self) -> str:
        """From the crash to the next election, in words."""
        after = [(t, name, n) for t, name, n in self.sim.elections if t > self.crash_time]
        if not after:
            return f"the leader crashed at t = {self.crash_time:g}; nobody was elected after"
        t, name, n = after[0]
        return (f"the leader crashed at t = {self.crash_time:g}; {name} was elected (number "
                f"{n}) at t = {t:.1f}: {t - self.crash_time:.1f} time units without a leader, "
                f"of which phase 1 took 2 message delays and the rest was the election "
                f"timeout (no heartbeat for 20–40 units)")


COSTS_SEED = 3
COSTS_CRASH = 60.0


def costs_simulation(seed: int = COSTS_SEED) -> Simulation:
    """3 servers, α = 3, two clients with ten operations each; every message
    takes exactly one time unit, so a time difference *is* a number of message
    delays. The leader crashes at t = 60 and restarts at t = 150."""
    return Simulation(Setup(alpha=3), seed=seed, workload=Workload(clients=2, ops=10),
                      network=Network(delay=(1.0, 1.0)), timing=Timing(think=(0.0, 0.0)),
                      faults=(Fault(COSTS_CRASH, "crash_leader"),
                              Fault(150.0, "restart", servers=("s1", "s2", "s3"))))


def command_costs(seed: int = COSTS_SEED) -> Costs:
    """Run `costs_simulation` and measure every command from its trace.

    For instance i, chosen by leader L (the first server to learn it) with
    proposal number n: if L received the command's request while it led with
    n, the command starts then (steady state); otherwise it had to wait for
    L's phase 1 — a value reported by the promises, a no-op, or a request that
    arrived while L was still a candidate — and starts when L began phase 1.
    Phase 2 messages are L's accept requests for i and the acceptances sent
    back to L, with number n, between servers (not to itself)."""
    sim = costs_simulation(seed).run(until=1e6)
    campaigns: dict[tuple[str, str], float] = {}
    elected: dict[tuple[str, str], float] = {}
    requests: dict[tuple[str, str], list[float]] = {}
    learned: dict[int, tuple[float, str, str]] = {}
    number: dict[str, str] = {}
    phase2: dict[tuple[int, str], int] = {}
    phase1: dict[str, int] = {}
    for e in sim.trace:
        m = e.message
        if e.kind == "campaign":
            n = e.detail.split()[4]  # "phase 1 with number 3 for ..."
            campaigns[(e.agent, n)] = e.time
        elif e.kind == "elected":
            n = e.detail.split()[2].rstrip(";")  # "leads with 3; ..."
            elected[(e.agent, n)] = e.time
            number[e.agent] = n
        elif e.kind == "deliver" and isinstance(m, Request):
            requests.setdefault((m.receiver, m.command.encode()), []).append(e.time)
        elif e.kind == "learn":
            instance = int(e.detail.split()[0][1:])
            if instance not in learned:
                learned[instance] = (e.time, e.agent, number.get(e.agent, "?"))
        elif e.kind == "send" and isinstance(m, Accept | Accepted):
            leader = m.sender if isinstance(m, Accept) else m.receiver
            key = (m.instance, f"{leader}/{m.n}")
            phase2[key] = phase2.get(key, 0) + 1
        elif e.kind == "send" and isinstance(m, Prepare | Promise):
            leader = m.sender if isinstance(m, Prepare) else m.receiver
            key = f"{leader} (number {m.n})"
            phase1[key] = phase1.get(key, 0) + 1
    values: dict[int, str] = {}
    for s in sim.servers.values():
        values.update(s.stable.chosen)
    commands = []
    for i in sorted(learned):
        t, leader, n = learned[i]
        since = elected.get((leader, n), 0.0)
        arrivals = [x for x in requests.get((leader, values[i]), []) if since <= x <= t]
        waited = values[i] == NOOP or not arrivals
        start = campaigns.get((leader, n), since) if waited else arrivals[0]
        commands.append(CommandCost(i, leader, describe_value(values[i]), round(t - start, 6),
                                    phase2.get((i, f"{leader}/{n}"), 0), waited))
    return Costs(sim, commands, phase1, COSTS_CRASH)


def _median(xs: Sequence[float]) -> str:
    return f"{statistics.median(xs):g}" if xs else "—"


def costs_table(costs: Costs) -> Table:
    steady, waited = costs.steady(), costs.waited()
    n = len(costs.sim.servers)
    rows = (
        ("commands", str(len(steady)), str(len(waited))),
        ("message delays, leader: command → chosen (median)", _median([c.delays for c in steady]),
         _median([c.delays for c in waited])),
        ("phase 2 messages per command (mean)",
         f"{statistics.mean(c.phase2 for c in steady):.2f}" if steady else "—",
         f"{statistics.mean(c.phase2 for c in waited):.2f}" if waited else "—"),
        ("phase 1 messages", "0 (phase 1 done once, earlier)",
         ", ".join(f"{k}: {v}" for k, v in costs.phase1.items())),
    )
    return Table(columns=("", "steady state", "waited for a new leader's phase 1"),
                 rows=rows,
                 caption=f"What a command costs: {n} servers, every message 1 time unit "
                         f"(2(N−1) = {2 * (n - 1)} phase 2 messages expected)")


def costs_figure(costs: Costs) -> Figure:
    """Per instance: message delays (top) and messages between servers (bottom):
    phase 2 for that command, plus — on the first instance a leader chose — its
    phase 1 (orange, dotted). Commands that waited for phase 1 are vermillion and
    hatched, steady ones blue."""
    from ..widgets._draw import new_figure

    fig = new_figure(8.0, 4.8)
    top = fig.add_axes((0.10, 0.52, 0.87, 0.31))
    bottom = fig.add_axes((0.10, 0.10, 0.87, 0.31))
    xs = [c.instance for c in costs.commands]
    colours = [pal.VERMILLION if c.waited else pal.BLUE for c in costs.commands]
    hatches = ["//" if c.waited else "" for c in costs.commands]
    firsts: dict[int, int] = {}  # first instance each leader chose -> its phase 1 messages
    for key, count in costs.phase1.items():
        leader = key.split()[0]
        mine = [c.instance for c in costs.commands if c.leader == leader]
        if mine:
            firsts[min(mine)] = firsts.get(min(mine), 0) + count
    ph1 = [firsts.get(c.instance, 0) for c in costs.commands]
    bottom.bar(xs, ph1, bottom=[c.phase2 for c in costs.commands], color=pal.ORANGE,
               edgecolor=pal.INK, linewidth=0.6, hatch="..")
    for ax, values, label in ((top, [c.delays for c in costs.commands],
                               "message delays\n(command → chosen)"),
                              (bottom, [c.phase2 for c in costs.commands],
                               "messages between\nservers")):
        bars = ax.bar(xs, values, color=colours, edgecolor=pal.INK, linewidth=0.6)
        for bar, h in zip(bars, hatches, strict=True):
            bar.set_hatch(h)
        ax.set_ylabel(label, fontsize=9)
        ax.set_xticks(xs)
        ax.tick_params(labelsize=8)
        ax.grid(True, axis="y", color=pal.LIGHT_GREY, linewidth=0.6)
        ax.set_axisbelow(True)
    leaders = []
    for c in costs.commands:
        if not leaders or leaders[-1][1] != c.leader:
            leaders.append((c.instance, c.leader))
    for i, name in leaders:
        top.annotate(f"{name} leads", (i - 0.4, top.get_ylim()[1]), fontsize=8,
                     va="bottom", ha="left", annotation_clip=False)
    bottom.set_xlabel("instance")
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(facecolor=pal.BLUE, edgecolor=pal.INK, label="steady state"),
                        Patch(facecolor=pal.VERMILLION, edgecolor=pal.INK, hatch="//",
                              label="waited for phase 1"),
                        Patch(facecolor=pal.ORANGE, edgecolor=pal.INK, hatch="..",
                              label="phase 1 (once per leader, drawn on its first instance)")],
               fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.995), ncol=3)
    return fig


# ---------------------------------------------------------------------------
# The key-value store: a faulty run, its history, the checker's verdict
# ---------------------------------------------------------------------------


KV_SEED = 7


def kv_simulation(seed: int = KV_SEED, broken: str | None = None) -> Simulation:
    """3 servers, α = 3, three clients with eight operations each on keys x and
    y; 10% of messages lost, 5% duplicated, delays 1–4; the leader crashes at
    t = 60 and again at t = 160, every crashed server restarts at t = 110 and
    t = 210; after t = 250 the network behaves. ``broken``: see
    `paxos_notes.multipaxos.server.BROKEN`."""
    faults = (Fault(60.0, "crash_leader"), Fault(110.0, "restart", ("s1", "s2", "s3")),
              Fault(160.0, "crash_leader"), Fault(210.0, "restart", ("s1", "s2", "s3")))
    setup = Setup(alpha=3) if broken is None else Setup(alpha=3, broken=broken)
    return Simulation(setup, seed=seed, workload=Workload(clients=3, ops=8),
                      network=Network(loss=0.1, duplication=0.05, delay=(1.0, 4.0),
                                      faults_until=250.0),
                      timing=Timing(think=(0.0, 2.0)), faults=faults)


@dataclass
class KVRun:
    sim: Simulation
    result: Result

    @property
    def history(self) -> list[Any]:
        return self.sim.history()


def kv_run(seed: int = KV_SEED, broken: str | None = None) -> KVRun:
    """Run `kv_simulation` to the end and check its history."""
    sim = kv_simulation(seed, broken).run(until=5000.0)
    return KVRun(sim, check(sim.history()))


def describe_operation(o: Any) -> str:
    """``c1: put('x', 1) → 'ok'  [invoked 3.2, returned 9.7]`` (times to 0.1)."""
    call = f"{o.op[0]}({', '.join(repr(a) for a in o.op[1:])})"
    if o.pending:
        return f"{o.client}: {call} → (no answer)  [invoked {o.invoke_time:.1f}]"
    return (f"{o.client}: {call} → {o.output!r}  [invoked {o.invoke_time:.1f}, returned "
            f"{o.complete_time:.1f}]")


_ENCODED = re.compile(r"'(\{\"client\":[^']*\})'")


def readable(text: str) -> str:
    """Replace commands in their JSON encoding by their description."""
    def one(m: re.Match[str]) -> str:
        try:
            return describe_value(m.group(1))
        except ValueError:
            return m.group(0)
    return _ENCODED.sub(one, text)


def explain(res: Result) -> list[str]:
    """Why a history is not linearizable, with readable times."""
    state = KV.initial_state()
    for o in res.longest_prefix:
        state, _ = KV.apply(state, o.op)
    lines = [f"not linearizable (key {res.key!r}): the longest order a single copy of the "
             f"store could have run has {len(res.longest_prefix)} operation(s):"]
    lines += [f"  {k + 1}. {describe_operation(o)}" for k, o in enumerate(res.longest_prefix)]
    shown = ", ".join(f"{k} = {v!r}" for k, v in sorted(state)) or "empty"
    lines.append(f"after which the store holds {shown}, and no operation can go next:")
    for o in res.unplaced:
        _, expected = KV.apply(state, o.op)
        lines.append(f"  {describe_operation(o)}: a single copy would answer {expected!r}")
    return lines


def verdict(run: KVRun, witness: int = 6) -> list[str]:
    """The run and the checker's verdict, in lines."""
    sim, res = run.sim, run.result
    history = sim.history()
    pending = sum(1 for o in history if o.pending)
    lines = [
        f"{len(history)} operations ({len(history) - pending} completed, {pending} pending), "
        f"{sim.leader_changes} leader change(s), {sim.dropped} messages lost, "
        f"{sim.duplicated} duplicated",
        "safety monitor: " + ("no rule broken" if sim.safe else
                              f"{len(sim.violations)} violations, first: "
                              + readable(str(sim.violations[0]))),
        f"linearizable: {res.linearizable} ({res.states_explored} search states)",
    ]
    if res.linearizable and res.order is not None:
        lines.append(f"witness (one order a single copy of the store could have run), first "
                     f"{witness} of {len(res.order)}:")
        lines += [f"  {k + 1}. {describe_operation(o)}" for k, o in enumerate(res.order[:witness])]
    else:
        lines += explain(res)
    lost = sim.lost_writes()
    lines.append(f"writes acknowledged to a client but lost from the log: {len(lost)}")
    lines += [f"  {describe_record(r)}" for r in lost]
    return lines


def describe_record(r: Any) -> str:
    """A client operation record (`paxos_notes.multipaxos.sim.OpRecord`) in words."""
    call = f"{r.op[0]}({', '.join(repr(a) for a in r.op[1:])})"
    return f"{r.client}#{r.request_id}: {call} → {r.output!r} (returned at {r.complete:.1f})"


def logs(sim: Simulation, upto: int | None = None) -> list[str]:
    """Each server's log: the commands it knows chosen, by instance."""
    top = max((max(s.stable.chosen, default=0) for s in sim.servers.values()), default=0)
    upto = top if upto is None else upto
    out = []
    for name, s in sim.servers.items():
        cells = [f"{i}: {describe_value(s.stable.chosen[i])}" if i in s.stable.chosen
                 else f"{i}: ?" for i in range(1, upto + 1)]
        state = "" if s.up else " (crashed; from stable storage)"
        out.append(f"{name}{state}: " + "; ".join(cells))
    return out


def broken_story(name: str, control: bool = False) -> list[str]:
    """`paxos_notes.multipaxos.scenario.broken_scenario`: its history, the
    checker's verdict, lost writes, the monitor, and the servers' logs."""
    from ..multipaxos.scenario import broken_scenario

    sim = broken_scenario(name, control=control)
    res = check(sim.history())
    lines = ["history:"]
    lines += [f"  {describe_operation(o)}" for o in sim.history()]
    lines.append(f"linearizable: {res.linearizable}")
    if not res.linearizable:
        lines += ["  " + x for x in explain(res)]
    lost = sim.lost_writes()
    lines.append(f"acknowledged writes lost: {len(lost)}"
                 + (": " + "; ".join(describe_record(r) for r in lost) if lost else ""))
    rules = sorted({v.rule for v in sim.violations})
    lines.append("safety monitor: " + ("no rule broken" if not rules else
                                       "broken: " + "; ".join(rules)))
    lines.append("logs (instance: command; ? = not known chosen):")
    lines += ["  " + x for x in logs(sim)]
    lines.append("instances in the order each server executed them: " + "; ".join(
        f"{n}: {v}" for n, v in execution_order(sim).items()))
    return lines


def execution_order(sim: Simulation) -> dict[str, list[int]]:
    """Per server, the instances it executed, in the order it did (from the trace's
    ``execute`` events; a restart's replay is not listed)."""
    out: dict[str, list[int]] = {n: [] for n in sim.servers}
    for e in sim.trace:
        if e.kind == "execute":
            out[e.agent].append(int(e.detail.split()[0][1:]))
    return out


# ---------------------------------------------------------------------------
# Reconfiguration: the set of servers is part of the state
# ---------------------------------------------------------------------------


def reconfiguration_run(seed: int = 5) -> Simulation:
    """Four servers exist; the first configuration is s1, s2, s3 (α = 3). Two
    clients run eight operations each; an administrator adds s4 at t = 50
    (``reconfig(s1, s2, s3, s4)``) and removes s1 at t = 80."""
    setup = Setup(servers=("s1", "s2", "s3", "s4"), initial=("s1", "s2", "s3"), alpha=3)
    script = (Scripted(50.0, "admin", ("reconfig", ("s1", "s2", "s3", "s4"))),
              Scripted(80.0, "admin", ("reconfig", ("s2", "s3", "s4"))))
    return Simulation(setup, seed=seed, workload=Workload(clients=2, ops=8),
                      network=Network(delay=(1.0, 3.0)), timing=Timing(think=(0.0, 2.0)),
                      script=script).run(until=1e6)


def reconfiguration_report(sim: Simulation) -> list[str]:
    """Where each reconfiguration was executed and where it took effect, who
    accepted in which instances, and whether the logs agree."""
    leader = max(sim.servers.values(), key=lambda s: s.executed)
    machine = leader.sm
    alpha = sim.setup.alpha
    log = leader.log()
    lines = []
    for i, value in enumerate(log, start=1):
        what = describe_value(value)
        if "reconfig" in what:
            lines.append(f"command {i}: {what} → servers of instance {i} + α = {i + alpha} on")
    lines.append("configurations (first instance: servers): "
                 + "; ".join(f"{first}: {', '.join(servers)}" for first, servers
                             in machine.configs))
    for name, s in sim.servers.items():
        touched = sorted(s.stable.instances)
        span = f"{touched[0]}–{touched[-1]}" if touched else "none"
        lines.append(f"{name} accepted in instances {span}; executed {s.executed} commands")
    members = machine.latest_config
    logs = {n: sim.servers[n].log() for n in members}
    shortest = min(len(x) for x in logs.values())
    agree = all(x[:shortest] == log[:shortest] for x in logs.values())
    lines.append(f"logs of {', '.join(members)} agree: {agree}; safety monitor: "
                 f"{'no rule broken' if sim.safe else 'VIOLATION'}; linearizable: "
                 f"{check(sim.history()).linearizable}")
    return lines
