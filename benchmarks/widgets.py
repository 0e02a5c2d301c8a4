"""Step latency of the widgets, Python side: from a click to the new frame on the widget.

Run: ``python benchmarks/widgets.py [--repeat N]``. Prints, per widget and action,
the median and 90th percentile of the time a button click or slider change takes
to produce the new frame (the SVG string set on the widget's ``ipywidgets.HTML``),
then the time a static storyboard takes (build the matplotlib figure, draw it
with Agg). No browser and no kernel: the same code path a click takes, minus
the front end. Everything is seeded, so every run does the same work.

The TracePlayer scene is the issue's: a manual-mode simulation with 2 proposers,
5 acceptors and 1 learner (8 agents) and at least 10 messages in flight, stepped
back and forth over its last two events; plus a long automatic run (about 2,000 events) to
show that the whole-trace chart does not make steps slower, and a manual run whose
messages are never delivered (in flight grows with the trace) to show what opening it
costs and holds in memory (``tracemalloc``: what the player keeps once open). The LogWidget
rows step through §3's gap scenario and the seeded failover run.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable

from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation
from paxos_notes.widgets import (
    LogWidget,
    P2cArgument,
    ProposalNumbering,
    QuorumIntersection,
    TracePlayer,
    p2c_argument,
    proposal_numbering,
    quorum_intersection,
    trace_player,
)

Row = tuple[str, list[float], str]


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        action() if i >= 0 else None
        out.append((time.perf_counter() - start) * 1000)
    return out


def p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10)[-1] if len(xs) >= 10 else max(xs)


def busy_scene() -> Simulation:
    """2 proposers, 5 acceptors, 1 learner; 11 and then 12 messages in flight at the last
    two events (prepares, promises and two duplicated prepares), so that stepping between
    them always shows at least 10 arrows."""
    sim = Simulation(Cluster(acceptors=5, proposers=2, learners=1), seed=1, manual=True)
    sim.propose("p1")
    sim.propose("p2")
    for p in sim.pending()[:3]:
        sim.deliver(p.id)
    for p in sim.pending()[:2]:
        sim.duplicate(p.id)
    return sim


def alternate(step: Callable[[int], None]) -> Callable[[], None]:
    state = {"i": 0}

    def run() -> None:
        step(1 if state["i"] % 2 == 0 else -1)
        state["i"] += 1
    return run


def quorum_rows(repeat: int) -> list[Row]:
    rows: list[Row] = []
    qi = QuorumIntersection(n=5, first=("a1", "a2", "a3"), second=("a3", "a4", "a5"))
    button = qi.first_row.children[3]
    rows.append(("QuorumIntersection n=5: toggle a1..a5 button",
                 timed(lambda: setattr(button, "value", not button.value), repeat), ""))
    big = QuorumIntersection(n=9)
    big.go(1)
    rows.append(("QuorumIntersection n=9: play one pair",
                 timed(alternate(lambda d: big.go(2 if d > 0 else 1)), repeat),
                 f"{len(quorum_intersection.minimal_pairs(big.spec))} pairs"))
    adv = QuorumIntersection(n=9, system="threshold", k=4)
    rows.append(("QuorumIntersection n=9 any 4: adversary click",
                 timed(adv.adversary_button.click, repeat), ""))
    return rows


def numbering_rows(repeat: int) -> list[Row]:
    pn = ProposalNumbering(proposers=5, rounds=6, shared=True)
    pn.go(10)
    return [("ProposalNumbering 5 proposers x 6 rounds: step",
             timed(alternate(pn.step), repeat), "shared, collisions drawn")]


def p2c_rows(repeat: int) -> list[Row]:
    w = P2cArgument()
    w.step(1)
    cell = w.cell_buttons[(2, "a4")]
    return [
        ("P2cArgument 6 ballots x 5 acceptors: induction step",
         timed(alternate(w.step), repeat), ""),
        ("P2cArgument: edit a cell (click)", timed(cell.click, repeat), "re-checks P2c"),
    ]


def trace_rows(repeat: int) -> list[Row]:
    rows: list[Row] = []
    sim = busy_scene()
    player = TracePlayer(sim)
    end = len(player.view)
    agents = len(player.view.roles)
    flights = len(player.snapshot.in_flight)
    player.go(end - 1)
    fewest = min(flights, len(player.snapshot.in_flight))

    def step(delta: int) -> None:
        player.forward_button.click() if delta > 0 else player.back_button.click()

    rows.append((f"TracePlayer {agents} agents, >= {fewest} in flight: step",
                 timed(alternate(step), repeat), f"{end} events"))

    live_sim = busy_scene()
    live = TracePlayer(live_sim)

    def act(delta: int) -> None:  # duplicate then deliver: stays at >= 10 in flight
        if delta > 0:
            live.duplicate_button.click()
        else:
            live.deliver_button.click()
    rows.append((f"TracePlayer live {agents} agents: deliver/duplicate",
                 timed(alternate(act), repeat),
                 f"{flights} -> {len(live.snapshot.in_flight)} in flight"))

    long_sim = Simulation(Cluster(acceptors=5, proposers=2), seed=7,
                          network=Network(loss=0.2, duplication=0.1, crash_rate=0.02))
    long_sim.run(until=1500.0)
    start = time.perf_counter()
    long_player = TracePlayer(long_sim.trace)
    opened = (time.perf_counter() - start) * 1000
    long_player.go(len(long_player.view) // 2)
    rows.append((f"TracePlayer long trace ({len(long_sim.trace)} events): step",
                 timed(alternate(long_player.step), repeat),
                 f"open {opened:.0f} ms"))

    flood = flooded(400)
    held = held_mb(lambda: TracePlayer(flood))
    rows.append((f"TracePlayer open {len(flood)} events, in flight growing",
                 timed(lambda: TracePlayer(flood), max(2, repeat // 10)),
                 f"holds {held:.1f} MB once open"))
    return rows


def flooded(proposals: int) -> object:
    """A manual run in which nothing is delivered: up to 2,000 messages in flight."""
    sim = Simulation(Cluster(acceptors=5, proposers=2), seed=0, manual=True)
    for i in range(proposals):
        sim.propose(f"p{1 + i % 2}")
    return sim.trace


def held_mb(make: Callable[[], object]) -> float:
    """Memory still allocated after ``make()``, while its result is kept."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / 1e6


