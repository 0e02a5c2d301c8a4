"""Presentation for ``08_implementing_a_state_machine.ipynb`` (§3): tables, figures
and runs in words. The runs are in the notebook's cells and the measurements in the
core (`paxos_notes.multipaxos.costs`); this formats their typed records at the edge."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..multipaxos import GapScenario, Simulation
from ..multipaxos.costs import Costs, Phase1
from ..multipaxos.kv import describe_op, describe_value
from ..multipaxos.linearizability import KV, Operation, Result
from ..paper import Table
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def gap_table(g: GapScenario) -> Table:
    """One row per instance around §3's gap: what the new leader knew, what the
    promises reported, what it did in phase 2, what it executed."""
    reported: dict[int, list[str]] = {}
    for m in g.promises:
        for i, p in m.accepted:
            reported.setdefault(i, []).append(f"{m.sender}: ({p.number}, "
                                              f"{describe_value(p.value)})")
    leader, log = g.new_leader, dict(enumerate(g.executed, start=1))
    rows = []
    for i, per in g.before.instances.items():
        knew = per[leader].chosen
        action = ("known chosen: nothing to do" if knew is not None else
                  "constrained: phase 2 with the reported value" if i in g.constrained else
                  "unconstrained gap: phase 2 with no-op" if i in g.noops else
                  "free: the next client command goes here")
        rows.append((str(i), "—" if knew is None else describe_value(knew),
                     "; ".join(reported.get(i, [])) or "—", action, log.get(i, "—")))
    return Table(("instance", f"{leader} knew", "promises reported", f"{leader} does",
                  "executed as"), tuple(rows),
                 caption=f"§3's gap scenario, instances {min(g.before.instances)}–"
                         f"{max(g.before.instances)}")


class WindowRow(NamedTuple):
    """One run with window ``alpha``: commands completed in ``span`` time units, the
    most instances ever missing below the highest chosen one, and the checks."""

    alpha: int
    commands: int
    span: float
    largest_gap: int
    safe: bool
    linearizable: bool

    @property
    def throughput(self) -> float:
        return round(1000 * self.commands / self.span, 1)


def alpha_table(rows: Sequence[WindowRow]) -> Table:
    return Table(("α", "commands", "sim. time", "commands / 1000 time units",
                  "largest gap (≤ α−1)", "safe", "linearizable"),
                 tuple((str(r.alpha), str(r.commands), f"{r.span:.1f}", f"{r.throughput:g}",
                        str(r.largest_gap), str(r.safe), str(r.linearizable)) for r in rows),
                 caption="Throughput and gaps against the window α")


def alpha_figure(rows: Sequence[WindowRow]) -> Figure:
    """Throughput (line, circles) and the largest gap seen (bars, hatched) against α."""
    fig = new_figure(8.0, 3.4)
    left, right = fig.add_axes((0.08, 0.17, 0.40, 0.68)), fig.add_axes((0.58, 0.17, 0.40, 0.68))
    xs = [r.alpha for r in rows]
    left.plot(xs, [r.throughput for r in rows], marker="o", color=pal.BLUE, linewidth=2)
    left.set(xlabel="window α", ylabel="commands per 1000 time units", ylim=(0, None))
    left.set_title("throughput", fontsize=11)
    right.bar(xs, [r.largest_gap for r in rows], color=pal.ORANGE, edgecolor=pal.INK,
              hatch="//", label="largest gap seen")
    right.plot(xs, [x - 1 for x in xs], color=pal.INK, linestyle="--", marker="_",
               markersize=12, label="bound α − 1")
    right.set(xlabel="window α", ylabel="instances missing")
    right.set_title("largest gap seen", fontsize=11)
    right.legend(fontsize=8, loc="upper left")
    for ax in (left, right):
        ax.set_xticks(xs)
        ax.grid(True, color=pal.LIGHT_GREY, linewidth=0.6)
    return fig


def costs_table(costs: Costs, servers: int) -> Table:
    def median(xs: list[float]) -> str:
        return f"{statistics.median(xs):g}" if xs else "—"

    def mean(xs: list[int]) -> str:
        return f"{statistics.mean(xs):.2f}" if xs else "—"

    def phase1(ones: list[Phase1]) -> str:
        return ", ".join(f"{p.leader} (number {p.number}): {p.messages}" for p in ones) or "—"

    steady, waited = costs.steady(), costs.waited()
    # a phase 1 goes in the column of the commands that waited for it, if any did
    waited_for = {(c.leader, c.number) for c in waited}
    return Table(("", "steady state", "waited for a new leader's phase 1"), (
        ("commands", str(len(steady)), str(len(waited))),
        ("message delays, leader: command → chosen (median)",
         median([c.delays for c in steady]), median([c.delays for c in waited])),
        ("phase 2 messages per command (mean)", mean([c.phase2 for c in steady]),
         mean([c.phase2 for c in waited])),
        ("phase 1 messages (who ran it, with which number: messages)",
         phase1([p for p in costs.phase1 if (p.leader, p.number) not in waited_for]),
         phase1([p for p in costs.phase1 if (p.leader, p.number) in waited_for]))),
        caption=f"What a command costs: {servers} servers, every message 1 time unit "
                f"(2(N−1) = {2 * (servers - 1)} phase 2 messages expected)")


def costs_figure(costs: Costs) -> Figure:
    """Per instance: message delays (top) and phase 2 messages between servers
    (bottom); commands that waited for phase 1 vermillion and hatched, steady blue."""
    fig = new_figure(8.0, 4.4)
    top, bottom = fig.add_axes((0.10, 0.56, 0.87, 0.33)), fig.add_axes((0.10, 0.12, 0.87, 0.33))
    xs = [c.instance for c in costs.commands]
    for ax, values, label in ((top, [c.delays for c in costs.commands],
                               "message delays\n(command → chosen)"),
                              (bottom, [c.phase2 for c in costs.commands],
                               "phase 2 messages\nbetween servers")):
        for c, bar in zip(costs.commands, ax.bar(xs, values, color=[
                pal.VERMILLION if c.waited else pal.BLUE for c in costs.commands],
                edgecolor=pal.INK, linewidth=0.6), strict=True):
            bar.set_hatch("//" if c.waited else "")
        ax.set_ylabel(label, fontsize=9)
        ax.set_xticks(xs)
        ax.tick_params(labelsize=8)
        ax.grid(True, axis="y", color=pal.LIGHT_GREY, linewidth=0.6)
        ax.set_axisbelow(True)
    for before, c in zip((None, *costs.commands), costs.commands, strict=False):
        if before is None or c.leader != before.leader:
            top.annotate(f"{c.leader} leads", (c.instance - 0.4, top.get_ylim()[1]),
                         fontsize=8, va="bottom", annotation_clip=False)
    bottom.set_xlabel("instance")
    top.set_title("blue: steady state; vermillion, hatched: waited for phase 1", fontsize=9,
                  pad=14)
    return fig


def operation(o: Operation) -> str:
    """``c1: put('x', 1) → 'ok'  [invoked 3.2, returned 9.7]`` (times to 0.1)."""
    if o.pending:
        return f"{o.client}: {describe_op(o.op)} → (no answer)  [invoked {o.invoke_time:.1f}]"
    return (f"{o.client}: {describe_op(o.op)} → {o.output!r}  [invoked {o.invoke_time:.1f}, "
            f"returned {o.complete_time:.1f}]")


def verdict(sim: Simulation, result: Result, witness: int = 6) -> list[str]:
    """A run and the linearizability checker's verdict on its history, in lines."""
    history = sim.history()
    pending = sum(o.pending for o in history)
    lines = [f"{len(history)} operations ({len(history) - pending} completed, {pending} "
             f"pending), {sim.leader_changes} leader change(s), {sim.dropped} messages lost, "
             f"{sim.duplicated} duplicated", *monitor(sim),
             f"linearizable: {result.linearizable} ({result.states_explored} search states)"]
    if result.linearizable and result.order is not None:
        lines.append(f"witness (one order a single copy of the store could have run), first "
                     f"{witness} of {len(result.order)}:")
        lines += [f"  {k}. {operation(o)}" for k, o in enumerate(result.order[:witness], 1)]
    else:
        state = KV.initial_state()
        for o in result.longest_prefix:
            state, _ = KV.apply(state, o.op)
        lines.append(f"not linearizable (key {result.key!r}): the longest order a single copy "
                     f"of the store could have run has {len(result.longest_prefix)} operation(s):")
        lines += [f"  {k}. {operation(o)}" for k, o in enumerate(result.longest_prefix, 1)]
        lines.append("after which the store holds " + (", ".join(
            f"{k} = {v!r}" for k, v in sorted(state)) or "nothing") + ", and no "
            "operation can go next:")
        lines += [f"  {operation(o)}: a single copy would answer "
                  f"{KV.apply(state, o.op)[1]!r}" for o in result.unplaced]
    lost = sim.lost_writes()
    lines.append(f"writes acknowledged to a client but lost from the log: {len(lost)}")
    lines += [f"  {r.client}#{r.request_id}: {describe_op(r.op)} → {r.output!r} (returned at "
              f"{r.complete:.1f})" for r in lost]
    return lines


