"""What every command of `paxos_notes.cli` shares: usage errors and a progress counter.

A command reports bad values as the library's ``ValueError`` (which names the
parameter), printed on stderr as a usage error with exit status 2.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

USAGE_ERROR = 2
#: A command stopped at a limit (``check --max-states``, ``simulate --max-steps``)
#: before it could decide: what it saw was fine, but the rest was never looked at.
INCOMPLETE = 3
#: A search stopped by Ctrl-C (the shell's own status for SIGINT, 128 + 2): it
#: prints what it had seen, as INCONCLUSIVE, and no traceback.
INTERRUPTED = 130


def usage_error(message: str) -> int:
    """Print ``error: message`` on stderr; return the usage-error exit status."""
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
