"""Presentation for ``05_learning_a_chosen_value.ipynb`` (§2.3 Learning a Chosen Value).

The runs and the measurements are in the notebook's cells; this module only
shows them:

- `knows` and `verdict`: what each learner knows, and §2.1's third requirement
  ("Safety 3") judged by the simulator's `History` on a run;
- `replies`: what the acceptors that are up would answer a learner;
- `grid_table` and `grid_figure`: the cost of the three arrangements over m x k;
- `reliability_table`: how often a learner is left out when learners crash;
- `remedy_frames`: the key moments of the lost-acceptances run, for a storyboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..invariants import ONLY_CHOSEN_LEARNED, History
from ..messages import Accept, Proposal
from ..paper import Table
from ..trace import Trace
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ARRANGEMENTS = ("all", "distinguished", "set")
NAMES = {"all": "every acceptor tells every learner", "distinguished": "one distinguished learner",
         "set": "a set of 2 distinguished learners"}
SET_SIZE = 2  # the set's size d (or k, if there are fewer learners)
STYLES = {  # colour, marker, line style: never colour alone
    "all": (pal.ORANGE, "o", "-"),
    "distinguished": (pal.BLUE, "s", "--"),
    "set": (pal.BLUISH_GREEN, "^", "-."),
}

# (m, k, arrangement) -> (messages to learners, message delays until the last one
# knows, whether the run kept every safety requirement)
Grid = Mapping[tuple[int, int, str], tuple[int, int, bool]]


def _p(p: Proposal | None) -> str:
    return "nothing" if p is None else str(p)


def knows(learned: Mapping[str, Proposal | None]) -> str:
    """``l1 knows 'x', l2 knows nothing``."""
    return ", ".join(f"{name} knows {p.value!r}" if p else f"{name} knows nothing"
                     for name, p in learned.items())


def replies(accepted: Mapping[str, Proposal | None]) -> str:
    """``a1: (0, 'x'), a3: nothing``."""
    return ", ".join(f"{name}: {_p(p)}" for name, p in accepted.items())


def verdict(history: History) -> str:
    """§2.1's third requirement on one run: held or broken, with the facts."""
    chosen = ", ".join(str(p) for p in sorted(history.chosen)) or "nothing"
    broken = [v.detail for v in history.violations if v.rule == ONLY_CHOSEN_LEARNED]
    head = "BROKEN: " + "; ".join(broken) if broken else "held"
    others = len(history.violations) - len(broken)
    tail = f" ({others} other violation(s))" if others else ""
    return f"Safety 3: {head}. Chosen: {chosen}.{tail}"


def grid_table(grid: Grid, formula: Callable[[int, int, str, int], int]) -> Table:
    """One row per (m, k): each arrangement's measured messages beside
    ``formula(m, k, arrangement, d)``, the paper's m·k and m + k, and the delays."""
    ms = sorted({m for m, _, _ in grid})
    ks = sorted({k for _, k, _ in grid})
    rows = []
    for m in ms:
        for k in ks:
            d = min(SET_SIZE, k)
            msgs = [str(grid[(m, k, a)][0]) for a in ARRANGEMENTS]
            want = [str(formula(m, k, a, d)) for a in ARRANGEMENTS]
            delays = " / ".join(str(grid[(m, k, a)][1]) for a in ARRANGEMENTS)
            rows.append((str(m), str(k), str(m // 2 + 1), msgs[0], want[0], str(m * k),
                         msgs[1], want[1], str(m + k), str(d), msgs[2], want[2],
                         delays))
    return Table(("m", "k", "a", "all", "a·k", "m·k", "dist.", "a+k−1", "m+k", "d", "set",
                  "d(a+k−d)", "delays all/dist./set"), tuple(rows),
                 caption="Messages to learners until all k know (measured, and the formulas), "
                         "and message delays until the last one knows")


def grid_figure(grid: Grid) -> Figure:
    """Messages to learners against k, one panel per m, one line per arrangement."""
    ms = sorted({m for m, _, _ in grid})
    ks = sorted({k for _, k, _ in grid})
    fig = new_figure(4.0 * len(ms), 3.6)
    axes = fig.subplots(1, len(ms), sharey=True)
    for ax, m in zip(axes, ms, strict=True):
        for a in ARRANGEMENTS:
            colour, marker, line = STYLES[a]
            ax.plot(ks, [grid[(m, k, a)][0] for k in ks], color=colour, marker=marker,
                    linestyle=line, label=NAMES[a])
        ax.plot(ks, [m * k for k in ks], color=pal.GREY, linestyle=":",
                label="m·k (a response from every acceptor)")
        ax.set_title(f"m = {m} acceptors (a = {m // 2 + 1} accept)", fontsize=10)
        ax.set_xlabel("k learners")
        ax.set_xticks(ks)
        ax.grid(True, color=pal.LIGHT_GREY)
    axes[0].set_ylabel("messages to learners")
    axes[0].legend(fontsize=7.5, loc="upper left")
    fig.suptitle("§2.3: what telling k learners costs", fontsize=11)
    fig.tight_layout()
    return fig


def reliability_table(left_out: Mapping[tuple[str, str], int], runs: int,
                      cases: Sequence[str], until: float) -> Table:
    """Runs, per arrangement and crash case, in which a learner that is up still knows
    nothing when the runs stop at ``until`` (the caption says when: a run shows only
    that, not "never")."""
    rows = tuple(
        (NAMES[a], *(f"{left_out[(a, c)]} of {runs} ({100 * left_out[(a, c)] / runs:.0f} %)"
                     for c in cases))
        for a in ARRANGEMENTS)
    return Table(("arrangement", *cases), rows,
                 caption=f"Runs in which some learner that is up still knows nothing at "
                         f"t = {until:g}")


def remedy_frames(trace: Trace) -> list[int]:
    """Cursors of four key moments: the value chosen; the acceptances lost (nobody knows);
    the second proposer's accept request, carrying the chosen value; the end."""
    events = trace.events
    try:
        chosen = next(i for i, e in enumerate(events) if e.kind == "chosen")
        second = next(i for i, e in enumerate(events) if e.kind == "propose" and i > chosen)
        lost = max(i for i, e in enumerate(events[:second]) if e.kind == "drop")
        first = next(e for e in events[second:]
                     if e.kind == "send" and isinstance(e.message, Accept))
    except (StopIteration, ValueError):
        raise ValueError("trace must choose a value, lose messages, and then run a second "
                         "proposal to its accept requests") from None
    again = max(i for i, e in enumerate(events) if e.step == first.step)  # every accept sent
    return [chosen + 1, lost + 1, again + 1, len(events)]
