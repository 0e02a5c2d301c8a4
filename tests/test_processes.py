"""Processes, not roles (§2.5): the same agents, wired so that roles of one process
talk without the network."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.cluster import Cluster
from paxos_notes.processes import Placement, ProcessSimulation
from paxos_notes.script import drive
from paxos_notes.sim import Network, Simulation


def one_decision(sim: Simulation) -> Simulation:
    """p1 alone proposes; every network message is delivered in sending order."""
    return drive(sim, [("propose", "p1")]).settle().sim


def cluster(n: int, learning: str = "distinguished") -> Cluster:
    return Cluster(acceptors=n, proposers=n, learners=n, learning=learning)  # type: ignore[arg-type]


def test_by_index_puts_proposer_acceptor_and_learner_i_on_process_i() -> None:
    p = Placement.by_index(cluster(3))
    assert p.processes == ("P1", "P2", "P3")
    assert [p.host(a) for a in ("p1", "a1", "l1", "p2", "a3", "l3")] == \
        ["P1", "P1", "P1", "P2", "P3", "P3"]
    assert p.describe() == "P1 = {p1, a1, l1}; P2 = {p2, a2, l2}; P3 = {p3, a3, l3}"


def test_by_index_handles_clusters_with_fewer_proposers_than_acceptors() -> None:
    p = Placement.by_index(Cluster(acceptors=3, proposers=1, learners=1))
    assert p.hosts == (("P1", ("p1", "a1", "l1")), ("P2", ("a2",)), ("P3", ("a3",)))


def test_placement_rejects_an_agent_on_two_processes() -> None:
    with pytest.raises(ValueError, match="agent 'a1' must be on one process"):
        Placement((("P1", ("a1",)), ("P2", ("a1",))))


def test_placement_rejects_repeated_process_names_and_unknown_agents() -> None:
    with pytest.raises(ValueError, match="hosts must name each process once"):
        Placement((("P1", ("a1",)), ("P1", ("a2",))))
    with pytest.raises(ValueError, match="agent must be one of"):
        Placement((("P1", ("a1",)),)).host("a9")


def test_simulation_rejects_a_placement_that_misses_an_agent() -> None:
    partial = Placement((("P1", ("p1", "a1", "l1")),))
    with pytest.raises(ValueError, match="placement must place exactly the agents"):
        ProcessSimulation(cluster(3), placement=partial, seed=0, manual=True)


def test_no_message_between_roles_of_one_process_goes_on_the_network() -> None:
    sim = ProcessSimulation(cluster(3), seed=0, manual=True)
    sim.propose("p1")
    assert {p.message.receiver for p in sim.pending()} == {"a2", "a3"}
    assert sim.local == 2  # prepare p1→a1 and a1's promise, handed over inside P1
    one_decision(sim)
    sends = [e.message for e in sim.trace if e.kind == "send"]
    assert sends and not any(sim.placement.local(m) for m in sends)
    assert sim.counts.sent == len(sends)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7])
@pytest.mark.parametrize("learning", ["distinguished", "all"])
def test_local_and_network_messages_add_up_to_the_role_level_count(n: int,
                                                                    learning: str) -> None:
    roles = one_decision(Simulation(cluster(n, learning), seed=0, manual=True))
    procs = one_decision(ProcessSimulation(cluster(n, learning), seed=0, manual=True))
    assert procs.counts.sent + procs.local == roles.counts.sent
    assert procs.chosen == roles.chosen and procs.learned() == roles.learned()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7])
def test_a_decision_led_by_the_distinguished_learner_costs_the_formula(n: int) -> None:
    """Phase 1: n-1 prepares and promises; phase 2: accepts to the m-1 other acceptors of
    the first majority and their acceptances; the leader then tells n-1 learners."""
    sim = one_decision(ProcessSimulation(cluster(n), seed=0, manual=True))
    m = n // 2 + 1
    sent = Counter(type(e.message).__name__ for e in sim.trace if e.kind == "send")
    assert sent == Counter({"Prepare": n - 1, "Promise": n - 1, "Accept": m - 1,
                            "Accepted": m - 1, "Chosen": n - 1}) - Counter()
    assert sim.local == 4  # prepare, promise, accept, accepted inside P1


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7])
def test_phase_2_and_learning_match_notebook_08s_per_command_cost_for_odd_n(n: int) -> None:
    """Notebook 07 compares a decision without phase 1, 2(a-1) + (N-1) messages, with the
    2(N-1) per command of notebook 08's servers: equal for odd N, not for even N."""
    sim = one_decision(ProcessSimulation(cluster(n), seed=0, manual=True))
    sent = Counter(type(e.message).__name__ for e in sim.trace if e.kind == "send")
    after_phase_1 = sent["Accept"] + sent["Accepted"] + sent["Chosen"]
    assert (after_phase_1 == 2 * (n - 1)) == (n % 2 == 1)


def test_a_local_acceptance_that_completes_a_majority_is_seen_as_chosen() -> None:
    # p2 leads; a2's own acceptance is local and arrives after a1's: the second one
    # completes the majority inside P2.
    sim = ProcessSimulation(cluster(3), seed=0, manual=True)
    run = drive(sim, [("propose", "p2"), ("deliver", "p2", "a1", "Prepare"),
                      ("deliver", "a1", "p2", "Promise")]).settle()
    assert {p.value for p in run.sim.chosen} == {"y"}
    assert run.first("chosen") is not None
    assert run.sim.chosen_at is not None


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.sampled_from([3, 5]),
       loss=st.sampled_from([0.0, 0.2]), crash_rate=st.sampled_from([0.0, 0.01]))
def test_processes_under_faults_stay_safe_and_local_messages_are_never_lost(
        seed: int, n: int, loss: float, crash_rate: float) -> None:
    net = Network(loss=loss, duplication=0.1, crash_rate=crash_rate, faults_until=300.0)
    sim = ProcessSimulation(cluster(n), seed=seed, network=net).run(until=600.0)
    assert sim.history.safe, sim.violations
    assert len(sim.history.chosen_values) <= 1
    lost = [e.message for e in sim.trace if e.kind == "drop" and e.message is not None
            and e.detail == "lost by the network"]
    assert not any(sim.placement.local(m) for m in lost)
    handed = [e for e in sim.trace if e.kind in ("deliver", "drop") and e.msg_id is None
              and e.message is not None and sim.placement.local(e.message)]
    assert len(handed) == sim.local  # every local message is handed over, or its role is down


def test_the_same_seed_gives_the_same_process_trace() -> None:
    net = Network(loss=0.2, duplication=0.2)
    a = ProcessSimulation(cluster(3), seed=7, network=net).run(until=300.0)
    b = ProcessSimulation(cluster(3), seed=7, network=net).run(until=300.0)
    assert a.trace.to_json() == b.trace.to_json()


@pytest.mark.parametrize("leader", ["p1", "p2", "p3"])
@pytest.mark.parametrize("learning", ["distinguished", "all"])
def test_each_newly_chosen_proposal_is_announced_once(leader: str, learning: str) -> None:
    for seed in range(20):
        net = Network(loss=0.1, duplication=0.2)
        sim = ProcessSimulation(cluster(3, learning), seed=seed, network=net, leader=leader)
        sim.run(until=400.0)
        announced = [e.detail for e in sim.trace if e.kind == "chosen"]
        assert len(announced) == len(set(announced)) == len(sim.history.chosen)
