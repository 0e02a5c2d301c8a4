"""The core trace loader under hostile input: bad files, and good files of impossible runs.

Structural cases (truncated, deeply nested, oversized, out-of-range, wrong types)
are the table of `tests/test_trace.py` (``bad_files``), which both protocols'
loaders face; they are not repeated here. This module adds what a well-formed
file can still get wrong: a header that does not say which agents ran, and a
run those agents could not have made. Every impossible run is a real trace the
simulator wrote with one field changed, and the loader must name the event and
the reason (issue 12 item 8). Then the other side: every trace the simulator
or the checker writes loads (no false rejects).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor, NackingAcceptor, Proposer, RepeatedPrepareAcceptor
from paxos_notes.checker.stored import stored
from paxos_notes.checker.variants import VARIANTS
from paxos_notes.cluster import Cluster
from paxos_notes.processes import ProcessSimulation
from paxos_notes.quorums import Flexible, Grid, Threshold
from paxos_notes.script import drive, replay
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import Trace

ROOT = Path(__file__).resolve().parent.parent


def lossy_run() -> dict[str, Any]:
    """A real run with every fault the network makes, as the JSON data of its file."""
    cluster = Cluster(acceptors=3, proposers=2, learners=2, acceptor=NackingAcceptor)
    net = Network(loss=0.15, duplication=0.15, delay=(0.5, 4.0), crash_rate=0.03,
                  faults_until=120.0)
    sim = Simulation(cluster, seed=4, network=net).run(until=300.0)
    kinds = {e.kind for e in sim.trace}
    assert {"crash", "restart", "duplicate", "drop", "chosen", "learned"} <= kinds
    return json.loads(sim.trace.to_json())


def broken_run(variant: str = "no-promise") -> dict[str, Any]:
    """The checker's stored counterexample of ``variant``, replayed: two values chosen."""
    run = replay(VARIANTS[variant].cluster(), stored(variant).steps)
    return json.loads(run.trace.to_json())


def load(data: dict[str, Any]) -> Trace:
    return Trace.from_json(json.dumps(data))


def rejected(data: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as e:
        load(data)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("trace: ") and len(msg) < 400, msg
    return msg


def index(events: list[dict], test: Callable[[dict], bool], after: int = 0) -> int:
    return next(i for i, e in enumerate(events) if i >= after and test(e))


# -- the header must say which agents ran ------------------------------------------


HEADER_CASES = {
    "no acceptors": (lambda m: m.pop("acceptors"), "meta: acceptors must be a list"),
    "acceptors renamed": (lambda m: m.update(acceptors=["x1", "x2", "x3"]),
                          "acceptors must be ['a1', 'a2', 'a3']"),
    "unknown class": (lambda m: m["agents"].update(acceptor="os.system"),
                      "agents['acceptor'] must be one of"),
    "a proposer class as acceptor": (lambda m: m["agents"].update(acceptor="Proposer"),
                                     "agents['acceptor'] must be one of"),
    "values missing": (lambda m: m.pop("values"), "values must be a list"),
    "too few values": (lambda m: m.update(values=["x"]), "values must give one value"),
    "unknown quorum kind": (lambda m: m.update(quorum_system={"kind": "oracle"}),
                            "quorum_system must be an object whose kind is one of"),
    "quorums disagree": (lambda m: m.update(quorum_system={"kind": "threshold", "k": 1}),
                         "quorums says 'majority (2 of 3)', but quorum_system is 'any 1 of 3'"),
    "leader not a proposer": (lambda m: m.update(leader="a1"), "leader must be null or one"),
    "learning unknown": (lambda m: m.update(learning="gossip"), "learning must be one of"),
    "bad placement": (lambda m: m.update(placement=[["P1", "a1"]]),
                      "placement must be a list of [process, [agents]]"),
}


@pytest.mark.parametrize("name", sorted(HEADER_CASES))
def test_a_header_that_does_not_say_which_agents_ran_is_refused(name: str) -> None:
    data = lossy_run()
    edit, expected = HEADER_CASES[name]
    edit(data["meta"])
    msg = rejected(data)
    assert msg.startswith("trace: meta: ") and expected in msg, msg


def test_a_hand_made_trace_without_a_cluster_is_refused() -> None:
    data = {"schema": "paxos-notes/trace", "version": 1, "meta": {"seed": 1}, "events": []}
    assert "meta: acceptors must be a list" in rejected(data)


# -- impossible runs: one field of a real trace changed ------------------------------


def test_a_message_delivered_that_was_never_sent() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "deliver")
    ev[i]["msg_id"] = 99_999
    msg = rejected(data)
    assert f"event {i}: deliver of message #99999, which is not in flight" in msg


