"""P2cArgument: the induction of §2.2 on a ballots x acceptors grid.

The paper proves P2b from P2c by induction: suppose proposal number m with
value v is chosen by a majority C; then every proposal numbered m..n-1 carries
v, and a proposer with number n that hears from a majority S must propose v,
because S meets C and the highest-numbered proposal below n that S reports is
numbered at least m.

Each row of the grid is a proposal number (a ballot); each column an acceptor;
a cell holds the value that acceptor accepted in that ballot, if any. The widget
highlights C (the majority that chose v at m), S (the promises the proposer of
ballot n collected), S ∩ C, and the highest-numbered proposal below n that S
reports; stepping walks the induction from m to n. The reader edits the grid
(click a cell to cycle its value) and the proposed value, and the widget says
whether P2c (a) or (b) holds for the chosen S — or why not.

The logic lives in the core, `paxos_notes.invariants`: what each acceptor's
promise for n reports (`reports`), the highest of them in S
(`highest_reported`), which clause of P2c holds for one S (`p2c_clause`) and
a majority for which it holds (`p2c_witness`, the search behind `p2c_holds`).
This module turns the grid into acceptances, asks those functions, and
describes and draws what they say.

Usage::

    from paxos_notes.widgets import P2cArgument
    P2cArgument()                      # 5 acceptors, ballots 0..5, v chosen at 1, n = 5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import ipywidgets as w
from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from ..ballots import ProposalNumber
from ..invariants import highest_reported, p2c_clause, p2c_witness, reports
from ..messages import Proposal
from ..quorums import Majority, acceptor_names
from . import palette as pal
from ._base import FrameWidget
from ._draw import Canvas, storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

VALUES = ("x", "y", "z")
MIN_ACCEPTORS, MAX_ACCEPTORS = 3, 7
MIN_BALLOTS, MAX_BALLOTS = 2, 8

Cells = tuple[tuple[str | None, ...], ...]

CELL_W, CELL_H = 54.0, 32.0
LEFT, TOP = 86.0, 84.0
NOTES = 300.0


def number(ballot: int) -> ProposalNumber:
    """Ballot b as a proposal number (a single number space: natural = b)."""
    return ProposalNumber(ballot, 0, 1)


@dataclass(frozen=True)
class GridState:
    """View state: the grid the reader edited, m, n, S, the proposed value, the cursor.

    ``cells[b][i]`` is the value acceptor ``i`` accepted in ballot ``b`` (or None).
    ``cursor`` walks the induction: ballot ``m + cursor``, up to n.
    """

    cells: Cells
    m: int = 1
    n: int = 5
    promisers: frozenset[str] = frozenset()
    proposed: str = "x"
    cursor: int = 0
    acceptors: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        rows = len(self.cells)
        if not MIN_BALLOTS <= rows <= MAX_BALLOTS:
            raise ValueError(f"ballots must be in {MIN_BALLOTS}..{MAX_BALLOTS}, got {rows}")
        width = len(self.cells[0])
        if not MIN_ACCEPTORS <= width <= MAX_ACCEPTORS:
            raise ValueError(f"acceptors must be in {MIN_ACCEPTORS}..{MAX_ACCEPTORS}, "
                             f"got {width}")
        if any(len(r) != width for r in self.cells):
            raise ValueError(f"cells must be a rectangle: every ballot row needs {width} cells")
        for r in self.cells:
            for v in r:
                if v is not None and v not in VALUES:
                    raise ValueError(f"cell values must be None or one of {VALUES}, got {v!r}")
        if not self.acceptors:
            object.__setattr__(self, "acceptors", acceptor_names(width))
        if not 0 <= self.m < rows:
            raise ValueError(f"m must be in 0..{rows - 1}, got {self.m}")
        if not self.m < self.n < rows:
            raise ValueError(f"n must be in {self.m + 1}..{rows - 1} (above m = {self.m}), "
                             f"got {self.n}")
        unknown = set(self.promisers) - set(self.acceptors)
        if unknown:
            raise ValueError(f"promisers must be among {self.acceptors}, got {sorted(unknown)}")
        if self.proposed not in VALUES:
            raise ValueError(f"proposed must be one of {VALUES}, got {self.proposed!r}")
        if not 0 <= self.cursor <= self.n - self.m:
            raise ValueError(f"cursor must be in 0..{self.n - self.m}, got {self.cursor}")

    @property
    def ballots(self) -> int:
        return len(self.cells)

    @property
    def ballot(self) -> int:
        """The ballot the induction cursor is on."""
        return self.m + self.cursor

    def with_cell(self, ballot: int, acceptor: str, value: str | None) -> GridState:
        i = self.acceptors.index(acceptor)
        row = list(self.cells[ballot])
        row[i] = value
        cells = tuple(tuple(row) if b == ballot else r for b, r in enumerate(self.cells))
        return replace(self, cells=cells)


def default_state() -> GridState:
    """v = 'x' chosen at ballot 1 by {a1, a2, a3}; an old 'y' at 0; 'x' again at 3 and 4;
    the proposer of ballot 5 hears from S = {a3, a4, a5}."""
    e = None
    cells: Cells = (
        (e, e, e, "y", e),
        ("x", "x", "x", e, e),
        (e, e, e, e, e),
        (e, e, "x", e, "x"),
        (e, "x", e, e, e),
        (e, e, e, e, e),
    )
    return GridState(cells, m=1, n=5, promisers=frozenset({"a3", "a4", "a5"}), proposed="x")


# ---------------------------------------------------------------------------
# The grid as acceptances, asked of the core (no rule is decided here)
# ---------------------------------------------------------------------------


def acceptances(state: GridState) -> tuple[tuple[str, Proposal], ...]:
    return tuple((a, Proposal(number(b), v)) for b, row in enumerate(state.cells)
                 for a, v in zip(state.acceptors, row, strict=True) if v is not None)


def row_values(state: GridState, ballot: int) -> list[str]:
    return sorted({v for v in state.cells[ballot] if v is not None})


def chosen(state: GridState) -> tuple[str | None, frozenset[str]]:
    """The value v of ballot m and the set C of acceptors that accepted it."""
    values = row_values(state, state.m)
    if len(values) != 1:
        return None, frozenset()
    v = values[0]
    return v, frozenset(a for a, x in zip(state.acceptors, state.cells[state.m], strict=True)
                        if x == v)


def majority(state: GridState) -> Majority:
    return _majority(state.acceptors)


@lru_cache(maxsize=8)
def _majority(names: tuple[str, ...]) -> Majority:
    return Majority(names)


def reported(state: GridState, s: frozenset[str], n: int) -> tuple[Proposal | None, list[str]]:
    """The highest-numbered proposal below n among S's reports, and who reported it."""
    top, who = highest_reported(reports(acceptances(state), number(n)), s)
    return top, sorted(who, key=_order)


