"""Linearizability checking for key-value histories (beyond the paper).

What linearizability means
--------------------------
Herlihy & Wing (1990) call a concurrent object *linearizable* when every
operation appears to take effect atomically at a single instant somewhere
between its invocation and its response.  Put differently: take the record of
what happened (a *history*: who invoked which operation when, and what came
back when), and ask whether the operations can be lined up in one sequence
such that

1. the sequence is one a single, non-concurrent copy of the object could have
   produced -- every response equals what the *sequential specification*
   returns at that point of the sequence; and
2. the sequence respects real time -- if A returned before B was invoked,
   A comes before B.  Operations whose intervals overlap may go either way;
   that freedom is exactly what the checker has to search.

An operation that was invoked but never returned (the client crashed or gave
up) is *pending*.  It may have taken effect at any instant after its
invocation, or never; so the checker may place it anywhere after its
invocation or leave it out altogether, and its output is not checked.
Real-time precedence is strict: an operation completing at time ``t`` does not
precede one invoked at the same ``t``.  Equal timestamps count as concurrent:
with a clock of finite resolution either order may have happened, so the
checker never reports a violation that hinges on a tie (this applies to two
operations of the same client too).

Algorithm
---------
Deciding linearizability is NP-complete in general (Gibbons & Korach 1997), so
the checker is a complete search made practical by pruning:

* **Wing & Gong (1993)**: depth-first search over linearizations.  At each
  step the candidates for *next* are the operations not yet linearized that no
  other un-linearized operation precedes in real time, i.e. whose invocation
  is no later than the earliest response among the un-linearized completed
  operations.  A candidate is taken if the specification, applied to the
  current state, returns the recorded output; otherwise, or when a subtree
  dead-ends, the search backtracks.  The search succeeds once every completed
  operation is linearized (remaining pending operations are simply omitted).
* **Lowe's memoization (2017)**: the rest of the search depends only on
  *which* operations are linearized (a set) and the specification state,
  not on the order that got there.  Each (set, state) configuration is
  therefore explored at most once; this turns the factorial search into one
  bounded by the number of reachable configurations.
* A pending operation is never placed where it would leave the state unchanged
  (a pending ``get``, a failing ``cas``): omitting it there is at least as good.

The search is iterative (an explicit stack), so long histories cannot hit
Python's recursion limit.  ``max_states`` bounds the number of configurations
explored over the whole check; when it is exceeded the checker **raises**
:class:`SearchBudgetExceeded` (it never guesses -- ``Result.linearizable`` is
always a proved answer).

Cost on long histories
----------------------
A configuration's set of linearized operations is stored as a window (see
``_Frame``): the operations below the earliest-invoked open one are all
linearized, so only those from it on need bits.  Building, testing and hashing
a configuration then costs the number of operations *concurrent* with the
earliest open one, not the length of the history.  A bitmask over the whole
sub-history would make a check of n operations O(n²) in time and memory (a
100,000-operation ``kv`` history checked alone: 5.0 s of CPU and a 280 MB peak
that way, 1.5 s and 110 MB this way).
Pending operations that are the same operation (the same ``put``, say) are
interchangeable -- none has an output to match, so swapping two of them in a
linearization leaves it one -- and the search only ever linearizes the
earliest-invoked of such a group next; otherwise every pending operation ever
invoked would be a candidate at every step.  With the window this keeps the
verdict (and, when no two pending operations are the same, the very
configurations explored, in the same order).  When the operations are mostly
sequential -- what a replicated store's clients produce -- each configuration
has a handful of successors and the check is O(n log n) (the sorts); the
exponential worst case, many concurrent operations on one key, remains, and is
what ``max_states`` is for.

Why checking per key is sound (P-compositionality)
--------------------------------------------------
Linearizability is *local* (Herlihy & Wing's locality theorem): a history over
several objects is linearizable iff each object's sub-history is.  A
key-value store is a product of independent registers, one per key -- every
operation reads and writes exactly one key's component of the state -- so its
history is linearizable iff every per-key sub-history is (Horn & Kroening
2015 call such specifications P-compositional).  The *only if* direction is
immediate: restrict a global linearization to one key.  For *if*, the per-key
linearizations can be merged into one global order that respects real time,
and since operations on different keys commute, it replays correctly.
:func:`check` does the merge (a k-way merge by invocation time, which is
correct by the argument in ``_merge``) so even the decomposed check returns a
witness for the whole history.  Splitting matters because the search is
exponential in the number of concurrent operations *on the same key* instead
of in the whole history.

A specification opts in through :meth:`SequentialSpec.partition`; it must only
return distinct keys for operations that touch disjoint parts of the state.

Why it is here
--------------
Section 3 of *Paxos Made Simple* builds a replicated state machine: a sequence
of Paxos instances chooses the order of client commands, and every server
applies them in that order.  What clients should then observe is a single copy
of the state machine, i.e. the replicated object should be linearizable
(provided reads go through the log too).  The project's multi-Paxos key-value
store is verified by recording client histories (with pending operations for
requests that timed out, e.g. across a leader change) and passing them to
:func:`check`.

Operations are plain tuples whose first element names the kind: for the
key-value spec ``("get", key)``, ``("put", key, value)`` and
``("cas", key, expected, new)`` (helpers :func:`get`, :func:`put`,
:func:`cas`); for the single register ``("read",)``, ``("write", value)`` and
``("cas", expected, new)``.  ``None`` means *absent* and cannot be stored.
An operation that *definitely* failed (the store rejected it) should be left
out of the history; one whose fate is unknown should be recorded as pending.
"""