def test_a_delivered_id_delivered_again_without_a_duplicate() -> None:
    data = lossy_run()
    ev = data["events"]
    first = index(ev, lambda e: e["kind"] == "deliver")
    later = index(ev, lambda e: e["kind"] == "deliver", first + 1)
    ev[later]["msg_id"] = ev[first]["msg_id"]
    ev[later]["message"] = ev[first]["message"]
    msg = rejected(data)
    assert f"event {later}: deliver of message #{ev[first]['msg_id']}, which is not in " \
           f"flight: never sent, or already delivered or dropped" in msg


def test_an_acceptor_accepting_below_its_promise() -> None:
    # The broken variant's own trace, with the header naming the paper's acceptor: the
    # run has an acceptor accept below its promise, which the paper's `Acceptor` never does.
    data = broken_run("no-promise")
    assert load(data)  # with its own classes it is a possible run
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "accept"
              and e["state"]["promised"][:2] > e["state"]["accepted"]["n"][:2])
    assert ev[i - 1]["kind"] == "deliver" and ev[i - 1]["message"]["type"] == "Accept"
    data["meta"]["agents"]["acceptor"] = "Acceptor"
    msg = rejected(data)
    assert msg.startswith(f"trace: event {i}: 'accept' ({ev[i]['agent']} accept")
    assert "does not follow from the events before it" in msg


def test_two_values_chosen_without_a_violation_event() -> None:
    data = broken_run("no-promise")
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "violation" and "were both chosen" in e["detail"])
    ev[i]["kind"] = "heal"  # the violation recorded as something harmless
    msg = rejected(data)
    assert f"event {i}: the trace has 'heal'" in msg
    assert "but the agents' handlers give 'violation'" in msg and "were both chosen" in msg


def test_time_running_backwards() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "deliver" and e["time"] > 10.0)
    ev[i]["time"] = 1.0
    msg = rejected(data)
    assert f"event {i}: time 1.0 is before the previous event's time" in msg
    assert "time runs backwards" in msg


def test_an_unknown_agent() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "crash")
    ev[i]["agent"] = "a9"
    assert f"event {i}: agent 'a9' is not one of the header's agents" in rejected(data)


def test_a_message_to_an_unknown_agent() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "send")
    ev[i]["message"]["receiver"] = "a7"
    assert f"event {i}: the message's receiver 'a7' is not one of the header's agents" \
        in rejected(data)


def test_recorded_storage_that_the_handler_does_not_produce() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "promise")
    ev[i]["state"]["promised"] = [9, 0, 2]
    msg = rejected(data)
    assert f"event {i}: {ev[i]['agent']}'s recorded promise state" in msg
    assert "is not what the handlers give" in msg


def test_a_message_sent_that_the_handler_does_not_send() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "send" and e["message"]["type"] == "Accept")
    ev[i]["message"]["value"] = "forged"
    msg = rejected(data)
    assert f"event {i}: the trace's send carries" in msg and "forged" in msg


def test_a_learner_learning_what_it_never_heard() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "learned")
    ev[i]["state"]["learned"]["value"] = "y" if ev[i]["state"]["learned"]["value"] == "x" \
        else "x"
    assert f"event {i}: {ev[i]['agent']}'s recorded learned state" in rejected(data)


def test_an_event_with_no_cause() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "propose", 1)
    ev[i]["kind"] = "accept"  # an acceptance out of nowhere
    msg = rejected(data)
    assert msg.startswith(f"trace: event {i}: 'accept' ")
    assert "does not follow from the events before it" in msg


def test_a_crash_of_an_agent_already_down() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "restart")
    ev[i]["kind"] = "crash"
    assert f"event {i}: {ev[i]['agent']} crashes while it is already down" in rejected(data)


def test_a_loss_when_the_header_says_the_network_loses_nothing() -> None:
    data = lossy_run()
    data["meta"]["loss"] = 0.0
    i = index(data["events"], lambda e: e["kind"] == "drop"
              and e["detail"] == "lost by the network")
    assert f"event {i}: a message is lost by the network, but the header's loss rate is 0" \
        in rejected(data)


