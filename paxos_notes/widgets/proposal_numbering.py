"""ProposalNumbering: why proposers draw numbers from disjoint sets (§2.5).

§2.2 needs different proposals to have different numbers; §2.5 gets that without
coordination: "Different proposers choose their numbers from disjoint sets of
numbers". Proposer i of N uses ``round * N + i`` (`paxos_notes.ballots`). This
widget puts 1-5 proposers on a number line, one lane, colour and marker shape
each, with the set each one draws from (hollow markers). Stepping shows each
proposer picking `Allocator.next_above` the highest number it has seen (filled
markers): in each round the proposers pick concurrently, having heard of every
number from earlier rounds but not of each other's current pick.

The "broken scheme" toggle switches to ``Allocator(n, shared=True)``: every
proposer draws from the same set, so proposers of one round collide on one
number. A button then replays the model checker's shortest counterexample
(`paxos_notes.checker.counterexample("shared-numbers")`) in an embedded
`TracePlayer`, when the checker provides one.

Usage::

    from paxos_notes.widgets import ProposalNumbering
    ProposalNumbering(proposers=3)     # shared=True for the broken scheme
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import ipywidgets as w

from ..ballots import Allocator, ProposalNumber
from ..trace import Trace
from . import palette as pal
from ._base import FrameWidget
from ._draw import Canvas, storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_PROPOSERS = 5
MAX_ROUNDS = 6
COUNTEREXAMPLE = "shared-numbers"

LEFT, RIGHT = 92.0, 630.0
WIDTH = 660.0
LANE = 46.0
TOP = 74.0


@dataclass(frozen=True)
class Pick:
    """Proposer ``proposer`` (an index) picked ``number`` having seen ``seen``."""

    step: int
    round: int
    proposer: int
    seen: ProposalNumber | None
    number: ProposalNumber


@dataclass(frozen=True)
class NumberingState:
    """View state: the scheme and how many picks have been made (``step``)."""

    proposers: int = 3
    shared: bool = False
    rounds: int = 3
    step: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.proposers, int) or not 1 <= self.proposers <= MAX_PROPOSERS:
            raise ValueError(f"proposers must be in 1..{MAX_PROPOSERS}, got {self.proposers!r}")
        if not isinstance(self.shared, bool):  # "yes" would be truthy, and wrong
            raise ValueError(f"shared must be True or False, got {self.shared!r}")
        if not isinstance(self.rounds, int) or not 1 <= self.rounds <= MAX_ROUNDS:
            raise ValueError(f"rounds must be in 1..{MAX_ROUNDS}, got {self.rounds!r}")
        if not 0 <= self.step <= self.total:
            raise ValueError(f"step must be in 0..{self.total}, got {self.step!r}")

    @property
    def total(self) -> int:
        return self.proposers * self.rounds

    @property
    def allocator(self) -> Allocator:
        return Allocator(self.proposers, shared=self.shared)


@lru_cache(maxsize=64)
def picks(proposers: int, shared: bool, rounds: int) -> tuple[Pick, ...]:
    """The whole script: round by round, each proposer picks ``next_above`` the highest
    number it has seen — every number from earlier rounds, and its own picks."""
    alloc = Allocator(proposers, shared=shared)
    out: list[Pick] = []
    heard: ProposalNumber | None = None  # highest number of all earlier rounds
    for r in range(rounds):
        this_round: list[ProposalNumber] = []
        for i in range(proposers):
            n = alloc.next_above(i, heard)
            out.append(Pick(len(out) + 1, r, i, heard, n))
            this_round.append(n)
        heard = max(this_round)
    return tuple(out)


def _name(i: int) -> str:
    return f"p{i + 1}"


def own_set(state: NumberingState, index: int, upto: int) -> list[int]:
    """The natural numbers proposer ``index`` may use, up to ``upto``."""
    a = state.allocator
    return [x for x in range(upto + 1)
            if a.owns(index, ProposalNumber.from_natural(x, state.proposers))]


def collisions(state: NumberingState) -> dict[int, list[int]]:
    """Numbers picked (so far) by more than one proposer: natural -> proposer indices."""
    by_number: dict[int, list[int]] = {}
    for p in picks(state.proposers, state.shared, state.rounds)[: state.step]:
        by_number.setdefault(p.number.natural, []).append(p.proposer)
    return {n: who for n, who in by_number.items() if len(set(who)) > 1}


def _set_text(state: NumberingState, index: int) -> str:
    xs = own_set(state, index, 3 * state.proposers)
    return "{" + ", ".join(str(x) for x in xs[:3]) + ", …}"


def caption(state: NumberingState) -> str:
    """The frame in words."""
    n = state.proposers
    scheme = ("Broken scheme: every proposer draws from the same set "
              f"{_set_text(state, 0)} (Allocator({n}, shared=True))." if state.shared else
              f"Disjoint sets: proposer i of {n} uses round × {n} + i, so p1 draws from "
              f"{_set_text(state, 0)}" + (f", p2 from {_set_text(state, 1)}" if n > 1 else "")
              + (", and so on." if n > 2 else "."))
    if state.step == 0:
        return (f"{scheme} Step through: in each round every proposer picks next_above the "
                f"highest number it has seen (all numbers of earlier rounds), without seeing "
                f"the others' picks of the same round.")
    p = picks(state.proposers, state.shared, state.rounds)[state.step - 1]
    seen = "nothing yet" if p.seen is None else f"{p.seen.natural}"
    k = p.number.natural
    parts = [f"Step {state.step} of {state.total} (round {p.round + 1}): {_name(p.proposer)} "
             f"has seen {seen}; next_above gives {k} = {p.number.round} × {n} + "
             f"{p.number.proposer}."]
    clash = collisions(state)
    if k in clash:
        others = sorted({_name(i) for i in clash[k]} - {_name(p.proposer)})
        # Shared numbers alone cost progress, not safety: phase 1(b) answers only
        # numbers "greater than" a promise, so at most one of the colliding
        # proposers gathers a majority (checker: shared-numbers-strict is safe).
        parts.append(f"Collision: {' and '.join(others)} already picked {k}. Both may send "
                     f"prepare requests numbered {k}; since an acceptor answers only numbers "
                     f"\"greater than\" any it has answered, at most one of them can gather a "
                     f"majority of promises. Acceptors that answered a repeated prepare would "
                     f"let both issue proposals numbered {k}, with different values "
                     f"(notebook 09).")
    elif clash:
        parts.append(f"Collisions so far (vermillion bands): {sorted(clash)}.")
    elif not state.shared:
        parts.append("All numbers picked so far are different: the sets are disjoint.")
    return " ".join([scheme, *parts])


LEGEND = ("One lane per proposer, each with its own colour and marker shape (p1 orange "
          "circle, p2 blue square, p3 green triangle, p4 purple diamond, p5 vermillion "
          "down-triangle). Hollow markers: the numbers in the proposer's set; filled: numbers "
          "it picked; ringed: this step's pick; dotted arrow: from the highest number it had "
          "seen. Dashed vermillion band: a collision (one number picked by two proposers).")


def canvas(state: NumberingState, compact: bool = False) -> Canvas:
    """The number line as shapes (see `render`); ``compact`` leaves out the legend."""
    n = state.proposers
    script = picks(state.proposers, state.shared, state.rounds)
    upto = state.rounds * n + n - 1
    height = TOP + LANE * n + (30 if compact else 64)
    title = (f"Proposal numbers of {n} proposer{'s' if n > 1 else ''}, "
             f"{'shared (broken)' if state.shared else 'disjoint'} sets")
    c = Canvas(WIDTH, height, title=title)
    span = (RIGHT - LEFT) / max(upto, 1)

    def x_of(k: int) -> float:
        return LEFT + k * span

    c.text(10, 18, "shared set (broken scheme)" if state.shared else "disjoint sets (§2.5)",
           size=13, bold=True, fill=pal.VERMILLION if state.shared else pal.INK)
    done = script[: state.step]
    clash = collisions(state)
    axis_y = TOP + LANE * n + 8
    for k in sorted(clash):
        c.rect(x_of(k) - 9, TOP - 24, 18, axis_y - TOP + 24, fill=pal.COLLISION_COLOUR,
               opacity=0.18, stroke=pal.COLLISION_COLOUR, width=1.0, dash="dashed")
        c.text(x_of(k), TOP - 32, f"collision at {k}", size=10, anchor="middle", bold=True,
               fill=pal.VERMILLION)
    for i in range(n):
        y = TOP + LANE * i + LANE / 2
        colour = pal.PROPOSER_COLOURS[i]
        shape = pal.PROPOSER_MARKERS[i]
        c.marker(shape, 20, y, 7, colour, pal.INK)
        c.text(34, y, _name(i), size=13, bold=True)
        c.line(LEFT - 8, y, RIGHT + 8, y, stroke=pal.LIGHT_GREY, width=1.0)
        for k in own_set(state, i, upto):
            c.marker(shape, x_of(k), y, 5, pal.PAPER, colour, width=1.5)
        for p in done:
            if p.proposer != i:
                continue
            k = p.number.natural
            current = p.step == state.step
            if current:
                c.circle(x_of(k), y, 13, stroke=pal.INK, width=2.0)
            c.marker(shape, x_of(k), y, 8, colour, pal.INK, width=1.0)
            c.text(x_of(k), y - 17, str(k), size=10, anchor="middle", bold=current)
    # the axis
    c.line(LEFT - 8, axis_y, RIGHT + 8, axis_y, stroke=pal.INK, width=1.0)
    every = 1 if upto <= 20 else 2
    for k in range(0, upto + 1, every):
        c.line(x_of(k), axis_y, x_of(k), axis_y + 5, stroke=pal.INK, width=1.0)
        c.text(x_of(k), axis_y + 14, str(k), size=9, anchor="middle")
    c.text(LEFT - 10, axis_y + 14, "n:", size=10, anchor="end")
    if state.step:
        p = script[state.step - 1]
        y = TOP + LANE * p.proposer + LANE / 2
        if p.seen is not None:
            sx = x_of(p.seen.natural)
            c.arrow(sx, y + 14, x_of(p.number.natural) - 6, y + 14, stroke=pal.INK, width=1.2,
                    dash="dotted", head=6)
            c.text(sx + 2, y + 24, "highest seen", size=9, italic=True)
    if compact:
        return c
    legend_y = axis_y + 36
    c.marker("circle", 20, legend_y, 5, pal.PAPER, pal.INK, width=1.5)
    c.text(30, legend_y, "hollow: numbers in the proposer's set", size=10)
    c.marker("circle", 250, legend_y, 7, pal.INK, pal.INK)
    c.text(261, legend_y, "filled: picked (ringed: this step)", size=10)
    c.rect(452, legend_y - 7, 14, 14, fill=pal.COLLISION_COLOUR, opacity=0.3,
           stroke=pal.COLLISION_COLOUR, dash="dashed")
    c.text(472, legend_y, "band: collision", size=10)
    return c


def render(state: NumberingState) -> str:
    """The frame as a deterministic SVG string."""
    return canvas(state).to_svg()


def load_counterexample(provider: Callable[[], Trace] | Trace | None = None) -> Trace:
    """The checker's shortest "shared-numbers" counterexample, or ``ValueError`` saying why
    it is not available."""
    if isinstance(provider, Trace):
        return provider
    if provider is not None:
        return provider()
    try:
        from ..checker import counterexample  # type: ignore[attr-defined]
    except ImportError:
        raise ValueError("the model checker's counterexample is not available yet "
                         "(paxos_notes.checker.counterexample is missing)") from None
    trace = counterexample(COUNTEREXAMPLE)
    if not isinstance(trace, Trace):
        raise ValueError(f"checker returned {type(trace).__name__}, expected a Trace")
    return trace


def storyboard(proposers: int = 3, rounds: int = 2, columns: int = 2) -> Figure:
    """Key frames: the disjoint scheme after one round and at the end; the shared scheme
    at its first collision and at the end. Returns a matplotlib Figure."""
    disjoint = NumberingState(proposers, False, rounds)
    shared = NumberingState(proposers, True, rounds)
    first_clash = next((s for s in range(1, shared.total + 1)
                        if collisions(NumberingState(proposers, True, rounds, s))),
                       shared.total)
    states = [
        NumberingState(proposers, False, rounds, proposers),
        NumberingState(proposers, False, rounds, disjoint.total),
        NumberingState(proposers, True, rounds, first_clash),
        NumberingState(proposers, True, rounds, shared.total),
    ]
    frames = [(canvas(s, compact=True), caption(s)) for s in states]
    return storyboard_figure(frames, columns=columns, panel_width=5.0,
                             title="Proposal numbers: disjoint sets versus a shared set",
                             caption_lines=7, legend=LEGEND)


class ProposalNumbering(FrameWidget):
    """Step proposers through their picks; toggle the broken shared scheme.

    ``ProposalNumbering(proposers=3, rounds=3, shared=False)``. ``counterexample``
    overrides where the replayed trace comes from (a `Trace` or a function
    returning one); by default the model checker's.
    """

    def __init__(self, proposers: int = 3, *, rounds: int = 3, shared: bool = False,
                 counterexample: Callable[[], Trace] | Trace | None = None) -> None:
        self.state = NumberingState(proposers, shared, rounds)
        self._provider = counterexample
        self.player: w.Widget | None = None
        style = {"description_width": "initial"}
        self.proposers_slider = w.IntSlider(value=proposers, min=1, max=MAX_PROPOSERS,
                                            description="proposers", style=style,
                                            continuous_update=False)
        self.rounds_slider = w.IntSlider(value=rounds, min=1, max=MAX_ROUNDS,
                                         description="rounds", continuous_update=False)
        self.shared_toggle = w.ToggleButton(value=shared, description="broken scheme: shared set",
                                            layout=w.Layout(width="220px"))
        self.back_button = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.step_button = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.reset_button = w.Button(description="reset", layout=w.Layout(width="70px"))
        self.step_slider = w.IntSlider(value=0, min=0, max=self.state.total, description="step")
        self.replay_button = w.Button(description="replay the checker's counterexample",
                                      layout=w.Layout(width="280px"), disabled=not shared)
        self.player_box = w.VBox()
        controls = [
            w.HBox([self.proposers_slider, self.rounds_slider, self.shared_toggle]),
            w.HBox([self.back_button, self.step_button, self.reset_button, self.step_slider]),
        ]
        super().__init__(controls, below=[self.replay_button, self.player_box])
        for widget in (self.proposers_slider, self.rounds_slider, self.shared_toggle):
            widget.observe(self._on_scheme, names="value")
        self.step_slider.observe(self._on_slider, names="value")
        self.step_button.on_click(lambda _b: self.step(1))
        self.back_button.on_click(lambda _b: self.step(-1))
        self.reset_button.on_click(lambda _b: self.go(0))
        self.replay_button.on_click(lambda _b: self._guarded(self.replay))
        self._refresh()

    def __repr__(self) -> str:
        s = self.state
        return f"ProposalNumbering(proposers={s.proposers}, shared={s.shared})"

    # -- actions ------------------------------------------------------------------
    def step(self, delta: int = 1) -> None:
        """Move ``delta`` picks forward (or back); stops at either end."""
        self.go(min(max(self.state.step + delta, 0), self.state.total))

    def go(self, step: int) -> None:
        s = self.state
        self.state = NumberingState(s.proposers, s.shared, s.rounds, step)
        self._refresh()

    def replay(self) -> w.Widget:
        """Show the checker's counterexample in an embedded TracePlayer (and return it)."""
        from .trace_player import TracePlayer

        if self.player is None:
            trace = load_counterexample(self._provider)
            self.player = TracePlayer(trace)
            self.player_box.children = [
                w.HTML("<b>The model checker's shortest counterexample with shared numbers:"
                       "</b>"), self.player]
        self._say("")
        return self.player

    def storyboard(self, columns: int = 2) -> Figure:
        return storyboard(self.state.proposers, min(self.state.rounds, 2), columns)

    # -- plumbing -----------------------------------------------------------------
    def _refresh(self) -> None:
        with self.syncing():
            self.step_slider.max = self.state.total
            self.step_slider.value = self.state.step
            self.replay_button.disabled = not self.state.shared
        self._show(render(self.state), caption(self.state))

    def _on_slider(self, change: dict) -> None:
        if not self._syncing:
            self.go(change["new"])

    def _on_scheme(self, _change: object) -> None:
        if self._syncing:
            return
        try:
            self.state = NumberingState(self.proposers_slider.value, self.shared_toggle.value,
                                        self.rounds_slider.value, 0)
        except ValueError as e:  # pragma: no cover - the sliders keep values in range
            self._say(str(e))
            return
        self._say("")
        self._refresh()
