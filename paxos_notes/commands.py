"""The ``simulate``, ``fuzz`` and ``check`` commands (see `paxos_notes.cli`).

Each command has a ``configure_*`` function that declares its arguments and a
``run_*`` function that returns the exit status. Bad values reach the library,
whose ``ValueError`` names the parameter; we print it as a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from .cluster import Cluster
from .sim import Network, Simulation

USAGE_ERROR = 2


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR


class Counter:
    """A progress counter on stderr: redrawn in place on a terminal, a line now
    and then otherwise (CI logs), nothing with ``quiet``."""

    def __init__(self, label: str, total: int | None = None, quiet: bool = False,
                 stream: TextIO | None = None) -> None:
        self.label, self.total, self.quiet = label, total, quiet
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        # Off a terminal, stay silent for short work: the first line after 5 s.
        self.last = 0.0 if self.tty else time.monotonic()

    def update(self, text: str, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        if self.tty:
            self.stream.write(f"\r{self.label}: {text}\x1b[K")
        else:
            self.stream.write(f"{self.label}: {text}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()


# -- simulate -------------------------------------------------------------------


def configure_simulate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--acceptors", type=int, default=5, help="number of acceptors (1-16)")
    p.add_argument("--proposers", type=int, default=2, help="number of proposers (1-8)")
    p.add_argument("--learners", type=int, default=1, help="number of learners (1-8)")
    p.add_argument("--seed", type=int, required=True, help="seed for every random choice")
    p.add_argument("--loss", type=float, default=0.0, help="probability a message is lost (0-1)")
    p.add_argument("--dup", type=float, default=0.0,
                   help="probability a message is duplicated (0-1)")
    p.add_argument("--delay", type=float, nargs=2, default=(1.0, 3.0), metavar=("LOW", "HIGH"),
                   help="message delay range (uniform); different delays reorder messages")
    p.add_argument("--crash-rate", type=float, default=0.0,
                   help="expected crashes per unit of time, whole cluster (>= 0)")
    p.add_argument("--faults-until", type=float, default=math.inf,
                   help="no loss, duplication or crash after this time")
    p.add_argument("--until", type=float, default=1000.0, help="stop at this simulated time")
    p.add_argument("--leader", default=None, help="only this proposer proposes (e.g. p1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace", metavar="FILE", help="save the trace as JSON to FILE")


def run_simulate(args: argparse.Namespace) -> int:
    try:
        cluster = Cluster(acceptors=args.acceptors, proposers=args.proposers,
                          learners=args.learners)
        network = Network(loss=args.loss, duplication=args.dup, delay=tuple(args.delay),
                          crash_rate=args.crash_rate, faults_until=args.faults_until)
        sim = Simulation(cluster, seed=args.seed, network=network, leader=args.leader)
        sim.run(until=args.until)
    except ValueError as e:
        return _usage_error(str(e))
    summary = sim.summary()
    if args.trace:
        sim.trace.save(args.trace)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(format_summary(summary))
    return 0 if summary["safe"] else 1


def format_summary(s: dict[str, Any]) -> str:
    values = sorted(set(s["chosen"]))
    chosen = ", ".join(repr(v) for v in values) or "nothing"
    when = f" at t={s['chosen_at']:.2f}" if s["chosen_at"] is not None else ""
    if s["chosen_proposals"]:
        n = len(s["chosen_proposals"])
        when += (f" (first by proposal {s['chosen_proposals'][0]}"
                 + (f"; {n - 1} later proposals carried the same value)" if n > 1 else ")"))
    learned = ", ".join(f"{k}: {v!r}" if v else f"{k}: nothing" for k, v in s["learned"].items())
    lines = [
        f"chosen:     {chosen}{when}",
        f"learned:    {learned}",
        f"messages:   {s['sent']} sent, {s['delivered']} delivered, {s['dropped']} dropped, "
        f"{s['duplicated']} duplicated",
        f"simulated:  {s['steps']} steps, until t={s['time']:.2f}",
        "safety:     " + ("all three requirements of §2.1 hold" if s["safe"] else "VIOLATED"),
    ]
    lines += [f"  - {v}" for v in s["violations"]]
    return "\n".join(lines)


# -- fuzz -----------------------------------------------------------------------


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
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress counter")


def run_fuzz(args: argparse.Namespace) -> int:
    if args.replay is not None:
        sim, sch = fuzz_run(args.replay)
        print(json.dumps(sch, sort_keys=True))
        for e in sim.trace:
            print(f"{e.time:9.3f}  {e.describe()}")
        print(format_summary(sim.summary()))
        return 0 if sim.history.safe else 1
    if args.runs < 1:
        return _usage_error(f"--runs must be >= 1, got {args.runs}")
    master = random.Random(args.seed)
    counter = Counter("fuzz", args.runs, quiet=args.quiet or args.json)
    start = time.perf_counter()
    steps = violations = undecided = 0
    failing: list[int] = []
    for i in range(args.runs):
        run_seed = master.randrange(2**32)
        sim, _ = fuzz_run(run_seed)
        steps += sim.steps
        if not sim.history.safe:
            violations += len(sim.history.violations)
            failing.append(run_seed)
        if not sim.history.chosen:
            undecided += 1
        counter.update(f"{i + 1}/{args.runs} runs, {violations} violations")
    counter.done()
    seconds = time.perf_counter() - start
    result = {
        "runs": args.runs, "seed": args.seed, "steps": steps, "violations": violations,
        "undecided_runs": undecided, "failing_seeds": failing,
        "seconds": round(seconds, 3),
        "runs_per_second": round(args.runs / seconds, 1) if seconds else None,
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"runs:         {args.runs} (seed {args.seed})")
        print(f"steps:        {steps}")
        print(f"violations:   {violations}")
        print(f"undecided:    {undecided} runs chose nothing by t=2000")
        print(f"speed:        {result['runs_per_second']} runs/s")
        for s in failing:
            print(f"reproduce:    python -m paxos_notes fuzz --seed {args.seed} --replay {s}")
    return 1 if violations else 0


# -- check ----------------------------------------------------------------------


def configure_check(p: argparse.ArgumentParser) -> None:
    from .checker.variants import VARIANTS

    p.add_argument("--model", choices=("lamport", "agents"), default="agents",
                   help="lamport: the TLA+ spec's state space; agents: this project's code")
    p.add_argument("--acceptors", type=int, default=3)
    p.add_argument("--values", type=int, default=2)
    p.add_argument("--max-ballot", type=int, default=None,
                   help="highest ballot / proposal number explored")
    p.add_argument("--proposers", type=int, default=None, help="agents model only")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="paper",
                   help="agents model only: which rule to break")
    p.add_argument("--symmetry", action="store_true", help="lamport model only")
    p.add_argument("--max-states", type=int, default=None, help="stop after this many states")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace", metavar="FILE",
                   help="agents model: save the counterexample, replayed, as a trace")
    p.add_argument("--quiet", action="store_true", help="no progress counter")


def run_check(args: argparse.Namespace) -> int:
    counter = Counter("check", quiet=args.quiet or args.json)

    def progress(states: int, depth: int, queue: int, elapsed: float) -> None:
        rate = states / elapsed if elapsed else 0.0
        counter.update(f"{states:,} states, depth {depth}, queue {queue:,}, {rate:,.0f} states/s")

    try:
        if args.model == "lamport":
            if args.variant != "paper" or args.proposers is not None or args.trace:
                return _usage_error("--variant, --proposers and --trace are for --model agents")
            from .checker.lamport_fast import check_lamport

            result: Any = check_lamport(
                args.acceptors, args.values,
                2 if args.max_ballot is None else args.max_ballot,
                symmetry=args.symmetry, progress=progress, max_states=args.max_states)
            steps = list(result.counterexample)
        else:
            if args.symmetry:
                return _usage_error("--symmetry is for --model lamport")
            from .checker import check_agents

            result = check_agents(args.variant, acceptors=args.acceptors,
                                  proposers=args.proposers, values=args.values,
                                  max_ballot=args.max_ballot, progress=progress,
                                  max_states=args.max_states)
            steps = [s.text for s in result.counterexample]
    except ValueError as e:
        counter.done()
        return _usage_error(str(e))
    counter.done()
    data = result.to_json()
    if args.trace and args.model == "agents" and not result.safe:
        result.trace().save(args.trace)
    if args.json:
        print(json.dumps(data, sort_keys=True))
    else:
        _print_check(args, data, steps, print)
    return 1 if data["violation"] else 0


def _print_check(args: argparse.Namespace, d: dict[str, Any], steps: list[str],
                 out: Callable[[str], None]) -> None:
    secs = d["seconds"] or 1e-9
    out(f"model:            {args.model}" + (f" (variant {args.variant})"
                                              if args.model == "agents" else ""))
    out(f"distinct states:  {d['distinct_states']:,}")
    out(f"states generated: {d['states_generated']:,}")
    out(f"depth:            {d['depth']}")
    out(f"time:             {d['seconds']:.2f} s ({d['distinct_states'] / secs:,.0f} states/s)")
    out(f"peak memory:      {d['peak_memory_mb']:.0f} MB")
    if not d["violation"]:
        complete = d.get("complete", True)
        out("verdict:          no violation" + ("" if complete else
                                                 " (search stopped at --max-states)"))
        return
    rule = d.get("rule") or "only a single value is chosen"
    out(f"verdict:          VIOLATION — {rule}")
    out(f"counterexample ({len(steps)} steps, shortest):")
    for i, text in enumerate(steps, 1):
        out(f"  {i:2}. {text}")
