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

Frames are `paxos_notes.multipaxos.scenario.Frame` records, typed (each
server's accepted `Proposal` and chosen command per instance, the messages a
step sent): the §3 gap scenario's own (`gap_scenario().frames`), or frames the
core recorded from a seeded run (`scenario.frames_from_simulation`; the
built-in failover run crashes the leader: `scenario.failover_frames`). This
module runs nothing; it reads frames and draws them.

Pure functions do the work: `render(view, cursor) -> str` (deterministic SVG),
`caption(view, cursor) -> str`, `storyboard(view) -> Figure`. The widget holds
only the cursor. Usage::

    from paxos_notes.widgets import LogWidget
    LogWidget()                    # §3's gap scenario: 134, 138, 139 known → 1–140
    LogWidget("failover")          # a seeded run whose leader crashes
    LogWidget(frames)              # any frames (a LogView, GapScenario, list of Frame)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..ballots import ProposalNumber
from ..messages import Value
from ..multipaxos.kv import NOOP, Command, describe_value
from ..multipaxos.messages import (
    Accept,
    Accepted,
    Ack,
    Heartbeat,
    Message,
    Nack,
    Prepare,
    Promise,
    ranges,
)
from ..multipaxos.scenario import (
    EMPTY,
    FAILOVER_SEED,
    MAX_COLUMNS,
    Frame,
    GapScenario,
    ServerInfo,
    Slot,
    failover_frames,
)
from . import palette as pal
from ._base import Jump, PlayerWidget
from ._draw import Canvas, storyboard_cursors, storyboard_figure, text_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATES = ("empty", "accepted", "chosen", "noop", "executed")
PROGRESS = ("empty", "accepted", "chosen", "executed")
NOOP_WORD = NOOP
SOURCES = ("gap", "failover")
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
    ``number`` the number of the proposal accepted there, if any."""

    state: str
    progress: str
    label: str = ""
    detail: str = ""
    number: ProposalNumber | None = None

    @property
    def noop(self) -> bool:
        return self.state == "noop"

    def word(self) -> str:
        if self.progress == "accepted" and self.number is not None:
            return f"acc {self.number}"
        return WORD[self.progress]


def short_label(value: Value) -> str:
    """A command value in a few characters: put('k135', 135) → ``k135=135``."""
    command = Command.decode(value)
    if command is None:
        return NOOP_WORD
    kind, *args = command.op
    if kind == "put":
        return f"{args[0]}={args[1]}"
    if kind in ("get", "cas"):
        return f"{kind} {args[0]}"
    return kind


def cell_of(slot: Slot | None, instance: int, executed: int) -> Cell:
    """One server's `Slot` in ``instance`` as a cell, given its executed prefix."""
    slot = slot or EMPTY
    accepted, chosen = slot.accepted, slot.chosen
    if chosen is not None and instance <= executed:
        progress, value = "executed", chosen
    elif chosen is not None:
        progress, value = "chosen", chosen
    elif accepted is not None:
        progress, value = "accepted", accepted.value
    else:
        return Cell("empty", "empty")
    state = "noop" if value == NOOP else progress
    number = accepted.number if accepted is not None else None
    return Cell(state, progress, short_label(value), describe_value(value), number)


def describe_sent(m: Message) -> str:
    """A message a step sent, in a few words, with sender → receiver."""
    if isinstance(m, Prepare):
        what = f"prepare {m.n} for " + (f"{ranges(m.gaps)} and " if m.gaps else "") + \
            f"≥{m.above}"
    elif isinstance(m, Promise):
        acc = [i for i, _ in m.accepted]
        what = f"promise {m.n}" + (f", accepted in {ranges(acc)}" if acc else
                                   ", nothing accepted")
    elif isinstance(m, Accept):
        what = f"accept {m.n} #{m.instance} {short_label(m.value)}"
    elif isinstance(m, Accepted):
        what = f"accepted {m.n} #{m.instance}"
    elif isinstance(m, Heartbeat):
        chosen = [i for i, _ in m.decisions]
        what = f"heartbeat {m.n}" + (f" +chosen {ranges(chosen)}" if chosen else "")
    elif isinstance(m, Ack | Nack):
        what = f"{type(m).__name__.lower()} {m.n}"
    else:
        what = type(m).__name__.lower()
    return f"{m.sender}→{m.receiver}: {what}"


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
                executed = f.servers[name].executed
                for i in self.instances:
                    got[(name, i)] = cell_of(f.instances.get(i, {}).get(name), i, executed)
            self._cells[cursor] = got
        return got

    def leader(self, cursor: int) -> str | None:
        """The server in the leader role at ``cursor`` (highest number if several)."""
        f = self.frame(cursor)
        leaders = [n for n in self.servers if f.servers[n].role == "leader"]
        if not leaders:
            return None
        return max(leaders, key=lambda n: _natural(f.servers[n]))

    def changes(self, cursor: int) -> list[str]:
        """What changed since the previous frame, per server, in words."""
        if cursor == 0:
            return []
        before, now = self.cells(cursor - 1), self.cells(cursor)
        out: list[str] = []
        f0, f1 = self.frames[cursor - 1], self.frames[cursor]
        for name in self.servers:
            r0, r1 = f0.servers[name].role, f1.servers[name].role
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
                r0, r1 = prev.servers[n].role, f.servers[n].role
                if r0 != r1 and r1 in ("down", "candidate", "leader"):
                    why.append(f"{n} {'crashes' if r1 == 'down' else 'is ' + r1}")
                elif r0 == "down" and r1 != "down":
                    why.append(f"{n} restarts")
                e0, e1 = prev.servers[n].executed, f.servers[n].executed
                if r1 == "leader" and e1 >= e0 + 2:  # a gap closed: a batch runs at once
                    why.append(f"{n} executes {e0 + 1}–{e1} at once")
            noop = [i for (n, i), c in self.cells(k).items() if c.noop]
            if noop and not any(c.noop for c in self.cells(k - 1).values()):
                why.append(f"no-op proposed in {ranges(set(noop))}")
            if why:
                out.append((f"{k}: " + "; ".join(why), k))
        return out


