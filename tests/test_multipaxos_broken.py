"""§3 with a rule broken on purpose (``Setup(broken=...)``), and the checks that
catch it: the linearizability checker, the lost-write check and the monitor.
Each broken run is compared with the same run under the paper's rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paxos_notes.invariants import P2C, SINGLE_VALUE
from paxos_notes.multipaxos.kv import NOOP, Command
from paxos_notes.multipaxos.linearizability import check
from paxos_notes.multipaxos.messages import Accept, Accepted, Heartbeat, Redirect, Request
from paxos_notes.multipaxos.safety import AGREEMENT
from paxos_notes.multipaxos.scenario import broken_scenario, failover_simulation
from paxos_notes.multipaxos.server import BROKEN, Server, Setup
from paxos_notes.multipaxos.sim import Fault, Network, OpRecord, Simulation, Timing, Workload


def put_x(client: str, value: int) -> Command:
    return Command(client, 1, ("put", "x", value))


def ops(sim: Simulation) -> list[tuple[str, tuple, object]]:
    return [(o.client, o.op, o.output) for o in sim.history()]


def test_broken_is_validated_naming_the_parameter_and_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"broken must be None or one of "
                                         r"\('skip-phase1', 'no-gap-fill'\), got 'phase1'"):
        Setup(broken="phase1")
    assert BROKEN == ("skip-phase1", "no-gap-fill")
    assert Setup().broken is None and Setup(broken="no-gap-fill").broken == "no-gap-fill"
    with pytest.raises(ValueError, match="name must be one of"):
        broken_scenario("skip-phase2")


# -- skip-phase1: an acknowledged write is overwritten ------------------------------


def test_skipping_phase_1_loses_an_acknowledged_write() -> None:
    sim = broken_scenario("skip-phase1")
    # c1's put was acknowledged, then c2's get (invoked after) did not see it
    assert ops(sim) == [("c1", ("put", "x", 1), "ok"), ("c2", ("get", "x"), None)]
    result = check(sim.history())
    assert not result.linearizable
    assert result.explanation.endswith(
        "client 'c2': get('x') -> None [2.0, 2.0]: returned None, but the spec gives 1 here")
    (lost,) = sim.lost_writes()
    assert (lost.client, lost.request_id, lost.op) == ("c1", 1, ("put", "x", 1))
    # the monitor saw why: s2's proposal ignored what a majority had accepted,
    # and instance 1 then had two values chosen
    rules = [v.rule for v in sim.violations]
    assert rules[:2] == [P2C, SINGLE_VALUE] and AGREEMENT in rules
    assert "instance 1: values" in str(sim.violations[1])
    assert sim.servers["s2"].log() == [Command("c2", 1, ("get", "x")).encode()]
    assert sim.servers["s1"].stable.chosen[1] == put_x("c1", 1).encode()


def test_with_phase_1_the_same_steps_keep_the_write() -> None:
    sim = broken_scenario("skip-phase1", control=True)
    assert ops(sim) == [("c1", ("put", "x", 1), "ok"), ("c2", ("get", "x"), 1)]
    assert check(sim.history()).linearizable
    assert sim.lost_writes() == [] and sim.safe
    # s2's own promise reported the put in instance 1: it proposed it again
    assert sim.servers["s2"].leadership.constrained == (1,)
    assert sim.servers["s2"].log()[0] == put_x("c1", 1).encode()


def crash_leader_run(seed: int, broken: str | None) -> Simulation:
    setup = Setup(alpha=3, broken=broken)
    faults = (*(Fault(t, "crash_leader") for t in (60.0, 120.0, 180.0)),
              Fault(200.0, "restart", servers=("s1", "s2", "s3")))
    sim = Simulation(setup, seed=seed, workload=Workload(clients=3, ops=15, keys=("x",)),
                     network=Network(delay=(1.0, 6.0), faults_until=250.0),
                     timing=Timing(think=(0.0, 10.0)), faults=faults, record=False)
    return sim.run(until=3000)


def test_a_seeded_run_skipping_phase_1_is_caught_and_the_same_seed_is_fine_without() -> None:
    sim = crash_leader_run(8, "skip-phase1")
    result = check(sim.history())
    assert not result.linearizable
    assert "client 'c2': get('x') -> None [63.76829154139405, 242.7943577336132]: " \
           "returned None, but the spec gives 1 here" in result.explanation
    assert [(r.client, r.op, r.output) for r in sim.lost_writes()] == [
        ("c2", ("put", "x", 1), "ok"), ("c1", ("put", "x", 1), "ok")]
    assert [v.rule for v in sim.violations[:2]] == [P2C, SINGLE_VALUE]
    control = crash_leader_run(8, None)
    assert control.safe and control.done and control.lost_writes() == []
    assert check(control.history()).linearizable
    assert control.leader_changes >= 2  # the same faults hit it


# -- no-gap-fill: the log stops at the gap ----------------------------------------------


def test_not_filling_a_gap_stops_execution_there_and_leaves_the_clients_waiting() -> None:
    sim = broken_scenario("no-gap-fill")
    assert [(o.client, o.op, o.pending) for o in sim.history()] == [
        ("c1", ("put", "x", 1), True), ("c2", ("put", "x", 2), True),
        ("c3", ("get", "x"), True)]
    s2 = sim.servers["s2"]
    assert sorted(s2.stable.chosen) == [2, 3] and s2.executed == 0 and s2.log() == []
    assert all(s.executed == 0 for s in sim.servers.values())
    # nothing wrong is ever chosen or answered: safety holds, the store just stops
    assert sim.safe and sim.lost_writes() == [] and check(sim.history()).linearizable


def test_with_a_no_op_in_the_gap_the_same_steps_answer_everyone_who_was_chosen() -> None:
    sim = broken_scenario("no-gap-fill", control=True)
    assert [(o.client, o.output, o.pending) for o in sim.history()] == [
        ("c1", None, True), ("c2", "ok", False), ("c3", 2, False)]
    assert sim.servers["s2"].log() == [NOOP, put_x("c2", 2).encode(),
                                       Command("c3", 1, ("get", "x")).encode()]
    assert check(sim.history()).linearizable and sim.safe and sim.lost_writes() == []


def drain(sim: Simulation, keep=lambda m: True) -> None:
    while ready := [p for p in sim.pending() if keep(p.message)]:
        sim.deliver(ready[0].id)


def drop_all(sim: Simulation) -> None:
    for p in sim.pending():
        sim.drop(p.id)


def client_traffic(m: object) -> bool:
    return isinstance(m, Request | Redirect)


def test_without_no_ops_a_new_leader_leaves_the_gap_open() -> None:
    # s1 leads, proposes 1 and 2; only 2 reaches s2 and is chosen; s2 hears
    # so; s1 crashes. s2's phase 1 finds 1 unconstrained: the paper fills it
    # with a no-op, the broken leader leaves it open and goes on at 3.
    def run(broken: str | None) -> Server:
        sim = Simulation(Setup(alpha=3, broken=broken), seed=0, workload=Workload(clients=0),
                         manual=True)
        sim.campaign("s1")
        drain(sim)
        for client, value in (("c1", 1), ("c2", 2)):
            sim.invoke(client, ("put", "x", value))
            drain(sim, client_traffic)
        drain(sim, lambda m: isinstance(m, Accept | Accepted) and m.instance == 2
              and "s3" not in (m.sender, m.receiver))
        drop_all(sim)
        for _ in range(2):
            sim.tick("s1")
        drain(sim, lambda m: isinstance(m, Heartbeat) and m.receiver == "s2")
        drop_all(sim)
        sim.crash("s1")
        sim.campaign("s2")
        drain(sim)
        assert sim.leaders() == ["s2"]
        return sim.servers["s2"]

    paper = run(None)
    assert paper.leadership.noops == (1,) and paper.stable.chosen[1] == NOOP
    assert list(paper.executed_instances()) == [1, 2]
    broken = run("no-gap-fill")
    assert broken.leadership.noops == () and 1 not in broken.stable.chosen
    assert 2 in broken.stable.chosen and broken.executed == 0 and broken.log() == []


def failover_run(broken: str | None) -> Simulation:
    """The notebooks' failover run (seed 14): its new leader finds instance 4 a gap."""
    return failover_simulation(broken=broken).run(until=2000)