def test_a_message_id_out_of_sequence() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "send", 5)
    ev[i]["msg_id"] += 1000
    assert f"event {i}: message id #{ev[i]['msg_id']} should be " \
           f"#{ev[i]['msg_id'] - 1000}" in rejected(data)


def test_a_trace_that_stops_in_the_middle_of_a_step() -> None:
    data = lossy_run()
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "chosen")
    data["events"] = ev[:i]  # cut just before the first "chosen"
    assert f"event {i}: missing: the trace ends, but the agents' handlers go on with " \
           f"'chosen'" in rejected(data)


def test_a_proposal_by_another_than_the_leader() -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=1,
                     network=Network(loss=0.3), leader="p1").run(until=200.0)
    data = json.loads(sim.trace.to_json())
    ev = data["events"]
    i = index(ev, lambda e: e["kind"] == "propose")
    ev[i]["agent"] = "p2"
    assert f"event {i}: p2 proposes, but only the leader p1 does" in rejected(data)


# -- no false rejects -----------------------------------------------------------------


#: The checker's broken rules run in the simulator too: their traces must load.
BROKEN_ACCEPTORS = sorted({v.acceptor for v in VARIANTS.values()} - {Acceptor}, key=str)
BROKEN_PROPOSERS = sorted({v.proposer for v in VARIANTS.values()} - {Proposer}, key=str)

QUORUMS = {
    "majority": lambda names: None,
    "threshold": lambda names: Threshold(names, max(1, len(names) - 1)),
    "flexible": lambda names: Flexible(names, q1=len(names), q2=1),
}


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), acceptors=st.integers(1, 5), proposers=st.integers(1, 3),
       learners=st.integers(1, 3), learning=st.sampled_from(["all", "distinguished", "set"]),
       acceptor=st.sampled_from([Acceptor, NackingAcceptor, RepeatedPrepareAcceptor,
                                 *BROKEN_ACCEPTORS]),
       proposer=st.sampled_from([Proposer, *BROKEN_PROPOSERS]),
       quorums=st.sampled_from(sorted(QUORUMS)), shared=st.booleans(),
       loss=st.sampled_from([0.0, 0.2, 0.5]), dup=st.sampled_from([0.0, 0.2]),
       crash=st.sampled_from([0.0, 0.02, 0.1]), processes=st.booleans(),
       leader=st.booleans())
def test_every_simulated_trace_loads(seed: int, acceptors: int, proposers: int, learners: int,
                                     learning: str, acceptor: type, proposer: type,
                                     quorums: str, shared: bool,
                                     loss: float, dup: float, crash: float, processes: bool,
                                     leader: bool) -> None:
    names = Cluster(acceptors=acceptors).acceptor_names
    cluster = Cluster(acceptors=acceptors, proposers=proposers, learners=learners,
                      learning=learning, distinguished=min(2, learners), acceptor=acceptor,
                      proposer=proposer, quorums=QUORUMS[quorums](names),
                      shared_numbers=shared)
    net = Network(loss=loss, duplication=dup, crash_rate=crash, delay=(0.5, 4.0),
                  faults_until=150.0)
    world = ProcessSimulation if processes else Simulation
    sim = world(cluster, seed=seed, network=net, leader="p1" if leader else None)
    sim.run(until=300.0)
    assert Trace.from_json(sim.trace.to_json()) == sim.trace


ACTIONS = st.lists(st.sampled_from(["deliver", "drop", "duplicate", "crash", "restart",
                                    "propose", "partition", "heal", "persist"]),
                   min_size=1, max_size=40)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(choices=ACTIONS, picks=st.lists(st.integers(0, 99), min_size=40, max_size=40),
       processes=st.booleans(), send_first=st.booleans())
def test_every_hand_driven_trace_loads(choices: list[str], picks: list[int], processes: bool,
                                       send_first: bool) -> None:
    """Manual runs: drops and duplicates by hand, partitions, crashes of any agent
    (a learner's too, which must learn again), and an acceptor that writes late."""
    acceptor = VARIANTS["send-before-persist"].acceptor if send_first else NackingAcceptor
    cluster = Cluster(acceptors=3, proposers=2, learners=2, learning="distinguished",
                      acceptor=acceptor)
    world = ProcessSimulation if processes else Simulation
    sim = world(cluster, seed=0, manual=True)
    names = sorted(sim.agents)
    sim.propose("p1")
    for kind, k in zip(choices, picks, strict=False):
        pending = sim.pending()
        if kind in ("deliver", "drop", "duplicate") and pending:
            getattr(sim, kind)(pending[k % len(pending)].id)
        elif kind in ("crash", "restart"):
            getattr(sim, kind)(names[k % len(names)])
        elif kind == "propose":
            sim.propose(("p1", "p2")[k % 2])
        elif kind == "partition":
            sim.partition(names[: k % len(names)], names[k % len(names):])
        elif kind == "heal":
            sim.heal()
        elif kind == "persist":
            sim.persist(names[k % len(names)])
    while sim.pending():
        sim.deliver(sim.pending()[0].id)
    assert Trace.from_json(sim.trace.to_json()) == sim.trace


