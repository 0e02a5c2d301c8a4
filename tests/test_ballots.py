"""Proposal numbers (§2.2, §2.5): totally ordered, unique, from disjoint sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.ballots import MAX_PROPOSERS, Allocator, ProposalNumber

FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None)

sizes = st.integers(min_value=1, max_value=MAX_PROPOSERS)


@st.composite
def numbers_of_size(draw, k: int | None = None) -> ProposalNumber:
    k = draw(sizes) if k is None else k
    return ProposalNumber(draw(st.integers(0, 10**6)), draw(st.integers(0, k - 1)), k)


# -- ordering --------------------------------------------------------------------


def test_numbers_order_by_round_then_proposer() -> None:
    assert ProposalNumber(0, 2, 3) < ProposalNumber(1, 0, 3)
    assert ProposalNumber(1, 0, 3) < ProposalNumber(1, 1, 3)
    assert max([ProposalNumber(2, 0, 3), ProposalNumber(1, 2, 3)]) == ProposalNumber(2, 0, 3)


def test_proposers_count_takes_no_part_in_comparison() -> None:
    a, b = ProposalNumber(4, 1, 2), ProposalNumber(4, 1, 5)
    assert a == b and hash(a) == hash(b)
    assert not a < b and not b < a


def test_number_shows_as_the_papers_natural_number() -> None:
    n = ProposalNumber(3, 1, 4)
    assert n.natural == 13
    assert str(n) == "13"


@FAST
@given(st.data())
def test_order_matches_natural_numbers(data) -> None:
    k = data.draw(sizes)
    a = data.draw(numbers_of_size(k))
    b = data.draw(numbers_of_size(k))
    assert (a < b) == (a.natural < b.natural)
    assert (a == b) == (a.natural == b.natural)


@FAST
@given(st.integers(0, 10**12), sizes)
def test_from_natural_inverts_natural(n: int, k: int) -> None:
    p = ProposalNumber.from_natural(n, k)
    assert p.natural == n
    assert p.proposers == k
    assert 0 <= p.proposer < k


@FAST
@given(numbers_of_size())
def test_natural_inverts_from_natural(p: ProposalNumber) -> None:
    q = ProposalNumber.from_natural(p.natural, p.proposers)
    assert (q.round, q.proposer, q.proposers) == (p.round, p.proposer, p.proposers)


@pytest.mark.parametrize(
    ("args", "word"),
    [((-1, 0, 1), "round"), ((0, 2, 2), "proposer"), ((0, -1, 2), "proposer"),
     ((0, 0, 0), "proposers"), ((0, 0, MAX_PROPOSERS + 1), "proposers")],
)
def test_invalid_number_raises_naming_the_field(args: tuple[int, int, int], word: str) -> None:
    with pytest.raises(ValueError, match=word) as e:
        ProposalNumber(*args)
    assert "must be" in str(e.value)


def test_from_natural_rejects_negative_and_bad_size() -> None:
    with pytest.raises(ValueError, match=r"n must be a natural number \(>= 0\)"):
        ProposalNumber.from_natural(-1, 3)
    with pytest.raises(ValueError, match=rf"proposers must be in 1..{MAX_PROPOSERS}"):
        ProposalNumber.from_natural(5, 0)


# -- allocation --------------------------------------------------------------------


def test_first_numbers_are_distinct_and_owned() -> None:
    alloc = Allocator(3)
    firsts = [alloc.first(i) for i in range(3)]
    assert [f.natural for f in firsts] == [0, 1, 2]
    for i, f in enumerate(firsts):
        assert alloc.owns(i, f)
        assert not any(alloc.owns(j, f) for j in range(3) if j != i)


@FAST
@given(st.data())
def test_allocator_sets_are_disjoint_across_proposers(data) -> None:
    k = data.draw(st.integers(2, MAX_PROPOSERS))
    alloc = Allocator(k)
    i, j = data.draw(st.lists(st.integers(0, k - 1), min_size=2, max_size=2, unique=True))
    seen_i = data.draw(st.one_of(st.none(), numbers_of_size(k)))
    seen_j = data.draw(st.one_of(st.none(), numbers_of_size(k)))
    steps = data.draw(st.integers(1, 20))
    mine: set[int] = set()
    theirs: set[int] = set()
    a, b = seen_i, seen_j
    for _ in range(steps):
        a, b = alloc.next_above(i, a), alloc.next_above(j, b)
        assert alloc.owns(i, a) and not alloc.owns(j, a)
        assert alloc.owns(j, b) and not alloc.owns(i, b)
        mine.add(a.natural)
        theirs.add(b.natural)
    assert not mine & theirs
    # congruence classes: the paper's disjoint sets, explicitly
    assert {n % k for n in mine} == {i} and {n % k for n in theirs} == {j}


@FAST
@given(st.data())
def test_next_above_is_the_smallest_own_number_above_seen(data) -> None:
    k = data.draw(sizes)
    alloc = Allocator(k)
    i = data.draw(st.integers(0, k - 1))
    seen = data.draw(numbers_of_size(k))
    n = alloc.next_above(i, seen)
    assert n > seen
    assert alloc.owns(i, n)
    # nothing of i's lies strictly between seen and n
    for natural in range(seen.natural + 1, n.natural):
        assert natural % k != i
    assert n.natural - seen.natural <= k


def test_next_above_nothing_is_the_first_number() -> None:
    alloc = Allocator(4)
    assert alloc.next_above(2, None) == alloc.first(2) == ProposalNumber(0, 2, 4)


def test_next_above_own_number_moves_to_next_round() -> None:
    alloc = Allocator(3)
    assert alloc.next_above(1, ProposalNumber(5, 1, 3)) == ProposalNumber(6, 1, 3)
    assert alloc.next_above(1, ProposalNumber(5, 0, 3)) == ProposalNumber(5, 1, 3)
    assert alloc.next_above(1, ProposalNumber(5, 2, 3)) == ProposalNumber(6, 1, 3)


def test_shared_allocator_lets_two_proposers_collide() -> None:
    shared = Allocator(2, shared=True)
    assert shared.first(0) == shared.first(1)
    seen = ProposalNumber(3, 0, 2)
    assert shared.next_above(0, seen) == shared.next_above(1, seen)
    # and every proposer "owns" the colliding number
    n = shared.first(1)
    assert shared.owns(0, n) and shared.owns(1, n)


def test_mismatched_allocator_number_raises_naming_parameter_and_allowed() -> None:
    alloc = Allocator(2)
    foreign = ProposalNumber(1, 0, 3)
    with pytest.raises(ValueError, match=r"seen .*3 proposers.*allowed: numbers with proposers=2"):
        alloc.next_above(0, foreign)
    with pytest.raises(ValueError, match=r"^number "):
        alloc.owns(0, foreign)
    with pytest.raises(ValueError, match="must be a ProposalNumber"):
        alloc.validate(3, "n")  # type: ignore[arg-type]


@pytest.mark.parametrize("index", [-1, 2, 10])
def test_allocator_rejects_proposer_index_out_of_range(index: int) -> None:
    with pytest.raises(ValueError, match=r"proposer index must be in 0..1"):
        Allocator(2).first(index)


@pytest.mark.parametrize("k", [0, -3, MAX_PROPOSERS + 1])
def test_allocator_rejects_bad_size(k: int) -> None:
    with pytest.raises(ValueError, match=rf"proposers must be in 1..{MAX_PROPOSERS}, got {k}"):
        Allocator(k)
