"""The simulator: §2.1's model made reproducible; manual and automatic driving."""

from __future__ import annotations

import math

import pytest

from paxos_notes.agents import Acceptor, Learner, Outgoing, Proposer, replace
from paxos_notes.checker.variants import SendBeforePersistAcceptor
from paxos_notes.cluster import Cluster
from paxos_notes.invariants import History
from paxos_notes.messages import Accept, Accepted, Prepare, Promise, Proposal
from paxos_notes.quorums import Majority, acceptor_names
from paxos_notes.script import drive
from paxos_notes.sim import Network, Simulation


def manual(cluster: Cluster | None = None) -> Simulation:
    return Simulation(cluster or Cluster(), seed=0, manual=True)


def deliver_all(sim: Simulation) -> None:
    while sim.pending():
        sim.deliver(sim.pending()[0].id)


def kinds(sim: Simulation) -> list[str]:
    return [e.kind for e in sim.trace]


# -- manual mode ---------------------------------------------------------------------


def test_manual_mode_does_nothing_by_itself() -> None:
    sim = manual()
    assert sim.pending() == [] and sim.steps == 0
    assert sim.run().steps == 0  # no queue in manual mode
    with pytest.raises(ValueError, match=r"step\(\) is for automatic mode"):
        sim.step()


def test_propose_puts_one_prepare_per_acceptor_in_flight() -> None:
    sim = manual(Cluster(acceptors=5))
    sim.propose("p2")
    pend = sim.pending()
    assert [p.message.receiver for p in pend] == list(acceptor_names(5))
    assert all(isinstance(p.message, Prepare) and p.message.sender == "p2" for p in pend)
    assert [p.id for p in pend] == sorted(p.id for p in pend)
    assert sim.counts.sent == 5


def test_deliver_runs_the_receivers_handler_and_queues_its_replies() -> None:
    sim = manual()
    sim.propose("p1")
    first = sim.pending()[0]
    sim.deliver(first.id)
    assert first.id not in {p.id for p in sim.pending()}
    promise = sim.pending()[-1].message
    assert isinstance(promise, Promise) and (promise.sender, promise.receiver) == ("a1", "p1")
    assert sim.agents["a1"].promised == first.message.n
    assert sim.counts.delivered == 1


def test_drop_loses_a_message_for_good() -> None:
    sim = manual()
    sim.propose("p1")
    victim = sim.pending()[0]
    sim.drop(victim.id)
    assert victim.id not in {p.id for p in sim.pending()}
    assert sim.agents["a1"].promised is None
    assert sim.counts.dropped == 1 and "drop" in kinds(sim)


def test_duplicate_puts_a_second_copy_in_flight() -> None:
    sim = manual()
    sim.propose("p1")
    orig = sim.pending()[0]
    sim.duplicate(orig.id)
    copies = [p for p in sim.pending() if p.message == orig.message]
    assert len(copies) == 2 and len({p.id for p in copies}) == 2
    assert sim.counts.duplicated == 1
    # delivering both gives one promise: the second prepare is not above the promise
    for p in copies:
        sim.deliver(p.id)
    assert sum(isinstance(p.message, Promise) for p in sim.pending()) == 1


def test_a_stopped_agent_receives_nothing() -> None:
    sim = manual()
    sim.propose("p1")
    sim.crash("a1")
    to_a1 = sim.pending()[0]
    sim.deliver(to_a1.id)
    assert sim.agents["a1"].promised is None
    assert not any(isinstance(p.message, Promise) for p in sim.pending())
    assert sim.trace.events[-1].detail == "receiver is down"


def test_crash_and_restart_keep_stable_storage() -> None:
    sim = manual()
    sim.propose("p1")
    deliver_all(sim)
    before = sim.agents["a2"]
    assert isinstance(before, Acceptor) and before.accepted is not None
    sim.crash("a2")
    sim.crash("a2")  # crashing a stopped agent changes nothing
    assert not sim.agents["a2"].up
    sim.restart("a2")
    assert sim.agents["a2"] == before
    assert kinds(sim).count("crash") == 1 and kinds(sim).count("restart") == 1


