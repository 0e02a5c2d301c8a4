"""The ``check`` command: model-check every reachable state (beyond the paper).

``--model agents`` explores this project's own agent code
(`paxos_notes.checker.check_agents`, with ``--variant`` to break a rule);
``--model lamport`` explores Lamport's TLA+ spec
(`paxos_notes.checker.lamport_fast.check_lamport`). Exit status: 0 safe,
1 violation, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from .common import Counter, usage_error


def configure_check(p: argparse.ArgumentParser) -> None:
    from ..checker.variants import VARIANTS

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
                return usage_error("--variant, --proposers and --trace are for --model agents")
            from ..checker.lamport_fast import check_lamport

            result: Any = check_lamport(
                args.acceptors, args.values,
                2 if args.max_ballot is None else args.max_ballot,
                symmetry=args.symmetry, progress=progress, max_states=args.max_states)
            steps = list(result.counterexample)
        else:
            if args.symmetry:
                return usage_error("--symmetry is for --model lamport")
            from ..checker import check_agents

            result = check_agents(args.variant, acceptors=args.acceptors,
                                  proposers=args.proposers, values=args.values,
                                  max_ballot=args.max_ballot, progress=progress,
                                  max_states=args.max_states)
            steps = [s.text for s in result.counterexample]
    except ValueError as e:
        counter.done()
        return usage_error(str(e))
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