from __future__ import annotations

import heapq
import itertools
import math
import numbers
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

__all__ = [
    "KV",
    "REGISTER",
    "Complete",
    "Invoke",
    "KVSpec",
    "Operation",
    "RegisterSpec",
    "Result",
    "SearchBudgetExceeded",
    "SequentialSpec",
    "cas",
    "check",
    "get",
    "history_from_events",
    "kv_apply",
    "put",
    "register_apply",
    "validate_history",
]

Op: TypeAlias = tuple[Any, ...]
State: TypeAlias = Hashable
Output: TypeAlias = Any

#: Default budget of (set, state) configurations per :func:`check` call.  Large
#: enough for the project's histories (see ``benchmarks/linearizability.py``), small
#: enough that a pathological history fails in seconds rather than hanging a notebook.
DEFAULT_MAX_STATES = 1_000_000


# ---------------------------------------------------------------------------
# Sequential specifications
# ---------------------------------------------------------------------------


class SequentialSpec(Protocol):
    """What the checker needs to know about the object being checked.

    ``apply`` must be a pure function and states must be hashable, because the
    memoization stores (linearized set, state) pairs and compares states by value.
    """

    def initial_state(self) -> State:
        """The state before any operation."""
        ...

    def apply(self, state: State, op: Op) -> tuple[State, Output]:
        """Run ``op`` atomically: return the new state and the output it produces."""
        ...

    def validate(self, op: Op) -> None:
        """Raise ``ValueError`` naming the problem if ``op`` is not an operation of this spec."""
        ...

    def partition(self, op: Op) -> Hashable:
        """Which independent part of the state ``op`` touches (see module docstring).

        Return the same value for every op to disable decomposition.
        """
        ...


KVState: TypeAlias = frozenset[tuple[Hashable, Hashable]]


def _lookup(state: KVState, key: Hashable) -> Hashable:
    # A linear scan is fine: per-key sub-histories keep at most one entry in the state.
    for k, v in state:
        if k == key:
            return v
    return None


def _store(state: KVState, key: Hashable, value: Hashable) -> KVState:
    return frozenset([(k, v) for k, v in state if k != key] + [(key, value)])


def kv_apply(state: KVState, op: Op) -> tuple[KVState, Output]:
    """The sequential key-value store.

    The state is a frozenset of (key, value) pairs: immutable, hashable, and canonical
    (equal maps give equal sets), which is what memoization needs.
    """
    kind, key = op[0], op[1]
    current = _lookup(state, key)
    if kind == "get":
        return state, current
    if kind == "put":
        return _store(state, key, op[2]), "ok"
    if kind == "cas":
        # expected None means "key absent", which _lookup reports as None.
        if current == op[2]:
            return _store(state, key, op[3]), True
        return state, False
    raise ValueError(f"unknown op kind {kind!r}")


def register_apply(state: Hashable, op: Op) -> tuple[Hashable, Output]:
    """A single read/write/compare-and-set register; the state is its value."""
    kind = op[0]
    if kind == "read":
        return state, state
    if kind == "write":
        return op[1], "ok"
    if kind == "cas":
        if state == op[1]:
            return op[2], True
        return state, False
    raise ValueError(f"unknown op kind {kind!r}")


