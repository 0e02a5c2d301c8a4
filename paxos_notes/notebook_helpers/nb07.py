"""Presentation for ``07_the_implementation.ipynb`` (§2.5 The Implementation).

Tables and figures only; every run, search and count is made in the notebook's
cells (with `paxos_notes.script`, `paxos_notes.processes` and
`paxos_notes.checker`) and handed in here to be shown:

- `message_table`: every message of a process-level run, and whether it went on
  the network or stayed inside a process;
- `PHASES`, `cost_table`, `cost_figure`: a decision's network messages by phase,
  for several cluster sizes and wirings;
- `verdict`: one line for a model-checker result, live or stored
  (`paxos_notes.checker.stored`);
- `frames_after`: storyboard positions just after given steps of a run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..checker import AgentsResult
from ..checker.stored import StoredRun
from ..paper import Table
from ..processes import ProcessSimulation
from ..script import Run
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Message kinds by the part of a decision they belong to. Phase 2's acceptances
#: go to learners (§2.3), so they are counted as learning.
PHASES: dict[str, tuple[str, ...]] = {
    "phase 1": ("Prepare", "Promise"),
    "phase 2": ("Accept",),
    "learning": ("Accepted", "Chosen"),
}


def message_table(run: Run) -> Table:
    """Every message of ``run`` (a `ProcessSimulation` run), with the step that caused it,
    the processes at both ends and how it travelled. Within a step, a handler's network
    messages come first, then those it hands over inside its process."""
    sim = run.sim
    if not isinstance(sim, ProcessSimulation):
        raise ValueError("run must be a run of a ProcessSimulation")
    host = sim.placement.host
    rows = []
    for moment in run.moments:
        for e in moment.events:
            m = e.message
            local = e.kind == "deliver" and e.msg_id is None
            if m is None or not (e.kind == "send" or local):
                continue
            where = f"inside {host(m.sender)}" if local else \
                f"network {host(m.sender)} → {host(m.receiver)}"
            rows.append((str(moment.number), f"{m.sender} → {m.receiver}", m.describe(), where))
    network = sum(1 for r in rows if r[3].startswith("network"))
    return Table(("step", "roles", "message", "how it travels"), tuple(rows),
                 caption=f"{len(rows)} messages: {network} on the network, "
                         f"{len(rows) - network} inside a process")


def by_phase(sent: Mapping[str, int]) -> dict[str, int]:
    """Message counts by kind, summed per part of a decision (`PHASES`)."""
    return {phase: sum(sent.get(k, 0) for k in kinds) for phase, kinds in PHASES.items()}


def cost_table(costs: Mapping[tuple[int, str], Counter[str]]) -> Table:
    """``costs[(n, wiring)]``: the network messages of one decision, by kind."""
    rows = []
    for (n, wiring), sent in costs.items():
        parts = by_phase(sent)
        rows.append((str(n), wiring, *(str(v) for v in parts.values()),
                     str(sum(parts.values()))))
    return Table(("N", "wiring", *PHASES, "total"), tuple(rows),
                 caption="Network messages for one decision led by p1 (perfect network)")


def cost_figure(costs: Mapping[tuple[int, str], Counter[str]]) -> Figure:
    """Stacked bars: one group per n, one bar per wiring, one band per phase."""
    sizes = sorted({n for n, _ in costs})
    wirings = list(dict.fromkeys(w for _, w in costs))
    colours = (pal.BLUE, pal.VERMILLION, pal.BLUISH_GREEN)
    hatches = ("", "///", "...")
    fig = new_figure(8.0, 3.6)
    ax = fig.add_axes((0.08, 0.3, 0.9, 0.6))
    width = 0.8 / len(wirings)
    for g, n in enumerate(sizes):
        for b, wiring in enumerate(wirings):
            x = g + (b - (len(wirings) - 1) / 2) * width
            bottom = 0
            parts = by_phase(costs[(n, wiring)])
            for (phase, v), colour, hatch in zip(parts.items(), colours, hatches, strict=True):
                ax.bar(x, v, width * 0.9, bottom=bottom, color=colour, hatch=hatch,
                       edgecolor=pal.INK, linewidth=0.5,
                       label=phase if (g, b) == (0, 0) else None)
                bottom += v
            ax.text(x, bottom + 0.5, str(bottom), ha="center", fontsize=8)
            ax.text(x, -1.2, str(b + 1), ha="center", va="top", fontsize=8)
    ax.set_xticks(range(len(sizes)), [f"\n\nN = {n}" for n in sizes], fontsize=9)
    ax.set_ylabel("network messages", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    key = "   ".join(f"{i}: {w}" for i, w in enumerate(wirings, 1))
    fig.text(0.08, 0.04, f"bars per N — {key}", fontsize=8)
    ax.set_title("One decision's network messages, by phase", fontsize=10)
    return fig


def verdict(result: AgentsResult | StoredRun) -> str:
    """A checker result in one line: the variant, the verdict, the counts."""
    states = f"{result.distinct_states:,} states"
    if result.safe:
        return f"{result.variant}: safe — no violation in all {states} " \
               f"(every state searched: {result.complete})"
    if isinstance(result, AgentsResult):
        broken, steps = result.violation, result.counterexample
    else:
        broken, steps = result.rule, result.steps
    values = " and ".join(repr(v) for v in result.chosen_values)
    return (f"{result.variant}: UNSAFE — breaks “{broken}” ({values} chosen); "
            f"shortest run {len(steps)} steps, found after {states}")


def frames_after(run: Run, steps: Iterable[int]) -> list[int]:
    """Trace positions just after each of ``steps`` (numbers of the run's moments), for
    `TracePlayer.storyboard`."""
    ends: dict[int, int] = {}
    position = 0
    for moment in run.moments:
        position += len(moment.events)
        ends[moment.number] = position
    wanted: Sequence[int] = list(steps)
    missing = [s for s in wanted if s not in ends]
    if missing:
        raise ValueError(f"steps must be step numbers of the run ({min(ends)}..{max(ends)}), "
                         f"got {missing}")
    return [ends[s] for s in wanted]


__all__ = ["PHASES", "by_phase", "cost_figure", "cost_table", "frames_after", "message_table",
           "verdict"]
