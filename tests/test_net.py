"""The one simulated world (`paxos_notes.net`): the same network and faults,
applied the same way, for the single-decree and the multi-Paxos simulators."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes import multipaxos, net, sim
from paxos_notes.ballots import ProposalNumber
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Prepare
from paxos_notes.multipaxos.sim import Workload
from paxos_notes.net import Network, World
from paxos_notes.trace import Trace

# -- the two protocols, seen only through the world's interface -------------------------------


@dataclass(frozen=True)
class Protocol:
    """How to make a simulation of one protocol and get messages in flight."""

    make: Callable[..., World]
    network: type[Network]
    start: Callable[[World], None]  # puts messages between nodes in flight (manual mode)
    node: str  # a node that the started messages go to
    noun: str  # how a bad node name is reported


PROTOCOLS = {
    "consensus": Protocol(
        lambda **kw: sim.Simulation(Cluster(), **kw), sim.Network,
        lambda s: s.propose("p1"), "a2", "an agent"),
    "multipaxos": Protocol(
        lambda **kw: multipaxos.Simulation(workload=Workload(clients=1, ops=4), **kw),
        multipaxos.Network, lambda s: s.campaign("s1"), "s2", "a server"),
}
BOTH = pytest.mark.parametrize("protocol", sorted(PROTOCOLS))


def started(protocol: str, **kw: Any) -> World:
    p = PROTOCOLS[protocol]
    s = p.make(seed=0, manual=True, **kw)
    p.start(s)
    assert s.pending(), "starting puts messages in flight"
    return s


def to(s: World, receiver: str) -> int:
    return next(p.id for p in s.pending() if p.message.receiver == receiver)


# -- one world --------------------------------------------------------------------------------


def test_both_simulators_act_on_the_network_with_the_worlds_code() -> None:
    for cls in (sim.Simulation, multipaxos.Simulation):
        assert issubclass(cls, World)
        for name in ("deliver", "drop", "duplicate", "crash", "restart", "partition", "heal",
                     "pending", "step", "partitioned", "_put_in_flight", "_deliver", "_on_crash"):
            assert getattr(cls, name) is getattr(World, name), (cls, name)
    assert issubclass(sim.Network, Network) and issubclass(multipaxos.Network, Network)


@BOTH
def test_drop_takes_the_message_out_of_flight_and_the_receiver_never_sees_it(
        protocol: str) -> None:
    s = started(protocol)
    node = PROTOCOLS[protocol].node
    before, steps, msg_id = s._nodes[node], s.steps, to(s, node)
    s.drop(msg_id)
    assert msg_id not in s.in_flight and (s.dropped, s.delivered) == (1, 0)
    assert s.steps == steps + 1 and s._nodes[node] == before
    last = s.trace.events[-1]
    assert (last.kind, last.msg_id, last.agent, last.detail) == ("drop", msg_id, node, "dropped")


@BOTH
def test_duplicate_puts_a_second_copy_in_flight_under_a_new_id(protocol: str) -> None:
    s = started(protocol)
    msg_id = to(s, PROTOCOLS[protocol].node)
    count = len(s.pending())
    s.duplicate(msg_id)
    copy = s.pending()[-1]
    assert len(s.pending()) == count + 1 and s.duplicated == 1
    assert copy.id > msg_id and copy.message == s.in_flight[msg_id].message
    assert (s.trace.events[-1].kind, s.trace.events[-1].msg_id) == ("duplicate", copy.id)


@BOTH
def test_a_partition_drops_messages_between_groups_until_healed(protocol: str) -> None:
    s = started(protocol)
    node = PROTOCOLS[protocol].node
    sender = s.in_flight[to(s, node)].message.sender
    others = [n for n in s._nodes if n != node]
    s.partition([node], others)
    assert s.partitioned(sender, node) and not s.partitioned(sender, others[-1])
    s.deliver(to(s, node))
    assert (s.trace.events[-1].kind, s.trace.events[-1].detail) == ("drop", "partitioned")
    assert s.delivered == 0
    s.heal()
    assert not s.partitioned(sender, node) and s.trace.events[-1].kind == "heal"
    s.duplicate(to(s, s.pending()[0].message.receiver))
    s.deliver(s.pending()[-1].id)
    assert s.delivered == 1 and s.trace.events[-1].kind != "drop"


@BOTH
def test_a_node_in_no_group_is_cut_off_from_every_other(protocol: str) -> None:
    s = started(protocol)
    node = PROTOCOLS[protocol].node
    s.partition([n for n in s._nodes if n != node])
    assert all(s.partitioned(node, other) for other in s._nodes if other != node)


@BOTH
def test_a_crashed_node_loses_what_reaches_it_and_restarts_from_storage(protocol: str) -> None:
    s = started(protocol)
    node = PROTOCOLS[protocol].node
    steps = s.steps
    s.crash(node)
    s.crash(node)  # crashing a stopped node changes nothing, but is a step
    assert not s._nodes[node].up and s.steps == steps + 2
    s.deliver(to(s, node))
    last = s.trace.events[-1]
    assert (last.kind, last.detail) == ("drop", "receiver is down")
    assert (s.delivered, s.dropped) == (0, 1)  # a stopped receiver is no delivery
    s.restart(node)
    s.restart(node)
    assert s._nodes[node].up and s.steps == steps + 5
    assert [e.kind for e in s.trace].count("crash") == [e.kind for e in s.trace].count(
        "restart") == 1


@BOTH
def test_bad_names_and_ids_are_refused_alike_and_change_nothing(protocol: str) -> None:
    s = started(protocol)
    noun = PROTOCOLS[protocol].noun
    before = (s.steps, dict(s.in_flight), len(s.trace))
    for action in (s.crash, s.restart, lambda n: s.partition([n])):
        with pytest.raises(ValueError, match=rf"name must be {noun}, one of \[.*got 'zz'"):
            action("zz")
    for action in (s.deliver, s.drop, s.duplicate):
        with pytest.raises(ValueError, match=r"msg_id must be one of the pending ids .*got 999"):
            action(999)
    assert (s.steps, dict(s.in_flight), len(s.trace)) == before


@BOTH
def test_step_is_for_automatic_mode_and_run_validates_its_bounds(protocol: str) -> None:
    s = started(protocol)
    with pytest.raises(ValueError, match=r"step\(\) is for automatic mode"):
        s.step()
    auto = PROTOCOLS[protocol].make(seed=0)
    for kw, message in (({"until": -1}, "until must be a number >= 0"),
                        ({"until": "1"}, "until must be a number >= 0"),
                        ({"max_steps": 0}, "max_steps must be an integer >= 1")):
        with pytest.raises(ValueError, match=message):
            auto.run(**kw)


@BOTH
def test_total_loss_drops_every_message_until_the_faults_stop(protocol: str) -> None:
    p = PROTOCOLS[protocol]
    s = p.make(seed=3, network=p.network(loss=1.0, faults_until=60.0))
    s.run(until=59.0)
    lost = [e for e in s.trace if e.kind == "drop"]
    sends = [e for e in s.trace if e.kind == "send"]
    assert sends and len(lost) == len(sends) == s.dropped and s.delivered == 0
    assert all(e.detail == "lost by the network" and e.agent == e.message.sender for e in lost)
    s.run(until=400.0)
    assert s.delivered > 0


@BOTH
def test_full_duplication_sends_every_message_twice(protocol: str) -> None:
    p = PROTOCOLS[protocol]
    s = p.make(seed=5, network=p.network(duplication=1.0)).run(until=200)
    kinds = [e.kind for e in s.trace]
    assert kinds.count("duplicate") == kinds.count("send") == s.duplicated > 0


@BOTH
def test_a_slow_link_delivers_later_than_the_others(protocol: str) -> None:
    p = PROTOCOLS[protocol]
    sender = started(protocol).pending()[0].message.sender
    s = p.make(seed=0, network=p.network(delay=(1.0, 1.0),
                                        link_delay=(((sender, p.node), (40.0, 40.0)),)))
    p.start(s)  # a hand action, in automatic mode
    due = {q.message.receiver: q.due - s.now for q in s.pending()}
    assert due[p.node] == 40.0 and set(due.values()) == {1.0, 40.0}


@BOTH
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_random_crashes_each_restart_and_every_event_is_one_step(protocol: str,
                                                                 seed: int) -> None:
    p = PROTOCOLS[protocol]
    s = p.make(seed=seed, network=p.network(crash_rate=0.05, restart_delay=(2.0, 5.0),
                                            faults_until=150.0))
    processed = 0
    while s._queue and s._queue[0][0] <= 400:
        processed += s.step()
    kinds = [e.kind for e in s.trace]
    assert s.steps == processed
    assert kinds.count("crash") == kinds.count("restart")
    assert all(node.up for node in s._nodes.values())
    crashed = [e.agent for e in s.trace if e.kind == "crash"]
    assert set(crashed) <= set(s._nodes)


@BOTH
def test_the_same_seed_gives_the_same_trace_json_in_both(protocol: str) -> None:
    p = PROTOCOLS[protocol]
    network = p.network(loss=0.2, duplication=0.2, crash_rate=0.02, faults_until=100.0)

    def text(seed: int) -> str:
        return p.make(seed=seed, network=network).run(until=300).trace.to_json()

    assert text(4) == text(4) != text(5)


# -- the world on its own: a protocol of three lines, and the order of its draws ---------------


@dataclass(frozen=True)
class Echo:
    """A node that answers each ping once: the least a protocol can be."""

    name: str
    up: bool = True

    def crash(self) -> Echo:
        return replace(self, up=False)

    def restart(self) -> Echo:
        return replace(self, up=True)


def ping(sender: str, receiver: str, hops: int) -> Prepare:
    """A message for the echo world: any message will do; ``n``'s round counts hops."""
    return Prepare(sender, receiver, ProposalNumber(hops, 0))


