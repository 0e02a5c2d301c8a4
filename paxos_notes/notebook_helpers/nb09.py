"""Helpers for ``09_beyond_the_paper.ipynb``: model checking every rule of the paper.

The notebook shows what `paxos_notes.checker` finds for every variant of the
algorithm, replays each broken variant's shortest counterexample, and explains
why the counts can be trusted. Some searches take 5 to 25 s, too slow for a
notebook that runs in about 15 s, so their results live in a committed file,
``paxos_notes/data/checker_results.json``, written by
``benchmarks/checker_results.py``. This module

- loads that file (`results`) and turns it into tables (`variant_table`,
  `where_it_broke`, `shared_numbers_table`, `quorum_table`, `lamport_table`);
- re-runs cheap variants live and fails loudly if the file is stale (`recheck`);
- replays a stored counterexample in the simulator (`stored_counterexample`),
  lists it step by step with the step where a rule of the paper broke and the
  steps where values were chosen (`numbered_steps`, `milestones`), and picks
  storyboard frames (`key_cursors`);
- offers two widgets: `SearchProgress` (a progress bar over a live search) and
  `CounterexampleBrowser` (a TracePlayer with a menu of every broken variant);
- walks the smallest configurations of the ``lamport`` model state by state
  (`lamport_walk`) and compares its counts with TLC's (`TLC_FIGURES`).

Everything printed is deterministic: counts, steps and the seconds measured when
the file was written; nothing here prints a live timing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..checker import VARIANTS, AgentsResult, Step, check_agents, replay
from ..checker.lamport_fast import check_lamport
from ..checker.lamport_spec import check_lamport_naive, initial_state, successors
from ..checker.stored import (  # noqa: F401  (re-exported for notebook 09 and its tests)
    DATA_FILE,
    REGENERATE,
    SCHEMA,
    SCHEMA_VERSION,
    LamportRun,
    Results,
    StoredRun,
    parse_results,
    results,
    stored,
)
from ..invariants import P1A, P2C, REQUIREMENTS
from ..paper import Table
from ..trace import Event, Trace
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ACTIONS = ("propose", "deliver", "crash", "restart", "persist")
PAPER_RULES = (P1A, P2C)


# ---------------------------------------------------------------------------
# The committed results (read by paxos_notes.checker.stored)
# ---------------------------------------------------------------------------


def broken_variants() -> list[str]:
    """The variants the checker finds unsafe, in the order of ``VARIANTS``."""
    return [n for n in VARIANTS if not stored(n).safe]


def _expected(name: str) -> str:
    return "safe" if VARIANTS[name].expect_safe else "unsafe"


def variant_table() -> Table:
    """Every variant: what it changes, expected and found verdicts, counts, seconds."""
    rows = []
    for name, v in VARIANTS.items():
        r = stored(name)
        rows.append((name, v.sentence, _expected(name), r.verdict,
                     str(len(r.steps)) if r.steps else "—", f"{r.distinct_states:,}",
                     f"{r.seconds:.2f}"))
    return Table(("variant", "what it changes (one sentence)", "expected", "found",
                  "steps", "states", "seconds"), tuple(rows),
                 caption="Every variant of the algorithm, checked exhaustively within its bounds")


def bounds_text() -> str:
    """The bounds of every search, in words (the variants differ in two of them)."""
    base = [n for n in VARIANTS if stored(n).bounds["max_ballot"] == 1
            and not stored(n).bounds["max_crashes"]]
    two = [n for n in VARIANTS if stored(n).bounds["max_ballot"] == 2]
    crash = {who: [n for n in VARIANTS if stored(n).bounds["max_crashes"]
                   and stored(n).bounds["crashing"] == who + "s"]
             for who in ("acceptor", "proposer")}
    quiet = [n for n in VARIANTS if not stored(n).bounds["learners"]]
    b = stored("paper").bounds
    other = {n: stored(n).bounds["acceptors"] for n in VARIANTS
             if stored(n).bounds["acceptors"] != b["acceptors"]}
    return "\n".join([
        f"Every search: {b['acceptors']} acceptors a1..a3, {b['proposers']} proposers "
        f"(p1 wants 'x', p2 wants 'y'), 1 learner l1"
        + "".join(f"; {k} acceptors for {n}" for n, k in other.items()) + ".",
        f"Proposal numbers 0..1 (p1 may use 0, p2 may use 1) for {len(base)} variants; "
        f"0..2 (p1 may also use 2) for {', '.join(two)}.",
        *(f"At most one {who} crash (with restart) for {', '.join(names)}."
          for who, names in crash.items() if names),
        f"Deliveries to the learner not explored for {', '.join(quiet)} (its 'accepted' "
        f"messages still count towards 'chosen').",
    ])


def extra_lines() -> list[str]:
    """The stored searches with larger bounds than the variants' own, in words."""
    out = []
    for r in results().extra:
        b = r.bounds
        out.append(f"{r.variant} with proposal numbers 0..{b['max_ballot']}"
                   f"{'' if b['learners'] else ' (deliveries to the learner not explored)'}: "
                   f"{r.distinct_states:,} distinct states, {r.verdict}, "
                   f"{r.seconds:.0f} s when the file was written")
    return out


