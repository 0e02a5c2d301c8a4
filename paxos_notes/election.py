"""Electing the distinguished proposer with randomized timeouts (§2.4, §2.5).

§2.4 shows two proposers outbidding each other forever, and the cure: "To
guarantee progress, a distinguished proposer must be selected as the only one
to try issuing proposals." The paper does not fix how; it says, after Fischer,
Lynch and Paterson, that a reliable election "must use either randomness or
real time—for example, by using timeouts. However, safety is ensured
regardless of the success or failure of the election."

The rule here is the one the multi-Paxos servers follow
(`paxos_notes.multipaxos.server.Server.election_timeout` calls
`on_election_timeout`), written once so that the single-decree agents use it
too (`paxos_notes.progress` runs it on the simulator):

- as in §2.5, a process plays several roles; proposer ``p<i>`` lives in the
  process of acceptor ``a<i>``;
- a process *hears a leader* when its acceptor gets a prepare request that it
  will promise, or an accept request that it may accept, from another process
  (`hears_leader`): the same messages that make a multi-Paxos server follow;
- a process *leads* while its proposer has finished phase 1 and is in phase 2,
  and its own acceptor has promised no higher number (`leads`);
- each process has an election timer, drawn afresh from `Timeouts` (uniform
  in ``[base, base + spread]``) every time it fires; when it fires,
  `on_election_timeout` says what to do.

Pure functions on the agents of `paxos_notes.agents`: no clock, no randomness
(a caller passes its own seeded generator to `Timeouts.draw`). Nothing here can
affect safety: the election only decides *when* a proposer starts phase 1,
which the paper allows at any time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from .agents import Acceptor, Proposer
from .messages import Accept, Message, Prepare

Decision = Literal["lead", "wait", "campaign"]
DECISIONS: tuple[Decision, ...] = ("lead", "wait", "campaign")


def on_election_timeout(leading: bool, heard: bool) -> Decision:
    """What a process does when its randomized election timer fires (§2.4).

    - ``"lead"``: it is the leader already; nothing to do.
    - ``"wait"``: it heard a leader since the timer last fired; it forgets
      that and waits one more timeout (the leader must be heard again).
    - ``"campaign"``: a whole timeout passed in silence; it starts phase 1
      with a higher number, to become the leader itself.
    """
    if leading:
        return "lead"
    if heard:
        return "wait"
    return "campaign"


def hears_leader(own: Acceptor, message: Message, process: str) -> bool:
    """Whether the process ``process`` takes ``message``'s sender for its leader.

    ``own`` is the acceptor of that process, before it handles ``message``. A
    prepare request it will promise (phase 1(b)) or an accept request it may
    accept (P1a), from another process: the sender is running the algorithm
    with a number this acceptor still honours. A request it ignores says
    nothing about who leads.
    """
    if not own.up or message.receiver != own.name or message.sender == process:
        return False
    if isinstance(message, Prepare):
        return own.should_promise(message.n)
    if isinstance(message, Accept):
        return own.may_accept(message.n)
    return False


def leads(proposer: Proposer, own: Acceptor) -> bool:
    """Whether a process believes it leads: its proposer finished phase 1 (a
    majority promised) and its own acceptor has promised nothing higher since.

    A belief, not a fact: another process may believe the same thing at the
    same time (the election "failed"); phase 1 still keeps it safe.
    """
    if not proposer.up or proposer.phase != "2" or proposer.number is None:
        return False
    return own.promised is None or not own.promised > proposer.number


@dataclass(frozen=True)
class Timeouts:
    """An election timer: each firing comes after a time drawn uniformly from
    ``[base, base + spread]``.

    ``spread=0`` makes every process's timer tick in lockstep; a wide spread
    makes it likely that one process times out well before the others.
    """

    base: float = 3.0
    spread: float = 8.0

    def __post_init__(self) -> None:
        for name in ("base", "spread"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
        if not self.base > 0:
            raise ValueError(f"base must be > 0, got {self.base!r}")
        if not self.spread >= 0:
            raise ValueError(f"spread must be >= 0, got {self.spread!r}")

    def draw(self, rng: random.Random) -> float:
        """The time until the next firing, from the caller's seeded generator."""
        return self.base + rng.random() * self.spread


__all__ = ["DECISIONS", "Decision", "Timeouts", "hears_leader", "leads",
           "on_election_timeout"]