class EchoWorld(World):
    NODE = "an echo"

    def __init__(self, seed: int, network: Network, manual: bool = False) -> None:
        self.nodes = {n: Echo(n) for n in ("e1", "e2", "e3")}
        super().__init__(seed=seed, network=network, manual=manual, record=True,
                         nodes=self.nodes)
        self.trace = Trace(meta={"seed": seed})
        self.received: list[Prepare] = []

    def _receive(self, m: Prepare, node: Echo) -> None:
        self.received.append(m)
        if m.n.round:
            self._put_in_flight(ping(m.receiver, m.sender, m.n.round - 1))


def test_a_new_protocol_needs_only_a_receive_handler() -> None:
    w = EchoWorld(seed=1, network=Network(delay=(1.0, 2.0)))
    w._put_in_flight(ping("e1", "e2", 3))
    w._run(math.inf, 100)
    assert [(m.sender, m.n.round) for m in w.received] == [("e1", 3), ("e2", 2), ("e1", 1),
                                                         ("e2", 0)]
    assert w.delivered == 4 and w.steps == 4 and not w.pending()


def test_each_message_draws_loss_then_delay_then_duplication() -> None:
    """The order of the random draws is part of what a seed means: keep it."""
    network = Network(loss=0.3, duplication=0.3, delay=(1.0, 4.0))
    w = EchoWorld(seed=9, network=network)
    for i in range(40):
        w._put_in_flight(ping("e1", "e2", i))
    rng = random.Random(9)
    expected: list[tuple[int, float | None]] = []  # (hops, due) of each copy; None: lost

    def enter(hops: int, copy: bool) -> None:
        if rng.random() < network.loss:
            expected.append((hops, None))
            return
        expected.append((hops, rng.uniform(*network.delay)))
        if not copy and rng.random() < network.duplication:
            enter(hops, True)

    for i in range(40):
        enter(i, False)
    got = {p.id: (p.message.n.round, p.due) for p in w.pending()}
    assert [due for _, due in expected if due is not None] == [d for _, d in got.values()]
    lost = [e.message.n.round for e in w.trace if e.kind == "drop"]
    assert lost == [hops for hops, due in expected if due is None] and lost