def _order(name: str) -> int:
    return int(name[1:])


def p2c_for(state: GridState, s: frozenset[str], ballot: int, value: str) -> str:
    """Which clause of P2c holds for proposal ``(ballot, value)`` with the set ``s``:
    ``"a"``, ``"b"`` or ``""`` (neither, or no S). Decided by `p2c_clause`."""
    if not s:
        return ""
    return p2c_clause(Proposal(number(ballot), value), acceptances(state), sorted(s, key=_order))


def some_majority(state: GridState, ballot: int, value: str) -> frozenset[str] | None:
    """A majority S for which P2c holds for ``(ballot, value)``, if there is one
    (`p2c_witness`: the first of the smallest)."""
    return p2c_witness(Proposal(number(ballot), value), acceptances(state), majority(state))


def _fmt(s: Sequence[str] | frozenset[str]) -> str:
    return "{" + ", ".join(sorted(s, key=_order)) + "}"


def _p(p: Proposal) -> str:
    return f"({p.number.natural}, {p.value!r})"


# ---------------------------------------------------------------------------
# Captions
# ---------------------------------------------------------------------------


def _first_break(state: GridState, v: str) -> int | None:
    for b in range(state.m + 1, state.n):
        if any(x not in (None, v) for x in state.cells[b]):
            return b
    return None