def test_a_seeded_gap_left_open_stops_every_server_for_good() -> None:
    sim = failover_run("no-gap-fill")
    for server in sim.servers.values():
        assert server.executed == 3 and 4 not in server.stable.chosen
        assert {5, 6, 7} <= set(server.stable.chosen)  # chosen, and waiting behind 4
    assert sim.safe and sim.completed < len(sim.ops) < 15  # clients stuck mid-workload
    control = failover_run(None)
    assert control.safe and control.done and control.completed == 15
    assert all(s.stable.chosen[4] == NOOP for s in control.servers.values())


# -- no acknowledged write lost -------------------------------------------------------


def test_no_write_is_lost_in_a_faulty_run_and_every_acknowledged_one_is_counted() -> None:
    sim = crash_leader_run(8, None)
    acked = sim.acknowledged_writes()
    assert acked and all(r.op[0] in ("put", "cas") for r in acked)
    assert all(r.output == "ok" or r.output is True for r in acked)
    assert sim.lost_writes() == []


def test_tampering_with_the_log_shows_up_as_a_lost_write() -> None:
    sim = Simulation(seed=2, workload=Workload(clients=2, ops=8)).run(until=3000)
    assert sim.done and sim.lost_writes() == []
    victim: OpRecord = sim.acknowledged_writes()[2]
    value = Command(victim.client, victim.request_id, victim.op).encode()
    for name, server in sim.servers.items():  # replace the write by a no-op everywhere
        chosen = {i: (NOOP if v == value else v) for i, v in server.stable.chosen.items()}
        sim.servers[name] = replace(server, stable=replace(server.stable, chosen=chosen))
    assert sim.lost_writes() == [victim]


def test_a_write_known_only_to_a_crashed_leader_is_not_lost() -> None:
    # s1 gets c1's put chosen (s1, s2 accept), answers c1 and crashes before
    # telling anyone: only s1's stable storage knows it chosen — and that counts,
    # since a restarted s1 replays it (and any new leader finds it in phase 1).
    sim = Simulation(seed=0, workload=Workload(clients=0), manual=True)
    sim.campaign("s1")
    while sim.pending():
        sim.deliver(sim.pending()[0].id)
    sim.invoke("c1", ("put", "x", 1))
    drain(sim, lambda m: "s3" not in (m.sender, m.receiver))
    assert sim.clients["c1"].last == (1, "ok")
    sim.crash("s1")
    assert sim.lost_writes() == []
    assert [s.executed for s in sim.servers.values()] == [0, 0, 0]


def test_elections_are_recorded_and_leader_changes_counted() -> None:
    sim = crash_leader_run(8, None)
    assert len(sim.elections) == sim.leader_changes + 1
    times = [t for t, _, _ in sim.elections]
    assert times == sorted(times)
    assert {name for _, name, _ in sim.elections} <= {"s1", "s2", "s3"}
