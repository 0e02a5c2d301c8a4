"""Traces: deterministic, round-tripping JSON that refuses bad files with one clear line."""

from __future__ import annotations

import builtins
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from paxos_notes import trace as trace_module
from paxos_notes.agents import NackingAcceptor
from paxos_notes.ballots import ProposalNumber
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accept, Accepted, Chosen, Nack, Prepare, Promise, Proposal
from paxos_notes.multipaxos import trace as multipaxos_trace_module
from paxos_notes.multipaxos.kv import NOOP, Command
from paxos_notes.multipaxos.messages import Accept as MAccept
from paxos_notes.multipaxos.messages import Accepted as MAccepted
from paxos_notes.multipaxos.messages import Ack, Heartbeat, Redirect, Reply, Request
from paxos_notes.multipaxos.messages import Nack as MNack
from paxos_notes.multipaxos.messages import Prepare as MPrepare
from paxos_notes.multipaxos.messages import Promise as MPromise
from paxos_notes.multipaxos.trace import Event as MultiEvent
from paxos_notes.multipaxos.trace import Trace as MultiTrace
from paxos_notes.script import drive
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


def every_kind_of_message_run() -> Trace:
    """A real run (every consensus message type, a nack, a duplicate, a drop, a crash):
    the loader runs a trace's events again, so a file that loads must be a run."""
    cluster = Cluster(acceptors=3, proposers=2, learners=2, learning="distinguished",
                      acceptor=NackingAcceptor)
    return drive(Simulation(cluster, seed=0, manual=True), [
        ("propose", "p1"),
        ("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a2", "Prepare"),
        ("deliver", "a1", "p1", "Promise"), ("deliver", "a2", "p1", "Promise"),
        ("deliver", "p1", "a1", "Accept"),
        ("propose", "p2"), ("deliver", "p2", "a1", "Prepare"), ("deliver", "p2", "a2", "Prepare"),
        ("deliver", "p1", "a2", "Accept"),  # a2 promised p2's higher number: a nack
        ("duplicate", "p1", "a3", "Prepare"), ("drop", "p1", "a3", "Prepare"),
        ("crash", "a3"), ("deliver", "p1", "a3", "Prepare"), ("restart", "a3"),
    ]).settle().trace


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
    for t in (every_kind_of_message_run(), faulty_run(3).trace):
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
    t = faulty_run(3).trace
    assert any(x.time != round(x.time, 2) for x in t)  # times with many decimals
    assert [x.time for x in Trace.from_json(t.to_json())] == [x.time for x in t]


def test_event_describe_reads_like_prose() -> None:
    events = every_kind_of_event().events
    deliver = Event(1, 0.0, "deliver", "a2", Prepare("p1", "a2", n(1)), 4)
    assert deliver.describe() == "a2 receives prepare 2 from p1"
    assert events[0].describe() == "p1 sends prepare 2 to a1"
    drop = Event(2, 0.0, "drop", "a1", Accept("p1", "a1", n(1), "x"), 5, "lost by the network")
    assert drop.describe() == "accept 2 'x' from p1 to a1 is lost (lost by the network)"
    assert events[-2].describe() == "a2 crash"


# -- bad files: one line, saying what is wrong; the same checks for both protocols ----------
#
# Each protocol gives a good trace whose event 2 carries a message with a
# proposal number; every hostile variant below is made from that good file.


def every_kind_of_multipaxos_event() -> MultiTrace:
    cmd = Command("c1", 1, ("put", "x", 1))
    value = cmd.encode()
    msgs = [MPrepare("s1", "s2", n(1), (3, 5), 7),
            MAccept("s1", "s2", n(1), 4, value, ((1, NOOP), (2, value))),
            MPromise("s2", "s1", n(1), (3,), 7, ((3, Proposal(n(0, 1), value)),)),
            MAccepted("s2", "s1", n(1), 4, value, 3), Heartbeat("s1", "s3", n(1), ((1, NOOP),)),
            Ack("s3", "s1", n(1), 2), MNack("s3", "s1", n(1), n(2, 1)),
            Request("c1", "s1", cmd), Reply("s1", "c1", 1, "ok"), Reply("s1", "c1", 2, None),
            Reply("s1", "c1", 3, True), Reply("s1", "c1", 4, -5), Redirect("s2", "c1", 1, "s1"),
            Redirect("s2", "c1", 2, None)]
    t = MultiTrace(meta={"seed": 7, "servers": ["s1", "s2", "s3"], "faults_until": None})
    for i, m in enumerate(msgs):
        t.append(MultiEvent(i, i * 0.5, "send", m.sender, m, i + 1))
    t.append(MultiEvent(20, 11.25, "crash", "s2"))
    t.append(MultiEvent(21, 12.0, "learn", "s1", detail="#4 c1#1 put('x', 1)"))
    return t