def step_text(state: GridState) -> str:
    """The induction step the cursor is on, in words."""
    v, c = chosen(state)
    m, n, k = state.m, state.n, state.ballot
    if v is None:
        vals = row_values(state, m)
        what = "no acceptances" if not vals else "values " + ", ".join(map(repr, vals))
        return (f"Ballot m = {m} has no single value ({what}): put one value in row {m} for "
                f"a majority to choose.")
    if not majority(state).is_phase2_quorum(c):
        return (f"Only {_fmt(c)} accepted ({m}, {v!r}): not a majority, so nothing is chosen "
                f"at m = {m} yet and the argument has nothing to preserve.")
    if k == m:
        return (f"Base (ballot m = {m}): proposal ({m}, {v!r}) is chosen — the majority "
                f"C = {_fmt(c)} accepted it (black borders).")
    if k < n:
        vals = row_values(state, k)
        if not vals:
            return (f"Ballot {k}: nobody in the grid accepted a proposal numbered {k}. Had one "
                    f"been issued, the same argument would give it value {v!r} too.")
        broke = _first_break(state, v)
        if len(vals) > 1:
            return (f"Ballot {k} holds two values {', '.join(map(repr, vals))}: one number "
                    f"names one proposal (different proposals have different numbers), so "
                    f"this grid cannot happen.")
        u = vals[0]
        why = (f"Ballot {k}: proposal ({k}, {u!r}) was issued with some majority S{k} "
               f"satisfying P2c. (a) is impossible: S{k} meets C, whose members accepted "
               f"({m}, {v!r}) below {k}. So (b): {u!r} is the value of the highest proposal "
               f"below {k} that S{k} reports — numbered {m}..{k - 1}, so by induction it "
               f"carries {v!r}.")
        if u == v:
            return why + f" Indeed the grid has {u!r} = {v!r} ✓."
        if broke is not None and broke < k:
            return why + (f" The grid has {u!r}, but the induction already broke at ballot "
                          f"{broke}.")
        holds = some_majority(state, k, u)
        verdict = ("and indeed no majority satisfies P2c for it: this grid breaks P2c."
                   if holds is None else f"yet P2c holds with {_fmt(holds)} — check the grid.")
        return why + f" The grid has {u!r} ≠ {v!r}, {verdict}"
    return (f"Ballot n = {n}: the proposer collected promises from S. Every majority meets C, "
            f"and the highest proposal below n that S reports is numbered {m}..{n - 1}, so it "
            f"carries {v!r}: P2c (b) makes the proposer propose {v!r}.")