def _natural(info: ServerInfo) -> int:
    return info.number.natural if info.number is not None else 0


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


def _draw_row_label(c: Canvas, name: str, info: ServerInfo, y: float) -> None:
    number = None if info.number is None else str(info.number)
    c.group(_row_canvas(name, info.role or "follower", number, info.executed), 0, y)


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
        first = f.servers[lead].executed + 1
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
        if info.role == "down":
            c.rect(GRID_X0, y, GRID_X1 - GRID_X0, ROW_H - 4, fill=pal.GREY, opacity=0.35)
    if compact:
        return c
    sent = [x.message for x in f.sent if not x.local]
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
    roles = {n: f.servers[n].role for n in v.servers}
    lead = v.leader(cursor)
    candidates = [n for n, r in roles.items() if r == "candidate"]
    down = [n for n, r in roles.items() if r == "down"]
    if lead is not None:
        parts.append(f"Leader: {lead} (proposal number {f.servers[lead].number}).")
    elif candidates:
        parts.append(f"No leader; {', '.join(candidates)} is running phase 1.")
    else:
        parts.append("No leader.")
    if down:
        parts.append(f"Down: {', '.join(down)}.")
    changed = v.changes(cursor)
    if changed:
        parts.append("Changed: " + "; ".join(changed) + ".")
    executed = {n: f.servers[n].executed for n in v.servers}
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
        return lambda k: any(view.frames[k].servers[n].role == role
                             and view.frames[k - 1].servers[n].role != role
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
    return storyboard_cursors(wanted, total, panels)


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
        executed = {n: f.servers[n].executed for n in v.servers}
        text += " Executed: " + ", ".join(f"{n} 1–{e}" if e else f"{n} none"
                                          for n, e in executed.items()) + "."
    return text


# ---------------------------------------------------------------------------
# The built-in runs (the core's scenarios)
# ---------------------------------------------------------------------------


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


class LogWidget(PlayerWidget):
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
        playback = self._build_playback(cursor, "step")
        self.source_menu = w.Dropdown(
            options=[("§3 gap scenario (134, 138, 139 known)", "gap"),
                     (f"failover: the leader crashes (seed {seed})", "failover")],
            value=self.source if self.source in SOURCES else "gap",
            description="run", style={"description_width": "initial"},
            layout=w.Layout(width="380px"), disabled=self.source not in SOURCES)
        # wraps on a narrow page instead of clipping the jump menu
        menus = w.HBox([self.source_menu, self.jump_menu], layout=w.Layout(flex_flow="row wrap"))
        super().__init__([*playback, menus])
        self._wire_playback()
        self.source_menu.observe(self._on_source, names="value")
        self._sync_menus()
        self._refresh()

    def __repr__(self) -> str:
        return f"LogWidget({self.source}: {len(self.view)} steps, " \
               f"{len(self.view.servers)} servers × {len(self.view.instances)} instances)"

    # -- viewing ---------------------------------------------------------------------
    def last(self) -> int:
        return len(self.view)

    def check_cursor(self, cursor: int) -> None:
        self.view.check_cursor(cursor)

    def jumps(self) -> list[Jump]:
        return [*self.view.notable(), (f"{len(self.view)}: the end", len(self.view))]

    def frame(self) -> tuple[str, str]:
        return render(self.view, self.cursor), caption(self.view, self.cursor)

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
        self._sync_playback()
        if self.source in SOURCES:
            with self.syncing():
                self.source_menu.value = self.source

    def _on_source(self, change: dict) -> None:
        if not self._syncing and change["new"] != self.source:
            self._guarded(lambda: self.show(change["new"]))
