"""TracePlayer: folding a trace, playing it, and driving a live simulation."""

from __future__ import annotations

import json

import pytest

from paxos_notes.agents import Acceptor, Learner
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import Trace
from paxos_notes.trace_state import fold, roles
from paxos_notes.widgets import TracePlayer
from paxos_notes.widgets.trace_player import (
    TraceView,
    caption,
    default_trace,
    key_frames,
    render,
    storyboard,
)


def busy_sim() -> Simulation:
    """The benchmark's scene: 2 proposers, 5 acceptors, 1 learner, >= 10 messages in flight."""
    sim = Simulation(Cluster(acceptors=5, proposers=2), seed=1, manual=True)
    sim.propose("p1")
    sim.propose("p2")
    for p in sim.pending()[:3]:
        sim.deliver(p.id)
    return sim


@pytest.mark.parametrize("seed", [0, 2, 9])
def test_folding_the_whole_trace_matches_the_simulation(seed: int) -> None:
    net = Network(loss=0.1, duplication=0.1, crash_rate=0.05)
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=seed, network=net).run(until=60)
    snap = fold(sim.trace, len(sim.trace))
    assert set(snap.in_flight) == set(sim.in_flight)
    assert snap.up == {name: a.up for name, a in sim.agents.items()}
    for name, agent in sim.agents.items():
        if isinstance(agent, Acceptor):
            assert snap.promised[name] == agent.promised
            assert snap.accepted[name] == agent.accepted
        elif isinstance(agent, Learner) and agent.up:
            assert snap.learned[name] == (agent.learned.value if agent.learned else None)


def test_manual_actions_fold_into_messages_in_flight_and_the_acceptor_table() -> None:
    sim = Simulation(Cluster(), seed=1, manual=True)
    sim.propose("p1")
    assert sorted(fold(sim.trace, len(sim.trace)).in_flight) == [1, 2, 3]
    sim.deliver(1)
    snap = fold(sim.trace, len(sim.trace))
    assert str(snap.promised["a1"]) == "0" and 1 not in snap.in_flight
    assert [m.describe() for m in snap.in_flight.values()][-1] == "promise 0 (none)"
    sim.drop(2)
    sim.duplicate(3)
    sim.crash("a2")
    snap = fold(sim.trace, len(sim.trace))
    assert 2 not in snap.in_flight and len(snap.in_flight) == 3 and not snap.up["a2"]
    assert fold(sim.trace, 0).in_flight == {}


def test_the_default_player_plays_a_seeded_run() -> None:
    p = TracePlayer()
    assert repr(p) == f"TracePlayer({len(default_trace())} events, replay)"
    assert p.cursor == 0 and "nothing has happened yet" in p.caption
    start = p.frame_bytes
    p.forward_button.click()
    assert p.cursor == 1 and p.slider.value == 1 and p.frame_bytes != start
    assert p.caption.startswith("Event 1 of ")
    p.back_button.click()
    assert p.frame_bytes == start  # deterministic: the same frame, byte for byte
    p.play.value = 30  # what the Play widget does while playing
    assert p.cursor == 30 and p.caption.startswith("Event 30 of ")
    p.speed.value = 5
    assert p.play.interval == 200
    label, target = p.jump_menu.options[3]
    p.jump_menu.value = target
    assert p.cursor == target and label.split(": ", 1)[1][:20] in p.caption
    p.go(len(p.view))
    assert "Chosen so far: (1, 'y'), (3, 'y')" in p.caption
    assert "0x" not in p._repr_mimebundle_()["text/plain"]


def test_live_mode_delivers_drops_duplicates_crashes_and_restarts() -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=1, manual=True)
    p = TracePlayer(sim)
    assert p.live and p.cursor == 0 and p.pending_menu.value is None
    assert 'Live: choose a proposer and press "start phase 1"' in p.caption
    p.propose_button.click()
    assert p.cursor == len(sim.trace) == 4 and len(p.pending_menu.options) == 3
    first = p.pending_menu.value
    p.deliver_button.click()
    assert first not in sim.in_flight and "a1 promise" in " ".join(
        e.describe() for e in sim.trace.events)
    assert "delivered: prepare 0" in p.svg  # the ghost of the delivered message
    p.pending_menu.value = p.pending_menu.options[1][1]
    p.drop_button.click()
    assert "is lost (dropped)" in p.caption
    p.duplicate_button.click()
    assert "is duplicated" in p.caption
    p.agent_menu.value = "a3"
    p.crash_button.click()
    assert "Down: a3" in p.caption and "DOWN (crashed)" in p.svg
    p.restart_button.click()
    assert "a3 restart" in p.caption
    p.go(2)  # look back in time; the next action returns to the present
    p.deliver()
    assert p.cursor == len(p.view) == len(sim.trace)


