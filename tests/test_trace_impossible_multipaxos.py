"""The §3 trace loader refuses runs the simulated network could not have made.

The multi-Paxos loader does not run the servers' handlers again (a §3 trace
does not record the timers — heartbeats, elections, clients' think times —
that drive them); it checks the network's bookkeeping
(`paxos_notes.trace_replay.check_network`) and who may be what (servers from
the header, clients only at a client's end of a message). Every impossible
run below is a real trace with one field changed; structural cases are in
`tests/test_trace.py` (and `tests/test_trace_hostile_multipaxos.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paxos_notes.multipaxos.server import Setup
from paxos_notes.multipaxos.sim import Fault, Network, Simulation, Workload
from paxos_notes.multipaxos.trace import Trace

FAULTS = (Fault(30.0, "partition", groups=(("s1", "s2"), ("s3",))), Fault(60.0, "heal"),
          Fault(80.0, "crash_leader"), Fault(140.0, "restart", servers=("s1", "s2", "s3")))


def faulty_run(seed: int = 3) -> dict[str, Any]:
    sim = Simulation(Setup(), seed=seed, workload=Workload(clients=2, ops=6),
                     network=Network(loss=0.1, duplication=0.1, crash_rate=0.005),
                     faults=FAULTS).run(until=400.0)
    kinds = {e.kind for e in sim.trace}
    assert {"crash", "restart", "partition", "heal", "duplicate", "drop"} <= kinds
    return json.loads(sim.trace.to_json())


def rejected(data: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as e:
        Trace.from_json(json.dumps(data))
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("trace: ") and len(msg) < 400, msg
    return msg


def index(events: list[dict], test: Callable[[dict], bool], after: int = 0) -> int:
    return next(i for i, e in enumerate(events) if i >= after and test(e))


def test_a_message_delivered_that_was_never_sent() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "deliver")
    ev[i]["msg_id"] = 99_999
    assert f"event {i}: deliver of message #99999, which is not in flight" in rejected(data)


def test_an_id_delivered_twice_without_a_duplicate() -> None:
    data = faulty_run()
    ev = data["events"]
    first = index(ev, lambda e: e["kind"] == "deliver")
    later = index(ev, lambda e: e["kind"] == "deliver", first + 1)
    ev[later]["msg_id"] = ev[first]["msg_id"]
    ev[later]["message"] = ev[first]["message"]
    assert f"event {later}: deliver of message #{ev[first]['msg_id']}, which is not in " \
           f"flight" in rejected(data)


def test_time_running_backwards() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["time"] > 50.0)
    ev[i]["time"] = 10.0
    assert f"event {i}: time 10.0 is before the previous event's time" in rejected(data)


def test_an_unknown_server() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "crash")
    ev[i]["agent"] = "s9"
    assert f"event {i}: crash must name a server, got 's9'" in rejected(data)


def test_a_server_message_from_a_client() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "send" and e["message"]["type"] == "Prepare")
    ev[i]["message"]["sender"] = "c1"
    assert f"event {i}: Prepare's 'c1' must be one of the header's servers" in rejected(data)


def test_a_message_id_out_of_sequence() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "send", 10)
    want = ev[i]["msg_id"]
    ev[i]["msg_id"] = want + 7
    assert f"event {i}: message id #{want + 7} should be #{want}" in rejected(data)


def test_a_delivery_to_a_crashed_server() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "drop" and e["detail"] == "receiver is down")
    ev[i]["kind"] = "deliver"
    del ev[i]["detail"]
    msg = rejected(data)
    assert f"event {i}: " in msg and "is down" in msg


def test_a_crash_of_a_server_already_down() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "restart")
    ev[i]["kind"] = "crash"
    assert f"event {i}: {ev[i]['agent']} crashes while it is already down" in rejected(data)


def test_a_delivery_across_a_partition() -> None:
    data = faulty_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "drop" and e["detail"] == "partitioned")
    ev[i]["kind"] = "deliver"
    del ev[i]["detail"]
    assert f"event {i}: delivered to {ev[i]['message']['receiver']}, which is cut off by a " \
           f"partition" in rejected(data)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), loss=st.sampled_from([0.0, 0.2]),
       dup=st.sampled_from([0.0, 0.2]), crash=st.sampled_from([0.0, 0.01]),
       faults=st.booleans(), servers=st.sampled_from([("s1", "s2", "s3"),
                                                      ("s1", "s2", "s3", "s4", "s5")]))
def test_every_simulated_multipaxos_trace_loads(seed: int, loss: float, dup: float,
                                                crash: float, faults: bool,
                                                servers: tuple[str, ...]) -> None:
    sim = Simulation(Setup(servers=servers), seed=seed, workload=Workload(clients=2, ops=5),
                     network=Network(loss=loss, duplication=dup, crash_rate=crash),
                     faults=FAULTS if faults else ()).run(until=300.0)
    assert Trace.from_json(sim.trace.to_json()) == sim.trace
