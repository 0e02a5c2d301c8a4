"""Structured acceptor/learner state on trace events, and what a viewer folds from it."""

from __future__ import annotations

import functools
import json

import pytest

from paxos_notes.checker import check_agents, replay
from paxos_notes.trace import Trace
from paxos_notes.widgets.trace_player import TraceView


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
    view = TraceView(trace)
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
