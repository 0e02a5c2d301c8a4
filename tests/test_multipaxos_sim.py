"""The replicated key-value store under §2.1's faults: safety after every step,
linearizable client histories, liveness once faults stop, at-most-once
execution, the window α, reconfiguration, and the driver itself."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paxos_notes.multipaxos import client as client_module
from paxos_notes.multipaxos import server as server_module
from paxos_notes.multipaxos.kv import NOOP, Command
from paxos_notes.multipaxos.linearizability import check
from paxos_notes.multipaxos.messages import (
    Accept,
    Accepted,
    Heartbeat,
    Prepare,
    Redirect,
    Reply,
    Request,
)
from paxos_notes.multipaxos.safety import WINDOW, Monitor
from paxos_notes.multipaxos.server import Setup
from paxos_notes.multipaxos.sim import Fault, Network, Scripted, Simulation, Timing, Workload
from paxos_notes.multipaxos.trace import Trace

FAULTS_UNTIL = 250.0
#: Once faults stop, every operation must complete within this much simulated
#: time: a few election timeouts (20..40) and client retries (40) are enough.
LIVENESS_BOUND = 600.0


def servers(n: int) -> tuple[str, ...]:
    return tuple(f"s{i}" for i in range(1, n + 1))


def assert_correct(sim: Simulation) -> None:
    """Safe at every step, linearizable, and every operation completed."""
    assert sim.safe, sim.violations[:3]
    result = check(sim.history())
    assert result.linearizable, result.explanation
    assert sim.done, sim.summary()


def run_faulty(seed: int, n: int = 3, alpha: int = 3, faults: tuple[Fault, ...] = (),
               loss: float = 0.1, duplication: float = 0.05, crash_rate: float = 0.0,
               ops: int = 10, delay: tuple[float, float] = (1.0, 5.0)) -> Simulation:
    sim = Simulation(
        Setup(servers=servers(n), alpha=alpha), seed=seed,
        workload=Workload(clients=3, ops=ops, keys=("x", "y")),
        network=Network(loss=loss, duplication=duplication, delay=delay,
                        crash_rate=crash_rate, faults_until=FAULTS_UNTIL),
        # clients pause between operations, so that they run through the faults
        timing=Timing(think=(0.0, 40.0)),
        faults=faults, record=False)
    return sim.run(until=FAULTS_UNTIL + LIVENESS_BOUND)


# -- fault-free ----------------------------------------------------------------------


def test_a_fault_free_run_completes_every_operation_linearizably() -> None:
    sim = Simulation(seed=7, workload=Workload(clients=3, ops=12)).run(until=5000)
    assert_correct(sim)
    assert len(sim.leaders()) == 1
    logs = {tuple(s.log()[:30]) for s in sim.servers.values()}
    assert len(logs) == 1  # every server executed the same first 30 commands


def test_steady_state_messages_are_phase_2_only() -> None:
    # Fixed delays so that the run settles; count what one leader spends.
    sim = Simulation(seed=3, workload=Workload(clients=1, ops=40),
                     network=Network(delay=(1.0, 1.0)),
                     timing=Timing(heartbeat=50.0, election=(300.0, 400.0), think=(1.0, 1.0)))
    sim.run(until=10_000)
    assert_correct(sim)
    sent = sim.sent
    assert sent["Prepare"] == 2 and sent["Promise"] == 2  # the one election
    commands = len(sim.ops)
    # accept to each of the two others, their acceptances: 2 message delays
    assert sent["Accept"] == sent["Accepted"] == 2 * commands


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n", "alpha"), [(1, 3, 1), (2, 3, 3), (3, 5, 2), (4, 5, 4)])
def test_loss_duplication_crashes_and_a_partition_stay_safe_and_linearizable(
        seed: int, n: int, alpha: int) -> None:
    faults = (
        Fault(60.0, "crash_leader"),
        Fault(90.0, "partition", groups=(servers(n)[:2], servers(n)[2:])),
        Fault(140.0, "heal"),
        Fault(150.0, "crash_leader"),
    )
    sim = run_faulty(seed, n, alpha, faults, crash_rate=0.005)
    assert_correct(sim)
    # the faults hit a running workload, and leaders did change
    assert min(r.invoke for r in sim.ops) < 60.0 < 150.0 < max(r.complete for r in sim.ops)
    assert sim.dropped > 0 and sim.duplicated > 0
    assert sim.sent["Prepare"] > 2 * (n - 1)


def test_a_crashed_leader_is_replaced_and_its_proposals_survive() -> None:
    sim = Simulation(seed=11, workload=Workload(clients=3, ops=15),
                     faults=(Fault(40.0, "crash_leader"),))
    sim.run(until=39.0)
    first = sim.leaders()
    sim.run(until=3000)
    assert_correct(sim)
    assert first and sim.leaders() and sim.leaders() != first
    assert not sim.servers[first[0]].up


def test_a_minority_leader_cannot_commit_but_the_majority_goes_on() -> None:
    sim = Simulation(seed=5, workload=Workload(clients=2, ops=10),
                     network=Network(faults_until=200.0), record=False)
    sim.run(until=80.0)
    (old,) = sim.leaders()
    others = tuple(n for n in sim.servers if n != old)
    sim.partition((old,), others)
    stuck = sim.servers[old].executed
    sim.run(until=199.0)
    assert sim.servers[old].executed == stuck  # alone, it learns nothing new
    assert max(sim.servers[n].executed for n in others) > stuck
    sim.run(until=2000)  # healed at faults_until
    assert_correct(sim)


# -- property-based -------------------------------------------------------------------------

SERVER_NAMES = servers(5)
#: Message delays: equal (messages on one link stay in order), spread (they
#: overtake each other), very spread (heavy reordering: a message may arrive
#: after several later ones).
DELAYS = ((1.0, 1.0), (1.0, 5.0), (0.2, 15.0))
FAULT_KINDS = ("crash", "restart", "crash_leader", "partition", "heal", "crash_minority")


@dataclass(frozen=True)
class Schedule:
    seed: int
    n: int
    alpha: int
    loss: float
    duplication: float
    delay: tuple[float, float]
    faults: tuple[Fault, ...]


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    n = draw(st.sampled_from([3, 5]))
    names = SERVER_NAMES[:n]
    faults = []
    for _ in range(draw(st.integers(0, 5))):
        t = draw(st.floats(0.0, FAULTS_UNTIL - 1, allow_nan=False))
        kind = draw(st.sampled_from(FAULT_KINDS))
        if kind in ("crash", "restart"):
            faults.append(Fault(t, kind, servers=(draw(st.sampled_from(names)),)))
        elif kind == "crash_minority":
            # a minority crashes at once and comes back (from stable storage) later
            order = draw(st.permutations(names))
            down = tuple(order[:draw(st.integers(1, (n - 1) // 2))])
            back = t + draw(st.floats(1.0, 100.0, allow_nan=False))
            faults += [Fault(t, "crash", servers=down), Fault(back, "restart", servers=down)]
        elif kind == "partition":
            cut = draw(st.integers(1, n - 1))
            order = draw(st.permutations(names))
            faults.append(Fault(t, kind, groups=(tuple(order[:cut]), tuple(order[cut:]))))
        else:
            faults.append(Fault(t, kind))
    return Schedule(draw(st.integers(0, 2**16)), n, draw(st.integers(1, 4)),
                    draw(st.sampled_from([0.0, 0.1, 0.25])), draw(st.sampled_from([0.0, 0.1])),
                    draw(st.sampled_from(DELAYS)), tuple(faults))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_any_fault_schedule_is_safe_linearizable_and_live_once_faults_stop(
        schedule: Schedule) -> None:
    s = schedule
    sim = run_faulty(s.seed, s.n, s.alpha, s.faults, s.loss, s.duplication, ops=6,
                     delay=s.delay)
    assert sim.safe, sim.violations[:3]
    result = check(sim.history())
    assert result.linearizable, result.explanation
    assert sim.lost_writes() == []
    # liveness: every operation completes within the bound after the faults stop
    assert sim.done, (sim.now, sim.summary())
    assert all(r.complete is not None and r.complete <= FAULTS_UNTIL + LIVENESS_BOUND
               for r in sim.ops)


# -- at most once ----------------------------------------------------------------------------


def drain(sim: Simulation, keep=lambda m: True) -> None:
    while True:
        ready = [p for p in sim.pending() if keep(p.message)]
        if not ready:
            return
        sim.deliver(ready[0].id)


def client_traffic(m: object) -> bool:
    return isinstance(m, Request | Redirect)


def drop_all(sim: Simulation) -> None:
    for p in sim.pending():
        sim.drop(p.id)


def test_a_retry_whose_reply_was_lost_is_answered_not_executed_again() -> None:
    sim = Simulation(seed=0, workload=Workload(clients=0), manual=True)
    sim.campaign("s1")
    drain(sim)
    sim.invoke("c1", ("put", "x", 1))
    drain(sim, keep=lambda m: not isinstance(m, Reply))  # the reply to c1 is lost
    drop_all(sim)
    sim.invoke("c2", ("put", "x", 2))
    drain(sim)
    sim.retry("c1")  # c1 sends request #1 again
    drain(sim)
    assert sim.clients["c1"].last == (1, "ok") and sim.servers["s1"].executed == 2
    assert sim.servers["s1"].sm.data == {"x": 2}  # not overwritten by a second put
    assert sim.safe


def test_a_request_chosen_twice_is_executed_once() -> None:
    # s1 gets c2's put chosen in instance 2 while instance 1 stays open, and
    # tells s2 so; s1 crashes. While s2 runs phase 1, c1 asks it to write x,
    # then c2 retries: s2 has not executed c2's put (instance 1 is missing), so
    # it proposes it again, after c1's write (α = 4 lets it propose 1..4 at
    # once, before it executes 2). Executing it twice would undo that write.
    sim = Simulation(Setup(alpha=4), seed=0, workload=Workload(clients=0), manual=True)
    sim.campaign("s1")
    drain(sim)
    sim.invoke("c3", ("put", "y", 3))  # instance 1
    drain(sim, keep=client_traffic)
    sim.invoke("c2", ("put", "x", 2))  # instance 2
    drain(sim, keep=client_traffic)
    drain(sim, keep=lambda m: isinstance(m, Accept | Accepted) and m.instance == 2)
    drop_all(sim)
    for _ in range(2):
        sim.tick("s1")
    drain(sim, keep=lambda m: isinstance(m, Heartbeat) and m.receiver == "s2")
    drop_all(sim)
    assert 2 in sim.servers["s2"].stable.chosen and sim.servers["s2"].executed == 0
    sim.crash("s1")
    sim.campaign("s2")
    drain(sim, keep=lambda m: isinstance(m, Prepare) and m.receiver == "s3")
    sim.invoke("c1", ("put", "x", 1))
    drain(sim, keep=client_traffic)
    sim.retry("c2")  # c2 never got an answer
    drain(sim, keep=client_traffic)
    assert [c.client for c in sim.servers["s2"].leadership.queue] == ["c1", "c2"]
    drain(sim, keep=lambda m: m.receiver != "s1")
    put1 = Command("c1", 1, ("put", "x", 1)).encode()
    put2 = Command("c2", 1, ("put", "x", 2)).encode()
    assert sim.servers["s2"].log() == [NOOP, put2, put1, put2]
    assert sim.servers["s2"].sm.data == {"x": 1}  # the second copy did nothing
    assert sim.clients["c2"].last == (1, "ok") and sim.clients["c1"].last == (1, "ok")
    assert sim.safe and check(sim.history()).linearizable


# -- the window ----------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [1, 3])
def test_never_more_than_alpha_outstanding_and_gaps_at_most_alpha_minus_1(alpha: int) -> None:
    sim = Simulation(Setup(alpha=alpha), seed=4,
                     workload=Workload(clients=8, ops=8),
                     network=Network(loss=0.2, delay=(1.0, 6.0), faults_until=300.0),
                     faults=(Fault(80.0, "crash_leader"), Fault(150.0, "restart",
                                                                servers=("s1", "s2", "s3"))),
                     record=False)
    widest = gaps_seen = 0
    while sim.step() and not sim.done:
        for s in sim.servers.values():
            if s.is_leader:
                assert len(s.leadership.proposals) <= alpha
                widest = max(widest, len(s.leadership.proposals))
        chosen = sim.monitor.chosen
        prefix = sim.monitor.prefix
        gaps = [i for i in range(prefix + 1, max(chosen, default=0)) if i not in chosen]
        assert len(gaps) <= alpha - 1
        gaps_seen = max(gaps_seen, len(gaps))
    assert_correct(sim)
    assert widest == alpha  # the window was used in full
    if alpha > 1:
        assert gaps_seen > 0  # and gaps did arise


def test_the_monitor_flags_a_proposal_outside_the_window() -> None:
    sim = Simulation(Setup(alpha=4), seed=1, workload=Workload(clients=6, ops=3))
    sim.monitor = Monitor(Setup(alpha=1))  # the monitor expects a narrower window
    sim.run(until=1000)
    assert any(v.rule == WINDOW for v in sim.violations)


def test_stale_local_reads_are_caught_by_the_linearizability_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The history check must be able to fail: let every server answer get
    # from its own state machine at once, and clients spread their requests.
    original = server_module.Server.on_request

    def local_reads(self, m):  # type: ignore[no-untyped-def]
        cmd = m.command
        if cmd.op[0] == "get":
            return self, [Reply(self.name, cmd.client, cmd.request_id,
                                self.sm.data.get(cmd.op[1]))]
        return original(self, m)

    invoke = client_module.Client.invoke
    monkeypatch.setattr(server_module.Server, "on_request", local_reads)
    monkeypatch.setattr(client_module.Client, "invoke",
                        lambda self, op: invoke(replace(self, target=self.next_id), op))
    sim = Simulation(seed=0, workload=Workload(clients=3, ops=12, keys=("x",)))
    sim.run(until=3000)
    assert sim.safe and sim.done  # the log is fine ...
    result = check(sim.history())
    assert not result.linearizable  # ... the answers are not
    assert "not linearizable: key 'x'" in result.explanation


# -- reconfiguration -----------------------------------------------------------------------------


def test_adding_a_server_makes_it_vote_and_learn_the_whole_log() -> None:
    setup = Setup(servers=("s1", "s2", "s3", "s4"), initial=("s1", "s2", "s3"), alpha=3)
    sim = Simulation(setup, seed=3, workload=Workload(clients=2, ops=20),
                     script=(Scripted(40.0, "admin", ("reconfig", ("s1", "s2", "s3", "s4"))),),
                     # s3 is down from the start: after the change, 3 of 4 are
                     # needed, and only s1, s2 and the new s4 are there.
                     faults=(Fault(0.0, "crash", servers=("s3",)),))
    sim.run(until=3000)
    assert_correct(sim)
    admin = [r for r in sim.ops if r.client == "admin"]
    assert [r.output for r in admin] == ["ok"]
    changed = sim.servers["s1"].sm.configs[-1][0]
    leader = sim.servers[sim.leaders()[0]]
    assert leader.executed > changed + 5
    # every instance from the change on was chosen with s4's vote
    hist = sim.monitor.histories
    for i in range(changed, leader.executed + 1):
        (proposal,) = hist[i].chosen
        assert "s4" in {a for a, p in hist[i].acceptances if p == proposal}
    assert sim.servers["s4"].log()[:changed] == leader.log()[:changed]
    # the leader asked the new server for a promise, with its own number
    prepares = [e for e in sim.trace if e.kind == "send" and e.message.receiver == "s4"
                and type(e.message).__name__ == "Prepare"]
    assert prepares and prepares[0].message.n == leader.leadership.number


def test_without_adding_it_the_same_failure_stops_progress() -> None:
    # Control for the test above: a fourth server that is not added cannot help.
    setup = Setup(servers=("s1", "s2", "s3", "s4"), initial=("s1", "s2", "s3"), alpha=3)
    sim = Simulation(setup, seed=3, workload=Workload(clients=2, ops=20),
                     faults=(Fault(0.0, "crash", servers=("s3",)),
                             Fault(100.0, "crash", servers=("s2",))), record=False)
    sim.run(until=3000)
    assert sim.safe and not sim.done
    assert sim.servers["s4"].executed == 0


def test_removing_a_server_lets_a_smaller_majority_go_on() -> None:
    setup = Setup(servers=("s1", "s2", "s3", "s4"), alpha=3)
    script = (Scripted(40.0, "admin", ("reconfig", ("s1", "s2", "s3"))),)
    crash = (Fault(150.0, "crash", servers=("s3", "s4")),)
    sim = Simulation(setup, seed=2, workload=Workload(clients=2, ops=25), script=script,
                     faults=crash)
    sim.run(until=3000)
    assert_correct(sim)  # s1, s2 are 2 of 3
    assert sim.servers["s1"].sm.latest_config == ("s1", "s2", "s3")
    # control: without the removal, 2 of 4 is not a majority
    control = Simulation(setup, seed=2, workload=Workload(clients=2, ops=25), faults=crash,
                         record=False)
    control.run(until=3000)
    assert control.safe and not control.done


# -- the driver -------------------------------------------------------------------------------


def test_same_seed_same_trace_byte_for_byte() -> None:
    def trace(seed: int) -> str:
        sim = Simulation(seed=seed, workload=Workload(clients=2, ops=6),
                         network=Network(loss=0.1, duplication=0.1, crash_rate=0.01,
                                         faults_until=150.0))
        return sim.run(until=2000).trace.to_json()

    assert trace(21) == trace(21)
    assert trace(21) != trace(22)


def test_the_trace_is_json_and_loads_back() -> None:
    sim = Simulation(seed=1, workload=Workload(clients=1, ops=3)).run(until=1000)
    text = sim.trace.to_json()
    data = json.loads(text)
    kinds = {e["kind"] for e in data["events"]}
    assert {"send", "deliver", "campaign", "elected", "invoke", "complete", "learn",
            "execute"} <= kinds
    assert Trace.from_json(text).to_json() == text
    with pytest.raises(ValueError, match="schema must be"):
        Trace.from_json('{"schema": "other"}')


def test_manual_mode_only_moves_when_told() -> None:
    sim = Simulation(seed=0, manual=True)
    assert sim.pending() == [] and sim.run().steps == 0
    with pytest.raises(ValueError, match=r"step\(\) is for automatic mode"):
        sim.step()
    sim.campaign("s2")
    first = sim.pending()[0]
    sim.duplicate(first.id)
    assert len(sim.pending()) == 3
    sim.drop(first.id)
    with pytest.raises(ValueError, match="msg_id must be one of the pending ids"):
        sim.deliver(first.id)
    drain(sim)
    assert sim.leaders() == ["s2"] and sim.safe


def test_history_records_pending_operations_without_output() -> None:
    sim = Simulation(seed=0, workload=Workload(clients=0), manual=True)
    sim.invoke("c1", ("put", "x", 1))
    (op,) = sim.history()
    assert op.pending and op.output is None and op.op == ("put", "x", 1)
    assert check(sim.history()).linearizable


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Network(loss=1.5), r"loss must be a probability in 0\.\.1, got 1\.5"),
    (lambda: Network(delay=(3, 1)), r"delay must satisfy 0 <= low <= high < inf"),
    (lambda: Network(crash_rate=-1), r"crash_rate must be a number in \[0, inf\)"),
    (lambda: Timing(heartbeat=0), r"heartbeat must be a number in \(0, inf\), got 0"),
    (lambda: Timing(election=(0, 5)), r"election must satisfy 0 < low <= high < inf"),
    (lambda: Workload(clients=33), r"clients must be an integer in 0\.\.32, got 33"),
    (lambda: Workload(ops=-1), r"ops must be an integer in 0\.\.100000"),
    (lambda: Fault(1.0, "explode"), r"action must be one of \('crash', 'restart'"),
    (lambda: Simulation(seed="x"), r"seed must be an integer"),
    (lambda: Simulation(seed=0, faults=(Fault(1.0, "crash", servers=("s9",)),)),
     r"server must be one of"),
    (lambda: Simulation(seed=0).run(until=-1), r"until must be a number >= 0"),
    (lambda: Simulation(seed=0, manual=True).crash("s9"),
     r"name must be a server, one of \['s1', 's2', 's3'\], got 's9'"),
    (lambda: Simulation(seed=0, manual=True).invoke("s1", ("get", "x")),
     r"client must not be named like a server"),
])
def test_invalid_parameters_name_the_parameter_and_range(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_faults_until_is_validated_and_infinite_by_default() -> None:
    assert math.isinf(Network().faults_until)
    with pytest.raises(ValueError, match="faults_until must be a number >= 0"):
        Network(faults_until=-1.0)


def test_a_total_of_operations_is_shared_by_the_clients() -> None:
    w = Workload(clients=3, total=10)
    assert [w.ops_for(i) for i in range(3)] == [4, 3, 3]
    sim = Simulation(seed=1, workload=w).run(until=5000)
    assert sim.done and sim.completed == len(sim.ops) == 10
    assert sorted(sum(r.client == c for r in sim.ops) for c in w.names) == [3, 3, 4]
    assert sim.trace.meta["total"] == 10
    assert "total" not in Simulation(seed=1).trace.meta  # older traces stay the same
    with pytest.raises(ValueError, match=r"total must be None or an integer in 0\.\.100000"):
        Workload(total=-1)


def test_manual_time_passes_only_when_told() -> None:
    sim = Simulation(seed=0, workload=Workload(clients=0), manual=True)
    sim.invoke("c1", ("get", "x"))
    sim.advance(2.5)
    sim.invoke("c2", ("get", "x"))
    assert [o.invoke_time for o in sim.history()] == [0.0, 2.5]
    with pytest.raises(ValueError, match=r"dt must be a number in \(0, inf\)"):
        sim.advance(0)
    with pytest.raises(ValueError, match=r"advance\(\) is for manual mode"):
        Simulation(seed=0).advance(1.0)


def test_run_reports_progress_and_servers_execute_in_instance_order() -> None:
    seen: list[int] = []
    sim = Simulation(seed=3, workload=Workload(clients=2, ops=30))
    sim.run(until=5000, progress=lambda s: seen.append(s.completed))
    assert seen and seen == sorted(seen) and seen[-1] == 60
    for server in sim.servers.values():
        assert list(server.executed_instances()) == list(range(1, server.executed + 1))


def test_the_monitors_promise_index_agrees_with_a_scan_of_every_promise() -> None:
    # The monitor keeps, per acceptor, the highest number promised for any
    # instance (gaps, and every instance from ``above`` on) without rescanning
    # all promises; compare with the scan it replaces.
    from paxos_notes.ballots import ProposalNumber
    from paxos_notes.multipaxos.messages import Promise

    rng = random.Random(5)
    for _ in range(100):
        monitor, promises = Monitor(Setup()), []
        for _ in range(rng.randint(1, 20)):
            p = Promise(rng.choice(["s1", "s2", "s3"]), "s1",
                        ProposalNumber(rng.randint(1, 30), rng.randint(0, 2), 3),
                        tuple(sorted(rng.sample(range(1, 20), rng.randint(0, 3)))),
                        rng.randint(1, 25))
            promises.append(p)
            monitor._index(p)
        for sender in ("s1", "s2", "s3"):
            for instance in range(1, 30):
                scan = max((q.n for q in promises if q.sender == sender and q.covers(instance)),
                           default=None)
                assert monitor._promised(sender, instance) == scan


def test_a_restart_replays_from_the_checkpoint_to_the_same_state() -> None:
    sim = Simulation(seed=6, workload=Workload(clients=2, ops=130), record=False)
    sim.run(until=100_000)
    assert sim.done
    server = sim.servers["s2"]
    checkpoint = server.stable.checkpoint
    assert checkpoint is not None and 200 <= checkpoint.executed <= server.executed
    restarted = server.crash().restart()
    assert restarted.sm == server.sm
    full = server.setup.machine().apply_all(server.log())
    assert full.snapshot() == restarted.sm.snapshot()


def test_scripted_faults_fire_in_time_order_whatever_order_they_are_given_in() -> None:
    # Faults wait outside the event queue, the next one in it (a long `kv` run
    # scripts thousands): they must still fire in time order, a tie in the
    # order given, each at its own time.
    faults = [Fault(30.0, "restart", ("s2",)), Fault(10.0, "crash", ("s1",)),
              Fault(20.0, "crash", ("s2",)), Fault(10.0, "restart", ("s1",)),
              Fault(40.0, "partition", groups=(("s1",), ("s2", "s3"))), Fault(40.0, "heal")]
    sim = Simulation(Setup(), seed=3, workload=Workload(clients=1, ops=3), faults=faults)
    sim.run(until=100.0, stop_when_done=False)
    fired = [(e.time, e.kind, e.agent) for e in sim.trace.events
             if e.kind in ("crash", "restart", "partition", "heal")]
    assert fired == [(10.0, "crash", "s1"), (10.0, "restart", "s1"), (20.0, "crash", "s2"),
                     (30.0, "restart", "s2"), (40.0, "partition", ""), (40.0, "heal", "")]
