"""LogWidget: the replicated log of §3, servers × instances, step by step.

§3 of *Paxos Made Simple* runs "a sequence of separate instances of the Paxos
consensus algorithm, the value chosen by the i th instance being the i th state
machine command in the sequence". This widget shows that sequence as a grid:
one row per server, one column per instance, each cell in one of five states
(`STATES`), each with its own colour *and* its own outline and word, so that
nothing depends on colour alone:

- ``empty``: nothing accepted here (white, thin grey outline);
- ``accepted``: the server accepted a proposal, not yet known chosen (sky blue,
  dashed outline, "acc n" with the proposal number n);
- ``chosen``: the server knows the command is chosen but has not executed it
  (green, solid outline, "chosen");
- ``executed``: the server's state machine has executed it (dark blue, thick
  outline, "exec");
- ``noop``: the value is the paper's "no-op" command that fills a gap
  (reddish purple with diagonal hatching; its word still says acc / chosen /
  exec).

The leader is marked by a star and a framed row label ("leader · n=3"), a
candidate running phase 1 by a hollow star, a crashed server by a grey row
(its stable storage — what it accepted and what it knew chosen — survives).
Over the columns a bracket shows the leader's window of α instances (§3: it
may propose instance i+α once 1..i are chosen).

Frames are `paxos_notes.multipaxos.scenario.Frame` records: the §3 gap
scenario's own (`gap_scenario().frames`), or frames recorded from a seeded
`paxos_notes.multipaxos.Simulation` by `frames_from_simulation` (the built-in
failover run crashes the leader: `failover_frames`).

Pure functions do the work: `render(view, cursor) -> str` (deterministic SVG),
`caption(view, cursor) -> str`, `storyboard(view) -> Figure`. The widget holds
only the cursor. Usage::

    from paxos_notes.widgets import LogWidget
    LogWidget()                    # §3's gap scenario: 134, 138, 139 known → 1–140
    LogWidget("failover")          # a seeded run whose leader crashes
    LogWidget(frames)              # any frames (a LogView, GapScenario, list of Frame)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..multipaxos.scenario import Frame, GapScenario
from . import palette as pal
from ._base import FrameWidget
from ._draw import Canvas, storyboard_figure, text_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..multipaxos.sim import Simulation

STATES = ("empty", "accepted", "chosen", "noop", "executed")
PROGRESS = ("empty", "accepted", "chosen", "executed")
NOOP_WORD = "no-op"
SOURCES = ("gap", "failover")
MAX_COLUMNS = 24
MAX_SERVERS = 9

WIDTH = 1000.0
LABEL_W = 178.0
GRID_X0, GRID_X1 = 186.0, 990.0
HEADER_H = 30.0
BRACKET_Y = 44.0
COLUMN_Y = 66.0
GRID_Y = 80.0
ROW_H = 46.0
SENT_LINES = 3

FILL = {
    "empty": pal.PAPER,
    "accepted": pal.SKY_BLUE,
    "chosen": pal.BLUISH_GREEN,
    "noop": pal.REDDISH_PURPLE,
    "executed": pal.BLUE,
}
OPACITY = {"empty": 1.0, "accepted": 0.45, "chosen": 0.6, "executed": 1.0}
NOOP_OPACITY = {"accepted": 0.35, "chosen": 0.6, "executed": 0.95}
WORD = {"empty": "", "accepted": "acc", "chosen": "chosen", "executed": "exec"}

LEGEND = ("One row per server, one column per instance (log position); each cell names the "
          "command (x=3: put x 3; no-op). Empty = white; accepted (not yet known chosen) = sky "
          "blue, dashed outline, 'acc n' with the proposal number n; known chosen = green, thin "
          "solid outline; executed = dark blue, thick outline; no-op = reddish purple with "
          "diagonal hatching. Star = the leader (hollow: a candidate in phase 1); grey row "
          "= a crashed server (its stable storage survives). Bracket: the leader's window of "
          "α instances.")


# ---------------------------------------------------------------------------
# Cells: what a frame says about one server in one instance
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One server in one instance. ``state`` is one of `STATES` (the fill),
    ``progress`` one of `PROGRESS` (the outline and the word); ``label`` is the
    command in short (``x=3``, ``get y``, ``no-op``), ``detail`` in full;
    ``number`` the proposal number accepted there, if any."""

    state: str
    progress: str
    label: str = ""
    detail: str = ""
    number: str | None = None

    @property
    def noop(self) -> bool:
        return self.state == "noop"

    def word(self) -> str:
        if self.progress == "accepted" and self.number is not None:
            return f"acc {self.number}"
        return WORD[self.progress]


_ACCEPTED = re.compile(r"^\((\d+), (.*)\)$", re.S)
_COMMAND = re.compile(r"^(\S+)#(\d+) (\w+)\((.*)\)$", re.S)


def short_label(value: str) -> str:
    """A command as a few characters: ``c2#1 put('k135', 135)`` → ``k135=135``."""
    if value == NOOP_WORD:
        return NOOP_WORD
    m = _COMMAND.match(value)
    if m is None:
        return value
    kind, args_text = m.group(3), m.group(4)
    try:
        args = ast.literal_eval(f"({args_text},)") if args_text else ()
    except (ValueError, SyntaxError):
        return f"{kind}"
    if kind == "put" and len(args) == 2:
        return f"{args[0]}={args[1]}"
    if kind in ("get", "cas") and args:
        return f"{kind} {args[0]}"
    return kind


