"""The command line: `python -m paxos_notes`, its help, usage errors and `sections`."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from paxos_notes import __version__, cli, paper


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m paxos_notes ARGS` in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "paxos_notes", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_help_lists_every_subcommand() -> None:
    proc = run_module("--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m paxos_notes")
    names = [c.name for c in cli.COMMANDS]
    assert "sections" in names
    for name in names:
        assert re.search(rf"^\s+{name}\s+\S", proc.stdout, re.MULTILINE), (
            f"--help does not describe {name!r}:\n{proc.stdout}"
        )


def test_simulate_help_gives_the_clusters_learner_bound() -> None:
    from paxos_notes.cluster import MAX_LEARNERS

    proc = run_module("simulate", "--help")
    assert proc.returncode == 0, proc.stderr
    assert f"number of learners (1-{MAX_LEARNERS})" in " ".join(proc.stdout.split())

def test_help_imports_nothing_heavy() -> None:
    # Handlers import their implementation lazily, so --help stays instant.
    probe = (
        "import sys\n"
        "from paxos_notes.cli import main\n"
        "main(['--help'])\n"
        "heavy = ('matplotlib', 'networkx', 'ipywidgets', 'numpy', 'IPython')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "HEAVY []"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["sections", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--frobnicate"], "the following arguments are required: COMMAND"),
        ([], "the following arguments are required: COMMAND"),
    ],
    ids=["unknown-subcommand", "bad-flag", "bad-global-flag", "no-subcommand"],
)
def test_bad_input_is_a_usage_error_with_status_2(args: list[str], message: str) -> None:
    proc = run_module(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("usage: python -m paxos_notes"), proc.stderr
    assert message in proc.stderr, proc.stderr


def test_main_returns_the_status_instead_of_exiting(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["--help"]) == 0
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"paxos-notes {__version__}"


def test_sections_prints_the_section_map(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sections"]) == 0
    out = capsys.readouterr().out
    assert out == paper.section_table().to_text() + "\n"
    lines = out.splitlines()
    for s in paper.SECTIONS:
        row = next(line for line in lines if line.startswith(f"§{s.number} "))
        assert s.title in row
        for notebook in s.notebooks:
            assert notebook in row


def test_sections_json_is_the_paper_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sections", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == paper.section_records()
    assert [d["number"] for d in data] == [s.number for s in paper.SECTIONS]


def test_sections_through_python_dash_m() -> None:
    proc = run_module("sections")
    assert proc.returncode == 0, proc.stderr
    assert "§2.2" in proc.stdout and "Choosing a Value" in proc.stdout


def test_every_registered_command_is_wired_to_its_handler() -> None:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(subparsers.choices) == [c.name for c in cli.COMMANDS]
    for command in cli.COMMANDS:
        assert subparsers.choices[command.name].get_default("_run") is command.run
