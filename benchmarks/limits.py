"""Peak memory and wall time at the package's own limits (issue 12).

Each row runs in a fresh Python process (this script again, with ``--row NAME``),
so "peak MB" is that work's own peak resident set size, interpreter included,
not the high-water mark of earlier rows. The rows:

- ``TracePlayer``: the largest trace ``simulate`` writes under the loader's
  64 MB limit (16 acceptors, 8 proposers, 8 learners), opened from its file in
  a `TracePlayer`, which then jumps to the last event, the middle and back to
  the end. Two shapes: every message lost (``--loss 1``: many short-lived
  messages) and slow delivery (``--delay 500 1000``: thousands in flight at
  once). Writing the traces is not measured.
- ``simulate`` at its step cap (``--max-steps``, default 1,000,000) without
  ``--trace``: the issue's ``--loss 1`` run, long enough (``--until 1e7``) to stop there
  (exit 3, STOPPED).
- ``kv --ops 100000 --seed 1 --faults all --json --quiet`` (70–80 s on the
  2-core development machine).
- ``check`` stopping at its default budget (exit 3, INCONCLUSIVE): the ``lamport``
  model with 7 acceptors, 4 values and ballots 0..5, and the ``agents`` model
  at its largest size (16 acceptors, 8 proposers, 4 values, numbers 0..7).

``--quick`` scales every row down (a 6 MB trace, 100,000 simulated steps,
10,000 kv operations, a 300,000-state check budget) and the table says so:
a smoke test of the script, not figures for the README. The machine's core
count and load average (at the start and at the end) are printed with the
table: figures from a loaded machine are not the README's.

Run ``python benchmarks/limits.py`` (``PYTHONPATH=.`` without installing).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRACE_SIZE = ["--seed", "1", "--acceptors", "16", "--proposers", "8", "--learners", "8"]
#: --until for the largest trace under 64 MB (63.1 MB lost, 61.9 MB delayed),
#: and for --quick (about 6 MB).
UNTIL, QUICK_UNTIL = "21800", "2000"
SHAPES = {"loss": ["--loss", "1"], "delay": ["--delay", "500", "1000"]}


def rows(quick: bool) -> list[tuple[str, list[str], str]]:
    """(name, command line of ``python -m paxos_notes`` or a TracePlayer row, note)."""
    q = " (--quick: scaled down)" if quick else ""
    out: list[tuple[str, list[str], str]] = []
    for shape in SHAPES:
        out.append((f"TracePlayer, {shape}", ["player", shape], "largest accepted trace" + q))
    sim = ["simulate", *TRACE_SIZE, "--loss", "1", "--until", "1e7"]
    out.append(("simulate at --max-steps", [*sim, *(["--max-steps", "100000"] if quick else [])],
                "no --trace; stops at the cap" + q))
    out.append(("kv --faults all", ["kv", "--ops", "10000" if quick else "100000", "--seed", "1",
                                   "--faults", "all", "--json", "--quiet"],
                "100,000 ops, the most it accepts" + q))
    small = ["--max-states", "300000"] if quick else []
    out.append(("check lamport 7/4/5", ["check", "--model", "lamport", "--acceptors", "7",
                                        "--values", "4", "--max-ballot", "5", "--json", *small],
                "stops at the default budget" + q))
    out.append(("check agents 16/8/4/7", ["check", "--model", "agents", "--acceptors", "16",
                                          "--proposers", "8", "--values", "4", "--max-ballot",
                                          "7", "--json", *small],
                "stops at the default budget" + q))
    return out


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_row(argv: list[str], traces: Path) -> dict:
    """The work of one row, in this (fresh) process; its figures as a dict."""
    start = time.perf_counter()
    if argv[0] == "player":
        from paxos_notes.widgets import TracePlayer

        path = traces / f"{argv[1]}.json"
        player = TracePlayer(path)
        last = player.last()
        for cursor in (last, last // 2, last):
            player.go(cursor)
        detail = f"{path.stat().st_size / 1e6:.1f} MB, {last:,} events"
        status = 0
    else:
        from paxos_notes.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = main(argv)
        detail = _detail(argv[0], out.getvalue())
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "status": status,
            "detail": detail}


def _detail(command: str, out: str) -> str:
    if command == "check":
        data = json.loads(out)
        return f"{data['distinct_states']:,} states, complete={data['complete']}"
    if command == "kv":
        data = json.loads(out)
        return f"{data['ops']:,} ops, linearizable={data['linearizable']}"
    last = [line for line in out.splitlines() if line.startswith("simulated:")]
    return last[0].removeprefix("simulated:").split("—")[0].strip() if last else ""


def write_traces(traces: Path, quick: bool) -> None:
    for shape, flags in SHAPES.items():
        path = traces / f"{shape}.json"
        subprocess.run([sys.executable, "-m", "paxos_notes", "simulate", *TRACE_SIZE, *flags,
                        "--until", QUICK_UNTIL if quick else UNTIL, "--trace", str(path)],
                       check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="scaled-down rows (a smoke test; not figures for the README)")
    parser.add_argument("--only", help="run only the rows whose name contains this")
    parser.add_argument("--row", help=argparse.SUPPRESS)  # a JSON list: one row's work
    parser.add_argument("--traces", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        print(json.dumps(run_row(json.loads(args.row), Path(args.traces))))
        return

    load_start = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start "
          f"{' '.join(f'{x:.2f}' for x in load_start)}")
    chosen = [r for r in rows(args.quick) if not args.only or args.only in r[0]]
    with tempfile.TemporaryDirectory() as tmp:
        traces = Path(tmp)
        if any(argv[0] == "player" for _, argv, _ in chosen):
            write_traces(traces, args.quick)
        print()
        print("| row | exit | peak MB | wall s | what it did | note |")
        print("|---|---:|---:|---:|---|---|")
        for name, argv, note in chosen:
            proc = subprocess.run([sys.executable, __file__, "--traces", str(traces),
                                   "--row", json.dumps(argv)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"| {name} | failed | | | {proc.stderr.strip().splitlines()[-1:]} | |")
                continue
            r = json.loads(proc.stdout)
            print(f"| {name} | {r['status']} | {r['peak_mb']:.0f} | {r['seconds']:.1f} | "
                  f"{r['detail']} | {note} |", flush=True)
    load_end = os.getloadavg()
    print(f"\nload average at end {' '.join(f'{x:.2f}' for x in load_end)} "
          f"(1, 5, 15 min; the rows run one after the other)")


if __name__ == "__main__":
    main()