def cell_of(entry: dict[str, Any] | None, instance: int, executed: int) -> Cell:
    """Read one ``Frame.instances[i][server]`` entry (``accepted`` / ``chosen``)."""
    entry = entry or {}
    accepted, chosen = entry.get("accepted"), entry.get("chosen")
    number = None
    acc_value = None
    if accepted:
        m = _ACCEPTED.match(accepted)
        if m is not None:
            number, acc_value = m.group(1), m.group(2)
        else:
            acc_value = accepted
    if chosen is not None and instance <= executed:
        progress, value = "executed", chosen
    elif chosen is not None:
        progress, value = "chosen", chosen
    elif acc_value is not None:
        progress, value = "accepted", acc_value
    else:
        return Cell("empty", "empty")
    state = "noop" if value == NOOP_WORD else progress
    return Cell(state, progress, short_label(value), value, number)


def _natural(n: Any) -> str:
    """A proposal number from its JSON form ``[round, proposer, proposers]``."""
    if isinstance(n, list | tuple) and len(n) == 3:
        return str(n[0] * n[2] + n[1])
    return str(n)


def ranges(xs: Iterable[int]) -> str:
    """``(135, 136, 137, 140)`` → ``135–137,140``."""
    ordered = sorted(xs)
    out: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ",".join(out)


def describe_sent(m: dict[str, Any]) -> str:
    """A message in its JSON form (``Frame.sent``), in words, with sender → receiver."""
    kind = m.get("type", "?")
    n = _natural(m.get("n"))
    if kind == "Prepare":
        gaps = m.get("gaps") or []
        what = f"prepare {n} for " + (f"{ranges(gaps)} and " if gaps else "") + \
            f"≥{m.get('above')}"
    elif kind == "Promise":
        acc = [s for s, _ in m.get("accepted") or []]
        what = f"promise {n}" + (f", accepted in {ranges(acc)}" if acc else ", nothing accepted")
    elif kind == "Accept":
        from ..multipaxos.kv import describe_value

        what = f"accept {n} #{m.get('instance')} {short_label(describe_value(m['value']))}"
    elif kind == "Accepted":
        what = f"accepted {n} #{m.get('instance')}"
    elif kind == "Heartbeat":
        chosen = [s for s, _ in m.get("decisions") or []]
        what = f"heartbeat {n}" + (f" +chosen {ranges(chosen)}" if chosen else "")
    elif kind == "Ack":
        what = f"ack {n}"
    elif kind == "Nack":
        what = f"nack {n}"
    else:
        what = kind.lower()
    return f"{m.get('sender')}→{m.get('receiver')}: {what}"


# ---------------------------------------------------------------------------
# A sequence of frames, read once
# ---------------------------------------------------------------------------


