"""Presentation for ``01_introduction.ipynb`` (§1: the state machine approach).

The notebook defines the bank account, ``execute`` and ``replicate`` in its
cells, and runs the naive broadcast with `paxos_notes.broadcast`; this module
only shows what they produce:

- tables: a transition function (`transition_table`), replicas side by side
  (`replicas_table`, with `verdict` as its caption);
- a broadcast run in words (`narrate`, `summary`);
- figures: the automaton (networkx), each replica's state after each command,
  and a timeline of a broadcast run.

``replicas`` below is what the notebook's ``replicate`` returns: for each
replica, ``(commands, states, outputs)``, the start state first in ``states``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..broadcast import Broadcast, Happening, happenings
from ..paper import Table
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Machine = Callable[[Any, str], tuple[Any, str]]  # (state, input) -> (next state, output)
Replicas = Mapping[str, tuple[Sequence[str], Sequence[int], Sequence[str]]]

# inputs in the order the notebook lists them: drawn above the states, then below
ARROWS = ((pal.BLUE, "-", "solid"), (pal.VERMILLION, "--", "dashed"))


def coins(n: int) -> str:
    return f"{n} coin" if n == 1 else f"{n} coins"


def short(commands: Iterable[str]) -> str:
    """A log in one line: ``+`` for a deposit, ``-`` for a withdrawal."""
    marks = {"deposit": "+", "withdraw": "-"}
    return " ".join(marks.get(c, c) for c in commands) or "(nothing)"


def transition_table(machine: Machine, states: Iterable[Any], inputs: Sequence[str],
                     name: str = "bank account") -> Table:
    """Every (state, input) and what ``machine`` does with it."""
    rows = tuple((str(s), i, *map(str, machine(s, i))) for s in states for i in inputs)
    return Table(("state", "input", "next state", "output"), rows,
                 caption=f"{name}: the transition function")


def groups(replicas: Replicas) -> list[list[str]]:
    """Replicas grouped by final state, in name order."""
    by: dict[Any, list[str]] = {}
    for name in sorted(replicas):
        by.setdefault(replicas[name][1][-1], []).append(name)
    return list(by.values())


def verdict(replicas: Replicas) -> str:
    """Agree (same final state and same outputs) or diverge, and how."""
    if len({(r[1][-1], tuple(r[2])) for r in replicas.values()}) == 1:
        return "all replicas agree: same final state, same outputs"
    gs = groups(replicas)
    if len(gs) == 1:
        final = next(iter(replicas.values()))[1][-1]
        return f"the replicas diverge: all end with {coins(final)}, but their outputs differ"
    parts = []
    for g in gs:
        who = g[0] if len(g) == 1 else ", ".join(g[:-1]) + " and " + g[-1]
        parts.append(f"{who} {'ends' if len(g) == 1 else 'end'} with "
                     f"{coins(replicas[g[0]][1][-1])}")
    return "the replicas diverge: " + "; ".join(parts)


def replicas_table(replicas: Replicas) -> Table:
    rows = tuple((name, short(cmds), " ".join(outs) or "-", " → ".join(map(str, states)),
                  str(states[-1])) for name, (cmds, states, outs) in sorted(replicas.items()))
    return Table(("replica", "log (+ deposit, - withdraw)", "outputs", "states", "final"),
                 rows, caption=verdict(replicas))


# -- a broadcast run, in words ----------------------------------------------------------


def _line(h: Happening) -> str:
    if h.kind in ("crash", "restart"):
        return f"{h.replica} {'crashes' if h.kind == 'crash' else 'restarts'}"
    copy = "; the network's extra copy" if h.copy else ""
    what = f"{h.client}'s {h.command} (sent at t={h.sent:g}{copy})"
    if h.kind == "deliver":
        return f"{h.replica} receives {what}"
    if h.kind == "lost":
        return f"{what} is lost on its way to {h.replica}"
    return f"{what} reaches {h.replica} while it is down: missed"


def narrate(run: Broadcast) -> list[str]:
    """Numbered lines, one per delivery, loss, miss, crash or restart, in time order."""
    return [f"{i:2}. t={h.time:5.2f}  {_line(h)}" for i, h in enumerate(happenings(run), 1)]


def summary(run: Broadcast) -> str:
    """The run's fault counts in one line."""
    hs = happenings(run)
    count = {k: sum(h.kind == k for h in hs) for k in ("deliver", "lost", "missed", "crash")}
    dup = sum(h.copy for h in hs if h.kind != "lost")
    crashes = f"{count['crash']} crash{'' if count['crash'] == 1 else 'es'}"
    return (f"seed {run.seed}: {count['deliver']} deliveries, {count['lost']} lost, {dup} "
            f"duplicated, {crashes} ({count['missed']} missed while down)")


# -- figures ---------------------------------------------------------------------------------