@dataclass(frozen=True)
class Protocol:
    trace: type[Trace]
    good: Callable[[], Trace]
    extra: dict[str, tuple[Callable[[dict], None], str]]  # protocol-only hostile edits
    #: a trace the loader accepts whole, when ``good`` (made to be edited) is not a
    #: run the protocol's code could make (None: ``good`` itself)
    loads: Callable[[], Trace] | None = None

    def loadable(self) -> Trace:
        return (self.loads or self.good)()


def _set(path: tuple, value: object) -> Callable[[dict], None]:
    """An edit: put ``value`` at ``path`` in the trace's JSON data."""
    def edit(d: dict) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value
    return edit


MSG = ("events", 2, "message")
PROTOCOLS = {
    "consensus": Protocol(Trace, every_kind_of_event, {
        "accepted not object": (_set((*MSG, "accepted"), [0, 1, 2]),
                                "accepted must be null or an object"),
        "missing value": (_set((*MSG, "accepted"), {"n": [0, 1, 2]}),
                          "accepted value must be a string"),
        "multi-Paxos state key": (_set(("events", 0, "state"), {"log": []}),
                                  "state keys must be among"),
    }, loads=every_kind_of_message_run),
    "multipaxos": Protocol(MultiTrace, every_kind_of_multipaxos_event, {
        "accepted not a list": (_set((*MSG, "accepted"), {"3": None}),
                                "accepted must be a list of at most"),
        "accepted pair too long": (_set((*MSG, "accepted"), [[3, None, 4]]),
                                   "accepted item must be a pair [instance, ...]"),
        "accepted null proposal": (_set((*MSG, "accepted"), [[3, None]]),
                                   "accepted item must be an object"),
        "negative instance": (_set(("events", 1, "message", "instance"), -1),
                              "event 1 message instance must be in 0..2147483647"),
        "long value": (_set(("events", 1, "message", "value"), "v" * 2001),
                       "event 1 message value must be a string of 1..2000"),
        "gaps not ints": (_set(("events", 0, "message", "gaps"), ["3"]),
                          "event 0 message gaps item must be an integer, got str"),
        "100001 gaps": (_set(("events", 0, "message", "gaps"), [1] * 100_001),
                        "gaps must be a list of at most 100000 items"),
        "command not object": (_set(("events", 7, "message", "command"), "put x 1"),
                               "event 7 message command must be an object"),
        "unknown operation": (_set(("events", 7, "message", "command", "op"), ["explode", "x"]),
                              "event 7 message command: op kind must be one of"),
        "nested operation": (_set(("events", 7, "message", "command", "op"),
                                  ["put", "x", {"a": 1}]),
                             "command op item must be a string, an integer, null or a list"),
        "request id zero": (_set(("events", 7, "message", "command", "id"), 0),
                            "command id must be in 1..9007199254740992"),
        "object as output": (_set(("events", 8, "message", "output"), {"a": 1}),
                             "output must be null, a boolean, an integer or a string"),
        "huge output": (_set(("events", 8, "message", "output"), 2**60),
                        "output must be in -9007199254740992..9007199254740992"),
        "state on an event": (_set(("events", 0, "state"), {"promised": None}),
                              "event 0 state is not part of a 'paxos-notes/multipaxos-trace'"),
        "consensus kind": (_set(("events", 0, "kind"), "promise"), "event 0 kind must be one of"),
    }),
}

SENTINEL = 987654321  # replaced in the JSON text by what json.dumps cannot write


def _raw(text: str, literal: str) -> str:
    assert text.count(str(SENTINEL)) == 1
    return text.replace(str(SENTINEL), literal)