def verdict_text(state: GridState) -> str:
    """Whether P2c (a) or (b) holds for proposal (n, proposed) with the chosen S."""
    s, n, value = state.promisers, state.n, state.proposed
    head = f"Proposal ({n}, {value!r})" + (f" with S = {_fmt(s)}:" if s else ":")
    if not s:
        return head + " choose S, the acceptors whose promises the proposer of ballot n holds."
    if not majority(state).is_phase1_quorum(s):
        return head + (f" S is not a majority (P2c asks for \"a set S consisting of a majority "
                       f"of acceptors\"; {majority(state).k} of {len(state.acceptors)} needed).")
    clause = p2c_for(state, s, n, value)
    top, who = reported(state, s, n)
    _, c = chosen(state)
    meet = s & c
    parts = [head]
    if meet:
        parts.append(f"S ∩ C = {_fmt(meet)} (stars).")
    if clause == "a":
        parts.append(f"P2c (a) holds: no acceptor in S accepted a proposal numbered below {n}, "
                     f"so any value may be proposed.")
    elif clause == "b":
        parts.append(f"P2c (b) holds: the highest-numbered proposal below {n} accepted in S is "
                     f"{_p(top)} (from {_fmt(who)}), and its value is {value!r}.")  # type: ignore[arg-type]
    else:
        below = reports(acceptances(state), number(n))
        accepted_in_s = sorted((a for a in s if a in below), key=_order)
        parts.append(f"P2c fails for this S: (a) fails because {_fmt(accepted_in_s)} accepted "
                     f"proposals below {n}; (b) fails because the highest of them is "
                     f"{_p(top)} (from {_fmt(who)}), whose value is not {value!r}.")  # type: ignore[arg-type]
        other = some_majority(state, n, value)
        parts.append(f"Another majority, {_fmt(other)}, would satisfy P2c." if other else
                     "No majority satisfies P2c for this value.")
    return " ".join(parts)


def caption(state: GridState) -> str:
    return f"{step_text(state)} {verdict_text(state)}"


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


LEGEND = ("Rows are proposal numbers (ballots), columns acceptors; a cell's colour and letter "
          "give the value that acceptor accepted in that ballot. Thick black border: C, the "
          "majority that accepted (m, v). Dashed purple column: S, the acceptors that promised "
          "n. Star: S ∩ C. Dotted vermillion border: the highest-numbered proposal below n "
          "that S reports. Yellow row with ▶: the induction step.")