def test_live_mistakes_show_a_message() -> None:
    p = TracePlayer(Simulation(Cluster(), seed=1, manual=True))
    p.deliver_button.click()
    assert "no message is pending" in p.message
    p.deliver(99)
    assert "msg_id must be one of the pending ids" in p.message
    p.propose("p2")
    assert p.message == ""
    with pytest.raises(ValueError, match="live actions need"):
        TracePlayer(default_trace()).deliver(1)


def test_a_busy_scene_draws_every_message_in_flight() -> None:
    sim = busy_sim()
    p = TracePlayer(sim)
    snap = p.snapshot
    assert len(p.view.roles) == 8 and len(snap.in_flight) == 10
    for m in snap.in_flight.values():
        assert m.describe() in p.svg
    assert "in flight: 10 messages" in p.svg


def test_checker_counterexamples_play_too() -> None:
    model = pytest.importorskip("paxos_notes.checker.model")
    result = model.check_agents("small-quorum")
    trace = result.trace()
    p = TracePlayer(trace, cursor=len(trace))
    assert "only a single value is chosen" in p.caption
    assert p.svg.count("stroke-width=\"2\"") >= 1


def test_traces_round_trip_through_json_to_the_same_frames() -> None:
    trace = default_trace()
    again = Trace.from_json(trace.to_json())
    for cursor in (0, 17, len(trace)):
        assert render(trace, cursor) == render(again, cursor)
        assert caption(trace, cursor) == caption(again, cursor)
    assert TracePlayer(json.loads(trace.to_json())).view.trace.events == trace.events


def test_roles_come_from_the_header_or_from_the_messages() -> None:
    trace = default_trace()
    assert roles(trace) == {"p1": "proposer", "p2": "proposer", "a1": "acceptor",
                            "a2": "acceptor", "a3": "acceptor", "l1": "learner"}
    bare = Trace(meta={}, events=trace.events)
    assert roles(bare) == roles(trace)


def test_bad_traces_and_cursors_raise_value_errors(tmp_path) -> None:
    data = default_trace().to_dict()
    data["version"] = 99
    with pytest.raises(ValueError, match=r"newer than this paxos-notes reads \(allowed: 1\.\.1\)"):
        TracePlayer(data)
    with pytest.raises(ValueError, match="trace must be a Trace, a Simulation"):
        TracePlayer(42)
    with pytest.raises(ValueError, match="not valid JSON"):
        TracePlayer("{not json")
    path = tmp_path / "t.json"
    path.write_text(default_trace().to_json(), encoding="utf-8")
    assert len(TracePlayer(path).view) == len(default_trace())
    n = len(default_trace())
    with pytest.raises(ValueError, match=rf"cursor must be in 0\.\.{n}, got {n + 1}"):
        TracePlayer(cursor=n + 1)
    p = TracePlayer()
    p.slider.value = 5
    with pytest.raises(ValueError, match="cursor must be in"):
        p.go(-1)
    assert p.cursor == 5


def test_a_growing_trace_extends_the_view() -> None:
    sim = Simulation(Cluster(), seed=2, manual=True)
    view = TraceView(sim.trace)
    sim.propose("p1")
    assert len(view) == 0
    view.extend()
    assert len(view) == len(sim.trace) and len(view.at(len(view)).in_flight) == 3


def test_key_frames_and_storyboard() -> None:
    view = TraceView(default_trace())
    frames = key_frames(view)
    chosen_at = next(i for i, e in enumerate(view.trace.events) if e.kind == "chosen") + 1
    assert frames[0] == 0 and frames[-1] == len(view) and len(frames) == 4
    assert chosen_at in frames
    assert len(key_frames(view, 9)) == 9
    with pytest.raises(ValueError, match="panels must be >= 1"):
        key_frames(view, 0)
    fig = storyboard(view, cursors=[0, len(view)])
    assert len(fig.axes) == 2
    words = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "Chosen so far" in words
