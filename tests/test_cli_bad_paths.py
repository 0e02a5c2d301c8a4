"""The commands under hostile-but-ordinary input, part two (issue 12, items 10 and 11):
a file that cannot be written is refused before the run, a write that fails
keeps the run's summary, a reader that stops early keeps the exit status, and
every out-of-range flag is named as the user typed it."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paxos_notes.cli import main
from paxos_notes.trace import Trace

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# -- --trace paths checked before the run (item 10) -----------------------------------

# A search that finds a counterexample (so check --trace has something to save).
CHECK = ["check", "--variant", "no-promise", "--quiet"]
SIMULATE = ["simulate", "--seed", "1", "--until", "50"]


def bad_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Paths no trace can be written to, and what the error must say."""
    return {
        "a directory": (str(tmp_path), "is a directory"),
        "a missing folder": (str(tmp_path / "no" / "such" / "x.json"), "does not exist"),
        "an empty name": ("", "the file name is empty"),
        "a file under a file": (str(Path(__file__) / "x.json"), "does not exist"),
        "/proc": ("/proc/x.json", "cannot write there"),
    }


@pytest.mark.parametrize("command", [SIMULATE, CHECK], ids=["simulate", "check"])
@pytest.mark.parametrize("case", sorted(bad_paths(Path("/tmp"))))
def test_an_unwritable_trace_path_is_one_line_exit_2_before_the_run(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        command: list[str], case: str) -> None:
    if case == "/proc" and not Path("/proc/self").exists():
        pytest.skip("no /proc on this system")  # pragma: no cover - Linux CI has /proc
    path, expected = bad_paths(tmp_path)[case]
    ran = []
    import paxos_notes.sim as sim_module

    monkeypatch.setattr(sim_module.Simulation, "run",
                        lambda self, *a, **k: ran.append(1) or self)
    code, out, err = run(capsys, [*command, "--trace", path])
    assert code == 2
    assert out == "" and not ran  # refused before any work
    assert err.count("\n") == 1 and err.startswith("error: --trace")
    assert expected in err


@pytest.mark.parametrize("command", [SIMULATE, CHECK], ids=["simulate", "check"])
def test_a_write_that_fails_keeps_the_summary_and_exits_2(
        capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")  # pragma: no cover - Linux CI has it
    code, out, err = run(capsys, [*command, "--trace", "/dev/full"])
    assert code == 2
    assert out.strip()  # the run's summary (or verdict) was printed first
    assert err == "error: --trace /dev/full: not written (No space left on device)\n"


def test_a_disk_that_fills_up_leaves_no_half_written_trace(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    def half_then_full(self: Trace, path: str) -> None:
        Path(path).write_text(self.to_json()[:100], encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Trace, "save", half_then_full)
    path = tmp_path / "t.json"
    code, out, err = run(capsys, [*SIMULATE, "--trace", str(path)])
    assert code == 2 and out.startswith("chosen:")
    assert err == f"error: --trace {path}: not written (No space left on device)\n"
    assert not path.exists()


def test_checking_a_path_leaves_an_existing_file_and_a_new_name_as_they_were(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from paxos_notes.cli.common import unwritable

    kept = tmp_path / "kept.json"
    kept.write_text("keep me", encoding="utf-8")
    assert unwritable("--trace", str(kept)) is None
    assert kept.read_text(encoding="utf-8") == "keep me"
    new = tmp_path / "new.json"
    assert unwritable("--trace", str(new)) is None
    assert not new.exists()


@pytest.mark.parametrize("command", [SIMULATE, CHECK], ids=["simulate", "check"])
def test_a_good_trace_path_still_gets_a_loadable_trace(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "t.json"
    code, _, err = run(capsys, [*command, "--trace", str(path)])
    assert err == "" and code in (0, 1)
    assert len(Trace.load(path)) > 0


# -- a reader that stops early keeps the status (item 11) ------------------------------


def test_a_closed_pipe_keeps_the_violation_exit_status() -> None:
    # The reader is gone before the search ends, so every write meets a closed pipe
    # (what `check ... | head -3` does to a longer output).
    proc = subprocess.Popen([sys.executable, "-m", "paxos_notes", *CHECK],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert err == b""  # no traceback, no "Exception ignored"


def test_a_closed_pipe_after_a_clean_run_is_still_0() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "paxos_notes", "sections"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == b""


# -- fuzz --replay --json (item 11) -----------------------------------------------------


def test_fuzz_replay_with_json_prints_one_json_object(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["fuzz", "--seed", "1", "--replay", "3", "--json"])
    data = json.loads(out)
    assert code == (0 if data["summary"]["safe"] else 1)
    assert data["run_seed"] == 3 and data["schedule"]["acceptors"] >= 3
    assert data["events"] and {"step", "time", "kind"} <= set(data["events"][0])


# -- every out-of-range flag is named as typed (item 11) ---------------------------------

FLAGS = [
    (["kv", "--seed", "1", "--ops", "-1"], "--ops must be an integer in 1..100000"),
    (["kv", "--seed", "1", "--ops", "0"], "--ops must be an integer in 1..100000"),
    (["kv", "--seed", "1", "--ops", "100001"], "--ops must be"),
    (["kv", "--seed", "1", "--clients", "0"], "--clients must be an integer in 1..32"),
    (["kv", "--seed", "1", "--clients", "33"], "--clients must be an integer in 1..32"),
    (["kv", "--seed", "1", "--alpha", "0"], "--alpha must be"),
    (["kv", "--seed", "1", "--keys", "0"], "--keys must be"),
    (["simulate", "--seed", "1", "--dup", "-1"], "--dup must be a probability in 0..1"),
    (["simulate", "--seed", "1", "--crash-rate", "-1"], "--crash-rate must be"),
    (["simulate", "--seed", "1", "--faults-until", "-1"], "--faults-until must be"),
    (["simulate", "--seed", "1", "--until", "nan"], "--until must be"),
    (["simulate", "--seed", "1", "--loss", "2"], "--loss must be"),
    (["simulate", "--seed", "1", "--acceptors", "0"], "--acceptors must be in 1..16"),
    (["simulate", "--seed", "1", "--leader", "zz"], "--leader must be one of"),
    (["check", "--max-ballot", "-1"], "--max-ballot must be"),
    (["check", "--max-states", "0"], "--max-states must be"),
    (["check", "--model", "lamport", "--max-ballot", "-1"], "--max-ballot must be"),
    (["check", "--model", "livelock", "--leader", "zz"], "--leader must be"),
    (["check", "--model", "livelock", "--max-states", "0"], "--max-states must be"),
]


@pytest.mark.parametrize(("argv", "expected"), FLAGS, ids=[" ".join(a) for a, _ in FLAGS])
def test_an_out_of_range_flag_is_named_as_the_user_typed_it(
        capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {expected}") and err.count("\n") == 1


# -- the help says what the statuses mean -------------------------------------------------


def test_help_gives_every_exit_status_and_the_trace_check(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["--help"])
    text = " ".join(out.split())
    assert code == 0
    for words in ("0 every check held", "1 a check failed", "2 usage error",
                  "--trace file that cannot be written", "3 inconclusive"):
        assert words in text
    code, out, _ = run(capsys, ["check", "--help"])
    assert "checked before the search" in " ".join(out.split())