def _require_hashable(what: str, value: object) -> None:
    try:
        hash(value)
    except TypeError:
        raise ValueError(f"{what} {value!r} is not hashable") from None


def _check_shape(op: object, arities: dict[str, int]) -> Op:
    if not isinstance(op, tuple) or not op:
        raise ValueError(f"operation {op!r} is not a non-empty tuple (kind, args...)")
    kind = op[0]
    if kind not in arities:
        known = ", ".join(repr(k) for k in arities)
        raise ValueError(f"unknown op kind {kind!r} in {op!r} (expected one of {known})")
    if len(op) - 1 != arities[kind]:
        raise ValueError(
            f"operation {op!r}: {kind!r} takes {arities[kind]} argument(s), got {len(op) - 1}"
        )
    return op


@dataclass(frozen=True)
class KVSpec:
    """The key-value store of :func:`kv_apply`.

    ``partition_by_key=False`` turns off the per-key decomposition; it exists to
    cross-check the decomposition and to measure what it saves.
    """

    partition_by_key: bool = True

    def initial_state(self) -> KVState:
        return frozenset()

    def apply(self, state: KVState, op: Op) -> tuple[KVState, Output]:
        return kv_apply(state, op)

    def validate(self, op: Op) -> None:
        op = _check_shape(op, {"get": 1, "put": 2, "cas": 3})
        for i, arg in enumerate(op[1:], start=1):
            _require_hashable(f"argument {i} of {op!r}", arg)
        # None is how get reports "absent"; storing it would make the two indistinguishable.
        if op[0] == "put" and op[2] is None:
            raise ValueError(f"operation {op!r}: cannot put None (None means 'absent')")
        if op[0] == "cas" and op[3] is None:
            raise ValueError(f"operation {op!r}: cas cannot store None (None means 'absent')")

    def partition(self, op: Op) -> Hashable:
        return op[1] if self.partition_by_key else None


@dataclass(frozen=True)
class RegisterSpec:
    """A single register holding ``initial`` at first (no decomposition: one object)."""

    initial: Hashable = None

    def initial_state(self) -> Hashable:
        return self.initial

    def apply(self, state: Hashable, op: Op) -> tuple[Hashable, Output]:
        return register_apply(state, op)

    def validate(self, op: Op) -> None:
        op = _check_shape(op, {"read": 0, "write": 1, "cas": 2})
        for i, arg in enumerate(op[1:], start=1):
            _require_hashable(f"argument {i} of {op!r}", arg)

    def partition(self, op: Op) -> Hashable:
        return None


KV = KVSpec()
REGISTER = RegisterSpec()


def get(key: Hashable) -> Op:
    return ("get", key)


def put(key: Hashable, value: Hashable) -> Op:
    return ("put", key, value)


def cas(key: Hashable, expected: Hashable, new: Hashable) -> Op:
    return ("cas", key, expected, new)


# ---------------------------------------------------------------------------
# Histories
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Invoke:
    """``client`` invoked ``op`` at ``time``."""

    client: Hashable
    op: Op
    time: float


@dataclass(frozen=True)
class Complete:
    """``client``'s outstanding operation returned ``output`` at ``time``."""

    client: Hashable
    output: Output
    time: float


@dataclass(frozen=True)
class Operation:
    """One operation with its interval; ``complete_time=None`` means pending.

    A pending operation must also have ``output=None`` (nothing came back).  Note that a
    *completed* ``get`` may legitimately have ``output=None`` (key absent), so pending-ness
    is decided by ``complete_time`` alone.
    """

    client: Hashable
    op: Op
    output: Output
    invoke_time: float
    complete_time: float | None = None

    @property
    def pending(self) -> bool:
        return self.complete_time is None

    def __str__(self) -> str:
        call = f"{self.op[0]}({', '.join(repr(a) for a in self.op[1:])})"
        if self.pending:
            return f"client {self.client!r}: {call} pending [{self.invoke_time}, ...)"
        return (
            f"client {self.client!r}: {call} -> {self.output!r} "
            f"[{self.invoke_time}, {self.complete_time}]"
        )


def _check_time(time: object, where: str) -> None:
    # bool is an int subclass, but True as a timestamp is surely a bug.
    if not isinstance(time, numbers.Real) or isinstance(time, bool):
        # ValueError, not TypeError: callers catch one exception for any malformed history.
        raise ValueError(f"{where}: time {time!r} is not a number")
    if math.isnan(time):
        raise ValueError(f"{where}: time is NaN")


