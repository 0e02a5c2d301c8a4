"""The ``lamport`` model: Lamport's TLA+ Paxos consensus spec, explored exhaustively.

Which spec
----------
This model reproduces, state for state, the behaviour of Lamport's specification
``Paxos.tla`` in the tlaplus/Examples repository (folder
``specifications/PaxosHowToWinATuringAward``, checked there by ``MCPaxos.tla`` with
the configurations ``MCPaxosTiny.cfg`` and ``MCPaxosSmall.cfg``; the older copy in
``specifications/Paxos`` has the same actions). It is the algorithm of section 2 of
*Paxos Made Simple* written as a state machine:

- variables: for every acceptor ``maxBal`` (highest ballot it has joined),
  ``maxVBal``/``maxVal`` (its latest vote, ``-1``/``None`` before it ever voted),
  and ``msgs``, the set of every message ever sent. Messages are never removed,
  so loss, delay and duplication need no actions of their own: a message that
  is never acted on was, in effect, lost; one acted on twice was duplicated.
- initial state: every acceptor at ``-1, -1, None``; ``msgs`` empty.
- actions, with the spec's names: ``Phase1a(b)`` sends ``1a(b)`` (always
  enabled, a stuttering step once sent); ``Phase1b(a)`` answers a ``1a(b)`` with
  ``b > maxBal[a]``; ``Phase2a(b, v)`` sends the one ``2a`` of ballot ``b`` once a
  quorum's ``1b`` messages for ``b`` show ``v`` is safe (none of them carries a
  vote, or ``v`` is the value of the highest-ballot vote among them);
  ``Phase2b(a)`` votes for a ``2a(b, v)`` with ``b >= maxBal[a]``.
- constants as in ``MCPaxos``: ``Ballot = 0..max_ballot``, acceptors ``a1..an``,
  values ``v1..vk``, and ``Quorum`` = every set of exactly ``quorum_size``
  acceptors (a bare majority by default: ``{{a1,a2},{a1,a3},{a2,a3}}`` for three).
  The quorum family matters for the *generated* count, since each quorum that
  enables ``Phase2a`` is a separate witness; supersets of a majority are not in it.

The property checked in every reachable state is the paper's second safety
requirement, "Only a single value is chosen": value ``v`` is chosen when, for
some ballot ``b``, every acceptor of some quorum has sent ``2b(b, v)``. (The fast
search re-checks it only in states reached by a vote, the one action that can
change which values are chosen; ``quorum_size`` below a majority makes it fail.)

How counts are defined (as TLC defines them)
--------------------------------------------
- *distinct states*: reachable states (with ``symmetry``: reachable orbits).
- *states generated*: the initial state plus every state produced by a
  next-state computation, duplicates and stuttering steps included. TLC counts
  one state per way of satisfying ``Next``: per disjunct and per witness of each
  ``\\E``; so ``Phase1a(b)`` counts even when ``1a(b)`` was already sent, and
  ``Phase2a(b, v)`` counts once per quorum ``Q`` and per highest-vote ``1b``
  message that enables it (the same successor state several times).
- *depth*: TLC's "depth of the complete state graph search": the number of states
  on the longest shortest path from the initial state, the initial state counted
  as depth 1 (a spec whose only state is the initial one has depth 1).

These definitions were checked against TLC itself (see the tests): e.g.
``MCPaxosTiny`` (3 acceptors, 2 values, ballots 0..1) is 3921 distinct states,
23563 generated, depth 17, the figures recorded in the repository's manifest.

Two implementations
-------------------
``check_lamport_naive`` mirrors the spec's actions one for one, with states as
tuples holding a ``frozenset`` of message tuples; it is the readable reference.
``check_lamport`` is the fast one, and encodes a state as a single ``int``:

- every message that can ever be sent is numbered once, and ``msgs`` is the
  bitmask of those numbers;
- an acceptor's ``(maxBal, maxVBal, maxVal)`` is an index into the list of its
  possible local states, stored in a few bits of the same ``int`` (redundant:
  it is a function of the acceptor's messages, but reading it is cheaper than
  recomputing it);
- the bits are laid out as ``[1a][2a][acceptor 1 block]...[acceptor n block]``,
  a block holding the acceptor's state index, its ``1b`` and its ``2b`` messages.

The successors of a state depend on small parts of it only, so they come from
memo tables filled on first use: for ``Phase1b(a)``/``Phase2b(a)`` the table is
keyed by the ``1a``/``2a`` bits plus ``a``'s state index, for ``Phase2a(b, .)`` by
the ``2a(b, .)`` bits plus all ``1b(., b, .)`` bits. An entry holds the number of
generated states and the XOR masks that turn the state into each new successor,
so a successor is one integer operation on its parent and nothing is decoded.
(The acceptors' variables only ever change along with a message they send, so
a state is in fact determined by ``msgs`` alone; the state indices only save
work.)

Symmetry (``symmetry=True``) reduces by renamings of acceptors and of values,
as ``MCSymmetry`` (``Permutations(Acceptor) \\cup Permutations(Value)``) does in
``specifications/Paxos/MCPaxos.tla``. Both kinds of renaming commute, so the
search works with the group they generate and keeps one representative per
orbit. The representative (``_Canonicalizer``) is computed, not searched for:
every value that occurs in a state occurs in a ``2a`` message, and a ballot has
at most one ``2a``, so values are renamed in the order of the lowest ballot that
proposed them (unused values are interchangeable and go last); then the
acceptor blocks are sorted. Two states get the same representative exactly when
one is a renaming of the other, so *distinct states* is the number of reachable
orbits; ``check_lamport_naive`` instead takes the minimum over all renamings, and
the tests check that both give the same counts. TLC picks its representative
among the renamings listed in the ``SYMMETRY`` set; its counts equal these
orbit counts on every configuration we compared (see the tests). A renaming
maps the successors of a state onto those of its image and fixes the initial
state, so the generated count, the depth and the length of the shortest
counterexample do not depend on which member of an orbit is expanded: the
verdict cannot change.

Peak memory is the peak resident set size of the whole process, read with
``resource.getrusage`` (so it includes the interpreter and whatever the process
held before the search; run a search in a fresh process to measure it alone).
"""

