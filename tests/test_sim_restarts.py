"""Crashes and restarts as a viewer and a learner see them."""

from __future__ import annotations

import pytest

from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation
from paxos_notes.widgets.trace_player import TraceView


def test_a_message_to_a_stopped_agent_leaves_flight_in_the_trace():
    sim = Simulation(Cluster(acceptors=3, proposers=1), seed=1, manual=True)
    sim.propose("p1")
    sim.crash("a1")
    to_a1 = next(p for p in sim.pending() if p.message.receiver == "a1")
    sim.deliver(to_a1.id)
    drop = sim.trace.events[-1]
    assert drop.kind == "drop" and drop.detail == "receiver is down"
    assert drop.msg_id == to_a1.id
    view = TraceView(sim.trace)
    assert to_a1.id not in view.at(len(view)).in_flight
    assert len(view.at(len(view)).in_flight) == len(sim.pending())


def test_restarting_a_learner_by_hand_makes_the_proposers_ask_again():
    sim = Simulation(Cluster(acceptors=3, proposers=1), seed=2, network=Network(delay=(1, 1)))
    sim.run(until=100)
    assert sim.learned()["l1"] is not None
    assert not sim._queue  # every proposer rests: the learner knows
    sim.crash("l1")
    sim.restart("l1")
    sim.run(until=500)
    assert sim.learned()["l1"] is not None


def test_a_restart_is_one_step():
    sim = Simulation(Cluster(acceptors=3, proposers=1), seed=3,
                     network=Network(crash_rate=0.2, faults_until=50))
    processed = 0
    while sim._queue and sim._queue[0][0] <= 300:
        if sim.step():
            processed += 1
    assert any(e.kind == "restart" for e in sim.trace), "the seed restarts something"
    assert sim.steps == processed


@pytest.mark.parametrize("values", [("x" * 65,), ("",)])
def test_values_a_trace_could_not_hold_are_refused(values):
    with pytest.raises(ValueError, match=r"values must be strings of 1\.\.64 characters"):
        Cluster(proposers=1, values=values)
