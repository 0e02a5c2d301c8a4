"""Command line for the companion: ``python -m paxos_notes <command> ...``.

Serves the whole companion (not one section of the paper): it is how benchmarks,
CI and curious readers reach the package without opening a notebook.

Every command is implemented in this package, one module each: `simulate`,
`fuzz`, `check`, `kv` (``sections`` is a few lines, below), with what they share
(usage errors, the progress counter) in `common`. Each module has a
``configure_<name>`` function that declares the arguments and a
``run_<name>`` function that returns the exit status.

Adding a subcommand takes one module and one entry in ``COMMANDS``: a name, a
one-line help, and the module's name. ``import paxos_notes.cli`` loads none of
the command modules; building the parser loads them, and they import only the
light core at the top (the model checker and anything heavier are imported
inside the function that needs them), so that ``--help`` (and every other
command) does not pay for matplotlib, networkx or the model checker unless it
uses them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TextIO

from paxos_notes import __version__

PROG = "python -m paxos_notes"


@dataclass(frozen=True)
class Command:
    """One subcommand: how to declare its arguments and how to run it."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- sections -----------------------------------------------------------------


def _configure_sections(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the sections as a JSON list instead of a text table",
    )


def _run_sections(args: argparse.Namespace) -> int:
    import json

    from paxos_notes import paper

    if args.json:
        print(json.dumps(paper.section_records(), indent=2, ensure_ascii=False))
    else:
        print(paper.section_table().to_text())
    return 0


# --- simulate, fuzz, check, kv (one module each in this package) -------------------


def _lazy(module: str) -> tuple[Callable[[argparse.ArgumentParser], None],
                                 Callable[[argparse.Namespace], int]]:
    """``configure_<module>`` and ``run_<module>`` of ``paxos_notes.cli.<module>``,
    imported on first use."""

    def load() -> ModuleType:
        return importlib.import_module(f"{__name__}.{module}")

    def configure(parser: argparse.ArgumentParser) -> None:
        getattr(load(), f"configure_{module}")(parser)

    def run(args: argparse.Namespace) -> int:
        return getattr(load(), f"run_{module}")(args)

    return configure, run


# --- the registry ---------------------------------------------------------------

COMMANDS: tuple[Command, ...] = (
    Command(
        "sections",
        "print the paper's sections and the notebooks that read them",
        _configure_sections,
        _run_sections,
    ),
    Command(
        "simulate",
        "run the consensus algorithm on a seeded, faulty simulated network",
        *_lazy("simulate"),
    ),
    Command(
        "fuzz",
        "run many random fault schedules and check the safety requirements after every step",
        *_lazy("fuzz"),
    ),
    Command(
        "kv",
        "run the replicated key-value store (§3) under faults; check linearizability and "
        "lost writes",
        *_lazy("kv"),
    ),
    Command(
        "check",
        "model-check every reachable state (exit 0 safe, 1 violation, 2 usage error, "
        "3 inconclusive: stopped at --max-states)",
        *_lazy("check"),
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per entry of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "An executable reading companion for Leslie Lamport's "
            "'Paxos Made Simple'. The notebooks are in notebooks/; "
            "these commands reach the same code from a shell."
        ),
        epilog=("exit status: 0 every check held, 1 a check failed (a violation), "
                "2 usage error (a bad flag, or a --trace file that cannot be written), "
                "3 inconclusive (stopped at --max-states or --max-steps)"),
    )
    parser.add_argument("--version", action="version", version=f"paxos-notes {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sp = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sp)
        sp.set_defaults(_run=command.run)
    return parser


class _ReaderGone:
    """``sys.stdout`` while a command runs: once the reader has closed the pipe
    (``check ... | head -3``), the rest of the output is discarded instead of
    raising, so the command finishes and its exit status (1 for a violation)
    is the one the shell sees."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._discard()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._discard()

    def _discard(self) -> None:
        self.gone = True
        # What is still buffered, and the final flush at exit, go nowhere quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the command, return its status.

    Usage errors print argparse's message on stderr and return 2; ``--help`` and
    ``--version`` return 0. A reader that stops early (``| head``) is not an
    error and does not change the status: the command's own status is returned.
    Nothing here calls ``sys.exit``: ``__main__`` does.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and bad input
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    stdout = sys.stdout
    guarded = _ReaderGone(stdout)
    sys.stdout = guarded  # type: ignore[assignment]
    try:
        status = int(args._run(args))
        guarded.flush()  # a pipe closed early shows up here at the latest
        return status
    finally:
        sys.stdout = stdout
