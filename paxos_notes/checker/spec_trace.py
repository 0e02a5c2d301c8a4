"""Trace validation: every run of the agents is a behaviour of Lamport's ``Paxos.tla``.

*Paxos Made Simple* states the algorithm in prose (§2.2); Lamport's TLA+
specification ``Paxos.tla`` (tlaplus/Examples, ``PaxosHowToWinATuringAward``)
states it as a state machine with four actions, mirrored readably in
`paxos_notes.checker.lamport_spec`. This module checks that a run of this
project's agents — the code the simulator runs and the notebooks animate — is,
step by step, a behaviour of that spec: every simulator step is one of
``Phase1a(b)``, ``Phase1b(a)``, ``Phase2a(b, v)``, ``Phase2b(a)`` with its
enabling condition true, or a stutter that changes no variable of the spec.

The refinement mapping (agents → the spec's variables)
------------------------------------------------------
- ``maxBal[a]``: the highest ballot acceptor ``a`` took part in — the greater
  of its promise and its accepted proposal's number, ``-1`` if neither. The
  spec raises ``maxBal`` when an acceptor votes (``Phase2b``); the paper's
  acceptor leaves its promise as it is (`Acceptor.after_accepting`). With the
  paper's proposer the two agree (an accept request goes only to acceptors
  that promised its number), and taking the maximum is what the spec's
  variable means for every acceptor class.
- ``maxVBal[a]``, ``maxVal[a]``: the number and value of the accepted
  proposal, ``-1`` and ``None`` when nothing was accepted (the spec's
  ``<<-1, None>>``).
- ``msgs``: every message the agents sent, as the spec's records: `Prepare` →
  ``1a``, `Promise` → ``1b`` (``mbal``/``mval`` from the proposal it reports),
  `Accept` → ``2a``, `Accepted` → ``2b``. The spec's ``msgs`` is a set, so a
  message sent again (or to another acceptor) adds nothing.
- ballots: a proposal number ``(round, proposer)`` becomes its natural number
  ``round * N + proposer`` (`ProposalNumber.natural`). That relabelling is
  injective and preserves order. The spec's actions use ballots only through
  ``=``, ``>`` and ``>=`` between them and the test ``m.mbal >= 0`` (true of
  every ballot, false of ``-1``), and ``Ballot`` is all of ``Nat``; so a run
  is a behaviour under one order-preserving relabelling into ``Nat`` iff it
  is under any other: the choice of integers cannot make a step valid or
  invalid.
- values: the spec's ``Value`` is the cluster's proposal values, numbered in
  order (as `lamport_spec` numbers them); ``Quorum`` is MCPaxos's, every set
  of a bare majority of the acceptors.

What a learner does, a nack, a `Chosen` message, a timer, a crash and restart
with stable storage, a partition, a lost or duplicated message: none changes a
mapped variable, so each is a stutter — and the validator checks that it
really changes nothing, rather than assuming it: a crash that loses an unsaved
promise, or a restart without stable storage, changes ``maxBal`` at a
stutter, which no action of the spec allows.

The acceptors' storage is read from the run's trace: the simulator records
it after every promise, accept, crash, restart and persist (`Event.state`).
After a live run the validator also compares it with the agents' real
storage, so a change that no event recorded cannot pass unseen.

Safe is not the same as inside the spec. ``phase2-other-majority`` (accept
requests to every acceptor) can leave it: P1a lets an acceptor that never
promised accept a proposal numbered below one it already accepted, while
the spec's ``maxBal`` rises with a vote and ``Phase2b`` then refuses. And a
broken variant can stay inside it: ``flexible-unsafe``'s steps are all steps
of the spec; what is wrong is its learners' quorum of one acceptor, which the
spec's "chosen" (a majority of ``2b`` messages) does not share.

Each step's verdict comes from `lamport_spec.ACTIONS`, the spec's own action
functions: the mapped post-state must be one of the action's successors of the
mapped pre-state. Only when it is not does this module say which conjunct
fails, in the spec's words. Each action reads and writes only messages of its
own ballot, so the validator hands the action the messages of that ballot;
that keeps a step's check small however long the run.

Entry points: `validate` (a `script.Run`, a `Simulation`, or a recorded
`Trace`), returning a `Validation` with per-step `Row`s for a table and the
first `Departure`, if any; `validate_stored` for a variant's stored
counterexample (where a broken rule leaves the spec).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from ..agents import Acceptor
from ..ballots import ProposalNumber
from ..messages import Accept, Accepted, Message, Prepare, Promise, Proposal
from ..script import Run, replay
from ..sim import Simulation
from ..trace import Event, Trace
from .lamport_spec import ACTIONS, NO_BALLOT, Constants, SpecState, tla_message
from .stored import stored
from .variants import get_variant

__all__ = ["Departure", "Row", "Scope", "Validation", "spec_record", "spec_vars", "validate",
           "validate_stored"]

Record = tuple[Any, ...]  # a spec message, as in lamport_spec: ("2a", bal, val), ...

_NOTHING: frozenset[Record] = frozenset()

#: Event kinds that carry an acceptor's storage after the event (`Event.state`).
_STORAGE_KINDS = frozenset(("promise", "accept", "crash", "restart", "persist"))

# The conjuncts, quoted briefly from Leslie Lamport's Paxos.tla (tlaplus/Examples,
# MIT licence), to name in a report the one that fails.
_1A_EXISTS = '\\E m \\in msgs : m.type = "1a"'
_1B_ABOVE = "m.bal > maxBal[a]"
_2A_FRESH = '~ \\E m \\in msgs : m.type = "2a" /\\ m.bal = b'
_2A_QUORUM = "\\E Q \\in Quorum : \\A a \\in Q : \\E m \\in Q1b : m.acc = a"
_2A_SAFE = ("Q1bv = {} \\/ \\E m \\in Q1bv : m.mval = v /\\ "
            "\\A mm \\in Q1bv : m.mbal >= mm.mbal")
_2B_EXISTS = '\\E m \\in msgs : m.type = "2a"'
_2B_ABOVE = "m.bal >= maxBal[a]"
_UNCHANGED = "UNCHANGED <<maxBal, maxVBal, maxVal, msgs>>"


@dataclass(frozen=True)
class Scope:
    """The spec's constants for one cluster: ``Acceptor``, ``Value`` (numbered in
    this order) and the quorum size (a bare majority, as in MCPaxos)."""

    acceptors: tuple[str, ...]
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.acceptors:
            raise ValueError("acceptors must name at least one acceptor, got none")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"values must be distinct, got {self.values!r}")

    @property
    def quorum_size(self) -> int:
        return len(self.acceptors) // 2 + 1

    @classmethod
    def of(cls, acceptors: Iterable[str], values: Iterable[str]) -> Scope:
        """A scope from a cluster's names; repeated values count once."""
        return cls(tuple(acceptors), tuple(dict.fromkeys(values)))

    def value_name(self, v: int | None) -> str:
        return "None" if v is None else repr(self.values[v])


