"""TwoFacedGeneral: what a liar does to a naive vote (the "non-Byzantine" of §2.1).

§2.1 assumes the "customary asynchronous, non-Byzantine model": agents may
stop, but never lie. This widget shows what that assumption buys, on a toy
outside the paper: five generals each vote *attack* or *retreat*, every general
sends its vote to every other, and each honest general decides by the majority
of the five votes it holds (its own included). A two-faced general tells each
general that general's own vote back, which splits the honest generals
whenever their own votes are tied.

The vote itself is a pure function (`generals`), and the picture is a pure
`render_vote` (shapes drawn as SVG live and with matplotlib for the
storyboard); the widget only keeps the scene the reader picked.

Usage::

    from paxos_notes.widgets import TwoFacedGeneral
    TwoFacedGeneral(liar="g5")      # liar=None: nobody lies
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as w

from . import palette as pal
from ._base import FrameWidget
from ._draw import Canvas, storyboard_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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

    def held(self, general: str) -> list[tuple[str, str]]:
        """(sender, vote) for the five votes ``general`` holds, its own first."""
        return [(general, self.votes[general]),
                *((s, self.told[(s, general)]) for s in GENERALS if s != general)]

    def summary(self) -> str:
        if not self.split:
            head = f"the honest generals agree: {next(iter(self.decisions.values()))}"
        else:
            parts = [f"{', '.join(g for g in self.honest if self.decisions[g] == d)} {d}"
                     for d in (ATTACK, RETREAT)]
            head = "the honest generals SPLIT: " + "; ".join(parts)
        return f"{f'{self.liar} lies' if self.liar else 'nobody lies'}; {head}"

    def lines(self) -> list[str]:
        out = [self.summary()]
        for g in self.honest:
            a, r = self.tallies[g]
            heard = f", told {self.told[(self.liar, g)]!r} by {self.liar}" if self.liar else ""
            out.append(f"  {g} votes {self.votes[g]}{heard}: counts {a} attack, "
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
        if g != liar:
            held = [v[g], *(told[(s, g)] for s in GENERALS if s != g)]
            a = held.count(ATTACK)
            tallies[g] = (a, len(held) - a)
            decisions[g] = ATTACK if a > len(held) - a else RETREAT
    return Vote(v, liar, told, decisions, tallies)


# colour, marker shape and outline dash of each decision: never colour alone
DECISION_STYLE = {ATTACK: (pal.BLUE, "triangle", "solid"),
                  RETREAT: (pal.VERMILLION, "down", "dashed")}


def render_vote(vote: Vote) -> Canvas:
    """The vote as a picture: generals on a circle, the liar's messages as arrows,
    and beside it what each honest general holds."""
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
    x0, y = 520.0, 70.0
    c.text(x0, y, "what each general holds (its own vote first)", size=12, bold=True)
    y += 22
    for g in vote.honest:
        c.text(x0, y, g, size=11, bold=True)
        for k, (sender, said) in enumerate(vote.held(g)):
            c.text(x0 + 28 + k * 44, y, ("A" if said == ATTACK else "R") + f"·{sender}",
                   size=10, fill=DECISION_STYLE[said][0], bold=sender == vote.liar)
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
        with self.syncing():
            self.liar_menu.value = self.vote.liar or ""
            for g, t in zip(GENERALS, self.vote_toggles, strict=True):
                t.value = self.vote.votes[g] == ATTACK
                t.description = f"{g}: {self.vote.votes[g]}"
        self._show(render_vote(self.vote).to_svg(), vote_caption(self.vote))
