"""Tests for paxos_notes.multipaxos.linearizability.

Every "is linearizable" verdict is also checked independently: the witness order is
replayed against the spec and its real-time order verified, so a checker that said
"yes" without a valid reason would fail here.
"""

from __future__ import annotations

import math
import random
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, permutations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paxos_notes.multipaxos.linearizability import (
    KV,
    REGISTER,
    Complete,
    Invoke,
    KVSpec,
    Operation,
    RegisterSpec,
    Result,
    SearchBudgetExceeded,
    SequentialSpec,
    cas,
    check,
    get,
    history_from_events,
    put,
)
from paxos_notes.multipaxos.linearizability import KVState as _KVState

NEVER_WRITTEN = 99  # generated values are 0..2, so a read of 99 can never be explained
VALUES = st.integers(0, 2)
KEYS = ("x", "y")

# Hypothesis-heavy tests share these: bounded so the whole file stays well under 10 s.
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The brute-force cross-checks find the subtle bugs, so they get more examples.
CROSS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# Independent oracles
# ---------------------------------------------------------------------------


def precedes(a: Operation, b: Operation) -> bool:
    """Real-time order: a responded strictly before b was invoked."""
    return a.complete_time is not None and a.complete_time < b.invoke_time


def assert_valid_witness(
    history: Sequence[Operation], result: Result, spec: SequentialSpec
) -> None:
    """The witness contains every completed op (and only ops of the history), respects
    real time, and replays correctly on the *whole-state* spec (no per-key shortcut)."""
    assert result.linearizable
    assert result.order is not None
    order = result.order
    in_history = Counter(history)
    in_order = Counter(order)
    assert all(in_order[o] <= in_history[o] for o in in_order), "witness has foreign ops"
    for o, k in in_history.items():
        if not o.pending:
            assert in_order[o] == k, f"witness misses completed op {o}"
    latest_invoke = -math.inf
    for o in order:
        if o.complete_time is not None:
            assert o.complete_time >= latest_invoke, f"{o} placed after an op it precedes"
        latest_invoke = max(latest_invoke, o.invoke_time)
    state = spec.initial_state()
    for o in order:
        state, out = spec.apply(state, o.op)
        if not o.pending:
            assert out == o.output, f"witness replay: {o} should return {out!r}"


def brute_force(history: Sequence[Operation], spec: SequentialSpec) -> bool:
    """Try every subset of pending ops and every permutation consistent with real time."""
    completed = [o for o in history if not o.pending]
    pending = [o for o in history if o.pending]
    for r in range(len(pending) + 1):
        for chosen in combinations(pending, r):
            for perm in permutations(completed + list(chosen)):
                if any(precedes(perm[p], perm[q]) for p in range(len(perm)) for q in range(p)):
                    continue
                state = spec.initial_state()
                for o in perm:
                    state, out = spec.apply(state, o.op)
                    if not o.pending and out != o.output:
                        break
                else:
                    return True
    return False


def greedy(history: Sequence[Operation], spec: SequentialSpec, by: str) -> bool:
    """A tempting but wrong checker: among the ops that may go next, commit to the first
    (by invocation or by completion time) whose output matches; never backtrack.
    (Handles completed ops only, which is all the history it is used on needs.)"""
    remaining = list(history)
    state = spec.initial_state()
    while remaining:
        horizon = min(o.complete_time for o in remaining)  # type: ignore[type-var]
        candidates = [o for o in remaining if o.invoke_time <= horizon]
        candidates.sort(key=lambda o: o.invoke_time if by == "invoke" else o.complete_time)
        for o in candidates:
            new_state, out = spec.apply(state, o.op)
            if out == o.output:
                state = new_state
                remaining.remove(o)
                break
        else:
            return False
    return True


def check_and_verify(history: Sequence[Operation], spec: SequentialSpec = KV) -> Result:
    result = check(history, spec)
    if result.linearizable:
        assert_valid_witness(history, result, spec)
    return result


# ---------------------------------------------------------------------------
# Hand-written histories
# ---------------------------------------------------------------------------


def test_empty_history_is_linearizable() -> None:
    result = check([])
    assert result.linearizable and result.order == ()


