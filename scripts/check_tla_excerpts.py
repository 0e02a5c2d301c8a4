"""Check that every excerpt in ``paxos_notes/tla.py`` is exactly in Lamport's spec.

Usage: ``python scripts/check_tla_excerpts.py DIR`` where DIR is a local checkout of
tlaplus/Examples' ``specifications/PaxosHowToWinATuringAward`` (nothing is
downloaded). Prints one line per excerpt that is not found as written, and exits 1
if there is any; exits 0 with "all N excerpts exact" otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from paxos_notes import tla


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        problems = tla.verify(Path(argv[0]))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for line in problems:
        print(line)
    if not problems:
        print(f"all {len(tla.EXCERPTS)} excerpts exact (spec commit {tla.SPEC_COMMIT[:12]})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
