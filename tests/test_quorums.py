"""Quorum systems (§2.2): every phase-1 quorum must meet every phase-2 quorum."""

from __future__ import annotations

from itertools import combinations

import pytest

from paxos_notes.quorums import (
    MAX_ACCEPTORS,
    Explicit,
    Flexible,
    Grid,
    Majority,
    Threshold,
    acceptor_names,
    names_text,
)


def _subsets(names: tuple[str, ...]):
    for k in range(len(names) + 1):
        yield from (frozenset(c) for c in combinations(names, k))


def _brute_force_disjoint_pair_exists(system) -> bool:
    subsets = list(_subsets(system.acceptors))
    q1s = [s for s in subsets if system.is_phase1_quorum(s)]
    q2s = [s for s in subsets if system.is_phase2_quorum(s)]
    return any(not (a & b) for a in q1s for b in q2s)


# -- majority --------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 10))
def test_any_two_majorities_intersect(n: int) -> None:
    m = Majority(acceptor_names(n))
    assert m.k == n // 2 + 1
    assert m.intersection_witness() is None
    assert m.is_safe
    if n <= 7:
        assert not _brute_force_disjoint_pair_exists(m)


@pytest.mark.parametrize("n", range(1, 8))
def test_majority_is_more_than_half(n: int) -> None:
    m = Majority(acceptor_names(n))
    names = m.acceptors
    for s in _subsets(names):
        assert m.is_quorum(s) == (2 * len(s) > n)


def test_majority_describes_itself() -> None:
    assert Majority(acceptor_names(5)).describe() == "majority (3 of 5)"
    assert repr(Majority(("a", "b"))) == "Majority(('a', 'b'))"


# -- threshold -------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(n, k) for n in range(2, 10) for k in range(1, n // 2 + 1)])
def test_threshold_at_most_half_has_disjoint_witness(n: int, k: int) -> None:
    t = Threshold(acceptor_names(n), k)
    w = t.intersection_witness()
    assert w is not None
    q1, q2 = w
    assert not q1 & q2
    assert t.is_phase1_quorum(q1) and t.is_phase2_quorum(q2)
    assert len(q1) == len(q2) == k
    assert not t.is_safe