def test_stale_read_after_completed_write_is_not_linearizable() -> None:
    w = Operation("a", ("write", 1), "ok", 0, 1)
    r = Operation(
        "b", ("read",), None, 2, 3
    )  # invoked after the write returned, yet sees the old value
    result = check([w, r], REGISTER)
    assert not result.linearizable
    assert result.order is None
    assert result.longest_prefix == (w,)
    assert result.unplaced == (r,)
    assert "read()" in result.explanation and "spec gives 1" in result.explanation


@pytest.mark.parametrize("seen", [None, 1])
def test_read_concurrent_with_write_may_return_old_or_new(seen: int | None) -> None:
    history = [Operation("a", ("write", 1), "ok", 0, 10), Operation("b", ("read",), seen, 1, 2)]
    check_and_verify(history, REGISTER)


def test_read_concurrent_with_write_cannot_return_unwritten_value() -> None:
    history = [Operation("a", ("write", 1), "ok", 0, 10), Operation("b", ("read",), 2, 1, 2)]
    assert not check(history, REGISTER).linearizable


def test_reads_cannot_go_back_in_time() -> None:
    # Both reads overlap the write, but once b has seen 1, a later read must too.
    history = [
        Operation("a", ("write", 1), "ok", 0, 10),
        Operation("b", ("read",), 1, 1, 2),
        Operation("c", ("read",), None, 3, 4),
    ]
    assert not check(history, REGISTER).linearizable


def test_equal_timestamps_count_as_concurrent() -> None:
    # The write responds at t=1 and the read is invoked at t=1: neither precedes the other.
    history = [Operation("a", ("write", 1), "ok", 0, 1), Operation("b", ("read",), None, 1, 2)]
    check_and_verify(history, REGISTER)


def test_register_initial_value_is_configurable() -> None:
    history = [Operation("a", ("read",), 0, 0, 1)]
    assert not check(history, REGISTER).linearizable
    check_and_verify(history, RegisterSpec(initial=0))


def test_cas_race_both_winning_is_not_linearizable() -> None:
    history = [
        Operation("a", cas("x", None, 1), True, 0, 5),
        Operation("b", cas("x", None, 2), True, 1, 6),
    ]
    result = check(history)
    assert not result.linearizable and result.key == "x"


@pytest.mark.parametrize(
    ("winner", "read", "ok"), [("a", 1, True), ("b", 2, True), ("a", 2, False)]
)
def test_cas_race_one_winner(winner: str, read: int, ok: bool) -> None:
    history = [
        Operation("a", cas("x", None, 1), winner == "a", 0, 5),
        Operation("b", cas("x", None, 2), winner == "b", 1, 6),
        Operation("c", get("x"), read, 7, 8),
    ]
    assert check_and_verify(history).linearizable is ok


def test_register_cas() -> None:
    history = [
        Operation("a", ("write", 0), "ok", 0, 1),
        Operation("a", ("cas", 0, 5), True, 2, 6),
        Operation("b", ("cas", 0, 7), False, 3, 4),  # a's cas must be linearized before b's
        Operation("b", ("read",), 5, 7, 8),
    ]
    check_and_verify(history, REGISTER)
    assert not check([*history[:3], Operation("b", ("read",), 7, 7, 8)], REGISTER).linearizable


def test_violation_on_one_key_is_reported_with_that_key() -> None:
    history = [
        Operation(1, put("x", 1), "ok", 0, 1),
        Operation(2, put("y", 2), "ok", 0, 1),
        Operation(3, get("x"), 1, 2, 3),
        Operation(3, get("y"), None, 4, 5),
    ]
    result = check(history)
    assert not result.linearizable
    assert result.key == "y"
    assert result.unplaced == (history[3],)
    assert "key 'y'" in result.explanation and "{'y': 2}" in result.explanation


def test_memoization_keys_on_state_not_just_on_the_set_of_ops() -> None:
    # After both writes the linearized set is the same whichever went first, but the
    # state is not: the search must not treat "w1 then w2" (dead end) as "w2 then w1".
    history = [
        Operation("a", ("write", 1), "ok", 0, 10),
        Operation("b", ("write", 2), "ok", 0, 10),
        Operation("c", ("read",), 1, 11, 12),
    ]
    result = check_and_verify(history, REGISTER)
    assert [o.client for o in result.order or ()] == ["b", "a", "c"]


