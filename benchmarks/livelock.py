"""Livelock by search (§2.4): the figures behind notebook 06, at larger sizes.

Three tables, each from `paxos_notes.checker.livelock`:

1. The duel as a lasso (`find_duel`), per number of acceptors and proposers:
   states and steps the depth-first search explored, the stem and the loop
   (steps, and proposals per turn), and the same lasso unrolled ``--turns``
   times and replayed in the simulator (proposals, nothing chosen).
2. One distinguished proposer (``may_propose=("p1",)``): the whole quotient
   graph, its size, and the longest run before a value is chosen.
3. Bounded proposal numbers (`find_bounded_duel`): for each bound N, the
   length of the schedule the depth-first search finds, and for N up to
   ``--shortest-max`` the shortest one (breadth first, whose cost grows fast).

Times are wall-clock seconds on whatever machine runs this; on a shared machine
compare them only with runs made at the same time.

Run: ``.venv/bin/python benchmarks/livelock.py`` (``--shortest-max 5`` adds the
N = 5 shortest schedule, about 20 s).
"""

from __future__ import annotations

import argparse
import platform

from paxos_notes.checker.livelock import find_bounded_duel, find_duel
from paxos_notes.script import replay

DUELS = ((3, 2), (5, 2), (3, 3), (5, 3))
ONE_PROPOSER = (1, 3, 5)


def table(title: str, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    print(title)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=True))
              + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10, help="loop turns replayed (default 10)")
    parser.add_argument("--max-ballot", type=int, default=10,
                        help="largest bound N for the bounded schedules (default 10)")
    parser.add_argument("--shortest-max", type=int, default=4,
                        help="largest N for which the shortest schedule is searched (default 4)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    print()

    rows: list[tuple[object, ...]] = []
    for acceptors, proposers in DUELS:
        r = find_duel(acceptors, proposers)
        steps = r.unroll(args.turns)
        run = replay(r.cluster, steps)
        proposals = sum(1 for s in steps if s.action == "propose")
        rows.append((acceptors, proposers, r.states, r.transitions, len(r.stem), len(r.loop),
                     r.proposals_per_turn(), f"{r.seconds:.3f}", proposals,
                     "nothing" if not run.sim.history.chosen else "CHOSEN"))
    table("The duel as a lasso (depth first, proposals tried first)",
          ("acceptors", "proposers", "states", "steps", "stem", "loop", "proposals/turn",
           "seconds", f"proposals in {args.turns} turns", "chosen"), rows)

    rows = []
    for acceptors in ONE_PROPOSER:
        r = find_duel(acceptors, 2, may_propose=("p1",))
        rows.append((acceptors, r.states, r.transitions, r.cyclic_components, r.dead_ends,
                     r.longest_run, f"{r.seconds:.3f}"))
    table("One distinguished proposer (p1 of 2): the whole quotient graph",
          ("acceptors", "states", "steps", "cycles", "dead ends", "longest run to chosen",
           "seconds"), rows)

    rows = []
    for n in range(args.max_ballot + 1):
        d = find_bounded_duel(n)
        shortest: tuple[object, ...] = ("", "", "")
        if n <= args.shortest_max:
            s = find_bounded_duel(n, shortest=True)
            shortest = (s.length, s.states, f"{s.seconds:.2f}")
        rows.append((n, d.length, d.states, f"{d.seconds:.3f}", *shortest))
    table("Bounded numbers 0..N: a schedule that uses them all and chooses nothing "
          "(3 acceptors, 2 proposers)",
          ("N", "depth-first length", "states", "seconds", "shortest length", "states",
           "seconds"), rows)


if __name__ == "__main__":
    main()
