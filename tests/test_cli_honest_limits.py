"""The commands under hostile-but-ordinary input (issue 12): a limit is checked
before the work it bounds, and a verdict never claims more than was checked."""

from __future__ import annotations

import json

import pytest

from paxos_notes.cli import main


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
