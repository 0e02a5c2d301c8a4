"""Presentation for ``02_the_problem.ipynb`` (§2.1 The Problem).

The notebook's runs, hand-written histories and counterexamples are in its
cells; this module only lays out what they produced:

- `requirement_report`: the three safety requirements of §2.1 judged on a
  `paxos_notes.invariants.History`, one row each, as a table;
- `by_hand`: a history written by hand, as numbered lines under a heading that
  says it is not a run of the algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..invariants import (
    ONLY_CHOSEN_LEARNED,
    ONLY_PROPOSED,
    REQUIREMENTS,
    SINGLE_VALUE,
    History,
    Learned,
)
from ..messages import Message, Value
from ..paper import Table

LABELS = ("Safety 1", "Safety 2", "Safety 3")  # their paxos_notes.paper quote labels


def _values(values: Iterable[Value]) -> str:
    vs = sorted(set(values))
    return ", ".join(repr(v) for v in vs) if vs else "nothing"


def requirement_report(history: History) -> Table:
    """One row per safety requirement of §2.1: holds or BROKEN, and the facts.

    Violations of the two derived rules the history also checks (P1a, P2c) are
    named in the caption, since they are §2.2's business.
    """
    broken = {rule: [v.detail for v in history.violations if v.rule == rule]
              for rule in REQUIREMENTS}
    chosen = len(history.chosen)
    facts = {
        ONLY_PROPOSED: f"chosen: {_values(history.chosen_values)}; proposed: "
                       f"{_values(history.proposed)}",
        SINGLE_VALUE: f"values chosen: {_values(history.chosen_values)} (by "
                      f"{chosen} proposal{'' if chosen == 1 else 's'})",
        ONLY_CHOSEN_LEARNED: "learned: " + (", ".join(
            f"{who} {p.value!r}" for who, p in sorted(history.learned.items())) or "nothing"),
    }
    rows = tuple(
        (label, rule, "BROKEN" if broken[rule] else "holds",
         broken[rule][0] if broken[rule] else facts[rule])
        for label, rule in zip(LABELS, REQUIREMENTS, strict=True)
    )
    others = sorted({v.rule for v in history.violations if v.rule not in REQUIREMENTS})
    caption = "The three safety requirements of §2.1"
    if others:
        caption += f" (also broken: {', '.join(others)}, a rule of §2.2)"
    return Table(("requirement", "check", "verdict", "facts"), rows, caption=caption)


def by_hand(title: str, happenings: Iterable[Message | Learned],
            proposed: Iterable[Value] = ("x", "y")) -> list[str]:
    """A history written by hand (`History.record`), as numbered lines under a
    heading that says so: not a run of the algorithm."""
    lines = [f"CONSTRUCTED by hand — {title} (proposed: {_values(proposed)})"]
    for i, h in enumerate(happenings, 1):
        what = h.describe() if isinstance(h, Learned) else \
            f"{h.sender} → {h.receiver}: {h.describe()}"
        lines.append(f"  {i}. {what}")
    return lines
