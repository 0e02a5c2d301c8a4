"""Scratch notebooks for the widget tests: one cell per widget instance, every element a
test clicks or reads tagged with a CSS class from Python (``add_class``), so the browser
tests find it by name instead of by position in the DOM.

The notebook is written into the server's temporary ``scratch/`` folder and run in the
browser like a reader would (Run All Cells), then driven by real clicks. Each test has
instances of its own, so the tests do not depend on each other's order. The latency
cases (`LATENCY_CASES`) are shared with ``benchmarks/browser_latency.py``.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lab_driver import NotebookPage
    from playwright.sync_api import Page

PREFIX = "pxt-"
LATENCY_CLICKS = 20
LATENCY_TARGET_ENV = "PAXOS_NOTES_LATENCY_TARGET_MS"


def latency_target_ms() -> float:
    """The target median (issue #6: 150 ms on the reference 2-core machine)."""
    return float(os.environ.get(LATENCY_TARGET_ENV, "150"))


def css(tag: str) -> str:
    """The selector of an element tagged ``tag`` in a scene."""
    return f".{PREFIX}{tag}"


SETUP = f'''\
import ipywidgets


def tag(widget, name):
    """Give the widget's DOM element a class the browser tests look for."""
    widget.add_class("{PREFIX}" + name)
    return widget


def tag_frame(widget, name):
    """Tag a paxos_notes FrameWidget: the whole view, its picture and its caption."""
    tag(widget, name)
    tag(widget.picture, name + "-picture")
    tag(widget.caption_box, name + "-caption")
    tag(widget.message_box, name + "-message")
    return widget


def tag_quorum_toggles(widget, name):
    for which, row in ((1, widget.first_row), (2, widget.second_row)):
        for toggle in row.children:
            tag(toggle, f"{{name}}-q{{which}}-{{toggle.description}}")
'''

# name -> cell source; the cell's last expression displays the widget.
SCENES: dict[str, str] = {
    "qi": '''\
from paxos_notes.widgets import QuorumIntersection

qi = tag_frame(QuorumIntersection(n=5), "qi")
tag_quorum_toggles(qi, "qi")
qi''',
    "qm": '''\
qm = tag_frame(QuorumIntersection(n=5), "qm")
tag(qm.adversary_button, "qm-adversary")
qm''',
    "qu": '''\
qu = tag_frame(QuorumIntersection(n=5, system="threshold", k=2), "qu")
tag(qu.adversary_button, "qu-adversary")
tag_quorum_toggles(qu, "qu")
qu''',
    "pn": '''\
from paxos_notes.widgets import ProposalNumbering

pn = tag_frame(ProposalNumbering(proposers=3, rounds=3), "pn")
tag(pn.step_button, "pn-step"), tag(pn.back_button, "pn-back")
tag(pn.shared_toggle, "pn-shared")
pn''',
    "p2c": '''\
from paxos_notes.widgets import P2cArgument

p2c = tag_frame(P2cArgument(), "p2c")
tag(p2c.step_button, "p2c-step"), tag(p2c.back_button, "p2c-back")
p2c''',
    "tp": '''\
from paxos_notes.widgets import TracePlayer

tp = tag_frame(TracePlayer(), "tp")
tag(tp.forward_button, "tp-forward"), tag(tp.back_button, "tp-back"), tag(tp.play, "tp-play")
tp''',
    "tpp": '''\
tpp = tag_frame(TracePlayer(), "tpp")
tag(tpp.play, "tpp-play")
tpp''',
    "live": '''\
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Simulation

live = tag_frame(TracePlayer(Simulation(Cluster(), seed=0, manual=True)), "live")
tag(live.propose_button, "live-propose"), tag(live.pending_menu, "live-pending")
tag(live.drop_button, "live-drop"), tag(live.duplicate_button, "live-duplicate")
live''',
    "tfg": '''\
from paxos_notes.widgets import TwoFacedGeneral

tfg = tag_frame(TwoFacedGeneral(liar="g5"), "tfg")
tag(tfg.liar_menu, "tfg-liar")
for general, toggle in zip(("g1", "g2", "g3", "g4", "g5"), tfg.vote_toggles):
    tag(toggle, "tfg-vote-" + general)
tfg''',
    "log": '''\
from paxos_notes.widgets import LogWidget

log = tag_frame(LogWidget(), "log")
tag(log.forward_button, "log-forward"), tag(log.back_button, "log-back")
tag(log.source_menu, "log-source")
log''',
}


@dataclass(frozen=True)
class LatencyCase:
    """Click one or two buttons of a fresh widget ``clicks`` times; time each new frame."""

    widget: str
    action: str
    scene: str  # tag prefix and cell name
    source: str  # the cell (after SETUP)
    forward: str  # tag of the button that moves on (or toggles)
    back: str | None  # tag of the button that moves back; None: ``forward`` toggles
    frames: Callable[[], int] | None  # how many forward steps exist (from the package)

    def plan(self, clicks: int) -> list[str]:
        """The buttons to click, in order: bounce between the ends so every click moves."""
        if self.back is None:
            return [self.forward] * clicks
        assert self.frames is not None
        last = self.frames()
        if last < 1:
            raise ValueError(f"{self.widget}: nothing to step through ({last} frames)")
        out, pos, step = [], 0, 1
        for _ in range(clicks):
            if not 0 <= pos + step <= last:
                step = -step
            out.append(self.forward if step > 0 else self.back)
            pos += step
        return out


def _numbering_frames() -> int:
    from paxos_notes.widgets.proposal_numbering import NumberingState

    return NumberingState(3, False, 3).total


def _p2c_frames() -> int:
    from paxos_notes.widgets.p2c_argument import default_state

    s = default_state()
    return s.n - s.m


def _trace_frames() -> int:
    from paxos_notes.widgets.trace_player import default_trace

    return len(default_trace()) - TRACE_LATENCY_START


def _log_frames() -> int:
    from paxos_notes.widgets.log_widget import builtin_view

    return len(builtin_view("gap"))


TRACE_LATENCY_START = 30  # mid-run: many messages in flight, a long chart

LATENCY_CASES: tuple[LatencyCase, ...] = (
    LatencyCase("QuorumIntersection", "toggle acceptor a1 in Q1", "lat-qi", '''\
from paxos_notes.widgets import QuorumIntersection

lat_qi = tag_frame(QuorumIntersection(n=5, first=("a2", "a3"), second=("a3", "a4", "a5")),
                   "lat-qi")
tag_quorum_toggles(lat_qi, "lat-qi")
lat_qi''', "lat-qi-q1-a1", None, None),
    LatencyCase("ProposalNumbering", "step ▶ / ◀ back", "lat-pn", '''\
from paxos_notes.widgets import ProposalNumbering

lat_pn = tag_frame(ProposalNumbering(proposers=3, rounds=3), "lat-pn")
tag(lat_pn.step_button, "lat-pn-step"), tag(lat_pn.back_button, "lat-pn-back")
lat_pn''', "lat-pn-step", "lat-pn-back", _numbering_frames),
    LatencyCase("P2cArgument", "induction step ▶ / ◀ back", "lat-p2c", '''\
from paxos_notes.widgets import P2cArgument

lat_p2c = tag_frame(P2cArgument(), "lat-p2c")
tag(lat_p2c.step_button, "lat-p2c-step"), tag(lat_p2c.back_button, "lat-p2c-back")
lat_p2c''', "lat-p2c-step", "lat-p2c-back", _p2c_frames),
    LatencyCase("TracePlayer", f"step ▶ / ◀ back from event {TRACE_LATENCY_START}", "lat-tp",
                f'''\
from paxos_notes.widgets import TracePlayer

lat_tp = tag_frame(TracePlayer(cursor={TRACE_LATENCY_START}), "lat-tp")
tag(lat_tp.forward_button, "lat-tp-forward"), tag(lat_tp.back_button, "lat-tp-back")
lat_tp''', "lat-tp-forward", "lat-tp-back", _trace_frames),
    LatencyCase("LogWidget", "step ▶ / ◀ back (§3 gap scenario)", "lat-log", '''\
from paxos_notes.widgets import LogWidget

lat_log = tag_frame(LogWidget(), "lat-log")
tag(lat_log.forward_button, "lat-log-forward"), tag(lat_log.back_button, "lat-log-back")
lat_log''', "lat-log-forward", "lat-log-back", _log_frames),
)


def latency_sources(cases: Sequence[LatencyCase] = LATENCY_CASES) -> list[str]:
    return [case.source for case in cases]


@dataclass(frozen=True)
class LatencyResult:
    widget: str
    action: str
    samples_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90(self) -> float:
        xs = self.samples_ms
        return statistics.quantiles(xs, n=10)[-1] if len(xs) >= 10 else max(xs)


def measure(page: Page, case: LatencyCase, clicks: int = LATENCY_CLICKS) -> LatencyResult:
    """Click through ``case.plan(clicks)``; each sample is click → new frame in the DOM,
    timed in the page (lab_driver.FRAME_LATENCY_JS)."""
    from lab_driver import click_to_frame_ms

    frame = css(f"{case.scene}-picture")
    samples = []
    for button in case.plan(clicks):
        samples.append(click_to_frame_ms(page, css(button), frame))
        page.wait_for_timeout(50)  # let the caption and controls catch up (not timed)
    return LatencyResult(case.widget, case.action, tuple(samples))


def latency_table(results: Sequence[LatencyResult], target_ms: float) -> str:
    """A plain-text table of click → frame medians (what the test and benchmark print)."""
    head = ("widget", "action", "clicks", "median ms", "p90 ms", "max ms", "target")
    rows = [head] + [
        (r.widget, r.action, str(len(r.samples_ms)), f"{r.median:.1f}", f"{r.p90:.1f}",
         f"{max(r.samples_ms):.1f}", "ok" if r.median <= target_ms else f"> {target_ms:g}")
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# Cells that must trip the checks: they prove the checks can fail (a selector that
# no longer matches anything would otherwise pass every notebook). The error cell is
# last, because a kernel skips the cells queued after an error.
CANARIES: dict[str, str] = {
    "canary-wide": '''\
tag(ipywidgets.HBox([ipywidgets.Button(
    description="canary: wider than any notebook",
    layout=ipywidgets.Layout(width="1400px", min_width="1400px"))]), "canary-wide")''',
    "canary-stderr": '''\
import sys

print("canary: a line on stderr", file=sys.stderr)''',
    "canary-error": 'raise RuntimeError("canary: an error output")',
}


@dataclass
class WidgetNotebook:
    """The scratch notebook after Run All, and the cell index of each scene."""

    nb: NotebookPage
    cells: dict[str, int]

    @property
    def page(self) -> Page:
        return self.nb.page


def scratch_cells() -> list[tuple[str, str]]:
    """(name, source) of every cell of the widget test notebook, in order."""
    return [("setup", SETUP), *SCENES.items(),
            *((case.scene, case.source) for case in LATENCY_CASES), *CANARIES.items()]