def automaton_figure(machine: Machine, states: Sequence[Any], inputs: Sequence[str],
                     start: Any, accepting: Iterable[Any] = ()) -> Figure:
    """The automaton as a graph: one node per state, one arrow per transition.

    Drawn with networkx on a figure without pyplot. The start state has an
    incoming arrow from "start"; accepting states have a double ring. The
    first input's arrows are blue and solid, above the states, the second's
    vermillion and dashed, below; an input that leaves the state unchanged is
    a loop on it.
    """
    import networkx as nx

    states, accepting = list(states), set(accepting)
    g = nx.MultiDiGraph()
    g.add_nodes_from(states)
    for s in states:
        for i in inputs:
            nxt, out = machine(s, i)
            g.add_edge(s, nxt, command=i, output=out)
    pos = {s: (float(k), 0.0) for k, s in enumerate(states)}
    fig = new_figure(1.9 * len(states) + 1.2, 3.3)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    side = {i: k for k, i in enumerate(inputs)}  # 0: above, 1: below
    normal = [(u, v, d) for u, v, d in g.edges(data=True) if u != v]
    for i in inputs:
        colour, _, dash = ARROWS[side[i]]
        nx.draw_networkx_edges(g, pos, edgelist=[(u, v) for u, v, d in normal
                                                 if d["command"] == i],
                               ax=ax, edge_color=colour, style=dash, width=1.8, arrowsize=16,
                               connectionstyle="arc3,rad=-0.35", node_size=1500)
    for u, v, d in normal:
        colour = ARROWS[side[d["command"]]][0]
        ax.text((pos[u][0] + pos[v][0]) / 2, 0.2 if side[d["command"]] == 0 else -0.2,
                f"{d['command']} / {d['output']}", ha="center", va="center", fontsize=8.5,
                color=colour, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    for u, v, d in g.edges(data=True):
        if u != v:
            continue
        colour, line, _ = ARROWS[side[d["command"]]]
        sign = 1 if side[d["command"]] == 0 else -1
        x, y0 = pos[u]
        cy, r = y0 + sign * 0.31, 0.12
        t = [k / 40 * 2 * math.pi for k in range(41)]
        ax.plot([x + r * math.cos(a) for a in t], [cy + r * math.sin(a) for a in t],
                color=colour, linestyle=line, linewidth=1.8)
        ax.annotate("", xy=(x + 0.05, y0 + sign * 0.2), xytext=(x + 0.11, y0 + sign * 0.26),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.5})
        ax.text(x, cy + sign * 0.2, f"{d['command']} / {d['output']}", ha="center",
                va="center", fontsize=8.5, color=colour)
    nx.draw_networkx_nodes(g, pos, ax=ax, edgecolors=pal.INK, node_size=1500, linewidths=1.5,
                           node_color=[pal.SKY_BLUE if s in accepting else pal.PAPER
                                       for s in states])
    nx.draw_networkx_nodes(g, pos, nodelist=[s for s in states if s in accepting], ax=ax,
                           node_color="none", edgecolors=pal.INK, node_size=1000,
                           linewidths=1.2)
    nx.draw_networkx_labels(g, pos, ax=ax, labels={s: str(s) for s in states}, font_size=15,
                            font_weight="bold")
    sx, sy = pos[start]
    ax.annotate("start", xy=(sx - 0.22, sy), xytext=(sx - 0.75, sy), fontsize=10,
                ha="center", va="center",
                arrowprops={"arrowstyle": "-|>", "color": pal.INK, "lw": 1.5})
    ax.set_xlim(-0.95, len(states) - 0.45)
    ax.set_ylim(-0.78, 0.78)
    ax.text(-0.9, -0.74, "states: coins in the account · double ring, shaded: accepting "
            f"(in credit)\nblue solid: {inputs[0]} · vermillion dashed: {inputs[1]} · "
            "each arrow is labelled input / output", fontsize=8.5, color=pal.INK, va="bottom")
    return fig


def states_figure(replicas: Replicas, title: str = "") -> Figure:
    """Each replica's state after each command: one line per replica.

    Replicas differ by colour, marker and dash, and each final state is
    labelled with its replicas, so the picture does not depend on colour.
    """
    fig = new_figure(6.4, 3.0)
    ax = fig.add_axes((0.1, 0.17, 0.68, 0.7))
    styles = (("o", "-", pal.BLUE), ("s", "--", pal.ORANGE), ("^", ":", pal.BLUISH_GREEN),
              ("D", "-.", pal.REDDISH_PURPLE))
    names = sorted(replicas)
    for k, name in enumerate(names):
        states = replicas[name][1]
        marker, dash, colour = styles[k % len(styles)]
        offset = (k - (len(names) - 1) / 2) * 0.05  # keep overlapping lines visible
        ax.plot(range(len(states)), [s + offset for s in states], marker=marker,
                linestyle=dash, color=colour, linewidth=1.8, markersize=6, label=name)
    for group in groups(replicas):  # one label per final state, naming its replicas
        states = replicas[group[0]][1]
        ax.text(len(states) - 1 + 0.15, states[-1], f"{', '.join(group)}: {coins(states[-1])}",
                va="center", fontsize=9, color=pal.INK, fontweight="bold")
    every = [s for r in replicas.values() for s in r[1]]
    ax.set_yticks(range(min(every), max(every) + 1))
    ax.set_ylim(min(every) - 0.4, max(every) + 0.4)
    longest = max(len(r[1]) for r in replicas.values())
    ax.set_xticks(range(longest))
    ax.set_xlim(-0.2, longest - 1 + 0.2)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_xlabel("commands executed")
    ax.set_ylabel("coins (state)")
    ax.grid(True, color=pal.LIGHT_GREY, linewidth=0.6)
    ax.set_title("\n".join(textwrap.wrap(title or verdict(replicas), 60)), fontsize=10)
    return fig


