"""How the ``lamport`` model checker scales: acceptors x ballots, with and without symmetry.

Each configuration (2 values throughout, like ``MCPaxos``) runs in a fresh Python
process, so "peak MB" is that search's own peak resident set size (the whole
process: interpreter included), not the high-water mark of earlier runs. A run
that would take longer than the budget (60 s by default) is stopped there and
its row says so, with the states it had seen. "CPU s" is the process's CPU time:
on a shared machine it is the fairer measure of the work, "wall s" of the wait.

The last row is the readable reference implementation (``check_lamport_naive``:
tuples and frozensets of message tuples, actions written as in the spec) on the
issue's configuration, 3 acceptors, 2 values, ballots 0..2, for comparison.

Run ``python benchmarks/lamport.py`` (without installing the package:
``PYTHONPATH=. python benchmarks/lamport.py``); ``--budget 10`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.checker.lamport_spec import check_lamport_naive

VALUES = 2


def run_one(acceptors: int, max_ballot: int, symmetry: bool, naive: bool, budget: float) -> dict:
    """One search in this process; returns its result plus CPU time, as a dict."""
    cpu = time.process_time()
    if naive:
        result = check_lamport_naive(acceptors, VALUES, max_ballot, symmetry=symmetry)
    else:
        result = check_lamport(acceptors, VALUES, max_ballot, symmetry=symmetry, max_seconds=budget)
    data = result.to_json()
    data["cpu_seconds"] = time.process_time() - cpu
    return data


def run_in_child(
    acceptors: int, max_ballot: int, symmetry: bool, naive: bool, budget: float
) -> dict:
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        json.dumps([acceptors, max_ballot, symmetry, naive, budget]),
    ]
    # The child must import the same package as this process does.
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def row(label: str, data: dict) -> str:
    seconds = data["seconds"]
    rate = data["distinct_states"] / seconds if seconds else float("inf")
    note = "" if data["complete"] else f"stopped at {seconds:.0f} s: incomplete, depth so far"
    return (
        f"| {label} | {data['distinct_states']:,} | {data['states_generated']:,} "
        f"| {data['depth']} | {seconds:.2f} | {data['cpu_seconds']:.2f} | {rate:,.0f} "
        f"| {data['peak_memory_mb']:.0f} | {note} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per configuration")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        acceptors, max_ballot, symmetry, naive, budget = json.loads(args.child)
        print(json.dumps(run_one(acceptors, max_ballot, symmetry, naive, budget)))
        return

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{VALUES} values, quorums = bare majorities, budget {args.budget:.0f} s per run\n")
    print(
        "| config | distinct states | states generated | depth | wall s | CPU s "
        "| distinct/s | peak MB | note |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for acceptors in (3, 4, 5):
        for max_ballot in (1, 2, 3):
            for symmetry in (False, True):
                label = f"{acceptors} acc, ballots 0..{max_ballot}" + (", sym" if symmetry else "")
                data = run_in_child(acceptors, max_ballot, symmetry, False, args.budget)
                print(row(label, data), flush=True)
    data = run_in_child(3, 2, False, True, args.budget)
    print(row("naive: 3 acc, ballots 0..2", data), flush=True)


if __name__ == "__main__":
    main()
