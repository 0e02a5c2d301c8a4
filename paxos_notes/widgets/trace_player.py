"""TracePlayer: play any simulator or model-checker `Trace`, or drive a live simulation.

A trace (`paxos_notes.trace`) is a list of events: send, deliver, drop,
duplicate, crash, restart, promise, accept, chosen, learned, violation, ...
What the events up to a cursor add up to — which agents are up, which messages
are in flight, each acceptor's promise and accepted proposal, each proposer's
request in progress, what each learner learned — is the core's business
(`paxos_notes.trace_state`); this module only draws it. Each frame shows

- the cluster as a graph (networkx multipartite layout: proposers, acceptors,
  learners), agents coloured and shaped by role, crashed agents grey and dashed;
- every message in flight as a labelled arrow ("prepare 3", "promise 3 (2, 'y')",
  "accept 3 'y'", "accepted 3 'y'"), the message just delivered or lost as a
  dotted ghost;
- an acceptor table (promised, accepted) and the proposers' and learners' state;
- a message-sequence chart of the whole trace (time to the right, one lane per
  agent) with the cursor, the future dimmed.

Controls: step back/forward, play/pause (``ipywidgets.Play``) with a speed,
a slider over the events, and a menu of notable events to jump to. Over a
manual-mode `Simulation` the player is live (RaftScope and DSLabs are the
models): the reader delivers, drops or duplicates a chosen pending message,
has a proposer start a proposal, and crashes or restarts agents.

Frames are SVG text built directly (see `paxos_notes.widgets._draw` for why:
~1 ms instead of ~40 ms per matplotlib frame); the static `storyboard` replays
the same shapes with matplotlib.

Usage::

    from paxos_notes.widgets import TracePlayer
    TracePlayer()                               # a seeded run of two proposers
    TracePlayer(sim)                            # live, over Simulation(..., manual=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

# imported for its effect: the checker's variant classes join the table that a trace's
# header names its agents from, so that a counterexample's trace file loads here too
from ..checker import variants as _variants  # noqa: F401
from ..messages import Accept, Message
from ..trace import Trace
from ..trace_state import ROLES, Snapshot, TraceState
from . import palette as pal
from ._base import Jump, PlayerWidget
from ._draw import Canvas, storyboard_cursors, storyboard_figure, text_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH = 1000.0
GRAPH_W, GRAPH_H = 560.0, 400.0
TABLE_X = 580.0
MSC_Y = 420.0
MSC_LANE = 22.0
MSC_X0, MSC_X1 = 70.0, 985.0
MAX_LISTED = 12
LABEL_SPOTS = (0.78, 0.64, 0.5, 0.36, 0.86, 0.71, 0.57, 0.43, 0.29)


def _as_trace(trace: Any) -> Trace:
    """Accept a Trace, a trace dict, JSON text or a path; a bad one raises ValueError.

    A string is JSON text when it starts with ``{`` (every trace file does), and
    a file's path otherwise: ``TracePlayer("out.json")`` plays the file, as a
    reader would expect, and a missing one says it cannot be read.
    """
    if isinstance(trace, Trace):
        return trace
    if isinstance(trace, dict):
        return Trace.from_dict(trace)
    if isinstance(trace, Path):
        return Trace.load(trace)
    if isinstance(trace, str):
        return Trace.from_json(trace) if trace.lstrip().startswith("{") else Trace.load(trace)
    raise ValueError(f"trace must be a Trace, a Simulation, a trace dict, JSON text, a Path "
                     f"or a file name, "
                     f"got {type(trace).__name__}")


class TraceView(TraceState):
    """A trace folded once (`paxos_notes.trace_state.TraceState`), with what drawing
    needs besides: the agents' positions and the static message-sequence chart.

    Pure with respect to the trace: `render(view, cursor)` depends only on the
    trace's events.
    """

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self._chart: Canvas | None = None
        self._chart_len = -1

    def positions(self) -> dict[str, tuple[float, float]]:
        return dict(_layout(tuple(self.roles.items())))

    def chart(self) -> Canvas:
        """The message-sequence chart of the whole trace (built once per trace length)."""
        if self._chart is None or self._chart_len != len(self):
            self._chart = _chart(self).freeze()
            self._chart_len = len(self)
        return self._chart


@lru_cache(maxsize=32)
def _layout(agents: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[float, float]], ...]:
    """Node positions from networkx's multipartite layout, one column per role."""
    import networkx as nx

    g = nx.Graph()
    layer = {r: i for i, r in enumerate(ROLES)}
    for name, role in agents:
        g.add_node(name, layer=layer[role])
    if not agents:
        return ()
    pos = nx.multipartite_layout(g, subset_key="layer", align="vertical")
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    # networkx spreads each column evenly but in its own order; keep its geometry and
    # hand the column's slots out in name order, top to bottom.
    slots: dict[int, list[float]] = {}
    for name, role in agents:
        slots.setdefault(layer[role], []).append(float(pos[name][1]))
    for ys_of_layer in slots.values():
        ys_of_layer.sort(reverse=True)
    taken: dict[int, int] = {}
    out = []
    for name, role in agents:
        k = layer[role]
        y = slots[k][taken.get(k, 0)]
        taken[k] = taken.get(k, 0) + 1
        x = float(pos[name][0])
        px = 70 + (x - x_lo) / (x_hi - x_lo) * (GRAPH_W - 150) if x_hi > x_lo else GRAPH_W / 2
        py = 80 + (y_hi - y) / (y_hi - y_lo) * (GRAPH_H - 140) if y_hi > y_lo else GRAPH_H / 2
        out.append((name, (px, py)))
    return tuple(out)


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _style(m: Message) -> tuple[str, str]:
    return pal.MESSAGE_STYLES.get(type(m).__name__, (pal.GREY, "dotted"))


def _agent_state(view: TraceView, snap: Snapshot, name: str) -> str:
    role = view.roles[name]
    if role == "acceptor":
        p, a = snap.promised.get(name), snap.accepted.get(name)
        return f"promised {p if p is not None else '-'} · accepted {a if a else '-'}"
    if role == "proposer":
        request = snap.request(name)
        return request.describe() if request is not None else "idle"
    if role == "learner":
        v = snap.learned.get(name)
        return f"learned {v!r}" if v else "learned nothing"
    return ""


def _offset_line(a: tuple[float, float], b: tuple[float, float], shift: float,
                 trim: float = 26.0) -> tuple[float, float, float, float]:
    """The segment a→b shortened by ``trim`` at both ends and moved ``shift`` to its left."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    d = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / d, dy / d
    nx_, ny_ = -uy * shift, ux * shift
    return (x1 + ux * trim + nx_, y1 + uy * trim + ny_, x2 - ux * trim + nx_,
            y2 - uy * trim + ny_)


def _draw_graph(c: Canvas, view: TraceView, snap: Snapshot) -> None:
    pos = view.positions()
    c.text(10, 16, "cluster", size=13, bold=True)
    for col, role in ((70, "proposers"), ((GRAPH_W - 80) / 2 + 35, "acceptors"),
                      (GRAPH_W - 80, "learners")):
        if any(r == role[:-1] for r in view.roles.values()):
            c.text(col, 36, role, size=11, anchor="middle", italic=True, fill=pal.GREY)
    last = snap.last
    recent = snap.recent
    # the message just delivered or lost (this step): a dotted ghost
    if recent is not None and recent.message is not None:
        m = recent.message
        if m.sender in pos and m.receiver in pos:
            x1, y1, x2, y2 = _offset_line(pos[m.sender], pos[m.receiver], 0.0)
            c.arrow(x1, y1, x2, y2, stroke=pal.INK, width=2.5, dash="dotted", head=9)
            word = "delivered" if recent.kind == "deliver" else "lost ✕"
            c.label((x1 + x2) / 2, (y1 + y2) / 2 - 12, f"{word}: {m.describe()}", size=10,
                    border=pal.INK, bold=True)
    # messages in flight
    lanes: dict[tuple[str, str], int] = {}
    labels: list[tuple[float, float, str, str]] = []
    states = {name: ("down" if not snap.up.get(name, True) else _agent_state(view, snap, name))
              for name in pos}
    boxes: list[tuple[float, float, float, float]] = [
        (x, y + 33, text_width(states[name], 9) / 2 + 3, 7.0) for name, (x, y) in pos.items()
        if states[name]]
    for msg_id in sorted(snap.in_flight):
        m = snap.in_flight[msg_id]
        if m.sender not in pos or m.receiver not in pos:
            continue
        j = lanes.get((m.sender, m.receiver), 0)
        lanes[(m.sender, m.receiver)] = j + 1
        colour, dash = _style(m)
        x1, y1, x2, y2 = _offset_line(pos[m.sender], pos[m.receiver], 5.0 + 9.0 * j)
        c.arrow(x1, y1, x2, y2, stroke=colour, width=1.6, dash=dash, head=8)
        # Labels sit preferably near the end whose column is more spread out (the
        # acceptors'); each takes the first spot along its line that overlaps no label
        # placed before it and no agent.
        near_receiver = view.roles.get(m.receiver) == "acceptor" or \
            view.roles.get(m.sender) != "acceptor"
        ts = LABEL_SPOTS if near_receiver else tuple(1.0 - t for t in LABEL_SPOTS)
        text = m.describe()
        half_w, half_h = text_width(text, 9) / 2 + 4, 8.0
        best, best_hits = ts[0], None
        for t in ts:
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            hits = sum(abs(x - bx) < half_w + bw and abs(y - by) < half_h + bh
                       for bx, by, bw, bh in boxes)
            hits += sum(abs(x - ax) < half_w + 22 and abs(y - ay) < half_h + 22
                        for ax, ay in pos.values())
            if best_hits is None or hits < best_hits:
                best, best_hits = t, hits
            if hits == 0:
                break
        x, y = x1 + (x2 - x1) * best, y1 + (y2 - y1) * best
        boxes.append((x, y, half_w, half_h))
        labels.append((x, y, text, colour))
    for x, y, text, colour in labels:  # on top of every arrow
        c.label(x, y, text, size=9, border=colour)
    # agents
    for name, (x, y) in pos.items():
        role = view.roles[name]
        up = snap.up.get(name, True)
        colour = pal.ROLE_COLOURS.get(role, pal.LIGHT_GREY) if up else pal.DOWN_COLOUR
        involved = last is not None and (last.agent == name)
        if involved:
            c.circle(x, y, 27, stroke=pal.INK, width=3.0)
        c.marker(pal.ROLE_MARKERS.get(role, "circle"), x, y, 20, colour, pal.INK,
                 width=1.5 if up else 2.0, dash="solid" if up else "dashed")
        c.text(x, y, name, size=12, anchor="middle", bold=True)
        state = states[name]
        if state:
            c.label(x, y + 33, state, size=9, background=pal.PAPER,
                    bold=not up)


def _draw_tables(c: Canvas, view: TraceView, snap: Snapshot, compact: bool = False) -> None:
    x = TABLE_X
    y = 16.0
    c.text(x, y, "acceptors (stable storage)", size=13, bold=True)
    y += 20
    c.text(x, y, "name", size=10, bold=True)
    c.text(x + 60, y, "promised", size=10, bold=True)
    c.text(x + 140, y, "accepted", size=10, bold=True)
    c.text(x + 260, y, "state", size=10, bold=True)
    last_agent = snap.last.agent if snap.last is not None else ""
    for name, role in view.roles.items():
        if role != "acceptor":
            continue
        y += 17
        up = snap.up.get(name, True)
        if name == last_agent:
            c.rect(x - 4, y - 8, 400, 16, fill=pal.YELLOW, opacity=0.45)
        p, a = snap.promised.get(name), snap.accepted.get(name)
        c.text(x, y, name, size=10)
        c.text(x + 60, y, str(p) if p is not None else "-", size=10)
        c.text(x + 140, y, str(a) if a else "-", size=10)
        c.text(x + 260, y, "up" if up else "DOWN (crashed)", size=10, bold=not up)
    if compact:  # storyboards: the graph and the caption say the rest
        return
    others = [n for n, r in view.roles.items() if r != "acceptor"]
    if others:
        y += 24
        c.text(x, y, "proposers and learners", size=13, bold=True)
        for name in others:
            y += 17
            if name == last_agent:
                c.rect(x - 4, y - 8, 400, 16, fill=pal.YELLOW, opacity=0.45)
            up = snap.up.get(name, True)
            c.text(x, y, name, size=10)
            c.text(x + 60, y, _agent_state(view, snap, name) if up else "DOWN (crashed)",
                   size=10, bold=not up)
    y += 24
    c.text(x, y, f"in flight: {len(snap.in_flight)} message"
           f"{'' if len(snap.in_flight) == 1 else 's'}", size=13, bold=True)
    ids = sorted(snap.in_flight)
    for msg_id in ids[:MAX_LISTED]:
        y += 15
        m = snap.in_flight[msg_id]
        colour, dash = _style(m)
        c.line(x, y, x + 18, y, stroke=colour, width=2.0, dash=dash)
        c.text(x + 24, y, f"#{msg_id} {m.sender}→{m.receiver}: {m.describe()}", size=10)
    if len(ids) > MAX_LISTED:
        y += 15
        c.text(x + 24, y, f"… and {len(ids) - MAX_LISTED} more", size=10, italic=True)


def _lane_y(i: int) -> float:
    return MSC_Y + 30 + i * MSC_LANE


def _x(view: TraceView, index: float) -> float:
    total = max(len(view), 1)
    return MSC_X0 + (MSC_X1 - MSC_X0) * index / total


def _chart(view: TraceView) -> Canvas:
    """The static part of the message-sequence chart: lanes, messages, marks."""
    names = list(view.roles)
    height = 30 + MSC_LANE * len(names) + 10
    c = Canvas(WIDTH, max(height, 1.0))
    lane = {n: _lane_y(i) - MSC_Y for i, n in enumerate(names)}
    c.text(10, 12, "message-sequence chart (one lane per agent, events in order →)", size=13,
           bold=True)
    for n in names:
        colour = pal.ROLE_COLOURS.get(view.roles[n], pal.GREY)
        c.line(MSC_X0, lane[n], MSC_X1, lane[n], stroke=pal.LIGHT_GREY, width=1.0)
        c.marker(pal.ROLE_MARKERS.get(view.roles[n], "circle"), 14, lane[n], 5, colour,
                 pal.INK, width=0.8)
        c.text(24, lane[n], n, size=10)
    events = view.trace.events[: len(view)]
    start: dict[int, tuple[int, Message]] = {}
    ends: dict[int, tuple[int, str]] = {}
    for i, e in enumerate(events):
        if e.kind in ("send", "duplicate") and e.msg_id is not None and e.message is not None:
            start[e.msg_id] = (i, e.message)
        elif e.kind in ("deliver", "drop") and e.msg_id is not None and e.msg_id in start \
                and e.msg_id not in ends:
            ends[e.msg_id] = (i, e.kind)
    for msg_id, (i, m) in start.items():
        if m.sender not in lane or m.receiver not in lane:
            continue
        colour, dash = _style(m)
        x1, y1 = _x(view, i + 0.5), lane[m.sender]
        end = ends.get(msg_id)
        if end is None:  # still in flight when the trace ends
            c.line(x1, y1, MSC_X1, (y1 + lane[m.receiver]) / 2, stroke=colour, width=1.0,
                   dash="dotted", opacity=0.7)
            continue
        j, how = end
        x2, y2 = _x(view, j + 0.5), lane[m.receiver]
        if how == "drop":
            ym = (y1 + y2) / 2
            c.line(x1, y1, x2, ym, stroke=colour, width=1.0, dash=dash)
            c.text(x2, ym, "×", size=12, anchor="middle", bold=True, fill=pal.VERMILLION)
        else:
            c.line(x1, y1, x2, y2, stroke=colour, width=1.2, dash=dash)
            c.circle(x2, y2, 1.8, fill=colour)
    top, bottom = lane[names[0]] - 10 if names else 20, (lane[names[-1]] + 10 if names else 30)
    for i, e in enumerate(events):
        x = _x(view, i + 0.5)
        if e.kind in ("crash", "restart") and e.agent in lane:
            c.marker("square", x, lane[e.agent], 4, pal.GREY if e.kind == "crash" else pal.PAPER,
                     pal.INK, width=1.0)
        elif e.kind == "chosen":
            c.line(x, top, x, bottom, stroke=pal.BLUISH_GREEN, width=1.5, dash="dashdot")
        elif e.kind == "violation":
            c.line(x, top, x, bottom, stroke=pal.VERMILLION, width=2.0)
            c.text(x + 2, top - 4, "!", size=11, bold=True, fill=pal.VERMILLION)
        elif e.kind == "learned" and e.agent in lane:
            c.marker("diamond", x, lane[e.agent], 4, pal.BLUISH_GREEN, pal.INK, width=0.8)
    return c


def canvas(view: TraceView, cursor: int, compact: bool = False) -> Canvas:
    """The frame at ``cursor`` as shapes (see `render`). ``compact`` leaves out the
    proposer/learner table, the list of messages in flight and the legend's notes
    (matplotlib draws text slowly; storyboards say those things in their captions)."""
    snap = view.at(cursor)
    chart = view.chart()
    height = MSC_Y + chart.height + (24 if compact else 76)
    c = Canvas(WIDTH, height, title=f"Trace at event {cursor} of {len(view)}")
    c.rect(0, 0, GRAPH_W, GRAPH_H, fill="#FAFAFA", stroke=pal.LIGHT_GREY)
    _draw_graph(c, view, snap)
    _draw_tables(c, view, snap, compact)
    c.group(chart, 0, MSC_Y)
    # the cursor and the dimmed future
    xc = _x(view, cursor)
    lanes_top, lanes_bottom = MSC_Y + 18, MSC_Y + chart.height
    if cursor < len(view):
        c.rect(xc, lanes_top, MSC_X1 - xc + 4, lanes_bottom - lanes_top, fill=pal.PAPER,
               opacity=0.7)
    c.line(xc, lanes_top - 4, xc, lanes_bottom, stroke=pal.INK, width=2.0)
    label = f"event {cursor}"
    if xc + 8 + text_width(label, 10) < MSC_X1:
        c.text(xc + 4, lanes_bottom + 8, label, size=10, bold=True)
    else:
        c.text(xc - 4, lanes_bottom + 8, label, size=10, bold=True, anchor="end")
    if not compact:
        _legend(c, height - 40)
    return c


LEGEND = ("Proposers: orange squares; acceptors: blue circles; learners: green diamonds; "
          "a crashed agent is grey with a dashed outline. Arrows are messages in flight: "
          "phase 1 (prepare, promise) blue, phase 2 (accept, accepted) vermillion; requests "
          "solid, replies dashed; the dotted black arrow is the message just delivered or "
          "lost. Chart: one lane per agent, events left to right, × = lost, green dash-dot = "
          "a value chosen, red line = a violation; the black line is the cursor.")


def _legend(c: Canvas, y: float) -> None:
    x = 10.0
    for role in ("proposer", "acceptor", "learner"):
        c.marker(pal.ROLE_MARKERS[role], x + 6, y, 6, pal.ROLE_COLOURS[role], pal.INK)
        c.text(x + 16, y, role, size=10)
        x += 80
    c.marker("circle", x + 6, y, 6, pal.DOWN_COLOUR, pal.INK, dash="dashed", width=1.5)
    c.text(x + 16, y, "crashed (grey, dashed)", size=10)
    x += 150
    for kind in ("Prepare", "Promise", "Accept", "Accepted"):
        colour, dash = pal.MESSAGE_STYLES[kind]
        c.line(x, y, x + 22, y, stroke=colour, width=2.0, dash=dash)
        c.text(x + 26, y, kind.lower(), size=10)
        x += 26 + text_width(kind, 10) + 12
    c.text(10, y + 20, "phase 1 blue, phase 2 vermillion; requests solid, replies dashed; "
           "dotted black: the message just delivered or lost; in the chart × = lost, "
           "green dash-dot = a value chosen, red line = a violation", size=10)


def render(view: TraceView | Trace, cursor: int) -> str:
    """The frame at ``cursor`` as a deterministic SVG string."""
    v = view if isinstance(view, TraceView) else TraceView(view)
    return canvas(v, cursor).to_svg()


def caption(view: TraceView | Trace, cursor: int) -> str:
    """The frame in words."""
    v = view if isinstance(view, TraceView) else TraceView(view)
    snap = v.at(cursor)
    total = len(v)
    k = len(snap.in_flight)
    flight = f"{k} message{'' if k == 1 else 's'} in flight."
    if snap.last is None:
        return (f"Start of a trace of {total} events: nothing has happened yet. {flight} "
                f"Step forward or press play.")
    e = snap.last
    # A manual-mode trace has no clock: its time stays 0, so leave it out.
    when = "" if v.trace.meta.get("manual") else f" (t = {e.time:g})"
    parts = [f"Event {cursor} of {total}{when}: {e.describe()}."]
    down = sorted(n for n, up in snap.up.items() if not up)
    if down:
        parts.append(f"Down: {', '.join(down)}.")
    parts.append(flight)
    if snap.chosen:
        parts.append(snap.chosen[0].upper() + snap.chosen[1:] + ".")
    if snap.violations and e.kind != "violation":
        parts.append("Violation so far: " + snap.violations[-1] + ".")
    if snap.partition:
        parts.append(f"Network partitioned: {snap.partition}.")
    return " ".join(parts)


def storyboard(trace: Trace | TraceView, cursors: Iterable[int] | None = None,
               columns: int = 2, panels: int = 4) -> Figure:
    """Key frames of a trace as a matplotlib Figure. By default: the start, the first
    events of phase 2, the first value chosen, any violation, and the end."""
    view = trace if isinstance(trace, TraceView) else TraceView(_as_trace(trace))
    chosen = list(cursors) if cursors is not None else key_frames(view, panels)
    frames = [(canvas(view, i, compact=True), caption(view, i)) for i in chosen]
    return storyboard_figure(frames, columns=columns, panel_width=6.0,
                             title="Trace: key frames", caption_lines=5, legend=LEGEND)


def key_frames(view: TraceView, panels: int = 4) -> list[int]:
    """Cursors worth a panel, by priority: the start, the end, the first violation, the
    first value chosen, the first accept request, the first acceptance; then evenly
    spaced cursors until there are ``panels``."""
    if panels < 1:
        raise ValueError(f"panels must be >= 1, got {panels}")
    total = len(view)
    events = view.trace.events[:total]
    wanted = [0, total]
    for test in (lambda e: e.kind == "violation",
                 lambda e: e.kind == "chosen",
                 lambda e: e.kind == "send" and isinstance(e.message, Accept),
                 lambda e: e.kind == "accept"):
        i = next((i for i, e in enumerate(events) if test(e)), None)
        if i is not None:
            wanted.append(i + 1)
    return storyboard_cursors(wanted, total, panels)


# ---------------------------------------------------------------------------
# The default scene
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_trace_json() -> str:
    from ..cluster import Cluster
    from ..sim import Network, Simulation

    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1), seed=DEFAULT_SEED,
                     network=Network(loss=0.08, duplication=0.05))
    sim.run(until=40.0)
    return sim.trace.to_json()


DEFAULT_SEED = 0


def default_trace() -> Trace:
    """A seeded run: two proposers, three acceptors, one learner, a lossy network."""
    return Trace.from_json(_default_trace_json())


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------


class TracePlayer(PlayerWidget):
    """Play a trace; over a manual-mode Simulation, act on it live.

    ``TracePlayer()`` plays a seeded default run; ``TracePlayer(trace)`` any `Trace`
    (or a trace dict, JSON text, a Path, or a string naming a file:
    ``TracePlayer("out.json")``); ``TracePlayer(sim)`` a live
    ``Simulation(..., manual=True)``, which must record its events (not
    ``record=False``). ``cursor`` sets the first frame (default 0; live mode
    starts at the end).
    """

    def __init__(self, trace: Any = None, *, cursor: int | None = None) -> None:
        from ..sim import Simulation

        self.sim: Simulation | None = None
        if isinstance(trace, Simulation):
            if not trace.record:  # its trace is empty: the player would show nothing
                # happening while messages are in flight
                raise ValueError("trace must be a Simulation that records its events; this "
                                 "one was made with record=False and keeps none (use "
                                 "record=True, the default)")
            self.sim = trace
            source = trace.trace
        elif trace is None:
            source = default_trace()
        else:
            source = _as_trace(trace)
        self.view = TraceView(source)
        live = self.sim is not None and self.sim.manual
        start = len(self.view) if cursor is None and live else (cursor or 0)
        self.view.at(start)  # validates
        controls = [*self._build_playback(start, "event"), self.jump_menu]
        self.live_box = w.VBox()
        if live:
            self._build_live()
            controls.append(self.live_box)
        super().__init__(controls)
        self._wire_playback()
        self._sync_menus()
        self._refresh()

    def __repr__(self) -> str:
        mode = "live" if self.live else "replay"
        return f"TracePlayer({len(self.view)} events, {mode})"

    @property
    def live(self) -> bool:
        return self.sim is not None and self.sim.manual

    # -- viewing ---------------------------------------------------------------------
    def last(self) -> int:
        return len(self.view)

    def check_cursor(self, cursor: int) -> None:
        self.view.at(cursor)  # validates

    def jumps(self) -> list[Jump]:
        return self.view.notable()

    def frame(self) -> tuple[str, str]:
        text = caption(self.view, self.cursor)
        if self.live and self.sim is not None and not self.sim.in_flight:
            text += " Live: choose a proposer and press \"start phase 1\"."
        return render(self.view, self.cursor), text

    @property
    def snapshot(self) -> Snapshot:
        return self.view.at(self.cursor)

    def storyboard(self, cursors: Iterable[int] | None = None, columns: int = 2) -> Figure:
        return storyboard(self.view, cursors, columns)

    # -- live actions --------------------------------------------------------------------
    def deliver(self, msg_id: int | None = None) -> None:
        """Deliver a pending message (the one chosen in the menu by default)."""
        self._act(lambda sim: sim.deliver(self._chosen_id(msg_id)))

    def drop(self, msg_id: int | None = None) -> None:
        self._act(lambda sim: sim.drop(self._chosen_id(msg_id)))

    def duplicate(self, msg_id: int | None = None) -> None:
        self._act(lambda sim: sim.duplicate(self._chosen_id(msg_id)))

    def crash(self, name: str | None = None) -> None:
        self._act(lambda sim: sim.crash(name or self.agent_menu.value))

    def restart(self, name: str | None = None) -> None:
        self._act(lambda sim: sim.restart(name or self.agent_menu.value))

    def propose(self, name: str | None = None) -> None:
        self._act(lambda sim: sim.propose(name or self.proposer_menu.value))

    def _chosen_id(self, msg_id: int | None) -> int:
        if msg_id is not None:
            return msg_id
        value = self.pending_menu.value
        if value is None:
            raise ValueError("no message is pending: propose, or restart an agent")
        return value

    def _act(self, action: Any) -> None:
        if not self.live:
            raise ValueError("live actions need TracePlayer(Simulation(..., manual=True))")
        try:
            action(self.sim)
        except ValueError as e:
            self._say(str(e))
            return
        self._say("")
        self.view.extend()
        self.cursor = len(self.view)
        self._sync_menus()
        self._refresh()

    def _build_live(self) -> None:
        assert self.sim is not None
        style = {"description_width": "initial"}
        self.pending_menu = w.Dropdown(description="pending message", style=style,
                                       layout=w.Layout(width="520px"))
        self.deliver_button = w.Button(description="deliver", button_style="success")
        self.drop_button = w.Button(description="drop")
        self.duplicate_button = w.Button(description="duplicate")
        names = list(self.sim.agents)
        self.agent_menu = w.Dropdown(options=names, value=names[0], description="agent")
        self.crash_button = w.Button(description="crash")
        self.restart_button = w.Button(description="restart")
        proposers = list(self.sim.cluster.proposer_names)
        self.proposer_menu = w.Dropdown(options=proposers, value=proposers[0],
                                        description="proposer")
        self.propose_button = w.Button(description="start phase 1")
        self.deliver_button.on_click(lambda _b: self.deliver())
        self.drop_button.on_click(lambda _b: self.drop())
        self.duplicate_button.on_click(lambda _b: self.duplicate())
        self.crash_button.on_click(lambda _b: self.crash())
        self.restart_button.on_click(lambda _b: self.restart())
        self.propose_button.on_click(lambda _b: self.propose())
        self.live_box.children = [
            w.HBox([self.pending_menu, self.deliver_button, self.drop_button,
                    self.duplicate_button]),
            w.HBox([self.agent_menu, self.crash_button, self.restart_button,
                    self.proposer_menu, self.propose_button]),
        ]

    # -- plumbing ------------------------------------------------------------------------
    def _sync_menus(self) -> None:
        self._sync_playback()
        if self.live:
            assert self.sim is not None
            with self.syncing():
                options = [(p.describe(), p.id) for p in self.sim.pending()]
                self.pending_menu.options = options or [("(nothing in flight)", None)]
                self.pending_menu.value = options[0][1] if options else None
