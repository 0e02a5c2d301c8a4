"""Runs written by hand, as numbered steps: the scripting API (§2.1's model, driven).

A notebook, a test or a replayed counterexample tells a manual-mode
`Simulation` what happens next, one action at a time, and keeps what each
action caused. That is how a notebook cell can show a whole scenario —

    run = drive(sim, [("propose", "p1"),
                      ("deliver", "p1", "a1", "Prepare"),
                      ("deliver", "a1", "p1", "Promise")])
    run.show()

— and then ask questions of it: at which step a value was chosen
(`Run.first`), when a requirement of §2.1 was broken, what each acceptor
accepted, where in the trace a storyboard frame after step k falls
(`Run.cursor_after`). `replay` runs a model-checker counterexample the same
way, with the checker's own step numbers, so the notebooks, the tests and the
checker share one replay.

Actions (all names are agent names of the simulation's cluster):

| action                                          | what happens                      |
|-------------------------------------------------|-----------------------------------|
| ``("propose", p)``                              | proposer p starts phase 1         |
| ``("deliver", sender, receiver, "Type"[, n])``  | the oldest such message arrives   |
| ``("drop", sender, receiver, "Type"[, n])``     | the oldest such message is lost   |
| ``("duplicate", sender, receiver, "Type"[, n])``| a second copy goes in flight      |
| ``("crash", a)`` / ``("restart", a)``           | an agent stops / starts again     |
| ``("persist", a)``                              | an acceptor finishes a late write |

``n``, when given, picks the message by its proposal's natural number (the
paper's "number n"), as an int or a string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .agents import Acceptor, Agent, Proposer
from .cluster import Cluster
from .invariants import History
from .messages import MESSAGE_TYPES, Accept, Message, Prepare
from .sim import Simulation
from .trace import Event, Trace

Action = tuple[Any, ...]
"""One step of a script; see the module docstring for the forms."""

ACTIONS = ("propose", "deliver", "drop", "duplicate", "crash", "restart", "persist")
_BY_MESSAGE = ("deliver", "drop", "duplicate")


@dataclass(frozen=True)
class Step:
    """One action of a model-checker run, in words a reader of the paper knows.

    ``message`` is set for deliveries; ``agent`` is the receiver (deliveries)
    or the agent acted on.
    """

    number: int
    action: str
    agent: str
    message: Message | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.number, "action": self.action, "agent": self.agent,
                "text": self.text}


@dataclass(frozen=True)
class Moment:
    """One numbered step of a run: what was done, and every event it caused.

    ``end`` is the trace position just after the step's last event (what a
    storyboard frame of the trace after this step shows); `drive` and `replay`
    set it.
    """

    number: int
    action: str
    events: tuple[Event, ...]
    end: int | None = None

    def kinds(self) -> set[str]:
        return {e.kind for e in self.events}

    def violations(self) -> list[str]:
        return [e.detail for e in self.events if e.kind == "violation"]

    def chosen(self) -> list[str]:
        return [e.detail.removeprefix("chosen so far: ") for e in self.events
                if e.kind == "chosen"]

    def consequences(self) -> list[str]:
        """What followed the action, in short words (sends of one kind grouped).

        A request (prepare or accept) that an acceptor received and answered
        with nothing at all is said to be ignored, as §2.2 allows: "An acceptor
        can ignore any request without compromising safety."
        """
        out: list[str] = []
        sends: dict[str, list[str]] = {}
        for e in self.events:
            m = e.message
            if e.kind in ("promise", "accept"):
                out.append(e.detail)
            elif e.kind == "learned":
                out.append(f"{e.agent} {e.detail}")
            elif e.kind == "send" and m is not None:
                sends.setdefault(f"{m.sender} sends {m.describe()} to", []).append(m.receiver)
        out.extend(f"{head} {', '.join(to)}" for head, to in sends.items())
        requests = [e for e in self.events
                    if e.kind == "deliver" and isinstance(e.message, Prepare | Accept)]
        if requests and not out:
            out.append(f"{requests[-1].agent} ignores it")
        return out

    def lines(self) -> list[str]:
        head = f"{self.number:2d}. {self.action}"
        rest = self.consequences()
        out = [head + (" → " + "; ".join(rest) if rest else "")]
        out.extend(f"      ★ chosen so far: {c}" for c in self.chosen())
        out.extend(f"      ✗ {v}" for v in self.violations())
        return out


@dataclass
class Run:
    """A manual-mode simulation and the numbered steps that built it.

    `drive` and `replay` return one; `Run.then` adds more steps to it.
    """

    sim: Simulation
    moments: list[Moment] = field(default_factory=list)

    @property
    def trace(self) -> Trace:
        return self.sim.trace

    @property
    def history(self) -> History:
        return self.sim.history

    def then(self, actions: Iterable[Action]) -> Run:
        """Carry on with more actions, numbered after the last step."""
        start = self.moments[-1].number + 1 if self.moments else 1
        self.moments.extend(drive(self.sim, actions, start=start).moments)
        return self

    def settle(self) -> Run:
        """Deliver the oldest pending message, one step each, until none is in flight:
        a perfect network that happens to deliver in sending order."""
        while self.sim.pending():
            m = self.sim.pending()[0].message
            self.then([("deliver", m.sender, m.receiver, type(m).__name__)])
        return self

    def lines(self, kinds: Iterable[str] = ()) -> list[str]:
        """The numbered steps; with ``kinds``, only steps with an event of those kinds."""
        wanted = set(kinds)
        return [line for m in self.moments if not wanted or wanted & m.kinds()
                for line in m.lines()]

    def show(self, kinds: Iterable[str] = ()) -> None:
        """Print the numbered steps (only those with an event of ``kinds``, if given)."""
        print("\n".join(self.lines(kinds)))

    def first(self, kind: str, contains: str = "") -> int | None:
        """The number of the first step with an event of ``kind`` whose detail contains
        ``contains`` (None if there is none)."""
        for m in self.moments:
            if any(e.kind == kind and contains in e.detail for e in m.events):
                return m.number
        return None

    def first_broken(self, rules: Iterable[str]) -> tuple[int, str] | None:
        """The first step at which one of ``rules`` (e.g. ``("P1a", "P2c")``) was
        broken, and the violation in words; None if none was."""
        names = tuple(f"{rule}:" for rule in rules)
        for m in self.moments:
            for text in m.violations():
                if text.startswith(names):
                    return m.number, text
        return None

    def first_two_values(self) -> int | None:
        """The step at which two different values have been chosen (None if never)."""
        return self.first("violation", "were both chosen")

    def cursor_after(self, number: int) -> int:
        """The trace position just after step ``number``, for a storyboard frame of
        the trace (`paxos_notes.widgets.TracePlayer`); 0 is the run's start."""
        ends = {m.number: m.end for m in self.moments if m.end is not None}
        if number == 0 and self.moments and self.moments[0].end is not None:
            return self.moments[0].end - len(self.moments[0].events)
        if number not in ends:
            numbers = sorted(ends)
            span = f"0 or {numbers[0]}..{numbers[-1]}" if numbers else "0 (no steps yet)"
            raise ValueError(f"number must be {span}, got {number!r}")
        return ends[number]