def spec_vars(promised: ProposalNumber | None, accepted: Proposal | None,
              scope: Scope) -> tuple[int, int, int | None]:
    """An acceptor's storage as the spec's ``<<maxBal[a], maxVBal[a], maxVal[a]>>``."""
    if accepted is None:
        return (NO_BALLOT if promised is None else promised.natural), NO_BALLOT, None
    vbal = accepted.number.natural
    bal = vbal if promised is None else max(promised.natural, vbal)
    return bal, vbal, scope.values.index(accepted.value)


def spec_record(m: Message, scope: Scope) -> Record | None:
    """The spec's record of a message the agents sent (None for nacks and
    `Chosen`, which the spec does not have)."""
    if isinstance(m, Prepare):
        return ("1a", m.n.natural)
    if isinstance(m, Promise):
        a = m.accepted
        return ("1b", scope.acceptors.index(m.sender), m.n.natural,
                NO_BALLOT if a is None else a.number.natural,
                None if a is None else scope.values.index(a.value))
    if isinstance(m, Accept):
        return ("2a", m.n.natural, scope.values.index(m.value))
    if isinstance(m, Accepted):
        return ("2b", scope.acceptors.index(m.sender), m.n.natural,
                scope.values.index(m.value))
    return None


@dataclass(frozen=True)
class Row:
    """One step of a run beside the spec: what happened, which action of the spec
    it is (``"stutter"`` when no variable changes), and the mapped state after it."""

    step: int
    event: str
    action: str
    max_bal: tuple[int, ...]
    max_vbal: tuple[int, ...]
    max_val: tuple[str, ...]
    sent: str  # the new spec message, in the spec's notation, or ""
    ok: bool = True


