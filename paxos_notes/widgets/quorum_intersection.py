"""QuorumIntersection: why any two majorities share an acceptor (§2.2).

The paper takes majorities "Because any two majorities have at least one
acceptor in common". This widget lets the reader build two quorums Q1 and Q2
over n acceptors drawn on a circle and see the pigeonhole count with live
numbers (|Q1| + |Q2| > n forces a shared acceptor); an "adversary" searches for
two disjoint quorums (and finds them for an unsafe system such as any 2 of 5);
"play" walks every pair of minimal quorums and ends on why the shared acceptor
matters: it carries an earlier accepted value to a later proposer.

Quorum systems are the core's (`paxos_notes.quorums`): majority, any k of n,
grid (a full row plus a full column) and flexible (phase-1 size q1, phase-2
size q2). The widget only holds view state (the two selections, the play
position); every frame comes from the pure function `render` (SVG text) and
`caption` (plain words), which tests and storyboards call directly.

Usage::

    from paxos_notes.widgets import QuorumIntersection
    QuorumIntersection(n=5)            # or system="threshold", k=2 to meet the adversary
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations, product
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as w
from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from ..quorums import Flexible, Grid, Majority, QuorumSystem, Threshold, acceptor_names
from . import palette as pal
from ._base import FrameWidget
from ._draw import Canvas, storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_N = 9
SYSTEMS = ("majority", "threshold", "grid", "flexible")
SYSTEM_LABELS = {
    "majority": "majority (the paper)",
    "threshold": "any k of n",
    "grid": "grid: a full row + a full column",
    "flexible": "flexible: phase-1 size q1, phase-2 size q2",
}
View = Literal["pick", "adversary", "play", "why"]
Members = frozenset[str]

WIDTH, HEIGHT = 460.0, 478.0
CX, CY, RING = 230.0, 190.0, 125.0
NODE = 19.0


# ---------------------------------------------------------------------------
# The quorum system being shown
# ---------------------------------------------------------------------------


def _grid_rows(n: int) -> int:
    """The default grid shape: the divisor of n closest to its square root."""
    return max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)


@dataclass(frozen=True)
class QuorumSpec:
    """Which quorum system to show. Unused sizes are ignored; ``None`` means the default
    (``k`` = a majority, ``q1``/``q2`` = n - 1 and 2, ``rows`` = closest to a square)."""

    n: int = 5
    system: str = "majority"
    k: int | None = None
    q1: int | None = None
    q2: int | None = None
    rows: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or not 1 <= self.n <= MAX_N:
            raise ValueError(f"n (acceptors) must be in 1..{MAX_N}, got {self.n!r}")
        if self.system not in SYSTEMS:
            raise ValueError(f"system must be one of {SYSTEMS}, got {self.system!r}")
        n = self.n
        if self.system == "threshold" and not 1 <= self.size_k <= n:
            raise ValueError(f"k (quorum size) must be in 1..{n}, got {self.size_k}")
        if self.system == "flexible":
            for name, size in (("q1", self.size_q1), ("q2", self.size_q2)):
                if not 1 <= size <= n:
                    raise ValueError(f"{name} (phase-{name[1]} quorum size) must be in 1..{n}, "
                                     f"got {size}")
        if self.system == "grid":
            r = self.grid_rows
            divisors = [d for d in range(1, n + 1) if n % d == 0]
            if r not in divisors:
                raise ValueError(f"rows must divide n = {n} (allowed: {divisors}), got {r}")

    @property
    def acceptors(self) -> tuple[str, ...]:
        return acceptor_names(self.n)

    @property
    def size_k(self) -> int:
        return self.k if self.k is not None else self.n // 2 + 1

    @property
    def size_q1(self) -> int:
        return self.q1 if self.q1 is not None else max(1, self.n - 1)

    @property
    def size_q2(self) -> int:
        return self.q2 if self.q2 is not None else min(2, self.n)

    @property
    def grid_rows(self) -> int:
        return self.rows if self.rows is not None else _grid_rows(self.n)

    @property
    def flexible(self) -> bool:
        return self.system == "flexible"

    def build(self) -> QuorumSystem:
        return _build(self)

    def describe(self) -> str:
        return self.build().describe()

    def requirement(self, phase: int) -> str:
        """What a set needs to be a (phase-``phase``) quorum, in words."""
        n = self.n
        if self.system == "majority":
            return f"a majority needs at least {self.size_k} of {n}"
        if self.system == "threshold":
            return f"a quorum needs at least {self.size_k} of {n}"
        if self.system == "flexible":
            size = self.size_q1 if phase == 1 else self.size_q2
            return f"a phase-{phase} quorum needs at least {size} of {n}"
        return "a quorum needs a full row and a full column of the grid"


@lru_cache(maxsize=64)
def _build(spec: QuorumSpec) -> QuorumSystem:
    names = spec.acceptors
    if spec.system == "majority":
        return Majority(names)
    if spec.system == "threshold":
        return Threshold(names, spec.size_k)
    if spec.system == "flexible":
        return Flexible(names, spec.size_q1, spec.size_q2)
    r = spec.grid_rows
    c = spec.n // r
    return Grid([names[i * c:(i + 1) * c] for i in range(r)])


@lru_cache(maxsize=64)
def minimal_pairs(spec: QuorumSpec) -> tuple[tuple[Members, Members], ...]:
    """Every pair of minimal quorums the "play" button walks through.

    For the paper's single family: each unordered pair of distinct minimal
    quorums. For flexible quorums: every (phase-1, phase-2) pair.
    """
    system = spec.build()
    if spec.flexible:
        return tuple(product(system.minimal_quorums(1), system.minimal_quorums(2)))
    qs = system.minimal_quorums(1)
    if len(qs) == 1:
        return ((qs[0], qs[0]),)
    return tuple(combinations(qs, 2))


# ---------------------------------------------------------------------------
# View state and the pure functions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumState:
    """Everything one frame depends on."""

    spec: QuorumSpec = field(default_factory=QuorumSpec)
    first: Members = frozenset()
    second: Members = frozenset()
    view: View = "pick"
    step: int = 0  # position in minimal_pairs(spec) when view == "play"

    def __post_init__(self) -> None:
        names = set(self.spec.acceptors)
        for label, s in (("first", self.first), ("second", self.second)):
            unknown = set(s) - names
            if unknown:
                raise ValueError(f"{label} must be a set of acceptors among "
                                 f"{self.spec.acceptors}, got unknown {sorted(unknown)}")
        if self.view not in ("pick", "adversary", "play", "why"):
            raise ValueError(f"view must be pick, adversary, play or why, got {self.view!r}")
        total = len(minimal_pairs(self.spec))
        if self.view == "play" and not 0 <= self.step < total:
            raise ValueError(f"step must be in 0..{total - 1}, got {self.step}")


def _members(label: str, names: Any, spec: QuorumSpec) -> Members:
    """``first`` / ``second`` as given to the widget: a collection of acceptor names."""
    example = f"such as {spec.acceptors[:2]}"
    if isinstance(names, str) or not isinstance(names, Iterable):  # "a1" is not {"a1"}
        raise ValueError(f"{label} must be a collection of acceptor names {example}, "
                         f"got {names!r}")
    try:
        return frozenset(names)
    except TypeError:  # an unhashable item, e.g. a list inside
        raise ValueError(f"{label} must be a collection of acceptor names {example}, "
                         f"got {names!r}") from None


def _fmt(s: Members) -> str:
    return "{" + ", ".join(sorted(s, key=_order)) + "}" if s else "{}"


def _order(name: str) -> int:
    return int(name[1:])


def adversary(spec: QuorumSpec) -> tuple[tuple[Members, Members] | None, str]:
    """Search for two disjoint quorums; return them (or None) and an explanation."""
    system = spec.build()
    witness = system.intersection_witness()
    n1, n2 = len(system.minimal_quorums(1)), len(system.minimal_quorums(2))
    checked = (f"checked all {n1} x {n2} pairs of minimal phase-1 and phase-2 quorums"
               if spec.flexible else f"checked every pair of the {n1} minimal quorums")
    if witness is not None:
        a, b = witness
        what = "a phase-1 quorum and a phase-2 quorum" if spec.flexible else "two quorums"
        return witness, (
            f"The adversary found {what} with no acceptor in common: Q1 = {_fmt(a)} and "
            f"Q2 = {_fmt(b)}. This system is unsafe: a value chosen by Q2 can be missed by a "
            f"later proposer that hears only from Q1, which may then propose another value.")
    n = spec.n
    if spec.system in ("majority", "threshold"):
        k = spec.size_k
        return None, (
            f"The adversary found no two disjoint quorums ({checked}). Every quorum has at "
            f"least {k} of the {n} acceptors, so two quorums hold {k} + {k} = {2 * k} > {n} "
            f"places between them: by pigeonhole at least {2 * k - n} acceptor"
            f"{'s are' if 2 * k - n > 1 else ' is'} in both.")
    if spec.flexible:
        a, b = spec.size_q1, spec.size_q2
        return None, (
            f"The adversary found no disjoint phase-1 and phase-2 quorums ({checked}). "
            f"q1 + q2 = {a} + {b} = {a + b} > {n}: by pigeonhole every phase-1 quorum meets "
            f"every phase-2 quorum, even though two phase-2 quorums may be disjoint "
            f"(that is harmless: only phase 1 must see what phase 2 chose).")
    r, c = spec.grid_rows, n // spec.grid_rows
    return None, (
        f"The adversary found no two disjoint quorums ({checked}). Each quorum holds a full "
        f"row and a full column of the {r} x {c} grid, and Q1's row crosses Q2's column, so "
        f"they always share that acceptor — even though a quorum has only {r + c - 1} of "
        f"{n} acceptors and the count alone would not force it.")


def _membership(spec: QuorumSpec, s: Members, phase: int) -> bool:
    system = spec.build()
    return system.is_phase1_quorum(s) if phase == 1 else system.is_phase2_quorum(s)


def _count_sentence(spec: QuorumSpec, a: Members, b: Members) -> str:
    n, x, y = spec.n, len(a), len(b)
    total = x + y
    if total > n:
        return (f"|Q1| + |Q2| = {x} + {y} = {total} > {n} = n, so by pigeonhole they share at "
                f"least {total - n} acceptor{'s' if total - n > 1 else ''}.")
    return (f"|Q1| + |Q2| = {x} + {y} = {total} ≤ {n} = n, so counting alone does not force a "
            f"shared acceptor.")


def _pair_sentences(spec: QuorumSpec, a: Members, b: Members) -> list[str]:
    kind1, kind2 = ("phase-1 quorum", "phase-2 quorum") if spec.flexible else ("quorum",) * 2
    out = []
    for label, s, phase, colour in (("Q1", a, 1, "orange, solid ring, left half"),
                                    ("Q2", b, 2, "blue, dashed ring, right half")):
        if not s:
            out.append(f"{label} is empty ({colour}).")
        elif _membership(spec, s, phase):
            out.append(f"{label} = {_fmt(s)} ({colour}) is a {kind1 if phase == 1 else kind2}.")
        else:
            out.append(f"{label} = {_fmt(s)} ({colour}) is not a "
                       f"{kind1 if phase == 1 else kind2}: {spec.requirement(phase)}.")
    if not a or not b:
        return out
    out.append(_count_sentence(spec, a, b))
    shared = a & b
    both = _membership(spec, a, 1) and _membership(spec, b, 2)
    if shared:
        s = f"Q1 ∩ Q2 = {_fmt(shared)} (black ring, star)."
        if len(a) + len(b) <= spec.n and spec.system == "grid" and both:
            s += " They share it anyway: Q1's full row crosses Q2's full column."
        out.append(s)
    elif both:
        out.append("Q1 and Q2 share no acceptor: two disjoint quorums, so this system is "
                   "unsafe (a value chosen by Q2 can be missed by a proposer that heard Q1).")
    else:
        out.append("Q1 and Q2 share no acceptor.")
    return out


def why_text(spec: QuorumSpec, a: Members, b: Members) -> str:
    shared = a & b
    if not shared:
        return ("Why it matters: here Q1 and Q2 share no acceptor, so a later proposer that "
                "hears only from Q1 never learns that Q2 chose a value, and may propose "
                "another one: two values chosen.")
    who = sorted(shared, key=_order)[0]
    return (f"Why it matters: suppose Q2 = {_fmt(b)} chose value v (each accepted proposal "
            f"(m, v)). A later proposer with number n > m needs promises from a "
            f"{'phase-1 ' if spec.flexible else ''}quorum such as Q1 = {_fmt(a)} before it may "
            f"propose. {who} is in both, so its promise reports (m, v) (or a later proposal, "
            f"which by induction also carries v): the proposer must propose v (P2c (b)). "
            f"The shared acceptor carries the earlier accepted value to the later proposer.")


def caption(state: QuorumState) -> str:
    """The frame in words (the widget's caption, a storyboard panel's caption)."""
    spec = state.spec
    head = f"n = {spec.n} acceptors, {spec.describe()}."
    a, b = state.first, state.second
    if state.view == "adversary":
        _, text = adversary(spec)
        return " ".join([head, text])
    if state.view == "why":
        return " ".join([head, why_text(spec, a, b)])
    parts = [head]
    if state.view == "play":
        total = len(minimal_pairs(spec))
        parts.append(f"Pair {state.step + 1} of {total} of minimal quorums.")
    elif not a and not b:
        parts.append("Toggle acceptors in the two rows (or pick from the lists) to build two "
                     "quorums Q1 (orange) and Q2 (blue).")
        return " ".join(parts)
    parts.extend(_pair_sentences(spec, a, b))
    return " ".join(parts)


@lru_cache(maxsize=16)
def positions(n: int) -> tuple[tuple[float, float], ...]:
    """Acceptor positions on a circle, from networkx, in canvas pixels (a1 at the top)."""
    import networkx as nx

    if n == 1:
        return ((CX, CY),)
    pos = nx.circular_layout(range(n))
    # networkx puts node i at angle 2*pi*i/n, anticlockwise from the right; turn the
    # picture a quarter so a1 is at the top and the names run clockwise like a clock.
    out = []
    for i in range(n):
        x, y = (float(v) for v in pos[i])
        out.append((CX + RING * y, CY - RING * x))
    return tuple(out)


LEGEND = ("Q1: orange, solid ring, left half of the node. Q2: blue, dashed ring, right half. "
          "Q1 ∩ Q2: thick black ring and a star. In the last panel the arrows are promises "
          "to a later proposer; the bold one reports the value (m, v) that Q2 chose.")


def canvas(state: QuorumState, compact: bool = False) -> Canvas:
    """The frame as shapes (see `render` for SVG); ``compact`` leaves out the legend
    (storyboards print it once)."""
    spec = state.spec
    names = spec.acceptors
    a, b = state.first, state.second
    c = Canvas(WIDTH, HEIGHT - (84 if compact else 0),
               title=f"Quorums over {spec.n} acceptors: {spec.describe()}")
    pos = positions(spec.n)
    c.circle(CX, CY, RING, stroke=pal.LIGHT_GREY, width=1.0, dash="dotted")
    why = state.view == "why"
    if why:
        _why_overlay(c, names, pos, a, b)
    for name, (x, y) in zip(names, pos, strict=True):
        in1, in2 = name in a, name in b
        if in1 and in2:
            c.circle(x, y, NODE + 13, stroke=pal.SHARED_COLOUR, width=3.5)
        if in2:
            c.circle(x, y, NODE + 7, stroke=pal.Q2_COLOUR, width=2.5, dash="dashed")
        if in1:
            c.circle(x, y, NODE + 3, stroke=pal.Q1_COLOUR, width=2.5)
        c.circle(x, y, NODE, fill=pal.PAPER)
        if in1:
            c.wedge(x, y, NODE, 90, 270, pal.Q1_COLOUR, opacity=0.85)
        if in2:
            c.wedge(x, y, NODE, 270, 450, pal.Q2_COLOUR, opacity=0.85)
        c.circle(x, y, NODE, stroke=pal.INK, width=1.2)
        c.label(x, y, name, size=12, bold=True, background=pal.PAPER)
        tag = "Q1∩Q2 ★" if in1 and in2 else ("Q1" if in1 else ("Q2" if in2 else ""))
        if tag:
            tx, ty, anchor = _tag_place(x, y)
            c.text(tx, ty, tag, size=11, anchor=anchor, bold=in1 and in2, fill=pal.INK)
    if not why:
        _centre_count(c, spec, a, b)
    if not compact:
        _legend(c, spec, state)
    return c


def _tag_place(x: float, y: float) -> tuple[float, float, str]:
    """Where a node's tag goes: outside the circle, clear of its rings."""
    dx, dy = x - CX, y - CY
    d = math.hypot(dx, dy)
    if d < 1.0:
        return x, y + NODE + 24, "middle"
    if dx > 0.35 * d:
        return x + NODE + 17, y + (dy / d) * 14, "start"
    if dx < -0.35 * d:
        return x - NODE - 17, y + (dy / d) * 14, "end"
    return x, y + (dy / d) * (NODE + 24), "middle"


