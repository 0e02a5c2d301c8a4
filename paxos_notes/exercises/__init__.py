"""Self-checks for the notebooks' exercises.

Every exercise has an id (``"02.1"``: notebook 02, exercise 1) and a checker
that says whether an answer is right and *why*. A notebook cell calls
``check("02.1", answer)``; the answer the notebook ships with is ``None``, for
which the feedback says that no answer was given yet (so the committed output
is the same for every reader and for strict nbval).

Exercise checkers live in one module per notebook (``nb02.py``, ...), each
registering its functions with `exercise`. They return ``(right, reason)``.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Checker = Callable[[Any], tuple[bool, str]]
_REGISTRY: dict[str, Checker] = {}


def exercise(exercise_id: str) -> Callable[[Checker], Checker]:
    """Register ``fn`` as the checker of ``exercise_id``."""

    def register(fn: Checker) -> Checker:
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = fn
        return fn

    return register


@dataclass(frozen=True)
class Feedback:
    exercise: str
    answered: bool
    right: bool
    reason: str

    @property
    def verdict(self) -> str:
        if not self.answered:
            return "No answer yet"
        return "Right" if self.right else "Not quite"

    def __repr__(self) -> str:
        mark = {"Right": "✓", "Not quite": "✗"}.get(self.verdict, "…")
        return f"{mark} {self.verdict} ({self.exercise}): {self.reason}"

    def _repr_html_(self) -> str:
        colour = {"Right": "#009E73", "Not quite": "#D55E00"}.get(self.verdict, "#555555")
        return (f'<div style="border-left:4px solid {colour};padding:2px 8px">'
                f"<b>{html.escape(self.verdict)}</b> ({html.escape(self.exercise)}): "
                f"{html.escape(self.reason)}</div>")


# -- reading answers -------------------------------------------------------------
# Readers type answers in many shapes (4, "4", [4, 5], "5"); checkers accept them
# all and reject what is not a number rather than guessing.


def as_int(answer: Any) -> int | None:
    """A whole number from an int or a string of digits; None otherwise (bools too)."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, str) and answer.strip().isdigit():
        return int(answer.strip())
    return None


def as_ints(answer: Any) -> set[int] | None:
    """A set of whole numbers from one or many; None if any item is not one."""
    if isinstance(answer, (int, str)):
        answer = [answer]
    try:
        items = [as_int(x) for x in answer]
    except TypeError:
        return None
    if any(x is None for x in items):
        return None
    return set(items)  # type: ignore[arg-type]


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{info.name}")


def exercises() -> list[str]:
    """Every registered exercise id, in order."""
    _load_all()
    return sorted(_REGISTRY)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Say whether ``answer`` is right for ``exercise_id``, and why."""
    _load_all()
    if exercise_id not in _REGISTRY:
        raise ValueError(f"exercise_id must be one of {sorted(_REGISTRY)}, got {exercise_id!r}")
    if answer is None or answer is ...:
        return Feedback(exercise_id, False, False,
                        "replace None with your answer in the cell above and run both cells.")
    right, reason = _REGISTRY[exercise_id](answer)
    return Feedback(exercise_id, True, right, reason)
