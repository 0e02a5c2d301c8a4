"""Helpers for ``02_the_problem.ipynb`` (§2.1 The Problem).

- `requirement_report`: the three safety requirements of §2.1 judged on a
  `paxos_notes.invariants.History`, as a table;
- `constructed`: hand-fed histories, each built to break one requirement, so
  the reader sees that the checks can fail (and what they say when they do);
- `fault_tour`: a scripted manual-mode `Simulation` in which each fault that
  §2.1's model allows happens once, with one numbered line per action;
- `numbered_steps`, `same_schedule`: a model-checker counterexample as numbered
  steps, and the same schedule replayed under other rules;
- the Byzantine sidebar: `generals` (a naive majority vote among five generals,
  one of whom may be two-faced) and the `TwoFacedGeneral` widget over it.

Nothing here is random: the simulations are manual, and the vote is a pure
function of who votes what and who lies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import ipywidgets as w

from ..agents import Acceptor
from ..ballots import ProposalNumber
from ..checker import Step, replay
from ..cluster import Cluster
from ..invariants import (
    ONLY_CHOSEN_LEARNED,
    ONLY_PROPOSED,
    REQUIREMENTS,
    SINGLE_VALUE,
    History,
)
from ..messages import Accept, Accepted, Message, Prepare, Promise, Proposal, Value
from ..paper import Table
from ..quorums import Majority, acceptor_names
from ..sim import Simulation
from ..trace import Trace
from ..widgets import palette as pal
from ..widgets._base import FrameWidget
from ..widgets._draw import Canvas, storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LABELS = ("Safety 1", "Safety 2", "Safety 3")  # paxos_notes.paper quote labels
PROPOSERS = 2  # proposal numbers below are the paper's natural numbers for 2 proposers


def number(natural: int, proposers: int = PROPOSERS) -> ProposalNumber:
    """The proposal number the paper would write as ``natural``."""
    return ProposalNumber.from_natural(natural, proposers)


def proposal(natural: int, value: Value) -> Proposal:
    return Proposal(number(natural), value)


# ---------------------------------------------------------------------------
# The three requirements as a table
# ---------------------------------------------------------------------------


def _values(values: Iterable[Value]) -> str:
    vs = sorted(set(values))
    return ", ".join(repr(v) for v in vs) if vs else "nothing"


def requirement_report(history: History) -> Table:
    """One row per safety requirement of §2.1: holds or BROKEN, and the facts.

    Violations of the two derived rules the history also checks (P1a, P2c) are
    listed under the table's caption, since they are §2.2's business.
    """
    broken = {rule: [v.detail for v in history.violations if v.rule == rule]
              for rule in REQUIREMENTS}
    facts = {
        ONLY_PROPOSED: f"chosen: {_values(history.chosen_values)}; proposed: "
                       f"{_values(history.proposed)}",
        SINGLE_VALUE: f"values chosen: {_values(history.chosen_values)} (by "
                      f"{len(history.chosen)} proposal{'' if len(history.chosen) == 1 else 's'})",
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


# ---------------------------------------------------------------------------
# Hand-fed histories, built to break a requirement
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Learn:
    """A learner declaring that it has learned ``proposal`` (not a message)."""

    learner: str
    proposal: Proposal

    def describe(self) -> str:
        return f"{self.learner} learns {self.proposal.value!r}"


Fed = Message | Learn


def _line(item: Fed) -> str:
    if isinstance(item, Learn):
        return item.describe()
    return f"{item.sender} → {item.receiver}: {item.describe()}"


@dataclass(frozen=True)
class Constructed:
    """A history fed by hand, message by message. Not a run of the algorithm."""

    title: str
    proposed: tuple[Value, ...]
    fed: tuple[Fed, ...]

    @property
    def history(self) -> History:
        return feed(self.proposed, self.fed)

    def lines(self) -> list[str]:
        head = f"CONSTRUCTED by hand — {self.title} (proposed: {_values(self.proposed)})"
        return [head, *(f"  {i}. {_line(x)}" for i, x in enumerate(self.fed, 1))]


def feed(proposed: Iterable[Value], items: Iterable[Fed], acceptors: int = 3) -> History:
    """A `History` over a majority of ``acceptors``, fed ``items`` in order."""
    h = History(Majority(acceptor_names(acceptors)), proposed)
    for item in items:
        if isinstance(item, Learn):
            h.record_learned(item.learner, item.proposal)
        else:
            h.record_sent(item)
    return h


def _accepted(acceptor: str, natural: int, value: Value, learner: str = "l1") -> Accepted:
    return Accepted(acceptor, learner, number(natural), value)


CONSTRUCTED: dict[int, Constructed] = {
    1: Constructed(
        "a value nobody proposed is accepted by a majority",
        ("x", "y"),
        (_accepted("a1", 0, "z"), _accepted("a2", 0, "z"))),
    2: Constructed(
        "two proposals with different values are each accepted by a majority",
        ("x", "y"),
        (_accepted("a1", 0, "x"), _accepted("a2", 0, "x"),
         _accepted("a2", 1, "y"), _accepted("a3", 1, "y"))),
    3: Constructed(
        "a learner announces a value that only one acceptor accepted",
        ("x", "y"),
        (_accepted("a1", 0, "x"), Learn("l1", proposal(0, "x")))),
}

EXERCISE_HISTORY = Constructed(
    "the history of exercise 02.2",
    ("x", "y"),
    (_accepted("a1", 0, "x"), _accepted("a2", 0, "x"), _accepted("a3", 1, "y"),
     Learn("l1", proposal(1, "y"))),
)


def two_faced_acceptor() -> Constructed:
    """What one Byzantine acceptor (a2) can do to Paxos with three acceptors.

    a2 accepts (0, 'x') with a1, then, asked by p2 for a promise, claims it has
    accepted nothing; so p2 may propose its own 'y', which a3 and a2 accept.
    Each majority ({a1, a2} and {a2, a3}) is real as far as messages go: two
    learners learn two values.
    """
    n0, n1 = number(0), number(1)
    return Constructed(
        "a2 is two-faced; a1, a3, p1 and p2 follow the paper",
        ("x", "y"),
        (Promise("a1", "p1", n0, None), Promise("a2", "p1", n0, None),
         Accept("p1", "a1", n0, "x"), Accept("p1", "a2", n0, "x"),
         _accepted("a1", 0, "x", "l1"), _accepted("a2", 0, "x", "l1"),
         Learn("l1", proposal(0, "x")),
         Promise("a2", "p2", n1, None),  # the lie: a2 has accepted (0, 'x')
         Promise("a3", "p2", n1, None),
         Accept("p2", "a2", n1, "y"), Accept("p2", "a3", n1, "y"),
         _accepted("a2", 1, "y", "l2"), _accepted("a3", 1, "y", "l2"),
         Learn("l2", proposal(1, "y"))),
    )


# ---------------------------------------------------------------------------
# Every fault of §2.1's model, once, in a manual simulation
# ---------------------------------------------------------------------------

Fault = Literal["", "duplicated", "lost", "stop", "delayed", "restart"]


@dataclass(frozen=True)
class TourStep:
    text: str
    fault: Fault
    cursor: int  # trace length after this action: a frame to show it


@dataclass(frozen=True)
class Tour:
    sim: Simulation
    steps: tuple[TourStep, ...]

    def lines(self) -> list[str]:
        return [f"{i:2}. {s.text}" + (f"   [{s.fault}]" if s.fault else "")
                for i, s in enumerate(self.steps, 1)]

    def cursors(self, *numbers: int) -> list[int]:
        """Trace positions right after the numbered steps (1-based, as `lines` shows)."""
        return [self.steps[k - 1].cursor for k in numbers]


def _pending_id(sim: Simulation, kind: type, sender: str, receiver: str) -> int:
    for p in sim.pending():
        m = p.message
        if isinstance(m, kind) and m.sender == sender and m.receiver == receiver:
            return p.id
    raise ValueError(f"no {kind.__name__} from {sender} to {receiver} is in flight")


def fault_tour(seed: int = 0) -> Tour:
    """One proposer (p1, value 'x'), three acceptors, one learner; the network
    duplicates a message and loses one, a1 stops and restarts, and messages are
    delivered late and out of order. 'x' is still chosen and learned."""
    sim = Simulation(Cluster(acceptors=3, proposers=1, learners=1), seed=seed, manual=True)
    steps: list[TourStep] = []

    def did(text: str, fault: Fault = "") -> None:
        steps.append(TourStep(text, fault, len(sim.trace)))

    def deliver(kind: type, sender: str, receiver: str) -> None:
        sim.deliver(_pending_id(sim, kind, sender, receiver))

    sim.propose("p1")
    did("p1 starts phase 1 with number 0: prepare requests to a1, a2, a3")
    sim.duplicate(_pending_id(sim, Prepare, "p1", "a1"))
    did("the network duplicates the prepare request to a1", "duplicated")
    deliver(Prepare, "p1", "a1")
    did("a1 receives it and promises 0 (written to stable storage)")
    deliver(Prepare, "p1", "a1")
    did("a1 receives the copy and ignores it: 0 is not greater than its promise")
    sim.drop(_pending_id(sim, Prepare, "p1", "a3"))
    did("the prepare request to a3 is lost; a3 never hears of this proposal", "lost")
    deliver(Prepare, "p1", "a2")
    did("a2 receives its prepare request and promises 0")
    sim.crash("a1")
    did("a1 stops; its promise is already on its way to p1", "stop")
    deliver(Promise, "a2", "p1")
    did("p1 receives a2's promise first, although a1's was sent earlier", "delayed")
    deliver(Promise, "a1", "p1")
    did("p1 receives a1's promise (a1 is down, its message is not): a majority, "
        "so p1 sends accept requests for (0, 'x') to a2 and a1")
    deliver(Accept, "p1", "a2")
    did("a2 accepts (0, 'x') and tells l1")
    sim.restart("a1")
    did("a1 restarts from stable storage: it still knows its promise 0", "restart")
    deliver(Accept, "p1", "a1")
    did("the accept request that waited out a1's crash arrives; a1 accepts: "
        "(0, 'x') is chosen", "delayed")
    deliver(Accepted, "a2", "l1")
    did("l1 hears that a2 accepted (0, 'x')")
    deliver(Accepted, "a1", "l1")
    did("l1 hears the same from a1: a majority, so l1 learns 'x'")
    return Tour(sim, tuple(steps))


# ---------------------------------------------------------------------------
# Counterexamples: numbered steps, and the same schedule under other rules
# ---------------------------------------------------------------------------

ACTIONS = ("propose", "deliver", "drop", "duplicate", "crash", "restart", "persist")


def steps_of(trace: Trace) -> tuple[Step, ...]:
    """The actions of a trace (one per simulator step), as checker `Step`s."""
    out: list[Step] = []
    for e in trace.events:
        if e.kind not in ACTIONS:
            continue
        if e.kind == "duplicate":
            continue  # a replay's copy of a message the checker delivers twice
        agent = e.message.receiver if e.message is not None else e.agent
        text = e.describe() if e.message is not None else {
            "propose": f"{e.agent} starts phase 1 with a new proposal number",
            "crash": f"{e.agent} crashes", "restart": f"{e.agent} restarts",
            "persist": f"{e.agent} writes its state to stable storage",
        }[e.kind]
        out.append(Step(len(out) + 1, e.kind, agent, e.message, text))
    return tuple(out)


def _memory(state: Mapping[str, object] | None) -> str:
    st = state or {}
    promised, accepted = st.get("promised"), st.get("accepted")
    return (f"promised {promised if promised is not None else '-'}, "
            f"accepted {accepted if accepted is not None else '-'}")


def numbered_steps(trace: Trace, only: Iterable[int] | None = None) -> list[str]:
    """A trace as numbered actions (one per simulator step), each followed by
    what it caused: promises, acceptances, an acceptor's memory across a crash
    and restart, a value chosen or learned, and every requirement or rule broken.

    ``only`` keeps just the steps with those numbers. Copies that a checker
    replay makes of a message it delivers twice are not listed as steps.
    """
    keep = None if only is None else set(only)
    lines: list[str] = []
    k = 0
    for step in sorted({e.step for e in trace.events}):
        group = [e for e in trace.events if e.step == step]
        actions = [e for e in group if e.kind in ACTIONS and e.kind != "duplicate"]
        if not actions:
            continue
        action = actions[0]
        k += 1
        if keep is not None and k not in keep:
            continue
        m = action.message
        if action.kind == "propose":
            text = f"{action.agent} {action.detail}"
        elif action.kind in ("crash", "restart") and action.state is not None:
            verb = "crashes; on stable storage" if action.kind == "crash" else \
                "restarts and now remembers"
            text = f"{action.agent} {verb}: {_memory(action.state)}"
        elif action.kind in ("crash", "restart"):
            text = f"{action.agent} {'crashes' if action.kind == 'crash' else 'restarts'}"
        else:
            text = action.describe()
        lines.append(f"{k:2}. {text}")
        reacted = False
        for e in group:
            if e.kind in ("promise", "accept", "learned"):
                lines.append(f"      {e.agent} {e.detail}")
                reacted = True
            elif e.kind == "chosen":
                lines.append(f"      {e.detail}")
            elif e.kind == "violation":
                lines.append(f"      VIOLATION — {e.detail}")
        if action.kind == "deliver" and isinstance(m, Prepare | Accept) and not reacted:
            lines.append(f"      {m.receiver} ignores it")
    return lines


def cursor_after(trace: Trace, kind: str) -> int:
    """The trace position just after its first event of ``kind`` (for storyboards)."""
    for i, e in enumerate(trace.events, 1):
        if e.kind == kind:
            return i
    raise ValueError(f"the trace has no {kind!r} event")


def same_schedule(trace: Trace, acceptor: type[Acceptor] = Acceptor) -> Simulation:
    """Replay a trace's actions on the same cluster with another ``acceptor`` class
    (by default the paper's).

    A step whose message does not exist with the new acceptors (an acceptor that
    now refuses does not send its `Accepted`) is skipped.
    """
    meta = trace.meta
    cluster = Cluster(acceptors=len(meta["acceptors"]), proposers=len(meta["proposers"]),
                      learners=len(meta["learners"]), values=tuple(meta["values"]),
                      acceptor=acceptor)
    steps = steps_of(trace)
    possible: list[Step] = []
    sim = replay(cluster, ()).sim
    for step in steps:
        if step.action == "deliver" and not any(p.message == step.message
                                                for p in sim.pending()):
            continue
        possible.append(step)
        sim = replay(cluster, tuple(possible)).sim
    return sim


# ---------------------------------------------------------------------------
# Byzantine sidebar: a naive majority vote with one two-faced general
# ---------------------------------------------------------------------------

ATTACK, RETREAT = "attack", "retreat"
GENERALS = ("g1", "g2", "g3", "g4", "g5")
VOTES: dict[str, str] = {"g1": ATTACK, "g2": ATTACK, "g3": RETREAT, "g4": RETREAT,
                         "g5": ATTACK}


@dataclass(frozen=True)
class Vote:
    """Who told whom what, and what each honest general decided."""

    votes: dict[str, str]
    liar: str | None
    told: dict[tuple[str, str], str]  # (sender, receiver) -> the vote sent
    decisions: dict[str, str]  # honest generals only
    tallies: dict[str, tuple[int, int]]  # honest general -> (attack, retreat) counted

    @property
    def honest(self) -> tuple[str, ...]:
        return tuple(g for g in self.votes if g != self.liar)

    @property
    def split(self) -> bool:
        return len(set(self.decisions.values())) > 1

    def summary(self) -> str:
        if not self.split:
            decided = next(iter(self.decisions.values()))
            head = f"the honest generals agree: {decided}"
        else:
            parts = [f"{', '.join(g for g in self.honest if self.decisions[g] == d)} {d}"
                     for d in (ATTACK, RETREAT)]
            head = "the honest generals SPLIT: " + "; ".join(parts)
        who = f"{self.liar} lies" if self.liar else "nobody lies"
        return f"{who}; {head}"

    def lines(self) -> list[str]:
        out = [self.summary()]
        for g in self.honest:
            a, r = self.tallies[g]
            heard_from_liar = f", told {self.told[(self.liar, g)]!r} by {self.liar}" \
                if self.liar else ""
            out.append(f"  {g} votes {self.votes[g]}{heard_from_liar}: counts {a} attack, "
                       f"{r} retreat → {self.decisions[g]}")
        return out


def generals(votes: Mapping[str, str] | None = None, liar: str | None = None) -> Vote:
    """Every general sends its vote to every other; each honest general decides by
    the majority of the five votes it holds (its own included).

    The liar is two-faced in the most damaging simple way: it tells each general
    that general's own vote, so each one hears its own side reinforced.
    """
    v = dict(VOTES if votes is None else votes)
    if sorted(v) != sorted(GENERALS):
        raise ValueError(f"votes must give a vote for each of {GENERALS}, got {sorted(v)}")
    if any(x not in (ATTACK, RETREAT) for x in v.values()):
        raise ValueError(f"each vote must be {ATTACK!r} or {RETREAT!r}")
    if liar is not None and liar not in GENERALS:
        raise ValueError(f"liar must be None or one of {GENERALS}, got {liar!r}")
    v = {g: v[g] for g in GENERALS}
    told = {(s, r): (v[r] if s == liar else v[s]) for s in GENERALS for r in GENERALS if s != r}
    decisions, tallies = {}, {}
    for g in GENERALS:
        if g == liar:
            continue
        held = [v[g], *(told[(s, g)] for s in GENERALS if s != g)]
        a = held.count(ATTACK)
        tallies[g] = (a, len(held) - a)
        decisions[g] = ATTACK if a > len(held) - a else RETREAT
    return Vote(v, liar, told, decisions, tallies)


DECISION_STYLE = {ATTACK: (pal.BLUE, "triangle", "solid"),
                  RETREAT: (pal.VERMILLION, "down", "dashed")}


def render_vote(vote: Vote) -> Canvas:
    """The vote as a picture: generals on a circle, the liar's messages as arrows."""
    c = Canvas(860, 340, title=vote.summary())
    cx, cy, ring = 250.0, 185.0, 110.0
    angle = {g: 2 * math.pi * i / len(GENERALS) for i, g in enumerate(GENERALS)}
    pos = {g: (cx + ring * math.sin(a), cy - ring * math.cos(a)) for g, a in angle.items()}
    c.text(10, 16, vote.summary(), size=13, bold=True,
           fill=pal.VERMILLION if vote.split else pal.INK)
    if vote.liar:
        lx, ly = pos[vote.liar]
        for g in vote.honest:
            gx, gy = pos[g]
            d = math.hypot(gx - lx, gy - ly)
            ux, uy = (gx - lx) / d, (gy - ly) / d
            said = vote.told[(vote.liar, g)]
            colour, _shape, dash = DECISION_STYLE[said]
            c.arrow(lx + ux * 26, ly + uy * 26, gx - ux * 28, gy - uy * 28, stroke=colour,
                    width=2.0, dash=dash, head=9)
            c.label(lx + (gx - lx) * 0.5, ly + (gy - ly) * 0.5, f"“{said}”", size=10,
                    border=colour)
    for g, (x, y) in pos.items():
        # each general's words sit outside the ring, away from the arrows inside it
        sx, sy = math.sin(angle[g]), -math.cos(angle[g])
        anchor = "start" if sx > 0.3 else ("end" if sx < -0.3 else "middle")
        tx = x + (32 if anchor == "start" else -32 if anchor == "end" else 0)
        ty = y + (sy * 36 if anchor == "middle" else sy * 14)
        if g == vote.liar:
            c.circle(x, y, 22, fill=pal.INK, stroke=pal.INK, width=1.5)
            c.text(x, y, g, size=12, anchor="middle", bold=True, fill=pal.PAPER)
            c.label(tx, ty, "two-faced", size=10, anchor=anchor, bold=True)
            continue
        colour, shape, dash = DECISION_STYLE[vote.decisions[g]]
        c.marker(shape, x, y, 22, colour, pal.INK, width=1.5, dash=dash)
        c.text(x, y, g, size=12, anchor="middle", bold=True, fill=pal.PAPER)
        c.label(tx, ty, f"{vote.votes[g]} → {vote.decisions[g].upper()}", size=10,
                anchor=anchor)
    # the table: what each honest general holds
    x0, y = 520.0, 70.0
    c.text(x0, y, "what each general holds (its own vote first)", size=12, bold=True)
    y += 22
    for g in vote.honest:
        held = [vote.votes[g], *(vote.told[(s, g)] for s in GENERALS if s != g)]
        c.text(x0, y, g, size=11, bold=True)
        for k, h in enumerate(held):
            colour, _shape, _dash = DECISION_STYLE[h]
            sender = g if k == 0 else [s for s in GENERALS if s != g][k - 1]
            bold = sender == vote.liar
            c.text(x0 + 28 + k * 44, y, ("A" if h == ATTACK else "R") + f"·{sender}",
                   size=10, fill=colour, bold=bold)
        a, r = vote.tallies[g]
        c.text(x0 + 28 + 5 * 44, y, f"{a}–{r} → {vote.decisions[g]}", size=10, bold=True)
        y += 20
    key = "A = attack (blue), R = retreat (vermillion)"
    c.text(x0, y + 6, key + (f"; bold: from {vote.liar}" if vote.liar else ""), size=10,
           italic=True)
    c.text(x0, y + 26, "beside each general: its own vote → its DECISION;", size=10,
           italic=True)
    c.text(x0, y + 42, "blue triangle up = attack, vermillion triangle", size=10, italic=True)
    c.text(x0, y + 58, "down (dashed outline) = retreat", size=10, italic=True)
    return c


def vote_caption(vote: Vote) -> str:
    if vote.liar is None:
        return (f"Nobody lies: every general hears the same five votes, so all decide "
                f"{next(iter(vote.decisions.values()))}.")
    a = sum(vote.votes[g] == ATTACK for g in vote.honest)
    r = len(vote.honest) - a
    if vote.split:
        return (f"{vote.liar} tells each honest general its own vote back. The honest "
                f"votes are tied {a}–{r}, so the liar's one vote tips each general towards "
                f"its own side: they split.")
    return (f"{vote.liar} tells each honest general its own vote back, but the honest votes "
            f"are {a}–{r}: one extra vote cannot overturn that, so they still agree.")


def vote_storyboard(scenes: Sequence[tuple[Mapping[str, str] | None, str | None]] = (
        (None, None), (None, "g5"), (None, "g3")), columns: int = 1) -> Figure:
    """Static panels of the vote, one per (votes, liar) scene."""
    frames = []
    for votes, liar in scenes:
        vote = generals(votes, liar)
        frames.append((render_vote(vote), vote_caption(vote)))
    return storyboard_figure(frames, columns=columns, panel_width=7.6,
                             title="A naive majority vote with a two-faced general",
                             caption_lines=2)


class TwoFacedGeneral(FrameWidget):
    """The vote as a widget: pick the liar and flip the honest votes; see who decides what.

    A thin view over `generals`: it keeps the current `Vote`, and every frame is
    `render_vote` (SVG) with `vote_caption` underneath.
    """

    def __init__(self, liar: str | None = "g5", votes: Mapping[str, str] | None = None) -> None:
        self._syncing = False
        self.vote = generals(votes, liar)
        self.liar_menu = w.ToggleButtons(
            options=[("nobody", ""), *((g, g) for g in GENERALS)], value=liar or "",
            description="the liar:", style={"button_width": "64px"})
        self.vote_toggles = [
            w.ToggleButton(value=self.vote.votes[g] == ATTACK, layout=w.Layout(width="120px"))
            for g in GENERALS]
        super().__init__([self.liar_menu,
                          w.HBox([w.Label("votes (click to flip):"), *self.vote_toggles])])
        self.liar_menu.observe(lambda _c: self._update(), names="value")
        for t in self.vote_toggles:
            t.observe(lambda _c: self._update(), names="value")
        self._refresh()

    def __repr__(self) -> str:
        return f"TwoFacedGeneral(liar={self.vote.liar!r})"

    def set(self, liar: str | None = None, votes: Mapping[str, str] | None = None) -> None:
        """Show another scene (what the controls do, callable from code)."""
        self.vote = generals(votes if votes is not None else self.vote.votes, liar)
        self._refresh()

    def storyboard(self) -> Figure:
        """Static panels: the current votes without a liar, then with the current liar."""
        scenes = [(self.vote.votes, None)]
        if self.vote.liar is not None:
            scenes.append((self.vote.votes, self.vote.liar))
        return vote_storyboard(scenes)

    def _update(self) -> None:
        if self._syncing:
            return
        votes = {g: ATTACK if t.value else RETREAT
                 for g, t in zip(GENERALS, self.vote_toggles, strict=True)}
        self.vote = generals(votes, self.liar_menu.value or None)
        self._refresh()

    def _refresh(self) -> None:
        self._syncing = True
        try:
            self.liar_menu.value = self.vote.liar or ""
            for g, t in zip(GENERALS, self.vote_toggles, strict=True):
                t.value = self.vote.votes[g] == ATTACK
                t.description = f"{g}: {self.vote.votes[g]}"
        finally:
            self._syncing = False
        self._show(render_vote(self.vote).to_svg(), vote_caption(self.vote))