def _completion(o: Operation) -> float:
    return math.inf if o.complete_time is None else o.complete_time


def history_from_events(events: Iterable[Invoke | Complete]) -> list[Operation]:
    """Pair invocations with completions, in the order the events are given.

    The events must be in real-time order (times non-decreasing).  Each client has at
    most one outstanding operation, so a ``Complete`` belongs to its client's
    outstanding ``Invoke``.  Invocations never completed become pending operations.
    Operations are returned in invocation order.  Raises ``ValueError`` naming the
    first problem found.
    """
    ops: list[Operation | None] = []
    outstanding: dict[Hashable, tuple[int, Invoke]] = {}
    last_time: float | None = None
    for n, event in enumerate(events):
        where = f"event {n} ({event!r})"
        if not isinstance(event, Invoke | Complete):
            raise ValueError(f"{where} is neither an Invoke nor a Complete")
        _check_time(event.time, where)
        if last_time is not None and event.time < last_time:
            raise ValueError(f"{where}: times go backwards ({event.time} after {last_time})")
        last_time = event.time
        _require_hashable(f"{where}: client", event.client)
        if isinstance(event, Invoke):
            if event.client in outstanding:
                _, previous = outstanding[event.client]
                raise ValueError(
                    f"{where}: client {event.client!r} has two outstanding operations "
                    f"({previous.op!r} invoked at {previous.time} has not completed)"
                )
            outstanding[event.client] = (len(ops), event)
            ops.append(None)  # filled in at completion, or at the end if pending
        else:
            if event.client not in outstanding:
                raise ValueError(
                    f"{where}: completion without invocation "
                    f"(client {event.client!r} has no outstanding operation)"
                )
            slot, inv = outstanding.pop(event.client)
            ops[slot] = Operation(inv.client, inv.op, event.output, inv.time, event.time)
    for slot, inv in outstanding.values():
        ops[slot] = Operation(inv.client, inv.op, None, inv.time, None)
    return [op for op in ops if op is not None]


def validate_history(history: Sequence[Operation], spec: SequentialSpec = KV) -> None:
    """Raise ``ValueError`` naming the first problem in ``history``, if any."""
    by_client: dict[Hashable, list[Operation]] = {}
    for n, o in enumerate(history):
        where = f"operation {n} ({o!r})"
        if not isinstance(o, Operation):
            raise ValueError(f"{where} is not an Operation")
        _check_time(o.invoke_time, where)
        if o.complete_time is not None:
            _check_time(o.complete_time, where)
            if o.complete_time < o.invoke_time:
                raise ValueError(
                    f"{where}: times go backwards (completes at {o.complete_time}, "
                    f"before its invocation at {o.invoke_time})"
                )
        elif o.output is not None:
            raise ValueError(f"{where}: a pending operation cannot have an output")
        _require_hashable(f"{where}: client", o.client)
        try:
            spec.validate(o.op)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        by_client.setdefault(o.client, []).append(o)
    for client, ops in by_client.items():
        # Zero-length operations can share an instant with the next one, so order ties
        # by completion too; pending (never-completed) operations sort last.
        ops = sorted(ops, key=lambda o: (o.invoke_time, _completion(o)))
        for a, b in itertools.pairwise(ops):
            # A client is sequential: its next invocation must not precede its last response.
            if a.complete_time is None or a.complete_time > b.invoke_time:
                raise ValueError(f"client {client!r} has two outstanding operations: {a} and {b}")


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


class SearchBudgetExceeded(RuntimeError):
    """The search explored more than ``max_states`` configurations: the answer is unknown."""

    def __init__(self, key: Hashable, states_explored: int, max_states: int) -> None:
        super().__init__(
            f"linearizability search gave up after exploring {states_explored} states "
            f"(max_states={max_states}) while checking key {key!r}; the result is unknown. "
            f"Raise max_states, or pass max_states=None for no limit."
        )
        self.key = key
        self.states_explored = states_explored
        self.max_states = max_states