def pending_id(sim: Simulation, sender: str, receiver: str, type_name: str,
               natural: int | str | None = None) -> int:
    """The id of the oldest pending message of that type on that link (with that
    proposal number, if given)."""
    if type_name not in MESSAGE_TYPES:
        raise ValueError(f"message type must be one of {sorted(MESSAGE_TYPES)}, "
                         f"got {type_name!r}")
    wanted = None if natural is None else int(natural)
    for p in sim.pending():
        m = p.message
        if (m.sender, m.receiver, type(m).__name__) == (sender, receiver, type_name) and \
                (wanted is None or m.n.natural == wanted):
            return p.id
    raise ValueError(f"no {type_name} from {sender} to {receiver} is pending; pending: "
                     f"{[p.describe() for p in sim.pending()]}")


def memory(agent: Agent) -> str:
    """What an agent keeps on stable storage, in words: an acceptor's promise and
    accepted proposal (§2.2), a proposer's highest number tried (§2.5)."""
    if isinstance(agent, Acceptor):
        promised = "nothing" if agent.promised is None else str(agent.promised)
        accepted = "nothing" if agent.accepted is None else str(agent.accepted)
        return f"promised {promised}, accepted {accepted}"
    if isinstance(agent, Proposer):
        tried = "none" if agent.highest_tried is None else str(agent.highest_tried)
        return f"highest number tried {tried}"
    return "nothing"


