"""The ``fuzz`` command: many random fault schedules, safety checked after every step.

`fuzz_run` is one schedule (also used by ``benchmarks/sim.py``); `run_fuzz`
returns the exit status (0 no violation, 1 a violation or a run that leaves
Lamport's spec, 2 usage error), and ``--replay RUN_SEED`` re-runs the one
schedule a failure printed.

Every run is also validated against Lamport's ``Paxos.tla``
(`paxos_notes.checker.spec_trace`): each step must be one of the spec's
actions or a stutter. "spec-valid runs" counts the runs that are.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from ..checker.spec_trace import validate
from ..cluster import Cluster
from ..sim import Network, Simulation
from .common import Counter, usage_error
from .simulate import format_summary


def fuzz_schedule(run_seed: int) -> dict[str, Any]:
    """The random fault schedule of one fuzz run, drawn from its own seed."""
    r = random.Random(run_seed)
    lo = r.uniform(0.1, 2.0)
    return {
        "proposers": r.randint(1, 3),
        "acceptors": r.randint(3, 7),
        "loss": round(r.uniform(0.0, 0.5), 3),
        "duplication": round(r.uniform(0.0, 0.3), 3),
        "delay": (round(lo, 3), round(lo + r.uniform(0.0, 6.0), 3)),
        "crash_rate": round(r.choice([0.0, r.uniform(0.0, 0.1)]), 4),
        "partitions": r.randint(0, 2),
        "faults_until": 150.0,
        "seed": r.randrange(2**31),
    }


def fuzz_run(run_seed: int) -> tuple[Simulation, dict[str, Any]]:
    """One fuzz run: faults for a while (with partitions), then a calm network."""
    sch = fuzz_schedule(run_seed)
    cluster = Cluster(acceptors=sch["acceptors"], proposers=sch["proposers"])
    network = Network(loss=sch["loss"], duplication=sch["duplication"], delay=sch["delay"],
                      crash_rate=sch["crash_rate"], faults_until=sch["faults_until"])
    sim = Simulation(cluster, seed=sch["seed"], network=network)
    r = random.Random(sch["seed"] ^ 0x5EED)
    names = list(sim.agents)
    t = 0.0
    for _ in range(sch["partitions"]):
        t += r.uniform(5.0, 50.0)
        sim.run(until=t)
        r.shuffle(names)
        cut = r.randint(1, len(names) - 1)
        sim.partition(names[:cut], names[cut:])
        t += r.uniform(5.0, 40.0)
        sim.run(until=t)
        sim.heal()
    sim.run(until=2000.0)
    return sim, sch


def configure_fuzz(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs", type=int, default=200, help="number of random schedules (>= 1)")
    p.add_argument("--seed", type=int, required=True, help="seed for the schedules")
    p.add_argument("--replay", type=int, metavar="RUN_SEED",
                   help="re-run one schedule by the run seed a failure printed")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (with --replay: the schedule, the summary "
                        "and the events)")
    p.add_argument("--quiet", action="store_true", help="no progress counter")


def run_fuzz(args: argparse.Namespace) -> int:
    if args.replay is not None:
        sim, sch = fuzz_run(args.replay)
        verdict = validate(sim, rows=False)
        status = 0 if sim.history.safe and verdict.valid else 1
        if args.json:  # one object, like every other --json: the schedule, the
            # run's summary and its events (as in a --trace file)
            print(json.dumps({"run_seed": args.replay, "schedule": sch,
                              "summary": sim.summary(),
                              "spec_valid": verdict.valid,
                              "spec_departure": None if verdict.valid
                              else str(verdict.departure),
                              "events": [e.to_dict() for e in sim.trace]}, sort_keys=True))
            return status
        print(json.dumps(sch, sort_keys=True))
        for e in sim.trace:
            print(f"{e.time:9.3f}  {e.describe()}")
        print(format_summary(sim.summary()))
        print(f"Paxos.tla:  {verdict.verdict()}")
        return status
    if args.runs < 1:
        return usage_error(f"--runs must be >= 1, got {args.runs}")
    master = random.Random(args.seed)
    counter = Counter("fuzz", args.runs, quiet=args.quiet or args.json)
    start = time.perf_counter()
    steps = violations = undecided = spec_valid = 0
    failing: list[int] = []
    departures: list[dict[str, Any]] = []
    for i in range(args.runs):
        run_seed = master.randrange(2**32)
        sim, _ = fuzz_run(run_seed)
        steps += sim.steps
        if not sim.history.safe:
            violations += len(sim.history.violations)
            failing.append(run_seed)
        if not sim.history.chosen:
            undecided += 1
        verdict = validate(sim, rows=False)
        if verdict.valid:
            spec_valid += 1
        else:
            departures.append({"run_seed": run_seed, "departure": str(verdict.departure)})
        counter.update(f"{i + 1}/{args.runs} runs, {violations} violations, "
                       f"{spec_valid} spec-valid")
    counter.done()
    seconds = time.perf_counter() - start
    result = {
        "runs": args.runs, "seed": args.seed, "steps": steps, "violations": violations,
        "undecided_runs": undecided, "failing_seeds": failing,
        "spec_valid_runs": spec_valid, "spec_departures": departures,
        "seconds": round(seconds, 3),
        "runs_per_second": round(args.runs / seconds, 1) if seconds else None,
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"runs:            {args.runs} (seed {args.seed})")
        print(f"steps:           {steps}")
        print(f"violations:      {violations}")
        print(f"spec-valid runs: {spec_valid} of {args.runs} are behaviours of Paxos.tla")
        print(f"undecided:       {undecided} runs chose nothing by t=2000")
        print(f"speed:           {result['runs_per_second']} runs/s")
        for d in departures:
            print(f"leaves spec:     run {d['run_seed']}: {d['departure']}")
        for s in sorted(set(failing) | {d["run_seed"] for d in departures}):
            print(f"reproduce:    python -m paxos_notes fuzz --seed {args.seed} --replay {s}")
    return 1 if violations or departures else 0