def test_manual_persist_writes_unsaved_state() -> None:
    sim = manual(Cluster(acceptor=SendBeforePersistAcceptor))
    sim.propose("p1")
    sim.deliver(sim.pending()[0].id)
    a1 = sim.agents["a1"]
    assert a1.unsaved is not None and a1.stable.promised is None
    sim.persist("a1")
    assert sim.agents["a1"].unsaved is None and sim.agents["a1"].stable.promised is not None
    assert kinds(sim)[-1] == "persist"


def test_partition_drops_messages_across_groups_until_healed() -> None:
    sim = manual()
    sim.partition({"p1", "a1", "a2"}, {"p2", "a3", "l1"})
    sim.propose("p1")
    to_a3 = next(p for p in sim.pending() if p.message.receiver == "a3")
    sim.deliver(to_a3.id)
    assert sim.agents["a3"].promised is None
    assert sim.trace.events[-1].detail == "partitioned"
    sim.heal()
    sim.propose("p1")
    to_a3 = next(p for p in sim.pending() if p.message.receiver == "a3")
    sim.deliver(to_a3.id)
    assert sim.agents["a3"].promised is not None


def test_an_agent_in_no_group_is_cut_off() -> None:
    sim = manual()
    sim.partition({"p1", "a1", "a2"})
    sim.propose("p1")
    deliver_all(sim)
    assert all(x is None for x in sim.learned().values())  # l1 hears nothing
    assert sim.chosen  # but a1 and a2 did choose


def test_a_manual_run_records_chosen_and_learned() -> None:
    sim = manual(Cluster(learners=2))
    sim.propose("p1")
    deliver_all(sim)
    assert {p.value for p in sim.chosen} == {"x"}
    assert {k: v.value for k, v in sim.learned().items()} == {"l1": "x", "l2": "x"}
    assert isinstance(sim.history, History) and sim.history.safe
    assert "chosen" in kinds(sim) and kinds(sim).count("learned") == 2
    s = sim.summary()
    assert s["chosen"] == ["x"] and s["safe"] and s["violations"] == []


class HastyLearner(Learner):
    """Learns from the first acceptance it hears: breaks §2.1's third requirement."""

    def on_accepted(self, message: Accepted) -> tuple[Learner, Outgoing]:
        return replace(self, learned=Proposal(message.n, message.value)), ()


def test_a_learner_that_learns_an_unchosen_value_shows_as_a_violation_in_the_trace() -> None:
    sim = manual(Cluster(proposers=1))
    sim.agents["l1"] = HastyLearner("l1", sim.cluster.quorum_system)
    run = drive(sim, [("propose", "p1"),
                      ("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a2", "Prepare"),
                      ("deliver", "a1", "p1", "Promise"), ("deliver", "a2", "p1", "Promise"),
                      ("deliver", "p1", "a1", "Accept"), ("deliver", "a1", "l1", "Accepted")])
    expected = "a process never learns a value that was not chosen: l1 learned 'x', which " \
               "was not chosen"
    assert [str(v) for v in sim.history.violations] == [expected]
    # the step at which l1 learned carries the violation, so a run's listing shows it
    assert run.moments[-1].violations() == [expected]
    assert kinds(sim).count("violation") == 1

def test_history_sees_every_message_sent() -> None:
    sim = manual()
    sim.propose("p1")
    deliver_all(sim)
    h = sim.history
    assert set(h.promised) == {"a1", "a2", "a3"}
    assert len(h.issued) == 1
    sent = [e.message for e in sim.trace if e.kind == "send"]
    assert len(sent) == sim.counts.sent
    assert {(m.sender, m.n, m.value) for m in sent if isinstance(m, Accepted)} == {
        (a, p.number, p.value) for a, p in h.acceptances}
    # accepts go to the first quorum that promised (a1, a2), not to a3
    assert sorted(m.receiver for m in sent if isinstance(m, Accept)) == ["a1", "a2"]


# -- automatic mode ------------------------------------------------------------------


def test_perfect_network_chooses_and_every_learner_learns() -> None:
    sim = Simulation(Cluster(proposers=2, learners=3), seed=4).run(until=500)
    assert len(sim.chosen) >= 1 and sim.history.safe
    values = {p.value for p in sim.learned().values() if p is not None}
    assert len(values) == 1 and all(v is not None for v in sim.learned().values())
    assert sim.chosen_at is not None and sim.chosen_at <= sim.now


