"""A server's per-instance state (`InstanceMap`): a dict's answers, at a cost
that does not grow with the log (§3's sequence of instances never ends).

Without timing anything: the memory one message allocates is measured
(`tracemalloc`, deterministic) with a short log and with a long one. A server
that copied its whole per-instance state on a message would allocate in
proportion to the log, which made ``kv`` quadratic in ``--ops``.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import AcceptorStorage
from paxos_notes.ballots import ProposalNumber
from paxos_notes.messages import Proposal
from paxos_notes.multipaxos.instances import InstanceMap
from paxos_notes.multipaxos.kv import NOOP
from paxos_notes.multipaxos.messages import Accept, Heartbeat, Message, Prepare
from paxos_notes.multipaxos.server import Server, Setup, Stable

instance = st.integers(min_value=0, max_value=70_000)
change = st.tuples(st.booleans(), instance, st.none() | st.integers() | st.text(max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(change, max_size=60), instance, st.lists(instance, max_size=8))
def test_instance_map_answers_like_a_dict_and_never_changes(
        changes: list[tuple[bool, int, object]], first: int, probes: list[int]) -> None:
    d: dict[int, object] = {}
    m: InstanceMap[object] = InstanceMap()
    versions = [(m, dict(d))]
    for remove, i, v in changes:
        before = m
        if remove:
            d.pop(i, None)
            m = m.remove(i)
        else:
            d[i] = v
            m = m.set(i, v)
        assert list(m.added_since(before)) == sorted(set(d) - set(dict(before.items())))
        versions.append((m, dict(d)))
    for version, expected in versions:  # every earlier map is as it was
        assert dict(version.items()) == expected and version == expected
        assert list(version) == sorted(expected) and len(version) == len(expected)
        assert all(i in version and version[i] == v for i, v in expected.items())
        for p in [first, *probes, 0, 1, 31, 32, 1023, 1024, 32_767, 32_768]:  # absent too
            assert (p in version) == (p in expected)
            assert version.get(p, "none") == expected.get(p, "none")
        assert (True in version) == (1 in expected) and version.get(False) == expected.get(0)
    assert list(m.from_instance(first)) == sorted(i for i in d if i >= first)
    assert m.highest(default=-1) == max(d, default=-1)
    assert list(m.added_since(InstanceMap())) == sorted(d)
    assert m.get(70_001, "none") == "none" and -1 not in m and "1" not in m


def test_instance_map_refuses_a_negative_instance() -> None:
    with pytest.raises(ValueError, match="instance must be an integer >= 0"):
        InstanceMap().set(-1, "v")


def test_stable_storage_takes_dicts_and_keeps_instance_maps() -> None:
    st_ = Stable(chosen={2: NOOP, 1: NOOP}, settled={3: AcceptorStorage(N1)})
    assert isinstance(st_.chosen, InstanceMap) and list(st_.chosen) == [1, 2]
    assert isinstance(st_.settled, InstanceMap) and st_.storage(3) == AcceptorStorage(N1)


def test_settled_storage_reads_and_changes_like_the_rest() -> None:
    """Moving entries to ``settled`` at a checkpoint changes no answer: the
    storage of every instance, and what a prepare reports and forgets."""
    server = follower_after(250)
    st_ = server.stable
    assert server.executed == 249 and st_.checkpoint is not None
    assert len(st_.instances) <= 100 and len(st_.settled) + len(st_.instances) == 250
    assert all(st_.storage(i) == AcceptorStorage(None, Proposal(N1, NOOP))
               for i in range(1, 251))
    # a new leader's phase 1 from instance 150 on reports all of 150..250
    new, out = server.receive(Prepare("s3", "s2", N2, (), 150))
    assert [s for s, _ in out[0].accepted] == list(range(150, 251))
    assert all(new.stable.storage(i).promised == N2 for i in range(150, 251))
    assert new.stable.storage(149).promised is None


N1, N2 = ProposalNumber(1, 0, 3), ProposalNumber(2, 0, 3)


def follower_after(length: int) -> Server:
    """s2 after accepting instances 1..length from leader s1, each accept telling
    it the previous instance chosen (as a leader's accepts do)."""
    server = Server("s2", Setup())
    for k in range(1, length + 1):
        decisions = ((k - 1, NOOP),) if k > 1 else ()
        server, _ = server.receive(Accept("s1", "s2", N1, k, NOOP, decisions))
    assert server.executed == length - 1
    return server


def allocated(server: Server, message: Message) -> int:
    """Bytes allocated at the peak of handling ``message``."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        server.receive(message)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


MESSAGES: dict[str, Callable[[int], Message]] = {
    # phase 2(b) in the next instance, with the chosen command before it piggybacked
    "accept": lambda k: Accept("s1", "s2", N1, k + 1, "v", ((k, NOOP),)),
    "heartbeat": lambda k: Heartbeat("s1", "s2", N1, ((k, NOOP),)),
    # a new leader's phase 1 for every instance from the next one on
    "prepare": lambda k: Prepare("s3", "s2", N2, (), k + 1),
}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_one_message_costs_the_same_with_a_short_and_a_long_log(kind: str) -> None:
    short, long = follower_after(300), follower_after(5_000)
    cost_short = allocated(short, MESSAGES[kind](300))
    cost_long = allocated(long, MESSAGES[kind](5_000))
    # a copy of the whole log would take a hundred kilobytes and more
    assert cost_long < 2 * cost_short + 8_000, (cost_short, cost_long)