# The history below defeats both greedy strategies: after a's write(1), the op that is
# earliest by invocation *and* by completion is b's write(2), but c must read 1, so the
# only valid orders put c before b (a, c, b) or b before a (b, a, c).
#   a: write(1)  [0, 5]
#   b: write(2)    [1 ...........10]
#   c: read -> 1          [6 ........12]
NEEDS_BACKTRACKING = [
    Operation("a", ("write", 1), "ok", 0, 5),
    Operation("b", ("write", 2), "ok", 1, 10),
    Operation("c", ("read",), 1, 6, 12),
]


@pytest.mark.parametrize("by", ["invoke", "complete"])
def test_greedy_fails_where_search_succeeds(by: str) -> None:
    assert not greedy(NEEDS_BACKTRACKING, REGISTER, by)
    assert brute_force(NEEDS_BACKTRACKING, REGISTER)
    check_and_verify(NEEDS_BACKTRACKING, REGISTER)


# ---------------------------------------------------------------------------
# Pending operations
# ---------------------------------------------------------------------------


def test_pending_put_observed_by_later_get() -> None:
    p = Operation("a", put("x", 1), None, 0)
    history = [p, Operation("b", get("x"), 1, 5, 6)]
    result = check_and_verify(history)
    assert p in result.order  # type: ignore[operator]


def test_pending_put_not_observed() -> None:
    p = Operation("a", put("x", 1), None, 0)
    history = [p, Operation("b", get("x"), None, 5, 6)]
    result = check_and_verify(history)
    assert p not in result.order  # type: ignore[operator]


def test_pending_put_cannot_be_observed_before_its_invocation() -> None:
    history = [Operation("b", get("x"), 1, 0, 1), Operation("a", put("x", 1), None, 2)]
    assert not check(history).linearizable


def test_pending_put_cannot_be_undone() -> None:
    history = [
        Operation("a", put("x", 1), None, 0),
        Operation("b", get("x"), 1, 5, 6),
        Operation("b", get("x"), None, 7, 8),
    ]
    assert not check(history).linearizable


def test_only_pending_operations() -> None:
    result = check_and_verify(
        [Operation("a", put("x", 1), None, 0), Operation("b", get("x"), None, 0)]
    )
    assert result.order == ()


# ---------------------------------------------------------------------------
# Events, validation, budget, scale
# ---------------------------------------------------------------------------


