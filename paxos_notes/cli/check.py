"""The ``check`` command: model-check every reachable state (beyond the paper).

``--model agents`` explores this project's own agent code
(`paxos_notes.checker.check_agents`, with ``--variant`` to break a rule);
``--model lamport`` explores Lamport's TLA+ spec
(`paxos_notes.checker.lamport_fast.check_lamport`). Exit status: 0 safe,
1 violation, 2 usage error (a ``--trace`` that cannot be written is one,
found before the search; a write that fails at the end is reported after the
verdict), 3 inconclusive: the search stopped at
``--max-states`` before it had seen every state, and found no violation in
what it saw (``"complete": false`` in ``--json``).

``--model livelock`` looks for a run that never chooses (§2.4,
`paxos_notes.checker.livelock`): a duel of proposers, as a lasso found with
proposal numbers renamed by their order, or with ``--max-ballot N`` a
schedule that uses every number up to N and chooses nothing. ``--leader``
lets only one proposer propose. Exit status: 1 when such a run exists (the
lasso or the schedule is printed), 0 when every run chooses a value, 2 usage
error, 3 inconclusive (stopped at ``--max-states`` before deciding).

Every search is bounded (`paxos_notes.checker.budget`): ``--max-states`` has a
default per model (3,000,000 lamport, 1,000,000 agents and livelock: about
600 MB at the largest sizes), and ``--max-memory`` (default 800 MB of resident
memory) stops a search whose states are bigger than measured; both stops are
INCONCLUSIVE (exit 3). When a space is known to be bigger than the budget, a
note on stderr says so before the search starts, with how that is known.
Ctrl-C stops a search cleanly: the figures so far, INCONCLUSIVE, exit 130.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ..checker.budget import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_STATES, rss_mb
from .common import (
    INCOMPLETE,
    INTERRUPTED,
    Counter,
    flag_error,
    save_trace,
    unwritable,
    usage_error,
)

#: The library's parameter -> the flag that sets it (for error messages).
FLAGS = {"acceptors": "--acceptors", "values": "--values", "max_ballot": "--max-ballot",
         "proposers": "--proposers", "max_states": "--max-states", "leader": "--leader",
         "may_propose": "--leader", "variant": "--variant"}


class _OverMemory(Exception):
    """Raised from the progress callback: the process passed ``--max-memory``."""


class _Seen:
    """The figures of the last progress report: what an interrupted search says."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.states = self.depth = 0
        self.seconds = 0.0

    def report(self, args: argparse.Namespace, why: str) -> None:
        """Print what a search stopped by ``why`` had seen (text or ``--json``)."""
        data = {"model": self.model, "complete": False, "violation": False, "stopped": why,
                "distinct_states": self.states, "depth": self.depth,
                "seconds": round(self.seconds, 3), "peak_memory_mb": round(rss_mb(), 1)}
        if args.json:
            print(json.dumps(data, sort_keys=True), flush=True)
            return
        limit = ("Ctrl-C" if why == "interrupted" else
                 f"--max-memory {args.max_memory} MB")
        print(f"model:            {self.model}")
        print(f"distinct states:  at least {self.states:,} (the last progress report)")
        print(f"depth:            {self.depth}")
        print(f"time:             {self.seconds:.2f} s")
        print(f"verdict:          INCONCLUSIVE — the search stopped at {limit} after "
              f"{self.states:,} states; no violation among them, the rest unexplored",
              flush=True)


