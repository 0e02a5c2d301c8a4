"""What learning a chosen value costs (§2.3): messages, delays, and reliability.

§2.3 names three ways for acceptors to let learners know: every acceptor tells
every learner; the acceptors tell one distinguished learner, which tells the
others; or they tell a set of distinguished learners, each of which tells the
rest. This script measures them in the simulator, on the package's own agents
(`Cluster(learning=...)`), and prints two tables in Markdown:

1. the grid: m acceptors x k learners (m in 3, 5, 7; k in 1, 3, 5, 10), one
   proposer, a perfect network on which every message takes one unit of time.
   For each arrangement, the messages sent to learners (``Accepted`` from
   acceptors, ``Chosen`` from distinguished learners) and the message delays
   from the proposer starting phase 1 until the last learner knows. Beside the
   measurements: the closed forms with a = the acceptors that accept (phase 2(a)
   sends accept requests to the majority that promised, so a = m // 2 + 1), and
   the paper's m*k and m + k, which count a response from every acceptor; and
   the same grid with `AcceptToAllProposer` (accept requests to every acceptor,
   which the paper allows), where a = m and the counts are the paper's.
2. reliability: 3 acceptors, 5 learners (2 distinguished for the set), one
   proposer, messages delayed 1 to 3 units. The distinguished learner(s) crash
   at a random moment in the first 16 units, for good or until t = 30; the
   proposer starts a new proposal on a random timeout while some learner does
   not know (the simulator's form of the paper's remedy). Counted: runs in which
   some learner that is up still knows nothing at t = 80.

Notebook 05 runs the same grid in a cell (it takes well under a second) and the
reliability experiment with the first 200 of these runs.

Run: ``.venv/bin/python benchmarks/learning.py [--runs N]`` (default 2000).
"""

from __future__ import annotations

import argparse
import random
import time

from paxos_notes.agents import Learner
from paxos_notes.checker.variants import AcceptToAllProposer
from paxos_notes.cluster import Cluster
from paxos_notes.exercises.nb05 import learning_run
from paxos_notes.sim import Simulation

ACCEPTORS = (3, 5, 7)
LEARNERS = (1, 3, 5, 10)
ARRANGEMENTS = ("all", "distinguished", "set")
SET_SIZE = 2  # distinguished learners in the "set" arrangement (fewer if k is smaller)

CRASH_WINDOW = 16.0  # crashes happen at a uniform moment in [0, CRASH_WINDOW)
RESTART_AT = 30.0
HORIZON = 80.0
CRASH_SEED = 2001  # the generator of crash moments, shared with notebook 05
CASES = (  # column title, learners that crash, restart time (None: for good)
    ("l1 crashes for good", ("l1",), None),
    ("l1 and l2 crash for good", ("l1", "l2"), None),
    (f"l1 and l2 crash, restart at t={RESTART_AT:g}", ("l1", "l2"), RESTART_AT),
)


# One proposal on a perfect network: messages to learners, delays, safety.
learning_cost = learning_run


def formula(m: int, k: int, learning: str, d: int = 1, a: int | None = None) -> int:
    """The closed form: a acceptors accept (by default m // 2 + 1, the majority that
    promised); each distinguished learner tells the learners that are not distinguished."""
    a = m // 2 + 1 if a is None else a
    if learning == "all":
        return a * k
    if learning == "distinguished":
        return a + (k - 1)
    return d * a + d * (k - d)


def left_out(learning: str, crashes: dict[str, float], seed: int,
             restart_at: float | None = None) -> tuple[list[str], bool]:
    """Crash learners at the given moments (for good, or until ``restart_at``); return
    the learners that are up and know nothing at the horizon, and whether the run was
    safe."""
    cluster = Cluster(acceptors=3, proposers=1, learners=5, learning=learning,
                      distinguished=SET_SIZE)
    sim = Simulation(cluster, seed=seed, record=False)
    for name, t in sorted(crashes.items(), key=lambda kv: kv[1]):
        sim.run(until=t)
        sim.crash(name)
    if restart_at is not None:
        sim.run(until=restart_at)
        for name in crashes:
            sim.restart(name)
    sim.run(until=HORIZON)
    unaware = [n for n, a in sim.agents.items()
               if isinstance(a, Learner) and a.up and a.learned is None]
    return unaware, sim.history.safe