class LogView:
    """Frames of one run, checked and read once: ``cells(cursor)`` per frame.

    ``frames``: a non-empty sequence of `Frame` (or a `GapScenario`);
    ``alpha``: the window to mark over the leader's next instances (``None``: no
    bracket); ``title``: what the run is, for captions and storyboards.
    """

    def __init__(self, frames: Sequence[Frame] | GapScenario, *, alpha: int | None = None,
                 title: str = "") -> None:
        if isinstance(frames, GapScenario):
            alpha = frames.alpha if alpha is None else alpha
            title = title or "§3's gap scenario"
            frames = frames.frames
        if isinstance(frames, Frame) or not isinstance(frames, Sequence) or not frames:
            raise ValueError("frames must be a non-empty sequence of Frame records "
                             f"(e.g. gap_scenario().frames), got {type(frames).__name__}")
        for f in frames:
            if not isinstance(f, Frame):
                raise ValueError(f"frames must hold Frame records only, got {type(f).__name__}")
        if alpha is not None and (isinstance(alpha, bool) or not isinstance(alpha, int)
                                  or alpha < 1):
            raise ValueError(f"alpha must be a positive integer or None, got {alpha!r}")
        self.frames: tuple[Frame, ...] = tuple(frames)
        self.alpha = alpha
        self.title = title
        self.servers: tuple[str, ...] = tuple(self.frames[0].servers)
        columns: set[int] = set()
        for f in self.frames:
            columns.update(f.instances)
            if tuple(f.servers) != self.servers:
                raise ValueError("frames must all describe the same servers, got "
                                 f"{tuple(f.servers)} after {self.servers}")
        self.instances: tuple[int, ...] = tuple(sorted(columns))
        if not self.instances:
            raise ValueError("frames must show at least one instance")
        if len(self.instances) > MAX_COLUMNS:
            raise ValueError(f"frames must show at most {MAX_COLUMNS} instances, got "
                             f"{len(self.instances)}; record fewer (instances=...)")
        if len(self.servers) > MAX_SERVERS:
            raise ValueError(f"frames must describe at most {MAX_SERVERS} servers, got "
                             f"{len(self.servers)}")
        self._cells: dict[int, dict[tuple[str, int], Cell]] = {}

    def __len__(self) -> int:
        """The last cursor (frames are numbered 0..len)."""
        return len(self.frames) - 1

    def check_cursor(self, cursor: object) -> int:
        if isinstance(cursor, bool) or not isinstance(cursor, int) or not 0 <= cursor <= len(self):
            raise ValueError(f"cursor must be an integer in 0..{len(self)}, got {cursor!r}")
        return cursor

    def frame(self, cursor: int) -> Frame:
        return self.frames[self.check_cursor(cursor)]

    def cells(self, cursor: int) -> dict[tuple[str, int], Cell]:
        """``(server, instance) -> Cell`` at ``cursor``."""
        f = self.frame(cursor)
        got = self._cells.get(cursor)
        if got is None:
            got = {}
            for name in self.servers:
                executed = int(f.servers[name].get("executed") or 0)
                for i in self.instances:
                    got[(name, i)] = cell_of(f.instances.get(i, {}).get(name), i, executed)
            self._cells[cursor] = got
        return got

    def leader(self, cursor: int) -> str | None:
        """The server in the leader role at ``cursor`` (highest number if several)."""
        f = self.frame(cursor)
        leaders = [n for n in self.servers if f.servers[n].get("role") == "leader"]
        if not leaders:
            return None
        return max(leaders, key=lambda n: int(f.servers[n].get("number") or 0))

    def changes(self, cursor: int) -> list[str]:
        """What changed since the previous frame, per server, in words."""
        if cursor == 0:
            return []
        before, now = self.cells(cursor - 1), self.cells(cursor)
        out: list[str] = []
        f0, f1 = self.frames[cursor - 1], self.frames[cursor]
        for name in self.servers:
            r0, r1 = f0.servers[name].get("role"), f1.servers[name].get("role")
            if r1 == "down" and r0 != "down":
                out.append(f"{name}'s state machine is lost; its stable storage (what it "
                           f"accepted, what it knew chosen) is kept")
                continue
            by_state: dict[str, list[int]] = {}
            for i in self.instances:
                a, b = before[(name, i)], now[(name, i)]
                if (a.progress, a.number, a.detail) != (b.progress, b.number, b.detail):
                    word = b.progress if not b.noop else f"{b.progress} (no-op)"
                    if b.progress == "accepted" and b.number is not None:
                        word = f"accepted in {b.number}" + (" (no-op)" if b.noop else "")
                    by_state.setdefault(word, []).append(i)
            if by_state:
                parts = [f"{ranges(xs)} {word}" for word, xs in by_state.items()]
                out.append(f"{name}: " + ", ".join(parts))
        return out

    def notable(self) -> list[tuple[str, int]]:
        """(label, cursor) of frames worth jumping to: crashes, restarts, phase 1,
        elections, the first no-op, a leader executing a batch at once (a gap
        closed)."""
        out: list[tuple[str, int]] = []
        for k in range(1, len(self) + 1):
            prev, f = self.frames[k - 1], self.frames[k]
            why = []
            for n in self.servers:
                r0, r1 = prev.servers[n].get("role"), f.servers[n].get("role")
                if r0 != r1 and r1 in ("down", "candidate", "leader"):
                    why.append(f"{n} {'crashes' if r1 == 'down' else 'is ' + r1}")
                elif r0 == "down" and r1 != "down":
                    why.append(f"{n} restarts")
                e0 = int(prev.servers[n].get("executed") or 0)
                e1 = int(f.servers[n].get("executed") or 0)
                if r1 == "leader" and e1 >= e0 + 2:  # a gap closed: a batch runs at once
                    why.append(f"{n} executes {e0 + 1}–{e1} at once")
            noop = [i for (n, i), c in self.cells(k).items() if c.noop]
            if noop and not any(c.noop for c in self.cells(k - 1).values()):
                why.append(f"no-op proposed in {ranges(set(noop))}")
            if why:
                out.append((f"{k}: " + "; ".join(why), k))
        return out


def _check_view(view: object) -> LogView:
    if isinstance(view, LogView):
        return view
    if isinstance(view, GapScenario | Sequence):
        return LogView(view)  # type: ignore[arg-type]
    raise ValueError(f"view must be a LogView, a GapScenario or a sequence of Frame, "
                     f"got {type(view).__name__}")


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _star(c: Canvas, cx: float, cy: float, r: float, fill: str | None) -> None:
    import math

    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.45
        a = math.radians(-90 + 36 * k)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    c.polygon(pts, fill=fill, stroke=pal.INK, width=1.2)


def _column_geometry(view: LogView) -> tuple[float, float]:
    """(column width, gap between cells)."""
    n = len(view.instances)
    cw = (GRID_X1 - GRID_X0) / n
    return cw, 3.0 if cw > 30 else 2.0


def _fit(s: str, width: float, size: float) -> str:
    if text_width(s, size) <= width:
        return s
    keep = max(1, int(width / (0.6 * size)) - 1)
    return s[:keep] + "…"


