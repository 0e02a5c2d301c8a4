"""Structured acceptor/learner state on trace events, and what a viewer folds from it
(`paxos_notes.trace_state`): the same state at every cursor, what a crash loses
decided by the agents themselves, and memory linear in the trace."""

from __future__ import annotations

import functools
import json
import random

import pytest

from paxos_notes import agents, trace_state
from paxos_notes.agents import Learner, Proposer
from paxos_notes.checker import check_agents, replay
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import Trace
from paxos_notes.trace_state import TraceState


@functools.cache
def _amnesia_run():
    r = check_agents("amnesia")
    return r.cluster, r.counterexample


def _amnesia_trace() -> tuple[Trace, dict]:
    sim = replay(*_amnesia_run()).sim
    return sim.trace, sim.agents


def test_acceptor_events_carry_the_storage_after_the_event():
    trace, _ = _amnesia_trace()
    restarts = [e for e in trace if e.kind == "restart"]
    assert restarts, "the amnesia counterexample restarts an acceptor"
    # Amnesia: after the restart the acceptor remembers nothing.
    assert restarts[0].state == {"promised": None, "accepted": None}


def test_viewer_folds_the_real_final_acceptor_state_under_non_paper_rules():
    trace, agents = _amnesia_trace()
    view = TraceState(trace)
    snap = view.at(len(view))
    for name, agent in agents.items():
        if name.startswith("a"):
            assert snap.promised[name] == agent.promised, name
            assert snap.accepted[name] == agent.accepted, name


def test_state_survives_a_json_round_trip():
    trace, _ = _amnesia_trace()
    again = Trace.from_json(trace.to_json())
    assert [e.state for e in again] == [e.state for e in trace]
    assert any(e.state and "chosen" in e.state for e in again)


@pytest.mark.parametrize("state, words", [
    ({"secret": 1}, "keys must be among"),
    ({"promised": "3"}, "promised"),
    ({"chosen": {"n": [0, 0, 1]}}, "chosen must be a list"),
    ([], "state must be an object"),
])
def test_bad_state_is_one_clear_error(state, words):
    trace, _ = _amnesia_trace()
    data = json.loads(trace.to_json())
    data["events"][0]["state"] = state
    with pytest.raises(ValueError, match=words) as info:
        Trace.from_dict(data)
    assert "\n" not in str(info.value)


def _crashy_trace(seed: int, until: float = 300.0) -> Simulation:
    net = Network(loss=0.1, duplication=0.1, crash_rate=0.03)
    return Simulation(Cluster(acceptors=3, proposers=2, learners=2), seed=seed,
                      network=net).run(until=until)


def _same(a: trace_state.Snapshot, b: trace_state.Snapshot) -> bool:
    return (a.cursor, dict(a.up), dict(a.in_flight), dict(a.agents), a.chosen, a.violations,
            a.partition, a.last, a.recent) == \
        (b.cursor, dict(b.up), dict(b.in_flight), dict(b.agents), b.chosen, b.violations,
         b.partition, b.last, b.recent) and \
        all(a.request(n) == b.request(n) for n in a.agents)


@pytest.mark.parametrize("seed", [1, 4])
def test_every_cursor_in_any_order_gives_the_state_of_a_fold_from_the_start(seed: int) -> None:
    trace = _crashy_trace(seed).trace
    assert len(trace) > 3 * trace_state.MIN_GAP, "long enough to need keyframes"
    state = TraceState(trace)
    cursors = list(range(len(trace) + 1))
    random.Random(seed).shuffle(cursors)
    for k in cursors + cursors[:40]:  # the second visits hit the cache
        assert _same(state.at(k), trace_state.fold(trace, k)), k
        again = trace_state._Fold(state.roles)  # the plain definition: event by event
        for e in trace.events[:k]:
            again.apply(e)
        assert _same(state.at(k), again.snapshot()), k


@pytest.mark.parametrize("seed", [0, 2, 9])
def test_the_folded_proposers_and_learners_are_the_simulations_own(seed: int) -> None:
    sim = _crashy_trace(seed)
    assert any(e.kind == "crash" for e in sim.trace), "the seed crashes someone"
    snap = fold(sim.trace, len(sim.trace))
    for name, agent in sim.agents.items():
        if isinstance(agent, Proposer):
            request = snap.request(name)
            assert (request is None) == (agent.number is None), name
            assert request is None or request.n == agent.number, name
        elif isinstance(agent, Learner):
            assert snap.learned[name] == (agent.learned.value if agent.learned else None)


def test_what_a_crash_loses_is_the_agents_own_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=1), seed=0, network=Network())
    sim.run(until=50)
    learned = sim.learned()["l1"]
    assert learned is not None
    sim.crash("l1")
    sim.crash("p1")
    snap = fold(sim.trace, len(sim.trace))
    assert snap.learned["l1"] is None and snap.request("p1") is None
    # A learner and a proposer whose crash keeps everything: the fold follows them,
    # because it asks their classes instead of knowing by itself.
    monkeypatch.setattr(agents.Learner, "crash", lambda self: agents.replace(self, up=False))
    monkeypatch.setattr(agents.Proposer, "crash", lambda self: agents.replace(self, up=False))
    snap = fold(sim.trace, len(sim.trace))
    assert snap.learned["l1"] == learned.value
    assert snap.request("p1") is not None and not snap.up["l1"] and not snap.up["p1"]


def fold(trace: Trace, cursor: int) -> trace_state.Snapshot:
    return trace_state.fold(trace, cursor)


def _flooded(proposals: int) -> Trace:
    """A manual run where nothing is ever delivered: the messages in flight grow with the
    trace, so a snapshot per event would hold a number of entries quadratic in it."""
    sim = Simulation(Cluster(acceptors=5, proposers=2), seed=0, manual=True)
    for i in range(proposals):
        sim.propose(f"p{1 + i % 2}")
    return sim.trace


def _footprint(trace: Trace) -> tuple[int, TraceState]:
    state = TraceState(trace)
    for k in range(0, len(state) + 1, 7):  # a reader scrubbing back and forth
        state.at(k)
        state.at(max(k - 3, 0))
    return state.footprint(), state


def test_memory_grows_linearly_with_the_trace_not_with_its_square() -> None:
    small, state = _footprint(_flooded(200))
    big, _ = _footprint(_flooded(400))
    n = len(state)
    assert len(state.at(n).in_flight) == 5 * 200  # in flight grows with the trace
    # Linear: doubling the trace about doubles what is held (quadratic would be ~4x),
    # and the total stays within a small multiple of the number of events.
    assert big <= 2.4 * small, (small, big)
    assert small <= 12 * n, (small, n)