def bad_files(protocol: Protocol) -> dict[str, tuple[str, str]]:
    """Hostile and broken files made from ``protocol``'s good trace, with the
    words the error must contain."""
    good = json.loads(protocol.good().to_json())

    def edited(edit: Callable[[dict], None]) -> str:
        d = json.loads(json.dumps(good))
        edit(d)
        return json.dumps(d)

    text = json.dumps(good)
    schema = protocol.trace.codec.schema
    version = protocol.trace.codec.version
    table = {
        "truncated": (text[: len(text) // 2], "not valid JSON"),
        "empty": ("", "not valid JSON"),
        "top level list": ("[1, 2]", "top level must be a JSON object"),
        "top level number": ("3", "top level must be a JSON object"),
        "top level string": ('"trace"', "top level must be a JSON object"),
        "wrong schema": (edited(_set(("schema",), "something/else")),
                         f"schema must be {schema!r}"),
        "no schema": (json.dumps({"version": 1, "events": []}), "schema must be"),
        "newer version": (edited(_set(("version",), version + 1)),
                          "newer than this paxos-notes reads"),
        "version zero": (edited(_set(("version",), 0)), f"version must be in 1..{version}, got 0"),
        "version string": (edited(_set(("version",), "1")), "version must be an integer"),
        "meta not object": (edited(_set(("meta",), [1])), "meta must be an object"),
        "events not list": (edited(_set(("events",), {"0": {}})), "events must be a list"),
        "event not object": (edited(_set(("events",), [17])), "event 0 must be an object"),
        "unknown event kind": (edited(_set(("events", 0, "kind"), "bribe")),
                               "event 0 kind must be one of"),
        "list as event kind": (edited(_set(("events", 0, "kind"), ["send"])),
                               "event 0 kind must be one of"),
        "round 10**40": (edited(_set((*MSG, "n"), [10**40, 0, 2])),
                         "event 2 message n round must be in 0..2147483647"),
        "5000-digit integer": (_raw(edited(_set(("events", 0, "step"), SENTINEL)), "7" * 5000),
                               "event 0 step must be an integer, got a number of 5000 digits"),
        "1e400 time": (_raw(edited(_set(("events", 0, "time"), SENTINEL)), "1e400"),
                       "event 0 time must be a finite number in 0..1e12, got 1e400"),
        "1e400 in meta": (_raw(edited(_set(("meta",), {"seed": SENTINEL})), "1e400"),
                          "meta seed must be a finite number, got 1e400"),
        "-1e400": (_raw(edited(_set(("events", 0, "time"), SENTINEL)), "-1e400"),
                   "event 0 time must be a finite number in 0..1e12, got -1e400"),
        "NaN": (_raw(edited(_set(("events", 0, "time"), SENTINEL)), "NaN"),
                "event 0 time must be a finite number in 0..1e12, got NaN"),
        "Infinity": (_raw(edited(_set(("events", 0, "time"), SENTINEL)), "Infinity"),
                     "event 0 time must be a finite number in 0..1e12, got Infinity"),
        "negative time": (edited(_set(("events", 0, "time"), -1)),
                          "time must be a finite number in 0..1e12"),
        "bool step": (edited(_set(("events", 0, "step"), True)),
                      "step must be an integer, got bool"),
        "unknown message type": (edited(_set((*MSG, "type"), "Bribe")),
                                 "message type must be one of"),
        "list as message type": (edited(_set((*MSG, "type"), ["Prepare"])),
                                 "message type must be one of"),
        "message not object": (edited(_set(("events", 0, "message"), "Prepare")),
                               "message must be an object"),
        "short number": (edited(_set((*MSG, "n"), [1, 0])),
                         "must be [round, proposer, proposers]"),
        "proposer out of range": (edited(_set((*MSG, "n"), [1, 2, 2])),
                                  "proposer must be in 0..1"),
        "too many proposers": (edited(_set((*MSG, "n"), [1, 0, 10**6])),
                               "proposers must be in 1..64"),
        "long sender": (edited(_set((*MSG, "sender"), "p" * 65)),
                        "sender must be a string of 1..64"),
        "numeric receiver": (edited(_set((*MSG, "receiver"), 3)),
                             "receiver must be a string, got int"),
        "negative msg_id": (edited(_set(("events", 0, "msg_id"), -4)),
                            "msg_id must be in 0..2147483647"),
        "long detail": (edited(_set(("events", 0, "detail"), "d" * 2001)),
                        "detail must be a string of 1..2000"),
        "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    }
    for name, (edit, expected) in protocol.extra.items():
        table[name] = (edited(edit), expected)
    return table


CASES = [(p, name) for p in sorted(PROTOCOLS) for name in sorted(bad_files(PROTOCOLS[p]))]


@pytest.mark.parametrize(("protocol", "name"), CASES)
def test_bad_trace_gives_one_line_value_error_saying_what_is_wrong(protocol: str,
                                                                 name: str) -> None:
    p = PROTOCOLS[protocol]
    text, expected = bad_files(p)[name]
    with pytest.raises(ValueError) as e:
        p.trace.from_json(text)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("trace: ")
    assert expected in msg
    assert len(msg) < 400


def test_both_protocols_face_the_same_hostile_files() -> None:
    shared = set(bad_files(PROTOCOLS["consensus"])) - set(PROTOCOLS["consensus"].extra)
    assert len(shared) >= 30
    for p in PROTOCOLS.values():
        assert shared <= set(bad_files(p))


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_every_kind_of_message_round_trips(protocol: str, tmp_path: Path) -> None:
    p = PROTOCOLS[protocol]
    good = p.loadable()
    assert {type(e.message).__name__ for e in good if e.message is not None} == \
        set(p.trace.codec.messages)
    good.save(tmp_path / "t.json")
    back = p.trace.load(tmp_path / "t.json")
    assert back == good and back.to_json() == good.to_json()
    assert all(type(e) is p.trace.codec.event for e in back)


def test_a_trace_of_one_protocol_is_refused_by_the_other() -> None:
    with pytest.raises(ValueError, match="schema must be 'paxos-notes/multipaxos-trace'"):
        MultiTrace.from_json(every_kind_of_event().to_json())
    with pytest.raises(ValueError, match="schema must be 'paxos-notes/trace'"):
        Trace.from_json(every_kind_of_multipaxos_event().to_json())


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_a_huge_wrong_schema_is_not_echoed_whole(protocol: str) -> None:
    d = json.loads(PROTOCOLS[protocol].good().to_json())
    d["schema"] = "x" * 1_000_000
    with pytest.raises(ValueError, match="schema must be") as e:
        PROTOCOLS[protocol].trace.from_json(json.dumps(d))
    assert len(str(e.value)) < 200


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_loading_missing_file_or_directory_says_it_cannot_read(protocol: str,
                                                               tmp_path: Path) -> None:
    load = PROTOCOLS[protocol].trace.load
    with pytest.raises(ValueError, match=r"^trace: cannot read nope.json \(No such file"):
        load(tmp_path / "nope.json")
    with pytest.raises(ValueError, match=r"^trace: cannot read .*\(Is a directory\)"):
        load(tmp_path)


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_loading_non_utf8_file_says_so(protocol: str, tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b'{"schema": "\xff\xfe"}')
    with pytest.raises(ValueError, match=r"^trace: file is not UTF-8 text$"):
        PROTOCOLS[protocol].trace.load(path)


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_loading_an_oversized_file_is_refused_before_reading(protocol: str, tmp_path: Path,
                                                            monkeypatch) -> None:
    p = PROTOCOLS[protocol]
    good = p.good().to_json()
    path = tmp_path / "big.json"
    path.write_text(good, encoding="utf-8")
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="larger than the 100 bytes allowed"):
        p.trace.load(path)
    with pytest.raises(ValueError, match="larger than the 100 bytes allowed"):
        p.trace.from_json(good)


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_loading_never_uses_pickle_or_eval(protocol: str, tmp_path: Path, monkeypatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("trace loading must not pickle or eval")

    p = PROTOCOLS[protocol]
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    path = tmp_path / "t.json"
    p.loadable().save(path)
    assert p.trace.load(path) == p.loadable()
    for module in (trace_module, multipaxos_trace_module):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "import pickle" not in source and "eval(" not in source