@dataclass(frozen=True)
class Departure:
    """The first step that is not a step of the spec."""

    step: int
    what: str  # what the agents did, e.g. "p1's accept request (2a, bal 1, 'y')"
    action: str  # the action it resembles: "Phase2a", "Phase1b", ..., or "stutter"
    condition: str  # the conjunct of the spec that fails, in TLA+
    detail: str  # why it fails here, with the mapped values
    enabling: bool = True  # False when the enabling condition holds but the result differs

    def __str__(self) -> str:
        kind = "condition" if self.enabling else "result"
        if self.action == "stutter":
            return (f"step {self.step}: {self.what} is not a stutter, and no action of "
                    f"Paxos.tla explains it: `{self.condition}` fails ({self.detail})")
        return (f"step {self.step}: {self.what} is not a {self.action} step: "
                f"{self.action}'s {kind} `{self.condition}` fails ({self.detail})")


@dataclass(frozen=True)
class Validation:
    """The verdict on one run: ``steps`` steps checked, the first `Departure`
    (None if every step is a step of ``Paxos.tla``) and, if asked for, the rows."""

    steps: int
    departure: Departure | None
    rows: tuple[Row, ...] = ()

    @property
    def valid(self) -> bool:
        return self.departure is None

    def verdict(self) -> str:
        if self.departure is None:
            return f"spec-valid: all {self.steps} steps are steps of Paxos.tla"
        return f"leaves the spec: {self.departure}"

    def table(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (for a notebook's table)."""
        return [{"step": r.step, "event": r.event, "spec action": r.action,
                 "maxBal": r.max_bal, "maxVBal": r.max_vbal, "maxVal": r.max_val,
                 "new message": r.sent} for r in self.rows]


@dataclass(frozen=True)
class _AtBallot(Constants):
    """The spec's constants with ``Ballot`` narrowed to the one ballot a step
    names (``max_ballot``). A step's new message names its ballot, so the
    action's ``\\E m \\in msgs`` has its witness among that ballot's messages;
    enumerating the other ballots could only find successors with other
    messages, which cannot be the step's post-state."""

    @property
    def ballots(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.max_ballot,)


@dataclass(frozen=True)
class _OneQuorum(_AtBallot):
    """`_AtBallot`, with ``Quorum`` narrowed to one quorum: ``Phase2a``'s
    ``\\E Q \\in Quorum`` is a disjunction over the quorums, so the validator
    asks the spec's ``Phase2a`` about one quorum at a time and stops at the
    first that enables it (the spec's own function counts every witness, as TLC
    does, which costs 35 quorums with seven acceptors on every ``2a``)."""

    quorum: tuple[int, ...] = ()

    @cached_property
    def quorums(self) -> tuple[tuple[int, ...], ...]:
        return (self.quorum,)


@cache
def _constants(acceptors: int, values: int, ballot: int, quorum_size: int) -> Constants:
    return _AtBallot(acceptors, values, ballot, quorum_size)


_new_state = tuple.__new__


class _Validator:
    """The mapped state of a run so far, advanced one step at a time."""

    def __init__(self, scope: Scope, rows: bool) -> None:
        n = len(scope.acceptors)
        self.scope = scope
        self.index = {a: i for i, a in enumerate(scope.acceptors)}
        self.vars: list[tuple[int, int, int | None]] = [(NO_BALLOT, NO_BALLOT, None)] * n
        self.msgs: set[Record] = set()
        self.by_ballot: dict[int, frozenset[Record]] = {}
        self.keep_rows = rows
        self.rows: list[Row] = []
        self.steps = 0
        self.departure: Departure | None = None
        self.spec = self._state(self.vars, _NOTHING)  # the mapped variables, msgs aside
        self.constants: dict[int, Constants] = {}  # the spec's constants, per ballot

    # -- one step -------------------------------------------------------------
    def step(self, number: int, events: Sequence[Event]) -> bool:
        """Check one step; False (and `departure` set) if it leaves the spec."""
        new: dict[Record, Message] = {}
        changed: dict[int, tuple[int, int, int | None]] = {}
        for e in events:
            self._scan(e, new, changed)
        return self._finish(number, events, new, changed)

    def steps_of_trace(self, events: Sequence[Event]) -> None:
        """Check a simulator's trace, its events grouped by the step that caused
        them (a partition or heal, which takes no step, joins the step before).

        The same as `step` on each group, written as one loop: `fuzz` validates
        every run, and most steps are stutters that need no more than a glance.
        """
        scan, finish, rows = self._scan, self._finish, self.keep_rows
        scope, msgs = self.scope, self.msgs
        new: dict[Record, Message] = {}
        changed: dict[int, tuple[int, int, int | None]] = {}
        number, start = None, 0
        for i, e in enumerate(events):
            if e.step != number:
                if number is not None:
                    if new or changed or rows:
                        if not finish(number, events[start:i], new, changed):
                            return
                        new, changed = {}, {}
                    else:
                        self.steps += 1
                number, start = e.step, i
            if e.kind == "send":  # `_scan`, inlined for the commonest event
                r = spec_record(e.message, scope)
                if r is not None and r not in msgs and r not in new:
                    new[r] = e.message
            elif e.state is not None:
                scan(e, new, changed)
        if number is not None:
            finish(number, events[start:], new, changed)

    def _scan(self, e: Event, new: dict[Record, Message],
              changed: dict[int, tuple[int, int, int | None]]) -> None:
        """Note what one event adds to the mapped state: a new spec message, or
        an acceptor's storage mapping to other values."""
        if e.kind == "send":
            r = spec_record(e.message, self.scope)
            if r is not None and r not in self.msgs and r not in new:
                new[r] = e.message
        elif e.state is not None and e.kind in _STORAGE_KINDS and e.agent in self.index:
            i = self.index[e.agent]
            v = spec_vars(e.state.get("promised"), e.state.get("accepted"), self.scope)
            if v != self.vars[i]:
                changed[i] = v
            else:
                changed.pop(i, None)

    def _finish(self, number: int, events: Sequence[Event], new: dict[Record, Message],
                changed: dict[int, tuple[int, int, int | None]]) -> bool:
        self.steps += 1
        scope = self.scope
        if not new and not changed:
            if self.keep_rows:
                self._row(number, events, "stutter", "")
            return True
        name, args, ballot = self._resembles(new, changed, events)
        post = None
        if name is not None and len(new) <= 1 and len(changed) <= 1:
            post = self._is_step(name, args, ballot, new, changed)
        if post is not None:
            if new:
                self.msgs.update(new)
                self.by_ballot[ballot] = post.msgs
            if changed:
                for i, v in changed.items():
                    self.vars[i] = v
                self.spec = SpecState(post.max_bal, post.max_vbal, post.max_val, _NOTHING)
            if self.keep_rows:
                self._row(number, events, _action_text(name, args, scope),
                          _describe(next(iter(new)), scope) if new else "")
            return True
        self.departure = self._why(number, name, args, ballot, new, changed, events)
        if self.keep_rows:
            self._row(number, events, self.departure.action, "", ok=False)
        return False

    def _resembles(self, new: dict[Record, Message], changed: dict[int, Any],
                   events: Sequence[Event]) -> tuple[str | None, tuple[int, ...], int]:
        """The action a step looks like: from the message it sent, or else from
        what the acceptor did (None: a stutter that changed something)."""
        if new:
            r = next(iter(new))
            if r[0] == "1a":
                return "Phase1a", (r[1],), r[1]
            if r[0] == "1b":
                return "Phase1b", (r[1],), r[2]
            if r[0] == "2a":
                return "Phase2a", (r[1], r[2]), r[1]
            return "Phase2b", (r[1],), r[2]
        kinds = {e.kind for e in events}
        (i, (bal, vbal, _)), = list(changed.items())[:1]
        if "accept" in kinds:
            return "Phase2b", (i,), max(vbal, 0)
        if "promise" in kinds:
            return "Phase1b", (i,), max(bal, 0)
        return None, (), 0

    def _is_step(self, name: str, args: tuple[int, ...], ballot: int,
                 new: dict[Record, Message], changed: dict[int, Any]) -> SpecState | None:
        """Is pre → post a step of the spec's action ``name``? Asked of the spec's
        own action function, on the messages of ``ballot`` (all it reads).
        Returns the post-state (with that ballot's messages), or None."""
        scope = self.scope
        ballot_msgs = self.by_ballot.get(ballot, _NOTHING)
        bals, vbals, vals, _ = self.spec
        # tuple.__new__: SpecState(...) without the named tuple's Python-level
        # constructor; this runs for every message a run sends.
        pre = _new_state(SpecState, (bals, vbals, vals, ballot_msgs))
        for i, (bal, vbal, val) in changed.items():  # at most one acceptor
            bals, vbals, vals = _put(bals, i, bal), _put(vbals, i, vbal), _put(vals, i, val)
        post = _new_state(SpecState, (bals, vbals, vals,
                                      ballot_msgs | new.keys() if new else ballot_msgs))
        action = ACTIONS[name]
        if name == "Phase2a":
            # only quorums of acceptors that sent a 1b for the ballot can be witnesses
            senders = sorted({m[1] for m in ballot_msgs if m[0] == "1b"})
            for q in itertools.combinations(senders, scope.quorum_size):
                c: Constants = _OneQuorum(len(scope.acceptors), len(scope.values), ballot,
                                          scope.quorum_size, q)
                if any(succ == post for _, succ in action(c, pre, *args)):
                    return post
            return None
        c = self.constants.get(ballot)  # type: ignore[assignment]
        if c is None:
            c = self.constants[ballot] = _AtBallot(
                len(scope.acceptors), len(scope.values), ballot, scope.quorum_size)
        for _, succ in action(c, pre, *args):
            if succ == post:
                return post
        return None

    @staticmethod
    def _state(v: Sequence[tuple[int, int, int | None]], msgs: frozenset[Record]) -> SpecState:
        return SpecState(tuple(x[0] for x in v), tuple(x[1] for x in v),
                         tuple(x[2] for x in v), msgs)

    # -- why a step leaves the spec ---------------------------------------------
    def _why(self, number: int, name: str | None, args: tuple[int, ...], ballot: int,
             new: dict[Record, Message], changed: dict[int, tuple[int, int, int | None]],
             events: Sequence[Event]) -> Departure:
        scope = self.scope
        what = _what(new, events, scope)
        if name is None:
            i, v = next(iter(changed.items()))
            return Departure(number, what, "stutter", _UNCHANGED,
                             self._change(i, v) + "; no action of Paxos.tla does that")
        if len(new) > 1:
            sent = ", ".join(_describe(r, scope) for r in new)
            return Departure(number, what, name, "Send(m)",
                             f"one step sends {len(new)} new messages ({sent}); an action "
                             f"of Paxos.tla sends one", enabling=False)
        cond, detail, enabling = self._failing(name, args, ballot, new, changed)
        return Departure(number, what, name, cond, detail, enabling)

    def _change(self, i: int, v: tuple[int, int, int | None]) -> str:
        a, old = self.scope.acceptors[i], self.vars[i]
        parts = [f"{var}[{a}] goes from {self._show(k, old[k])} to {self._show(k, v[k])}"
                 for k, var in enumerate(("maxBal", "maxVBal", "maxVal")) if old[k] != v[k]]
        return ", ".join(parts)

    def _show(self, k: int, x: int | None) -> str:
        return self.scope.value_name(x) if k == 2 else str(x)

    def _failing(self, name: str, args: tuple[int, ...], b: int, new: dict[Record, Message],
                 changed: dict[int, tuple[int, int, int | None]]) -> tuple[str, str, bool]:
        """The first conjunct of ``name`` that is false, with the values that make it so."""
        scope, msgs = self.scope, self.by_ballot.get(b, _NOTHING)
        others = [i for i in changed if name in ("Phase1a", "Phase2a") or i != args[0]]
        if name == "Phase1a":
            i = others[0]
            return ("UNCHANGED <<maxBal, maxVBal, maxVal>>", self._change(i, changed[i]), False)
        if name == "Phase1b":
            a = args[0]
            pre = self.vars[a]
            if ("1a", b) not in msgs:
                return _1A_EXISTS, f"no 1a message for ballot {b} was sent", True
            if not b > pre[0]:
                return _1B_ABOVE, f"{b} > {pre[0]} is false", True
            r = next(iter(new), None)
            if r is not None and (r[3], r[4]) != (pre[1], pre[2]):
                return ("mbal |-> maxVBal[a], mval |-> maxVal[a]",
                        f"the 1b reports ({r[3]}, {scope.value_name(r[4])}), but maxVBal, "
                        f"maxVal of {scope.acceptors[a]} are ({pre[1]}, "
                        f"{scope.value_name(pre[2])})", False)
            post = changed.get(a, pre)
            if others:
                return _UNCHANGED, self._change(others[0], changed[others[0]]), False
            if post[0] != b or post[1:] != pre[1:]:
                return ("maxBal' = [maxBal EXCEPT ![a] = m.bal] /\\ UNCHANGED <<maxVBal, "
                        "maxVal>>", self._change(a, post) or f"maxBal[{scope.acceptors[a]}] "
                        f"stays {pre[0]}", False)
            return "Send([type |-> \"1b\", ...])", "the promise was not sent", False
        if name == "Phase2a":
            _, v = args
            if any(m[0] == "2a" for m in msgs):
                old = next(m for m in msgs if m[0] == "2a")
                return (_2A_FRESH, f"2a for ballot {b} with value {scope.value_name(old[2])} "
                        f"was already sent", True)
            senders = sorted({m[1] for m in msgs if m[0] == "1b"})
            if len(senders) < scope.quorum_size:
                who = ", ".join(scope.acceptors[i] for i in senders) or "no acceptor"
                return (_2A_QUORUM, f"1b messages for ballot {b} came from {who}: fewer than "
                        f"a quorum of {scope.quorum_size}", True)
            c = _constants(len(scope.acceptors), len(scope.values), b, scope.quorum_size)
            enabled = any(True for _ in ACTIONS["Phase2a"](c, self.spec._replace(msgs=msgs),
                                                             b, v))
            if others and enabled:
                return _UNCHANGED, self._change(others[0], changed[others[0]]), False
            votes = sorted({(m[3], m[4]) for m in msgs if m[0] == "1b" and m[3] >= 0})
            shown = ", ".join(f"({vb}, {scope.value_name(vv)})" for vb, vv in votes)
            return (_2A_SAFE, f"in every quorum whose 1b messages for ballot {b} were sent, "
                    f"some report a vote and the highest-numbered vote's value is not "
                    f"{scope.value_name(v)}; votes reported: {shown}", True)
        a = args[0]  # Phase2b
        pre = self.vars[a]
        r = next(iter(new), None)
        bv = (r[2], r[3]) if r is not None else (changed[a][1], changed[a][2])
        if ("2a", *bv) not in self.msgs:
            return (_2B_EXISTS, f"no 2a message ({bv[0]}, {scope.value_name(bv[1])}) was sent",
                    True)
        if not bv[0] >= pre[0]:
            return _2B_ABOVE, f"{bv[0]} >= {pre[0]} is false", True
        if others:
            return _UNCHANGED, self._change(others[0], changed[others[0]]), False
        if r is None:
            return 'Send([type |-> "2b", ...])', "the acceptance was announced to no one", False
        post = changed.get(a, pre)
        return ("maxBal' = m.bal /\\ maxVBal' = m.bal /\\ maxVal' = m.val",
                self._change(a, post) or f"{scope.acceptors[a]}'s storage does not change",
                False)

    # -- rows -------------------------------------------------------------------
    def _row(self, number: int, events: Sequence[Event], action: str, sent: str,
             ok: bool = True) -> None:
        v, scope = self.vars, self.scope
        self.rows.append(Row(number, _event_text(events), action,
                             tuple(x[0] for x in v), tuple(x[1] for x in v),
                             tuple(scope.value_name(x[2]) for x in v), sent, ok))


def _put(values: tuple[Any, ...], i: int, x: Any) -> tuple[Any, ...]:
    return (*values[:i], x, *values[i + 1:])


def _action_text(name: str, args: tuple[int, ...], scope: Scope) -> str:
    if name in ("Phase1b", "Phase2b"):
        return f"{name}({scope.acceptors[args[0]]})"
    if name == "Phase2a":
        return f"Phase2a({args[0]}, {scope.value_name(args[1])})"
    return f"Phase1a({args[0]})"


def _describe(r: Record, scope: Scope) -> str:
    """A spec message in the spec's record notation, values as the agents name them."""
    return tla_message(r, scope.acceptors.__getitem__, scope.value_name)


def _what(new: dict[Record, Message], events: Sequence[Event], scope: Scope) -> str:
    """What the agents did at a step, in words: the message it sent, or the event."""
    if new:
        r, m = next(iter(new.items()))
        if r[0] == "1a":
            return f"{m.sender}'s prepare request (1a, bal {r[1]})"
        if r[0] == "1b":
            return (f"{m.sender}'s promise (1b, bal {r[2]}, mbal {r[3]}, "
                    f"mval {scope.value_name(r[4])})")
        if r[0] == "2a":
            return f"{m.sender}'s accept request (2a, bal {r[1]}, {scope.value_name(r[2])})"
        return f"{m.sender}'s acceptance (2b, bal {r[2]}, {scope.value_name(r[3])})"
    for e in events:
        if e.kind in _STORAGE_KINDS:
            return f"{e.agent}'s {e.kind}"
    return _event_text(events)


def _event_text(events: Sequence[Event]) -> str:
    return events[0].describe() if events else "nothing happens"


# -- runs, simulations and traces as steps ------------------------------------------


def _check_final(v: _Validator, sim: Simulation) -> None:
    """After a live run: the mapped storage read from the trace must be the
    acceptors' real storage (a change the trace did not show would otherwise
    pass unseen)."""
    if v.departure is not None:
        return
    for name, agent in sim.agents.items():
        if isinstance(agent, Acceptor):
            real = spec_vars(agent.promised, agent.accepted, v.scope)
            i = v.index[name]
            if real != v.vars[i]:
                v.departure = Departure(
                    v.steps, f"{name}'s storage", "stutter", _UNCHANGED,
                    f"the trace shows {v.vars[i]} but {name} holds {real}: a change no "
                    f"event recorded", True)
                return


def validate(run: Run | Simulation | Trace, *, rows: bool = True) -> Validation:
    """Check that ``run`` is a behaviour of ``Paxos.tla``, step by step.

    ``run``: a scripted or replayed `script.Run` (its numbered steps), a
    `Simulation` that recorded its trace, or a `Trace` (a recorded run, loaded
    with `Trace.load`). Stops at the first step that leaves the spec.
    ``rows=False`` skips the per-step table (what `fuzz` does, for speed).
    """
    steps: Iterable[tuple[int, Sequence[Event]]] | None = None
    events: Sequence[Event] = ()
    if isinstance(run, Run):
        sim: Simulation | None = run.sim
        steps = ((m.number, m.events) for m in run.moments)
        scope = Scope.of(run.sim.cluster.acceptor_names, run.sim.cluster.proposal_values)
    elif isinstance(run, Simulation):
        if not run.record:
            raise ValueError("run must be a Simulation made with record=True: validation "
                             "reads its trace")
        sim, events = run, run.trace.events
        scope = Scope.of(run.cluster.acceptor_names, run.cluster.proposal_values)
    elif isinstance(run, Trace):
        sim, events = None, run.events
        scope = Scope.of(run.meta.get("acceptors", ()), run.meta.get("values", ()))
    else:
        raise ValueError(f"run must be a script.Run, a Simulation or a Trace, "
                         f"got {type(run).__name__}")
    v = _Validator(scope, rows)
    if steps is None:
        v.steps_of_trace(events)
    else:
        for number, group in steps:
            if not v.step(number, group):
                break
    if sim is not None:
        _check_final(v, sim)
    return Validation(v.steps, v.departure, tuple(v.rows))


def validate_stored(variant: str) -> Validation:
    """A variant's stored model-checker run (`checker.stored`), replayed by
    `script.replay` with the checker's step numbers, and validated."""
    v = get_variant(variant)
    return validate(replay(v.cluster(), stored(v.name).steps))
