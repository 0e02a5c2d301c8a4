"""A progress bar over one live model-checker search (beyond the paper).

`SearchProgress` shows `paxos_notes.checker.check_agents` counting states. Its
maximum is the count the committed results file recorded
(`paxos_notes.checker.stored`), so the bar ends full, and green, exactly when the
live search finds what the file says (`paxos_notes.checker.stored.differences`).
Its text form is fixed, so no volatile number reaches a notebook's saved outputs.
"""

from __future__ import annotations

import ipywidgets as w

from ..checker import AgentsResult, check_agents
from ..checker.stored import differences, stored


class SearchProgress(w.VBox):
    """Display it, then call `run` (in the same cell or the next)."""

    def __init__(self, variant: str = "paper") -> None:
        self.variant = variant
        total = stored(variant).distinct_states
        self.bar = w.IntProgress(value=0, min=0, max=total, description=variant,
                                 style={"description_width": "initial"},
                                 layout=w.Layout(width="420px"))
        self.label = w.HTML(value=f"not started: {total:,} states expected")
        super().__init__(children=[self.bar, self.label])

    def __repr__(self) -> str:
        return f"SearchProgress({self.variant!r})"

    def update(self, states: int, depth: int, queue: int, seconds: float) -> None:
        """The checker's ``progress`` callback."""
        self.bar.value = min(states, self.bar.max)
        self.label.value = (f"{states:,} states, depth {depth}, {queue:,} waiting to be "
                            f"explored, {seconds:.1f} s")

    def run(self) -> AgentsResult:
        """Search every state of the variant, updating the bar; return the result."""
        result = check_agents(self.variant, progress=self.update)
        same = not differences(stored(self.variant), result)
        self.bar.bar_style = "success" if same else "danger"
        return result