@dataclass(frozen=True)
class Result:
    """Outcome of :func:`check`.

    ``order`` (when linearizable) is a witness: every completed operation plus the
    pending operations that took effect, in an order consistent with real time and the
    spec.  Pending operations not in ``order`` are those the witness treats as never
    having taken effect.

    When not linearizable, ``key`` is the partition whose sub-history fails (``None``
    for unpartitioned specs), ``longest_prefix`` is the longest linearizable prefix of
    that sub-history the search found, and ``unplaced`` are the operations that could
    have come next after it but whose recorded outputs disagree with the spec there;
    ``explanation`` says the same in words.  ``states_explored`` counts distinct
    (linearized set, state) configurations over all keys checked.
    """

    linearizable: bool
    order: tuple[Operation, ...] | None
    states_explored: int
    key: Hashable = None
    longest_prefix: tuple[Operation, ...] = ()
    unplaced: tuple[Operation, ...] = ()
    explanation: str = ""


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


class _Budget:
    def __init__(self, max_states: int | None) -> None:
        self.max_states = max_states
        self.explored = 0

    def spend(self, key: Hashable) -> None:
        self.explored += 1
        if self.max_states is not None and self.explored > self.max_states:
            raise SearchBudgetExceeded(key, self.explored, self.max_states)


class _Frame:
    """One configuration on the DFS stack, with the candidates still to try from it.

    The set of linearized operations is kept as a *window*, not as one bitmask over
    the whole sub-history: every completed operation below ``base`` is linearized,
    bit i of ``window`` says whether completed operation ``base + i`` is (bit 0 is
    always clear: ``base`` is the lowest one still open), and ``placed`` counts
    the pending operations linearized in each group of identical ones (the
    earliest-invoked of the group: see `_search`).  These name the same set as a
    bitmask would, but their size is the number of operations *concurrent* with
    the earliest open one (and of distinct pending operations), not the length
    of the history.  A bitmask over n operations costs O(n) to build, test and
    hash, and the memo keeps one per configuration: O(n²) time and memory.
    """

    __slots__ = ("base", "candidates", "comp_lo", "depth", "done", "next", "parent",
                 "placed", "state", "via", "window")

    def __init__(
        self,
        base: int,
        window: int,
        placed: tuple[int, ...],
        state: State,
        done: int,
        comp_lo: int,
        candidates: list[int],
        parent: _Frame | None,
        via: int,
        depth: int,
    ) -> None:
        self.base = base  # completed operations 0..base-1 are linearized, base is not
        self.window = window  # bit i set: completed operation base+i is linearized
        self.placed = placed  # per group of identical pending ops: how many linearized
        self.state = state
        self.done = done  # completed operations linearized (pending ones don't count)
        self.comp_lo = comp_lo  # first index into by_complete that may be un-linearized
        self.candidates = candidates
        self.next = 0
        # Parent links let us rebuild the path of any frame, in particular the deepest
        # one, after the stack has unwound past it.
        self.parent = parent
        self.via = via
        self.depth = depth

    def path(self) -> list[int]:
        out: list[int] = []
        f: _Frame | None = self
        while f is not None and f.parent is not None:
            out.append(f.via)
            f = f.parent
        out.reverse()
        return out


@dataclass
class _KeyOutcome:
    ok: bool
    order: list[int]  # indices into the sub-history (witness, or longest prefix)
    unplaced: list[int]
    state: State = None


_REJECT: Any = object()