def summary_table(names: Sequence[str], caption: str = "") -> Table:
    """Stored counts of a few variants side by side."""
    rows = []
    for name in names:
        r = stored(name)
        rows.append((name, r.verdict, f"{r.distinct_states:,}", f"{r.states_generated:,}",
                     str(r.depth - 1)))
    return Table(("variant", "found", "states", "transitions", "farthest state (steps)"),
                 tuple(rows), caption=caption)


def states_figure() -> Figure:
    """States explored per variant (log scale); broken variants hatched, with steps."""
    names = list(VARIANTS)
    runs = [stored(n) for n in names]
    fig = new_figure(8.0, 0.32 * len(names) + 1.2)
    ax = fig.add_axes((0.27, 0.7 / (0.32 * len(names) + 1.2), 0.66,
                       1 - 1.05 / (0.32 * len(names) + 1.2)))
    ys = range(len(names))[::-1]
    for y, r in zip(ys, runs, strict=True):
        colour = pal.BLUE if r.safe else pal.VERMILLION
        ax.barh(y, r.distinct_states, color=colour, hatch=None if r.safe else "///",
                edgecolor=pal.INK, linewidth=0.6, height=0.7)
        label = "safe" if r.safe else f"unsafe, {len(r.steps)} steps"
        ax.text(r.distinct_states * 1.08, y, label, va="center", fontsize=8)
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(300, 1e6)
    ax.set_xlabel("distinct states explored (log scale)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title("The model checker on every variant: blue solid = safe, "
                 "vermillion hatched = unsafe", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


# ---------------------------------------------------------------------------
# Is the file current?
# ---------------------------------------------------------------------------


class StaleResults(AssertionError):
    """The committed results no longer match what the checker finds."""


def compare(name: str, live: AgentsResult) -> list[str]:
    """What differs between the stored search of ``name`` and ``live`` (empty: nothing)."""
    r = stored(name)
    diffs = []
    for field in ("distinct_states", "states_generated", "depth"):
        if getattr(r, field) != getattr(live, field):
            diffs.append(f"{field} {getattr(r, field)} stored, {getattr(live, field)} now")
    if r.rule != live.violation:
        diffs.append(f"verdict {r.rule!r} stored, {live.violation!r} now")
    if _shape(r.steps) != _shape(live.counterexample):
        diffs.append("the counterexample differs")
    return diffs


def _shape(steps: Iterable[Step]) -> tuple[tuple[str, str, Any], ...]:
    # What a step does, not how it is worded: the wording may improve without the
    # search changing, and the notebook shows the replay's own words anyway.
    return tuple((s.action, s.agent, s.message) for s in steps)


def recheck(names: Iterable[str]) -> Table:
    """Run ``names`` live and compare with the file; `StaleResults` if anything differs."""
    rows, stale = [], []
    for name in names:
        live = check_agents(name)
        r = stored(name)
        diffs = compare(name, live)
        stale += [f"{name}: {d}" for d in diffs]
        rows.append((name, f"{r.distinct_states:,}", f"{live.distinct_states:,}",
                     str(len(r.steps)) if r.steps else "—",
                     str(len(live.counterexample)) if live.counterexample else "—",
                     "yes" if not diffs else "NO"))
    if stale:
        raise StaleResults(f"{DATA_FILE} is stale ({'; '.join(stale)}): run {REGENERATE}")
    return Table(("variant", "states (file)", "states (now)", "steps (file)", "steps (now)",
                  "same"), tuple(rows), caption="Stored results against a live run")


def summary_line(result: AgentsResult) -> str:
    """One line about a live search: counts and verdict, no timing."""
    verdict = "no violation" if result.safe else \
        f"{result.violation} broken after {len(result.counterexample)} steps"
    return (f"{result.variant}: {result.distinct_states:,} distinct states, "
            f"{result.states_generated:,} transitions tried, the farthest state "
            f"{result.depth - 1} steps from the start; {verdict}; every state searched: "
            f"{result.complete}")


class SearchProgress(w.VBox):
    """A progress bar for one live `check_agents` search.

    Display it, then call `run` (from the same cell or the next): the bar fills
    as the search counts states (its maximum is the stored count, so it ends
    full when the file is current). The widget's text form is fixed, so no
    volatile number reaches the notebook's saved outputs.
    """

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
        self.bar.bar_style = "success" if not compare(self.variant, result) else "danger"
        return result


# ---------------------------------------------------------------------------
# Counterexamples, replayed
# ---------------------------------------------------------------------------


@cache
def _trace_json(name: str) -> str:
    r = stored(name)
    if r.safe:
        raise ValueError(f"variant must be a broken one, one of {broken_variants()}; "
                         f"{name!r} is safe")
    return replay(VARIANTS[name].cluster(), r.steps).trace.to_json()


def stored_counterexample(name: str) -> Trace:
    """The stored shortest counterexample of ``name``, replayed in the simulator.

    The same `Trace` as ``paxos_notes.checker.counterexample(name)``, without the
    search (the tests check that the two agree).
    """
    return Trace.from_json(_trace_json(name))


@dataclass(frozen=True)
class ActionStep:
    """One checker step of a replayed trace: its number, the action, what followed."""

    number: int
    action: Event
    events: tuple[Event, ...]
    cursor: int  # trace position just after this step's last event


def action_steps(trace: Trace) -> list[ActionStep]:
    """Group a trace's events by the checker's steps.

    The replay makes a copy of a message that the checker delivers twice (the
    simulator removes a message when it delivers it); such a copy is its own
    simulator step but not a checker step, so it is folded into the next one.
    """
    steps: list[ActionStep] = []
    pending: list[Event] = []
    by_step: dict[int, list[tuple[int, Event]]] = {}
    for i, e in enumerate(trace.events, 1):
        by_step.setdefault(e.step, []).append((i, e))
    for _, group in sorted(by_step.items()):
        events = [e for _, e in group]
        actions = [e for e in events if e.kind in ACTIONS]
        if not actions:
            pending += events
            continue
        steps.append(ActionStep(len(steps) + 1, actions[0], (*pending, *events),
                                group[-1][0]))
        pending = []
    return steps


@dataclass(frozen=True)
class Milestones:
    """Where a counterexample goes wrong, in checker steps (1-based) and trace cursors."""

    steps: int
    rule_step: int | None  # first step that broke a rule of §2.2 (P1a, P2c), if any
    rule: str | None  # the violation's text
    first_chosen_step: int
    safety_step: int  # the step at which a second value was chosen
    rule_cursor: int | None
    first_chosen_cursor: int
    safety_cursor: int


def milestones(trace: Trace) -> Milestones:
    rule_step = rule = rule_cursor = None
    first = first_cursor = safety = safety_cursor = None
    for s in action_steps(trace):
        for e in s.events:
            if e.kind == "violation" and e.detail.split(":")[0] in PAPER_RULES \
                    and rule_step is None:
                rule_step, rule, rule_cursor = s.number, e.detail, s.cursor
            if e.kind == "chosen" and first is None:
                first, first_cursor = s.number, s.cursor
            if e.kind == "violation" and e.detail.split(":")[0] in REQUIREMENTS \
                    and safety is None:
                safety, safety_cursor = s.number, s.cursor
    if first is None or safety is None or first_cursor is None or safety_cursor is None:
        raise ValueError("trace must end with two values chosen (a counterexample)")
    return Milestones(len(action_steps(trace)), rule_step, rule, first, safety, rule_cursor,
                      first_cursor, safety_cursor)


def _memory(state: Mapping[str, Any] | None) -> str:
    st = state or {}
    promised, accepted = st.get("promised"), st.get("accepted")
    p = "nothing" if promised is None else str(promised.natural)
    a = "nothing" if accepted is None else f"({accepted.number.natural}, {accepted.value!r})"
    return f"promised {p}, accepted {a}"


def _action_text(e: Event) -> str:
    if e.kind == "propose":
        return f"{e.agent} {e.detail}"
    if e.kind == "crash":
        return f"{e.agent} crashes (on stable storage: {_memory(e.state)})"
    if e.kind == "restart":
        return f"{e.agent} restarts and remembers: {_memory(e.state)}"
    if e.kind == "persist":
        return f"{e.agent} writes its state to stable storage"
    return e.describe()


def numbered_steps(trace: Trace) -> list[str]:
    """The counterexample as numbered actions, each with what it caused.

    Under each action: promises and acceptances; ``RULE BROKEN`` where a rule of
    §2.2 (P1a, P2c) is broken; ``chosen`` when a proposal gets a majority; and
    ``SAFETY BROKEN`` at the step where a second value is chosen.
    """
    lines = []
    for s in action_steps(trace):
        lines.append(f"{s.number:2}. {_action_text(s.action)}")
        for e in s.events:
            if e.kind in ("promise", "accept"):
                lines.append(f"      {e.agent} {e.detail}")
            elif e.kind == "duplicate" and e.message is not None:
                lines.append(f"      (the network keeps a copy of {e.message.describe()} "
                             f"for {e.message.receiver}: it is delivered again later)")
            elif e.kind == "chosen":
                lines.append(f"      {e.detail}")
            elif e.kind == "violation":
                rule = e.detail.split(":")[0]
                tag = "RULE BROKEN" if rule in PAPER_RULES else "SAFETY BROKEN"
                lines.append(f"      {tag} — {e.detail}")
    return lines


def compact_steps(name: str) -> list[str]:
    """A stored counterexample in one line per step, the milestones marked."""
    trace = stored_counterexample(name)
    m = milestones(trace)
    out = []
    for s in action_steps(trace):
        marks = []
        if s.number == m.rule_step and m.rule:
            marks.append(f"rule broken: {m.rule.split(':')[0]}")
        for e in s.events:
            if e.kind == "chosen" and e.state and e.state.get("chosen"):
                p = e.state["chosen"][-1]
                marks.append(f"({p.number.natural}, {p.value!r}) chosen")
        if s.number == m.safety_step:
            marks.append("two values chosen")
        tail = f"   <- {'; '.join(marks)}" if marks else ""
        out.append(f"{s.number:2}. {_action_text(s.action)}{tail}")
    return out


def where_it_broke() -> Table:
    """Every broken variant: the step where a rule of §2.2 broke, and where safety did."""
    rows = []
    for name in broken_variants():
        m = milestones(stored_counterexample(name))
        rule = f"step {m.rule_step}: {m.rule.split(':')[0]}" if m.rule else "none broken"
        rows.append((name, str(m.steps), rule, f"step {m.first_chosen_step}",
                     f"step {m.safety_step}"))
    return Table(("variant", "steps", "a rule of §2.2 (P1a, P2c)", "first value chosen",
                  "second value chosen"), tuple(rows),
                 caption="Where each counterexample goes wrong")


def cursor_after(trace: Trace, step: int) -> int:
    """The trace position just after checker step ``step`` (1-based; 0 is the start)."""
    if step == 0:
        return 0
    steps = action_steps(trace)
    if not 1 <= step <= len(steps):
        raise ValueError(f"step must be in 0..{len(steps)}, got {step}")
    return steps[step - 1].cursor


def key_cursors(trace: Trace) -> list[int]:
    """Four storyboard frames: end of the set-up, the rule broken (or the first
    acceptance), the first value chosen, the second value chosen."""
    m = milestones(trace)
    steps = action_steps(trace)
    first_accept = next(s.cursor for s in steps if any(e.kind == "accept" for e in s.events))
    broken = m.rule_cursor if m.rule_cursor is not None else first_accept
    # the set-up: the last step before the break that was not a delivery to a proposer
    before = [s for s in steps if s.cursor < broken]
    setup = before[-2].cursor if len(before) >= 2 else 0
    picks = []
    for c in (setup, broken, m.first_chosen_cursor, m.safety_cursor):
        if c not in picks:
            picks.append(c)
    return sorted(picks)


class CounterexampleBrowser(w.VBox):
    """A TracePlayer with a menu of every broken variant, and the steps in words."""

    def __init__(self, variant: str | None = None) -> None:
        from ..widgets import TracePlayer

        self._player_class = TracePlayer
        names = broken_variants()
        first = variant or names[0]
        if first not in names:
            raise ValueError(f"variant must be one of {names}, got {first!r}")
        self.menu = w.Dropdown(
            options=[(f"{n} ({len(stored(n).steps)} steps)", n) for n in names], value=first,
            description="broken variant", style={"description_width": "initial"},
            layout=w.Layout(width="420px"))
        self.sentence = w.HTML()
        self.steps_box = w.HTML()
        self.player = TracePlayer(stored_counterexample(first))
        super().__init__()
        self._show(first)
        self.menu.observe(lambda ch: self._show(ch["new"]), names="value")

    def __repr__(self) -> str:
        return f"CounterexampleBrowser({len(self.menu.options)} broken variants)"

    def _show(self, name: str) -> None:
        import html

        if name != getattr(self.player, "_variant", None):
            if getattr(self.player, "_variant", None) is not None:
                self.player.close()
                self.player = self._player_class(stored_counterexample(name))
            self.player._variant = name  # type: ignore[attr-defined]
        self.sentence.value = f"<p><b>{html.escape(name)}</b>: " \
                              f"{html.escape(VARIANTS[name].sentence)}</p>"
        self.steps_box.value = ("<details><summary>the steps in words</summary><pre>"
                                + html.escape("\n".join(compact_steps(name)))
                                + "</pre></details>")
        self.children = [self.menu, self.sentence, self.player, self.steps_box]

    def select(self, name: str) -> None:
        """Show the counterexample of ``name`` (what the menu does)."""
        self.menu.value = name


# ---------------------------------------------------------------------------
# Shared numbers, quorums
# ---------------------------------------------------------------------------


def shared_numbers_table() -> Table:
    """The paper, and the two changes that shared numbers combine."""
    rows = []
    for name, disjoint, repeated in (("paper", "yes", "no (strictly greater)"),
                                     ("repeated-prepare", "yes", "yes"),
                                     ("shared-numbers-strict", "no", "no (strictly greater)"),
                                     ("shared-numbers", "no", "yes")):
        r = stored(name)
        rows.append((name, disjoint, repeated, r.verdict, f"{r.distinct_states:,}",
                     str(len(r.steps)) if r.steps else "—"))
    return Table(("variant", "numbers from disjoint sets (§2.5)",
                  "answers a repeated prepare", "found", "states", "steps"), tuple(rows),
                 caption="Shared proposal numbers are unsafe only together with repeated "
                         "prepares")


def quorum_table() -> Table:
    """The quorum variants: sizes, the intersection condition, and the verdict."""
    rows = []
    for name in ("paper", "small-quorum", "flexible-safe", "flexible-unsafe"):
        cluster = VARIANTS[name].cluster()
        system = cluster.quorum_system
        n = cluster.acceptors
        q1 = min(len(q) for q in system.minimal_quorums(1))
        q2 = min(len(q) for q in system.minimal_quorums(2))
        r = stored(name)
        rows.append((name, system.describe(), f"{q1} + {q2} = {q1 + q2}",
                     f"{q1 + q2} > {n}" if q1 + q2 > n else f"{q1 + q2} ≤ {n}", r.verdict,
                     f"{r.distinct_states:,}"))
    return Table(("variant", "quorums", "|Q1| + |Q2|", "against n", "found", "states"),
                 tuple(rows), caption="Quorum sizes and the checker's verdicts (n = 3)")


# ---------------------------------------------------------------------------
# The lamport model
# ---------------------------------------------------------------------------

# TLC's figures (distinct states, states generated, depth) for the lamport
# model's configurations (acceptors, values, max ballot, symmetry), with where
# each comes from. The same figures are asserted in tests/test_checker_lamport.py
# (its TLC_COUNTS and the comment below it); tests/test_notebook_helpers_nb09.py
# checks that the two lists agree.
TLC_FIGURES: dict[tuple[int, int, int, bool], tuple[int, int, int, str]] = {
    (3, 2, 1, False): (3921, 23563, 17, "tlaplus/Examples manifest (MCPaxosTiny)"),
    (3, 2, 1, True): (443, 2697, 17, "TLC 2.15, run by the lamport model's author"),
    (3, 2, 2, False): (185369, 1361380, 25, "TLC 2.15, run by the lamport model's author"),
    (3, 2, 2, True): (17153, 127002, 25, "TLC 2.15, run by the lamport model's author"),
    (4, 2, 1, False): (20609, 142947, 21, "TLC 2.15, run by the lamport model's author"),
    (4, 2, 1, True): (834, 5880, 21, "TLC 2.15, run by the lamport model's author"),
    (4, 2, 2, True): (57436, 476405, 31, "TLC 2.15, run by the lamport model's author"),
    (5, 2, 1, False): (701505, 6147491, 25, "TLC 2.15, run by the lamport model's author"),
    (5, 2, 1, True): (5811, 51605, 25, "TLC 2.15, run by the lamport model's author"),
    (3, 2, 3, True): (710709, 6134208, 33, "TLC 2.15, run by the lamport model's author"),
}


def _config(config: tuple[int, int, int, bool]) -> str:
    a, v, b, sym = config
    return (f"{a} acceptor{'s' if a > 1 else ''}, {v} value{'s' if v > 1 else ''}, "
            f"ballots 0..{b}" + (", symmetry" if sym else ""))


def lamport_table() -> Table:
    """The stored ``lamport`` searches beside TLC's figures for the same configurations."""
    rows = []
    for r in results().lamport:
        tlc = TLC_FIGURES.get(r.config)
        same = "—" if tlc is None else \
            ("yes" if tlc[:3] == (r.distinct_states, r.states_generated, r.depth) else "NO")
        rows.append((_config(r.config), f"{r.distinct_states:,}", f"{r.states_generated:,}",
                     str(r.depth), f"{r.seconds:.2f}",
                     "—" if tlc is None else f"{tlc[0]:,} / {tlc[1]:,} / {tlc[2]}", same))
    return Table(("configuration", "distinct states", "states generated", "depth",
                  "seconds (ours)", "TLC: distinct / generated / depth", "same"), tuple(rows),
                 caption="The lamport model on larger configurations, against TLC")


def _spec_message(m: tuple[Any, ...]) -> str:
    kind = m[0]
    if kind == "1a":
        return f"1a({m[1]})"
    if kind == "1b":
        vote = "no vote" if m[3] == -1 else f"vote {m[3]} v{m[4] + 1}"
        return f"1b(a{m[1] + 1}, {m[2]}, {vote})"
    if kind == "2a":
        return f"2a({m[1]}, v{m[2] + 1})"
    return f"2b(a{m[1] + 1}, {m[2]}, v{m[3] + 1})"


def lamport_walk(acceptors: int = 1, values: int = 1, max_ballot: int = 0) -> list[str]:
    """Every reachable state of Lamport's spec, breadth first, with every successor TLC
    generates from it (new, already seen, or a stuttering step back to itself)."""
    init = initial_state(acceptors)
    names: dict[Any, str] = {init: "S0"}
    queue = [init]
    lines = []
    generated = 1
    for s in queue:
        msgs = ", ".join(sorted(_spec_message(m) for m in s.msgs)) or "no messages"
        lines.append(f"{names[s]} = {{{msgs}}}")
        for action, t in successors(acceptors, values, max_ballot, s):
            generated += 1
            if t == s:
                note = "a stuttering step (nothing changes)"
            elif t in names:
                note = f"{names[t]} again"
            else:
                names[t] = f"S{len(names)}"
                queue.append(t)
                note = f"new state {names[t]}"
            lines.append(f"    {action} -> {note}")
    lines.append(f"distinct states {len(names)}, states generated {generated} "
                 f"(the initial state + {generated - 1} successors)")
    return lines


def fast_vs_naive(configs: Sequence[tuple[int, int, int, bool]]) -> Table:
    """Both implementations of the lamport model on small configurations, live."""
    rows = []
    for a, v, b, sym in configs:
        fast = check_lamport(a, v, b, symmetry=sym)
        naive = check_lamport_naive(a, v, b, symmetry=sym)
        f = (fast.distinct_states, fast.states_generated, fast.depth)
        n = (naive.distinct_states, naive.states_generated, naive.depth)
        tlc = TLC_FIGURES.get((a, v, b, sym))
        rows.append((_config((a, v, b, sym)), " / ".join(map(str, f)),
                     " / ".join(map(str, n)), "yes" if f == n else "NO",
                     "—" if tlc is None else ("yes" if tlc[:3] == f else "NO")))
    return Table(("configuration", "fast: distinct / generated / depth",
                  "naive: distinct / generated / depth", "same", "same as TLC"), tuple(rows),
                 caption="The fast search against the readable one, run now")