def _centre_count(c: Canvas, spec: QuorumSpec, a: Members, b: Members) -> None:
    if spec.n == 1 or not (a or b):
        return
    x, y, total, n = len(a), len(b), len(a) + len(b), spec.n
    rel = ">" if total > n else "≤"
    c.text(CX, CY - 10, f"|Q1| + |Q2| = {x} + {y}", size=13, anchor="middle")
    c.text(CX, CY + 10, f"= {total} {rel} {n} = n", size=13, anchor="middle",
           bold=total > n)


def _why_overlay(c: Canvas, names: tuple[str, ...], pos: tuple[tuple[float, float], ...],
                 a: Members, b: Members) -> None:
    """The proposer in the centre collecting promises from Q1; the shared acceptor's
    promise carries (m, v)."""
    c.rect(CX - 62, CY - 22, 124, 44, fill=pal.PAPER, stroke=pal.INK, width=1.5)
    c.text(CX, CY - 8, "later proposer", size=11, anchor="middle", bold=True)
    c.text(CX, CY + 9, "number n > m", size=11, anchor="middle")
    for name, (x, y) in zip(names, pos, strict=True):
        if name not in a:
            continue
        dx, dy = CX - x, CY - y
        d = math.hypot(dx, dy) or 1.0
        sx, sy = x + dx / d * (NODE + 4), y + dy / d * (NODE + 4)
        ux, uy = dx / d, dy / d  # stop at the edge of the proposer's box
        reach = min(66 / abs(ux) if ux else 1e9, 26 / abs(uy) if uy else 1e9)
        ex, ey = CX - ux * reach, CY - uy * reach
        carries = name in b
        c.arrow(sx, sy, ex, ey, stroke=pal.INK if carries else pal.GREY,
                width=2.5 if carries else 1.2, dash="solid" if carries else "dashed")
        if carries:
            c.label(sx + (ex - sx) * 0.3, sy + (ey - sy) * 0.3, "promise reports (m, v)",
                    size=10, border=pal.INK, bold=True)


