"""Run the model checker on every variant; write ``paxos_notes/data/checker_results.json``.

Notebook 09 (``09_beyond_the_paper.ipynb``) shows a table of every variant of
`paxos_notes.checker.VARIANTS`: verdict, states explored, length of the shortest
counterexample, seconds. Some variants take 5 to 25 s, too slow for a notebook
that must run in about 15 s, so this script runs them all once and commits the
results; notebooks load the file (`paxos_notes.checker.stored`) and
notebook 09 re-runs a few cheap variants live to show that the file is current, and
``tests/test_checker_stored_current.py`` does the same for every commit.

What the file holds:

- ``agents``: one record per variant, in the order of ``VARIANTS``: the counts of
  `check_agents` with the variant's own bounds, and for a broken variant its
  shortest counterexample, each step with its message, so that the notebook can
  replay it in the simulator without searching again;
- ``agents_extra``: the paper's algorithm with larger bounds (numbers 0..2);
- ``lamport``: the ``lamport`` model (Lamport's TLA+ spec) on the configurations
  of the notebook's benchmark table.

Counts are deterministic; seconds are whatever this machine measured (each run
in this one process, one after the other). Re-run after changing the agents,
the checker or the variants::

    python benchmarks/checker_results.py --write  # about two minutes on 2 cores
    python benchmarks/checker_results.py          # compare counts, write nothing
    python benchmarks/checker_results.py --write --only NAME ...  # (re)run some variants

``--only`` runs only the named variants and, with ``--write``, replaces their
records (or adds them, in the order of ``VARIANTS``) and leaves every other
record, seconds included, as it was: for a new variant on a busy machine.

(``make bench`` runs the second form: a benchmark run never rewrites a
committed file.)
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from paxos_notes.checker import VARIANTS, check_agents
from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.trace import message_to_dict

OUT = Path(__file__).resolve().parents[1] / "paxos_notes" / "data" / "checker_results.json"
SCHEMA = "paxos-notes/checker-results"
VERSION = 1

# The paper with more proposal numbers than the variants' default 0..1: every
# proposer gets a second try (p1 uses 0 and 2). Deliveries to learners are not
# explored (an `Accepted` still counts towards "chosen" when it is sent).
EXTRAS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("paper", {"max_ballot": 2, "learners": False}),
)

# (acceptors, values, max_ballot, symmetry): Lamport's MCPaxosTiny and
# MCPaxosSmall (3 acceptors, 2 values, ballots 0..1 and 0..2), and larger ones.
LAMPORT: tuple[tuple[int, int, int, bool], ...] = (
    (3, 2, 1, False), (3, 2, 1, True),
    (3, 2, 2, False), (3, 2, 2, True),
    (4, 2, 1, False), (4, 2, 1, True),
    (4, 2, 2, True),
    (5, 2, 1, False), (5, 2, 1, True),
    (3, 2, 3, True),
)


def agents_record(name: str, **bounds: Any) -> dict[str, Any]:
    result = check_agents(name, **bounds)
    v = VARIANTS[name]
    record = result.to_json()
    for key in ("peak_memory_mb", "states_per_second"):
        record.pop(key)  # a property of this process, not of the search
    record["seconds"] = round(result.seconds, 2)
    record["bounds"] = {
        "acceptors": v.acceptors if "acceptors" not in bounds else bounds["acceptors"],
        "proposers": v.proposers if "proposers" not in bounds else bounds["proposers"],
        "max_ballot": bounds.get("max_ballot", v.max_ballot),
        "max_crashes": bounds.get("max_crashes", v.max_crashes),
        "crashing": bounds.get("crashing", v.crashing),
        "learners": bounds.get("learners", v.learners),
    }
    record["counterexample"] = [
        {**s.to_json(), "message": None if s.message is None else message_to_dict(s.message)}
        for s in result.counterexample
    ]
    return record


def lamport_record(acceptors: int, values: int, max_ballot: int, symmetry: bool) -> dict:
    r = check_lamport(acceptors, values, max_ballot, symmetry=symmetry)
    return {
        "acceptors": acceptors, "values": values, "max_ballot": max_ballot,
        "symmetry": symmetry, "distinct_states": r.distinct_states,
        "states_generated": r.states_generated, "depth": r.depth,
        "seconds": round(r.seconds, 2), "violation": r.violation, "complete": r.complete,
    }


def build(log: Any = print, only: tuple[str, ...] = ()) -> dict[str, Any]:
    if only:
        return {"agents": [_timed(name, log) for name in VARIANTS if name in only]}
    agents = []
    for name in VARIANTS:
        start = time.perf_counter()
        agents.append(agents_record(name))
        log(f"agents {name}: {agents[-1]['distinct_states']} states, "
            f"{time.perf_counter() - start:.1f} s")
    extra = []
    for name, bounds in EXTRAS:
        extra.append(agents_record(name, **bounds))
        log(f"agents {name} {bounds}: {extra[-1]['distinct_states']} states")
    lamport = []
    for config in LAMPORT:
        lamport.append(lamport_record(*config))
        log(f"lamport {config}: {lamport[-1]['distinct_states']} states, "
            f"{lamport[-1]['seconds']} s")
    return {
        "schema": SCHEMA, "version": VERSION,
        "generated_by": "benchmarks/checker_results.py",
        "python": platform.python_version(), "machine": platform.machine(),
        "agents": agents, "agents_extra": extra, "lamport": lamport,
    }


def _timed(name: str, log: Any) -> dict[str, Any]:
    start = time.perf_counter()
    record = agents_record(name)
    log(f"agents {name}: {record['distinct_states']} states, "
        f"{time.perf_counter() - start:.1f} s")
    return record


def merge(old: dict[str, Any], new: list[dict[str, Any]]) -> dict[str, Any]:
    """``old`` with the records of ``new`` in place of (or beside) its own, in
    the order of ``VARIANTS``."""
    by_name = {r["variant"]: r for r in old["agents"]} | {r["variant"]: r for r in new}
    return {**old, "agents": [by_name[n] for n in VARIANTS if n in by_name]}


def _counts(data: dict[str, Any]) -> list[Any]:
    """Everything but the timings: what must not change between two runs."""
    def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]
    return [strip(data["agents"]), strip(data["agents_extra"]), strip(data["lamport"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="rewrite the committed file (default: compare counts only)")
    parser.add_argument("--check", action="store_true",
                        help="compare the counts with the committed file (the default)")
    parser.add_argument("--only", nargs="+", metavar="VARIANT", choices=sorted(VARIANTS),
                        default=(), help="run only these variants (see above)")
    args = parser.parse_args()
    only = tuple(args.only)
    data = build(log=lambda text: print(text, file=sys.stderr, flush=True), only=only)
    old = json.loads(OUT.read_text(encoding="utf-8"))
    if only:
        data = merge(old, data["agents"])
    if not args.write:
        same = _counts(old) == _counts(data)
        print("the committed results are current" if same else
              f"{OUT.name} is stale: run python benchmarks/checker_results.py --write")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(OUT.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
