"""The commands under hostile-but-ordinary input (issue 12): a limit is checked
before the work it bounds, and a verdict never claims more than was checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paxos_notes import trace as trace_module
from paxos_notes.cli import main
from paxos_notes.sim import Network, Simulation


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# -- kv --servers ---------------------------------------------------------------------


@pytest.mark.parametrize("servers", ["0", "17", "1000000000"])
def test_kv_rejects_servers_out_of_range_before_building_anything(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, servers: str) -> None:
    import paxos_notes.cli.kv as kv

    def must_not_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Setup was built before --servers was checked")

    monkeypatch.setattr(kv, "Setup", must_not_build)
    code, out, err = run(capsys, ["kv", "--servers", servers, "--seed", "1", "--ops", "1"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "--servers" in err and "1..16" in err and servers in err


def test_kv_run_rejects_servers_out_of_range_with_the_range(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import paxos_notes.cli.kv as kv

    monkeypatch.setattr(kv, "Setup", None)  # calling it would fail the test
    for servers in (0, 17, 10**9):
        words = rf"servers must be an integer in 1\.\.16, got {servers}"
        with pytest.raises(ValueError, match=words):
            kv.kv_run(servers=servers, ops=1)


# -- check --max-states -----------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["--variant", "no-promise"],          # a broken rule: the cap hides its violation
    ["--variant", "small-quorum"],
    ["--model", "lamport"],
])
def test_check_stopped_at_max_states_is_inconclusive_not_safe(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, _ = run(capsys, ["check", *argv, "--max-states", "5", "--quiet"])
    assert code == 3
    verdict = out.splitlines()[-1]
    assert "INCONCLUSIVE" in verdict and "--max-states" in verdict
    assert "no violation" not in verdict.split("—")[0]
    code, out, _ = run(capsys, ["check", *argv, "--max-states", "5", "--json"])
    data = json.loads(out)
    assert code == 3 and data["complete"] is False and data["violation"] is False


def test_check_livelock_stopped_at_max_states_is_inconclusive(
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--model", "livelock", "--acceptors", "5", "--proposers", "1",
            "--max-states", "10"]
    code, out, _ = run(capsys, argv)
    assert code == 3 and "INCONCLUSIVE" in out.splitlines()[-1]
    code, out, _ = run(capsys, [*argv, "--json"])
    assert code == 3 and json.loads(out)["complete"] is False


def test_check_violation_found_before_max_states_still_exits_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["check", "--variant", "small-quorum", "--max-states", "1000",
                                "--json"])
    assert code == 1 and json.loads(out)["violation"] is True


def test_check_complete_search_without_violation_still_exits_0(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["check", "--variant", "paper", "--max-states", "10000000",
                                "--json"])
    data = json.loads(out)
    assert code == 0 and data["complete"] is True and data["violation"] is False


def test_check_help_documents_the_inconclusive_exit_status(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["--help"])
    assert code == 0 and "3 inconclusive" in " ".join(out.split())
    code, out, _ = run(capsys, ["check", "--help"])
    assert code == 0 and "INCONCLUSIVE (exit 3)" in " ".join(out.split())


# -- simulate without --trace, and --max-steps ------------------------------------------

FAULTY = ["simulate", "--acceptors", "5", "--proposers", "3", "--loss", "0.3", "--dup", "0.1",
          "--crash-rate", "0.05", "--until", "300"]


@pytest.mark.parametrize("seed", ["1", "2", "7"])
def test_simulate_without_trace_keeps_no_events_and_reports_the_same_summary(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, seed: str) -> None:
    import paxos_notes.cli.simulate as simulate

    built: list[Simulation] = []

    class Watched(Simulation):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(simulate, "Simulation", Watched)
    code, plain, _ = run(capsys, [*FAULTY, "--seed", seed, "--json"])
    assert code == 0 and len(built) == 1
    assert len(built[0].trace) == 0  # nothing grows with the steps but the summary
    code, traced, _ = run(capsys, [*FAULTY, "--seed", seed, "--json",
                                   "--trace", str(tmp_path / "t.json")])
    assert code == 0 and len(built[1].trace) > 100
    assert json.loads(plain) == json.loads(traced)  # the summary needs no trace


def test_simulate_stopped_at_max_steps_says_so_and_exits_3(
        capsys: pytest.CaptureFixture[str]) -> None:
    # crashes so frequent that simulated time never moves: the old hidden cap
    # reported this as a finished, safe run at t=0.00 with exit 0
    argv = ["simulate", "--seed", "1", "--crash-rate", "1e300", "--max-steps", "500"]
    code, out, _ = run(capsys, argv)
    assert code == 3
    assert "STOPPED at --max-steps" in out and "500 steps" in out
    code, out, _ = run(capsys, [*argv, "--json"])
    data = json.loads(out)
    assert code == 3 and data["stopped_at_max_steps"] is True and data["max_steps"] == 500
    assert data["steps"] == 500


def test_simulate_that_finishes_before_max_steps_exits_0_without_the_note(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["simulate", "--seed", "7", "--max-steps", "1000", "--json"])
    data = json.loads(out)
    assert code == 0 and data["stopped_at_max_steps"] is False and data["steps"] < 1000


def test_a_run_whose_last_allowed_step_is_its_last_event_is_not_cut_short() -> None:
    steps = Simulation(seed=7).run().steps
    exact = Simulation(seed=7).run(max_steps=steps)
    assert exact.steps == steps and not exact.stopped_at_max_steps
    short = Simulation(seed=7).run(max_steps=steps - 1)
    assert short.stopped_at_max_steps


@pytest.mark.parametrize("value", ["0", "1000000001"])
def test_simulate_rejects_max_steps_out_of_range(capsys: pytest.CaptureFixture[str],
                                                 value: str) -> None:
    code, out, err = run(capsys, ["simulate", "--seed", "1", "--max-steps", value])
    assert code == 2 and out == "" and "--max-steps must be in 1..1000000000" in err


def test_simulate_help_documents_max_steps_and_its_exit_status(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["simulate", "--help"])
    text = " ".join(out.split())
    assert code == 0 and "--max-steps" in text and "default 1,000,000" in text
    assert "exits 3" in text


# -- simulate --trace and the loader's size limit ---------------------------------------


def test_simulate_refuses_to_write_a_trace_its_loader_would_refuse(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", 2000)  # stands in for 64 MB
    path = tmp_path / "big.json"
    code, out, err = run(capsys, ["simulate", "--seed", "1", "--trace", str(path)])
    assert code == 2
    assert not path.exists()
    assert err.count("\n") == 1 and err.startswith("error: --trace ")
    assert "2,000 bytes" in err and "not written" in err
    assert out.startswith("chosen:")  # the run's summary is not lost


def test_simulate_leaves_an_existing_file_alone_when_the_trace_is_too_large(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    path.write_text("keep me", encoding="utf-8")
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", 2000)
    code, _, _ = run(capsys, ["simulate", "--seed", "1", "--trace", str(path), "--json"])
    assert code == 2 and path.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_whatever_save_writes_load_accepts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           seed: int) -> None:
    sim = Simulation(seed=seed, network=Network(loss=0.2, crash_rate=0.05)).run(until=200)
    size = len(sim.trace.to_json().encode("utf-8"))
    path = tmp_path / "t.json"
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(trace_module.TraceTooLarge, match=f"{size:,} bytes"):
        sim.trace.save(path)
    assert not path.exists()
    monkeypatch.setattr(trace_module, "MAX_FILE_BYTES", size)
    sim.trace.save(path)
    assert path.stat().st_size == size
    assert len(trace_module.Trace.load(path)) == len(sim.trace)


def test_simulate_help_gives_the_trace_size_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["simulate", "--help"])
    text = " ".join(out.split())
    assert code == 0 and "64 MB limit is not written (exit 2)" in text
