"""The model checker's committed results: searches too slow to repeat in a notebook.

``paxos_notes/data/checker_results.json`` is written by
``benchmarks/checker_results.py --write``: for every variant of
`paxos_notes.checker.VARIANTS`, the counts of `check_agents` at the variant's
own bounds and, for a broken variant, its shortest counterexample with every
step's message, so that a notebook can replay it in the simulator
(`paxos_notes.script.replay`) without searching again. The tests re-run the
searches and compare, so a stale file fails loudly.

This module only reads the file: `stored` gives one variant's search, `results`
the whole file, and `differences` says whether a live search still finds what
the file recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..script import Step
from ..trace import message_from_dict
from .model import AgentsResult

DATA_FILE = "checker_results.json"
SCHEMA = "paxos-notes/checker-results"
SCHEMA_VERSION = 1
REGENERATE = "python benchmarks/checker_results.py --write"


@dataclass(frozen=True)
class StoredRun:
    """One `check_agents` search as the results file recorded it."""

    variant: str
    bounds: Mapping[str, Any]
    distinct_states: int
    states_generated: int
    depth: int
    seconds: float
    rule: str | None
    chosen_values: tuple[str, ...]
    complete: bool
    steps: tuple[Step, ...]

    @property
    def safe(self) -> bool:
        return self.rule is None

    @property
    def verdict(self) -> str:
        if self.safe:
            return "safe"
        values = " and ".join(repr(v) for v in self.chosen_values)
        return f"unsafe: {values} chosen" if len(self.chosen_values) > 1 else \
            f"unsafe: {self.rule}"


@dataclass(frozen=True)
class LamportRun:
    """One search of the ``lamport`` model as the results file recorded it."""

    acceptors: int
    values: int
    max_ballot: int
    symmetry: bool
    distinct_states: int
    states_generated: int
    depth: int
    seconds: float

    @property
    def config(self) -> tuple[int, int, int, bool]:
        return (self.acceptors, self.values, self.max_ballot, self.symmetry)


@dataclass(frozen=True)
class Results:
    agents: Mapping[str, StoredRun]
    extra: tuple[StoredRun, ...]
    lamport: tuple[LamportRun, ...]
    python: str


def _run(d: Mapping[str, Any]) -> StoredRun:
    steps = tuple(
        Step(s["step"], s["action"], s["agent"],
             None if s["message"] is None else message_from_dict(s["message"]), s["text"])
        for s in d["counterexample"]
    )
    return StoredRun(d["variant"], dict(d["bounds"]), d["distinct_states"],
                     d["states_generated"], d["depth"], d["seconds"], d["rule"],
                     tuple(d["chosen_values"]), d["complete"], steps)


def parse_results(text: str) -> Results:
    """Read the results file's text; ``ValueError`` if it is not one we can read."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"results: schema must be {SCHEMA!r}")
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"results: version must be {SCHEMA_VERSION}, got "
                         f"{data.get('version')!r}; regenerate with {REGENERATE}")
    agents = {d["variant"]: _run(d) for d in data["agents"]}
    lamport = tuple(
        LamportRun(d["acceptors"], d["values"], d["max_ballot"], d["symmetry"],
                   d["distinct_states"], d["states_generated"], d["depth"], d["seconds"])
        for d in data["lamport"]
    )
    return Results(agents, tuple(_run(d) for d in data["agents_extra"]), lamport,
                   data["python"])


@cache
def results() -> Results:
    """The committed results (``paxos_notes/data/checker_results.json``), read once."""
    text = (resources.files("paxos_notes") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return parse_results(text)


def stored(variant: str) -> StoredRun:
    """The stored search of ``variant``; ``KeyError`` naming the command if it is missing."""
    try:
        return results().agents[variant]
    except KeyError:
        raise KeyError(f"{variant!r} is not in {DATA_FILE}; regenerate it with "
                       f"{REGENERATE}") from None


def differences(kept: StoredRun, live: AgentsResult) -> list[str]:
    """What a live `check_agents` search finds differently from the file (empty:
    the file is current). Counts, verdict and the counterexample's actions are
    compared; a step's wording may improve without the search changing."""
    out = [f"{name}: {getattr(kept, name)} in the file, {getattr(live, name)} now"
           for name in ("distinct_states", "states_generated", "depth")
           if getattr(kept, name) != getattr(live, name)]
    if kept.rule != live.violation:
        out.append(f"verdict: {kept.rule!r} in the file, {live.violation!r} now")
    if [(s.action, s.agent, s.message) for s in kept.steps] != \
            [(s.action, s.agent, s.message) for s in live.counterexample]:
        out.append("the counterexample's steps differ")
    return out


__all__ = ["DATA_FILE", "REGENERATE", "SCHEMA", "SCHEMA_VERSION", "LamportRun", "Results",
           "StoredRun", "differences", "parse_results", "results", "stored"]