def test_proposers_rest_once_every_learner_knows() -> None:
    sim = Simulation(Cluster(), seed=1)
    sim.run(until=10_000)
    assert all(v is not None for v in sim.learned().values())
    assert not sim.step()  # nothing left to do
    assert sim.now < 200


def test_only_the_leader_proposes() -> None:
    sim = Simulation(Cluster(proposers=3), seed=2, leader="p2").run(until=500)
    proposers = {e.agent for e in sim.trace if e.kind == "propose"}
    assert proposers == {"p2"}
    assert {p.value for p in sim.chosen} == {"y"}


def test_total_loss_until_faults_stop_then_a_value_is_chosen() -> None:
    net = Network(loss=1.0, faults_until=50.0)
    sim = Simulation(Cluster(), seed=3, network=net)
    sim.run(until=49.0)
    assert sim.counts.delivered == 0 and sim.counts.dropped == sim.counts.sent > 0
    sim.run(until=300.0)
    assert sim.chosen and all(v is not None for v in sim.learned().values())


def test_full_duplication_copies_every_send() -> None:
    sim = Simulation(Cluster(), seed=5, network=Network(duplication=1.0)).run(until=300)
    assert sim.counts.duplicated == sim.counts.sent > 0
    assert sim.history.safe


def test_link_delay_overrides_the_default_delay() -> None:
    net = Network(delay=(1.0, 1.0), link_delay=((("p1", "a1"), (40.0, 40.0)),))
    sim = Simulation(Cluster(proposers=1), seed=0, network=net)
    while not sim.in_flight:
        sim.step()
    due = {p.message.receiver: p.due - sim.now for p in sim.pending()}
    assert due == {"a1": 40.0, "a2": 1.0, "a3": 1.0}


def test_random_crashes_restart_and_stay_safe() -> None:
    net = Network(crash_rate=0.2, restart_delay=(1.0, 2.0), faults_until=200.0)
    sim = Simulation(Cluster(acceptors=5, proposers=2), seed=8, network=net).run(until=400)
    assert kinds(sim).count("crash") > 3
    assert kinds(sim).count("restart") == kinds(sim).count("crash")
    assert all(a.up for a in sim.agents.values())
    assert sim.history.safe


def test_sending_before_persisting_is_persisted_by_the_simulator() -> None:
    sim = Simulation(Cluster(acceptor=SendBeforePersistAcceptor), seed=6).run(until=300)
    assert "persist" in kinds(sim)
    assert all(a.unsaved is None for a in sim.agents.values() if isinstance(a, Acceptor))


def test_run_stops_at_until_and_at_max_steps() -> None:
    sim = Simulation(Cluster(), seed=0, network=Network(crash_rate=1.0))
    sim.run(until=5.0)
    assert sim.now <= 5.0
    steps = sim.steps
    sim.run(max_steps=3)
    assert 3 <= sim.steps - steps <= 6  # a restart step also counts its own step


def test_record_false_keeps_no_trace_but_still_checks() -> None:
    sim = Simulation(Cluster(), seed=0, record=False).run(until=300)
    assert len(sim.trace) == 0
    assert sim.chosen and sim.history.safe


def test_proposers_in_the_cluster_are_built_in_order() -> None:
    agents = Cluster(acceptors=3, proposers=2, learners=2).build()
    assert list(agents) == ["p1", "p2", "a1", "a2", "a3", "l1", "l2"]
    p2 = agents["p2"]
    assert isinstance(p2, Proposer) and (p2.index, p2.value) == (1, "y")


def test_a_cluster_may_have_ten_learners_for_the_learning_grid() -> None:
    # notebook 05 measures k = 10 learners (§2.3); all of them get acceptors' news
    agents = Cluster(acceptors=3, learners=10).build()
    learners = [n for n in agents if n.startswith("l")]
    assert learners == [f"l{i}" for i in range(1, 11)]
    assert agents["a1"].learners == tuple(learners)


