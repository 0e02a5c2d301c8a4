"""Traces: deterministic, round-tripping JSON that refuses bad files with one clear line."""

from __future__ import annotations

import builtins
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from paxos_notes import trace as trace_module
from paxos_notes.agents import NackingAcceptor
from paxos_notes.ballots import ProposalNumber
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accept, Accepted, Chosen, Nack, Prepare, Promise, Proposal
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import SCHEMA, SCHEMA_VERSION, Event, Trace

ROOT = Path(__file__).resolve().parent.parent
FAULTY = Network(loss=0.2, duplication=0.2, delay=(0.5, 4.0), crash_rate=0.02,
                 faults_until=150.0)


def faulty_run(seed: int) -> Simulation:
    cluster = Cluster(acceptors=5, proposers=2, learners=2, acceptor=NackingAcceptor)
    return Simulation(cluster, seed=seed, network=FAULTY).run(until=400.0)


def n(r: int, i: int = 0) -> ProposalNumber:
    return ProposalNumber(r, i, 2)


def every_kind_of_event() -> Trace:
    msgs = [Prepare("p1", "a1", n(1)), Promise("a1", "p1", n(1), None),
            Promise("a2", "p1", n(1), Proposal(n(0, 1), "y")), Accept("p1", "a1", n(1), "x"),
            Accepted("a1", "l1", n(1), "x"), Nack("a3", "p1", n(1), n(2, 1)),
            Chosen("l1", "l2", n(1), "x")]
    t = Trace(meta={"seed": 7, "note": "hand made", "delay": [1.0, 3.0], "leader": None})
    for i, m in enumerate(msgs):
        t.append(Event(i, i * 0.5, "send", m.sender, m, i + 1))
    t.append(Event(20, 11.25, "crash", "a2"))
    t.append(Event(21, 12.0, "violation", detail="P1a: a1 accepted (1, 'x') after ..."))
    return t


def good_dict() -> dict:
    return json.loads(every_kind_of_event().to_json())


# -- determinism ------------------------------------------------------------------


def test_same_seed_gives_byte_identical_trace_json() -> None:
    a, b = faulty_run(11), faulty_run(11)
    assert len(a.trace) > 50
    assert a.trace.to_json() == b.trace.to_json()
    assert a.summary() == b.summary()


def test_different_seeds_give_different_traces() -> None:
    assert faulty_run(11).trace.to_json() != faulty_run(12).trace.to_json()


def test_same_seed_is_identical_across_processes_and_hash_seeds() -> None:
    code = (
        "from tests.test_trace import faulty_run\n"
        "import sys; sys.stdout.write(faulty_run(5).trace.to_json())\n"
    )
    outs = []
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(ROOT)}
        r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                           text=True, check=True, timeout=120)
        outs.append(r.stdout)
    assert outs[0] == outs[1] == faulty_run(5).trace.to_json()


def test_trace_json_has_sorted_keys_and_schema_header() -> None:
    text = every_kind_of_event().to_json()
    d = json.loads(text)
    assert d["schema"] == SCHEMA and d["version"] == SCHEMA_VERSION
    assert text == json.dumps(d, sort_keys=True, separators=(",", ":")) + "\n"


# -- round trip ----------------------------------------------------------------------


def test_load_of_save_is_the_same_trace(tmp_path: Path) -> None:
    for t in (every_kind_of_event(), faulty_run(3).trace):
        path = tmp_path / "t.json"
        t.save(path)
        back = Trace.load(path)
        assert back == t
        assert back.to_json() == path.read_text(encoding="utf-8")


def test_manual_simulation_trace_round_trips(tmp_path: Path) -> None:
    sim = Simulation(Cluster(), seed=0, manual=True)
    sim.propose("p1")
    sim.duplicate(sim.pending()[0].id)
    sim.drop(sim.pending()[1].id)
    sim.crash("a3")
    while sim.pending():
        sim.deliver(sim.pending()[0].id)
    sim.restart("a3")
    sim.trace.save(tmp_path / "m.json")
    assert Trace.load(tmp_path / "m.json") == sim.trace


def test_event_times_are_kept_to_six_decimals() -> None:
    e = Event(0, 0.1234567891, "crash", "a1")
    assert e.time == 0.123457
    assert Trace.from_json(Trace(events=[e]).to_json()).events[0].time == e.time


def test_event_describe_reads_like_prose() -> None:
    events = every_kind_of_event().events
    deliver = Event(1, 0.0, "deliver", "a2", Prepare("p1", "a2", n(1)), 4)
    assert deliver.describe() == "a2 receives prepare 2 from p1"
    assert events[0].describe() == "p1 sends prepare 2 to a1"
    drop = Event(2, 0.0, "drop", "a1", Accept("p1", "a1", n(1), "x"), 5, "lost by the network")
    assert drop.describe() == "accept 2 'x' from p1 to a1 is lost (lost by the network)"
    assert events[-2].describe() == "a2 crash"


# -- bad files: one line, saying what is wrong ----------------------------------------


def _with(**changes) -> str:
    d = good_dict()
    d.update(changes)
    return json.dumps(d)