@pytest.mark.parametrize(
    ("n", "k"), [(n, k) for n in range(1, 8) for k in range(n // 2 + 1, n + 1)]
)
def test_threshold_above_half_is_safe(n: int, k: int) -> None:
    t = Threshold(acceptor_names(n), k)
    assert t.is_safe
    assert not _brute_force_disjoint_pair_exists(t)


# -- grid ------------------------------------------------------------------------


def _grid(r: int, c: int) -> Grid:
    return Grid([[f"a{i}{j}" for j in range(c)] for i in range(r)])


@pytest.mark.parametrize(("r", "c"), [(r, c) for r in range(1, 5) for c in range(1, 5)])
def test_grid_quorums_always_intersect(r: int, c: int) -> None:
    g = _grid(r, c)
    assert g.intersection_witness() is None
    if r * c <= 9:
        assert not _brute_force_disjoint_pair_exists(g)
    # a minimal quorum is one row plus one column: r + c - 1 acceptors
    assert {len(q) for q in g.minimal_quorums()} == {r + c - 1}
    # one per (row, column) pair; a single row or column makes them all coincide
    assert len(g.minimal_quorums()) == (r * c if r > 1 and c > 1 else 1)


def test_grid_needs_a_full_row_and_a_full_column() -> None:
    g = Grid([["a", "b"], ["c", "d"]])
    assert g.is_quorum({"a", "b", "c"})  # row 0 + column 0
    assert not g.is_quorum({"a", "b"})  # a row, no column
    assert not g.is_quorum({"a", "c"})  # a column, no row
    assert not g.is_quorum({"a", "d"})
    assert g.columns == (("a", "c"), ("b", "d"))
    assert g.describe() == "grid 2x2 (a full row + a full column)"


# -- flexible --------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 7))
def test_flexible_is_safe_iff_q1_plus_q2_exceeds_n(n: int) -> None:
    names = acceptor_names(n)
    for q1 in range(1, n + 1):
        for q2 in range(1, n + 1):
            f = Flexible(names, q1, q2)
            assert f.is_safe == (q1 + q2 > n), (n, q1, q2)
            assert f.is_safe == (not _brute_force_disjoint_pair_exists(f)), (n, q1, q2)
            w = f.intersection_witness()
            if w is not None:
                a, b = w
                assert not a & b and len(a) == q1 and len(b) == q2


def test_flexible_may_have_disjoint_phase2_quorums_and_still_be_safe() -> None:
    f = Flexible(acceptor_names(4), q1=3, q2=2)
    assert f.is_safe
    assert f.is_phase2_quorum({"a1", "a2"}) and f.is_phase2_quorum({"a3", "a4"})
    assert not f.is_phase1_quorum({"a1", "a2"})
    assert not f.is_quorum({"a1", "a2"})  # is_quorum needs both phases
    assert f.is_quorum({"a1", "a2", "a3"})


# -- minimal and explicit ----------------------------------------------------------


def test_minimal_quorums_of_majority_are_the_smallest_majorities() -> None:
    m = Majority(acceptor_names(5))
    mins = m.minimal_quorums()
    assert len(mins) == 10  # C(5, 3)
    assert all(len(q) == 3 for q in mins)
    assert m.minimal_quorums(2) == mins


def test_minimal_quorums_drop_supersets_and_sort_by_size() -> None:
    e = Explicit(("a", "b", "c", "d"), (frozenset("abc"), frozenset("ab"), frozenset("bcd")))
    mins = e.minimal_quorums()
    assert set(mins) == {frozenset("ab"), frozenset("bcd")}
    assert [len(q) for q in mins] == sorted(len(q) for q in mins)


def test_explicit_supersets_are_quorums_and_disjoint_family_is_unsafe() -> None:
    e = Explicit(("a", "b", "c", "d"), (frozenset("ab"), frozenset("cd")))
    assert e.is_quorum({"a", "b", "c"})
    assert not e.is_quorum({"a", "c"})
    assert e.intersection_witness() == (frozenset("ab"), frozenset("cd"))
    safe = Explicit(("a", "b", "c"), (frozenset("ab"), frozenset("bc")))
    assert safe.is_safe
    assert safe.describe() == "quorums {a,b}, {b,c}"


def test_minimal_quorums_rejects_unknown_phase() -> None:
    with pytest.raises(ValueError, match="phase must be 1 or 2, got 3"):
        Majority(acceptor_names(3)).minimal_quorums(3)


# -- graph -----------------------------------------------------------------------


def test_graph_is_bipartite_acceptors_and_minimal_quorums() -> None:
    nx = pytest.importorskip("networkx")
    m = Majority(acceptor_names(3))
    g = m.graph()
    acceptors = [n for n, d in g.nodes(data=True) if d["kind"] == "acceptor"]
    quorums = [n for n, d in g.nodes(data=True) if d["kind"] == "quorum"]
    assert acceptors == ["a1", "a2", "a3"]
    assert quorums == ["Q1", "Q2", "Q3"]
    assert g.number_of_edges() == 6  # three quorums of two
    assert nx.is_bipartite(g)
    for q in quorums:
        members = g.nodes[q]["members"]
        assert set(g.neighbors(q)) == set(members)
        assert len(members) == 2
    assert all(d["bipartite"] == 0 for n, d in g.nodes(data=True) if n in acceptors)


def test_flexible_graph_follows_the_phase() -> None:
    pytest.importorskip("networkx")
    f = Flexible(acceptor_names(4), q1=3, q2=2)
    assert f.graph(1).number_of_nodes() == 4 + 4  # C(4,3)
    assert f.graph(2).number_of_nodes() == 4 + 6  # C(4,2)


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: Majority([]), rf"acceptors must name 1..{MAX_ACCEPTORS} acceptors, got 0"),
        (lambda: Majority((*acceptor_names(3), "a1")), "acceptors must be distinct"),
        (lambda: Majority(["a", ""]), "acceptor names must be non-empty strings"),
        (lambda: Majority([f"x{i}" for i in range(MAX_ACCEPTORS + 1)]), "acceptors must name"),
        (lambda: Threshold(acceptor_names(3), 0), r"k \(quorum size\) must be in 1..3, got 0"),
        (lambda: Threshold(acceptor_names(3), 4), r"k \(quorum size\) must be in 1..3, got 4"),
        (lambda: Flexible(acceptor_names(3), 0, 2), "q1 must be in 1..3, got 0"),
        (lambda: Flexible(acceptor_names(3), 2, 5), "q2 must be in 1..3, got 5"),
        (lambda: Explicit(("a", "b"), ()), "quorums must list at least one quorum"),
        (lambda: Explicit(("a", "b"), (frozenset(),)), "quorums must not contain the empty set"),
        (lambda: Explicit(("a", "b"), (frozenset("az"),)), r"members must be acceptors.*'z'"),
        (lambda: Grid([]), "rows must be a non-empty grid"),
        (lambda: Grid([["a", "b"], ["c"]]), r"rows must all have the same length \(2\)"),
        (lambda: acceptor_names(0), rf"acceptors must be in 1..{MAX_ACCEPTORS}, got 0"),
    ],
)
def test_bad_quorum_input_raises_naming_the_parameter(make, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        make()


def test_membership_of_unknown_acceptor_raises() -> None:
    with pytest.raises(ValueError, match=r"members must be acceptors of this system.*\['zz'\]"):
        Majority(acceptor_names(3)).is_quorum({"a1", "zz"})


def test_names_text_prints_a_set_of_names_in_numeric_order() -> None:
    assert names_text({"a10", "a2", "a1"}) == "{a1, a2, a10}"
    assert names_text(["p2", "a3", "p1", "a"]) == "{a, a3, p1, p2}"
    assert names_text(()) == "{}"
