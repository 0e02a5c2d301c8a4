"""Helpers for ``01_introduction.ipynb`` (§1 Introduction): the state machine approach.

§1 says that the full Paxos algorithm is consensus applied to the state machine
approach: every server runs the same deterministic state machine, so servers
that execute the same commands in the same order end in the same state with the
same outputs. This module makes that small enough to run by hand:

- `StateMachine`: a deterministic finite automaton with outputs (states, a start
  state, inputs, a transition table, accepting states), and `ACCOUNT`, a bank
  account that holds 0 to 3 coins;
- `replicate`: run one log per replica and compare what they end with;
- `broadcast`: a tiny seeded simulation in which clients send each command to
  every replica over a network that delays, reorders, loses and duplicates
  messages and crashes replicas, with the fault rates of `paxos_notes.sim.Network`.
  Replicas that apply commands as they arrive drift apart, which is why the
  replicas must first agree on each command (§3: one consensus instance each);
- figures: the automaton (networkx), the replicas' states step by step, and a
  timeline of a broadcast run.

Everything is deterministic: the only randomness is one ``random.Random(seed)``.
"""

from __future__ import annotations

import math
import random
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..paper import Table
from ..sim import Network
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

State = int
Command = str
Output = str

DEPOSIT, WITHDRAW = "deposit", "withdraw"
OK, REFUSED = "ok", "refused"
REPLICAS = ("r1", "r2", "r3")


# ---------------------------------------------------------------------------
# A deterministic state machine
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What one replica did: the commands, every state it passed through, its outputs."""

    commands: tuple[Command, ...]
    states: tuple[State, ...]  # len(commands) + 1: the start state first
    outputs: tuple[Output, ...]

    @property
    def final(self) -> State:
        return self.states[-1]


@dataclass(frozen=True)
class StateMachine:
    """A deterministic finite automaton with outputs.

    ``table`` maps (state, input) to (next state, output): exactly one entry for
    every pair, so the machine is deterministic and total. ``accepting`` are the
    states a textbook automaton accepts in; a server ignores them (it cares about
    its state and outputs), but the automaton picture marks them.
    """

    name: str
    states: tuple[State, ...]
    start: State
    inputs: tuple[Command, ...]
    table: tuple[tuple[tuple[State, Command], tuple[State, Output]], ...]
    accepting: frozenset[State] = frozenset()

    def __post_init__(self) -> None:
        if self.start not in self.states:
            raise ValueError(f"start must be one of the states {self.states}, got {self.start!r}")
        keys = [k for k, _ in self.table]
        wanted = {(s, i) for s in self.states for i in self.inputs}
        if len(keys) != len(set(keys)) or set(keys) != wanted:
            raise ValueError("table must have exactly one entry per (state, input) pair")
        for (_s, _i), (nxt, _out) in self.table:
            if nxt not in self.states:
                raise ValueError(f"table leads to {nxt!r}, which is not a state")
        if not self.accepting <= set(self.states):
            raise ValueError("accepting states must be states")

    @property
    def transitions(self) -> dict[tuple[State, Command], tuple[State, Output]]:
        return dict(self.table)

    def step(self, state: State, command: Command) -> tuple[State, Output]:
        """One transition: the next state and the output."""
        try:
            return self.transitions[(state, command)]
        except KeyError:
            raise ValueError(f"command must be one of {self.inputs} in a state of "
                             f"{self.states}, got {command!r} in {state!r}") from None

    def run(self, commands: Iterable[Command], state: State | None = None) -> Run:
        """Execute ``commands`` in order from ``state`` (default: the start state)."""
        s = self.start if state is None else state
        cmds = tuple(commands)
        states, outputs = [s], []
        for c in cmds:
            s, out = self.step(s, c)
            states.append(s)
            outputs.append(out)
        return Run(cmds, tuple(states), tuple(outputs))

    def accepts(self, commands: Iterable[Command]) -> bool:
        """The automaton's verdict: does the run end in an accepting state?"""
        return self.run(commands).final in self.accepting

    def transition_table(self) -> Table:
        rows = tuple(
            (str(s), c, str(nxt), out)
            for (s, c), (nxt, out) in sorted(self.table, key=lambda kv: (kv[0][0],
                                                                          self.inputs.index(kv[0][1])))
        )
        return Table(("state", "input", "next state", "output"), rows,
                     caption=f"{self.name}: the transition function")