def _event_with(index: int = 0, **changes) -> str:
    d = good_dict()
    d["events"][index].update(changes)
    return json.dumps(d)


def _message_with(**changes) -> str:
    d = good_dict()
    d["events"][2]["message"].update(changes)  # the Promise reporting a proposal
    return json.dumps(d)


SENTINEL = 987654321  # replaced in the JSON text by what json.dumps cannot write


def _raw(text: str, literal: str) -> str:
    assert text.count(str(SENTINEL)) == 1
    return text.replace(str(SENTINEL), literal)


GOOD = json.dumps(good_dict())
BAD_FILES = {
    "truncated": (GOOD[: len(GOOD) // 2], "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "top level list": ("[1, 2]", "top level must be a JSON object"),
    "top level number": ("3", "top level must be a JSON object"),
    "top level string": ('"trace"', "top level must be a JSON object"),
    "wrong schema": (_with(schema="something/else"), "schema must be 'paxos-notes/trace'"),
    "no schema": (json.dumps({"version": 1, "events": []}), "schema must be"),
    "newer version": (_with(version=SCHEMA_VERSION + 1), "newer than this paxos-notes reads"),
    "version zero": (_with(version=0), "version must be in 1..1, got 0"),
    "version string": (_with(version="1"), "version must be an integer"),
    "meta not object": (_with(meta=[1]), "meta must be an object"),
    "events not list": (_with(events={"0": {}}), "events must be a list"),
    "event not object": (_with(events=[17]), "event 0 must be an object"),
    "unknown event kind": (_event_with(kind="bribe"), "event 0 kind must be one of"),
    "round 10**40": (_message_with(n=[10**40, 0, 2]),
                     "event 2 message n round must be in 0..2147483647"),
    "5000-digit integer": (_raw(_event_with(step=SENTINEL), "7" * 5000), "digits"),
    "1e400 time": (_raw(_event_with(time=SENTINEL), "1e400"), "number 1e400 is out of range"),
    "1e400 in meta": (_raw(_with(meta={"seed": SENTINEL}), "1e400"),
                      "number 1e400 is out of range"),
    "-1e400": (_raw(_event_with(time=SENTINEL), "-1e400"), "out of range"),
    "NaN": (_raw(_event_with(time=SENTINEL), "NaN"), "NaN is not allowed"),
    "Infinity": (_raw(_event_with(time=SENTINEL), "Infinity"), "Infinity is not allowed"),
    "negative time": (_event_with(time=-1), "time must be a finite number in 0..1e12"),
    "bool step": (_event_with(step=True), "step must be an integer, got bool"),
    "unknown message type": (_message_with(type="Bribe"), "message type must be one of"),
    "list as message type": (_message_with(type=["Prepare"]), "message type must be one of"),
    "message not object": (_event_with(message="Prepare"), "message must be an object"),
    "short number": (_message_with(n=[1, 0]), "must be [round, proposer, proposers]"),
    "proposer out of range": (_message_with(n=[1, 2, 2]), "proposer must be in 0..1"),
    "too many proposers": (_message_with(n=[1, 0, 10**6]), "proposers must be in 1..64"),
    "accepted not object": (_message_with(accepted=[0, 1, 2]),
                            "accepted must be null or an object"),
    "missing value": (_message_with(accepted={"n": [0, 1, 2]}), "accepted value must be a string"),
    "long sender": (_message_with(sender="p" * 65), "sender must be a string of 1..64"),
    "negative msg_id": (_event_with(msg_id=-4), "msg_id must be in 0..2147483647"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_trace_gives_one_line_value_error_saying_what_is_wrong(name: str) -> None:
    text, expected = BAD_FILES[name]
    with pytest.raises(ValueError) as e:
        Trace.from_json(text)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("trace: ")
    assert expected in msg
    assert len(msg) < 400


def test_a_huge_wrong_schema_is_not_echoed_whole() -> None:
    with pytest.raises(ValueError, match="schema must be") as e:
        Trace.from_json(_with(schema="x" * 1_000_000))
    assert len(str(e.value)) < 200


def test_loading_missing_file_or_directory_says_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^trace: cannot read nope.json \(No such file"):
        Trace.load(tmp_path / "nope.json")
    with pytest.raises(ValueError, match=r"^trace: cannot read .*\(Is a directory\)"):
        Trace.load(tmp_path)


def test_loading_non_utf8_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b'{"schema": "\xff\xfe"}')
    with pytest.raises(ValueError, match=r"^trace: file is not UTF-8 text$"):
        Trace.load(path)


def test_loading_an_oversized_file_is_refused_before_reading(tmp_path: Path,
                                                            monkeypatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="larger than the 100 bytes allowed"):
        Trace.load(path)
    with pytest.raises(ValueError, match="larger than the 100 bytes allowed"):
        Trace.from_json(GOOD)


def test_loading_never_uses_pickle_or_eval(tmp_path: Path, monkeypatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("trace loading must not pickle or eval")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    path = tmp_path / "t.json"
    every_kind_of_event().save(path)
    assert Trace.load(path) == every_kind_of_event()
    source = Path(trace_module.__file__).read_text(encoding="utf-8")
    assert "import pickle" not in source and "eval(" not in source
