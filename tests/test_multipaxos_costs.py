"""What a command costs (§3): phase 2 only in steady state, phase 1 once per leader."""

from __future__ import annotations

import pytest

from paxos_notes.multipaxos import Fault, Network, Setup, Simulation, Timing, Workload
from paxos_notes.multipaxos.costs import command_costs
from paxos_notes.multipaxos.kv import NOOP


def one_unit_run(servers: int = 3, seed: int = 3, faults: tuple[Fault, ...] = ()) -> Simulation:
    names = tuple(f"s{k}" for k in range(1, servers + 1))
    return Simulation(Setup(servers=names, alpha=3), seed=seed,
                      workload=Workload(clients=2, ops=10), network=Network(delay=(1.0, 1.0)),
                      timing=Timing(think=(0.0, 0.0)), faults=faults)


@pytest.mark.parametrize("servers", [3, 5])
def test_a_steady_command_costs_two_delays_and_two_messages_per_other_server(
        servers: int) -> None:
    costs = command_costs(one_unit_run(servers))
    assert len(costs.commands) == 20 and not costs.waited()
    assert {(c.delays, c.phase2) for c in costs.commands} == {(2.0, 2 * (servers - 1))}
    (first,) = costs.phase1  # one leader, one phase 1, for every instance
    assert first.messages == 2 * (servers - 1) and first.elected == first.started + 2


def test_after_the_leader_crashes_the_command_it_had_in_flight_waits_for_phase_1() -> None:
    faults = (Fault(60.0, "crash_leader"), Fault(150.0, "restart", servers=("s1", "s2", "s3")))
    costs = command_costs(one_unit_run(faults=faults))
    assert [(c.instance, c.leader, c.delays) for c in costs.waited()] == [(10, "s3", 4.0)]
    assert {c.delays for c in costs.steady()} == {2.0}
    assert {c.leader for c in costs.commands} == {"s1", "s3"}
    assert [(p.leader, p.number.natural, p.messages) for p in costs.phase1] == [
        ("s1", 0, 4), ("s3", 2, 3)]  # s3's prepare to the crashed s1 gets no promise
    assert all(c.value != NOOP for c in costs.commands)


def test_only_a_recording_automatic_run_can_be_measured() -> None:
    with pytest.raises(ValueError, match="automatic-mode Simulation that records"):
        command_costs(Simulation(seed=0, manual=True))
    with pytest.raises(ValueError, match="automatic-mode Simulation that records"):
        command_costs(Simulation(seed=0, record=False))