def canvas(state: GridState, compact: bool = False) -> Canvas:
    """The frame as shapes (see `render`); ``compact`` leaves out the legend."""
    names = state.acceptors
    cols, rows = len(names), state.ballots
    width = LEFT + CELL_W * cols + NOTES
    height = TOP + CELL_H * rows + (12 if compact else 84)
    c = Canvas(width, height, title=f"P2c induction: ballots 0..{rows - 1} x {cols} acceptors")
    v, chosen_set = chosen(state)
    is_chosen = v is not None and majority(state).is_phase2_quorum(chosen_set)
    s = state.promisers
    top, who = reported(state, s, state.n) if s else (None, [])

    def cell_xy(b: int, i: int) -> tuple[float, float]:
        return LEFT + CELL_W * i, TOP + CELL_H * b

    # the cursor's row
    k = state.ballot
    c.rect(LEFT - 80, TOP + CELL_H * k, CELL_W * cols + 80, CELL_H, fill=pal.YELLOW,
           opacity=0.35)
    c.text(LEFT - 78, TOP + CELL_H * k + CELL_H / 2, "▶", size=12, fill=pal.INK)
    # S: a dashed column frame from the header to row n
    for i, a in enumerate(names):
        x = LEFT + CELL_W * i
        c.text(x + CELL_W / 2, TOP - 36, a, size=12, anchor="middle", bold=True)
        if a in s:
            c.rect(x + 2, TOP - 26, CELL_W - 4, CELL_H * state.n + 24, stroke=pal.REDDISH_PURPLE,
                   width=2.0, dash="dashed", fill=pal.REDDISH_PURPLE, opacity=0.12)
            c.text(x + CELL_W / 2, TOP - 14, "S", size=11, anchor="middle", bold=True,
                   fill=pal.INK)
    for b in range(rows):
        y = TOP + CELL_H * b
        c.text(LEFT - 8, y + CELL_H / 2, f"ballot {b}", size=11, anchor="end")
        for i, a in enumerate(names):
            x, _ = cell_xy(b, i)
            value = state.cells[b][i]
            fill = pal.value_colour(value, VALUES) if value else pal.PAPER
            c.rect(x + 6, y + 4, CELL_W - 12, CELL_H - 8, fill=fill,
                   opacity=0.75 if value else 1.0)
            c.rect(x + 6, y + 4, CELL_W - 12, CELL_H - 8, stroke=pal.LIGHT_GREY, width=1.0)
            if value:
                c.text(x + CELL_W / 2, y + CELL_H / 2, value, size=14, anchor="middle",
                       bold=True)
            if is_chosen and b == state.m and a in chosen_set:
                c.rect(x + 4, y + 2, CELL_W - 8, CELL_H - 4, stroke=pal.BLACK, width=3.0)
                if a in s:
                    c.text(x + CELL_W - 12, y + 10, "★", size=12, anchor="middle")
            if top is not None and a in who and b == top.number.natural:
                c.rect(x + 1, y - 1, CELL_W - 2, CELL_H + 2, stroke=pal.VERMILLION, width=3.0,
                       dash="dotted")
        if b > state.n:
            c.rect(LEFT, y, CELL_W * cols, CELL_H, fill=pal.PAPER, opacity=0.7)
    # notes on the right
    nx0 = LEFT + CELL_W * cols + 12
    if v is not None:
        c.text(nx0, TOP + CELL_H * state.m + CELL_H / 2,
               f"← m = {state.m}: {v!r} chosen by C" if is_chosen else
               f"← m = {state.m}: {v!r}, not a majority", size=11, bold=is_chosen)
    c.text(nx0, TOP + CELL_H * state.n + CELL_H / 2,
           f"← n = {state.n}: proposes {state.proposed!r}", size=11, bold=True)
    if top is not None:
        ty = TOP + CELL_H * top.number.natural + CELL_H / 2
        if top.number.natural != state.m:
            c.text(nx0, ty, f"← highest below n in S: {_p(top)}", size=11,
                   fill=pal.INK)
        else:
            c.text(nx0, ty + 13, "  (also the highest below n in S)", size=10, italic=True)
    if state.n + 1 < rows and not compact:
        c.text(nx0, TOP + CELL_H * (state.n + 1) + CELL_H / 2, "after n: not used", size=10,
               italic=True, fill=pal.GREY)
    clause = p2c_for(state, s, state.n, state.proposed) if s and \
        majority(state).is_phase1_quorum(s) else None
    verdict = {"a": "P2c (a) holds", "b": "P2c (b) holds", "": "P2c fails for S",
               None: "S is not a majority"}[clause]
    c.text(10, 20, f"P2c for ({state.n}, {state.proposed!r}): {verdict}", size=13, bold=True,
           fill=pal.VERMILLION if clause in ("", None) else pal.INK)
    if compact:
        return c
    ly = TOP + CELL_H * rows + 22
    c.rect(10, ly - 8, 16, 16, stroke=pal.BLACK, width=3.0)
    c.text(32, ly, "C: accepted (m, v)", size=10)
    c.rect(150, ly - 8, 16, 16, stroke=pal.REDDISH_PURPLE, width=2.0, dash="dashed",
           fill=pal.REDDISH_PURPLE, opacity=0.12)
    c.text(172, ly, "S: promised n", size=10)
    c.text(270, ly, "★ S ∩ C", size=10)
    c.rect(340, ly - 8, 16, 16, stroke=pal.VERMILLION, width=3.0, dash="dotted")
    c.text(362, ly, "highest proposal below n reported by S", size=10)
    c.rect(10, ly + 16, 16, 16, fill=pal.YELLOW, opacity=0.35)
    c.text(32, ly + 24, f"▶ induction step: ballot {k}", size=10)
    c.text(200, ly + 24, "cell colour and letter: the value accepted "
           + ", ".join(f"({x})" for x in VALUES), size=10)
    return c


def render(state: GridState) -> str:
    """The frame as a deterministic SVG string."""
    return canvas(state).to_svg()


