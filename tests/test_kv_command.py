"""The ``kv`` command: run §3's replicated store under faults and judge the run
(output, JSON, exit codes, the broken switch, the fault schedules)."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from paxos_notes.cli.common import Counter
from paxos_notes.cli.kv import (
    FAULT_KINDS,
    configure_kv,
    fault_plan,
    format_kv,
    kv_run,
    run_kv,
)
from paxos_notes.multipaxos.server import Setup


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kv")
    configure_kv(p)
    return p


def kv(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run_kv(parser().parse_args(list(argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code, out, _ = kv(capsys, *argv, "--json")
    return code, json.loads(out)


@pytest.mark.slow
def test_the_acceptance_run_is_linearizable_with_no_lost_write(capsys) -> None:
    code, out, _ = kv(capsys, "--ops", "1000", "--seed", "1", "--faults", "all")
    assert code == 0, out
    assert out.startswith("operations:     1000 (1000 completed) by 3 clients on 5 servers")
    assert "lost writes:    0 of " in out
    assert "linearizable:   yes" in out
    assert "safety:         no rule broken" in out
    changes = int(out.split("leader changes: ")[1].split()[0])
    assert changes > 10  # leaders crashed and were cut off all along


def test_text_output_names_every_figure(capsys) -> None:
    code, out, err = kv(capsys, "--ops", "60", "--seed", "4", "--servers", "3")
    assert code == 0 and err == ""  # short and not a terminal: no progress line
    for label in ("operations:", "latency:", "message delays", "messages:", "per command",
                  "leader changes: 0", "lost writes:    0", "linearizable:   yes", "run:"):
        assert label in out


def test_json_has_the_figures_and_is_deterministic(capsys) -> None:
    argv = ("--ops", "150", "--seed", "3", "--faults", "all", "--clients", "3")
    code, a = as_json(capsys, *argv)
    _, b = as_json(capsys, *argv)
    assert code == 0
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    assert a["ops"] == a["completed"] == 150
    assert a["linearizable"] is True and a["lost_writes"] == 0 and a["safe"] is True
    assert isinstance(a["leader_changes"], int) and a["leader_changes"] > 0
    assert a["messages_per_command"] > 4  # at least request, 2 accepts, reply ...
    lat = a["latency_delays"]
    assert 2 <= lat["median"] <= lat["p90"]
    assert a["dropped"] > 0 and a["duplicated"] > 0


def test_without_faults_a_command_takes_about_four_message_delays(capsys) -> None:
    # request, accept, accepted, reply: 4 delays when the client asks the leader
    _, r = as_json(capsys, "--ops", "200", "--seed", "2", "--servers", "3", "--clients", "1")
    assert r["leader_changes"] == 0 and r["dropped"] == 0
    assert 3.5 <= r["latency_delays"]["median"] <= 4.5


def test_skipping_phase_1_exits_1_with_lost_writes(capsys) -> None:
    argv = ("--ops", "200", "--seed", "5", "--faults", "crash")
    code, r = as_json(capsys, *argv, "--broken", "skip-phase1")
    assert code == 1
    assert r["broken"] == "skip-phase1"
    assert r["lost_writes"] == 9 and len(r["lost"]) == 9
    assert r["linearizable"] is False and "not linearizable: key" in r["explanation"]
    assert r["safe"] is False and r["first_violations"][0].startswith("P2c: instance 101")
    code, r = as_json(capsys, *argv)  # same seed, the paper's rules
    assert code == 0 and r["lost_writes"] == 0 and r["linearizable"] is True and r["safe"]


def test_not_filling_gaps_can_stall_the_store_but_never_corrupts_it(capsys) -> None:
    # A gap left empty stops execution (§3: commands run in instance order); under
    # kv's fault plans the next leader change, with the old leader back, finds the
    # gap's command in phase 1 and proposes it, so these runs recover. What must
    # never happen is a wrong answer: the checks pass exactly as with the rules.
    argv = ("--ops", "200", "--seed", "2", "--faults", "all", "--keys", "1")
    code, r = as_json(capsys, *argv, "--broken", "no-gap-fill")
    assert r["broken"] == "no-gap-fill"
    assert code == 0 and r["linearizable"] is True and r["safe"] and r["lost_writes"] == 0
    code, paper = as_json(capsys, *argv)
    assert code == 0 and paper["completed"] == r["completed"] == 200


@pytest.mark.parametrize(("argv", "words"), [
    (["--servers", "0"], "--servers must be in 1..16, got 0"),
    (["--servers", "40"], "--servers must be in 1..16, got 40"),
    (["--clients", "0"], "--clients must be an integer in 1..32"),
    (["--ops", "-1"], "--ops must be an integer in 1..100000"),
    (["--alpha", "0"], "--alpha must be an integer in 1..1000"),
    (["--keys", "0"], "--keys must be an integer in 1..100"),
])
def test_bad_values_are_usage_errors_naming_the_parameter(capsys, argv, words) -> None:
    code, out, err = kv(capsys, "--seed", "1", *argv)
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--faults", "fire"], ["--broken", "phase1"], []])
def test_unknown_choices_and_a_missing_seed_are_rejected_by_the_parser(argv) -> None:
    with pytest.raises(SystemExit) as e:
        parser().parse_args(["--seed", "1", *argv] if argv else [])
    assert e.value.code == 2


def test_help_lists_the_fault_kinds_and_broken_values() -> None:
    text = parser().format_help()
    for word in (*FAULT_KINDS, "skip-phase1", "no-gap-fill", "--alpha", "--json"):
        assert word in text


# -- the fault schedules ------------------------------------------------------------


def test_fault_plans_are_deterministic_and_do_what_they_say() -> None:
    setup = Setup(servers=("s1", "s2", "s3", "s4", "s5"))
    none_net, none = fault_plan("none", setup, 1, 5000.0)
    assert none == () and none_net.loss == 0 and none_net.crash_rate == 0
    loss_net, loss = fault_plan("loss", setup, 1, 5000.0)
    assert loss == () and loss_net.loss > 0 and loss_net.duplication > 0
    _, crash = fault_plan("crash", setup, 1, 5000.0)
    assert {f.action for f in crash} == {"crash_leader", "restart"}
    _, part = fault_plan("partition", setup, 1, 5000.0)
    assert {f.action for f in part} == {"partition", "heal"}
    for f in part:
        if f.action == "partition":
            assert sorted(s for g in f.groups for s in g) == list(setup.servers)
    all_net, every = fault_plan("all", setup, 1, 5000.0)
    assert {f.action for f in every} == {"crash_leader", "restart", "partition", "heal"}
    assert all_net.loss > 0 and all_net.crash_rate > 0
    assert all(f.time <= 5000.0 for f in every) and all_net.faults_until == 5000.0
    assert [f.time for f in every] == sorted(f.time for f in every)
    assert fault_plan("all", setup, 1, 5000.0) == (all_net, every)
    assert fault_plan("all", setup, 2, 5000.0)[1] != every
    with pytest.raises(ValueError, match="faults must be one of"):
        fault_plan("fire", setup, 1, 10.0)


def test_the_report_counts_operations_shared_by_the_clients() -> None:
    r = kv_run(servers=3, clients=4, ops=10, seed=1)
    assert r["ops"] == r["completed"] == 10 and r["clients"] == 4
    assert format_kv(r).startswith("operations:     10 (10 completed) by 4 clients")


def test_progress_goes_to_the_counter() -> None:
    stream = io.StringIO()
    counter = Counter("kv", 30, stream=stream)
    counter.last = -1e9  # as if the last line were long ago: print the next update
    kv_run(servers=3, clients=2, ops=30, seed=1, counter=counter)
    assert "kv: " in stream.getvalue() and "operations" in stream.getvalue()


def test_progress_goes_to_stderr_with_json_too(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A long ``kv --json`` run is not silent: the counter writes to stderr,
    the report alone to stdout."""
    made: list[Counter] = []

    class Recording(Counter):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.last = -1e9  # as if the last line were long ago
            made.append(self)

    monkeypatch.setattr("paxos_notes.cli.kv.Counter", Recording)
    args = argparse.Namespace(servers=3, clients=2, ops=20, seed=1, faults="none", alpha=3,
                              keys=2, broken=None, json=True, quiet=False)
    assert run_kv(args) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["completed"] == 20
    assert made and not made[0].quiet and "kv: " in err and "operations" in err