def crash_moments(runs: int) -> list[dict[str, float]]:
    """For each run, when l1 and l2 would crash (the same moments in every column)."""
    when = random.Random(CRASH_SEED)
    return [{"l1": when.uniform(0, CRASH_WINDOW), "l2": when.uniform(0, CRASH_WINDOW)}
            for _ in range(runs)]


def grid() -> list[dict[str, object]]:
    rows = []
    for m in ACCEPTORS:
        for k in LEARNERS:
            d = min(SET_SIZE, k)
            row: dict[str, object] = {"m": m, "k": k, "d": d}
            for learning in ARRANGEMENTS:
                row[learning] = learning_cost(m, k, learning, d)
            rows.append(row)
    return rows


def reliability(runs: int) -> tuple[dict[tuple[str, str], int], int]:
    moments = crash_moments(runs)
    unsafe = 0
    out: dict[tuple[str, str], int] = {}
    for learning in ARRANGEMENTS:
        for title, names, restart in CASES:
            bad = 0
            for seed, times in enumerate(moments):
                unaware, safe = left_out(learning, {n: times[n] for n in names}, seed, restart)
                bad += bool(unaware)
                unsafe += not safe
            out[(learning, title)] = bad
    return out, unsafe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000,
                        help="seeds per cell of the reliability table (default 2000)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be >= 1, got {args.runs}")

    start = time.perf_counter()
    rows = grid()
    print("Messages to learners until every learner knows, and message delays from phase "
          "1(a) until the last one knows")
    print("(one proposer, perfect network; a = m//2+1 acceptors accept; set: d = min(2, k))")
    print()
    print("| m | k | a | all | a·k | m·k | distinguished | a+k−1 | m+k | set | d(a+k−d) | "
          "delays all / dist. / set |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    safe = True
    for r in rows:
        m, k, d = r["m"], r["k"], r["d"]
        assert isinstance(m, int) and isinstance(k, int) and isinstance(d, int)
        cost = {a: r[a] for a in ARRANGEMENTS}
        msgs = {a: c[0] for a, c in cost.items()}  # type: ignore[index]
        delays = " / ".join(str(c[1]) for c in cost.values())  # type: ignore[index]
        safe &= all(c[2] for c in cost.values())  # type: ignore[index]
        print(f"| {m} | {k} | {m // 2 + 1} | {msgs['all']} | {formula(m, k, 'all')} | {m * k} "
              f"| {msgs['distinguished']} | {formula(m, k, 'distinguished')} | {m + k} "
              f"| {msgs['set']} | {formula(m, k, 'set', d)} | {delays} |")
    print(f"\nsafety held in all {len(rows) * len(ARRANGEMENTS)} runs: {safe}")
    every = {(m, k, learning): learning_cost(m, k, learning, min(SET_SIZE, k),
                                             proposer=AcceptToAllProposer)
             for m in ACCEPTORS for k in LEARNERS for learning in ARRANGEMENTS}
    print("with AcceptToAllProposer (a = m): all = m·k, distinguished = m + k − 1, set = "
          "d(m + k − d) in every case:",
          all(told == formula(m, k, learning, min(SET_SIZE, k), a=m) and ok
              for (m, k, learning), (told, _, ok) in every.items()))
    print(f"grid: {time.perf_counter() - start:.2f} s\n")

    start = time.perf_counter()
    counts, unsafe = reliability(args.runs)
    print(f"Runs (of {args.runs}) in which some learner that is up knows nothing at "
          f"t = {HORIZON:g}")
    print(f"(3 acceptors, 5 learners, set = l1 and l2; crashes at a uniform moment in "
          f"[0, {CRASH_WINDOW:g}), crash seed {CRASH_SEED})")
    print()
    print("| arrangement | " + " | ".join(title for title, _, _ in CASES) + " |")
    print("|---|" + "---|" * len(CASES))
    for learning in ARRANGEMENTS:
        bad = [counts[(learning, title)] for title, _, _ in CASES]
        cells = [f"{n} ({100 * n / args.runs:.1f} %)" for n in bad]
        print(f"| {learning} | " + " | ".join(cells) + " |")
    print(f"\nruns that broke a safety requirement: {unsafe} of "
          f"{args.runs * len(ARRANGEMENTS) * len(CASES)}")
    print(f"reliability: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