def configure_check(p: argparse.ArgumentParser) -> None:
    from ..checker.variants import VARIANTS

    p.add_argument("--model", choices=("lamport", "agents", "livelock"), default="agents",
                   help="lamport: the TLA+ spec's state space; agents: this project's code; "
                        "livelock: a run of this project's code that never chooses (§2.4)")
    p.add_argument("--acceptors", type=int, default=3)
    p.add_argument("--values", type=int, default=2)
    p.add_argument("--max-ballot", type=int, default=None,
                   help="highest ballot / proposal number explored")
    p.add_argument("--proposers", type=int, default=None, help="agents and livelock models")
    p.add_argument("--leader", default=None,
                   help="livelock model only: only this proposer proposes (e.g. p1)")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="paper",
                   help="agents model only: which rule to break")
    p.add_argument("--symmetry", action="store_true", help="lamport model only")
    _configure_lamport_checks(p)
    p.add_argument("--max-states", type=int, default=None,
                   help="stop after this many states (default: "
                        + ", ".join(f"{k} {v:,}" for k, v in DEFAULT_MAX_STATES.items())
                        + ", about 600 MB); a search stopped before it saw every "
                        "state and found no violation is INCONCLUSIVE (exit 3)")
    p.add_argument("--max-memory", type=int, default=DEFAULT_MAX_MEMORY_MB, metavar="MB",
                   help=f"stop when the process holds this much memory (default "
                        f"{DEFAULT_MAX_MEMORY_MB}; checked every few thousand states): "
                        f"INCONCLUSIVE (exit 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace", metavar="FILE",
                   help="agents and livelock models: save the counterexample, replayed, as a "
                        "trace (the path is checked before the search; exit 2 if it cannot "
                        "be written)")
    p.add_argument("--quiet", action="store_true", help="no progress counter")


def run_check(args: argparse.Namespace) -> int:
    if args.max_states is not None and args.max_states < 1:
        return usage_error(f"--max-states must be >= 1, got {args.max_states}")
    if args.max_memory < 1:
        return usage_error(f"--max-memory must be >= 1 (MB), got {args.max_memory}")
    bad_path = None if args.trace is None else unwritable("--trace", args.trace)
    if bad_path:  # before the search, which may take minutes
        return usage_error(bad_path)
    counter = Counter("check", quiet=args.quiet or args.json)
    seen = _Seen(args.model)

    def progress(states: int, depth: int, queue: int, elapsed: float) -> None:
        seen.states, seen.depth, seen.seconds = states, depth, elapsed
        rate = states / elapsed if elapsed else 0.0
        counter.update(f"{states:,} states, depth {depth}, queue {queue:,}, {rate:,.0f} states/s")
        if rss_mb() > args.max_memory:
            raise _OverMemory

    budget = args.max_states
    args.max_states = DEFAULT_MAX_STATES[args.model] if budget is None else budget
    try:
        return _search(args, counter, progress)
    except KeyboardInterrupt:
        counter.done()
        seen.report(args, "interrupted")
        return INTERRUPTED
    except _OverMemory:
        counter.done()
        seen.report(args, "max_memory")
        return INCOMPLETE


def _estimate(args: argparse.Namespace) -> None:
    """Say on stderr, before searching, when the space is known to exceed the budget."""
    from ..checker import budget

    # Not with --quiet, nor for a mutated spec (the bounds are the paper's spec's).
    if args.quiet or args.mutation is not None:
        return
    if args.model == "lamport":
        from ..checker.lamport_spec import validate

        max_ballot = 2 if args.max_ballot is None else args.max_ballot
        validate(args.acceptors, args.values, max_ballot, None)  # before 2 ** (a * b)
        at_least, why = budget.lamport_lower_bound(args.acceptors, args.values, max_ballot,
                                                   args.symmetry)
    else:
        at_least, why = budget.agents_lower_bound(args.variant, args.acceptors,
                                                  args.proposers, args.values, args.max_ballot)
    if at_least > args.max_states:
        print(f"check: this space has at least {at_least:,} states ({why}); the search "
              f"stops at --max-states {args.max_states:,}, so expect INCONCLUSIVE (a larger "
              f"--max-states goes further, at a few hundred bytes a state)",
              file=sys.stderr, flush=True)


