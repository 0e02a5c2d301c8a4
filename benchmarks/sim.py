"""Simulator throughput: delivered messages per second, and fuzz runs per second.

Standard scenario (issue #3): 5 acceptors, 2 proposers, 20 % loss, messages
delayed 1-3 time units, every proposer retrying on a random timeout until the
learner knows the value. Each seed is one run; we run many seeds and divide.

Wall-clock rates are what a reader gets; on a shared machine they fall with
the load, so the table also gives delivered messages per second of this
process's CPU time, and the header the load average (`uptime`'s) before and
after.

Run: ``.venv/bin/python benchmarks/sim.py`` (or ``make bench``).
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from paxos_notes.cli.fuzz import fuzz_run
from paxos_notes.cluster import Cluster
from paxos_notes.sim import Network, Simulation

RUNS = 300
REPEATS = 3


def scenario(seed: int, record: bool) -> Simulation:
    sim = Simulation(Cluster(acceptors=5, proposers=2), seed=seed,
                     network=Network(loss=0.2), record=record)
    return sim.run(until=10_000)


def measure(record: bool) -> tuple[float, float, float, int]:
    """Median over REPEATS of: delivered/s (wall), events/s (wall), delivered/s (CPU)."""
    rates, evs, cpu_rates = [], [], []
    delivered = 0
    for _ in range(REPEATS):
        start, cpu = time.perf_counter(), time.process_time()
        delivered = steps = 0
        for seed in range(RUNS):
            sim = scenario(seed, record)
            delivered += sim.counts.delivered
            steps += sim.steps
        dt = time.perf_counter() - start
        rates.append(delivered / dt)
        evs.append(steps / dt)
        cpu_rates.append(delivered / (time.process_time() - cpu))
    return statistics.median(rates), statistics.median(evs), statistics.median(cpu_rates), \
        delivered


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}; {load()}")
    print(f"scenario: 5 acceptors, 2 proposers, 20% loss, {RUNS} seeds, median of {REPEATS}")
    print()
    print(f"| {'trace recorded':14} | {'delivered msg/s':>15} | {'sim events/s':>12} | "
          f"{'msg/s of CPU':>12} | {'delivered':>9} |")
    print(f"|{'-' * 16}|{'-' * 17}|{'-' * 14}|{'-' * 14}|{'-' * 11}|")
    for record in (True, False):
        rate, evs, cpu, n = measure(record)
        print(f"| {'yes' if record else 'no':14} | {rate:15,.0f} | {evs:12,.0f} | {cpu:12,.0f} | "
              f"{n:9,} |")
    start = time.perf_counter()
    runs = 200
    for s in range(runs):
        fuzz_run(s)
    dt = time.perf_counter() - start
    print()
    print(f"fuzz (random schedules, invariants checked every step): {runs / dt:,.0f} runs/s")
    print(f"afterwards: {load()}")


if __name__ == "__main__":
    main()
