"""Progress (§2.4): prepare attempts and time to a decision, by proposers and timer spread.

Notebook 06 runs a sized-down version of this sweep; this is the full one.
Scenario: 5 acceptors, 1 learner, the paper's rules plus nacks; messages
delayed uniformly in 1-3 time units, never lost; every process's election
timer fires after a time uniform in [3, 3 + spread] (`paxos_notes.election`).
Each seed is one run (`paxos_notes.progress.ElectionRun`), stopped at the first
chosen value or at time 500. "election: yes" is the multi-Paxos servers' rule
(campaign only after a whole timeout without hearing a leader); "no" is
everyone campaigning on every timeout unless it is in phase 2 (the duel).
Percentiles count a run that chose nothing as "never".

Run: ``.venv/bin/python benchmarks/progress.py [--seeds N]`` (default 200).
"""

from __future__ import annotations

import argparse
import math
import platform
import time

from paxos_notes.election import Timeouts
from paxos_notes.progress import Contest, Summary, measure, summarize

PROPOSERS = (2, 3, 4, 5)
SPREADS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
BASE = 3.0
UNTIL = 500.0


def cell(x: float, digits: int = 0) -> str:
    return "never" if math.isinf(x) else f"{x:.{digits}f}"


def row(elect: bool, proposers: int, spread: float, s: Summary) -> str:
    return (f"| {'yes' if elect else 'no':8} | {proposers:9} | {spread:6g} | "
            f"{s.decided:>4}/{s.runs:<4} | {cell(s.prepares_median):>5} | "
            f"{cell(s.prepares_p90):>5} | {cell(s.prepares_max):>5} | "
            f"{cell(s.time_median, 1):>6} | {cell(s.time_p90, 1):>6} | {s.safe:>4} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="runs per row (default 200)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"5 acceptors; delays 1-3; election timer uniform in [{BASE:g}, {BASE:g} + spread]; "
          f"{args.seeds} seeds per row; runs stop at the first choice or at t = {UNTIL:g}")
    print()
    print("| election | proposers | spread | decided   | phase-1 starts p50 | p90 | max | "
          "time p50 | p90 | safe |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    start = time.perf_counter()
    for elect in (True, False):
        for k in PROPOSERS:
            for spread in SPREADS:
                contest = Contest(k, 5, Timeouts(BASE, spread), elect=elect, until=UNTIL)
                print(row(elect, k, spread, summarize(measure(contest, range(args.seeds)))),
                      flush=True)
    print()
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