def _search(args: argparse.Namespace, counter: Counter,
            progress: Callable[[int, int, int, float], None]) -> int:
    if args.model != "lamport" and (args.invariants or args.mutation):
        return usage_error("--invariants and --mutation are for --model lamport")
    if args.model == "livelock":
        return _run_livelock(args, progress)
    if args.leader is not None:
        return usage_error("--leader is for --model livelock")
    try:
        if args.model == "lamport":
            if args.variant != "paper" or args.proposers is not None or args.trace:
                return usage_error("--variant, --proposers and --trace are for --model agents")
            from ..checker.lamport_fast import check_lamport

            _estimate(args)
            result: Any = check_lamport(
                args.acceptors, args.values,
                2 if args.max_ballot is None else args.max_ballot,
                symmetry=args.symmetry, progress=progress, max_states=args.max_states,
                **_lamport_checks(args))
            steps = list(result.counterexample)
        else:
            if args.symmetry:
                return usage_error("--symmetry is for --model lamport")
            from ..checker import check_agents

            _estimate(args)
            result = check_agents(args.variant, acceptors=args.acceptors,
                                  proposers=args.proposers, values=args.values,
                                  max_ballot=args.max_ballot, progress=progress,
                                  max_states=args.max_states)
            steps = [s.text for s in result.counterexample]
    except ValueError as e:
        counter.done()
        return flag_error(e, FLAGS)
    counter.done()
    data = result.to_json()
    not_saved = None
    if args.trace and args.model == "agents" and not result.safe:
        not_saved = save_trace(result.trace(), "--trace", args.trace)
    if args.json:
        print(json.dumps(data, sort_keys=True))
    else:
        _print_check(args, data, steps, print)
    if not_saved:  # after the verdict, which is not lost
        return usage_error(not_saved)
    if data["violation"]:
        return 1
    return 0 if data["complete"] else INCOMPLETE


def _print_check(args: argparse.Namespace, d: dict[str, Any], steps: list[str],
                 out: Callable[[str], None]) -> None:
    secs = d["seconds"] or 1e-9
    out(f"model:            {args.model}" + (f" (variant {args.variant})"
                                              if args.model == "agents" else ""))
    out(f"distinct states:  {d['distinct_states']:,}")
    out(f"states generated: {d['states_generated']:,}")
    out(f"depth:            {d['depth']}")
    # A rate over less than a hundredth of a second is noise, not a speed.
    rate = f" ({d['distinct_states'] / secs:,.0f} states/s)" if d["seconds"] >= 0.01 else ""
    out(f"time:             {d['seconds']:.2f} s{rate}")
    out(f"peak memory:      {d['peak_memory_mb']:.0f} MB")
    if "invariants" in d:
        out(f"checked:          {', '.join(d['invariants'])}"
            + ("" if d["spec"] == "Paxos" else f" (on the mutation {d['spec']})"))
    if not d["violation"]:
        if d["complete"]:
            out("verdict:          no violation")
        else:
            out(f"verdict:          INCONCLUSIVE — the search stopped at --max-states after "
                f"{d['distinct_states']:,} states; no violation among them, the rest "
                f"unexplored")
        return
    rule = d.get("rule") or _lamport_rule(d) or "only a single value is chosen"
    out(f"verdict:          VIOLATION — {rule}")
    out(f"counterexample ({len(steps)} steps, shortest):")
    for i, text in enumerate(steps, 1):
        out(f"  {i:2}. {text}")
    if d.get("behaviour"):
        out("behaviour, in the spec's variables:")
        for line in d["behaviour"]:
            out(f"  {line}")


# -- the lamport model's checks (TypeOK, Inv, refinement of Voting) --------------


def _configure_lamport_checks(p: argparse.ArgumentParser) -> None:
    from ..checker.lamport_mutations import HARMLESS, MUTATIONS

    p.add_argument("--invariants", choices=("all", "safety"), default=None,
                   help="lamport model: 'all' (default) checks Paxos.tla's TypeOK and Inv in "
                        "every state and every step a step of Voting, and at most one value "
                        "chosen; 'safety' only the last")
    p.add_argument("--mutation", choices=sorted(MUTATIONS | HARMLESS), default=None,
                   help="lamport model: explore Paxos.tla with one conjunct of one action changed")


def _lamport_checks(args: argparse.Namespace) -> dict[str, Any]:
    from ..checker.lamport_mutations import HARMLESS, MUTATIONS

    checks: dict[str, Any] = {"invariants": args.invariants or "all"}
    if args.mutation is not None:
        checks["spec"] = (MUTATIONS | HARMLESS)[args.mutation]
    return checks