# -- invalid parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: Cluster(acceptors=0), r"acceptors must be in 1..16, got 0"),
        (lambda: Cluster(acceptors=17), r"acceptors must be in 1..16, got 17"),
        (lambda: Cluster(proposers=0), r"proposers must be in 1..8, got 0"),
        (lambda: Cluster(learners=17), r"learners must be in 1..16, got 17"),
        (lambda: Cluster(proposers=2, values=("x",)), r"values must give one value per proposer"),
        (lambda: Cluster(learning="gossip"), r"learning must be one of \('all'"),
        (lambda: Cluster(learners=2, distinguished=3), r"distinguished must be in 1..2, got 3"),
        (lambda: Cluster(quorums=Majority(acceptor_names(5))),
         r"quorums must be over the acceptors"),
        (lambda: Network(loss=1.5), r"loss must be a probability in 0..1, got 1.5"),
        (lambda: Network(loss=-0.1), r"loss must be a probability in 0..1"),
        (lambda: Network(loss=math.nan), r"loss must be a probability in 0..1"),
        (lambda: Network(duplication=2), r"duplication must be a probability in 0..1, got 2"),
        (lambda: Network(delay=(-1.0, 2.0)), r"delay must satisfy 0 <= low <= high < inf"),
        (lambda: Network(delay=(3.0, 1.0)), r"delay must satisfy 0 <= low <= high"),
        (lambda: Network(delay=(1.0, math.inf)), r"delay must satisfy .*< inf"),
        (lambda: Network(delay=5), r"delay must be a pair \(low, high\) of numbers"),
        (lambda: Network(link_delay=((("p1", "a1"), (-2.0, 1.0)),)),
         r"link_delay\[.*must satisfy"),
        (lambda: Network(crash_rate=-1), r"crash_rate must be a number in \[0, inf\)"),
        (lambda: Network(crash_rate=math.inf), r"crash_rate must be a number in \[0, inf\)"),
        (lambda: Network(restart_delay=(0.0, 0.0)), r"restart_delay must have high > 0"),
        (lambda: Network(retry=(0.0, 0.0)), r"retry must have high > 0"),
        (lambda: Network(faults_until=-1), r"faults_until must be a number >= 0"),
        (lambda: Network(faults_until=math.nan), r"faults_until must be a number >= 0"),
        (lambda: Simulation(seed="1"), r"seed must be an integer"),
        (lambda: Simulation(seed=True), r"seed must be an integer"),
        (lambda: Simulation(seed=0, leader="p9"), r"leader must be one of \('p1', 'p2'\)"),
    ],
)
def test_invalid_parameter_raises_naming_it_and_the_allowed_range(make, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize(
    ("action", "pattern"),
    [
        (lambda s: s.crash("zz"), r"name must be an agent, one of \['a1', .*got 'zz'"),
        (lambda s: s.restart("zz"), r"name must be an agent, one of .*got 'zz'"),
        (lambda s: s.persist("zz"), r"name must be an agent, one of .*got 'zz'"),
        (lambda s: s.partition({"a1", "zz"}), r"name must be an agent, one of .*got 'zz'"),
        (lambda s: s.propose("a1"), r"name must be a proposer \('p1', 'p2'\), got 'a1'"),
        (lambda s: s.propose("zz"), r"name must be an agent, one of .*got 'zz'"),
        (lambda s: s.deliver(999), r"msg_id must be one of the pending ids \[1, 2, 3\], got 999"),
        (lambda s: s.drop(999), r"msg_id must be one of the pending ids .*got 999"),
        (lambda s: s.duplicate(999), r"msg_id must be one of the pending ids .*got 999"),
        (lambda s: s.run(until=-1), r"until must be a number >= 0"),
        (lambda s: s.run(max_steps=0), r"max_steps must be an integer >= 1"),
    ],
)
def test_invalid_action_raises_naming_the_parameter(action, pattern: str) -> None:
    sim = manual()
    sim.propose("p1")
    before = (sim.steps, list(sim.in_flight))
    with pytest.raises(ValueError, match=pattern):
        action(sim)
    assert (sim.steps, list(sim.in_flight)) == before  # a refused action changes nothing