def bank_account(capacity: int = 3) -> StateMachine:
    """A bank account holding 0..``capacity`` coins, one coin per command.

    A withdrawal from an empty account and a deposit into a full one are refused
    (the state does not change). The cap keeps the automaton finite. Accepting
    states: the account is in credit (at least one coin).
    """
    if not 1 <= capacity <= 9:
        raise ValueError(f"capacity must be in 1..9, got {capacity}")
    table = []
    for s in range(capacity + 1):
        table.append(((s, DEPOSIT), (s + 1, OK) if s < capacity else (s, REFUSED)))
        table.append(((s, WITHDRAW), (s - 1, OK) if s > 0 else (s, REFUSED)))
    return StateMachine(
        name="bank account", states=tuple(range(capacity + 1)), start=0,
        inputs=(DEPOSIT, WITHDRAW), table=tuple(table),
        accepting=frozenset(range(1, capacity + 1)),
    )


ACCOUNT = bank_account()


def coins(n: int) -> str:
    return f"{n} coin" if n == 1 else f"{n} coins"


def short(commands: Iterable[Command]) -> str:
    """A log in one line: ``+`` for a deposit, ``-`` for a withdrawal."""
    marks = {DEPOSIT: "+", WITHDRAW: "-"}
    return " ".join(marks.get(c, c) for c in commands) or "(nothing)"


# ---------------------------------------------------------------------------
# Replicas
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Several replicas' runs, side by side."""

    machine: StateMachine
    runs: dict[str, Run]

    @property
    def same_state(self) -> bool:
        return len({r.final for r in self.runs.values()}) == 1

    @property
    def agree(self) -> bool:
        """Same final state *and* the same outputs (what the clients saw)."""
        return len({(r.final, r.outputs) for r in self.runs.values()}) == 1

    def groups(self) -> list[list[str]]:
        """Replicas grouped by final state, in name order."""
        by: dict[State, list[str]] = {}
        for name in sorted(self.runs):
            by.setdefault(self.runs[name].final, []).append(name)
        return list(by.values())

    def verdict(self) -> str:
        if self.agree:
            return "all replicas agree: same final state, same outputs"
        if self.same_state:
            final = next(iter(self.runs.values())).final
            return (f"the replicas diverge: all end with {coins(final)}, but their outputs "
                    f"differ")
        parts = []
        for g in self.groups():
            who = g[0] if len(g) == 1 else ", ".join(g[:-1]) + " and " + g[-1]
            verb = "ends" if len(g) == 1 else "end"
            parts.append(f"{who} {verb} with {coins(self.runs[g[0]].final)}")
        return "the replicas diverge: " + "; ".join(parts)

    def table(self) -> Table:
        rows = tuple(
            (name, short(r.commands), " ".join(r.outputs) or "-",
             " → ".join(str(s) for s in r.states), str(r.final))
            for name, r in sorted(self.runs.items())
        )
        return Table(("replica", "log (+ deposit, - withdraw)", "outputs", "states", "final"),
                     rows, caption=self.verdict())


def replicate(logs: Mapping[str, Sequence[Command]], machine: StateMachine = ACCOUNT
              ) -> Comparison:
    """Run each replica's log on its own copy of ``machine``."""
    if not logs:
        raise ValueError("logs must name at least one replica")
    return Comparison(machine, {name: machine.run(log) for name, log in logs.items()})


