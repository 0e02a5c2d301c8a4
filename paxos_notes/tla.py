"""Lamport's TLA+ specification of Paxos, quoted: short exact excerpts, attributed.

Readers who finish *Paxos Made Simple* often go on to Leslie Lamport's TLA+
specification of the same algorithm, ``Paxos.tla``, which refines ``Voting.tla``
(tlaplus/Examples, ``specifications/PaxosHowToWinATuringAward``, MIT License).
Notebook 09 sets its actions beside the agents' methods, as the other notebooks
set the paper's sentences beside them (``paper.beside``).

The excerpts are the spec's own lines, copied exactly except for trailing
spaces, from the commit named in ``SPEC_COMMIT``; the spec's comments are left
out, and only the definitions the notebook discusses are here.
``verify(spec_dir)`` compares them with a local checkout of that directory
(``scripts/check_tla_excerpts.py`` runs it); nothing here is ever downloaded.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paper import _CELL, Code, SideBySide

SPEC_AUTHOR = "Leslie Lamport"
SPEC_REPOSITORY = "tlaplus/Examples"
SPEC_DIRECTORY = "specifications/PaxosHowToWinATuringAward"
SPEC_COMMIT = "32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9"
SPEC_LICENSE = "MIT License"


@dataclass(frozen=True)
class Excerpt:
    """One definition of the spec, exactly as written there (comments left out)."""

    name: str
    module: str
    text: str

    @property
    def file(self) -> str:
        return f"{self.module}.tla"

    @property
    def attribution(self) -> str:
        return (f"{SPEC_AUTHOR}, {self.file}, {SPEC_REPOSITORY} "
                f"{SPEC_DIRECTORY} ({SPEC_LICENSE})")

    def __str__(self) -> str:
        return f"{self.text}\n    \u2014 {self.attribution}"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        return (f'<pre style="font-size:85%;border-left:3px solid #009E73;padding-left:0.5em">'
                f"{html.escape(self.text)}</pre>"
                f"<p>\u2014 {html.escape(SPEC_AUTHOR)}, <code>{html.escape(self.file)}</code>, "
                f"{html.escape(SPEC_REPOSITORY)} ({html.escape(SPEC_LICENSE)})</p>")


def _x(name: str, module: str, text: str) -> Excerpt:
    return Excerpt(name, module, text.removeprefix("\n"))


_EXCERPTS = (
    _x('Phase1b', 'Paxos', r"""
Phase1b(a) ==
  /\ \E m \in msgs :
        /\ m.type = "1a"
        /\ m.bal > maxBal[a]
        /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
        /\ Send([type |-> "1b", acc |-> a, bal |-> m.bal,
                  mbal |-> maxVBal[a], mval |-> maxVal[a]])
  /\ UNCHANGED <<maxVBal, maxVal>>"""),
    _x('Phase2a', 'Paxos', r"""
Phase2a(b, v) ==
  /\ ~ \E m \in msgs : m.type = "2a" /\ m.bal = b
  /\ \E Q \in Quorum :
        LET Q1b == {m \in msgs : /\ m.type = "1b"
                                 /\ m.acc \in Q
                                 /\ m.bal = b}
            Q1bv == {m \in Q1b : m.mbal >= 0}
        IN  /\ \A a \in Q : \E m \in Q1b : m.acc = a
            /\ \/ Q1bv = {}
               \/ \E m \in Q1bv :
                    /\ m.mval = v
                    /\ \A mm \in Q1bv : m.mbal >= mm.mbal
  /\ Send([type |-> "2a", bal |-> b, val |-> v])
  /\ UNCHANGED <<maxBal, maxVBal, maxVal>>"""),
    _x('Phase2b', 'Paxos', r"""
Phase2b(a) ==
  \E m \in msgs :
      /\ m.type = "2a"
      /\ m.bal >= maxBal[a]
      /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
      /\ maxVBal' = [maxVBal EXCEPT ![a] = m.bal]
      /\ maxVal' = [maxVal EXCEPT ![a] = m.val]
      /\ Send([type |-> "2b", acc |-> a,
              bal |-> m.bal, val |-> m.val])"""),
    _x('Inv', 'Paxos', r"""