def test_fault_rates_are_validated_once_for_both() -> None:
    for cls in (Network, sim.Network, multipaxos.Network):
        with pytest.raises(ValueError, match=r"loss must be a probability in 0\.\.1"):
            cls(loss=2)
        with pytest.raises(ValueError, match=r"crash_rate must be a number in \[0, inf\)"):
            cls(crash_rate=-1)
        with pytest.raises(ValueError, match=r"faults_until must be a number >= 0"):
            cls(faults_until=math.nan)
        with pytest.raises(ValueError, match=r"delay must satisfy 0 <= low <= high < inf"):
            cls(delay=(2, 1))
    with pytest.raises(ValueError, match="seed must be an integer"):
        EchoWorld(seed=True, network=Network())  # type: ignore[arg-type]
    assert net.interval("x", (0, 1), high_positive=True) == (0.0, 1.0)


@BOTH
def test_every_event_is_stamped_with_the_time_of_its_step(protocol: str) -> None:
    p = PROTOCOLS[protocol]
    s = p.make(seed=2, network=p.network(loss=0.1, crash_rate=0.02, faults_until=100.0))
    while s._queue and s._queue[0][0] <= 300:
        start = len(s.trace)
        if s.step():
            new = s.trace.events[start:]
            assert all((e.time, e.step) == (round(s.now, 6), s.steps) for e in new)
    assert len(s.trace) > 30


def test_every_run_gets_its_own_copy_of_the_trace_header() -> None:
    first = sim.Simulation(Cluster(), seed=0).trace.meta
    first["acceptors"].append("zz")
    first["agents"]["acceptor"] = "changed"
    first["phase2_quorums"][0].append("zz")
    again = sim.Simulation(Cluster(), seed=0).trace.meta
    assert again["acceptors"] == ["a1", "a2", "a3"] and again["agents"]["acceptor"] == "Acceptor"
    assert again["phase2_quorums"][0] == ["a1", "a2"]