def _lamport_rule(d: dict[str, Any]) -> str | None:
    violated = d.get("violated")
    if violated is None or violated == "AtMostOneChosen":
        return None
    if violated == "V!Next":
        return f"a step that is no step of Voting: {d['violation_detail']}"
    kind = "TypeOK" if violated.startswith("TypeOK") else "Inv"
    return f"{kind} conjunct {violated}"


def _run_livelock(args: argparse.Namespace,
                  progress: Callable[[int, int, int, float], None]) -> int:
    if args.variant != "paper" or args.symmetry:
        return usage_error("--variant and --symmetry are not for --model livelock")
    from ..checker.livelock import find_bounded_duel, find_duel

    proposers = 2 if args.proposers is None else args.proposers
    result: Any
    try:
        if args.max_ballot is not None:
            if args.leader is not None:
                return usage_error("--leader and --max-ballot do not go together "
                                   "(one proposer chooses a value whatever the bound)")
            result = find_bounded_duel(args.max_ballot, args.acceptors, proposers)
            found = bool(result.schedule)
        else:
            result = find_duel(args.acceptors, proposers,
                               None if args.leader is None else (args.leader,),
                               max_states=args.max_states, progress=progress)
            found = result.found
    except ValueError as e:
        return flag_error(e, FLAGS)
    not_saved = None
    if args.trace and found:
        run = result.replay() if args.max_ballot is not None else result.replay(3)
        not_saved = save_trace(run.trace, "--trace", args.trace)
    if args.json:
        print(json.dumps(result.to_json(), sort_keys=True))
    elif args.max_ballot is not None:
        _print_bounded(result, print)
    else:
        _print_duel(result, print)
    if not_saved:
        return usage_error(not_saved)
    if found:
        return 1
    # find_bounded_duel always finishes; find_duel may stop at --max-states
    complete = args.max_ballot is not None or result.complete
    return 0 if complete else INCOMPLETE


def _print_duel(r: Any, out: Callable[[str], None]) -> None:
    who = ", ".join(r.may_propose)
    out(f"model:            livelock ({r.acceptors} acceptors; proposing: {who})")
    out(f"states explored:  {r.states:,} (proposal numbers renamed by their order)")
    out(f"steps explored:   {r.transitions:,}")
    out(f"time:             {r.seconds:.2f} s")
    if not r.found:
        if not r.complete:
            out("verdict:          INCONCLUSIVE — no duel found before --max-states; "
                "the rest unexplored")
        elif r.longest_run is not None and r.dead_ends == 0:
            out(f"verdict:          no endless run: every run chooses a value within "
                f"{r.longest_run} steps")
        elif r.longest_run is not None:
            out(f"verdict:          no endless run, but {r.dead_ends} states where nothing "
                f"can happen and nothing is chosen")
        else:
            out("verdict:          no run in which every proposer keeps proposing and "
                "nothing is chosen")
        return
    out(f"verdict:          DUEL — a run that never chooses: {len(r.stem)} steps, then "
        f"{len(r.loop)} steps ({r.proposals_per_turn()} proposals) repeated forever "
        f"with higher numbers")
    out("stem:")
    for s in r.stem:
        out(f"  {s.number:2}. {s.text}")
    out("loop (first turn):")
    for s in r.loop:
        out(f"  {s.number:2}. {s.text}")


def _print_bounded(r: Any, out: Callable[[str], None]) -> None:
    out(f"model:            livelock, proposal numbers 0..{r.max_ballot} "
        f"({r.acceptors} acceptors, {r.proposers} proposer{'s' * (r.proposers != 1)})")
    out(f"states explored:  {r.states:,}")
    out(f"time:             {r.seconds:.2f} s")
    if not r.schedule:
        out("verdict:          no schedule uses every number without choosing a value")
        return
    numbers = ", ".join(str(n) for n in r.numbers)
    out(f"verdict:          {r.length} steps use every number ({numbers}) and choose nothing")
    for s in r.schedule:
        out(f"  {s.number:2}. {s.text}")
