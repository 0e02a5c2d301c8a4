"""What every command of `paxos_notes.cli` shares: usage errors, output files and a
progress counter.

A command reports bad values as the library's ``ValueError`` (which names the
parameter), printed on stderr as a usage error with exit status 2. A file a
command will write (``--trace``) is checked before the run (`unwritable`), so
a bad path costs nothing; what only fails while writing (a full disk,
``/dev/full``) is reported after the run's summary (`save_trace`), also with
exit status 2.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

USAGE_ERROR = 2
#: A command stopped at a limit (``check --max-states``, ``simulate --max-steps``)
#: before it could decide: what it saw was fine, but the rest was never looked at.
INCOMPLETE = 3


def usage_error(message: str) -> int:
    """Print ``error: message`` on stderr; return the usage-error exit status."""
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR


def flag_error(error: ValueError, flags: Mapping[str, str]) -> int:
    """A library ``ValueError`` as a usage error that names the flag the user typed.

    The library names its own parameter first ("crash_rate must be ...",
    "total must be ..."); ``flags`` maps such a parameter to the command's
    flag (``{"crash_rate": "--crash-rate", "total": "--ops"}``), which takes
    its place. A message about anything else is printed as it is.
    """
    text = str(error)
    name, sep, rest = text.partition(" must ")
    if sep and name in flags:
        text = f"{flags[name]} must {rest}"
    return usage_error(text)


def unwritable(flag: str, path: str) -> str | None:
    """Why ``path`` (the value of ``flag``) cannot be written, in one line; None if it can.

    Checked before the run, by opening the file as saving will: an existing
    file is opened for appending (its content is left alone), a new one is
    created and removed again. Nothing else tells reliably (``/proc``
    refuses new files even to root, whatever its permission bits say).
    """
    if not path:
        return f"{flag}: the file name is empty"
    if os.path.isdir(path):
        return f"{flag} {path}: is a directory, not a file"
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return f"{flag} {path}: the folder {folder} does not exist"
    existed = os.path.lexists(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK if existed \
        else os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        if e.errno == errno.ENXIO:  # a FIFO nobody reads yet: writing will wait for one
            return None
        return f"{flag} {path}: cannot write there ({e.strerror or e})"
    os.close(fd)
    if not existed:
        os.unlink(path)
    return None


def save_trace(trace: Any, flag: str, path: str, hint: str = "") -> str | None:
    """Save ``trace`` to ``path``; a one-line error naming ``flag`` if it was not
    written (too large for the loader, or the write failed: a full disk).
    ``hint`` ends the too-large message (how to make the run shorter)."""
    from ..trace import TraceTooLarge

    try:
        trace.save(path)
    except TraceTooLarge as e:  # what the loader would refuse is never written
        mb = f" ({e.limit // 2**20} MB)" if e.limit % 2**20 == 0 else ""
        return (f"{flag} {path}: not written: the trace would be {e.size:,} bytes, "
                f"more than the {e.limit:,} bytes{mb} a trace file may hold{hint}")
    except OSError as e:  # only writing tells: /dev/full, a disk that fills up
        if os.path.isfile(path):  # half a trace is no trace: the loader would refuse it
            with contextlib.suppress(OSError):
                os.unlink(path)
        return f"{flag} {path}: not written ({e.strerror or e})"
    return None


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
