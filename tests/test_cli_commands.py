"""simulate, fuzz and check from the command line: output, JSON, exit codes."""

from __future__ import annotations

import json

import pytest

from paxos_notes.cli import main
from paxos_notes.trace import Trace

SIM = ["simulate", "--acceptors", "5", "--proposers", "2", "--seed", "7", "--loss", "0.2",
       "--dup", "0.1", "--crash-rate", "0.05"]


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_prints_chosen_counts_and_verdict(capsys):
    code, out, _ = run(capsys, SIM)
    assert code == 0
    assert out.startswith("chosen:     'y' at t=")
    assert "all three requirements of §2.1 hold" in out
    assert "sent," in out and "dropped," in out and "duplicated" in out


def test_simulate_json_is_deterministic_and_complete(capsys, tmp_path):
    _, a, _ = run(capsys, [*SIM, "--json", "--trace", str(tmp_path / "a.json")])
    _, b, _ = run(capsys, [*SIM, "--json", "--trace", str(tmp_path / "b.json")])
    assert a == b
    data = json.loads(a)
    assert data["safe"] is True and data["chosen"][0] == "y"
    for key in ("sent", "delivered", "dropped", "duplicated", "chosen_at", "violations"):
        assert key in data
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert len(Trace.load(tmp_path / "a.json")) > 100


@pytest.mark.parametrize("argv, words", [
    (["simulate", "--seed", "1", "--loss", "1.5"], "loss must be a probability in 0..1"),
    (["simulate", "--seed", "1", "--acceptors", "0"], "acceptors must be in 1..16"),
    (["simulate", "--seed", "1", "--delay", "3", "1"], "delay must satisfy"),
    (["simulate", "--seed", "1", "--leader", "p9"], "leader must be one of"),
    (["fuzz", "--seed", "1", "--runs", "0"], "--runs must be >= 1"),
    (["check", "--variant", "paper", "--acceptors", "0"], "acceptors must be in"),
    (["check", "--model", "lamport", "--variant", "amnesia"], "--variant"),
    (["check", "--symmetry"], "--symmetry is for --model lamport"),
])
def test_bad_values_are_usage_errors_naming_the_parameter(capsys, argv, words):
    code, _, err = run(capsys, argv)
    assert code == 2
    assert words in err
    assert "Traceback" not in err


def test_fuzz_json_reports_runs_violations_and_speed(capsys):
    code, out, _ = run(capsys, ["fuzz", "--runs", "20", "--seed", "3", "--json"])
    assert code == 0
    data = json.loads(out)
    assert data["runs"] == 20 and data["violations"] == 0 and data["failing_seeds"] == []
    assert data["runs_per_second"] > 0


def test_check_exit_status_is_0_safe_and_1_violation(capsys):
    code, out, _ = run(capsys, ["check", "--variant", "small-quorum"])
    assert code == 1
    assert "VIOLATION" in out and "counterexample (8 steps, shortest)" in out
    assert "1. p1 starts phase 1" in out or "1. p2 starts phase 1" in out
    code, out, _ = run(capsys, ["check", "--variant", "shared-numbers-strict", "--json"])
    assert code == 0
    data = json.loads(out)
    assert data["violation"] is False and data["counterexample"] == []
    for key in ("distinct_states", "states_generated", "depth", "seconds", "peak_memory_mb"):
        assert key in data


def test_check_saves_the_replayed_counterexample(capsys, tmp_path):
    path = tmp_path / "cex.json"
    code, _, _ = run(capsys, ["check", "--variant", "small-quorum", "--trace", str(path)])
    assert code == 1
    trace = Trace.load(path)
    assert any(e.kind == "violation" for e in trace)


def test_check_lamport_small(capsys):
    code, out, _ = run(capsys, ["check", "--model", "lamport", "--acceptors", "1", "--values",
                                "1", "--max-ballot", "0", "--json"])
    assert code == 0
    assert json.loads(out)["violation"] is False