# ---------------------------------------------------------------------------
# Broadcasting commands over a faulty network
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A client hands ``command`` to the network at ``time``, addressed to every replica."""

    client: str
    command: Command
    time: float


SUBMISSIONS: tuple[Submission, ...] = (
    Submission("c1", DEPOSIT, 0.0),
    Submission("c2", WITHDRAW, 0.5),
    Submission("c1", DEPOSIT, 2.0),
    Submission("c2", WITHDRAW, 2.5),
)


@dataclass(frozen=True)
class NetEvent:
    """One thing that happened in a broadcast run."""

    time: float
    kind: str  # deliver | lost | missed | crash | restart
    replica: str
    client: str = ""
    command: Command = ""
    sent: float = 0.0
    copy: bool = False  # a duplicate made by the network

    def describe(self) -> str:
        what = f"{self.client}'s {self.command} (sent at t={self.sent:g}" + \
            ("; a duplicate)" if self.copy else ")")
        if self.kind == "deliver":
            return f"{self.replica} receives {what} and applies it"
        if self.kind == "lost":
            return f"{what} is lost on its way to {self.replica}"
        if self.kind == "missed":
            return f"{what} reaches {self.replica} while it is down: missed"
        return f"{self.replica} {'crashes' if self.kind == 'crash' else 'restarts'}"


@dataclass(frozen=True)
class BroadcastRun:
    """The result of `broadcast`: every event, and what each replica applied."""

    seed: int
    network: Network
    submissions: tuple[Submission, ...]
    events: tuple[NetEvent, ...]
    comparison: Comparison

    @property
    def agree(self) -> bool:
        return self.comparison.agree

    @property
    def logs(self) -> dict[str, tuple[Command, ...]]:
        return {n: r.commands for n, r in self.comparison.runs.items()}

    def counts(self) -> dict[str, int]:
        kinds = ("deliver", "lost", "missed", "crash")
        out = {k: sum(e.kind == k for e in self.events) for k in kinds}
        out["duplicated"] = sum(e.copy for e in self.events if e.kind != "lost")
        return out

    def summary(self) -> str:
        """The run's fault counts in one line."""
        c = self.counts()
        return (f"seed {self.seed}: {c['deliver']} deliveries, {c['lost']} lost, "
                f"{c['duplicated']} duplicated, {c['crash']} crash"
                f"{'' if c['crash'] == 1 else 'es'} ({c['missed']} missed while down)")

    def narrate(self) -> list[str]:
        """Numbered lines, one per event, in time order."""
        return [f"{i:2}. t={e.time:5.2f}  {e.describe()}" for i, e in enumerate(self.events, 1)]

    def table(self) -> Table:
        return self.comparison.table()


