"""`check` on spaces it cannot finish (issue 12, item 5): a default budget of
states and memory, an estimate up front, and a clean Ctrl-C."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paxos_notes.checker import budget, check_agents
from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.cli import main

ROOT = Path(__file__).resolve().parent.parent
TOO_BIG = ["check", "--model", "lamport", "--acceptors", "7", "--values", "4",
           "--max-ballot", "5"]


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the default budget -------------------------------------------------------------------


@pytest.mark.parametrize(("model", "argv"), [
    ("lamport", TOO_BIG[1:]),
    ("agents", ["--model", "agents", "--acceptors", "16"]),
    ("livelock", ["--model", "livelock", "--acceptors", "5", "--proposers", "3",
                  "--leader", "p1"]),
])
def test_check_stops_at_the_default_budget_without_max_states(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        model: str, argv: list[str]) -> None:
    import paxos_notes.cli.check as check

    monkeypatch.setitem(check.DEFAULT_MAX_STATES, model, 500)
    code, out, _ = run(capsys, ["check", *argv, "--quiet"])
    assert code == 3
    assert "INCONCLUSIVE" in out.splitlines()[-1]
    code, out, _ = run(capsys, ["check", *argv, "--json"])
    data = json.loads(out)
    assert code == 3 and data["complete"] is False
    states = data.get("distinct_states", data.get("states"))
    assert 500 <= states < 1000


def test_an_explicit_max_states_overrides_the_default(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import paxos_notes.cli.check as check

    monkeypatch.setitem(check.DEFAULT_MAX_STATES, "lamport", 500)
    code, out, _ = run(capsys, ["check", "--model", "lamport", "--acceptors", "3",
                                "--max-ballot", "1", "--max-states", "10000", "--json"])
    data = json.loads(out)
    assert code == 0 and data["complete"] is True and data["distinct_states"] == 3921


def test_the_default_budget_stops_lamport_7_4_5_under_1_gb() -> None:
    """The real default, in a fresh process: it stops, says so, and stays under 1 GB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "paxos_notes", *TOO_BIG, "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data = json.loads(proc.stdout)
    assert proc.returncode == 3, proc.stderr
    assert data["complete"] is False and data["violation"] is False
    assert data["distinct_states"] >= budget.DEFAULT_MAX_STATES["lamport"]
    assert "at least" in proc.stderr and "expect INCONCLUSIVE" in proc.stderr
    if sys.platform.startswith("linux") and peak_kb > before:  # this child set the peak
        assert peak_kb < 1024 * 1024


def test_check_stops_at_max_memory(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import paxos_notes.cli.check as check

    monkeypatch.setattr(check, "rss_mb", lambda: 5000.0)
    argv = ["check", "--model", "agents", "--acceptors", "5", "--max-memory", "4000"]
    code, out, _ = run(capsys, [*argv, "--quiet"])
    assert code == 3
    assert "INCONCLUSIVE" in out and "--max-memory 4000 MB" in out
    code, out, _ = run(capsys, [*argv, "--json"])
    data = json.loads(out)
    assert code == 3 and data["complete"] is False and data["stopped"] == "max_memory"
    monkeypatch.setattr(check, "rss_mb", lambda: 10.0)
    code, out, _ = run(capsys, ["check", "--max-memory", "4000", "--json"])
    assert code == 0 and json.loads(out)["complete"] is True


@pytest.mark.parametrize("argv", [["--max-memory", "0"], ["--max-states", "0"],
                                  ["--max-memory", "-5"]])
def test_check_budget_flags_out_of_range_are_usage_errors(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, ["check", *argv])
    assert code == 2 and out == "" and err.count("\n") == 1 and argv[0] in err


def test_rss_mb_sees_memory_grow() -> None:
    before = budget.rss_mb()
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    assert budget.rss_mb() >= before + 48
    del block


# -- the estimate up front --------------------------------------------------------------


def test_check_says_up_front_when_the_space_exceeds_the_budget(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, [*TOO_BIG, "--max-states", "1000"])
    assert code == 3
    first = err.splitlines()[0]
    assert "at least 4,398,046,511,104 states" in first and "2^(7 acceptors x 6 ballots)" in first
    code, _, err = run(capsys, ["check", "--model", "lamport", "--acceptors", "3",
                                "--max-ballot", "1"])
    assert code == 0 and "at least" not in err  # 3,921 states: nothing to warn about
    code, _, err = run(capsys, ["check", "--model", "lamport", "--acceptors", "3",
                                "--max-ballot", "3", "--max-states", "1000", "--quiet"])
    assert code == 3 and err == ""


@pytest.mark.parametrize(("acceptors", "values", "max_ballot", "symmetry"), [
    (1, 1, 0, False), (2, 1, 1, False), (2, 2, 1, True), (3, 2, 1, False), (3, 2, 1, True),
    (2, 2, 2, False), (3, 3, 1, True),
])
def test_lamport_lower_bound_never_exceeds_the_count(
        acceptors: int, values: int, max_ballot: int, symmetry: bool) -> None:
    bound, _ = budget.lamport_lower_bound(acceptors, values, max_ballot, symmetry)
    real = check_lamport(acceptors, values, max_ballot, symmetry=symmetry).distinct_states
    assert 1 <= bound <= real


def test_lamport_known_counts_are_the_checkers() -> None:
    for (a, v, b, sym), count in budget.KNOWN.items():
        if count < 300_000:
            assert check_lamport(a, v, b, symmetry=sym).distinct_states == count


# Safe variants only: a violation ends a search before it has counted every state.
@pytest.mark.parametrize(("variant", "acceptors", "proposers"), [
    ("paper", 3, 2), ("paper", 1, 1), ("paper", 4, 1), ("nacks", 3, 2),
    ("crash-restart", 3, 2), ("phase2-other-majority", 3, 2), ("shared-numbers-strict", 3, 2),
])
def test_agents_lower_bound_never_exceeds_the_count(
        variant: str, acceptors: int, proposers: int) -> None:
    bound, _ = budget.agents_lower_bound(variant, acceptors, proposers, None, None)
    real = check_agents(variant, acceptors=acceptors, proposers=proposers)
    assert real.safe and real.complete
    assert 2 <= bound <= real.distinct_states


# -- Ctrl-C ---------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_prints_the_figures_so_far_and_exits_130(as_json: bool) -> None:
    argv = [sys.executable, "-m", "paxos_notes", *TOO_BIG, *(["--json"] if as_json else [])]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 120
        seen = ""
        # The progress counter (its first line after 5 s off a tty); with --json
        # there is none, only the estimate: then give the search a few seconds.
        wanted = "expect INCONCLUSIVE" if as_json else "states, depth"
        while wanted not in seen:
            line = proc.stderr.readline()
            assert line and time.monotonic() < deadline, f"no progress: {seen!r}"
            seen += line
        if as_json:
            time.sleep(4)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    if as_json:
        data = json.loads(out)
        assert data["complete"] is False and data["stopped"] == "interrupted"
        assert data["distinct_states"] > 0 and data["depth"] > 0 and data["seconds"] > 0
    else:
        assert "Ctrl-C" in out and "INCONCLUSIVE" in out.splitlines()[-1]
        states = int(out.split("at least ")[1].split()[0].replace(",", ""))
        assert states > 0 and "depth:" in out and "time:" in out
