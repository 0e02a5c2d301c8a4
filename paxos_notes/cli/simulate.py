"""The ``simulate`` command: one seeded run of single-decree Paxos on a faulty network (§2).

`configure_simulate` declares the arguments, `run_simulate` returns the exit
status (0 safe, 1 a safety requirement of §2.1 broken — or, with
``--validate``, a step that is not a step of Lamport's ``Paxos.tla`` — 2 usage
error, 3 the run stopped at ``--max-steps`` before ``--until``: safe as far as
it went, but cut short). A ``--trace`` path that cannot be written (a missing
folder, a directory, ``/proc``, an empty name) is a usage error before the
run. A trace larger than the trace loader accepts
(`paxos_notes.trace.MAX_FILE_BYTES`, 64 MB) is not written, nor one whose
write fails (a full disk): the summary is printed and the status is 2, with
a one-line error naming ``--trace``.

``--validate`` checks the run against ``Paxos.tla`` step by step
(`paxos_notes.checker.spec_trace`) and prints the verdict, or the first step
that leaves the spec. Validation reads the trace, so it records events.

Without ``--trace`` or ``--validate`` the run records no events: the summary
needs only the counts and the safety monitor's history, so memory does not
grow with the number of steps.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from ..checker.spec_trace import validate
from ..cluster import MAX_LEARNERS, Cluster
from ..sim import Network, Simulation
from ..trace import MAX_FILE_BYTES
from .common import INCOMPLETE, flag_error, save_trace, unwritable, usage_error

MAX_STEPS = 1_000_000  # the default --max-steps
MAX_STEPS_LIMIT = 10**9
#: The library's parameter -> the flag that sets it (for error messages).
FLAGS = {"acceptors": "--acceptors", "proposers": "--proposers", "learners": "--learners",
         "loss": "--loss", "duplication": "--dup", "delay": "--delay",
         "crash_rate": "--crash-rate", "faults_until": "--faults-until", "until": "--until",
         "max_steps": "--max-steps", "leader": "--leader", "seed": "--seed"}


def configure_simulate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--acceptors", type=int, default=5, help="number of acceptors (1-16)")
    p.add_argument("--proposers", type=int, default=2, help="number of proposers (1-8)")
    p.add_argument("--learners", type=int, default=1, help=f"number of learners (1-{MAX_LEARNERS})")
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
    p.add_argument("--max-steps", type=int, default=MAX_STEPS,
                   help=f"stop after this many steps even before --until (1-{MAX_STEPS_LIMIT:,}, "
                        f"default {MAX_STEPS:,}); a run stopped there says so and exits 3")
    p.add_argument("--leader", default=None, help="only this proposer proposes (e.g. p1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--validate", action="store_true",
                   help="check every step against Lamport's Paxos.tla (exit 1 if one leaves it)")
    p.add_argument("--trace", metavar="FILE",
                   help="save the trace as JSON to FILE (checked before the run); a trace "
                        f"over the loader's {MAX_FILE_BYTES // 2**20} MB limit is not written "
                        "(exit 2), nor one whose write fails (a full disk)")


def run_simulate(args: argparse.Namespace) -> int:
    if not 1 <= args.max_steps <= MAX_STEPS_LIMIT:
        return usage_error(f"--max-steps must be in 1..{MAX_STEPS_LIMIT}, got {args.max_steps}")
    bad_path = None if args.trace is None else unwritable("--trace", args.trace)
    if bad_path:
        return usage_error(bad_path)
    try:
        cluster = Cluster(acceptors=args.acceptors, proposers=args.proposers,
                          learners=args.learners)
        network = Network(loss=args.loss, duplication=args.dup, delay=tuple(args.delay),
                          crash_rate=args.crash_rate, faults_until=args.faults_until)
        # Events are kept only for --trace: the summary reads counts and the monitor.
        sim = Simulation(cluster, seed=args.seed, network=network, leader=args.leader,
                         record=args.trace is not None or args.validate)
        sim.run(until=args.until, max_steps=args.max_steps)
    except ValueError as e:
        return flag_error(e, FLAGS)
    summary = sim.summary()
    summary["max_steps"] = args.max_steps
    summary["stopped_at_max_steps"] = sim.stopped_at_max_steps
    spec_valid = True
    if args.validate:
        verdict = validate(sim, rows=False)
        spec_valid = verdict.valid
        summary["spec_valid"] = verdict.valid
        summary["spec_steps"] = verdict.steps
        summary["spec_departure"] = None if verdict.valid else str(verdict.departure)
    not_saved = None if args.trace is None else save_trace(
        sim.trace, "--trace", args.trace, "; shorten the run (--until, --max-steps)")
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(format_summary(summary))
    if not_saved:  # after the summary: the run is not lost
        return usage_error(not_saved)
    if not summary["safe"] or not spec_valid:
        return 1
    return INCOMPLETE if sim.stopped_at_max_steps else 0


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
        f"simulated:  {s['steps']} steps, until t={s['time']:.2f}"
        + (" — STOPPED at --max-steps, before --until: the rest of the run was not simulated"
           if s.get("stopped_at_max_steps") else ""),
        "safety:     " + ("all three requirements of §2.1 hold" if s["safe"] else "VIOLATED")
        + (" in the steps simulated" if s.get("stopped_at_max_steps") else ""),
    ]
    lines += [f"  - {v}" for v in s["violations"]]
    if "spec_valid" in s:
        lines.append("Paxos.tla:  " + (
            f"every step ({s['spec_steps']} that did something) is one of its actions or "
            f"a stutter"
            if s["spec_valid"] else f"LEAVES THE SPEC at {s['spec_departure']}"))
    return "\n".join(lines)