def _draw_cell(c: Canvas, cell: Cell, x: float, y: float, cw: float, ch: float,
               compact: bool = False) -> None:
    """One cell at ``(x, y)``: drawn once per look and size, then reused."""
    c.group(_cell_canvas(cell, round(cw, 1), round(ch, 1), compact), x, y)


def _hatch(cw: float, ch: float, step: float = 12.0) -> list[tuple[float, float]]:
    """Parallel diagonals across a ``cw`` x ``ch`` cell as ONE polyline (one shape,
    not one per stroke: storyboards draw every shape as a matplotlib artist).
    Consecutive diagonals are joined along the cell's border, which the outline
    drawn on top then covers."""
    pts: list[tuple[float, float]] = []
    k, down = step, True
    while k < cw + ch:
        top = (min(k, cw), max(0.0, k - cw))
        bottom = (max(0.0, k - ch), min(k, ch))
        pts += [top, bottom] if down else [bottom, top]
        down = not down
        k += step
    return pts


@lru_cache(maxsize=4096)
def _cell_canvas(cell: Cell, cw: float, ch: float, compact: bool = False) -> Canvas:
    """``compact`` (storyboards, where every text costs a matplotlib artist): the
    state word only where it says more than fill and outline do (acc n)."""
    c = Canvas(cw, ch)
    x = y = 0.0
    if cell.progress == "empty":
        c.rect(x, y, cw, ch, fill=pal.PAPER, stroke=pal.LIGHT_GREY, width=1.0)
        return c.freeze()
    opacity = NOOP_OPACITY[cell.progress] if cell.noop else OPACITY[cell.progress]
    dash = "dashed" if cell.progress == "accepted" else "solid"
    width = 2.4 if cell.progress == "executed" else 1.2
    if not cell.noop:
        c.rect(x, y, cw, ch, fill=FILL[cell.state], stroke=pal.INK, width=width, dash=dash,
               opacity=opacity)
    else:  # hatching: the no-op is marked by a pattern as well as a colour
        c.rect(x, y, cw, ch, fill=FILL[cell.state], opacity=opacity)
        c.polygon(_hatch(cw, ch), stroke=pal.INK, width=1.0, opacity=0.35, closed=False)
        c.rect(x, y, cw, ch, stroke=pal.INK, width=width, dash=dash)
    dark = cell.progress == "executed" and not cell.noop  # black reads best on the hatching
    ink = pal.PAPER if dark else pal.INK
    size = 10.0 if cw >= 46 else 9.0
    inner = cw - 4
    word = cell.word() if not compact or cell.progress == "accepted" else ""
    c.text(x + cw / 2, y + ch * (0.33 if word else 0.5), _fit(cell.label, inner, size),
           size=size, anchor="middle", fill=ink, bold=cell.noop)
    if word:
        c.text(x + cw / 2, y + ch * 0.72, _fit(word, inner, size - 1), size=size - 1,
               anchor="middle", fill=ink, italic=cell.progress == "accepted")
    return c.freeze()


def _draw_row_label(c: Canvas, name: str, info: dict[str, Any], y: float) -> None:
    role = info.get("role") or "follower"
    number = info.get("number")
    executed = int(info.get("executed") or 0)
    c.group(_row_canvas(name, role, number, executed), 0, y)


@lru_cache(maxsize=1024)
def _row_canvas(name: str, role: str, number: str | None, executed: int) -> Canvas:
    c = Canvas(LABEL_W, ROW_H)
    y = 0.0
    if role == "down":
        c.rect(4, y, LABEL_W - 4, ROW_H - 4, fill=pal.LIGHT_GREY, stroke=pal.GREY,
               dash="dashed", width=1.2)
    elif role == "leader":
        c.rect(4, y, LABEL_W - 4, ROW_H - 4, fill=pal.PAPER, stroke=pal.INK, width=2.4)
    x = 14.0
    if role in ("leader", "candidate"):
        _star(c, 22, y + 13, 9, pal.ORANGE if role == "leader" else pal.PAPER)
        x = 36.0
    c.text(x, y + 13, name, size=13, bold=True,
           fill=pal.GREY if role == "down" else pal.INK)
    words = {"leader": f"leader · n={number}", "candidate": f"candidate · n={number}",
             "down": "DOWN (crashed)", "follower": "follower"}.get(role, role)
    c.text(x + text_width(name, 13) + 8, y + 13, words, size=10,
           bold=role == "leader", fill=pal.INK)
    done = f"executed 1–{executed}" if executed else "executed nothing"
    if role == "down":
        done = "stable storage kept"
    c.text(14, y + 31, done, size=10, fill=pal.INK)
    return c.freeze()


