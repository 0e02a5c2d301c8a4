"""The ``lamport`` model, readable: Lamport's TLA+ Paxos spec, action for action.

Which spec
----------
This module mirrors, state for state, Lamport's specification ``Paxos.tla`` in
the tlaplus/Examples repository (folder
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
some ballot ``b``, every acceptor of some quorum has sent ``2b(b, v)``
(`chosen_values`; ``quorum_size`` below a majority makes it fail).

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

Two checkers, one spec
----------------------
``check_lamport_naive`` (at the end of this module) runs the spec's actions
one for one, with states as tuples holding a ``frozenset`` of message tuples:
the readable reference. With ``symmetry`` it keeps the minimum over every
renaming of acceptors and values. `paxos_notes.checker.lamport_fast`'s
``check_lamport`` explores the same state space with each state packed into
one integer; the tests check that both give the same counts, and the fast one
turns its counterexamples back into this module's actions.

Peak memory is the peak resident set size of the whole process, read with
``resource.getrusage`` (so it includes the interpreter and whatever the process
held before the search; run a search in a fresh process to measure it alone).
"""

from __future__ import annotations

import itertools
import resource
import sys
import time
from collections.abc import Hashable, Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "ACTIONS",
    "LIMITS",
    "NO_BALLOT",
    "Constants",
    "LamportResult",
    "SpecState",
    "check_lamport_naive",
    "check_range",
    "chosen_values",
    "describe_action",
    "initial_state",
    "next_actions",
    "peak_rss_mb",
    "successors",
    "validate",
]

#: Allowed ranges (inclusive) of the model's parameters.
LIMITS: dict[str, tuple[int, int]] = {
    "acceptors": (1, 7),
    "values": (1, 4),
    "max_ballot": (0, 5),
}


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


def check_range(name: str, value: object, low: int, high: int) -> int:
    # bool is an int subclass; True as a count of acceptors is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def validate(acceptors: int, values: int, max_ballot: int, quorum_size: int | None) -> int:
    """Check the parameters; return the quorum size (a bare majority by default)."""
    for name, value in (("acceptors", acceptors), ("values", values), ("max_ballot", max_ballot)):
        low, high = LIMITS[name]
        check_range(name, value, low, high)
    if quorum_size is None:
        return acceptors // 2 + 1
    return check_range("quorum_size", quorum_size, 1, acceptors)


def _acceptor_name(a: int) -> str:
    return f"a{a + 1}"


def _value_name(v: int | None) -> str:
    return "None" if v is None else f"v{v + 1}"


# ---------------------------------------------------------------------------
# The spec: variables, Init, the actions (one function each), Next.
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
class Constants:
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


def describe_message(m: Message) -> str:
    """A message in the spec's notation, e.g. ``1b(a1, 0, no vote)`` or ``2a(0, v1)``."""
    kind = m[0]
    if kind == "1a":
        return f"1a({m[1]})"
    if kind == "1b":
        _, a, b, vbal, val = m
        vote = "no vote" if vbal == NO_BALLOT else f"vote {vbal} {_value_name(val)}"
        return f"1b({_acceptor_name(a)}, {b}, {vote})"
    if kind == "2a":
        return f"2a({m[1]}, {_value_name(m[2])})"
    _, a, b, v = m
    return f"2b({_acceptor_name(a)}, {b}, {_value_name(v)})"


#: TLC's figures for this spec (distinct states, states generated, depth) on the
#: configurations (acceptors, values, max ballot, symmetry) that
#: ``benchmarks/checker_results.py`` records, with where each comes from. The
#: cheaper ones are asserted against this module in tests/test_checker_lamport.py
#: (its TLC_COUNTS, and a comment for the two slowest).
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


def _replace(values: tuple, index: int, new: object) -> tuple:
    return (*values[:index], new, *values[index + 1 :])


def _phase1a(c: Constants, s: SpecState, b: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 1(a): a proposer asks the acceptors to join ballot ``b``.

    Always enabled; sending it again changes nothing (a stuttering step), which
    TLC still counts as a generated state.
    """
    yield ("Phase1a", b), SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("1a", b)})


def _phase1b(c: Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
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


def _phase2a_witnesses(c: Constants, msgs: frozenset[Message], b: int, v: int) -> int:
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


def _phase2a(c: Constants, s: SpecState, b: int, v: int) -> Iterator[tuple[Action, SpecState]]:
    """Phase 2(a): the ballot-``b`` proposer asks acceptors to accept ``v``, once ``v`` is safe."""
    witnesses = _phase2a_witnesses(c, s.msgs, b, v)
    if witnesses:
        successor = SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("2a", b, v)})
        for _ in range(witnesses):
            yield ("Phase2a", b, v), successor


def _phase2b(c: Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
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


#: The spec's four actions by name, each a generator of ``(action, successor)``
#: pairs, one per way it is enabled (the ``\E`` witnesses). Trace validation
#: (`paxos_notes.checker.spec_trace`) asks these very functions whether a step
#: of the agents is a step of the spec: one rule, one place.
ACTIONS = {"Phase1a": _phase1a, "Phase1b": _phase1b, "Phase2a": _phase2a, "Phase2b": _phase2b}


def successors(
    acceptors: int, values: int, max_ballot: int, state: SpecState, quorum_size: int | None = None
) -> list[tuple[str, SpecState]]:
    """``Next``: every (action in words, successor) pair, one per TLC-generated state.

    The list repeats a successor once per witness and includes stuttering steps,
    so its length is what this state adds to TLC's "states generated".
    """
    q = validate(acceptors, values, max_ballot, quorum_size)
    c = Constants(acceptors, values, max_ballot, q)
    return [(describe_action(action), succ) for action, succ in next_actions(c, state)]


def next_actions(c: Constants, s: SpecState) -> list[tuple[Action, SpecState]]:
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


# ---------------------------------------------------------------------------
# The reference checker: breadth-first search over the spec, as TLC does it.
# ---------------------------------------------------------------------------


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


def _naive_canonical(c: Constants, s: SpecState, symmetry: bool) -> Hashable:
    if not symmetry:
        return s  # hashable as it is: tuples and a frozenset
    return min(
        _sort_key(_permute(s, acc, val))
        for acc in itertools.permutations(range(c.acceptors))
        for val in itertools.permutations(range(c.values))
    )


def peak_rss_mb() -> float:
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
    q = validate(acceptors, values, max_ballot, quorum_size)
    c = Constants(acceptors, values, max_ballot, q)
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
            for action, succ in next_actions(c, state):
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
        peak_memory_mb=peak_rss_mb(),
        violation=violation_key is not None,
        counterexample=tuple(trace),
        complete=violation_key is None and not level,
        implementation="naive",
    )