from __future__ import annotations

import itertools
import resource
import sys
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "LIMITS",
    "LamportResult",
    "SpecState",
    "check_lamport",
    "check_lamport_naive",
    "chosen_values",
    "describe_action",
    "initial_state",
    "successors",
]

#: Allowed ranges (inclusive) of the model's parameters.
LIMITS: dict[str, tuple[int, int]] = {
    "acceptors": (1, 7),
    "values": (1, 4),
    "max_ballot": (0, 5),
}

#: ``progress(distinct_states, depth, queue, elapsed_seconds)``
ProgressCallback = Callable[[int, int, int, float], None]

NO_BALLOT = -1  # the spec's -1: "has not joined / voted in any ballot"


@dataclass(frozen=True)
class LamportResult:
    """What a search found, with counts defined as TLC defines them.

    When the search stopped early (a violation, ``max_states``, ``max_seconds``)
    the counts cover what it had explored by then; TLC's own counts at such a
    stop depend on its exploration order and need not be the same.
    """

    acceptors: int
    values: int
    max_ballot: int
    quorum_size: int
    symmetry: bool
    distinct_states: int
    states_generated: int
    depth: int
    seconds: float
    peak_memory_mb: float
    violation: bool
    counterexample: tuple[str, ...]
    #: False when the search stopped before it saw every state: a violation,
    #: ``max_states``, ``max_seconds`` (or the naive search's ``max_depth``).
    complete: bool
    implementation: str

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (the counterexample as a list of action strings)."""
        data = asdict(self)
        data["counterexample"] = list(self.counterexample)
        data["seconds"] = round(self.seconds, 4)
        data["peak_memory_mb"] = round(self.peak_memory_mb, 1)
        return data


def _check_range(name: str, value: object, low: int, high: int) -> int:
    # bool is an int subclass; True as a count of acceptors is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _validate(acceptors: int, values: int, max_ballot: int, quorum_size: int | None) -> int:
    """Check the parameters; return the quorum size (a bare majority by default)."""
    for name, value in (("acceptors", acceptors), ("values", values), ("max_ballot", max_ballot)):
        low, high = LIMITS[name]
        _check_range(name, value, low, high)
    if quorum_size is None:
        return acceptors // 2 + 1
    return _check_range("quorum_size", quorum_size, 1, acceptors)


def _acceptor_name(a: int) -> str:
    return f"a{a + 1}"


def _value_name(v: int | None) -> str:
    return "None" if v is None else f"v{v + 1}"


# ---------------------------------------------------------------------------
# The reference implementation: the spec's actions, one function each.
# ---------------------------------------------------------------------------

# Messages are tuples whose first field is the spec's message type:
#   ("1a", bal)   ("1b", acc, bal, mbal, mval)   ("2a", bal, val)   ("2b", acc, bal, val)
# with acceptors and values numbered from 0 and mval None when mbal is -1.
Message = tuple[object, ...]

# An action is a tuple naming the spec's action and what it acted on:
#   ("Phase1a", b)   ("Phase1b", a, b, mbal, mval)   ("Phase2a", b, v)   ("Phase2b", a, b, v)
# It is turned into words only when a trace is shown (describe_action).
Action = tuple[object, ...]


class SpecState(NamedTuple):
    """One state of the spec: the four variables, acceptors numbered from 0."""

    max_bal: tuple[int, ...]
    max_vbal: tuple[int, ...]
    max_val: tuple[int | None, ...]
    msgs: frozenset[Message]


@dataclass(frozen=True)
class _Constants:
    acceptors: int
    values: int
    max_ballot: int
    quorum_size: int

    @property
    def ballots(self) -> range:
        return range(self.max_ballot + 1)

    @cached_property
    def quorums(self) -> tuple[tuple[int, ...], ...]:
        """MCPaxos's Quorum: every set of exactly ``quorum_size`` acceptors."""
        return tuple(itertools.combinations(range(self.acceptors), self.quorum_size))