def _legend(c: Canvas, spec: QuorumSpec, state: QuorumState) -> None:
    y = HEIGHT - 84
    c.wedge(24, y, 8, 90, 270, pal.Q1_COLOUR)
    c.circle(24, y, 10, stroke=pal.Q1_COLOUR, width=2.5)
    q1 = "Q1 (phase-1 quorum)" if spec.flexible else "Q1"
    q2 = "Q2 (phase-2 quorum)" if spec.flexible else "Q2"
    c.text(40, y, f"{q1} = {_fmt(state.first)}: orange, solid ring, left half", size=11)
    c.wedge(24, y + 22, 8, 270, 450, pal.Q2_COLOUR)
    c.circle(24, y + 22, 10, stroke=pal.Q2_COLOUR, width=2.5, dash="dashed")
    c.text(40, y + 22, f"{q2} = {_fmt(state.second)}: blue, dashed ring, right half", size=11)
    c.circle(24, y + 44, 10, stroke=pal.SHARED_COLOUR, width=3.5)
    shared = state.first & state.second
    c.text(40, y + 44, f"Q1 ∩ Q2 = {_fmt(shared)}: thick black ring, ★", size=11)
    if state.view == "play":
        total = len(minimal_pairs(spec))
        c.text(14, y + 66, f"play: pair {state.step + 1} of {total}", size=11)
    elif state.view == "adversary":
        found = adversary(spec)[0] is not None
        c.text(14, y + 66, "adversary: two disjoint quorums found" if found
               else "adversary: no two disjoint quorums exist", size=11, bold=True,
               fill=pal.VERMILLION if found else pal.INK)
    elif state.view == "why":
        c.text(14, y + 66, "why it matters: the shared acceptor reports (m, v)", size=11,
               bold=True)