def test_history_from_events_pairs_and_keeps_pending() -> None:
    events = [
        Invoke("a", put("x", 1), 0),
        Invoke("b", get("x"), 1),
        Complete("b", 1, 2),
        Invoke("c", put("x", 2), 3),
        Complete("a", "ok", 4),
    ]
    assert history_from_events(events) == [
        Operation("a", put("x", 1), "ok", 0, 4),
        Operation("b", get("x"), 1, 1, 2),
        Operation("c", put("x", 2), None, 3, None),
    ]
    assert check(events).linearizable


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([Complete("a", "ok", 0)], "completion without invocation"),
        ([Invoke("a", get("x"), 0), Invoke("a", get("y"), 1)], "two outstanding"),
        ([Invoke("a", get("x"), 5), Complete("a", None, 3)], "times go backwards"),
        ([Invoke("a", ("delete", "x"), 0), Complete("a", "ok", 1)], "unknown op kind 'delete'"),
        ([Invoke("a", get("x"), math.nan)], "NaN"),
        ([Invoke("a", get("x"), "noon")], "not a number"),
        ([Operation("a", get("x"), None, 5, 3)], "times go backwards"),
        (
            [Operation("a", get("x"), None, 0, 5), Operation("a", get("y"), None, 4, 6)],
            "two outstanding",
        ),
        (
            [Operation("a", put("x", 1), None, 0), Operation("a", get("y"), None, 4, 6)],
            "two outstanding",
        ),
        ([Operation("a", put("x", 1), "ok", 0, None)], "pending operation cannot have an output"),
        ([Operation("a", ("frob",), None, 0, 1)], "unknown op kind 'frob'"),
        ([Operation("a", ("get", "x", "y"), None, 0, 1)], "takes 1 argument"),
        ([Operation("a", put("x", None), "ok", 0, 1)], "cannot put None"),
        ([Operation("a", put("x", [1]), "ok", 0, 1)], "not hashable"),
        ([Operation("a", get("x"), None, 0, 1), Invoke("b", get("x"), 2)], "not an Operation"),
    ],
)
def test_malformed_histories_are_rejected(history: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check(history)


def test_register_rejects_kv_ops() -> None:
    with pytest.raises(ValueError, match="unknown op kind 'get'"):
        check([Operation("a", get("x"), None, 0, 1)], REGISTER)


def test_budget_exceeded_raises() -> None:
    with pytest.raises(SearchBudgetExceeded, match="max_states=2") as info:
        check(NEEDS_BACKTRACKING, REGISTER, max_states=2)
    assert info.value.states_explored == 3
    assert check(NEEDS_BACKTRACKING, REGISTER, max_states=None).linearizable


def concurrent_history(
    rng: random.Random, n_ops: int, clients: int, keys: Sequence[str]
) -> list[Operation]:
    """Run ops atomically at a random instant inside random intervals (seeded)."""
    plans = []
    clock = [0.0] * clients
    for k in range(n_ops):
        c = k % clients
        start = clock[c] + rng.uniform(0, 1)
        end = start + rng.uniform(0, 3)
        clock[c] = end
        key = rng.choice(keys)
        op = rng.choice([get(key), put(key, rng.randrange(3)), cas(key, rng.randrange(3), 0)])
        plans.append((rng.uniform(start, end), c, op, start, end))
    state = KV.initial_state()
    history = []
    for _, c, op, start, end in sorted(plans):
        state, out = KV.apply(state, op)
        history.append(Operation(c, op, out, start, end))
    return history


def test_long_histories_do_not_recurse() -> None:
    sequential = [Operation(k % 3, put("x", k), "ok", 2 * k, 2 * k + 1) for k in range(5000)]
    result = check(sequential)
    assert result.linearizable and result.order is not None and len(result.order) == 5000
    history = concurrent_history(random.Random(7), 2000, 4, ["x"])
    check_and_verify(history)


def test_check_memory_grows_linearly_with_the_history() -> None:
    # A configuration costs the operations concurrent with the earliest open one,
    # not the whole history: four times the operations, about four times the memory.
    # (A bitmask over the whole sub-history made it grow with the square.)
    def peak(n_ops: int) -> int:
        history = concurrent_history(random.Random(5), n_ops, 3, ["x"])
        tracemalloc.start()
        try:
            assert check(history).linearizable
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(3000), peak(12000)
    assert large < 5 * small, (small, large)


def test_decomposition_agrees_and_saves_states() -> None:
    history = concurrent_history(random.Random(3), 60, 6, ["x", "y", "z"])
    split = check_and_verify(history, KV)
    whole = check_and_verify(history, KVSpec(partition_by_key=False))
    assert split.linearizable and whole.linearizable
    assert split.states_explored < whole.states_explored


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------

# Strategies are built once, at import: hypothesis re-validates a strategy every time a
# fresh one is constructed inside a composite, which dominated the run time.
_KEY = st.sampled_from(KEYS)
KV_OPS = st.one_of(
    st.builds(get, _KEY),
    st.builds(put, _KEY, VALUES),
    st.builds(cas, _KEY, st.none() | VALUES, VALUES),
)
REGISTER_OPS = st.one_of(
    st.just(("read",)),
    st.tuples(st.just("write"), VALUES),
    st.tuples(st.just("cas"), st.none() | VALUES, VALUES),
)
_CLIENT = st.integers(0, 2)
_GAP = st.integers(0, 3)
_LENGTH = st.integers(0, 4)
_FRACTION = st.integers(0, 4)  # where inside its interval an op takes effect, in quarters
_TIEBREAK = st.integers(0, 1000)
_MUTATIONS = st.integers(1, 3)
_BOOL = st.booleans()
_READABLE = [None, 0, 1, 2]
# For each correct read result, the other plausible results (so a mutation always changes it).
_OTHER_READ = {v: st.sampled_from([w for w in _READABLE if w != v]) for v in _READABLE}


def sequential_history(max_ops: int = 30) -> st.SearchStrategy[list[Operation]]:
    steps = st.lists(st.tuples(KV_OPS, _CLIENT), max_size=max_ops)

    def run(pairs: list[tuple[tuple, int]]) -> list[Operation]:
        state = KV.initial_state()
        history = []
        for k, (op, client) in enumerate(pairs):
            state, out = KV.apply(state, op)
            history.append(Operation(client, op, out, 2 * k, 2 * k + 1))
        return history

    return steps.map(run)


def atomic_history(
    ops: st.SearchStrategy[tuple],
    spec: SequentialSpec = KV,
    max_ops: int = 24,
    max_clients: int = 4,
) -> st.SearchStrategy[list[Operation]]:
    """Each op takes effect atomically at a random instant inside its interval, so the
    result is linearizable by construction.  Integer times make ties common, and a
    client's last op may be left pending, having taken effect or not."""
    clients = st.integers(1, max_clients)
    step = st.tuples(ops, _GAP, _LENGTH, _FRACTION, _TIEBREAK)
    steps_for = {
        n: st.lists(step, max_size=max(1, max_ops // n)) for n in range(1, max_clients + 1)
    }

    @st.composite
    def build(draw: st.DrawFn) -> list[Operation]:
        n_clients = draw(clients)
        plans = []
        for c in range(n_clients):
            clock = 0.0
            mine = draw(steps_for[n_clients])
            for k, (op, gap, length, fraction, tiebreak) in enumerate(mine):
                start = clock + gap
                end = start + length
                clock = end
                instant = start + length * fraction / 4
                pending = k == len(mine) - 1 and draw(_BOOL)
                took_effect = not pending or draw(_BOOL)
                plans.append(
                    (instant, tiebreak, c, op, start, None if pending else end, took_effect)
                )
        plans.sort(key=lambda p: (p[0], p[1]))
        state = spec.initial_state()
        history = []
        for _, _, c, op, start, end, took_effect in plans:
            out = None
            if took_effect:
                state, out = spec.apply(state, op)
            history.append(Operation(c, op, None if end is None else out, start, end))
        return history

    return build()


@FAST
@given(sequential_history())
def test_sequential_histories_are_linearizable_in_their_own_order(history: list) -> None:
    result = check_and_verify(history)
    assert result.linearizable
    assert list(result.order or ()) == history  # no overlap: the order is forced


@FAST
@given(atomic_history(KV_OPS))
def test_atomic_kv_histories_are_linearizable(history: list) -> None:
    assert check_and_verify(history).linearizable


@FAST
@given(atomic_history(REGISTER_OPS, REGISTER, max_clients=5))
def test_atomic_register_histories_are_linearizable(history: list) -> None:
    assert check_and_verify(history, REGISTER).linearizable


@FAST
@given(sequential_history(), st.data())
def test_reading_a_never_written_value_is_not_linearizable(
    history: list, data: st.DataObject
) -> None:
    gets = [k for k, o in enumerate(history) if o.op[0] == "get"]
    assume(gets)
    k = data.draw(st.sampled_from(gets))
    o = history[k]
    bad = Operation(o.client, o.op, NEVER_WRITTEN, o.invoke_time, o.complete_time)
    mutated = [*history[:k], bad, *history[k + 1 :]]
    result = check(mutated)
    assert not result.linearizable
    assert result.key == bad.op[1]
    assert result.unplaced == (bad,)  # sequential: the bad get is the only possible next op


@FAST
@given(atomic_history(KV_OPS, max_ops=20), st.data())
def test_never_written_value_in_concurrent_history(history: list, data: st.DataObject) -> None:
    gets = [k for k, o in enumerate(history) if o.op[0] == "get" and not o.pending]
    assume(gets)
    k = data.draw(st.sampled_from(gets))
    o = history[k]
    history[k] = Operation(o.client, o.op, NEVER_WRITTEN, o.invoke_time, o.complete_time)
    assert not check(history).linearizable


def small_mutated_history(
    ops: st.SearchStrategy[tuple], spec: SequentialSpec
) -> st.SearchStrategy[list[Operation]]:
    """Up to 6 ops, with one to three outputs changed to other *plausible* values for the
    op's kind, so both verdicts are common."""
    base = atomic_history(ops, spec, max_ops=6, max_clients=3)

    @st.composite
    def build(draw: st.DrawFn) -> list[Operation]:
        history = draw(base)
        for _ in range(draw(_MUTATIONS)):
            if not history:
                break
            k = draw(_TIEBREAK) % len(history)
            o = history[k]
            if o.pending or o.op[0] not in ("get", "read", "cas"):
                continue
            # A changed output may still be linearizable (a concurrent write explains it).
            output = (not o.output) if o.op[0] == "cas" else draw(_OTHER_READ[o.output])
            history[k] = Operation(o.client, o.op, output, o.invoke_time, o.complete_time)
        return history

    return build()


@CROSS
@given(small_mutated_history(KV_OPS, KV))
def test_agrees_with_brute_force_kv(history: list) -> None:
    # Brute force runs the whole-state spec, so this also checks the per-key split.
    expected = brute_force(history, KV)
    assert check_and_verify(history).linearizable is expected


@CROSS
@given(small_mutated_history(REGISTER_OPS, REGISTER))
def test_agrees_with_brute_force_register(history: list) -> None:
    expected = brute_force(history, REGISTER)
    assert check_and_verify(history, REGISTER).linearizable is expected


@dataclass(frozen=True)
class _KVFrom(KVSpec):
    """The key-value store, starting from ``start`` (for the brute force below)."""

    start: _KVState = frozenset()

    def initial_state(self) -> _KVState:
        return self.start


@FAST
@given(small_mutated_history(KV_OPS, KV), st.integers(0, 2**32), st.integers(50, 400))
def test_violations_after_a_long_prefix_agree_with_brute_force(
    history: list, seed: int, length: int
) -> None:
    # The search keeps the linearized set as a window that slides past the prefix, and
    # a pending put invoked at the very start stays open all along: the verdict on the
    # small history at the end must be the brute force's, from the prefix's last state.
    rng = random.Random(seed)
    prefix = [Operation(k % 3, put(rng.choice(KEYS), rng.randrange(3)), "ok", 2 * k, 2 * k + 1)
              for k in range(length)]
    prefix += [Operation(0, put(key, rng.randrange(3)), "ok", 2 * k, 2 * k + 1)
               for k, key in enumerate(KEYS, start=length)]
    state = KV.initial_state()
    for o in prefix:
        state, _ = KV.apply(state, o.op)
    offset = 2 * len(prefix)
    suffix = [Operation(o.client, o.op, o.output, o.invoke_time + offset,
                        None if o.pending else o.complete_time + offset) for o in history]
    # Placed anywhere in the prefix, the pending put is overwritten by its last puts:
    # to the brute force it is invoked where the suffix starts.
    pending = put("x", rng.randrange(3))
    expected = brute_force([*suffix, Operation("p", pending, None, offset, None)],
                           _KVFrom(start=state))
    result = check_and_verify([Operation("p", pending, None, 0.5, None), *prefix, *suffix])
    assert result.linearizable is expected


_PUT_X = st.sampled_from([put("x", 0), put("x", 1)])


@FAST
@given(st.lists(st.tuples(st.sampled_from([get("x"), put("x", 0), put("x", 1)]),
                          st.sampled_from([None, 0, 1]), _GAP, _LENGTH), max_size=3),
       st.lists(st.tuples(_PUT_X, _GAP), min_size=2, max_size=3))
def test_identical_pending_operations_agree_with_brute_force(
    completed: list, pending: list
) -> None:
    # The search linearizes only the earliest-invoked of identical pending operations
    # next (they are interchangeable); several identical pending puts, and gets that
    # may or may not be explained by them, must get the brute force's verdict.
    history, clock = [], 0.0
    for k, (op, read, gap, length) in enumerate(completed):
        clock += gap
        output = read if op[0] == "get" else "ok"
        history.append(Operation(f"c{k}", op, output, clock, clock + length))
    for k, (op, at) in enumerate(pending):
        history.append(Operation(f"p{k}", op, None, float(at), None))
    assert check_and_verify(history).linearizable is brute_force(history, KV)
