"""§3's scenario, exactly: a new leader knowing 1–134, 138 and 139."""

from __future__ import annotations

import json

import pytest

from paxos_notes.invariants import P2C, SINGLE_VALUE
from paxos_notes.multipaxos import server as server_module
from paxos_notes.multipaxos.kv import NOOP, Command, describe_value
from paxos_notes.multipaxos.messages import Prepare, Promise
from paxos_notes.multipaxos.scenario import EMPTY, GapScenario, ServerInfo, gap_scenario


@pytest.fixture(scope="module")
def scenario() -> GapScenario:
    return gap_scenario()


def put(client: str, key: str, value: int) -> str:
    return Command(client, value if client == "c1" else 1, ("put", key, value)).describe()


def test_the_new_leader_knows_1_to_134_and_138_139(scenario: GapScenario) -> None:
    assert scenario.known_before == (*range(1, 135), 138, 139)
    assert scenario.before.servers["s3"].role == "down"


def test_phase_1_is_one_short_message_per_server_for_135_137_and_above_139(
        scenario: GapScenario) -> None:
    p = scenario.prepare
    assert isinstance(p, Prepare) and (p.gaps, p.above) == ((135, 136, 137), 140)
    assert scenario.prepares_sent == 2  # to s2 and s3; its own acceptor is local
    promised = {m.sender: m for m in scenario.promises}
    assert set(promised) == {"s1", "s2"}  # s3 is down: a majority anyway
    assert all(isinstance(m, Promise) and m.n == p.n for m in scenario.promises)


def test_only_135_and_140_turn_out_constrained_and_136_137_get_no_ops(
        scenario: GapScenario) -> None:
    assert scenario.constrained == {135: put("c2", "k135", 135), 140: put("c7", "k140", 140)}
    assert scenario.noops == (136, 137)
    by_instance: dict[int, set[str]] = {}
    for sent in scenario.phase2:
        by_instance.setdefault(sent.message.instance, set()).add(sent.message.value)
    # phase 2 runs for exactly 135, 136, 137 and 140 — not for 138, 139 (known)
    assert sorted(by_instance) == [135, 136, 137, 140]
    assert by_instance[136] == by_instance[137] == {"no-op"}


def test_then_commands_1_to_140_execute_in_order(scenario: GapScenario) -> None:
    expected = [put("c1", "x", k) for k in range(1, 135)]
    expected += [put("c2", "k135", 135), "no-op", "no-op", put("c5", "k138", 138),
                 put("c6", "k139", 139), put("c7", "k140", 140)]
    assert list(scenario.executed) == expected
    s1 = scenario.after.servers["s1"]
    assert isinstance(s1, ServerInfo) and (s1.role, s1.executed) == ("leader", 140)
    assert s1.number is not None and s1.number.natural == 3
    assert scenario.after.servers["s2"].executed == 140
    assert scenario.safe


def test_frames_show_each_step_and_the_per_instance_state(scenario: GapScenario) -> None:
    before, after = scenario.before, scenario.after
    # Typed all the way: the accepted Proposal and the chosen command value themselves.
    acc = before.instances[135]["s2"].accepted
    assert acc is not None and acc.number.natural == 2
    assert describe_value(acc.value) == put("c2", "k135", 135)
    assert Command.decode(before.instances[136]["s3"].accepted.value) == \
        Command("c3", 1, ("put", "k136", 136))
    assert before.instances[136]["s1"] == EMPTY
    # s3's acceptance in 136 was never chosen; a no-op is, in a higher round
    no_op = after.instances[136]["s1"]
    assert no_op.chosen == NOOP and no_op.accepted.value == NOOP
    assert no_op.accepted.number.natural == 3
    assert describe_value(after.instances[138]["s2"].chosen) == put("c5", "k138", 138)
    assert [f.step for f in scenario.frames] == list(range(len(scenario.frames)))
    assert scenario.frames[1].action == "s1 starts phase 1"
    # s3 stays down to the end: no step may say it receives anything
    assert not [f.action for f in scenario.frames if f.action.startswith("s3 receives")]
    assert scenario.frames[-2].action == "heartbeat 3 to s3 is lost: s3 is down"
    assert {type(x.message) for x in scenario.frames[1].sent} == {Prepare, Promise}
    rows = scenario.table()
    assert [r["instance"] for r in rows] == list(range(133, 142))
    rows = {r["instance"]: r for r in scenario.table(before)}  # in words, at the edge
    assert rows[135]["s2 accepted"] == f"(2, {put('c2', 'k135', 135)})"
    assert rows[136]["s3 accepted"] == "(2, c3#1 put('k136', 136))"
    assert rows[138]["s1 chosen"] == put("c5", "k138", 138) and rows[136]["s1 chosen"] is None


def test_the_record_is_json(scenario: GapScenario) -> None:
    data = json.loads(json.dumps(scenario.to_dict()))
    assert data["noops"] == [136, 137] and data["constrained"] == {
        "135": put("c2", "k135", 135), "140": put("c7", "k140", 140)}
    assert data["prepare"]["type"] == "Prepare" and data["prepare"]["gaps"] == [135, 136, 137]
    assert data["phase2"][0]["message"]["type"] == "Accept"
    slot = data["after"]["instances"]["136"]["s1"]
    assert slot["chosen"] == "no-op" and slot["accepted"]["value"] == "no-op"
    full = json.loads(json.dumps(scenario.to_dict(trace=True)))
    assert full["trace"]["schema"] == "paxos-notes/multipaxos-trace"
    # without the run's whole trace the record stays small
    assert "trace" not in data and len(json.dumps(data)) < len(json.dumps(full)) / 4


def test_a_leader_that_ignores_constrained_values_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The checks must be able to fail: propose our own value (here a no-op)
    # even where a promise reported one. Instance 135 was already chosen
    # (s2 and s3 accepted it), so a second value gets chosen there.
    monkeypatch.setattr(server_module.Server, "_value_for",
                        lambda self, instance, servers, own: (own, False))
    broken = gap_scenario()
    assert not broken.safe
    rules = {e.detail.split(":")[0] for e in broken.trace if e.kind == "violation"}
    assert {P2C, SINGLE_VALUE} <= rules