def _search(
    ops: list[Operation], spec: SequentialSpec, budget: _Budget, key: Hashable
) -> _KeyOutcome:
    """Wing & Gong DFS with Lowe's memoization over one sub-history.

    Returns indices into ``ops``: the witness order, or the longest prefix found and the
    operations that could not follow it.
    """
    # Number completed ops 0..nc-1 by invocation time, pending ones after them.  Every
    # completed op is eventually linearized, so a frame's ``base`` is the
    # earliest-invoked open completed op and candidates are a short scan from it.
    # Pending ops may stay out forever, so they get their own (short) list instead of
    # holding that scan back.
    done_ops = sorted(
        (o for o in range(len(ops)) if not ops[o].pending), key=lambda o: ops[o].invoke_time
    )
    pending_ops = sorted(
        (o for o in range(len(ops)) if ops[o].pending), key=lambda o: ops[o].invoke_time
    )
    local = done_ops + pending_ops  # local index -> index into ops
    nc = len(done_ops)
    n = len(local)
    invoke = [ops[o].invoke_time for o in local]
    complete = [_completion(ops[o]) for o in local]
    by_complete = sorted(range(nc), key=complete.__getitem__)
    # Pending ops with the same operation are interchangeable: none has an output
    # to match, so if a later-invoked one is linearized while an earlier one is
    # not, swapping the two gives a linearization too.  So the linearized ones of
    # each group are always its earliest-invoked, and a frame only counts them
    # (``placed``, one count per group); the next of each group is the only
    # candidate from it.  Without this, every pending op ever invoked and not
    # linearized was a candidate at every step: quadratic in a long history.
    members: dict[Op, list[int]] = {}
    for j in range(nc, n):
        members.setdefault(ops[local[j]].op, []).append(j)
    groups = list(members.values())  # in order of first invocation
    group_of = {j: g for g, group in enumerate(groups) for j in group}

    def make_frame(
        base: int, window: int, placed: tuple[int, ...], state: State, done: int,
        comp_lo: int, parent: _Frame | None, via: int,
    ) -> _Frame:
        # Only called while some completed op is open, so comp_lo stays in range.
        while True:
            k = by_complete[comp_lo]
            if k >= base and not window >> (k - base) & 1:
                break
            comp_lo += 1
        # Nothing invoked after the earliest open response can go next: that op
        # precedes it in real time.
        horizon = complete[by_complete[comp_lo]]
        candidates = []
        j, w = base, window  # base itself is open: bit 0 of the window is clear
        while j < nc and invoke[j] <= horizon:
            if not w & 1:
                candidates.append(j)
            j += 1
            w >>= 1
        if groups:
            nexts = [group[c] for group, c in zip(groups, placed, strict=True)
                     if c < len(group) and invoke[group[c]] <= horizon]
            candidates += sorted(nexts)  # in order of invocation, as the completed ones
        depth = 0 if parent is None else parent.depth + 1
        return _Frame(base, window, placed, state, done, comp_lo, candidates, parent, via,
                      depth)

    # (local op, state) -> state after linearizing it there, or _REJECT if it cannot go
    # there.  apply is pure and the same few states recur across many sets, so this
    # saves most spec calls.  (Not None for "cannot": None is a legitimate state.)
    steps: dict[tuple[int, State], State] = {}

    def step(j: int, state: State) -> State:
        new_state, output = spec.apply(state, ops[local[j]].op)
        if j >= nc:
            # A pending op's output is unknown, so it always "matches"; but if it leaves
            # the state unchanged, omitting it is at least as good as placing it here.
            return _REJECT if new_state == state else new_state
        return new_state if output == ops[local[j]].output else _REJECT

    initial = spec.initial_state()
    budget.spend(key)
    if nc == 0:
        return _KeyOutcome(True, [], [])
    # (base, window, placed, state) configurations explored: see _Frame
    none_placed = (0,) * len(groups)
    seen: set[tuple[int, int, tuple[int, ...], State]] = {(0, 0, none_placed, initial)}
    root = make_frame(0, 0, none_placed, initial, 0, 0, None, -1)
    deepest = root
    stack = [root]
    while stack:
        f = stack[-1]
        if f.next == len(f.candidates):
            stack.pop()  # every continuation from here dead-ends: backtrack
            continue
        j = f.candidates[f.next]
        f.next += 1
        cache_key = (j, f.state)
        if cache_key in steps:
            state = steps[cache_key]
        else:
            state = steps[cache_key] = step(j, f.state)
        if state is _REJECT:
            continue
        base, window, placed = f.base, f.window, f.placed
        if j >= nc:
            g = group_of[j]
            placed = (*placed[:g], placed[g] + 1, *placed[g + 1:])
        elif j > base:
            window |= 1 << (j - base)
        else:  # the lowest open op is linearized: slide the window past the closed ones
            window |= 1
            shift = (~window & (window + 1)).bit_length() - 1  # trailing ones
            base, window = base + shift, window >> shift
        if (base, window, placed, state) in seen:
            continue  # explored before via another order: same future, same verdict
        seen.add((base, window, placed, state))
        budget.spend(key)
        done = f.done + (j < nc)
        if done == nc:
            return _KeyOutcome(True, [local[k] for k in [*f.path(), j]], [])
        child = make_frame(base, window, placed, state, done, f.comp_lo, f, j)
        if child.depth > deepest.depth:
            deepest = child
        stack.append(child)
    # At the deepest frame every completed candidate must have failed its output check:
    # one that matched would have produced a deeper (hence unseen) configuration.
    return _KeyOutcome(
        False,
        [local[k] for k in deepest.path()],
        [local[k] for k in deepest.candidates if k < nc],
        deepest.state,
    )


