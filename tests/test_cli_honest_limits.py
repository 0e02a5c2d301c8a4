"""The commands under hostile-but-ordinary input (issue 12): a limit is checked
before the work it bounds, and a verdict never claims more than was checked."""

from __future__ import annotations

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