def canvas(view: LogView, cursor: int, compact: bool = False) -> Canvas:
    """The frame at ``cursor`` as shapes. ``compact`` (storyboards) leaves out the
    list of messages sent and the legend, which the storyboard prints once."""
    f = view.frame(cursor)
    cells = view.cells(cursor)
    cw, gap = _column_geometry(view)
    rows = len(view.servers)
    grid_bottom = GRID_Y + rows * ROW_H
    height = grid_bottom + (8 if compact else 12 + 15 * SENT_LINES + 44)
    title = f"Log at step {cursor} of {len(view)}: {f.action}"
    c = Canvas(WIDTH, height, title=title)
    # header: the step and what it was
    c.text(8, 14, f"step {cursor}/{len(view)}", size=12, bold=True)
    c.text(100, 14, _fit(f.action, WIDTH - 110, 12), size=12)
    # the leader's window of alpha instances
    lead = view.leader(cursor)
    if view.alpha is not None and lead is not None:
        first = int(f.servers[lead].get("executed") or 0) + 1
        last = first + view.alpha - 1
        shown = [i for i in view.instances if first <= i <= last]
        if shown:
            x0 = GRID_X0 + view.instances.index(shown[0]) * cw + 1
            x1 = GRID_X0 + (view.instances.index(shown[-1]) + 1) * cw - gap - 1
            c.line(x0, BRACKET_Y + 6, x0, BRACKET_Y, stroke=pal.INK, width=1.2)
            c.line(x0, BRACKET_Y, x1, BRACKET_Y, stroke=pal.INK, width=1.2)
            c.line(x1, BRACKET_Y, x1, BRACKET_Y + 6, stroke=pal.INK, width=1.2)
            more = "→" if last > view.instances[-1] else ""
            text = f"{lead}'s window: α = {view.alpha}, instances {first}–{last}{more}"
            half = text_width(text, 10) / 2 + 4
            c.label(min(max((x0 + x1) / 2, GRID_X0 + half), WIDTH - half), BRACKET_Y, text,
                    size=10)
    c.text(GRID_X0 - 8, COLUMN_Y, "instance", size=10, anchor="end", italic=True)
    for k, i in enumerate(view.instances):
        c.text(GRID_X0 + k * cw + (cw - gap) / 2, COLUMN_Y, str(i),
               size=11 if cw >= 34 else 9, anchor="middle", bold=True)
    for r, name in enumerate(view.servers):
        y = GRID_Y + r * ROW_H
        info = f.servers[name]
        _draw_row_label(c, name, info, y)
        for k, i in enumerate(view.instances):
            _draw_cell(c, cells[(name, i)], GRID_X0 + k * cw, y, cw - gap, ROW_H - 4, compact)
        if info.get("role") == "down":
            c.rect(GRID_X0, y, GRID_X1 - GRID_X0, ROW_H - 4, fill=pal.GREY, opacity=0.35)
    if compact:
        return c
    sent = [m for m in f.sent if not m.get("local")]
    y = grid_bottom + 10
    if sent:
        c.text(8, y, f"sent at this step ({len(sent)}):", size=10, bold=True)
        lines = [describe_sent(m) for m in sent[:SENT_LINES]]
        if len(sent) > SENT_LINES:
            lines[-1] += f"   … and {len(sent) - SENT_LINES} more"
        for j, line in enumerate(lines):
            c.text(150, y + 15 * j, _fit(line, WIDTH - 160, 10), size=10)
    else:
        c.text(8, y, "no message sent to another server at this step", size=10, italic=True)
    _legend(c, height - 30)
    return c


def _legend(c: Canvas, y: float) -> None:
    c.group(_legend_canvas(), 0, y - 16)


@lru_cache(maxsize=1)
def _legend_canvas() -> Canvas:
    c = Canvas(WIDTH, 32)
    y = 16.0
    x = 8.0
    for cell, words in (
        (Cell("empty", "empty"), "empty"),
        (Cell("accepted", "accepted", "x=1", number="2"), "accepted in proposal 2"),
        (Cell("chosen", "chosen", "x=1"), "known chosen"),
        (Cell("executed", "executed", "x=1"), "executed"),
        (Cell("noop", "chosen", NOOP_WORD), "no-op (hatched)"),
    ):
        _draw_cell(c, cell, x, y - 14, 52, 28)
        c.text(x + 58, y, words, size=10)
        x += 64 + text_width(words, 10) + 12
    _star(c, x + 8, y, 8, pal.ORANGE)
    c.text(x + 20, y, "leader", size=10)
    _star(c, x + 70, y, 8, pal.PAPER)
    c.text(x + 82, y, "candidate", size=10)
    return c.freeze()


def render(view: LogView | GapScenario | Sequence[Frame], cursor: int) -> str:
    """The frame at ``cursor`` as a deterministic SVG string."""
    return canvas(_check_view(view), cursor).to_svg()


def caption(view: LogView | GapScenario | Sequence[Frame], cursor: int) -> str:
    """The frame in words: the step, the leader, what changed."""
    v = _check_view(view)
    f = v.frame(cursor)
    parts = [f"Step {cursor} of {len(v)}: {f.action}."]
    roles = {n: f.servers[n].get("role") for n in v.servers}
    lead = v.leader(cursor)
    candidates = [n for n, r in roles.items() if r == "candidate"]
    down = [n for n, r in roles.items() if r == "down"]
    if lead is not None:
        parts.append(f"Leader: {lead} (proposal number {f.servers[lead].get('number')}).")
    elif candidates:
        parts.append(f"No leader; {', '.join(candidates)} is running phase 1.")
    else:
        parts.append("No leader.")
    if down:
        parts.append(f"Down: {', '.join(down)}.")
    changed = v.changes(cursor)
    if changed:
        parts.append("Changed: " + "; ".join(changed) + ".")
    executed = {n: int(f.servers[n].get("executed") or 0) for n in v.servers}
    parts.append("Executed: " + ", ".join(f"{n} 1–{k}" if k else f"{n} none"
                                           for n, k in executed.items()) + ".")
    return " ".join(parts)


