"""Presentation for ``06_progress.ipynb`` (§2.4 Progress).

Tables, figures and short reports only; the runs themselves are in the
notebook's cells, on `paxos_notes.script`, `paxos_notes.election` and
`paxos_notes.progress`:

- `SweepRow`, `sweep_table`, `sweep_figure`: the measured sweep over the
  number of proposers and the spread of the election timers;
- `leadership_figure`: who believed it led, when (`progress.believed_leaders`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..paper import Table
from ..progress import ElectionEvent, Summary, believed_leaders
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# ---------------------------------------------------------------------------
# The scripted duel
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# The sweep: proposers x timer spread, with and without the election
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRow:
    elect: bool
    proposers: int
    spread: float
    summary: Summary


def _num(x: float, digits: int = 0) -> str:
    return "never" if math.isinf(x) else f"{x:.{digits}f}"


def sweep_table(rows: Sequence[SweepRow], until: float) -> Table:
    return Table(
        columns=("election", "proposers", "spread", "decided", "phase-1 starts p50", "p90",
                 "time p50", "p90", "safe"),
        rows=tuple(("yes" if r.elect else "no", str(r.proposers), f"{r.spread:g}",
                    f"{r.summary.decided}/{r.summary.runs}",
                    _num(r.summary.prepares_median), _num(r.summary.prepares_p90),
                    _num(r.summary.time_median, 1), _num(r.summary.time_p90, 1),
                    f"{r.summary.safe}/{r.summary.runs}") for r in rows),
        caption=(f"Phase-1 starts (all proposers together) and simulated time until a "
                 f"value is chosen. decided: runs that chose a value by t = {until:g}; "
                 f"p50, p90: median and 90th percentile over all the runs, a run that "
                 f"chose nothing counting as \"never\" (so p50 is never when over half "
                 f"of them chose nothing, p90 when over a tenth did); safe: runs in which "
                 f"the simulator found all three safety requirements held."))


def sweep_figure(rows: Sequence[SweepRow]) -> Figure:
    """Median phase-1 starts (left) and 90th-percentile time (right) against the
    spread; one colour and marker per number of proposers; solid with the
    election, dashed without. A percentile that is "never" is left out of the
    line and marked with a cross at the top of the panel."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig = new_figure(9.0, 3.7)
    panels = [(fig.add_axes((0.08, 0.25, 0.40, 0.65)), "prepares_median",
               "phase-1 starts until chosen (median)"),
              (fig.add_axes((0.58, 0.25, 0.40, 0.65)), "time_p90",
               "time until chosen (90th percentile)")]
    counts = sorted({r.proposers for r in rows})
    spreads = sorted({r.spread for r in rows})
    xs = {s: i for i, s in enumerate(spreads)}  # even spacing: spreads grow geometrically
    styles = {k: (pal.PROPOSER_COLOURS[j % len(pal.PROPOSER_COLOURS)], "osD^v"[j % 5])
              for j, k in enumerate(counts)}
    for ax, field, title in panels:
        top = max((getattr(r.summary, field) for r in rows
                   if not math.isinf(getattr(r.summary, field))), default=1.0) * 1.3
        for j, (k, (colour, marker)) in enumerate(styles.items()):
            nudge = 0.08 * (j - (len(styles) - 1) / 2)  # crosses side by side
            for elect, dash in ((True, "-"), (False, "--")):
                pts = [(xs[r.spread], getattr(r.summary, field)) for r in rows
                       if r.proposers == k and r.elect == elect]
                finite = [(x, y) for x, y in pts if not math.isinf(y)]
                ax.plot([x for x, _ in finite], [y for _, y in finite], linestyle=dash,
                        marker=marker, color=colour, linewidth=1.8)
                never = [x + nudge for x, y in pts if math.isinf(y)]
                ax.plot(never, [top] * len(never), linestyle="none", marker="x",
                        color=colour, markersize=9, markeredgewidth=2)
        if field == "prepares_median":  # from 1 to dozens: a log scale, plain labels
            ax.set_yscale("log")
            ax.set_yticks([1, 2, 5, 10, 20, 50])
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_ylim(0, top * 1.08)
        ax.set_xticks(range(len(spreads)), [f"{s:g}" for s in spreads])
        ax.set_xlabel("spread of the election timer (base 3)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, color=pal.LIGHT_GREY, linewidth=0.6)
    handles = [Line2D([], [], color=c, marker=m, label=f"{k} proposers")
               for k, (c, m) in styles.items()]
    handles += [Line2D([], [], color=pal.INK, linestyle="-", label="election"),
                Line2D([], [], color=pal.INK, linestyle="--", label="no election"),
                Line2D([], [], color=pal.INK, linestyle="none", marker="x",
                       label="never (too many runs chose nothing)")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
               frameon=False)
    return fig


# ---------------------------------------------------------------------------
# Who believed it led
# ---------------------------------------------------------------------------


def leadership_figure(events: Sequence[ElectionEvent], end: float) -> Figure:
    """One lane per process: a bar while it believed it led, a tick when it
    started phase 1; the overlap of two bars is the failed election."""
    spans = believed_leaders(events, end)
    processes = sorted({e.process for e in events})
    fig = new_figure(8.0, 0.9 + 0.6 * len(processes))
    ax = fig.add_axes((0.08, 0.30, 0.9, 0.6))
    for i, p in enumerate(processes):
        colour = pal.PROPOSER_COLOURS[i % len(pal.PROPOSER_COLOURS)]
        ax.broken_barh([(a, b - a) for a, b in spans.get(p, [])], (i - 0.3, 0.6),
                       facecolors=colour, edgecolor=pal.INK, hatch="//" if i % 2 else "")
        starts = [e.time for e in events if e.process == p and e.kind == "campaign"]
        ax.plot(starts, [i] * len(starts), linestyle="none", marker="|", markersize=18,
                color=pal.INK)
    ax.set_yticks(range(len(processes)), processes)
    ax.set_xlim(0, end)
    ax.set_ylim(-0.7, len(processes) - 0.3)
    ax.set_xlabel("simulated time")
    ax.grid(True, axis="x", color=pal.LIGHT_GREY, linewidth=0.6)
    return fig