def _stop_start(sim: Simulation, kind: str, name: str) -> str:
    """A crash, restart or persist that just happened, in words, with what the
    agent keeps on stable storage (read from the simulation, so that a replay on
    another cluster is described as it really went)."""
    agent = sim.agents[name]
    kept = memory(agent)
    if kind == "crash":
        return f"{name} crashes (on stable storage: {kept})"
    if kind == "restart":
        return f"{name} restarts and remembers: {kept}"
    return f"{name} writes its state to stable storage ({kept})"


def act(sim: Simulation, action: Action) -> str:
    """Apply one action to a manual simulation; return it in words."""
    if not isinstance(action, tuple) or not action or action[0] not in ACTIONS:
        raise ValueError(f"action must be a tuple starting with one of {ACTIONS}, "
                         f"got {action!r}")
    kind = action[0]
    if kind in _BY_MESSAGE:
        if len(action) not in (4, 5):
            raise ValueError(f"a {kind} action is ({kind!r}, sender, receiver, type[, n]), "
                             f"got {action!r}")
        _, sender, receiver, type_name, *number = action
        pid = pending_id(sim, sender, receiver, type_name, number[0] if number else None)
        m = sim.in_flight[pid].message
        # Decided before the action: a message that reaches a stopped agent, or
        # crosses a partition, is lost on arrival (§2.1), not received.
        lost = kind == "deliver" and (not sim.agents[m.receiver].up
                                      or sim.partitioned(m.sender, m.receiver))
        getattr(sim, kind)(pid)
        if lost:
            why = "is down" if not sim.agents[m.receiver].up else "is cut off by a partition"
            return f"{m.describe()} from {m.sender} reaches {m.receiver}, which {why}: lost"
        if kind == "deliver":
            return f"{m.receiver} receives {m.describe()} from {m.sender}"
        if kind == "drop":
            return f"{m.describe()} from {m.sender} to {m.receiver} is lost"
        return f"{m.describe()} from {m.sender} to {m.receiver} is duplicated"
    if len(action) != 2:
        raise ValueError(f"a {kind} action is ({kind!r}, agent), got {action!r}")
    name = action[1]
    getattr(sim, kind)(name)
    if kind == "propose":
        return f"{name} starts phase 1 with number {sim.agents[name].number}"
    return _stop_start(sim, kind, name)


def drive(sim: Simulation, actions: Iterable[Action], start: int = 1) -> Run:
    """Run ``actions`` on a manual simulation, one numbered `Moment` each."""
    if not sim.manual:
        raise ValueError("sim must be a manual-mode Simulation (manual=True)")
    run = Run(sim)
    for i, action in enumerate(actions, start):
        before = len(sim.trace.events)
        text = act(sim, action)
        run.moments.append(Moment(i, text, tuple(sim.trace.events[before:]),
                                  len(sim.trace.events)))
    return run


def replay(cluster: Cluster, steps: Sequence[Step], seed: int = 0,
           on_step: Callable[[Step, Simulation], None] | None = None) -> Run:
    """Run a model-checker counterexample in a manual-mode `Simulation`.

    Moments keep the checker's step numbers. The checker may deliver one
    message several times, while the simulator removes a message when it
    delivers it, so a copy is made first (a duplicate, which the model allows)
    whenever the message is needed again later. ``on_step`` is called after
    each step with the step and the simulation.
    """
    sim = Simulation(cluster, seed=seed, manual=True)
    run = Run(sim)
    for i, step in enumerate(steps):
        before = len(sim.trace.events)
        if step.action == "deliver":
            m = step.message
            pid = next((p.id for p in sim.pending() if p.message == m), None)
            if pid is None:
                raise ValueError(f"step {step.number}: {m} is not in flight; not a run of "
                                 f"this cluster")
            if any(s.message == m for s in steps[i + 1:]):
                sim.duplicate(pid)
            sim.deliver(pid)
        elif step.action in ("propose", "crash", "restart", "persist"):
            getattr(sim, step.action)(step.agent)
        else:
            raise ValueError(f"step {step.number}: action must be deliver, propose, crash, "
                             f"restart or persist, got {step.action!r}")
        text = step.text
        if step.action == "propose":
            text = f"{step.agent} starts phase 1 with number {sim.agents[step.agent].number}"
        elif step.action != "deliver":
            text = _stop_start(sim, step.action, step.agent)
        run.moments.append(Moment(step.number, text, tuple(sim.trace.events[before:]),
                                  len(sim.trace.events)))
        if on_step is not None:
            on_step(step, sim)
    return run


__all__ = ["ACTIONS", "Action", "Moment", "Run", "Step", "act", "drive", "memory",
           "pending_id", "replay"]