def key_frames(view: LogView, panels: int = 4) -> list[int]:
    """Cursors worth a panel, by priority: the first crash, the first election
    after it, the first no-op, the end, the phase 1 before that election, the
    start, the new leader's first executed batch; then evenly spaced."""
    if isinstance(panels, bool) or not isinstance(panels, int) or panels < 1:
        raise ValueError(f"panels must be an integer >= 1, got {panels!r}")
    total = len(view)

    def first(test: Any, after: int = 0) -> int | None:
        return next((k for k in range(after + 1, total + 1) if test(k)), None)

    def role_appears(role: str) -> Any:
        return lambda k: any(view.frames[k].servers[n].get("role") == role
                             and view.frames[k - 1].servers[n].get("role") != role
                             for n in view.servers)

    crash = first(role_appears("down"))
    campaign = first(role_appears("candidate"), crash or 0)
    elected = first(role_appears("leader"), campaign or crash or 0)
    noop = first(lambda k: any(c.noop for c in view.cells(k).values())
                 and not any(c.noop for c in view.cells(k - 1).values()))
    settled = first(lambda k: view.changes(k) and all(
        c.progress == "executed" for (n, _), c in view.cells(k).items()
        if n == view.leader(k) and c.progress != "empty"), elected or 0)
    wanted = [k for k in (crash, elected, noop, total, campaign, 0, settled) if k is not None]
    step = max(total // max(panels - 1, 1), 1)
    wanted += list(range(step, total, step))
    picks: list[int] = []
    for k in wanted:
        if k not in picks and len(picks) < min(panels, total + 1):
            picks.append(k)
    return sorted(picks)


def storyboard(view: LogView | GapScenario | Sequence[Frame],
               cursors: Iterable[int] | None = None, columns: int = 1,
               panels: int = 4) -> Figure:
    """Key frames as a matplotlib Figure (displays as PNG in a notebook)."""
    v = _check_view(view)
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be an integer >= 1, got {columns!r}")
    chosen = [v.check_cursor(k) for k in cursors] if cursors is not None \
        else key_frames(v, panels)
    if not chosen:
        raise ValueError("cursors must name at least one frame")
    frames = [(canvas(v, k, compact=True), _short_caption(v, k)) for k in chosen]
    title = f"{v.title or 'The replicated log'}: key frames"
    return storyboard_figure(frames, columns=columns, panel_width=9.5 if columns == 1 else 6.0,
                             title=title, caption_lines=3, legend=LEGEND)


def _short_caption(v: LogView, k: int) -> str:
    f = v.frame(k)
    changed = v.changes(k)
    text = f"Step {k}: {f.action}."
    if changed:
        text += " " + "; ".join(changed) + "."
    else:
        executed = {n: int(f.servers[n].get("executed") or 0) for n in v.servers}
        text += " Executed: " + ", ".join(f"{n} 1–{e}" if e else f"{n} none"
                                          for n, e in executed.items()) + "."
    return text


# ---------------------------------------------------------------------------
# Frames from a simulation
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _describe(value: str) -> str:
    from ..multipaxos.kv import describe_value

    return describe_value(value)


def _snapshot(sim: Simulation) -> dict[str, Any]:
    describe_value = _describe
    per: dict[str, dict[int, tuple[str | None, str | None]]] = {}
    info: dict[str, dict[str, Any]] = {}
    for name, s in sim.servers.items():
        st = s.stable
        touched = set(st.instances) | set(st.chosen)
        cells: dict[int, tuple[str | None, str | None]] = {}
        for i in touched:
            acc = st.storage(i).accepted
            chosen = st.chosen.get(i)
            cells[i] = (
                None if acc is None else f"({acc.number}, {describe_value(acc.value)})",
                None if chosen is None else describe_value(chosen))
        per[name] = cells
        info[name] = {"role": s.role, "executed": s.executed,
                      "number": str(s.leadership.number) if s.leadership else None}
    return {"cells": per, "servers": info}


def _action(sim: Simulation, events: list[Any]) -> str:
    """One step of an automatic run in words: what happened, at what time.
    Crashes, restarts and elections first; else the message delivered or lost."""
    t = f"t={sim.now:g}"
    words: list[str] = []
    for e in events:
        if e.kind == "crash":
            words.append(f"{e.agent} crashes")
        elif e.kind == "restart":
            words.append(f"{e.agent} restarts ({e.detail})")
        elif e.kind == "campaign":
            what = e.detail.removeprefix("phase 1 ").replace("for [] and ", "for ")
            words.append(f"{e.agent} starts phase 1 {what}")
        elif e.kind == "elected":
            words.append(f"{e.agent} is elected ({e.detail})")
    for e in events:
        m = e.message
        if m is None or e.kind not in ("deliver", "drop"):
            continue
        if e.kind == "deliver":
            first = f"{m.receiver} receives {m.describe()} from {m.sender}"
        elif e.detail == "lost by the network":
            first = f"{m.describe()} to {m.receiver} is lost by the network"
        else:
            first = f"{m.describe()} to {m.receiver} is lost ({e.detail})"
        if e.kind == "deliver":  # what caused the rest of the step
            words.insert(0, first)
        else:
            words.append(first)
        break
    if not words:
        kinds = sorted({e.kind for e in events})
        words.append(", ".join(kinds) if kinds else "a timer fires")
    return f"{t}: " + "; ".join(words)


def frames_from_simulation(sim: Simulation, *, until: float = 1e6,
                           instances: Iterable[int] | None = None,
                           max_steps: int = 20_000) -> tuple[Frame, ...]:
    """Run an automatic-mode ``sim`` step by step (until every client is done, or
    past time ``until``) and keep a `Frame` after every step that changed some
    server's log, role or executed prefix (and after every crash and restart).
    ``instances``: the columns (default: every instance touched, at most
    `MAX_COLUMNS`)."""
    from ..multipaxos.sim import Simulation as _Simulation

    if not isinstance(sim, _Simulation):
        raise ValueError(f"sim must be a multipaxos Simulation, got {type(sim).__name__}")
    if sim.manual:
        raise ValueError("sim must be in automatic mode (manual=False)")
    if not sim.record:
        raise ValueError("sim must record its trace (record=True)")
    raw: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = []
    first = _snapshot(sim)
    raw.append((f"t={sim.now:g}: the run starts", [], first))
    last = first
    steps = 0
    while steps < max_steps and sim.now <= until and not sim.done:
        start = len(sim.trace)
        if not sim.step():
            break
        steps += 1
        events = sim.trace.events[start:]
        snap = _snapshot(sim)
        forced = any(e.kind in ("crash", "restart", "campaign", "elected") for e in events)
        if snap != last or forced:
            sent = [e.to_dict()["message"] | {"local": e.kind == "local"}
                    for e in events if e.kind in ("send", "local")]
            raw.append((_action(sim, events), sent, snap))
            last = snap
    if instances is None:
        touched = {i for _, _, s in raw for cells in s["cells"].values() for i in cells}
        shown = sorted(touched) or [1]
    else:
        shown = sorted(set(instances))
        if not shown or any(isinstance(i, bool) or not isinstance(i, int) or i < 1
                            for i in shown):
            raise ValueError(f"instances must be positive integers, got {instances!r}")
    if len(shown) > MAX_COLUMNS:
        raise ValueError(f"instances: the run touched {len(shown)} instances, more than "
                         f"{MAX_COLUMNS}; pass instances=range(...) to pick a window")
    frames = []
    for k, (action, sent, snap) in enumerate(raw):
        table = {i: {name: {"accepted": snap["cells"][name].get(i, (None, None))[0],
                            "chosen": snap["cells"][name].get(i, (None, None))[1]}
                     for name in sim.servers}
                 for i in shown}
        frames.append(Frame(k, action, tuple(sent), table, snap["servers"]))
    return tuple(frames)


FAILOVER_SEED = 14
FAILOVER_CRASH = 55.0


def failover_simulation(seed: int = FAILOVER_SEED) -> Simulation:
    """The built-in failover run (not yet run): 3 servers, α = 4, five clients with
    three operations each; until just before t = 55 the network loses 30% of
    messages (delays 1–4), then it behaves. At t = 55 the leader crashes, with
    proposals in flight; it restarts at t = 105. With the default seed the new
    leader finds instances 3 and 5 constrained and fills 4 with a no-op: §3's
    gap scenario in miniature, arising by itself."""
    from ..multipaxos import Fault, Network, Setup, Simulation, Timing, Workload

    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    crash = FAILOVER_CRASH
    return Simulation(Setup(alpha=4), seed=seed, workload=Workload(clients=5, ops=3),
                      network=Network(delay=(1.0, 4.0), loss=0.3, faults_until=crash - 0.5),
                      timing=Timing(think=(0.0, 0.0)),
                      faults=(Fault(crash, "crash_leader"),
                              Fault(crash + 50.0, "restart", servers=("s1", "s2", "s3"))))


@lru_cache(maxsize=8)
def failover_frames(seed: int = FAILOVER_SEED) -> tuple[Frame, ...]:
    """Frames of `failover_simulation` (cached per seed)."""
    return frames_from_simulation(failover_simulation(seed))


@lru_cache(maxsize=1)
def gap_frames() -> GapScenario:
    from ..multipaxos.scenario import gap_scenario

    return gap_scenario()


def builtin_view(source: str, seed: int = FAILOVER_SEED) -> LogView:
    """``"gap"``: §3's scenario; ``"failover"``: the seeded leader crash."""
    if source == "gap":
        return LogView(gap_frames(), title="§3's gap scenario")
    if source == "failover":
        return LogView(failover_frames(seed), alpha=4,
                       title=f"A leader crash (seed {seed})")
    raise ValueError(f"source must be one of {SOURCES}, a LogView, a GapScenario or a "
                     f"sequence of Frame, got {source!r}")


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------


class LogWidget(FrameWidget):
    """Step through the replicated log of a run.

    ``source``: ``"gap"`` (§3's scenario, the default), ``"failover"`` (a seeded
    run whose leader crashes; ``seed`` picks it), the `GapScenario` record
    (``gap_scenario()``, so it is not built twice), or any `LogView` or
    sequence of `Frame`. With a built-in source a menu switches between the two.
    ``cursor``: the first frame shown.
    """

    def __init__(self, source: Any = "gap", *, cursor: int = 0,
                 seed: int = FAILOVER_SEED) -> None:
        self.seed = seed
        self._views: dict[str, LogView] = {}
        if isinstance(source, str):
            self.view = builtin_view(source, seed)
            self.source = source
        elif isinstance(source, GapScenario):  # the §3 scenario, already built
            self.view = LogView(source, title="§3's gap scenario")
            self.source = "gap"
        else:
            self.view = _check_view(source)
            self.source = "custom"
        if self.source in SOURCES:
            self._views[self.source] = self.view
        self.view.check_cursor(cursor)
        self.cursor = cursor
        self._syncing = False
        total = len(self.view)
        self.back_button = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.forward_button = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.play = w.Play(value=cursor, min=0, max=total, interval=500, description="play")
        self.speed = w.IntSlider(value=2, min=1, max=10, description="steps/s",
                                 continuous_update=False, layout=w.Layout(width="240px"))
        self.slider = w.IntSlider(value=cursor, min=0, max=total, description="step",
                                  layout=w.Layout(width="480px"))
        w.link((self.play, "value"), (self.slider, "value"))
        style = {"description_width": "initial"}
        self.source_menu = w.Dropdown(
            options=[("§3 gap scenario (134, 138, 139 known)", "gap"),
                     (f"failover: the leader crashes (seed {seed})", "failover")],
            value=self.source if self.source in SOURCES else "gap",
            description="run", style=style, layout=w.Layout(width="380px"),
            disabled=self.source not in SOURCES)
        self.jump_menu = w.Dropdown(description="jump to", style=style,
                                    layout=w.Layout(width="560px"))
        controls: list[w.Widget] = [
            w.HBox([self.back_button, self.forward_button, self.play, self.speed]),
            w.HBox([self.slider]),
            # wraps on a narrow page instead of clipping the jump menu
            w.HBox([self.source_menu, self.jump_menu],
                   layout=w.Layout(flex_flow="row wrap")),
        ]
        super().__init__(controls)
        self.back_button.on_click(lambda _b: self.step(-1))
        self.forward_button.on_click(lambda _b: self.step(1))
        self.slider.observe(self._on_slider, names="value")
        self.speed.observe(lambda ch: setattr(self.play, "interval", 1000 // ch["new"]),
                           names="value")
        self.play.interval = 1000 // self.speed.value
        self.jump_menu.observe(self._on_jump, names="value")
        self.source_menu.observe(self._on_source, names="value")
        self._sync_menus()
        self._refresh()

    def __repr__(self) -> str:
        return f"LogWidget({self.source}: {len(self.view)} steps, " \
               f"{len(self.view.servers)} servers × {len(self.view.instances)} instances)"

    # -- viewing ---------------------------------------------------------------------
    def go(self, cursor: int) -> None:
        """Show frame ``cursor``."""
        self.view.check_cursor(cursor)
        self.cursor = cursor
        self._refresh()

    def step(self, delta: int = 1) -> None:
        self.go(min(max(self.cursor + delta, 0), len(self.view)))

    def show(self, source: str) -> None:
        """Switch to a built-in run (``"gap"`` or ``"failover"``), at its start."""
        view = self._views.get(source)
        if view is None:
            view = self._views[source] = builtin_view(source, self.seed)
        self.view = view
        self.source = source
        self.cursor = 0
        self._sync_menus()
        self._refresh()

    @property
    def cells(self) -> dict[tuple[str, int], Cell]:
        return self.view.cells(self.cursor)

    def storyboard(self, cursors: Iterable[int] | None = None, columns: int = 1,
                   panels: int = 4) -> Figure:
        return storyboard(self.view, cursors, columns, panels)

    # -- plumbing ------------------------------------------------------------------------
    def _sync_menus(self) -> None:
        self._syncing = True
        try:
            total = len(self.view)
            self.play.max = total
            self.slider.max = total
            self.jump_menu.options = [("—", None), *self.view.notable(),
                                      (f"{total}: the end", total)]
            self.jump_menu.value = None
            if self.source in SOURCES:
                self.source_menu.value = self.source
        finally:
            self._syncing = False

    def _on_slider(self, change: dict) -> None:
        if not self._syncing:
            self._guarded(lambda: self.go(change["new"]))

    def _on_jump(self, change: dict) -> None:
        if not self._syncing and change["new"] is not None:
            self._guarded(lambda: self.go(change["new"]))

    def _on_source(self, change: dict) -> None:
        if not self._syncing and change["new"] != self.source:
            self._guarded(lambda: self.show(change["new"]))

    def _refresh(self) -> None:
        self._syncing = True
        try:
            self.slider.value = self.cursor
            self.play.value = self.cursor
        finally:
            self._syncing = False
        self._show(render(self.view, self.cursor), caption(self.view, self.cursor))