def _merge(subs: list[list[int]], history: Sequence[Operation]) -> list[int]:
    """Merge per-key linearizations (of history indices) into one global linearization.

    Always take the chain head with the earliest invocation.  Why that respects real
    time: let u be the un-placed op with the earliest response m.  The head h of u's
    chain is u itself or comes before u in a real-time-respecting chain, so h is
    invoked no later than m; the earliest-invoked head is invoked no later than h,
    hence no later than m, so no un-placed op precedes it in real time.
    """
    heap: list[tuple[float, int, int, int]] = []
    for c, chain in enumerate(subs):
        if chain:
            heap.append((history[chain[0]].invoke_time, chain[0], c, 0))
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        _, idx, c, pos = heapq.heappop(heap)
        out.append(idx)
        if pos + 1 < len(subs[c]):
            nxt = subs[c][pos + 1]
            heapq.heappush(heap, (history[nxt].invoke_time, nxt, c, pos + 1))
    return out


def _show_state(state: State) -> str:
    # KV states are frozensets of pairs for hashability; show them as the maps they are.
    if isinstance(state, frozenset) and all(isinstance(p, tuple) and len(p) == 2 for p in state):
        return "{" + ", ".join(sorted(f"{k!r}: {v!r}" for k, v in state)) + "}"
    return repr(state)


def _explain(
    key: Hashable,
    partitioned: bool,
    sub: list[Operation],
    outcome: _KeyOutcome,
    spec: SequentialSpec,
) -> str:
    where = f"key {key!r}" if partitioned else "the history"
    prefix = [sub[i] for i in outcome.order]
    lines = [
        f"not linearizable: {where} ({len(sub)} operations); the longest linearizable "
        f"prefix found has {len(prefix)} operation(s)" + (":" if prefix else ".")
    ]
    lines += [f"  {k + 1}. {o}" for k, o in enumerate(prefix)]
    lines.append(
        f"after which the state is {_show_state(outcome.state)} and no operation can go next:"
    )
    for i in outcome.unplaced:
        o = sub[i]
        _, expected = spec.apply(outcome.state, o.op)
        lines.append(f"  {o}: returned {o.output!r}, but the spec gives {expected!r} here")
    return "\n".join(lines)


def check(
    history: Sequence[Operation] | Sequence[Invoke | Complete],
    spec: SequentialSpec = KV,
    *,
    max_states: int | None = DEFAULT_MAX_STATES,
) -> Result:
    """Decide whether ``history`` is linearizable with respect to ``spec``.

    ``history`` is a sequence of :class:`Operation` records, or of :class:`Invoke` /
    :class:`Complete` events in real-time order.  The check is exact.  Raises
    ``ValueError`` for malformed histories and :class:`SearchBudgetExceeded` if more
    than ``max_states`` configurations (summed over keys) would be explored
    (``None``: no limit).
    """
    items = list(history)
    if items and all(isinstance(e, Invoke | Complete) for e in items):
        ops = history_from_events(items)  # type: ignore[arg-type]
    else:
        ops = items  # type: ignore[assignment]
    validate_history(ops, spec)

    groups: dict[Hashable, list[int]] = {}
    for idx, o in enumerate(ops):
        groups.setdefault(spec.partition(o.op), []).append(idx)
    partitioned = len(groups) > 1 or any(k is not None for k in groups)

    budget = _Budget(max_states)
    chains: list[list[int]] = []
    # Smallest sub-histories first, so a cheap violation is reported before an
    # expensive key can exhaust the budget.  Ties keep first-appearance order.
    for key, idxs in sorted(groups.items(), key=lambda kv: len(kv[1])):
        sub = [ops[i] for i in idxs]
        outcome = _search(sub, spec, budget, key)
        if not outcome.ok:
            return Result(
                linearizable=False,
                order=None,
                states_explored=budget.explored,
                key=key,
                longest_prefix=tuple(sub[i] for i in outcome.order),
                unplaced=tuple(sub[i] for i in outcome.unplaced),
                explanation=_explain(key, partitioned, sub, outcome, spec),
            )
        chains.append([idxs[i] for i in outcome.order])
    order = _merge(chains, ops)
    return Result(
        linearizable=True,
        order=tuple(ops[i] for i in order),
        states_explored=budget.explored,
    )
