"""Interactive views of the paper's arguments (ipywidgets), with static storyboards.

Each widget is a thin view: it holds view state (a cursor, a selection) and draws
every frame with a pure ``render(state) -> str`` (SVG text) that tests,
benchmarks and storyboards call without a browser.

| widget                  | paper      | module                   |
|-------------------------|------------|--------------------------|
| `QuorumIntersection`    | §2.2       | `quorum_intersection`    |
| `ProposalNumbering`     | §2.5       | `proposal_numbering`     |
| `P2cArgument`           | §2.2       | `p2c_argument`           |
| `TracePlayer`           | all        | `trace_player`           |
| `LogWidget`             | §3         | `log_widget`             |
| `TwoFacedGeneral`       | §2.1       | `two_faced_general`      |
| `CounterexampleBrowser` | §2.2, §2.5 | `counterexample_browser` |
| `SearchProgress`        | beyond     | `search_progress`        |

Widgets are imported lazily, so ``import paxos_notes.widgets`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "QuorumIntersection": "quorum_intersection",
    "ProposalNumbering": "proposal_numbering",
    "P2cArgument": "p2c_argument",
    "TracePlayer": "trace_player",
    "LogWidget": "log_widget",
    "TwoFacedGeneral": "two_faced_general",
    "CounterexampleBrowser": "counterexample_browser",
    "SearchProgress": "search_progress",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