def render(state: QuorumState) -> str:
    """The frame as a deterministic SVG string."""
    return canvas(state).to_svg()


# -- state transitions (pure) ---------------------------------------------------------


def adversary_state(spec: QuorumSpec, current: QuorumState | None = None) -> QuorumState:
    """The frame after pressing "adversary": the disjoint pair if any, else the current pair."""
    witness, _ = adversary(spec)
    if witness is not None:
        return QuorumState(spec, witness[0], witness[1], "adversary")
    if current is not None and current.first and current.second:
        return replace(current, view="adversary")
    a, b = minimal_pairs(spec)[0]
    return QuorumState(spec, a, b, "adversary")


def play_state(spec: QuorumSpec, step: int) -> QuorumState:
    """The frame at position ``step`` of play; the last position is "why it matters"."""
    pairs = minimal_pairs(spec)
    if not 0 <= step <= len(pairs):
        raise ValueError(f"step must be in 0..{len(pairs)}, got {step}")
    if step < len(pairs):
        a, b = pairs[step]
        return QuorumState(spec, a, b, "play", step)
    a, b = example_pair(spec)
    return QuorumState(spec, a, b, "why")


def example_pair(spec: QuorumSpec) -> tuple[Members, Members]:
    """A telling pair: two disjoint quorums if the system has them, else a pair of
    minimal quorums sharing as few acceptors as possible (the first such pair)."""
    witness, _ = adversary(spec)
    if witness is not None:
        return witness
    return min(minimal_pairs(spec), key=lambda p: len(p[0] & p[1]))