Inv ==
 /\ TypeOK
 /\ \A a \in Acceptor : maxBal[a] >= maxVBal[a]
 /\ \A a \in Acceptor : IF maxVBal[a] = -1
                          THEN maxVal[a] = None
                          ELSE <<maxVBal[a], maxVal[a]>> \in votes[a]
 /\ \A m \in msgs :
       /\ (m.type = "1b") => /\ maxBal[m.acc] >= m.bal
                             /\ (m.mbal >= 0) =>
                                 <<m.mbal, m.mval>> \in votes[m.acc]
       /\ (m.type = "2a") => /\ \E Q \in Quorum :
                                   V!ShowsSafeAt(Q, m.bal, m.val)
                             /\ \A mm \in msgs : /\ mm.type ="2a"
                                                 /\ mm.bal = m.bal
                                                 => mm.val = m.val
       /\ (m.type = "2b") => /\ maxVBal[m.acc] >= m.bal
                             /\ \E mm \in msgs : /\ mm.type = "2a"
                                                 /\ mm.bal  = m.bal
                                                 /\ mm.val  = m.val"""),
    _x('ShowsSafeAt', 'Voting', r"""
ShowsSafeAt(Q, b, v) ==
  /\ \A a \in Q : maxBal[a] >= b
  /\ \E c \in -1..(b-1) :
      /\ (c /= -1) => \E a \in Q : VotedFor(a, c, v)
      /\ \A d \in (c+1)..(b-1), a \in Q : DidNotVoteAt(a, d)"""),
)
EXCERPTS: dict[str, Excerpt] = {e.name: e for e in _EXCERPTS}


def excerpt(name: str) -> Excerpt:
    """The spec's definition ``name`` (``"Phase2a"``, ``"Inv"``, ``"VoteFor"``, ...)."""
    if name not in EXCERPTS:
        raise ValueError(f"name must be one of {', '.join(EXCERPTS)}; got {name!r}")
    return EXCERPTS[name]


@dataclass(frozen=True)
class SpecBeside:
    """A definition of the spec beside the agents' code that does the same step."""

    excerpt: Excerpt
    code: tuple[Code, ...]

    def to_text(self) -> str:
        lines = [f"Spec, {self.excerpt.name} ({self.excerpt.file}):",
                 *(f"    {line}" for line in self.excerpt.text.splitlines()), ""]
        for c in self.code:
            lines.extend(c.text_lines())
        lines.append(f"    \u2014 {self.excerpt.attribution}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.to_text())

    def _repr_html_(self) -> str:
        cell = _CELL[:-1] + ';width:50%"'
        left = (f"<p><strong>{html.escape(self.excerpt.name)}</strong> "
                f"(<code>{html.escape(self.excerpt.file)}</code>)</p>"
                + self.excerpt._repr_html_())
        right = SideBySide._column(self.code)
        return (f'<table class="paxos-notes-beside" style="table-layout:fixed;width:100%">'
                f"<tr><th {cell}>Lamport\u2019s TLA+ spec</th><th {cell}>the agents</th></tr>"
                f"<tr><td {cell}>{left}</td><td {cell}>{right}</td></tr></table>")


def beside(name: str, *methods: Callable[..., Any]) -> SpecBeside:
    """The spec's definition ``name`` beside ``methods`` (their docstrings and whole code)."""
    if not methods:
        raise ValueError("methods must name at least one function or method")
    return SpecBeside(excerpt(name), tuple(Code.of(fn) for fn in methods))


def verify(spec_dir: Path) -> list[str]:
    """What differs between the excerpts and the spec files in ``spec_dir`` (a local
    checkout of the spec's directory): one line per excerpt not found there, line for
    line, ignoring trailing spaces. Empty when every excerpt is exact."""
    problems = []
    files: dict[str, list[str]] = {}
    for e in EXCERPTS.values():
        if e.file not in files:
            path = Path(spec_dir) / e.file
            if not path.is_file():
                raise ValueError(f"spec_dir must hold {e.file}; {path} is not a file")
            text = path.read_text(encoding="utf-8")
            files[e.file] = [line.rstrip() for line in text.splitlines()]
        lines, want = files[e.file], e.text.splitlines()
        if not any(lines[i:i + len(want)] == want for i in range(len(lines))):
            first = textwrap.shorten(want[0], 40)
            problems.append(f"{e.file}: {e.name} not found as written ({first})")
    return problems
