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

What is checked (``invariants="all"``, the default) is what TLC checks on the
spec's models (``MCPaxos``: ``INVARIANT Inv``, ``PROPERTY V!Spec``), and the
paper's second safety requirement besides:

- in every reachable state, ``TypeOK`` and the inductive invariant ``Inv`` of
  Paxos.tla, each conjunct a function below (`TYPE_OK`, `INV`), with Voting.tla's
  ``ShowsSafeAt``, ``VotedFor``, ``DidNotVoteAt`` (and ``SafeAt``, for reading);
- on every step, the refinement of Voting under the spec's mapping (``votes``
  from the 2b messages, ``maxBal`` itself): the step is ``IncreaseMaxBal(a, b)``
  or ``VoteFor(a, b, v)`` with its enabling condition true, or changes neither
  (`voting_step`); this is what "every step of Paxos is a step of Voting"
  means, the P2c induction of §2.2 in formal dress;
- "Only a single value is chosen" (§2.1): value ``v`` is chosen when, for some
  ballot ``b``, every acceptor of some quorum has sent ``2b(b, v)``
  (`chosen_values`; ``quorum_size`` below a majority makes it fail, while Inv
  and the refinement still hold, as Paxos.tla's closing comment predicts).

``invariants="safety"`` checks only the last. A violation names the conjunct
(`violated_conjunct`) or the Voting action and its false conjunct, and the
result carries the shortest behaviour, printed as TLC prints one
(`tla_behaviour`: the spec's variable names, messages as records).

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
from collections.abc import Callable, Hashable, Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "ACTIONS",
    "CHECKED",
    "INV",
    "LIMITS",
    "NO_BALLOT",
    "PAXOS",
    "TYPE_OK",
    "VOTE_FOR_CONDITIONS",
    "AtMostOneChosen",
    "CannotVoteAt",
    "Constants",
    "DidNotVoteAt",
    "Inv",
    "LamportResult",
    "MaxBalCoversMaxVBal",
    "MaxVoteIsAVote",
    "Msg1bBelowMaxBal",
    "Msg1bReportsAVote",
    "Msg2aShowsSafe",
    "Msg2aUnique",
    "Msg2bBelowMaxVBal",
    "Msg2bHas2a",
    "NoneOtherChoosableAt",
    "Paxos",
    "SafeAt",
    "ShowsSafeAt",
    "SpecState",
    "TypeOK",
    "TypeOK_maxBal",
    "TypeOK_maxVBal",
    "TypeOK_maxVal",
    "TypeOK_msgs",
    "VotedFor",
    "VotingStep",
    "check_lamport_naive",
    "check_range",
    "checked",
    "chosen_values",
    "describe_action",
    "initial_state",
    "next_actions",
    "peak_rss_mb",
    "replay_keys",
    "shown_safe",
    "successors",
    "tla_behaviour",
    "tla_message",
    "tla_state",
    "validate",
    "violated_conjunct",
    "votes",
    "voting_step",
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
    #: What was checked in every state and step: `CHECKED` for
    #: ``invariants="all"``, ``("AtMostOneChosen",)`` for ``"safety"``.
    invariants: tuple[str, ...] = ("AtMostOneChosen",)
    #: The conjunct that failed (a name of `TYPE_OK`, `INV`, ``AtMostOneChosen``,
    #: or ``"V!Next"`` for a step that is not a Voting step), None if none did.
    violated: str | None = None
    #: For ``"V!Next"``: the Voting action the step has the effect of and its
    #: false conjunct, e.g. ``VoteFor(a1, 1, v2): maxBal[a] =< b``.
    violation_detail: str = ""
    #: The shortest behaviour to the violation, initial state first (with
    #: ``counterexample``'s actions between them); empty without a violation.
    behaviour: tuple[SpecState, ...] = ()
    #: The spec explored: ``"Paxos"`` or the name of a mutation.
    spec: str = "Paxos"

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (the counterexample as a list of action strings, the
        behaviour as TLC would print it, in the spec's variable names)."""
        data = asdict(self)
        data["counterexample"] = list(self.counterexample)
        data["invariants"] = list(self.invariants)
        data["behaviour"] = tla_behaviour(self.behaviour, self.counterexample)
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


class Paxos:
    """``Paxos.tla``'s four actions, one method each, as the spec writes them.

    The spec is this class; a *mutation* (tests, `lamport_mutations`) is a
    subclass that overrides one small method: one conjunct of one action
    changed, the rest of the spec untouched. Each guard of an action that a
    mutation may change is its own method (``joins``, ``reports``, ``sent_2a``,
    ``quorum_ways``, ``shows_value``, ``may_vote``), so the difference reads in
    a few lines.

    The fast explorer (`lamport_fast`) evaluates these same methods, once per
    *part* of a state: ``Phase1b(a)`` and ``Phase2b(a)`` on the 1a and 2a
    messages plus acceptor ``a``'s variables, ``Phase2a(b, v)`` on the 1b and 2a
    messages of ballot ``b``. That is all the spec's actions read; a mutation
    must read no more (the tests compare both explorers on every mutation).
    """

    name = "Paxos"

    def Phase1a(self, c: Constants, s: SpecState, b: int) -> Iterator[tuple[Action, SpecState]]:
        """Phase 1(a): a proposer asks the acceptors to join ballot ``b``.

        Always enabled; sending it again changes nothing (a stuttering step), which
        TLC still counts as a generated state.
        """
        yield ("Phase1a", b), SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("1a", b)})

    def joins(self, s: SpecState, a: int, b: int) -> bool:
        """Phase1b's guard ``m.bal > maxBal[a]``: only a higher ballot is joined."""
        return b > s.max_bal[a]

    def reports(self, s: SpecState, a: int) -> tuple[int, int | None]:
        """What the 1b message reports: ``mbal |-> maxVBal[a], mval |-> maxVal[a]``."""
        return s.max_vbal[a], s.max_val[a]

    def Phase1b(self, c: Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
        """Phase 1(b): acceptor ``a`` joins ballot ``b > maxBal[a]`` and reports its last vote."""
        for b in c.ballots:  # one witness per 1a message, as the spec's \E m \in msgs
            if ("1a", b) in s.msgs and self.joins(s, a, b):
                vbal, val = self.reports(s, a)
                yield (
                    ("Phase1b", a, b, vbal, val),
                    SpecState(
                        _replace(s.max_bal, a, b),
                        s.max_vbal,
                        s.max_val,
                        s.msgs | {("1b", a, b, vbal, val)},
                    ),
                )

    def sent_2a(self, msgs: frozenset[Message], b: int) -> bool:
        r"""Phase2a's first conjunct, negated: ``\E m \in msgs : m.type = "2a" /\ m.bal = b``."""
        return any(m[0] == "2a" and m[1] == b for m in msgs)

    def quorum_ways(self, quorum: tuple[int, ...], q1b: list[Message]) -> int:
        r"""``\A a \in Q : \E m \in Q1b : m.acc = a``, counted as TLC enumerates it.

        A product of counts (each acceptor sends at most one 1b per ballot in the
        spec, so each factor is 0 or 1): the number of witnesses, 0 when false.
        """
        ways = 1
        for a in quorum:
            ways *= sum(1 for m in q1b if m[1] == a)
        return ways

    def shows_value(self, q1bv: list[Message], v: int) -> int:
        r"""How many ``m \in Q1bv`` have ``m.mval = v`` and the highest ``mbal``
        (Phase2a's ``\E m \in Q1bv : ...``; ``Q1bv`` is not empty here)."""
        highest = max(m[3] for m in q1bv)
        return sum(1 for m in q1bv if m[4] == v and m[3] == highest)

    def witnesses(self, c: Constants, msgs: frozenset[Message], b: int, v: int) -> int:
        """How many ways ``Phase2a(b, v)`` is enabled (TLC generates one state per way).

        Zero when a 2a message for ``b`` was already sent. Otherwise, per quorum Q:
        every acceptor of Q must have sent a 1b for ``b``; if none of those 1b
        messages reports a vote, Q is one witness; else each 1b reporting the
        highest vote, with value ``v``, is one.
        """
        if self.sent_2a(msgs, b):
            return 0
        total = 0
        for quorum in c.quorums:
            q1b = [m for m in msgs if m[0] == "1b" and m[1] in quorum and m[2] == b]
            ways = self.quorum_ways(quorum, q1b)
            if ways == 0:
                continue
            q1bv = [m for m in q1b if m[3] >= 0]
            total += ways if not q1bv else ways * self.shows_value(q1bv, v)
        return total

    def Phase2a(
        self, c: Constants, s: SpecState, b: int, v: int
    ) -> Iterator[tuple[Action, SpecState]]:
        """Phase 2(a): the ballot-``b`` proposer asks acceptors to accept ``v`` once it is safe."""
        count = self.witnesses(c, s.msgs, b, v)
        if count:
            successor = SpecState(s.max_bal, s.max_vbal, s.max_val, s.msgs | {("2a", b, v)})
            for _ in range(count):
                yield ("Phase2a", b, v), successor

    def may_vote(self, s: SpecState, a: int, b: int) -> bool:
        """Phase2b's guard ``m.bal >= maxBal[a]``: no vote below a ballot joined."""
        return b >= s.max_bal[a]

    def Phase2b(self, c: Constants, s: SpecState, a: int) -> Iterator[tuple[Action, SpecState]]:
        """Phase 2(b): acceptor ``a`` accepts a 2a proposal unless it joined a higher ballot."""
        for b in c.ballots:
            for v in range(c.values):
                if ("2a", b, v) in s.msgs and self.may_vote(s, a, b):
                    yield (
                        ("Phase2b", a, b, v),
                        SpecState(
                            _replace(s.max_bal, a, b),
                            _replace(s.max_vbal, a, b),
                            _replace(s.max_val, a, v),
                            s.msgs | {("2b", a, b, v)},
                        ),
                    )

    def next_actions(self, c: Constants, s: SpecState) -> list[tuple[Action, SpecState]]:
        """``Next``: every (action, successor), one per TLC-generated state."""
        # The order of Next's disjuncts; it fixes which shortest trace BFS reports.
        result: list[tuple[Action, SpecState]] = []
        for b in c.ballots:
            result.extend(self.Phase1a(c, s, b))
            for v in range(c.values):
                result.extend(self.Phase2a(c, s, b, v))
        for a in range(c.acceptors):
            result.extend(self.Phase1b(c, s, a))
            result.extend(self.Phase2b(c, s, a))
        return result


#: The spec itself (no mutation).
PAXOS = Paxos()


#: The spec's four actions by name, each a generator of ``(action, successor)``
#: pairs, one per way it is enabled (the ``\E`` witnesses): the methods of
#: `PAXOS`, called as ``ACTIONS[name](constants, state, *arguments)``. Trace
#: validation (`paxos_notes.checker.spec_trace`) asks these very functions
#: whether a step of the agents is a step of the spec, and both explorers build
#: their successors from them: one rule, one place.
ACTIONS = {
    "Phase1a": PAXOS.Phase1a,
    "Phase1b": PAXOS.Phase1b,
    "Phase2a": PAXOS.Phase2a,
    "Phase2b": PAXOS.Phase2b,
}


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


def next_actions(
    c: Constants, s: SpecState, spec: Paxos = PAXOS
) -> list[tuple[Action, SpecState]]:
    """``Next`` of ``spec`` (the spec itself by default): (action, successor) pairs."""
    return spec.next_actions(c, s)


def chosen_values(msgs: frozenset[Message], quorum_size: int) -> set[int]:
    """Values accepted (2b) by ``quorum_size`` acceptors in one ballot: the chosen ones."""
    votes: dict[tuple[object, object], int] = {}
    for m in msgs:
        if m[0] == "2b":
            key = (m[2], m[3])
            votes[key] = votes.get(key, 0) + 1
    return {v for (_, v), count in votes.items() if count >= quorum_size}


# ---------------------------------------------------------------------------
# What TLC checks: TypeOK, Inv (with Voting's operators), the refinement of Voting.
# ---------------------------------------------------------------------------
#
# Each conjunct is a function of (constants, state) named for what it says, so
# that a violation names it. ``TypeOK`` and ``Inv`` are Paxos.tla's; Inv's
# conjuncts carry no names there, so the names are ours and each docstring
# gives the conjunct. Every one of them is symmetric: renaming acceptors or
# values maps a state that satisfies it to one that does (the spec mentions no
# particular acceptor or value), so checking one state per symmetry orbit, as
# the explorers do with ``symmetry``, checks them all.


def _ballot_or_none(c: Constants, x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and -1 <= x <= c.max_ballot


def _value_or_none(c: Constants, x: object) -> bool:
    return x is None or (isinstance(x, int) and not isinstance(x, bool) and 0 <= x < c.values)


def _is_message(c: Constants, m: Message) -> bool:
    r"""``m \in Message`` (Paxos.tla's set of every message that can be sent)."""
    def ballot(x: object) -> bool:
        return _ballot_or_none(c, x) and x != NO_BALLOT

    def value(x: object) -> bool:
        return x is not None and _value_or_none(c, x)

    def acceptor(x: object) -> bool:
        return isinstance(x, int) and 0 <= x < c.acceptors

    shapes = {
        "1a": lambda: ballot(m[1]),
        "1b": lambda: acceptor(m[1]) and ballot(m[2]) and _ballot_or_none(c, m[3])
        and _value_or_none(c, m[4]),
        "2a": lambda: ballot(m[1]) and value(m[2]),
        "2b": lambda: acceptor(m[1]) and ballot(m[2]) and value(m[3]),
    }
    sizes = {"1a": 2, "1b": 5, "2a": 3, "2b": 4}
    return m[0] in shapes and len(m) == sizes[m[0]] and shapes[m[0]]()


def TypeOK_maxBal(c: Constants, s: SpecState) -> bool:
    r"""``maxBal \in [Acceptor -> Ballot \cup {-1}]`` (TypeOK, Paxos.tla)."""
    return len(s.max_bal) == c.acceptors and all(_ballot_or_none(c, x) for x in s.max_bal)


def TypeOK_maxVBal(c: Constants, s: SpecState) -> bool:
    r"""``maxVBal \in [Acceptor -> Ballot \cup {-1}]`` (TypeOK, Paxos.tla)."""
    return len(s.max_vbal) == c.acceptors and all(_ballot_or_none(c, x) for x in s.max_vbal)


def TypeOK_maxVal(c: Constants, s: SpecState) -> bool:
    r"""``maxVal \in [Acceptor -> Value \cup {None}]`` (TypeOK, Paxos.tla)."""
    return len(s.max_val) == c.acceptors and all(_value_or_none(c, x) for x in s.max_val)


def TypeOK_msgs(c: Constants, s: SpecState) -> bool:
    r"""``msgs \subseteq Message`` (TypeOK, Paxos.tla)."""
    return all(_is_message(c, m) for m in s.msgs)


# -- Voting.tla's operators, on Paxos's state through the refinement mapping --


def votes(s: SpecState) -> tuple[frozenset[tuple[int, int]], ...]:
    """The refinement mapping's ``votes``: ``votes[a]`` is the set of ``<<b, v>>``
    for which ``a`` sent ``2b(a, b, v)`` (Paxos.tla's ``votes``)."""
    mine: list[set[tuple[int, int]]] = [set() for _ in s.max_bal]
    for m in s.msgs:
        if m[0] == "2b":
            mine[m[1]].add((m[2], m[3]))
    return tuple(frozenset(x) for x in mine)


def VotedFor(s: SpecState, a: int, b: int, v: int) -> bool:
    r"""Voting's ``VotedFor(a, b, v) == <<b, v>> \in votes[a]``."""
    return ("2b", a, b, v) in s.msgs


def DidNotVoteAt(c: Constants, s: SpecState, a: int, b: int) -> bool:
    r"""Voting's ``DidNotVoteAt(a, b) == \A v \in Value : ~ VotedFor(a, b, v)``."""
    return not any(VotedFor(s, a, b, v) for v in range(c.values))


def ShowsSafeAt(c: Constants, s: SpecState, Q: tuple[int, ...], b: int, v: int) -> bool:
    """Voting's ``ShowsSafeAt(Q, b, v)``: every acceptor of ``Q`` has joined ballot
    ``b`` or higher, and for some ``c`` in ``-1..b-1`` someone in ``Q`` voted for
    ``v`` in ``c`` (unless ``c = -1``) and no one in ``Q`` voted in ballots
    ``c+1..b-1``: the votes of ``Q`` show that ``v`` is safe at ``b`` (§2.2's P2c)."""
    if not all(s.max_bal[a] >= b for a in Q):
        return False
    for cc in range(-1, b):
        if cc != -1 and not any(VotedFor(s, a, cc, v) for a in Q):
            continue
        if all(DidNotVoteAt(c, s, a, d) for d in range(cc + 1, b) for a in Q):
            return True
    return False


def shown_safe(c: Constants, s: SpecState, b: int, v: int) -> bool:
    r"""``\E Q \in Quorum : ShowsSafeAt(Q, b, v)``."""
    return any(ShowsSafeAt(c, s, Q, b, v) for Q in c.quorums)


def CannotVoteAt(c: Constants, s: SpecState, a: int, b: int) -> bool:
    """Voting's ``CannotVoteAt(a, b)``: ``a`` joined a higher ballot and did not vote in ``b``."""
    return s.max_bal[a] > b and DidNotVoteAt(c, s, a, b)


def NoneOtherChoosableAt(c: Constants, s: SpecState, b: int, v: int) -> bool:
    """Voting's ``NoneOtherChoosableAt(b, v)``: some quorum voted for ``v`` in ``b`` or can no
    longer vote there, so no other value can be chosen in ``b``."""
    return any(
        all(VotedFor(s, a, b, v) or CannotVoteAt(c, s, a, b) for a in Q) for Q in c.quorums
    )


def SafeAt(c: Constants, s: SpecState, b: int, v: int) -> bool:
    r"""Voting's ``SafeAt(b, v) == \A c \in 0..(b-1) : NoneOtherChoosableAt(c, v)``."""
    return all(NoneOtherChoosableAt(c, s, cc, v) for cc in range(b))


# -- Inv's conjuncts (Paxos.tla; the first conjunct is TypeOK) --


def MaxBalCoversMaxVBal(c: Constants, s: SpecState) -> bool:
    r"""``\A a \in Acceptor : maxBal[a] >= maxVBal[a]``."""
    return all(s.max_bal[a] >= s.max_vbal[a] for a in range(c.acceptors))


def MaxVoteIsAVote(c: Constants, s: SpecState) -> bool:
    r"""``IF maxVBal[a] = -1 THEN maxVal[a] = None ELSE <<maxVBal[a], maxVal[a]>> \in votes[a]``,
    for every acceptor ``a``."""
    return all(
        s.max_val[a] is None
        if s.max_vbal[a] == NO_BALLOT
        else VotedFor(s, a, s.max_vbal[a], s.max_val[a])  # type: ignore[arg-type]
        for a in range(c.acceptors)
    )


def Msg1bBelowMaxBal(c: Constants, s: SpecState) -> bool:
    r"""``(m.type = "1b") => maxBal[m.acc] >= m.bal``, for every ``m \in msgs``."""
    return all(s.max_bal[m[1]] >= m[2] for m in s.msgs if m[0] == "1b")


def Msg1bReportsAVote(c: Constants, s: SpecState) -> bool:
    r"""``(m.type = "1b") => ((m.mbal >= 0) => <<m.mbal, m.mval>> \in votes[m.acc])``."""
    return all(
        VotedFor(s, m[1], m[3], m[4])  # type: ignore[arg-type]
        for m in s.msgs
        if m[0] == "1b" and m[3] >= 0  # type: ignore[operator]
    )


def Msg2aShowsSafe(c: Constants, s: SpecState) -> bool:
    r"""``(m.type = "2a") => \E Q \in Quorum : V!ShowsSafeAt(Q, m.bal, m.val)``."""
    return all(shown_safe(c, s, m[1], m[2]) for m in s.msgs if m[0] == "2a")  # type: ignore[arg-type]


def Msg2aUnique(c: Constants, s: SpecState) -> bool:
    r"""``(m.type = "2a") => \A mm \in msgs :``
    ``mm.type = "2a" /\ mm.bal = m.bal => mm.val = m.val``."""
    seen: dict[object, object] = {}
    for m in s.msgs:
        if m[0] == "2a" and seen.setdefault(m[1], m[2]) != m[2]:
            return False
    return True


def Msg2bBelowMaxVBal(c: Constants, s: SpecState) -> bool:
    """``(m.type = "2b") => maxVBal[m.acc] >= m.bal``."""
    return all(s.max_vbal[m[1]] >= m[2] for m in s.msgs if m[0] == "2b")


def Msg2bHas2a(c: Constants, s: SpecState) -> bool:
    r"""``(m.type = "2b") => \E mm \in msgs :``
    ``mm.type = "2a" /\ mm.bal = m.bal /\ mm.val = m.val``."""
    return all(("2a", m[2], m[3]) in s.msgs for m in s.msgs if m[0] == "2b")


Conjunct = Callable[[Constants, SpecState], bool]

#: TypeOK's conjuncts, in the spec's order.
TYPE_OK: dict[str, Conjunct] = {
    "TypeOK_maxBal": TypeOK_maxBal,
    "TypeOK_maxVBal": TypeOK_maxVBal,
    "TypeOK_maxVal": TypeOK_maxVal,
    "TypeOK_msgs": TypeOK_msgs,
}

#: Inv's conjuncts after TypeOK, in the spec's order.
INV: dict[str, Conjunct] = {
    "MaxBalCoversMaxVBal": MaxBalCoversMaxVBal,
    "MaxVoteIsAVote": MaxVoteIsAVote,
    "Msg1bBelowMaxBal": Msg1bBelowMaxBal,
    "Msg1bReportsAVote": Msg1bReportsAVote,
    "Msg2aShowsSafe": Msg2aShowsSafe,
    "Msg2aUnique": Msg2aUnique,
    "Msg2bBelowMaxVBal": Msg2bBelowMaxVBal,
    "Msg2bHas2a": Msg2bHas2a,
}


def TypeOK(c: Constants, s: SpecState) -> bool:
    """Paxos.tla's ``TypeOK``: every conjunct of `TYPE_OK`."""
    return all(f(c, s) for f in TYPE_OK.values())


def Inv(c: Constants, s: SpecState) -> bool:
    """Paxos.tla's inductive invariant ``Inv``: ``TypeOK`` and every conjunct of `INV`."""
    return TypeOK(c, s) and all(f(c, s) for f in INV.values())


def AtMostOneChosen(c: Constants, s: SpecState) -> bool:
    """The paper's "Only a single value is chosen" (§2.1), as ``chosen`` has at most one value."""
    return len(chosen_values(s.msgs, c.quorum_size)) <= 1


def violated_conjunct(c: Constants, s: SpecState, invariants: str = "all") -> str | None:
    """The name of the first conjunct ``s`` violates (TypeOK, Inv, then
    ``AtMostOneChosen``), or None. ``invariants="safety"`` checks only the last."""
    checks: dict[str, Conjunct] = {}
    if invariants == "all":
        checks = {**TYPE_OK, **INV}
    checks["AtMostOneChosen"] = AtMostOneChosen
    for name, f in checks.items():
        if not f(c, s):
            return name
    return None


# -- The refinement: every step of Paxos is a step of Voting (or a stutter) --


@dataclass(frozen=True)
class VotingStep:
    """What a Paxos step is under the refinement mapping (``votes``, ``maxBal``).

    ``action`` is ``"stutter"`` (neither changes), ``"IncreaseMaxBal(a1, 1)"`` or
    ``"VoteFor(a1, 1, v2)"`` (the Voting action whose effect the step has), or
    ``"V!Next"`` when no Voting action has that effect. ``failed`` is None when
    the step is that action with its enabling condition true; otherwise the
    conjunct of the action (in Voting.tla's words) that is false.
    """

    action: str
    failed: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None


#: VoteFor(a, b, v)'s enabling conjuncts in Voting.tla, in its order.
VOTE_FOR_CONDITIONS = (
    "maxBal[a] =< b",
    "\\A vt \\in votes[a] : vt[1] /= b",
    "\\A c \\in Acceptor \\ {a} : \\A vt \\in votes[c] : (vt[1] = b) => (vt[2] = v)",
    "\\E Q \\in Quorum : ShowsSafeAt(Q, b, v)",
)


def vote_for_failure(c: Constants, s: SpecState, a: int, b: int, v: int) -> str | None:
    """The first of ``VoteFor(a, b, v)``'s enabling conjuncts false in ``s``, or None."""
    mine = votes(s)
    checks = (
        s.max_bal[a] <= b,
        all(vb != b for vb, _ in mine[a]),
        all(w == v for o in range(c.acceptors) if o != a for vb, w in mine[o] if vb == b),
        shown_safe(c, s, b, v),
    )
    for text, ok in zip(VOTE_FOR_CONDITIONS, checks, strict=True):
        if not ok:
            return text
    return None


def voting_step(c: Constants, s: SpecState, t: SpecState) -> VotingStep:
    r"""Is ``s -> t`` a step of Voting under Paxos.tla's refinement mapping?

    ``V!Next`` is ``\E a, b : IncreaseMaxBal(a, b) \/ \E v : VoteFor(a, b, v)``;
    with ``[V!Next]_<<votes, maxBal>>`` a step that changes neither is a stutter.
    """
    before, after = votes(s), votes(t)
    if before == after and s.max_bal == t.max_bal:
        return VotingStep("stutter")
    changed = [
        a for a in range(c.acceptors) if before[a] != after[a] or s.max_bal[a] != t.max_bal[a]
    ]
    if len(changed) != 1:
        return VotingStep("V!Next", "one acceptor's votes and maxBal change, the others' do not")
    a = changed[0]
    b = t.max_bal[a]
    if before[a] == after[a]:
        name = f"IncreaseMaxBal({_acceptor_name(a)}, {b})"
        return VotingStep(name, None if b > s.max_bal[a] else "b > maxBal[a]")
    added = after[a] - before[a]
    if not before[a] <= after[a] or len(added) != 1:
        return VotingStep("V!Next", "votes[a] gains exactly one vote")
    ((vb, v),) = added
    name = f"VoteFor({_acceptor_name(a)}, {vb}, {_value_name(v)})"
    if b != vb:
        return VotingStep(name, "maxBal' = [maxBal EXCEPT ![a] = b]")
    return VotingStep(name, vote_for_failure(c, s, a, vb, v))


# -- TLC-style rendering of states, in the spec's own variable names --


def tla_message(m: Message, acceptor: Callable[[int], str] | None = None,
                value: Callable[[int | None], str] | None = None) -> str:
    """A message as the spec writes it, e.g. ``[type |-> "1a", bal |-> 0]``.

    ``acceptor`` and ``value`` name acceptors and values (default ``a1``, ``v1``);
    trace validation passes the agents' own names."""
    acc = acceptor or _acceptor_name
    val = value or _value_name
    kind = m[0]
    if kind == "1a":
        return f'[type |-> "1a", bal |-> {m[1]}]'
    if kind == "1b":
        return (f'[type |-> "1b", acc |-> {acc(m[1])}, bal |-> {m[2]}, '  # type: ignore[arg-type]
                f"mbal |-> {m[3]}, mval |-> {val(m[4])}]")  # type: ignore[arg-type]
    if kind == "2a":
        return f'[type |-> "2a", bal |-> {m[1]}, val |-> {val(m[2])}]'  # type: ignore[arg-type]
    return (f'[type |-> "2b", acc |-> {acc(m[1])}, bal |-> {m[2]}, '  # type: ignore[arg-type]
            f"val |-> {val(m[3])}]")  # type: ignore[arg-type]


def tla_state(s: SpecState) -> list[str]:
    """A state as TLC prints one: a conjunction over the spec's four variables."""
    def function(cells: list[str]) -> str:
        return "(" + " @@ ".join(f"{_acceptor_name(a)} :> {x}" for a, x in enumerate(cells)) + ")"

    msgs = sorted(s.msgs, key=_message_key)
    return [
        f"/\\ maxBal = {function([str(x) for x in s.max_bal])}",
        f"/\\ maxVBal = {function([str(x) for x in s.max_vbal])}",
        f"/\\ maxVal = {function([_value_name(x) for x in s.max_val])}",
        "/\\ msgs = {" + ", ".join(tla_message(m) for m in msgs) + "}",
    ]


def tla_behaviour(states: tuple[SpecState, ...], actions: tuple[str, ...]) -> list[str]:
    """A behaviour as TLC prints an error trace: numbered states, each with the
    action that produced it (``<Initial predicate>`` for the first)."""
    lines: list[str] = []
    for i, s in enumerate(states):
        label = "Initial predicate" if i == 0 else actions[i - 1]
        lines.append(f"State {i + 1}: <{label}>")
        lines.extend(tla_state(s))
    return lines


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


#: What ``invariants="all"`` checks: Paxos.tla's TypeOK and Inv in every state,
#: the refinement of Voting (``V!Spec``: every step a Voting step or a stutter),
#: and the paper's "only a single value is chosen".
CHECKED: tuple[str, ...] = ("TypeOK", "Inv", "V!Spec", "AtMostOneChosen")


def checked(invariants: str) -> tuple[str, ...]:
    """The names checked for ``invariants`` (``"all"`` or ``"safety"``)."""
    if invariants not in ("all", "safety"):
        raise ValueError(f"invariants must be 'all' or 'safety', got {invariants!r}")
    return CHECKED if invariants == "all" else ("AtMostOneChosen",)


def replay_keys(
    c: Constants,
    spec: Paxos,
    keys: list[Hashable],
    key_of: Callable[[SpecState], Hashable],
    last_step: tuple[Hashable, Callable[[SpecState, SpecState], bool]] | None = None,
) -> tuple[tuple[str, ...], tuple[SpecState, ...]]:
    """Turn a BFS path of state keys into actions and actual states.

    With symmetry the keys are orbit representatives, not one execution, so
    walk an actual execution: from each actual state take the first action
    whose successor has the next key. ``last_step`` = (key, test) adds one more
    step, the first whose successor has that key and passes the test (a step
    that breaks the refinement may lead to a state seen before).
    """
    state = initial_state(c.acceptors)
    states, labels = [state], []
    targets: list[tuple[Hashable, Callable[[SpecState, SpecState], bool] | None]] = [
        (k, None) for k in keys[1:]
    ]
    if last_step is not None:
        targets.append(last_step)
    for target, test in targets:
        for action, succ in spec.next_actions(c, state):
            if key_of(succ) == target and (test is None or test(state, succ)):
                labels.append(describe_action(action))
                states.append(succ)
                state = succ
                break
        else:  # pragma: no cover - would mean the search disagrees with the spec
            raise AssertionError("counterexample step not reproducible by the spec's actions")
    return tuple(labels), tuple(states)


def _refinement_fails(c: Constants) -> Callable[[SpecState, SpecState], bool]:
    return lambda s, t: not voting_step(c, s, t).ok


def check_lamport_naive(
    acceptors: int,
    values: int,
    max_ballot: int,
    *,
    symmetry: bool = False,
    quorum_size: int | None = None,
    max_depth: int | None = None,
    invariants: str = "all",
    spec: Paxos = PAXOS,
) -> LamportResult:
    """Breadth-first search over the spec, written for reading, not speed.

    With ``invariants="all"`` it evaluates `TypeOK`, `Inv` (every conjunct) and
    ``AtMostOneChosen`` in every new state and `voting_step` on every step, and
    stops at the first failure, naming it; ``"safety"`` checks only
    ``AtMostOneChosen``. ``spec`` is `PAXOS` or a mutation of it.

    Like TLC, it keeps the first state it meets of each (symmetry) class and
    expands that state. ``max_depth`` stops after that many BFS levels (depth
    counted as in TLC, the initial state being depth 1), which the tests use to
    show that a counterexample is shortest.
    """
    q = validate(acceptors, values, max_ballot, quorum_size)
    names = checked(invariants)
    c = Constants(acceptors, values, max_ballot, q)
    start = time.perf_counter()
    init = initial_state(acceptors)
    init_key = _naive_canonical(c, init, symmetry)
    # key -> (parent key, action), for reading back the shortest trace
    parents: dict[Hashable, tuple[Hashable | None, Action]] = {init_key: (None, ("Init",))}
    level: list[tuple[Hashable, SpecState]] = [(init_key, init)]
    generated, depth = 1, 1
    violated = violated_conjunct(c, init, invariants)
    violation_key: Hashable | None = init_key if violated else None
    detail = ""
    bad_step: tuple[Hashable, Hashable] | None = None  # (from key, to key) of a non-Voting step
    while level and violated is None and (max_depth is None or depth < max_depth):
        next_level: list[tuple[Hashable, SpecState]] = []
        for key, state in level:
            for action, succ in spec.next_actions(c, state):
                generated += 1
                succ_key = _naive_canonical(c, succ, symmetry)
                if invariants == "all":
                    step = voting_step(c, state, succ)
                    if not step.ok:
                        violated, detail = "V!Next", f"{step.action}: {step.failed}"
                        violation_key, bad_step = key, (key, succ_key)
                        break
                if succ_key in parents:
                    continue
                parents[succ_key] = (key, action)
                next_level.append((succ_key, succ))
                violated = violated_conjunct(c, succ, invariants)
                if violated is not None:
                    violation_key = succ_key
                    break
            if violated is not None:
                break
        if next_level:
            depth += 1
        level = next_level
    path: list[Hashable] = []
    at = violation_key
    while at is not None:
        path.append(at)
        at = parents[at][0]
    path.reverse()
    trace: tuple[str, ...] = ()
    behaviour: tuple[SpecState, ...] = ()
    if violated is not None:
        trace, behaviour = replay_keys(
            c, spec, path, lambda s: _naive_canonical(c, s, symmetry),
            None if bad_step is None else (bad_step[1], _refinement_fails(c)),
        )
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
        violation=violated is not None,
        counterexample=trace,
        complete=violated is None and not level,
        implementation="naive",
        invariants=names,
        violated=violated,
        violation_detail=detail,
        behaviour=behaviour,
        spec=spec.name,
    )