def storyboard(spec: QuorumSpec | None = None, columns: int = 2) -> Figure:
    """Small multiples of the key frames: a pair with its count, the adversary, a pair
    from play, and why it matters. Returns a matplotlib Figure."""
    spec = spec or QuorumSpec()
    pairs = minimal_pairs(spec)
    a, b = example_pair(spec)
    first = QuorumState(spec, a, b)
    states = [first, adversary_state(spec, first), play_state(spec, min(1, len(pairs) - 1)),
              play_state(spec, len(pairs))]
    frames = [(canvas(s, compact=True), caption(s)) for s in states]
    return storyboard_figure(frames, columns=columns, panel_width=4.0,
                             title=f"Quorum intersection: {spec.describe()}", caption_lines=9,
                             legend=LEGEND)


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------


class QuorumIntersection(FrameWidget):
    """Build two quorums, count, call the adversary, play every pair.

    ``QuorumIntersection(n=5, system="majority")``; other systems:
    ``system="threshold", k=2``, ``system="grid", rows=2`` (n = 6),
    ``system="flexible", q1=4, q2=2``. ``first``/``second`` preselect quorums.
    """

    def __init__(self, n: int = 5, system: str = "majority", *, k: int | None = None,
                 q1: int | None = None, q2: int | None = None, rows: int | None = None,
                 first: tuple[str, ...] | frozenset[str] = (),
                 second: tuple[str, ...] | frozenset[str] = ()) -> None:
        spec = QuorumSpec(n, system, k, q1, q2, rows)
        self.state = QuorumState(spec, _members("first", first, spec),
                                 _members("second", second, spec))
        style = {"description_width": "initial"}
        self.n_slider = w.IntSlider(value=n, min=1, max=MAX_N, description="acceptors n",
                                    style=style, continuous_update=False)
        self.system_menu = w.Dropdown(options=[(SYSTEM_LABELS[s], s) for s in SYSTEMS],
                                      value=system, description="quorum system", style=style)
        self.k_slider = w.IntSlider(value=spec.size_k, min=1, max=MAX_N, description="k",
                                    continuous_update=False)
        self.q1_slider = w.IntSlider(value=spec.size_q1, min=1, max=MAX_N,
                                     description="q1 (phase 1)", style=style,
                                     continuous_update=False)
        self.q2_slider = w.IntSlider(value=spec.size_q2, min=1, max=MAX_N,
                                     description="q2 (phase 2)", style=style,
                                     continuous_update=False)
        self.rows_slider = w.IntSlider(value=spec.grid_rows, min=1, max=MAX_N,
                                       description="grid rows", style=style,
                                       continuous_update=False)
        self.first_row = w.HBox()
        self.second_row = w.HBox()
        # One layout and one style shared by every toggle: fewer widget models, so a
        # saved notebook's widget state stays small.
        self._toggle_layout = w.Layout(width="46px")
        self._toggle_style = ToggleButtonStyle()
        self.first_menu = w.Dropdown(description="Q1 from list", style=style)
        self.second_menu = w.Dropdown(description="Q2 from list", style=style)
        self.adversary_button = w.Button(description="Adversary: find disjoint quorums",
                                         layout=w.Layout(width="260px"))
        self.clear_button = w.Button(description="Clear")
        self.play = w.Play(value=0, min=0, max=1, interval=900, description="play pairs")
        self.play_slider = w.IntSlider(value=0, min=0, max=1, description="pair",
                                       continuous_update=True)
        w.link((self.play, "value"), (self.play_slider, "value"))
        controls = [
            w.HBox([self.n_slider, self.system_menu]),
            w.HBox([self.k_slider, self.q1_slider, self.q2_slider, self.rows_slider]),
            w.HBox([w.Label("Q1 (orange):"), self.first_row]),
            w.HBox([w.Label("Q2 (blue):"), self.second_row]),
            w.HBox([self.first_menu, self.second_menu]),
            w.HBox([self.adversary_button, self.clear_button, self.play, self.play_slider]),
        ]
        super().__init__(controls)
        for widget in (self.n_slider, self.system_menu, self.k_slider, self.q1_slider,
                       self.q2_slider, self.rows_slider):
            widget.observe(self._on_spec, names="value")
        self.first_menu.observe(lambda ch: self._on_menu(1, ch["new"]), names="value")
        self.second_menu.observe(lambda ch: self._on_menu(2, ch["new"]), names="value")
        self.adversary_button.on_click(lambda _b: self.find_disjoint())
        self.clear_button.on_click(lambda _b: self.clear())
        self.play_slider.observe(self._on_play, names="value")
        self._rebuild_controls()
        self._refresh()

    def __repr__(self) -> str:
        return f"QuorumIntersection(n={self.state.spec.n}, system={self.state.spec.system!r})"

    # -- public actions (what the buttons do) -----------------------------------
    @property
    def spec(self) -> QuorumSpec:
        return self.state.spec

    def toggle(self, which: int, name: str) -> None:
        """Add ``name`` to quorum ``which`` (1 or 2), or remove it."""
        if which not in (1, 2):
            raise ValueError(f"which must be 1 or 2, got {which!r}")
        buttons = self.first_row.children if which == 1 else self.second_row.children
        for b in buttons:
            if b.description == name:
                b.value = not b.value
                return
        raise ValueError(f"name must be one of {self.spec.acceptors}, got {name!r}")

    def select(self, first: tuple[str, ...] | frozenset[str],
               second: tuple[str, ...] | frozenset[str]) -> None:
        """Show two given sets as Q1 and Q2."""
        self._set(QuorumState(self.spec, frozenset(first), frozenset(second)))

    def find_disjoint(self) -> None:
        """The adversary button."""
        self._set(adversary_state(self.spec, self.state))

    def clear(self) -> None:
        self._set(QuorumState(self.spec))

    def go(self, step: int) -> None:
        """Jump play to ``step``: 0 is the reader's own pair, 1..P the P pairs of minimal
        quorums, P + 1 why it matters."""
        total = len(minimal_pairs(self.spec))
        if not 0 <= step <= total + 1:
            raise ValueError(f"step must be in 0..{total + 1}, got {step}")
        if step == 0:
            self._set(replace(self.state, view="pick", step=0))
        else:
            self._set(play_state(self.spec, step - 1))

    def storyboard(self, columns: int = 2) -> Figure:
        """Key frames of this quorum system as a matplotlib Figure (for static pages)."""
        return storyboard(self.spec, columns)

    # -- plumbing ---------------------------------------------------------------------
    def _set(self, state: QuorumState) -> None:
        self.state = state
        self._sync_controls()
        self._refresh()

    def _refresh(self) -> None:
        self._show(render(self.state), caption(self.state))
        self._say("")

    def _on_spec(self, _change: object) -> None:
        if self._syncing:
            return
        system = self.system_menu.value
        try:
            spec = QuorumSpec(
                self.n_slider.value, system,
                k=self.k_slider.value if system == "threshold" else None,
                q1=self.q1_slider.value if system == "flexible" else None,
                q2=self.q2_slider.value if system == "flexible" else None,
                rows=self.rows_slider.value if system == "grid" else None,
            )
        except ValueError as e:
            self._say(f"{e}. The picture still shows {self.spec.describe()}.")
            return
        self.state = QuorumState(spec, frozenset(), frozenset())
        self._rebuild_controls()
        self._refresh()

    def _on_play(self, change: dict) -> None:
        if not self._syncing:
            self._guarded(lambda: self.go(change["new"]))

    def _on_toggle(self, _change: object) -> None:
        if self._syncing:
            return
        a = frozenset(b.description for b in self.first_row.children if b.value)
        b = frozenset(t.description for t in self.second_row.children if t.value)
        self.state = QuorumState(self.spec, a, b)
        self._sync_controls()
        self._refresh()

    def _on_menu(self, which: int, value: Members | None) -> None:
        if self._syncing or value is None:
            return
        a, b = self.state.first, self.state.second
        self.select(value if which == 1 else a, value if which == 2 else b)

    def _rebuild_controls(self) -> None:
        """New toggle rows and lists for a new n or system."""
        spec = self.spec
        with self.syncing():
            for old in (*self.first_row.children, *self.second_row.children):
                old.close()  # a closed widget leaves the notebook's saved state
            rows = []
            for _ in (1, 2):
                row = [w.ToggleButton(description=name, value=False, layout=self._toggle_layout,
                                      style=self._toggle_style) for name in spec.acceptors]
                for t in row:
                    t.observe(self._on_toggle, names="value")
                rows.append(row)
            self.first_row.children, self.second_row.children = rows
            system = spec.build()
            for menu, phase in ((self.first_menu, 1), (self.second_menu, 2)):
                menu.options = [("—", None)] + [(_fmt(q), q) for q in
                                                 system.minimal_quorums(phase)]
                menu.value = None
            for slider, show in ((self.k_slider, spec.system == "threshold"),
                                 (self.q1_slider, spec.flexible),
                                 (self.q2_slider, spec.flexible),
                                 (self.rows_slider, spec.system == "grid")):
                slider.layout.display = "" if show else "none"
            total = len(minimal_pairs(spec)) + 1
            self.play.value = 0
            self.play_slider.value = 0
            self.play.max = total
            self.play_slider.max = total
        self._sync_controls()

    def _sync_controls(self) -> None:
        with self.syncing():
            for row, s in ((self.first_row, self.state.first),
                           (self.second_row, self.state.second)):
                for t in row.children:
                    t.value = t.description in s
            for menu, s in ((self.first_menu, self.state.first),
                            (self.second_menu, self.state.second)):
                menu.value = s if s in [v for _, v in menu.options] else None
            view = self.state.view
            self.play_slider.value = (self.state.step + 1 if view == "play" else
                                      self.play_slider.max if view == "why" else 0)
