"""The TracePlayer on the biggest traces (issue 12, item 1): memory linear in
the trace, and a frame with thousands of messages in flight drawn in linear time."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from paxos_notes.cluster import Cluster
from paxos_notes.sim import Simulation
from paxos_notes.trace import Trace
from paxos_notes.widgets import TracePlayer
from paxos_notes.widgets.trace_player import MAX_LABELS, TraceView, canvas


@pytest.fixture(scope="module")
def slow_network_trace() -> Trace:
    """The issue's shape, smaller: 16 acceptors and 8 proposers on a network that
    delivers slowly (a seeded random pending message now and then, a new proposal
    one step in twelve), so about two thousand messages are in flight at the end."""
    sim = Simulation(Cluster(acceptors=16, proposers=8), seed=1, manual=True)
    rng = random.Random(1)
    for _ in range(4000):
        pending = sim.pending()
        if not pending or rng.random() < 0.08:
            sim.propose(f"p{rng.randrange(1, 9)}")
        else:
            sim.deliver(pending[rng.randrange(len(pending))].id)
    return sim.trace


def test_player_memory_per_event_is_bounded(slow_network_trace: Trace) -> None:
    trace = slow_network_trace
    events = len(trace.events)
    assert events > 8_000
    tracemalloc.start()
    try:
        view = TraceView(trace)
        view.chart()
        for cursor in (len(view), len(view) // 2, len(view) // 3, len(view) - 1):
            view.at(cursor)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(view.at(len(view)).in_flight) > 1_000
    # Copying the messages in flight at every event (the old fold) took tens of
    # kB an event here; keyframes plus the chart take under a kB.
    assert peak / events < 1_500, f"{peak / events:.0f} bytes per event"


def test_many_messages_in_flight_get_a_bounded_number_of_labels() -> None:
    sim = Simulation(Cluster(acceptors=16, proposers=8), seed=1, manual=True)
    for p in range(1, 9):
        sim.propose(f"p{p}")
    player = TracePlayer(sim)
    snap = player.snapshot
    assert len(snap.in_flight) == 128
    texts = {m.describe() for m in snap.in_flight.values()}
    shapes = canvas(player.view, len(player.view)).shapes
    labels = [s for s in shapes if s[0] == "text" and s[3] in texts and s[4] == 9]
    # (each agent's own state label may read like a message too: "prepare 0")
    assert 0 < len(labels) <= MAX_LABELS + len(player.view.roles) < 128
    arrows = [s for s in shapes if s[0] == "line"]
    assert len(arrows) >= 128  # every message is still drawn
    assert f"{128 - MAX_LABELS} more not" in player.svg


def test_the_largest_delay_trace_frame_is_quick_to_build(slow_network_trace: Trace) -> None:
    view = TraceView(slow_network_trace)
    most = len(view)
    assert len(view.at(most).in_flight) > 10 * MAX_LABELS
    shapes = canvas(view, most).shapes
    # placing a label costs one look at each earlier label: with every one of
    # these labelled the frame took seconds; now a label costs at most MAX_LABELS
    labelled = sum(1 for s in shapes if s[0] == "text" and s[4] == 9)
    assert labelled <= MAX_LABELS + len(view.roles)


def test_slow_network_trace_path_opens(slow_network_trace: Trace, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    slow_network_trace.save(path)
    player = TracePlayer(path)
    player.go(player.last())
    assert player.last() == len(slow_network_trace.events)
