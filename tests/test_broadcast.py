"""Replication without consensus (§1's foil): clients broadcast commands over the
one simulated world, which loses, duplicates, delays and crashes as it does for Paxos."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.broadcast import Broadcast, Submission, Trace, broadcast
from paxos_notes.net import Network

SUBMISSIONS = [("c1", "deposit", 0.0), ("c2", "withdraw", 0.5), ("c1", "deposit", 2.0),
               ("c2", "withdraw", 2.5)]
FAULTY = Network(loss=0.1, duplication=0.1, delay=(0.5, 4.0), crash_rate=0.05,
                 restart_delay=(1.0, 2.0))


def kinds(run: Broadcast) -> Counter[str]:
    return Counter(e.kind for e in run.trace)


def delivered(run: Broadcast) -> dict[str, list[str]]:
    logs: dict[str, list[str]] = {r: [] for r in run.replicas}
    for e in run.trace:
        if e.kind == "deliver":
            logs[e.agent].append(e.message.command)
    return logs


def test_every_submission_goes_to_every_replica() -> None:
    run = broadcast(SUBMISSIONS, seed=0)
    sends = [(e.message.sender, e.message.receiver, e.message.command, e.time)
             for e in run.trace if e.kind == "send"]
    assert sends == [(c, r, cmd, t) for c, cmd, t in SUBMISSIONS for r in ("r1", "r2", "r3")]
    assert kinds(run)["deliver"] == 12 and not run.pending()


def test_a_network_with_one_fixed_delay_delivers_in_submission_order() -> None:
    run = broadcast(SUBMISSIONS, seed=5, network=Network(delay=(1.0, 1.0)))
    assert all(log == [cmd for _, cmd, _ in SUBMISSIONS] for log in delivered(run).values())


def test_delay_alone_reorders_but_never_loses_or_adds() -> None:
    run = broadcast(SUBMISSIONS, seed=2, network=Network(delay=(0.5, 4.0)))
    logs = delivered(run)
    assert all(sorted(log) == sorted(c for _, c, _ in SUBMISSIONS) for log in logs.values())
    assert len({tuple(log) for log in logs.values()}) > 1  # the notebook's point


def test_total_loss_and_full_duplication() -> None:
    lost = broadcast(SUBMISSIONS, seed=1, network=Network(loss=1.0))
    assert kinds(lost)["drop"] == 12 and kinds(lost)["deliver"] == 0
    doubled = broadcast(SUBMISSIONS, seed=1, network=Network(duplication=1.0))
    assert kinds(doubled)["duplicate"] == 12 and kinds(doubled)["deliver"] == 24


def test_a_replica_that_is_down_misses_what_reaches_it_and_comes_back() -> None:
    run = broadcast(SUBMISSIONS * 3, seed=3,
                    network=Network(delay=(1.0, 1.0), crash_rate=2.0, restart_delay=(0.5, 0.5)))
    events = list(run.trace)
    missed = [e for e in events if e.kind == "drop" and e.detail == "receiver is down"]
    assert missed
    for e in missed:  # the receiver crashed before and had not restarted yet
        history = [x.kind for x in events[:events.index(e)]
                   if x.kind in ("crash", "restart") and x.agent == e.agent]
        assert history and history[-1] == "crash"
    assert kinds(run)["deliver"] == 36 - len(missed)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from([0.0, 0.2, 0.6]),
       dup=st.sampled_from([0.0, 0.3]), crash=st.sampled_from([0.0, 0.5]))
def test_every_copy_is_delivered_or_lost_exactly_once(seed: int, loss: float, dup: float,
                                                     crash: float) -> None:
    net = Network(loss=loss, duplication=dup, delay=(0.5, 4.0), crash_rate=crash,
                  restart_delay=(1.0, 2.0))
    run = broadcast(SUBMISSIONS, seed=seed, network=net)
    ids = Counter(e.msg_id for e in run.trace if e.kind in ("deliver", "drop"))
    made = {e.msg_id for e in run.trace if e.kind in ("send", "duplicate")}
    assert set(ids) == made and set(ids.values()) == {1}
    assert not run.pending()


def test_a_seed_gives_the_same_run_and_the_trace_loads_back() -> None:
    a = broadcast(SUBMISSIONS, seed=7, network=FAULTY)
    b = broadcast(SUBMISSIONS, seed=7, network=FAULTY)
    assert a.trace.to_json() == b.trace.to_json()
    assert Trace.from_json(a.trace.to_json()) == a.trace
    assert a.trace.to_dict()["schema"] == "paxos-notes/broadcast-trace"
    assert any(broadcast(SUBMISSIONS, seed=s, network=FAULTY).trace.to_json()
               != a.trace.to_json() for s in (8, 9))


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="replicas must be distinct names"):
        broadcast(SUBMISSIONS, seed=0, replicas=("r1", "r1"))
    with pytest.raises(ValueError, match="time must be a number"):
        Submission("c1", "deposit", -1.0)
    with pytest.raises(ValueError, match="command must be a string"):
        Submission("c1", "", 0.0)
    with pytest.raises(ValueError, match="seed must be an integer"):
        broadcast(SUBMISSIONS, seed="1")  # type: ignore[arg-type]
