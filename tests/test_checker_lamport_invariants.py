"""What TLC checks on Lamport's Paxos.tla, checked by the ``lamport`` model too.

``TypeOK`` and ``Inv`` (each conjunct a function of `lamport_spec`) in every
reachable state, every step a step of Voting under the refinement mapping
(``votes``, ``maxBal``), and "only a single value is chosen". The spec passes
all of them; each mutation of one conjunct of one action (`lamport_mutations`)
is caught, with the conjunct named and a shortest behaviour in the spec's
variables; and each conjunct can fail on a state built to break it, in both
explorers' evaluations.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.checker.lamport_fast import _Encoding, _StateChecks, check_lamport
from paxos_notes.checker.lamport_mutations import HARMLESS, MUTATIONS
from paxos_notes.checker.lamport_spec import (
    CHECKED,
    INV,
    NO_BALLOT,
    PAXOS,
    TYPE_OK,
    Constants,
    SpecState,
    _permute,
    check_lamport_naive,
    initial_state,
    tla_behaviour,
    tla_message,
    violated_conjunct,
    voting_step,
)

C = Constants(acceptors=3, values=2, max_ballot=1, quorum_size=2)


def counts(result: object) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# The spec passes every check, and the counts do not change
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ((3, 2, 2, False), (185369, 1361380, 25)),  # MCPaxosSmall, the acceptance
        ((3, 2, 2, True), (17153, 127002, 25)),
        ((3, 2, 1, False), (3921, 23563, 17)),  # MCPaxosTiny
        ((4, 2, 1, True), (834, 5880, 21)),
    ],
)
def test_paxos_satisfies_typeok_inv_and_refines_voting(
    config: tuple[int, int, int, bool], expected: tuple[int, int, int]
) -> None:
    acceptors, values, max_ballot, symmetry = config
    result = check_lamport(acceptors, values, max_ballot, symmetry=symmetry)
    assert result.invariants == CHECKED == ("TypeOK", "Inv", "V!Spec", "AtMostOneChosen")
    assert counts(result) == expected
    assert result.complete and not result.violation and result.violated is None
    safety = check_lamport(acceptors, values, max_ballot, symmetry=symmetry, invariants="safety")
    assert safety.invariants == ("AtMostOneChosen",) and counts(safety) == expected


@pytest.mark.parametrize(("acceptors", "values", "max_ballot"), [(2, 2, 1), (3, 2, 1), (1, 2, 2)])
def test_reference_checker_evaluates_the_same_checks_and_agrees(
    acceptors: int, values: int, max_ballot: int
) -> None:
    naive = check_lamport_naive(acceptors, values, max_ballot)
    fast = check_lamport(acceptors, values, max_ballot)
    assert naive.invariants == fast.invariants == CHECKED
    assert counts(naive) == counts(fast) and not naive.violation and naive.complete


def test_invariants_must_be_all_or_safety() -> None:
    for check in (check_lamport, check_lamport_naive):
        with pytest.raises(ValueError, match=r"^invariants must be 'all' or 'safety'"):
            check(3, 2, 1, invariants="some")


# ---------------------------------------------------------------------------
# Mutations of the spec's actions are caught, with the conjunct named
# ---------------------------------------------------------------------------

# name -> (max ballot, what is violated, its detail, length of the shortest behaviour)
CAUGHT = {
    "Phase1b-any-ballot": (1, "V!Next", "IncreaseMaxBal(a1, 0): b > maxBal[a]", 4),
    "Phase1b-reports-maxBal": (1, "Msg1bReportsAVote", "", 4),
    "Phase2a-no-quorum": (1, "Msg2aShowsSafe", "", 1),
    "Phase2a-twice": (1, "Msg2aUnique", "", 5),
    "Phase2a-ignores-votes": (1, "Msg2aShowsSafe", "", 9),
    # needs two earlier votes in different ballots, hence ballots 0..2
    "Phase2a-lowest-vote": (2, "Msg2aShowsSafe", "", 14),
    "Phase2b-any-ballot": (1, "V!Next", "VoteFor(a1, 0, v1): maxBal[a] =< b", 7),
}


def test_every_mutation_has_an_expected_verdict() -> None:
    assert set(CAUGHT) == set(MUTATIONS)
    assert len({violated for _, violated, *_ in CAUGHT.values()}) >= 4


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_mutation_is_caught_with_its_conjunct_named_and_a_shortest_behaviour(name: str) -> None:
    max_ballot, violated, detail, steps = CAUGHT[name]
    spec = MUTATIONS[name]
    result = check_lamport(3, 2, max_ballot, spec=spec)
    assert result.violation and result.violated == violated
    assert result.violation_detail == detail and result.spec == name
    assert len(result.counterexample) == steps and len(result.behaviour) == steps + 1

    # The behaviour is a behaviour of the mutated spec: each step is one of its
    # actions from the state before, labelled as the trace says.
    c = Constants(3, 2, max_ballot, 2)
    states = result.behaviour
    assert states[0] == initial_state(3)
    for label, before, after in zip(result.counterexample, states, states[1:], strict=False):
        assert (label, after) in [
            (lab, succ) for lab, succ in _labelled(spec.next_actions(c, before))
        ]
    # Everything before the last step passes; the last step or state does not.
    for before, after in itertools.pairwise(states[:-1]):
        assert voting_step(c, before, after).ok
    assert all(violated_conjunct(c, s) is None for s in states[:-1])
    if violated == "V!Next":
        step = voting_step(c, states[-2], states[-1])
        assert f"{step.action}: {step.failed}" == detail
    else:
        assert violated_conjunct(c, states[-1]) == violated

    # Shortest: a breadth-first search stopped one level earlier finds nothing.
    shorter = check_lamport(3, 2, max_ballot, spec=spec, max_depth=steps)
    assert not shorter.violation and not shorter.complete


def _labelled(pairs: list) -> list:
    from paxos_notes.checker.lamport_spec import describe_action

    return [(describe_action(action), succ) for action, succ in pairs]


@pytest.mark.parametrize("name", sorted(n for n, v in CAUGHT.items() if v[0] == 1))
def test_reference_checker_finds_the_same_violation_and_behaviour(name: str) -> None:
    spec = MUTATIONS[name]
    fast = check_lamport(3, 2, 1, spec=spec)
    naive = check_lamport_naive(3, 2, 1, spec=spec)
    assert (naive.violated, naive.violation_detail) == (fast.violated, fast.violation_detail)
    assert naive.counterexample == fast.counterexample and naive.behaviour == fast.behaviour
    # and nothing shorter, by the reference's own search
    shorter = check_lamport_naive(3, 2, 1, spec=spec, max_depth=len(naive.counterexample))
    assert not shorter.violation


@pytest.mark.parametrize("name", ["Phase2a-no-quorum", "Phase2b-any-ballot", "Phase2a-twice"])
def test_symmetry_finds_the_same_kind_of_violation_as_long(name: str) -> None:
    # Every check is symmetric (no conjunct names a particular acceptor or
    # value), so reducing by renamings keeps the verdict and the length.
    spec = MUTATIONS[name]
    plain = check_lamport(3, 2, 1, spec=spec)
    reduced = check_lamport(3, 2, 1, spec=spec, symmetry=True)
    assert reduced.violated == plain.violated
    assert len(reduced.counterexample) == len(plain.counterexample)


def test_inv_sees_the_mistake_before_two_values_are_chosen() -> None:
    # Without a quorum, Phase2a breaks Inv at its first step; checking only
    # "at most one value chosen" finds the mistake 6 steps in, once two
    # values have been chosen (a1, a2 vote v1 in ballot 0, then v2 in 1).
    spec = MUTATIONS["Phase2a-no-quorum"]
    everything = check_lamport(3, 2, 1, spec=spec)
    safety = check_lamport(3, 2, 1, spec=spec, invariants="safety")
    assert (everything.violated, len(everything.counterexample)) == ("Msg2aShowsSafe", 1)
    assert (safety.violated, len(safety.counterexample)) == ("AtMostOneChosen", 6)
    assert safety.invariants == ("AtMostOneChosen",)


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_a_stronger_guard_breaks_nothing(name: str) -> None:
    spec = HARMLESS[name]
    for max_ballot in (1, 2):
        result = check_lamport(3, 2, max_ballot, spec=spec)
        assert result.complete and not result.violation
        assert result.distinct_states < check_lamport(3, 2, max_ballot).distinct_states
    naive = check_lamport_naive(3, 2, 1, spec=spec)
    assert counts(naive) == counts(check_lamport(3, 2, 1, spec=spec))


def test_behaviour_is_printed_in_the_specs_variables() -> None:
    result = check_lamport(3, 2, 1, spec=MUTATIONS["Phase2a-no-quorum"])
    lines = tla_behaviour(result.behaviour, result.counterexample)
    assert lines == [
        "State 1: <Initial predicate>",
        "/\\ maxBal = (a1 :> -1 @@ a2 :> -1 @@ a3 :> -1)",
        "/\\ maxVBal = (a1 :> -1 @@ a2 :> -1 @@ a3 :> -1)",
        "/\\ maxVal = (a1 :> None @@ a2 :> None @@ a3 :> None)",
        "/\\ msgs = {}",
        "State 2: <Phase2a(0, v1)>",
        "/\\ maxBal = (a1 :> -1 @@ a2 :> -1 @@ a3 :> -1)",
        "/\\ maxVBal = (a1 :> -1 @@ a2 :> -1 @@ a3 :> -1)",
        "/\\ maxVal = (a1 :> None @@ a2 :> None @@ a3 :> None)",
        '/\\ msgs = {[type |-> "2a", bal |-> 0, val |-> v1]}',
    ]
    assert json.loads(json.dumps(result.to_json()))["behaviour"] == lines


def test_messages_read_as_the_spec_writes_records() -> None:
    assert tla_message(("1a", 1)) == '[type |-> "1a", bal |-> 1]'
    assert tla_message(("1b", 0, 1, -1, None)) == (
        '[type |-> "1b", acc |-> a1, bal |-> 1, mbal |-> -1, mval |-> None]'
    )
    assert tla_message(("2b", 2, 0, 1)) == '[type |-> "2b", acc |-> a3, bal |-> 0, val |-> v2]'


# ---------------------------------------------------------------------------
# Each conjunct fails on a state built to break it, in both evaluations
# ---------------------------------------------------------------------------


def state(max_bal=(-1, -1, -1), max_vbal=(-1, -1, -1), max_val=(None, None, None), msgs=()):
    return SpecState(tuple(max_bal), tuple(max_vbal), tuple(max_val), frozenset(msgs))


# Each state breaks its conjunct and none before it (TypeOK's, then Inv's order).
BROKEN = {
    "TypeOK_maxBal": state(max_bal=(2, -1, -1)),  # ballots are 0..1 here
    "TypeOK_maxVBal": state(max_vbal=(-2, -1, -1)),
    "TypeOK_maxVal": state(max_val=(2, None, None)),  # values are 0..1
    "TypeOK_msgs": state(msgs=[("1a", 2)]),
    "MaxBalCoversMaxVBal": state(max_bal=(0, -1, -1), max_vbal=(1, -1, -1), max_val=(0, None, None),
                                 msgs=[("2a", 1, 0), ("2b", 0, 1, 0)]),
    "MaxVoteIsAVote": state(max_bal=(0, -1, -1), max_vbal=(0, -1, -1), max_val=(0, None, None)),
    "Msg1bBelowMaxBal": state(msgs=[("1b", 0, 0, -1, None)]),
    "Msg1bReportsAVote": state(max_bal=(1, -1, -1), msgs=[("1b", 0, 1, 0, 0)]),
    "Msg2aShowsSafe": state(msgs=[("2a", 0, 0)]),
    "Msg2aUnique": state(max_bal=(0, 0, -1), msgs=[("2a", 0, 0), ("2a", 0, 1)]),
    "Msg2bBelowMaxVBal": state(max_bal=(0, -1, -1), msgs=[("2b", 0, 0, 0)]),
    "Msg2bHas2a": state(max_bal=(0, -1, -1), max_vbal=(0, -1, -1), max_val=(0, None, None),
                        msgs=[("2b", 0, 0, 0)]),
}


def test_every_conjunct_has_a_state_that_breaks_it() -> None:
    assert set(BROKEN) == set(TYPE_OK) | set(INV)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_conjunct_is_named_when_it_fails(name: str) -> None:
    s = BROKEN[name]
    assert violated_conjunct(C, s) == name
    assert violated_conjunct(C, s, "safety") is None  # only AtMostOneChosen


def _fast_parts_hold(checks: _StateChecks, x: int) -> bool:
    return (
        checks.messages_ok(x)
        and checks.ballots_ok(x)
        and all(checks.acceptor_ok(x, a) for a in range(checks.enc.c.acceptors))
    )


@pytest.mark.parametrize("name", sorted(INV))
def test_fast_evaluation_by_parts_catches_each_inv_conjunct(name: str) -> None:
    # TypeOK cannot fail there: a state outside TypeOK has no encoding at all.
    enc = _Encoding(C, complete=True)
    assert not _fast_parts_hold(_StateChecks(enc), enc.encode(BROKEN[name]))


def _draw_local_states(data: st.DataObject, enc: _Encoding) -> int:
    """An encoded state with a random local state for every acceptor and no messages."""
    x = 0
    for a in range(C.acceptors):
        x |= data.draw(st.integers(0, len(enc.local_states) - 1)) << enc.base[a]
    return x


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fast_evaluation_by_parts_equals_typeok_and_inv(data: st.DataObject) -> None:
    # Any state the (complete) encoding can hold: random local states, random
    # messages. Checking by parts must agree with evaluating every conjunct.
    enc = _Encoding(C, complete=True)
    x = _draw_local_states(data, enc)
    bits = [*enc.one_a, *enc.two_a.values()] + [
        enc.base[a] + off
        for a in range(C.acceptors)
        for off in [*enc.block_1b.values(), *enc.block_2b.values()]
    ]
    for bit in data.draw(st.lists(st.sampled_from(bits), max_size=8)):
        x |= 1 << bit
    s = enc.decode(x)
    expected = violated_conjunct(C, s) in (None, "AtMostOneChosen")
    assert _fast_parts_hold(_StateChecks(enc), x) is expected


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_checks_are_symmetric_so_symmetry_reduction_is_sound(data: st.DataObject) -> None:
    enc = _Encoding(C, complete=True)
    x = _draw_local_states(data, enc)
    code_bits = {enc.base[a] + i for a in range(C.acceptors) for i in range(enc.code_bits)}
    top = enc.base[-1] + enc.block_bits
    for bit in data.draw(st.lists(st.integers(0, top - 1), max_size=8)):
        if bit not in code_bits:  # leave the drawn local states as they are
            x |= 1 << bit
    s = enc.decode(x)
    acc = tuple(data.draw(st.permutations(range(C.acceptors))))
    val = tuple(data.draw(st.permutations(range(C.values))))
    renamed = _permute(s, acc, val)
    for name, f in {**TYPE_OK, **INV}.items():
        assert f(C, s) == f(C, renamed), name
    # a step and its renaming are Voting steps alike
    for _, succ in PAXOS.next_actions(C, s):
        assert voting_step(C, s, succ).ok == voting_step(C, renamed, _permute(succ, acc, val)).ok


# ---------------------------------------------------------------------------
# The refinement step check, on hand-made steps
# ---------------------------------------------------------------------------


def test_voting_step_names_the_action_and_the_false_conjunct() -> None:
    s0 = state(max_bal=(0, 0, -1), msgs=[("1a", 0), ("1b", 0, 0, -1, None), ("1b", 1, 0, -1, None),
                                         ("2a", 0, 0)])
    assert voting_step(C, s0, s0._replace(msgs=s0.msgs | {("1a", 1)})).action == "stutter"
    joined = s0._replace(max_bal=(1, 0, -1))
    assert voting_step(C, s0, joined) == voting_step(C, s0, joined)  # frozen, comparable
    assert voting_step(C, s0, joined).action == "IncreaseMaxBal(a1, 1)"
    assert voting_step(C, s0, joined).ok
    lowered = s0._replace(max_bal=(-1, 0, -1))
    assert voting_step(C, s0, lowered).failed == "b > maxBal[a]"
    voted = SpecState((0, 0, -1), (0, -1, -1), (0, None, None), s0.msgs | {("2b", 0, 0, 0)})
    assert voting_step(C, s0, voted).action == "VoteFor(a1, 0, v1)" and voting_step(C, s0, voted).ok
    # a3 votes v1 in ballot 0, where a2 has voted v2
    split = SpecState((0, 0, 0), (-1, 0, -1), (None, 1, None), s0.msgs | {("2b", 1, 0, 1)})
    then = SpecState((0, 0, 0), (-1, 0, 0), (None, 1, 0), split.msgs | {("2b", 2, 0, 0)})
    step = voting_step(C, split, then)
    assert step.action == "VoteFor(a3, 0, v1)"
    assert step.failed == (
        "\\A c \\in Acceptor \\ {a} : \\A vt \\in votes[c] : (vt[1] = b) => (vt[2] = v)"
    )
    # a vote that no quorum shows safe (a3 never joined ballot 1 and nobody did)
    unsafe = SpecState((-1, -1, 1), (-1, -1, 1), (None, None, 0), frozenset({("2b", 2, 1, 0)}))
    step = voting_step(C, initial_state(3), unsafe)
    assert step.action == "VoteFor(a3, 1, v1)"
    assert step.failed == "\\E Q \\in Quorum : ShowsSafeAt(Q, b, v)"
    # two acceptors change at once: no single Voting action
    both = initial_state(3)._replace(max_bal=(0, 0, -1))
    assert voting_step(C, initial_state(3), both).action == "V!Next"


def test_initial_state_satisfies_everything() -> None:
    assert violated_conjunct(C, initial_state(3)) is None
    assert PAXOS.name == "Paxos" and NO_BALLOT == -1


# ---------------------------------------------------------------------------
# The command line says what it checked
# ---------------------------------------------------------------------------

LAMPORT_TINY = ["check", "--model", "lamport", "--acceptors", "3", "--values", "2",
                "--max-ballot", "1", "--quiet"]


def test_cli_checks_everything_by_default_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    from paxos_notes.cli import main

    assert main(LAMPORT_TINY) == 0
    out = capsys.readouterr().out
    assert "checked:          TypeOK, Inv, V!Spec, AtMostOneChosen\n" in out
    assert "distinct states:  3,921" in out and "verdict:          no violation" in out
    assert main([*LAMPORT_TINY, "--invariants", "safety", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["invariants"] == ["AtMostOneChosen"] and data["distinct_states"] == 3921
    assert main([*LAMPORT_TINY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["invariants"] == list(CHECKED)


def test_cli_mutation_prints_the_conjunct_and_the_behaviour(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from paxos_notes.cli import main

    assert main([*LAMPORT_TINY, "--mutation", "Phase2b-any-ballot"]) == 1
    out = capsys.readouterr().out
    assert "(on the mutation Phase2b-any-ballot)" in out
    assert ("VIOLATION — a step that is no step of Voting: "
            "VoteFor(a1, 0, v1): maxBal[a] =< b") in out
    assert "counterexample (7 steps, shortest):" in out
    assert "  State 8: <Phase2b(a1) accepts ballot 0 value v1>" in out
    assert '[type |-> "2b", acc |-> a1, bal |-> 0, val |-> v1]' in out
    assert main([*LAMPORT_TINY, "--mutation", "Phase2a-twice"]) == 1
    assert "VIOLATION — Inv conjunct Msg2aUnique" in capsys.readouterr().out


@pytest.mark.parametrize("model", ["agents", "livelock"])
def test_cli_lamport_options_are_refused_for_other_models(
    capsys: pytest.CaptureFixture[str], model: str
) -> None:
    from paxos_notes.cli import main

    for option in (["--invariants", "all"], ["--mutation", "Phase2a-twice"]):
        assert main(["check", "--model", model, *option]) == 2
        assert "--invariants and --mutation are for --model lamport" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(MUTATIONS | HARMLESS))
def test_both_explorers_agree_on_each_mutation_in_both_modes(name: str) -> None:
    spec = (MUTATIONS | HARMLESS)[name]
    for invariants in ("all", "safety"):
        fast = check_lamport(2, 2, 1, spec=spec, invariants=invariants)
        naive = check_lamport_naive(2, 2, 1, spec=spec, invariants=invariants)
        # (generated states are counted per state expanded, in bulk, so a search
        # stopped by a violation may have counted a different part of a level)
        assert fast.distinct_states == naive.distinct_states and fast.depth == naive.depth
        assert fast.complete is naive.complete
        if fast.complete:
            assert fast.states_generated == naive.states_generated
        assert (fast.violated, fast.counterexample) == (naive.violated, naive.counterexample)