def log_rows(repeat: int) -> list[Row]:
    rows: list[Row] = []
    for source in ("gap", "failover"):
        widget = LogWidget(source)
        rows.append((f"LogWidget {source}: step", timed(alternate(widget.step), repeat),
                     f"{len(widget.view)} steps"))
    return rows


def storyboard_rows(repeat: int) -> list[Row]:
    view = trace_player.TraceView(busy_scene().trace)
    makers: list[tuple[str, Callable[[], object]]] = [
        ("storyboard QuorumIntersection (4 panels)", quorum_intersection.storyboard),
        ("storyboard ProposalNumbering (4 panels)", proposal_numbering.storyboard),
        ("storyboard P2cArgument (4 panels)", p2c_argument.storyboard),
        ("storyboard TracePlayer (4 panels)", lambda: trace_player.storyboard(view)),
    ]
    rows: list[Row] = []
    for name, make in makers:
        def build_and_draw(make: Callable[[], object] = make) -> None:
            fig = make()
            fig.canvas.draw()  # type: ignore[attr-defined]
        rows.append((name, timed(build_and_draw, repeat), "build + Agg draw"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60, help="steps per widget (default 60)")
    parser.add_argument("--storyboards", type=int, default=3,
                        help="storyboard repetitions (default 3)")
    args = parser.parse_args()
    if args.repeat < 2 or args.storyboards < 1:
        parser.error("--repeat must be >= 2 and --storyboards >= 1")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# widget step latency, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    # warm-up: imports, font cache, layout caches
    storyboard_rows(1)
    rows = quorum_rows(args.repeat) + numbering_rows(args.repeat) + p2c_rows(args.repeat) \
        + trace_rows(args.repeat) + log_rows(args.repeat)
    rows += storyboard_rows(args.storyboards)
    width = max(len(r[0]) for r in rows)
    print(f"| {'widget / action'.ljust(width)} | median ms | p90 ms | note |")
    print(f"|{'-' * (width + 2)}|----------:|-------:|------|")
    for name, xs, note in rows:
        print(f"| {name.ljust(width)} | {statistics.median(xs):9.1f} | {p90(xs):6.1f} | {note} |")


if __name__ == "__main__":
    main()