def broadcast(
    *,
    seed: int,
    network: Network | None = None,
    submissions: Sequence[Submission] = SUBMISSIONS,
    replicas: Sequence[str] = REPLICAS,
    machine: StateMachine = ACCOUNT,
) -> BroadcastRun:
    """Each client sends its command straight to every replica; replicas apply
    commands in the order they arrive. No agreement protocol: the naive design.

    The network's ``delay`` (each message takes a time uniform in it, so
    messages overtake each other), ``loss``, ``duplication``, ``crash_rate``,
    ``restart_delay`` and ``faults_until`` mean what they mean for
    `paxos_notes.sim.Network` (``link_delay`` and ``retry`` are not used). A
    replica that is down misses what arrives meanwhile but keeps its state.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not replicas or len(set(replicas)) != len(replicas):
        raise ValueError(f"replicas must be distinct names, got {tuple(replicas)!r}")
    net = network if network is not None else Network()
    rng = random.Random(seed)
    faulty = lambda t: t < net.faults_until  # noqa: E731 - a one-line predicate
    # 1. every message's fate: lost, or delivered (maybe twice) after a random delay
    arrivals: list[tuple[float, int, str, Submission, bool]] = []
    events: list[NetEvent] = []
    seq = 0
    for sub in sorted(submissions, key=lambda s: s.time):
        if sub.command not in machine.inputs:
            raise ValueError(f"command must be one of {machine.inputs}, got {sub.command!r}")
        for r in replicas:
            if faulty(sub.time) and net.loss and rng.random() < net.loss:
                events.append(NetEvent(sub.time, "lost", r, sub.client, sub.command, sub.time))
                continue
            copies = 2 if faulty(sub.time) and net.duplication and \
                rng.random() < net.duplication else 1
            for k in range(copies):
                seq += 1
                arrivals.append((sub.time + rng.uniform(*net.delay), seq, r, sub, k == 1))
    # 2. crashes: a Poisson process over the whole group, each one followed by a restart
    horizon = max((a[0] for a in arrivals), default=0.0)
    down: dict[str, list[tuple[float, float]]] = {r: [] for r in replicas}
    if net.crash_rate > 0:
        t = rng.expovariate(net.crash_rate)
        while t <= horizon and faulty(t):
            victim = rng.choice(list(replicas))
            if not any(a <= t < b for a, b in down[victim]):
                back = t + rng.uniform(*net.restart_delay)
                down[victim].append((t, back))
                events.append(NetEvent(t, "crash", victim))
                events.append(NetEvent(back, "restart", victim))
            t += rng.expovariate(net.crash_rate)
    # 3. replicas apply what they receive, in arrival order
    logs: dict[str, list[Command]] = {r: [] for r in replicas}
    for time, _seq, r, sub, copy in sorted(arrivals):
        kind = "missed" if any(a <= time < b for a, b in down[r]) else "deliver"
        events.append(NetEvent(time, kind, r, sub.client, sub.command, sub.time, copy))
        if kind == "deliver":
            logs[r].append(sub.command)
    order = {"restart": 0, "crash": 1, "lost": 2, "missed": 3, "deliver": 3}
    events.sort(key=lambda e: (e.time, order[e.kind], e.replica))
    return BroadcastRun(seed, net, tuple(submissions), tuple(events),
                        replicate(logs, machine))


def agreed_log(submissions: Sequence[Submission] = SUBMISSIONS) -> tuple[Command, ...]:
    """The commands in one agreed order (here: the order they were submitted).

    §3 gets such an order from consensus, one instance per position; any single
    order shared by all replicas would do.
    """
    return tuple(s.command for s in sorted(submissions, key=lambda s: s.time))


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def automaton_figure(machine: StateMachine = ACCOUNT) -> Figure:
    """The automaton as a graph: one node per state, one arrow per transition.

    Drawn with networkx on a figure without pyplot. The start state has an
    incoming arrow from "start"; accepting states have a double ring. Deposits
    are blue solid arrows above the states, withdrawals vermillion dashed below;
    a refused command is a loop on its state.
    """
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from(machine.states)
    for (s, c), (nxt, out) in machine.table:
        g.add_edge(s, nxt, command=c, output=out)
    pos = {s: (float(i), 0.0) for i, s in enumerate(machine.states)}
    fig = new_figure(1.9 * len(machine.states) + 1.2, 3.3)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    style = {DEPOSIT: (pal.BLUE, "solid", "arc3,rad=-0.35"),
             WITHDRAW: (pal.VERMILLION, "dashed", "arc3,rad=-0.35")}
    normal = [(u, v, d) for u, v, d in g.edges(data=True) if u != v]
    for cmd, (colour, dash, conn) in style.items():
        edges = [(u, v) for u, v, d in normal if d["command"] == cmd]
        nx.draw_networkx_edges(g, pos, edgelist=edges, ax=ax, edge_color=colour, style=dash,
                               width=1.8, arrowsize=16, connectionstyle=conn, node_size=1500)
    for u, v, d in normal:
        colour = style[d["command"]][0]
        y = 0.2 if d["command"] == DEPOSIT else -0.2
        ax.text((pos[u][0] + pos[v][0]) / 2, y, f"{d['command']} / {d['output']}",
                ha="center", va="center", fontsize=8.5, color=colour,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    loops = [(u, d) for u, v, d in g.edges(data=True) if u == v]
    for u, d in loops:
        colour = style[d["command"]][0]
        up = d["command"] == DEPOSIT
        x, y0 = pos[u]
        sign = 1 if up else -1
        t = [i / 40 * 2 * math.pi for i in range(41)]
        cx, cy, r = x, y0 + sign * 0.31, 0.12
        ax.plot([cx + r * math.cos(a) for a in t], [cy + r * math.sin(a) for a in t],
                color=colour, linestyle="-" if up else "--", linewidth=1.8)
        ax.annotate("", xy=(x + 0.05 * 1, y0 + sign * 0.2), xytext=(x + 0.11, y0 + sign * 0.26),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.5})
        ax.text(x, cy + sign * 0.2, f"{d['command']} / {d['output']}", ha="center",
                va="center", fontsize=8.5, color=colour)
    colours = [pal.SKY_BLUE if s in machine.accepting else pal.PAPER for s in machine.states]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, edgecolors=pal.INK,
                           node_size=1500, linewidths=1.5)
    accepting = [s for s in machine.states if s in machine.accepting]
    nx.draw_networkx_nodes(g, pos, nodelist=accepting, ax=ax, node_color="none",
                           edgecolors=pal.INK, node_size=1000, linewidths=1.2)
    nx.draw_networkx_labels(g, pos, ax=ax, labels={s: str(s) for s in machine.states},
                            font_size=15, font_weight="bold")
    sx, sy = pos[machine.start]
    ax.annotate("start", xy=(sx - 0.22, sy), xytext=(sx - 0.75, sy), fontsize=10,
                ha="center", va="center",
                arrowprops={"arrowstyle": "-|>", "color": pal.INK, "lw": 1.5})
    ax.set_xlim(-0.95, len(machine.states) - 0.45)
    ax.set_ylim(-0.78, 0.78)
    ax.text(-0.9, -0.74, "states: coins in the account · double ring, shaded: accepting "
            "(in credit)\nblue solid: deposit · vermillion dashed: withdraw · "
            "each arrow is labelled input / output", fontsize=8.5, color=pal.INK, va="bottom")
    return fig


def states_figure(comparison: Comparison, title: str = "") -> Figure:
    """Each replica's state after each command: one line per replica.

    Replicas differ by colour, marker and dash, and each line is labelled at
    its end, so the picture does not depend on colour.
    """
    fig = new_figure(6.4, 3.0)
    ax = fig.add_axes((0.1, 0.17, 0.68, 0.7))
    styles = (("o", "-", pal.BLUE), ("s", "--", pal.ORANGE), ("^", ":", pal.BLUISH_GREEN),
              ("D", "-.", pal.REDDISH_PURPLE))
    names = sorted(comparison.runs)
    for k, name in enumerate(names):
        run = comparison.runs[name]
        marker, dash, colour = styles[k % len(styles)]
        offset = (k - (len(names) - 1) / 2) * 0.05  # keep overlapping lines visible
        xs = list(range(len(run.states)))
        ys = [s + offset for s in run.states]
        ax.plot(xs, ys, marker=marker, linestyle=dash, color=colour, linewidth=1.8,
                markersize=6, label=name)
    for group in comparison.groups():  # one label per final state, naming its replicas
        run = comparison.runs[group[0]]
        ax.text(len(run.states) - 1 + 0.15, run.final, f"{', '.join(group)}: {coins(run.final)}",
                va="center", fontsize=9, color=pal.INK, fontweight="bold")
    m = comparison.machine
    ax.set_yticks(list(m.states))
    ax.set_ylim(min(m.states) - 0.4, max(m.states) + 0.4)
    longest = max(len(r.states) for r in comparison.runs.values())
    ax.set_xticks(range(longest))
    ax.set_xlim(-0.2, longest - 1 + 0.2)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_xlabel("commands executed")
    ax.set_ylabel("coins (state)")
    ax.grid(True, color=pal.LIGHT_GREY, linewidth=0.6)
    ax.set_title("\n".join(textwrap.wrap(title or comparison.verdict(), 60)), fontsize=10)
    return fig


def timeline_figure(run: BroadcastRun) -> Figure:
    """A broadcast run over time: clients on top, replicas below.

    Each message is a line from its client (at the time sent) to a replica (at
    the time it arrived): deposits blue solid, withdrawals vermillion dashed;
    a duplicate is thinner; a lost message stops half-way at an ×; a grey band
    is a replica that is down (what arrives then is missed, ○). Each replica's
    lane ends with its log and final state.
    """
    clients = sorted({s.client for s in run.submissions})
    replicas = sorted(run.comparison.runs)
    lanes = {name: i for i, name in enumerate([*clients, *replicas])}
    height = 1.0 + 0.42 * len(lanes)
    fig = new_figure(8.2, height)
    ax = fig.add_axes((0.07, 0.62 / height, 0.62, 1 - 0.95 / height))
    y = {name: -float(i) for name, i in lanes.items()}
    end = max([e.time for e in run.events] + [s.time for s in run.submissions] + [1.0]) + 0.3
    for name in lanes:
        ax.plot([0, end], [y[name]] * 2, color=pal.LIGHT_GREY, linewidth=1.0, zorder=0)
    for e in run.events:
        if e.kind == "crash":
            back = next((b.time for b in run.events if b.kind == "restart"
                         and b.replica == e.replica and b.time > e.time), end)
            ax.fill_between([e.time, min(back, end)], y[e.replica] - 0.18, y[e.replica] + 0.18,
                            color=pal.GREY, alpha=0.45, linewidth=0, zorder=1)
            ax.text(e.time, y[e.replica] + 0.24, "down", fontsize=7, color=pal.INK)
    colours = {DEPOSIT: (pal.BLUE, "-"), WITHDRAW: (pal.VERMILLION, "--")}
    for e in run.events:
        if e.kind not in ("deliver", "lost", "missed"):
            continue
        colour, dash = colours.get(e.command, (pal.GREY, ":"))
        y0, y1 = y[e.client], y[e.replica]
        if e.kind == "lost":
            # stop a third of the way along a typical delivery, with an ×
            f = 0.35
            xm, ym = e.sent + f * sum(run.network.delay) / 2, y0 + (y1 - y0) * f
            ax.plot([e.sent, xm], [y0, ym], color=colour, linestyle=dash, linewidth=1.2)
            ax.plot([xm], [ym], marker="x", color=pal.INK, markersize=8, mew=2)
            ax.text(xm + 0.1, ym, f"lost (to {e.replica})", fontsize=7.5, va="center",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
            continue
        ax.annotate("", xy=(e.time, y1), xytext=(e.sent, y0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": dash,
                                "lw": 0.9 if e.copy else 1.5, "shrinkA": 0, "shrinkB": 2})
        if e.kind == "missed":
            ax.plot([e.time], [y1], marker="o", mfc="white", mec=pal.INK, markersize=7)
    for name in lanes:
        ax.text(-0.15, y[name], name, ha="right", va="center", fontsize=10, fontweight="bold")
    for name in replicas:
        r = run.comparison.runs[name]
        ax.text(end + 0.2, y[name], f"{short(r.commands)}  → {coins(r.final)}", va="center",
                fontsize=9.5, family="monospace")
    ax.set_xlim(-0.05, end)
    ax.set_ylim(-len(lanes) + 0.5, 0.5)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
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