def initial_state(acceptors: int) -> SpecState:
    """``Init``: no acceptor has joined a ballot or voted; no message was sent."""
    return SpecState(
        (NO_BALLOT,) * acceptors, (NO_BALLOT,) * acceptors, (None,) * acceptors, frozenset()
    )


def describe_action(action: Action) -> str:
    """An action in words, e.g. ``Phase2b(a1) accepts ballot 0 value v1``."""
    name = action[0]
    if name == "Phase1a":
        return f"Phase1a({action[1]})"
    if name == "Phase1b":
        _, a, b, vbal, val = action
        report = "no vote yet" if vbal == NO_BALLOT else f"last vote: ballot {vbal} value "
        report += "" if vbal == NO_BALLOT else _value_name(val)
        return f"Phase1b({_acceptor_name(a)}) promises ballot {b} ({report})"
    if name == "Phase2a":
        return f"Phase2a({action[1]}, {_value_name(action[2])})"
    _, a, b, v = action
    return f"Phase2b({_acceptor_name(a)}) accepts ballot {b} value {_value_name(v)}"


def _replace(values: tuple, index: int, new: object) -> tuple:
    return (*values[:index], new, *values[index + 1 :])


def _phase1a(c: _Constants, s: SpecState, b: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 1(a): a proposer asks the acceptors to join ballot ``b``.

    Always enabled; sending it again changes nothing (a stuttering step), which
    TLC still counts as a generated state.
    """
    yield ("Phase1a", b), SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("1a", b)})


def _phase1b(c: _Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 1(b): acceptor ``a`` joins ballot ``b > maxBal[a]`` and reports its last vote."""
    for b in c.ballots:  # one witness per 1a message, as the spec's \E m \in msgs
        if ("1a", b) in s.msgs and b > s.max_bal[a]:
            vbal, val = s.max_vbal[a], s.max_val[a]
            yield (
                ("Phase1b", a, b, vbal, val),
                SpecState(
                    _replace(s.max_bal, a, b),
                    s.max_vbal,
                    s.max_val,
                    s.msgs | {("1b", a, b, vbal, val)},
                ),
            )


def _phase2a_witnesses(c: _Constants, msgs: frozenset[Message], b: int, v: int) -> int:
    """How many ways ``Phase2a(b, v)`` is enabled (TLC generates one state per way).

    Zero when a 2a message for ``b`` was already sent. Otherwise, per quorum Q:
    every acceptor of Q must have sent a 1b for ``b``; if none of those 1b
    messages reports a vote, Q is one witness; else each 1b reporting the
    highest vote, with value ``v``, is one.
    """
    if any(m[0] == "2a" and m[1] == b for m in msgs):
        return 0
    witnesses = 0
    for quorum in c.quorums:
        q1b = [m for m in msgs if m[0] == "1b" and m[1] in quorum and m[2] == b]
        # \A a \in Q : \E m \in Q1b : m.acc = a, enumerated: a product of counts
        # (each acceptor sends at most one 1b per ballot, so it is 0 or 1).
        ways = 1
        for a in quorum:
            ways *= sum(1 for m in q1b if m[1] == a)
        if ways == 0:
            continue
        q1bv = [m for m in q1b if m[3] >= 0]
        if not q1bv:
            witnesses += ways
        else:
            highest = max(m[3] for m in q1bv)
            witnesses += ways * sum(1 for m in q1bv if m[4] == v and m[3] == highest)
    return witnesses


def _phase2a(c: _Constants, s: SpecState, b: int, v: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 2(a): the ballot-``b`` proposer asks acceptors to accept ``v``, once ``v`` is safe."""
    witnesses = _phase2a_witnesses(c, s.msgs, b, v)
    if witnesses:
        successor = SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("2a", b, v)})
        for _ in range(witnesses):
            yield ("Phase2a", b, v), successor


def _phase2b(c: _Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 2(b): acceptor ``a`` accepts a 2a proposal unless it joined a higher ballot."""
    for b in c.ballots:
        for v in range(c.values):
            if ("2a", b, v) in s.msgs and b >= s.max_bal[a]:
                yield (
                    ("Phase2b", a, b, v),
                    SpecState(
                        _replace(s.max_bal, a, b),
                        _replace(s.max_vbal, a, b),
                        _replace(s.max_val, a, v),
                        s.msgs | {("2b", a, b, v)},
                    ),
                )


def successors(
    acceptors: int, values: int, max_ballot: int, state: SpecState, quorum_size: int | None = None
) -> list[tuple[str, SpecState]]:
    """``Next``: every (action in words, successor) pair, one per TLC-generated state.

    The list repeats a successor once per witness and includes stuttering steps,
    so its length is what this state adds to TLC's "states generated".
    """
    q = _validate(acceptors, values, max_ballot, quorum_size)
    c = _Constants(acceptors, values, max_ballot, q)
    return [(describe_action(action), succ) for action, succ in _successors(c, state)]


def _successors(c: _Constants, s: SpecState) -> list[tuple[Action, SpecState]]:
    # The order of Next's disjuncts; it fixes which shortest trace BFS reports.
    result: list[tuple[Action, SpecState]] = []
    for b in c.ballots:
        result.extend(_phase1a(c, s, b))
        for v in range(c.values):
            result.extend(_phase2a(c, s, b, v))
    for a in range(c.acceptors):
        result.extend(_phase1b(c, s, a))
        result.extend(_phase2b(c, s, a))
    return result


def chosen_values(msgs: frozenset[Message], quorum_size: int) -> set[int]:
    """Values accepted (2b) by ``quorum_size`` acceptors in one ballot: the chosen ones."""
    votes: dict[tuple[object, object], int] = {}
    for m in msgs:
        if m[0] == "2b":
            key = (m[2], m[3])
            votes[key] = votes.get(key, 0) + 1
    return {v for (_, v), count in votes.items() if count >= quorum_size}


def _permute(s: SpecState, acc: tuple[int, ...], val: tuple[int, ...]) -> SpecState:
    """Rename acceptor ``a`` to ``acc[a]`` and value ``v`` to ``val[v]``."""
    n = len(acc)
    max_bal = [0] * n
    max_vbal = [0] * n
    max_val: list[int | None] = [None] * n
    for a in range(n):
        max_bal[acc[a]] = s.max_bal[a]
        max_vbal[acc[a]] = s.max_vbal[a]
        max_val[acc[a]] = None if s.max_val[a] is None else val[s.max_val[a]]
    msgs: set[Message] = set()
    for m in s.msgs:
        if m[0] == "1a":
            msgs.add(m)
        elif m[0] == "1b":
            mval = m[4]
            msgs.add(("1b", acc[m[1]], m[2], m[3], None if mval is None else val[mval]))
        elif m[0] == "2a":
            msgs.add(("2a", m[1], val[m[2]]))
        else:
            msgs.add(("2b", acc[m[1]], m[2], val[m[3]]))
    return SpecState(tuple(max_bal), tuple(max_vbal), tuple(max_val), frozenset(msgs))


def _message_key(m: Message) -> tuple:
    # None only ever sits beside mbal = -1, but keep sorting total regardless.
    return tuple(-1 if x is None else x for x in m)


def _sort_key(s: SpecState) -> tuple:
    return (
        s.max_bal,
        s.max_vbal,
        tuple(-1 if v is None else v for v in s.max_val),
        # sorted: a frozenset's order varies from run to run (string hashing)
        tuple(sorted(_message_key(m) for m in s.msgs)),
    )


def _naive_canonical(c: _Constants, s: SpecState, symmetry: bool) -> Hashable:
    if not symmetry:
        return s  # hashable as it is: tuples and a frozenset
    return min(
        _sort_key(_permute(s, acc, val))
        for acc in itertools.permutations(range(c.acceptors))
        for val in itertools.permutations(range(c.values))
    )


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def check_lamport_naive(
    acceptors: int,
    values: int,
    max_ballot: int,
    *,
    symmetry: bool = False,
    quorum_size: int | None = None,
    max_depth: int | None = None,
) -> LamportResult:
    """Breadth-first search over the spec, written for reading, not speed.

    Like TLC, it keeps the first state it meets of each (symmetry) class and
    expands that state. ``max_depth`` stops after that many BFS levels (depth
    counted as in TLC, the initial state being depth 1), which the tests use to
    show that a counterexample is shortest.
    """
    q = _validate(acceptors, values, max_ballot, quorum_size)
    c = _Constants(acceptors, values, max_ballot, q)
    start = time.perf_counter()
    init = initial_state(acceptors)
    init_key = _naive_canonical(c, init, symmetry)
    # key -> (parent key, action), for reading back the shortest trace
    parents: dict[Hashable, tuple[Hashable | None, Action]] = {init_key: (None, ("Init",))}
    level: list[tuple[Hashable, SpecState]] = [(init_key, init)]
    generated, depth = 1, 1
    violation_key: Hashable | None = None
    if len(chosen_values(init.msgs, q)) > 1:
        violation_key = init_key
    while level and violation_key is None and (max_depth is None or depth < max_depth):
        next_level: list[tuple[Hashable, SpecState]] = []
        for key, state in level:
            for action, succ in _successors(c, state):
                generated += 1
                succ_key = _naive_canonical(c, succ, symmetry)
                if succ_key in parents:
                    continue
                parents[succ_key] = (key, action)
                next_level.append((succ_key, succ))
                if violation_key is None and len(chosen_values(succ.msgs, q)) > 1:
                    violation_key = succ_key
            if violation_key is not None:
                break
        if next_level:
            depth += 1
        level = next_level
    trace: list[str] = []
    at = violation_key
    while at is not None and parents[at][0] is not None:
        parent, action = parents[at]
        trace.append(describe_action(action))
        at = parent
    trace.reverse()
    return LamportResult(
        acceptors=acceptors,
        values=values,
        max_ballot=max_ballot,
        quorum_size=q,
        symmetry=symmetry,
        distinct_states=len(parents),
        states_generated=generated,
        depth=depth,
        seconds=time.perf_counter() - start,
        peak_memory_mb=_peak_rss_mb(),
        violation=violation_key is not None,
        counterexample=tuple(trace),
        complete=violation_key is None and not level,
        implementation="naive",
    )


# ---------------------------------------------------------------------------
# The fast implementation: states as ints, successors from memo tables.
# ---------------------------------------------------------------------------


class _Encoding:
    """Bit layout of a state, conversions, and the memo entries of the fast search."""

    def __init__(self, c: _Constants) -> None:
        self.c = c
        n, k, ballots = c.acceptors, c.values, list(c.ballots)
        bit = 0
        self.one_a: list[int] = []  # bit index of 1a(b)
        for _ in ballots:
            self.one_a.append(bit)
            bit += 1
        self.two_a: dict[tuple[int, int], int] = {}
        for b in ballots:
            for v in range(k):
                self.two_a[(b, v)] = bit
                bit += 1
        self.global_mask = (1 << bit) - 1

        # An acceptor's possible (maxBal, maxVBal, maxVal): its vote is never in
        # a ballot above the one it joined; index 0 is the initial local state.
        self.local_states: list[tuple[int, int, int | None]] = [(NO_BALLOT, NO_BALLOT, None)]
        for mb in ballots:
            self.local_states.append((mb, NO_BALLOT, None))
            for vb in range(mb + 1):
                for v in range(k):
                    self.local_states.append((mb, vb, v))
        self.local_index = {ls: i for i, ls in enumerate(self.local_states)}
        self.code_bits = max(1, (len(self.local_states) - 1).bit_length())

        # Offsets inside an acceptor block: [state index][1b messages][2b messages].
        # A 1b for ballot b reports a vote from a lower ballot, or none.
        offset = self.code_bits
        self.block_1b: dict[tuple[int, int, int | None], int] = {}
        for b in ballots:
            self.block_1b[(b, NO_BALLOT, None)] = offset
            offset += 1
            for vb in range(b):
                for v in range(k):
                    self.block_1b[(b, vb, v)] = offset
                    offset += 1
        self.block_2b: dict[tuple[int, int], int] = {}
        for b in ballots:
            for v in range(k):
                self.block_2b[(b, v)] = offset
                offset += 1
        self.block_bits = offset
        self.block_mask = (1 << offset) - 1
        self.base = [bit + a * self.block_bits for a in range(n)]

        # Masks used by the search.
        self.code_mask = [((1 << self.code_bits) - 1) << self.base[a] for a in range(n)]
        self.acceptor_key_mask = [self.global_mask | self.code_mask[a] for a in range(n)]
        self.phase2a_key_mask: list[int] = []
        for b in ballots:
            mask = 0
            for v in range(k):
                mask |= 1 << self.two_a[(b, v)]
            for a in range(n):
                for (mb, _, _), off in self.block_1b.items():
                    if mb == b:
                        mask |= 1 << (self.base[a] + off)
            self.phase2a_key_mask.append(mask)
        # votes_mask[(b, v)]: the 2b(., b, v) bits of all acceptors
        self.votes_mask = {
            (b, v): sum(1 << (self.base[a] + off) for a in range(n))
            for (b, v), off in self.block_2b.items()
        }

    # -- conversions between the two representations --------------------------

    def encode(self, s: SpecState) -> int:
        x = 0
        for a in range(self.c.acceptors):
            local = (s.max_bal[a], s.max_vbal[a], s.max_val[a])
            x |= self.local_index[local] << self.base[a]
        for m in s.msgs:
            x |= 1 << self._message_bit(m)
        return x

    def _message_bit(self, m: Message) -> int:
        if m[0] == "1a":
            return self.one_a[m[1]]
        if m[0] == "2a":
            return self.two_a[(m[1], m[2])]
        if m[0] == "1b":
            return self.base[m[1]] + self.block_1b[(m[2], m[3], m[4])]
        return self.base[m[1]] + self.block_2b[(m[2], m[3])]

    def decode(self, x: int) -> SpecState:
        msgs: set[Message] = set()
        for b, i in enumerate(self.one_a):
            if x >> i & 1:
                msgs.add(("1a", b))
        for (b, v), i in self.two_a.items():
            if x >> i & 1:
                msgs.add(("2a", b, v))
        locals_ = []
        for a in range(self.c.acceptors):
            block = x >> self.base[a] & self.block_mask
            locals_.append(self.local_states[block & ((1 << self.code_bits) - 1)])
            for (b, vb, v), off in self.block_1b.items():
                if block >> off & 1:
                    msgs.add(("1b", a, b, vb, v))
            for (b, v), off in self.block_2b.items():
                if block >> off & 1:
                    msgs.add(("2b", a, b, v))
        return SpecState(
            tuple(ls[0] for ls in locals_),
            tuple(ls[1] for ls in locals_),
            tuple(ls[2] for ls in locals_),
            frozenset(msgs),
        )

    # -- memo entries -------------------------------------------------------

    def acceptor_moves(self, a: int, key: int) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        """Phase1b(a) and Phase2b(a) from the 1a/2a bits and ``a``'s local state.

        Returns (generated count, XOR masks of successors, XOR masks of the
        successors that add a vote, for which the invariant must be re-checked).
        """
        code = (key >> self.base[a]) & ((1 << self.code_bits) - 1)
        max_bal, max_vbal, max_val = self.local_states[code]
        count = 0
        moves: list[int] = []
        votes: list[int] = []
        for b, i in enumerate(self.one_a):
            if key >> i & 1 and b > max_bal:  # Phase1b(a)
                new_code = self.local_index[(b, max_vbal, max_val)]
                msg = 1 << (self.base[a] + self.block_1b[(b, max_vbal, max_val)])
                moves.append(msg | (code ^ new_code) << self.base[a])
                count += 1
        for (b, v), i in self.two_a.items():
            if key >> i & 1 and b >= max_bal:  # Phase2b(a)
                count += 1
                if (max_vbal, max_val) == (b, v):
                    continue  # re-sending its vote: a stuttering step
                new_code = self.local_index[(b, b, v)]
                msg = 1 << (self.base[a] + self.block_2b[(b, v)])
                votes.append(msg | (code ^ new_code) << self.base[a])
        return count, tuple(moves), tuple(votes)

    def phase2a_moves(self, b: int, key: int) -> tuple[int, tuple[int, ...]]:
        """Phase2a(b, v) for every v: (generated count, bits of the new 2a messages)."""
        c = self.c
        if any(key >> self.two_a[(b, v)] & 1 for v in range(c.values)):
            return 0, ()
        # The (at most one) 1b message each acceptor sent for ballot b.
        reports: dict[int, tuple[int, int | None]] = {}
        for a in range(c.acceptors):
            for (mb, vb, v), off in self.block_1b.items():
                if mb == b and key >> (self.base[a] + off) & 1:
                    reports[a] = (vb, v)
        count = 0
        bits: list[int] = []
        for v in range(c.values):
            witnesses = 0
            for quorum in c.quorums:
                if not all(a in reports for a in quorum):
                    continue
                voted = [reports[a] for a in quorum if reports[a][0] >= 0]
                if not voted:
                    witnesses += 1
                else:
                    highest = max(vb for vb, _ in voted)
                    witnesses += sum(1 for vb, w in voted if vb == highest and w == v)
            if witnesses:
                count += witnesses
                bits.append(1 << self.two_a[(b, v)])
        return count, tuple(bits)

    def chosen_checks(self) -> list[tuple[int, tuple[int, ...]]]:
        """Per vote mask: (its own ballot/value 2b mask, the masks of other values)."""
        return [
            (mask, tuple(m for (_, w), m in self.votes_mask.items() if w != v))
            for (b, v), mask in self.votes_mask.items()
        ]


class _Canonicalizer:
    """One representative per orbit under renamings of acceptors and values.

    Values: every value that occurs anywhere in a state occurs in a 2a message
    (votes, and the reports of votes in 1b messages, copy a 2a's value), and
    each ballot has at most one 2a message. So the values can be put in a
    canonical order read off the 2a messages alone: by the lowest ballot with a
    2a for that value; values that occur nowhere follow, and are interchangeable.
    Acceptors: after the values are renamed, the acceptor blocks are sorted.
    The result is the same for every member of an orbit and differs between
    orbits, which is all the search needs (TLC picks its representative by a
    different rule; the number of orbits does not depend on the rule).
    """

    def __init__(self, enc: _Encoding) -> None:
        self.enc = enc
        self.code_mask = (1 << enc.code_bits) - 1
        self.start, self.width, self.mask = enc.base[0], enc.block_bits, enc.block_mask
        self.n = enc.c.acceptors
        self.one_a_mask = sum(1 << i for i in enc.one_a)
        # global part -> renaming of values (None for the identity)
        self.perm_memo: dict[int, tuple[int, ...] | None] = {}
        # (renaming, global part or block) -> renamed part
        self.global_memo: dict[tuple[tuple[int, ...], int], int] = {}
        self.block_memo: dict[tuple[tuple[int, ...], int], int] = {}

    def _value_renaming(self, g: int) -> tuple[int, ...] | None:
        enc = self.enc
        first_ballot: dict[int, int] = {}
        for (b, v), i in enc.two_a.items():  # ballots in increasing order
            if g >> i & 1 and v not in first_ballot:
                first_ballot[v] = b
        order = sorted(first_ballot, key=first_ballot.__getitem__)
        order += [v for v in range(enc.c.values) if v not in first_ballot]
        renaming = [0] * enc.c.values
        for new, old in enumerate(order):
            renaming[old] = new
        return None if order == sorted(order) else tuple(renaming)

    def _rename_global(self, p: tuple[int, ...], g: int) -> int:
        enc = self.enc
        out = g & self.one_a_mask
        for (b, v), i in enc.two_a.items():
            if g >> i & 1:
                out |= 1 << enc.two_a[(b, p[v])]
        return out

    def _rename_block(self, p: tuple[int, ...], block: int) -> int:
        enc = self.enc
        mb, vb, v = enc.local_states[block & self.code_mask]
        out = enc.local_index[(mb, vb, None if v is None else p[v])]
        for (b, mvb, mv), off in enc.block_1b.items():
            if block >> off & 1:
                out |= 1 << enc.block_1b[(b, mvb, None if mv is None else p[mv])]
        for (b, w), off in enc.block_2b.items():
            if block >> off & 1:
                out |= 1 << enc.block_2b[(b, p[w])]
        return out

    def canonical(self, x: int) -> int:
        """The representative of ``x``'s orbit, for any state ``x``."""
        g = x & self.enc.global_mask
        start, width, mask = self.start, self.width, self.mask
        blocks = [(x >> (start + a * width)) & mask for a in range(self.n)]
        if g in self.perm_memo:
            p = self.perm_memo[g]
        else:
            p = self.perm_memo[g] = self._value_renaming(g)
        if p is not None:
            key = (p, g)
            if key not in self.global_memo:
                self.global_memo[key] = self._rename_global(p, g)
            g = self.global_memo[key]
            renamed = []
            for block in blocks:
                key = (p, block)
                if key not in self.block_memo:
                    self.block_memo[key] = self._rename_block(p, block)
                renamed.append(self.block_memo[key])
            blocks = renamed
        blocks.sort()
        for i, block in enumerate(blocks):
            g |= block << (start + i * width)
        return g

    # Shortcuts for successors of a representative, which change little: they
    # skip the full computation when its answer is known to be "unchanged".

    def after_acceptor_move(self, x: int, a: int) -> int:
        """For a Phase1b/Phase2b successor of a representative, by acceptor ``a``.

        The 2a messages, hence the value order, are unchanged; only block ``a``
        changed, so ``x`` is a representative if that block is still in order.
        """
        start, width, mask = self.start, self.width, self.mask
        block = (x >> (start + a * width)) & mask
        if a > 0 and (x >> (start + (a - 1) * width)) & mask > block:
            return self.canonical(x)
        if a + 1 < self.n and (x >> (start + (a + 1) * width)) & mask < block:
            return self.canonical(x)
        return x

    def after_global_move(self, x: int) -> int:
        """For a Phase1a/Phase2a successor of a representative: blocks unchanged."""
        g = x & self.enc.global_mask
        if g in self.perm_memo:
            p = self.perm_memo[g]
        else:
            p = self.perm_memo[g] = self._value_renaming(g)
        return x if p is None else self.canonical(x)


def check_lamport(
    acceptors: int,
    values: int,
    max_ballot: int,
    *,
    symmetry: bool = False,
    quorum_size: int | None = None,
    progress: ProgressCallback | None = None,
    max_states: int | None = None,
    max_seconds: float | None = None,
    progress_every: int = 50_000,
) -> LamportResult:
    """Explore every reachable state of Lamport's Paxos spec, breadth first.

    ``acceptors`` (1..7), ``values`` (1..4) and ``max_ballot`` (0..5) size the
    model; ``quorum_size`` (1..acceptors, default a bare majority) lets a test
    break the algorithm on purpose. ``symmetry`` reduces by renamings of
    acceptors and values. ``progress(distinct, depth, queue, seconds)`` is called
    about every ``progress_every`` distinct states, and once at the end.
    ``max_states`` stops the search once at least that many distinct states are
    known, ``max_seconds`` once that much time has passed (the result then says
    ``complete=False``; the count may pass the limit by the successors of one
    state). Raises ``ValueError`` naming a parameter out of range.
    """
    q = _validate(acceptors, values, max_ballot, quorum_size)
    if max_states is not None:
        _check_range("max_states", max_states, 1, 1 << 62)
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number, got {max_seconds!r}")
    _check_range("progress_every", progress_every, 1, 1 << 62)
    c = _Constants(acceptors, values, max_ballot, q)
    enc = _Encoding(c)
    canon = _Canonicalizer(enc) if symmetry else None
    start = time.perf_counter()
    deadline = start + max_seconds if max_seconds is not None else float("inf")

    # Every reachable state -> the state it was first reached from (BFS tree).
    parent: dict[int, int] = {0: -1}  # the initial state encodes as 0
    level = [0]
    depth = 1
    generated = 1
    limit = max_states if max_states is not None else 1 << 62
    stopped = False
    violation = -1
    next_report = progress_every

    one_a_bits = [1 << i for i in enc.one_a]
    # Per acceptor: (index, key mask, memo) for Phase1b/Phase2b; per ballot the
    # same for Phase2a. Memo values are computed on first use (see _Encoding).
    acceptor_tables = [(a, mask, {}) for a, mask in enumerate(enc.acceptor_key_mask)]
    phase2a_tables = [(b, mask, {}) for b, mask in enumerate(enc.phase2a_key_mask)]
    vote_checks = enc.chosen_checks()
    after_acceptor = canon.after_acceptor_move if canon is not None else None
    after_global = canon.after_global_move if canon is not None else None

    while level and not stopped:
        next_level: list[int] = []
        append = next_level.append
        # Phase1a(b) is enabled in every state: one generated state per ballot.
        generated += len(level) * len(one_a_bits)
        for s in level:
            # Stuttering steps (Phase1a resent, a vote re-sent) are counted in
            # the memo entries and never reach the lines below.
            for bit in one_a_bits:
                # A Phase1a successor of a representative is one: 1a messages
                # name neither acceptors nor values.
                if not s & bit and (s | bit) not in parent:
                    parent[s | bit] = s
                    append(s | bit)
            for a, mask, memo in acceptor_tables:
                key = s & mask
                entry = memo.get(key)
                if entry is None:
                    entry = memo[key] = enc.acceptor_moves(a, key)
                generated += entry[0]
                for move in entry[1]:
                    t = s ^ move if after_acceptor is None else after_acceptor(s ^ move, a)
                    if t not in parent:
                        parent[t] = s
                        append(t)
                for move in entry[2]:
                    t = s ^ move if after_acceptor is None else after_acceptor(s ^ move, a)
                    if t not in parent:
                        parent[t] = s
                        append(t)
                        # Only a vote can make a value chosen, so the invariant
                        # needs re-checking only here; renaming keeps the count.
                        for own, others in vote_checks:
                            if (t & own).bit_count() >= q and any(
                                (t & other).bit_count() >= q for other in others
                            ):
                                violation = t
                                break
            for b, mask, memo in phase2a_tables:
                key = s & mask
                entry2 = memo.get(key)
                if entry2 is None:
                    entry2 = memo[key] = enc.phase2a_moves(b, key)
                if entry2[0]:
                    generated += entry2[0]
                    for bit in entry2[1]:
                        t = s | bit if after_global is None else after_global(s | bit)
                        if t not in parent:
                            parent[t] = s
                            append(t)
            if violation >= 0 or len(parent) >= limit or time.perf_counter() > deadline:
                stopped = True
                break
            if progress is not None and len(parent) >= next_report:
                next_report = len(parent) + progress_every
                progress(len(parent), depth, len(next_level), time.perf_counter() - start)
        if next_level:
            depth += 1
        level = next_level

    trace: tuple[str, ...] = ()
    if violation >= 0:
        path = [violation]
        while parent[path[-1]] >= 0:
            path.append(parent[path[-1]])
        path.reverse()
        trace = _replay(c, enc, path, canon.canonical if canon is not None else None)
    if progress is not None:
        progress(len(parent), depth, len(level) if stopped else 0, time.perf_counter() - start)
    return LamportResult(
        acceptors=acceptors,
        values=values,
        max_ballot=max_ballot,
        quorum_size=q,
        symmetry=symmetry,
        distinct_states=len(parent),
        states_generated=generated,
        depth=depth,
        seconds=time.perf_counter() - start,
        peak_memory_mb=_peak_rss_mb(),
        violation=violation >= 0,
        counterexample=trace,
        complete=not stopped,
        implementation="fast",
    )


def _replay(
    c: _Constants, enc: _Encoding, path: list[int], canon: Callable[[int], int] | None
) -> tuple[str, ...]:
    """Turn a path of (canonical) encodings into the spec's action labels.

    With symmetry the path's states are representatives, not one execution, so
    walk an actual execution: from each actual state take the spec action whose
    successor has the next representative's canonical form.
    """
    state = enc.decode(path[0])
    labels: list[str] = []
    for target in path[1:]:
        for action, succ in _successors(c, state):
            x = enc.encode(succ)
            if (canon(x) if canon is not None else x) == target:
                labels.append(describe_action(action))
                state = succ
                break
        else:  # pragma: no cover - would mean the fast tables disagree with the spec
            raise AssertionError("counterexample step not reproducible by the spec's actions")
    return tuple(labels)
