"""The widgets draw exactly what they drew before they became thin views (issue 11).

`scenes` renders, for a fixed set of traces, runs and grids, every frame (SVG),
caption, storyboard panel (the compact canvas and short caption a storyboard is
built from), key-frame choice and jump menu of the TracePlayer, the LogWidget
and the P2cArgument, including a live TracePlayer driven through faults. One
digest per scene is compared with ``data/widget_frames.json``, recorded by this
module from the code before the redesign (commit 0f52536); the scenes in which
a message reaches a stopped agent (crashy-0, crashy-9, live) were recorded
again when the one simulated world stopped recording such a message as
delivered before it is dropped — the only difference; log/gap was recorded
again when the gap scenario stopped showing a crashed server receiving a
heartbeat (it is lost, as the world says). Only when a change
of picture is meant, record again:
``python tests/test_widgets_frames.py --record`` (and say why in the commit).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from paxos_notes.checker import check_agents, replay
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import Trace
from paxos_notes.widgets import LogWidget, TracePlayer
from paxos_notes.widgets import log_widget as lw
from paxos_notes.widgets import p2c_argument as pa
from paxos_notes.widgets import trace_player as tp

RECORDED = Path(__file__).parent / "data" / "widget_frames.json"


def _busy() -> Trace:
    sim = Simulation(Cluster(acceptors=5, proposers=2, learners=1), seed=1, manual=True)
    sim.propose("p1")
    sim.propose("p2")
    for p in sim.pending()[:3]:
        sim.deliver(p.id)
    for p in sim.pending()[:2]:
        sim.duplicate(p.id)
    sim.crash("a2")
    sim.crash("p1")
    sim.restart("a2")
    for p in sim.pending()[:4]:
        sim.deliver(p.id)
    return sim.trace


def _counterexample(name: str) -> Callable[[], Trace]:
    def make() -> Trace:
        r = check_agents(name)
        return replay(r.cluster, r.counterexample).sim.trace
    return make


def _crashy(seed: int) -> Callable[[], Trace]:
    def make() -> Trace:
        net = Network(loss=0.1, duplication=0.1, crash_rate=0.05)
        return Simulation(Cluster(acceptors=3, proposers=2), seed=seed,
                          network=net).run(until=60).trace
    return make


TRACES: dict[str, Callable[[], Trace]] = {
    "default": tp.default_trace,
    "busy": _busy,
    "amnesia": _counterexample("amnesia"),
    "small-quorum": _counterexample("small-quorum"),
    "no-promise": _counterexample("no-promise"),
    "crashy-0": _crashy(0),
    "crashy-9": _crashy(9),
}


def trace_scene(make: Callable[[], Trace]) -> Iterator[str]:
    view = tp.TraceView(make())
    for k in range(len(view) + 1):
        yield tp.render(view, k)
        yield tp.caption(view, k)
        yield tp.canvas(view, k, compact=True).to_svg()
    yield json.dumps(view.notable())
    yield json.dumps(tp.key_frames(view))


def live_scene() -> Iterator[str]:
    p = TracePlayer(Simulation(Cluster(acceptors=3, proposers=2), seed=1, manual=True))
    for act in (lambda: p.propose("p1"), p.deliver, p.drop, p.duplicate,
                lambda: p.crash("a3"), lambda: p.propose("p2"), p.deliver,
                lambda: p.restart("a3"), p.deliver, lambda: p.crash("p1"), p.deliver,
                p.deliver):
        act()
        yield from (p.svg, p.caption, json.dumps(p.pending_menu.options),
                    json.dumps(p.jump_menu.options))


def log_scene(source: str) -> Iterator[str]:
    view = lw.builtin_view(source)
    for k in range(len(view) + 1):
        yield lw.render(view, k)
        yield lw.caption(view, k)
        yield lw.canvas(view, k, compact=True).to_svg()
        yield lw._short_caption(view, k)
    yield json.dumps(view.notable())
    yield json.dumps(lw.key_frames(view))
    w = LogWidget(source)
    yield repr(w)
    yield json.dumps(w.jump_menu.options)


def p2c_scene() -> Iterator[str]:
    base = pa.default_state()
    states = [replace(base, cursor=c, proposed=v, promisers=s)
              for c in range(base.n - base.m + 1) for v in pa.VALUES
              for s in (base.promisers, frozenset({"a1", "a2", "a3"}), frozenset({"a4", "a5"}),
                        frozenset({"a2", "a4", "a5"}), frozenset())]
    states += [base.with_cell(3, "a3", "y").with_cell(3, "a5", "y"),
               replace(base.with_cell(3, "a4", "y"), cursor=2),
               pa.GridState(((None, None, "x"), (None, None, None), (None, None, None)), m=0,
                            n=2, promisers=frozenset({"a1", "a2"}), proposed="y")]
    for s in states:
        yield pa.render(s)
        yield pa.caption(s)
        yield pa.canvas(s, compact=True).to_svg()


def scenes() -> dict[str, Callable[[], Iterator[str]]]:
    out: dict[str, Callable[[], Iterator[str]]] = {
        f"trace/{name}": (lambda make=make: trace_scene(make)) for name, make in TRACES.items()}
    out["trace/live"] = live_scene
    out["log/gap"] = lambda: log_scene("gap")
    out["log/failover"] = lambda: log_scene("failover")
    out["p2c"] = p2c_scene
    return out


def digest(texts: Iterator[str]) -> str:
    h = hashlib.sha256()
    count = 0
    for text in texts:
        h.update(text.encode("utf-8") + b"\0")
        count += 1
    return f"{count}:{h.hexdigest()}"


@pytest.mark.parametrize("scene", sorted(scenes()))
def test_frames_captions_and_storyboard_panels_are_unchanged(scene: str) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["scenes"]
    assert digest(scenes()[scene]()) == recorded[scene]


def test_a_changed_frame_changes_the_digest() -> None:
    frames = list(trace_scene(TRACES["busy"]))
    altered = [*frames[:5], frames[5].replace("promise", "pr0mise"), *frames[6:]]
    assert digest(iter(frames)) != digest(iter(altered))


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    RECORDED.parent.mkdir(exist_ok=True)
    data = {"note": "recorded with the code of the commit the docstring names",
            "scenes": {k: digest(v()) for k, v in scenes().items()}}
    RECORDED.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=1))