@pytest.mark.parametrize("variant", sorted(n for n in VARIANTS if not stored(n).safe))
def test_every_stored_counterexample_loads_with_its_own_classes(variant: str) -> None:
    data = broken_run(variant)
    assert data["meta"]["agents"] == VARIANTS[variant].cluster().agent_classes
    assert load(data).to_json() == json.dumps(data, sort_keys=True, separators=(",", ":")) \
        + "\n"
    assert any(e["kind"] == "violation" for e in data["events"])


def test_grid_quorums_and_a_relearning_learner_load() -> None:
    # §2.3: a learner that crashed learns again from a new proposal
    rows = (("a1", "a2"), ("a3", "a4"))
    cluster = Cluster(acceptors=4, proposers=1, learners=2, quorums=Grid(rows))
    run = drive(Simulation(cluster, seed=0, manual=True), [("propose", "p1")]).settle()
    run.then([("crash", "l1"), ("restart", "l1"), ("propose", "p1")]).settle()
    assert run.sim.agents["l1"].learned is not None
    assert load(json.loads(run.trace.to_json())) == run.trace


@pytest.mark.parametrize("args", [
    ["check", "--model", "agents", "--variant", "no-promise"],
    ["check", "--model", "livelock"],
    ["simulate", "--seed", "3", "--loss", "0.2", "--dup", "0.2", "--crash-rate", "0.05",
     "--learners", "2", "--until", "200"],
], ids=["check-variant", "check-livelock", "simulate"])
def test_traces_the_command_line_writes_load_in_a_fresh_interpreter(args: list[str],
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    subprocess.run([sys.executable, "-m", "paxos_notes", *args, "--trace", str(path)],
                   cwd=ROOT, capture_output=True, check=False, timeout=120)
    code = ("import sys; from paxos_notes.widgets import TracePlayer; "
            "from paxos_notes.trace import Trace; "
            "print(len(Trace.load(sys.argv[1])))")
    r = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) > 10


def test_loading_stays_linear_in_the_trace() -> None:
    def calls(until: float) -> tuple[int, int]:
        # messages slower than the proposers' retries: they duel on and on (§2.4)
        sim = Simulation(Cluster(acceptors=5, proposers=3, learners=2), seed=2,
                         network=Network(delay=(20.0, 40.0))).run(until=until)
        text = sim.trace.to_json()
        # Function calls, not seconds: a count does not depend on how busy the
        # machine is, and a loader that rescans earlier events grows it faster
        # than the trace.
        count = 0

        def profile(frame: object, event: str, arg: object) -> None:
            nonlocal count
            if event in ("call", "c_call"):
                count += 1

        sys.setprofile(profile)
        try:
            Trace.from_json(text)
        finally:
            sys.setprofile(None)
        return len(sim.trace), count

    small, c_small = calls(400.0)
    big, c_big = calls(4000.0)
    assert big > 6 * small
    # per event, the big trace costs about what the small one does (quadratic: ~8x)
    assert c_big / big < 1.5 * c_small / small, (c_small / small, c_big / big)


def test_every_agent_class_of_the_checker_can_be_named_by_a_trace() -> None:
    """A variant class missing from the table would make its own traces unloadable."""
    from paxos_notes.checker import variants
    from paxos_notes.cluster import AGENT_CLASSES, ROLES

    defined = {obj for obj in vars(variants).values() if isinstance(obj, type)
               and any(issubclass(obj, base) for base in ROLES.values())}
    assert len(defined) >= 14
    assert defined <= set(AGENT_CLASSES.values())
    assert {v.acceptor for v in VARIANTS.values()} | {v.proposer for v in VARIANTS.values()} \
        <= set(AGENT_CLASSES.values())


# -- exhaustive: every one-field edit of a small real trace --------------------------