def storyboard(state: GridState | None = None, columns: int = 2) -> Figure:
    """Key steps of the induction for ``state`` (the default grid if None): the base m,
    the first later ballot that carries a proposal, n, and n with a wrong value proposed.
    Returns a matplotlib Figure."""
    base = state or default_state()
    middle = next((b for b in range(base.m + 1, base.n) if row_values(base, b)), None)
    cursors = [0, *([middle - base.m] if middle is not None else []), base.n - base.m]
    states = [replace(base, cursor=i) for i in cursors]
    v, _ = chosen(base)
    other = next((x for x in VALUES if x != v), VALUES[0])
    states.append(replace(base, cursor=base.n - base.m, proposed=other))
    frames = [(canvas(s, compact=True), caption(s)) for s in states]
    return storyboard_figure(frames, columns=columns, panel_width=5.0,
                             title="P2c: the induction over ballots m..n", caption_lines=10,
                             legend=LEGEND)


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------


class P2cArgument(FrameWidget):
    """Edit who accepted what; step the induction; check P2c for a chosen S.

    ``P2cArgument()`` shows the default grid; ``P2cArgument(cells, m=1, n=5,
    promisers={"a3", "a4", "a5"}, proposed="x")`` another one (``cells[b][i]``:
    the value acceptor i accepted in ballot b, or None).
    """

    def __init__(self, cells: Cells | None = None, *, m: int | None = None,
                 n: int | None = None, promisers: Sequence[str] | None = None,
                 proposed: str | None = None) -> None:
        base = default_state()
        if cells is None:
            state = replace(
                base, m=base.m if m is None else m, n=base.n if n is None else n,
                promisers=base.promisers if promisers is None else frozenset(promisers),
                proposed=base.proposed if proposed is None else proposed)
        else:
            grid = tuple(tuple(r) for r in cells)
            rows = len(grid)
            state = GridState(grid, m=0 if m is None else m,
                              n=rows - 1 if n is None else n,
                              promisers=frozenset(promisers or ()),
                              proposed=proposed or "x")
        self.state = state
        self._shown_cells: Cells | None = None
        style = {"description_width": "initial"}
        rows = state.ballots
        self.m_slider = w.IntSlider(value=state.m, min=0, max=rows - 1, description="m (chosen)",
                                    style=style, continuous_update=False)
        self.n_slider = w.IntSlider(value=state.n, min=0, max=rows - 1,
                                    description="n (new proposal)", style=style,
                                    continuous_update=False)
        self.proposed_menu = w.Dropdown(options=list(VALUES), value=state.proposed,
                                        description="value proposed at n", style=style)
        # Shared layouts and styles keep the number of widget models (and a saved
        # notebook's widget state) small.
        cell_layout = w.Layout(width="46px")
        self._styles = {v: w.ButtonStyle(button_color=pal.value_colour(v, VALUES) if v
                                         else pal.PAPER) for v in (None, *VALUES)}
        toggle_style = ToggleButtonStyle()
        self.s_toggles = [w.ToggleButton(value=a in state.promisers, description=a,
                                         layout=cell_layout, style=toggle_style)
                          for a in state.acceptors]
        self.back_button = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.step_button = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.cursor_slider = w.IntSlider(value=0, min=0, max=state.n - state.m,
                                         description="induction step", style=style)
        self.cell_buttons: dict[tuple[int, str], w.Button] = {}
        head = " ".join(f'<span style="display:inline-block;width:50px">{a}</span>'
                        for a in state.acceptors)
        grid_children: list[w.Widget] = []
        for b in range(rows):
            grid_children.append(w.HTML(f"ballot {b}"))
            for a in state.acceptors:
                btn = w.Button(layout=cell_layout, style=self._styles[None])
                btn.on_click(lambda _b, b=b, a=a: self.cycle(b, a))
                self.cell_buttons[(b, a)] = btn
                grid_children.append(btn)
        self.grid_box = w.GridBox(grid_children, layout=w.Layout(
            grid_template_columns=f"80px repeat({len(state.acceptors)}, 50px)"))
        editor = w.Accordion(children=[w.VBox([w.HTML(f'<span style="display:inline-block;'
                                                     f'width:80px"></span>{head}'),
                                              self.grid_box])],
                             titles=("edit the grid (click a cell)",))
        controls = [
            w.HBox([self.m_slider, self.n_slider, self.proposed_menu]),
            w.HBox([w.Label("S (promised n):"), *self.s_toggles]),
            w.HBox([self.back_button, self.step_button, self.cursor_slider]),
        ]
        super().__init__(controls, below=[editor])
        for widget in (self.m_slider, self.n_slider, self.proposed_menu, *self.s_toggles):
            widget.observe(self._on_controls, names="value")
        self.cursor_slider.observe(self._on_cursor, names="value")
        self.step_button.on_click(lambda _b: self.step(1))
        self.back_button.on_click(lambda _b: self.step(-1))
        self._refresh()

    def __repr__(self) -> str:
        s = self.state
        return f"P2cArgument(m={s.m}, n={s.n}, acceptors={len(s.acceptors)})"

    # -- actions --------------------------------------------------------------------
    def cycle(self, ballot: int, acceptor: str) -> None:
        """Click on a cell: its value goes none → x → y → z → none."""
        self._check_cell(ballot, acceptor)
        current = self.state.cells[ballot][self.state.acceptors.index(acceptor)]
        order = (None, *VALUES)
        nxt = order[(order.index(current) + 1) % len(order)]
        self.set_cell(ballot, acceptor, nxt)

    def set_cell(self, ballot: int, acceptor: str, value: str | None) -> None:
        self._check_cell(ballot, acceptor)
        self.state = self.state.with_cell(ballot, acceptor, value)
        self._refresh()

    def _check_cell(self, ballot: int, acceptor: str) -> None:
        if isinstance(ballot, bool) or not isinstance(ballot, int) \
                or not 0 <= ballot < self.state.ballots:
            raise ValueError(f"ballot must be an integer in 0..{self.state.ballots - 1}, "
                             f"got {ballot!r}")
        if not isinstance(acceptor, str) or acceptor not in self.state.acceptors:
            raise ValueError(f"acceptor must be one of {self.state.acceptors}, got {acceptor!r}")

    def step(self, delta: int = 1) -> None:
        s = self.state
        self.state = replace(s, cursor=min(max(s.cursor + delta, 0), s.n - s.m))
        self._refresh()

    def storyboard(self, columns: int = 2) -> Figure:
        return storyboard(self.state, columns)

    # -- plumbing -------------------------------------------------------------------
    def _on_cursor(self, change: dict) -> None:
        if not self._syncing:
            self.state = replace(self.state, cursor=change["new"])
            self._refresh()

    def _on_controls(self, _change: object) -> None:
        if self._syncing:
            return
        s = self.state
        try:
            new = replace(s, m=self.m_slider.value, n=self.n_slider.value,
                          proposed=self.proposed_menu.value,
                          promisers=frozenset(t.description for t in self.s_toggles if t.value),
                          cursor=0 if (self.m_slider.value, self.n_slider.value) != (s.m, s.n)
                          else s.cursor)
        except ValueError as e:
            self._say(f"{e}. The picture still shows m = {s.m}, n = {s.n}.")
            return
        self.state = new
        self._refresh()

    def _refresh(self) -> None:
        s = self.state
        with self.syncing():
            self.m_slider.value, self.n_slider.value = s.m, s.n
            self.proposed_menu.value = s.proposed
            for t in self.s_toggles:
                t.value = t.description in s.promisers
            self.cursor_slider.max = s.n - s.m
            self.cursor_slider.value = s.cursor
            if s.cells != self._shown_cells:  # only an edit changes the buttons
                self._shown_cells = s.cells
                for (b, a), btn in self.cell_buttons.items():
                    value = s.cells[b][s.acceptors.index(a)]
                    btn.description = value or "·"
                    btn.style = self._styles[value]
        self._say("")
        self._show(render(s), caption(s))
