"""Every broken rule's counterexample, one menu away (beyond the paper: §2.2, §2.5).

`CounterexampleBrowser` is a `TracePlayer` with a menu of the variants that the
model checker found unsafe (`paxos_notes.checker.VARIANTS`). Choosing one replays
its stored shortest counterexample (`paxos_notes.checker.stored`, so no search
runs) in the simulator with `paxos_notes.script.replay`, plays it, and lists its
numbered steps in words (`paxos_notes.script.Run.lines`). Runs the checker did
not find — a run written by hand, say — can be added to the menu as `Run`\\ s.

A view only: the runs come from the core, the browser keeps which one is shown.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as w

from ..checker import VARIANTS
from ..checker.stored import stored
from ..script import Run, replay
from .trace_player import TracePlayer


def broken_variants() -> list[str]:
    """The variants the results file records as unsafe, in the order of ``VARIANTS``."""
    return [n for n in VARIANTS if not stored(n).safe]


def counterexample_run(name: str) -> Run:
    """The stored shortest counterexample of ``name``, replayed in the simulator."""
    if name not in VARIANTS or stored(name).safe:
        raise ValueError(f"name must be a broken variant, one of {broken_variants()}; "
                         f"got {name!r}")
    return replay(VARIANTS[name].cluster(), stored(name).steps)


class CounterexampleBrowser(w.VBox):
    """A menu of broken variants, the chosen one's counterexample in a `TracePlayer`,
    its one-sentence description, and its steps in words (folded).

    ``extra`` adds runs to the menu: name → (sentence, `Run`).
    """

    def __init__(self, variant: str | None = None,
                 extra: Mapping[str, tuple[str, Run]] | None = None) -> None:
        self._extra = dict(extra or {})
        names = [*broken_variants(), *self._extra]
        first = names[0] if variant is None else variant
        if first not in names:
            raise ValueError(f"variant must be one of {names}, got {first!r}")
        self._runs: dict[str, Run] = {n: run for n, (_, run) in self._extra.items()}
        self.menu = w.Dropdown(options=[(self._label(n), n) for n in names], value=first,
                               description="counterexample",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="460px"))
        self.sentence = w.HTML()
        self.steps_box = w.HTML()
        self.shown = ""
        self.player = TracePlayer(self.run(first).trace)
        super().__init__()
        self._show(first)
        self.menu.observe(lambda change: self._show(change["new"]), names="value")

    def __repr__(self) -> str:
        return f"CounterexampleBrowser({len(self.menu.options)} counterexamples)"

    def _label(self, name: str) -> str:
        steps = len(stored(name).steps) if name in VARIANTS and name not in self._extra \
            else len(self._extra[name][1].moments)
        return f"{name} ({steps} steps)"

    def run(self, name: str) -> Run:
        """The run shown for ``name`` (replayed once, then kept)."""
        if name not in self._runs:
            self._runs[name] = counterexample_run(name)
        return self._runs[name]

    def _show(self, name: str) -> None:
        if name != self.shown and self.shown:
            self.player.close()
            self.player = TracePlayer(self.run(name).trace)
        self.shown = name
        sentence = self._extra[name][0] if name in self._extra else VARIANTS[name].sentence
        self.sentence.value = f"<p><b>{html.escape(name)}</b>: {html.escape(sentence)}</p>"
        self.steps_box.value = ("<details><summary>the steps in words</summary><pre>"
                                + html.escape("\n".join(self.run(name).lines()))
                                + "</pre></details>")
        self.children = [self.menu, self.sentence, self.player, self.steps_box]

    def select(self, name: str) -> None:
        """Show the counterexample of ``name`` (what the menu does)."""
        self.menu.value = name