def timeline_figure(run: Broadcast, replicas: Replicas) -> Figure:
    """A broadcast run over time: clients on top, replicas below.

    Each copy is a line from its client (when sent) to a replica (when it
    arrived): deposits blue solid, withdrawals vermillion dashed; a duplicate
    is thinner; a lost copy stops part of the way at an ×; a grey band is a
    replica that is down (what arrives then is missed, ○). Each replica's lane
    ends with its log and final state (``replicas``, what it made of the run).
    """
    hs = happenings(run)
    clients = sorted({s.client for s in run.submissions})
    lanes = {name: i for i, name in enumerate([*clients, *run.replicas])}
    height = 1.0 + 0.42 * len(lanes)
    fig = new_figure(8.2, height)
    ax = fig.add_axes((0.07, 0.62 / height, 0.62, 1 - 0.95 / height))
    y = {name: -float(i) for name, i in lanes.items()}
    end = max([h.time for h in hs] + [s.time for s in run.submissions] + [1.0]) + 0.3
    for name in lanes:
        ax.plot([0, end], [y[name]] * 2, color=pal.LIGHT_GREY, linewidth=1.0, zorder=0)
    for h in hs:
        if h.kind == "crash":
            back = next((b.time for b in hs if b.kind == "restart" and b.replica == h.replica
                         and b.time > h.time), end)
            ax.fill_between([h.time, min(back, end)], y[h.replica] - 0.18, y[h.replica] + 0.18,
                            color=pal.GREY, alpha=0.45, linewidth=0, zorder=1)
            ax.text(h.time, y[h.replica] + 0.24, "down", fontsize=7, color=pal.INK)
    style = {"deposit": ARROWS[0][:2], "withdraw": ARROWS[1][:2]}
    for h in hs:
        if h.kind not in ("deliver", "lost", "missed"):
            continue
        colour, dash = style.get(h.command, (pal.GREY, ":"))
        y0, y1 = y[h.client], y[h.replica]
        if h.kind == "lost":  # stop a third of the way along a typical delivery, with an ×
            xm, ym = h.sent + 0.35 * sum(run.network.delay) / 2, y0 + (y1 - y0) * 0.35
            ax.plot([h.sent, xm], [y0, ym], color=colour, linestyle=dash, linewidth=1.2)
            ax.plot([xm], [ym], marker="x", color=pal.INK, markersize=8, mew=2)
            ax.text(xm + 0.1, ym, f"lost (to {h.replica})", fontsize=7.5, va="center",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
            continue
        ax.annotate("", xy=(h.time, y1), xytext=(h.sent, y0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": dash,
                                "lw": 0.9 if h.copy else 1.5, "shrinkA": 0, "shrinkB": 2})
        if h.kind == "missed":
            ax.plot([h.time], [y1], marker="o", mfc="white", mec=pal.INK, markersize=7)
    for name in lanes:
        ax.text(-0.15, y[name], name, ha="right", va="center", fontsize=10, fontweight="bold")
    for name in run.replicas:
        cmds, states, _ = replicas[name]
        ax.text(end + 0.2, y[name], f"{short(cmds)}  → {coins(states[-1])}", va="center",
                fontsize=9.5, family="monospace")
    ax.set_xlim(-0.05, end)
    ax.set_ylim(-len(lanes) + 0.5, 0.5)
    ax.set_yticks([])
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.set_xlabel("time")
    fig.text(0.07, 0.03 / height + 0.02, "blue solid: deposit · vermillion dashed: withdraw · "
             "thin: a duplicate · ×: lost · ○: arrived while down · grey band: replica down",
             fontsize=8)
    n = run.network
    fig.text(0.07, 1 - 0.2 / height,
             f"seed {run.seed}: loss {n.loss:g}, duplication {n.duplication:g}, "
             f"delay {n.delay[0]:g}–{n.delay[1]:g}, crash rate {n.crash_rate:g}",
             fontsize=10, fontweight="bold")
    return fig