def hand_run() -> dict[str, Any]:
    """A hand-driven run with a nack, a partition, a lost delivery, a late write,
    a duplicate and a learner that crashes and learns again."""
    cluster = Cluster(acceptors=3, proposers=2, learners=2, learning="distinguished",
                      acceptor=VARIANTS["send-before-persist"].acceptor)
    sim = Simulation(cluster, seed=0, manual=True)
    run = drive(sim, [("propose", "p1")])
    sim.partition(["p1", "a1", "a2", "l1", "l2"], ["p2", "a3"])
    run.then([("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a2", "Prepare"),
              ("deliver", "p1", "a3", "Prepare"), ("persist", "a1"),
              ("deliver", "a1", "p1", "Promise"), ("deliver", "a2", "p1", "Promise"),
              ("duplicate", "p1", "a1", "Accept")])
    sim.heal()
    run.settle().then([("crash", "l2"), ("restart", "l2"), ("propose", "p2")]).settle()
    kinds = {e.kind for e in run.trace}
    assert {"partition", "heal", "persist", "duplicate", "drop", "chosen", "learned"} <= kinds
    return json.loads(run.trace.to_json())


OTHER_KIND = {"send": "duplicate", "duplicate": "send", "deliver": "drop", "drop": "deliver",
              "crash": "restart", "restart": "crash", "promise": "accept", "accept": "promise",
              "learned": "chosen", "chosen": "learned", "propose": "persist",
              "persist": "propose", "violation": "heal", "partition": "heal",
              "heal": "crash"}  # not "partition": one with no groups cuts no link
#: Another agent of another role (two acceptors may well have been able to do the same).
OTHER_AGENT = {"a": "l1", "p": "a1", "l": "p1", "": "a1"}


def one_field_edits(e: dict) -> list[tuple[str, Callable[[dict], None]]]:
    """Each edit changes one field of an event to another value of its type."""
    out: list[tuple[str, Callable[[dict], None]]] = [
        ("kind", lambda e: e.update(kind=OTHER_KIND[e["kind"]])),
        ("agent", lambda e: e.update(agent=OTHER_AGENT[e.get("agent", "")[:1]])),
        ("msg_id", lambda e: e.update(msg_id=e.get("msg_id", 0) + 1)),
        ("detail", lambda e: e.update(detail=e.get("detail", "") + "!")),
    ]
    if "message" in e:
        out.append(("n", lambda e: e["message"]["n"].__setitem__(0, e["message"]["n"][0] + 1)))
        out.append(("receiver", lambda e: e["message"].update(
            receiver="a3" if e["message"]["receiver"] != "a3" else "a1")))
        if "value" in e["message"]:
            out.append(("value", lambda e: e["message"].update(value=e["message"]["value"] + "!")))
    for key in e.get("state") or {}:
        other: Any = [7, 0, 2] if key == "promised" else {"n": [7, 0, 2], "value": "q"}
        out.append((f"state {key}", lambda e, k=key, o=other: e["state"].update(
            {k: None if e["state"][k] is not None else o})))
    return out


@pytest.mark.parametrize("make", [hand_run, lossy_run], ids=["hand-driven", "automatic"])
def test_every_one_field_edit_of_an_event_is_refused_at_that_event(make) -> None:
    base = make()
    tried, later = 0, []
    for i, event in enumerate(base["events"]):
        for field, edit in one_field_edits(event):
            data = json.loads(json.dumps(base))
            edit(data["events"][i])
            tried += 1
            with pytest.raises(ValueError) as e:
                load(data)
            # "event k: ..." (an impossible run) or "event k state ..." (a bad shape)
            k = int(re.match(r"trace: event (\d+)[: ]", str(e.value)).group(1))  # type: ignore
            assert k >= i, (i, field, str(e.value))
            if k > i:  # possible by itself, impossible with what follows (a crash of
                later.append((i, field))  # a proposer instead of a learner, say)
    assert tried > 300
    assert len(later) <= tried // 50, later


@pytest.mark.parametrize("elect", [True, False], ids=["elections", "duels"])
def test_traces_of_the_progress_runs_load(elect: bool) -> None:
    """§2.4's runs: a manual simulation driven by election timers and delays."""
    from paxos_notes.progress import Contest

    for seed in range(4):
        trace = Contest(proposers=3, elect=elect).run(seed, record=True).sim.trace
        assert len(trace) > 20
        assert Trace.from_json(trace.to_json()) == trace
