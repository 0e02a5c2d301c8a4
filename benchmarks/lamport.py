"""How the ``lamport`` model checker scales: acceptors x ballots, with and without symmetry.

Each configuration (2 values throughout, like ``MCPaxos``) runs twice, in both
modes of ``check --model lamport --invariants``: ``safety`` (only "at most one
value is chosen") and ``all`` (also Paxos.tla's ``TypeOK`` and ``Inv`` in every
state and the refinement of Voting on every step: what TLC checks on the spec's
models). Each run is a fresh Python process, so "peak MB" is that search's own
peak resident set size (the whole process: interpreter included), not the
high-water mark of earlier runs. A run that would take longer than the budget
(60 s by default) is stopped there and its row says so, with the states it had
seen. "CPU s" is the process's CPU time: on a shared machine it is the fairer
measure of the work, "wall s" of the wait; "all/safety" is the ratio of CPU times.

TLC, when it is here. If ``TLC_JAR`` names an existing ``tla2tools.jar``,
``java`` is on the PATH and ``TLA_SPEC_DIR`` names a local copy of the spec's
folder (tlaplus/Examples, ``specifications/PaxosHowToWinATuringAward``: this
project does not ship the spec), the benchmark also runs TLC on 3 acceptors, 2
values, ballots 0..2 (``MCPaxosSmall``'s constants) with the same checks
(``INVARIANT TypeOK Inv AtMostOneChosen``, ``PROPERTY V!Spec``) and prints both
side by side with the ratio. It writes its own small model module and
configuration, and copies the spec's modules, into a temporary folder; it never
downloads anything, and without the three it prints one line saying which is
missing. ``Voting.tla`` and ``Consensus.tla`` extend ``TLAPS`` and
``FiniteSetTheorems`` (the TLA+ proof system's library, tlaplus/tlapm's
``library`` folder); if the jar lacks them, ``TLA_LIBRARY`` names a folder that
holds them. ``--tlc-only`` runs just that comparison.

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
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.checker.lamport_spec import check_lamport_naive

VALUES = 2


def run_one(
    acceptors: int, max_ballot: int, symmetry: bool, naive: bool, budget: float, invariants: str
) -> dict:
    """One search in this process; returns its result plus CPU time, as a dict."""
    cpu = time.process_time()
    if naive:
        result = check_lamport_naive(
            acceptors, VALUES, max_ballot, symmetry=symmetry, invariants=invariants
        )
    else:
        result = check_lamport(
            acceptors, VALUES, max_ballot, symmetry=symmetry, max_seconds=budget,
            invariants=invariants,
        )
    data = result.to_json()
    data["cpu_seconds"] = time.process_time() - cpu
    return data


def run_in_child(
    acceptors: int, max_ballot: int, symmetry: bool, naive: bool, budget: float,
    invariants: str = "all",
) -> dict:
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        json.dumps([acceptors, max_ballot, symmetry, naive, budget, invariants]),
    ]
    # The child must import the same package as this process does.
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def row(label: str, safety: dict, everything: dict) -> str:
    notes = [
        f"{mode}: stopped at {d['seconds']:.0f} s, incomplete, depth so far"
        for mode, d in (("safety", safety), ("all", everything))
        if not d["complete"]
    ]
    ratio = everything["cpu_seconds"] / safety["cpu_seconds"] if safety["cpu_seconds"] else 0.0
    return (
        f"| {label} | {everything['distinct_states']:,} | {everything['states_generated']:,} "
        f"| {everything['depth']} "
        f"| {safety['seconds']:.2f} | {safety['cpu_seconds']:.2f} | {safety['peak_memory_mb']:.0f} "
        f"| {everything['seconds']:.2f} | {everything['cpu_seconds']:.2f} "
        f"| {everything['peak_memory_mb']:.0f} | {ratio:.2f} | {'; '.join(notes)} |"
    )


# ---------------------------------------------------------------------------
# TLC on the same configuration, when a jar, java and the spec are at hand
# ---------------------------------------------------------------------------

SPEC_MODULES = ("Paxos.tla", "Voting.tla", "Consensus.tla")

# Our model module: the constants of MCPaxosSmall, and the paper's "at most one
# value chosen" as an invariant beside TypeOK and Inv.
MC_MODULE = """---- MODULE MCPaxosNotes ----
EXTENDS Paxos, TLC
CONSTANTS a1, a2, a3, v1, v2
MCAcceptor == {{a1, a2, a3}}
MCValue == {{v1, v2}}
MCQuorum == {{{{a1, a2}}, {{a1, a3}}, {{a2, a3}}}}
MCBallot == 0..{max_ballot}
AtMostOneChosen == \\A x, y \\in V!chosen : x = y
VSpec == V!Spec
====
"""

MC_CONFIG = """CONSTANTS a1 = a1  a2 = a2  a3 = a3  v1 = v1  v2 = v2
CONSTANT Acceptor <- MCAcceptor
CONSTANT Value <- MCValue
CONSTANT Quorum <- MCQuorum
CONSTANT None = None
CONSTANT Ballot <- MCBallot
CONSTANT Ballot <- [Voting]MCBallot
SPECIFICATION Spec
INVARIANT TypeOK Inv AtMostOneChosen
PROPERTY VSpec
"""


def tlc_missing() -> str | None:
    """Why TLC cannot run here (one line), or None when it can."""
    jar, spec = os.environ.get("TLC_JAR"), os.environ.get("TLA_SPEC_DIR")
    if not jar or not Path(jar).is_file():
        return "TLC skipped: set TLC_JAR to an existing tla2tools.jar"
    if shutil.which("java") is None:
        return "TLC skipped: no java on the PATH"
    if not spec or not all((Path(spec) / m).is_file() for m in SPEC_MODULES):
        return ("TLC skipped: set TLA_SPEC_DIR to a local copy of tlaplus/Examples' "
                "specifications/PaxosHowToWinATuringAward (Paxos.tla, Voting.tla, Consensus.tla)")
    return None


def run_tlc(max_ballot: int, workers: int) -> dict:
    """TLC on 3 acceptors, 2 values, ballots 0..max_ballot, with TypeOK, Inv,
    AtMostOneChosen and V!Spec; its counts, wall and CPU time, peak memory."""
    jar, spec = Path(os.environ["TLC_JAR"]), Path(os.environ["TLA_SPEC_DIR"])
    with tempfile.TemporaryDirectory(prefix="paxos-notes-tlc-") as tmp:
        for module in SPEC_MODULES:
            shutil.copy(spec / module, tmp)
        Path(tmp, "MCPaxosNotes.tla").write_text(MC_MODULE.format(max_ballot=max_ballot))
        Path(tmp, "MCPaxosNotes.cfg").write_text(MC_CONFIG)
        # Voting.tla and Consensus.tla extend TLAPS and FiniteSetTheorems, from
        # the TLA+ proof system's library, which tla2tools.jar may not hold.
        library = os.environ.get("TLA_LIBRARY")
        command = ["java", "-XX:+UseParallelGC",
                   *([f"-DTLA-Library={library}"] if library else []),
                   "-cp", str(jar), "tlc2.TLC",
                   "-workers", str(workers), "-metadir", str(Path(tmp, "states")),
                   "-config", "MCPaxosNotes.cfg", "MCPaxosNotes.tla"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = out.stdout + out.stderr

    # TLC reports in English; its last report of each count is the final one
    # (progress lines before it use the same words).
    def number(pattern: str) -> int | None:
        found = re.findall(pattern, text)
        return int(found[-1].replace(",", "")) if found else None

    return {
        "distinct_states": number(r"([\d,]+) distinct states found"),
        "states_generated": number(r"([\d,]+) states generated"),
        "depth": number(r"depth of the complete state graph search is (\d+)"),
        "no_error": "No error has been found" in text,
        "seconds": wall,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        # the largest child so far: TLC, far above the Python children before it
        "peak_memory_mb": after.ru_maxrss / 1024,
        "exit_status": out.returncode,
        "last_lines": text.strip().splitlines()[-3:],
    }


def compare_with_tlc(budget: float, workers: int) -> None:
    max_ballot = 2
    print(f"\nTLC beside check --model lamport: 3 acceptors, 2 values, ballots 0..{max_ballot}, "
          "no symmetry, checking TypeOK, Inv, AtMostOneChosen and V!Spec")
    reason = tlc_missing()
    if reason is not None:
        print(reason)
        return
    ours = run_in_child(3, max_ballot, False, False, budget, "all")
    tlc = run_tlc(max_ballot, workers)
    print("| checker | distinct states | states generated | depth | verdict | wall s | CPU s "
          "| peak MB |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    print(f"| check --model lamport | {ours['distinct_states']:,} | "
          f"{ours['states_generated']:,} | {ours['depth']} | "
          f"{'violation' if ours['violation'] else 'no violation'} | {ours['seconds']:.2f} | "
          f"{ours['cpu_seconds']:.2f} | {ours['peak_memory_mb']:.0f} |")
    verdict = "no error" if tlc["no_error"] else f"exit {tlc['exit_status']}: {tlc['last_lines']}"

    def fmt(x: int | None) -> str:
        return "?" if x is None else f"{x:,}"

    print(f"| TLC ({workers} worker{'s' * (workers != 1)}) | {fmt(tlc['distinct_states'])} | "
          f"{fmt(tlc['states_generated'])} | {fmt(tlc['depth'])} | {verdict} | "
          f"{tlc['seconds']:.2f} | {tlc['cpu_seconds']:.2f} | {tlc['peak_memory_mb']:.0f} |")
    same = all(tlc[k] == ours[k] for k in ("distinct_states", "states_generated", "depth"))
    print(f"counts {'equal' if same else 'DIFFER'}; TLC / ours: "
          f"{tlc['seconds'] / ours['seconds']:.0f}x wall, "
          f"{tlc['cpu_seconds'] / ours['cpu_seconds']:.0f}x CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per configuration")
    parser.add_argument("--tlc-only", action="store_true", help="only the comparison with TLC")
    parser.add_argument("--tlc-workers", type=int, default=1, help="TLC's -workers")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*json.loads(args.child))))
        return

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    if not args.tlc_only:
        print(f"{VALUES} values, quorums = bare majorities, budget {args.budget:.0f} s per run\n")
        print(
            "| config | distinct states | states generated | depth "
            "| safety: wall s | CPU s | peak MB | all: wall s | CPU s | peak MB | all/safety CPU "
            "| note |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for acceptors in (3, 4, 5):
            for max_ballot in (1, 2, 3):
                for symmetry in (False, True):
                    label = f"{acceptors} acc, ballots 0..{max_ballot}"
                    label += ", sym" if symmetry else ""
                    safety = run_in_child(acceptors, max_ballot, symmetry, False, args.budget,
                                          "safety")
                    everything = run_in_child(acceptors, max_ballot, symmetry, False, args.budget,
                                              "all")
                    print(row(label, safety, everything), flush=True)
        safety = run_in_child(3, 2, False, True, args.budget, "safety")
        everything = run_in_child(3, 2, False, True, args.budget, "all")
        print(row("naive: 3 acc, ballots 0..2", safety, everything), flush=True)
    compare_with_tlc(args.budget, args.tlc_workers)


if __name__ == "__main__":
    main()
