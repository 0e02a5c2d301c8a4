"""Presentation for ``09_beyond_the_paper.ipynb``: the model checker's results as
tables, a figure and short listings. The results come from the core: the committed
file (`paxos_notes.checker.stored`), counterexamples replayed by
`paxos_notes.script.replay`, TLC's figures (`paxos_notes.checker.lamport_spec`). No
live timing is printed; the seconds shown were measured when the file was written."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..checker import VARIANTS
from ..checker.lamport_spec import TLC_FIGURES
from ..checker.spec_trace import Validation, validate_stored
from ..checker.stored import results, stored
from ..invariants import P1A, P2C
from ..paper import Table
from ..script import Run, replay
from ..widgets import palette as pal
from ..widgets._draw import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def counterexample(name: str) -> Run:
    """The stored shortest counterexample of ``name``, replayed in the simulator."""
    return replay(VARIANTS[name].cluster(), stored(name).steps)


def rule_broken(run: Run) -> tuple[int, str] | None:
    """The first step at which a rule of §2.2 (P1a, P2c) broke, and which."""
    first = run.first_broken((P1A, P2C))
    return None if first is None else (first[0], first[1].split(":")[0])


def variant_table() -> Table:
    """Every variant: what it changes, expected and found verdicts, counts, seconds."""
    rows = []
    for name, v in VARIANTS.items():
        r = stored(name)
        rows.append((name, v.sentence, "safe" if v.expect_safe else "unsafe", r.verdict,
                     str(len(r.steps)) if r.steps else "—", f"{r.distinct_states:,}",
                     f"{r.seconds:.2f}"))
    return Table(("variant", "what it changes (one sentence)", "expected", "found", "steps",
                  "states", "seconds"), tuple(rows),
                 caption="Every variant of the algorithm, checked exhaustively within its bounds")


def bounds_text() -> str:
    """The bounds of every search, in words: the defaults, and who differs."""
    def names(test: Callable[[Mapping[str, Any]], bool]) -> str:
        return ", ".join(n for n in VARIANTS if test(stored(n).bounds))

    crashes = [f"At most one {who} crash (with restart) for "
               f"{names(lambda b, w=who: bool(b['max_crashes']) and b['crashing'] == w + 's')}."
               for who in ("acceptor", "proposer")]
    return "\n".join([
        "Every search: 3 acceptors a1..a3, 2 proposers (p1 wants 'x', p2 wants 'y'), 1 "
        f"learner l1; 4 acceptors for {names(lambda b: b['acceptors'] == 4)}.",
        "Proposal numbers 0..1 (p1 may use 0, p2 may use 1); 0..2 (p1 may also use 2) for "
        f"{names(lambda b: b['max_ballot'] == 2)}.", *crashes,
        f"Deliveries to the learner not explored for {names(lambda b: not b['learners'])} "
        "(its 'accepted' messages still count towards 'chosen')."])


def states_figure() -> Figure:
    """States explored per variant (log scale); broken variants hatched, with steps."""
    names = list(VARIANTS)
    height = 0.32 * len(names) + 1.2
    fig = new_figure(8.0, height)
    ax = fig.add_axes((0.27, 0.7 / height, 0.66, 1 - 1.05 / height))
    for y, name in zip(range(len(names))[::-1], names, strict=True):
        r = stored(name)
        ax.barh(y, r.distinct_states, color=pal.BLUE if r.safe else pal.VERMILLION,
                hatch=None if r.safe else "///", edgecolor=pal.INK, linewidth=0.6, height=0.7)
        ax.text(r.distinct_states * 1.08, y, "safe" if r.safe else f"unsafe, {len(r.steps)} steps",
                va="center", fontsize=8)
    ax.set_yticks(list(range(len(names))[::-1]), names, fontsize=8)
    ax.set(xscale="log", xlim=(300, 1e6))
    ax.set_xlabel("distinct states explored (log scale)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title("The model checker on every variant: blue solid = safe, vermillion hatched = "
                 "unsafe", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def where_it_broke() -> Table:
    """Every broken variant: the step where a rule of §2.2 broke, where values were chosen."""
    rows = []
    for name in (n for n in VARIANTS if not stored(n).safe):
        run = counterexample(name)
        rule = rule_broken(run)
        rows.append((name, str(len(run.moments)),
                     "none broken" if rule is None else f"step {rule[0]}: {rule[1]}",
                     f"step {run.first('chosen')}", f"step {run.first_two_values()}"))
    return Table(("variant", "steps", "a rule of §2.2 (P1a, P2c)", "first value chosen",
                  "second value chosen"), tuple(rows),
                 caption="Where each counterexample goes wrong")


def compact(run: Run) -> list[str]:
    """A run in one line per step, with what was chosen and broken marked on the right."""
    rule, chosen, lines = rule_broken(run), set(), []
    for m in run.moments:
        marks = [f"rule broken: {rule[1]}"] if rule is not None and m.number == rule[0] else []
        for e in m.events:
            if e.kind == "chosen" and e.state:
                marks += [f"({p.number.natural}, {p.value!r}) chosen"
                          for p in e.state.get("chosen", ()) if p not in chosen]
                chosen.update(e.state.get("chosen", ()))
        if m.number == run.first_two_values():
            marks.append("two values chosen")
        lines.append(f"{m.number:2}. {m.action}" + (f"   <- {'; '.join(marks)}" if marks else ""))
    return lines


def stored_table(names: Sequence[str], caption: str,
                 **columns: Sequence[str]) -> Table:
    """Stored counts of a few variants side by side; ``columns``: more, one value a row."""
    extra = {k.replace("_", " "): v for k, v in columns.items()}
    rows = []
    for k, name in enumerate(names):
        r = stored(name)
        rows.append((name, *(v[k] for v in extra.values()), r.verdict,
                     f"{r.distinct_states:,}", str(len(r.steps)) if r.steps else "—"))
    return Table(("variant", *extra, "found", "states", "steps"), tuple(rows), caption=caption)


def quorum_table(names: Sequence[str]) -> Table:
    """Quorum variants: sizes, the intersection condition against n, the verdict."""
    rows = []
    for name in names:
        cluster = VARIANTS[name].cluster()
        system, n = cluster.quorum_system, cluster.acceptors
        q1, q2 = (min(len(q) for q in system.minimal_quorums(p)) for p in (1, 2))
        r = stored(name)
        rows.append((name, str(n), system.describe(), f"{q1} + {q2} = {q1 + q2}",
                     f"{q1 + q2} > {n}" if q1 + q2 > n else f"{q1 + q2} ≤ {n}", r.verdict,
                     f"{r.distinct_states:,}"))
    return Table(("variant", "n", "quorums", "|Q1| + |Q2|", "against n", "found", "states"),
                 tuple(rows), caption="Quorum sizes and the checker's verdicts")


def lamport_config(config: tuple[int, int, int, bool]) -> str:
    a, v, b, sym = config
    return (f"{a} acceptor{'s' if a > 1 else ''}, {v} value{'s' if v > 1 else ''}, "
            f"ballots 0..{b}" + (", symmetry" if sym else ""))


def lamport_table() -> Table:
    """The stored ``lamport`` searches beside TLC's figures for the same configurations."""
    rows = []
    for r in results().lamport:
        tlc = TLC_FIGURES.get(r.config)
        ours = (r.distinct_states, r.states_generated, r.depth)
        rows.append((lamport_config(r.config), f"{r.distinct_states:,}",
                     f"{r.states_generated:,}", str(r.depth), f"{r.seconds:.2f}",
                     "—" if tlc is None else f"{tlc[0]:,} / {tlc[1]:,} / {tlc[2]}",
                     "—" if tlc is None else ("yes" if tlc[:3] == ours else "NO")))
    return Table(("configuration", "distinct states", "states generated", "depth",
                  "seconds (ours)", "TLC: distinct / generated / depth", "same"), tuple(rows),
                 caption="The lamport model on larger configurations, against TLC")


def spec_steps(validation: Validation) -> Table:
    """A run validated against ``Paxos.tla``: each step, the spec action it is, the
    spec's per-acceptor variables after it (listed in the order a1, a2, ...) and the
    message it adds to ``msgs`` (a Phase2a step changes nothing else)."""
    def show(xs: Sequence[Any]) -> str:
        return " ".join(str(x) for x in xs)
    rows = tuple((str(r["step"]), r["event"], r["spec action"], show(r["maxBal"]),
                  show(r["maxVBal"]), show(r["maxVal"]), r["new message"])
                 for r in validation.table())
    return Table(("step", "event", "spec action", "maxBal", "maxVBal", "maxVal", "new message"),
                 rows, caption=validation.verdict())


def spec_departures(names: Sequence[str]) -> Table:
    """Where each variant's stored counterexample first leaves ``Paxos.tla``."""
    rows = []
    for name in names:
        d = validate_stored(name).departure
        rows.append((name, "—", "stays inside the spec", "", "") if d is None else
                    (name, str(d.step), d.what, d.action, f"{d.condition} ({d.detail})"))
    return Table(("variant", "step", "what the agents did", "resembles", "what fails"),
                 tuple(rows),
                 caption="Where each broken rule leaves Lamport's spec")