def monitor(sim: Simulation) -> list[str]:
    """What the safety monitor saw: the rules broken, and any instance with two
    commands chosen (from its per-instance histories, typed)."""
    if sim.safe:
        return ["safety monitor: no rule broken"]
    assert sim.monitor is not None
    rules = sorted({v.rule for v in sim.violations})
    lines = [f"safety monitor: {len(sim.violations)} violations, of: {'; '.join(rules)}"]
    lines += [f"  instance {i}: {' and '.join(sorted(describe_value(v) for v in h.chosen_values))}"
              f" were both chosen" for i, h in sorted(sim.monitor.histories.items())
              if len(h.chosen_values) > 1]
    return lines


def logs(sim: Simulation, upto: int | None = None) -> list[str]:
    """Each server's log, instance: command (? = not known chosen), and how far it
    has executed."""
    top = upto or max((max(s.stable.chosen, default=0) for s in sim.servers.values()),
                      default=0)
    return [f"{name}{'' if s.up else ' (crashed)'}, executed "
            f"{f'1–{s.executed}' if s.executed else 'nothing'}: " + "; ".join(
                f"{i}: {describe_value(s.stable.chosen[i]) if i in s.stable.chosen else '?'}"
                for i in range(1, top + 1)) for name, s in sim.servers.items()]
