"""Quorum systems (§2.2 of *Paxos Made Simple*).

The paper chooses a value once "a large enough set" of acceptors has accepted
it, and takes majorities:

> "Because any two majorities have at least one acceptor in common"

and notes that any "obvious generalization of a majority" works. What the proof
needs is exactly one property: every quorum a proposer gathers promises from
(phase 1) shares an acceptor with every quorum that can choose a value
(phase 2). This module describes quorum systems by membership tests and can
search for a witness that the property fails: two quorums with nobody in
common.

Systems provided: `Majority` (the paper), `Threshold` (any *k* of *n*),
`Explicit` (a listed family), `Grid` (a full row plus a full column), and
`Flexible` (separate phase-1 and phase-2 sizes, after Howard, Malkhi and
Spiegelman's Flexible Paxos, 2016).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported lazily: the core must stay light
    import networkx as nx

MAX_ACCEPTORS = 16


def acceptor_names(n: int) -> tuple[str, ...]:
    """The conventional names ``a1 .. an``."""
    if not 1 <= n <= MAX_ACCEPTORS:
        raise ValueError(f"acceptors must be in 1..{MAX_ACCEPTORS}, got {n}")
    return tuple(f"a{i}" for i in range(1, n + 1))


def names_text(names: Iterable[str]) -> str:
    """A set of agent names the way the notebooks print it: ``{a1, a2, a10}``, in
    numeric order (not ``a1, a10, a2``), so that a printed quorum reads like the
    paper's sets."""
    return "{" + ", ".join(sorted(names, key=_natural_order)) + "}"


def _natural_order(name: str) -> tuple[str, int, str]:
    stem = name.rstrip("0123456789")
    digits = name[len(stem):]
    return stem, int(digits) if digits else -1, name


def _check_acceptors(acceptors: Sequence[str]) -> tuple[str, ...]:
    names = tuple(acceptors)
    if not 1 <= len(names) <= MAX_ACCEPTORS:
        raise ValueError(f"acceptors must name 1..{MAX_ACCEPTORS} acceptors, got {len(names)}")
    if len(set(names)) != len(names):
        raise ValueError(f"acceptors must be distinct, got {names}")
    for a in names:
        if not isinstance(a, str) or not a:
            raise ValueError(f"acceptor names must be non-empty strings, got {a!r}")
    return names


@dataclass(frozen=True)
class QuorumSystem:
    """A family of phase-1 and phase-2 quorums over named acceptors.

    Subclasses decide membership with `_is_q1` / `_is_q2` on a set of names.
    For every system but `Flexible` the two families are the same.
    """

    acceptors: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "acceptors", _check_acceptors(self.acceptors))

    # -- membership -------------------------------------------------------
    def _is_q1(self, members: frozenset[str]) -> bool:
        raise NotImplementedError

    def _is_q2(self, members: frozenset[str]) -> bool:
        return self._is_q1(members)

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(self.acceptors)

    def _members(self, members: Iterable[str]) -> frozenset[str]:
        s = frozenset(members)
        if s <= self._names:
            return s
        unknown = s - self._names
        if unknown:
            raise ValueError(
                f"members must be acceptors of this system {self.acceptors}, "
                f"got unknown {sorted(unknown)}"
            )
        return s

    def is_phase1_quorum(self, members: Iterable[str]) -> bool:
        """May a proposer go on to phase 2 with promises from ``members``?"""
        return self._is_q1(self._members(members))

    def is_phase2_quorum(self, members: Iterable[str]) -> bool:
        """Is a proposal chosen once ``members`` have all accepted it?"""
        return self._is_q2(self._members(members))

    def is_quorum(self, members: Iterable[str]) -> bool:
        """A quorum for both phases (the paper's single notion)."""
        s = self._members(members)
        return self._is_q1(s) and self._is_q2(s)

    # -- enumeration ------------------------------------------------------
    def _all_subsets(self) -> Iterable[frozenset[str]]:
        for k in range(len(self.acceptors) + 1):
            for combo in combinations(self.acceptors, k):
                yield frozenset(combo)

    def _minimal(self, test) -> tuple[frozenset[str], ...]:
        found: list[frozenset[str]] = []
        for s in self._all_subsets():  # by size, so supersets come later
            if test(s) and not any(m <= s for m in found):
                found.append(s)
        return tuple(found)

    @cached_property
    def _minimal_q1(self) -> tuple[frozenset[str], ...]:
        return self._minimal(self._is_q1)

    @cached_property
    def _minimal_q2(self) -> tuple[frozenset[str], ...]:
        return self._minimal(self._is_q2)

    def minimal_quorums(self, phase: int = 1) -> tuple[frozenset[str], ...]:
        """Quorums none of whose proper subsets is a quorum, smallest first."""
        if phase not in (1, 2):
            raise ValueError(f"phase must be 1 or 2, got {phase}")
        return self._minimal_q1 if phase == 1 else self._minimal_q2

    def intersection_witness(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """Two quorums with no acceptor in common, or ``None`` if there are none.

        The pair is (phase-1 quorum, phase-2 quorum): a proposer that gathers
        promises from the first can miss a value chosen by the second. For the
        paper's single family that is simply two disjoint quorums.
        """
        for q1 in self.minimal_quorums(1):
            for q2 in self.minimal_quorums(2):
                if not q1 & q2:
                    return q1, q2
        return None

    @property
    def is_safe(self) -> bool:
        """Every phase-1 quorum meets every phase-2 quorum."""
        return self.intersection_witness() is None

    def graph(self, phase: int = 1) -> nx.Graph:
        """A bipartite networkx graph: acceptors on one side, minimal quorums on the other."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(self.acceptors, bipartite=0, kind="acceptor")
        for i, q in enumerate(self.minimal_quorums(phase)):
            node = f"Q{i + 1}"
            g.add_node(node, bipartite=1, kind="quorum", members=tuple(sorted(q)))
            g.add_edges_from((node, a) for a in sorted(q))
        return g

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Threshold(QuorumSystem):
    """Any ``k`` of the ``n`` acceptors."""

    k: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        n = len(self.acceptors)
        if not 1 <= self.k <= n:
            raise ValueError(f"k (quorum size) must be in 1..{n}, got {self.k}")

    def _is_q1(self, members: frozenset[str]) -> bool:
        return len(members) >= self.k

    def describe(self) -> str:
        return f"any {self.k} of {len(self.acceptors)}"


class Majority(Threshold):
    """The paper's choice: more than half of the acceptors."""

    def __init__(self, acceptors: Sequence[str]) -> None:
        names = _check_acceptors(acceptors)
        super().__init__(names, len(names) // 2 + 1)

    def describe(self) -> str:
        return f"majority ({self.k} of {len(self.acceptors)})"

    def __repr__(self) -> str:
        return f"Majority({self.acceptors!r})"


@dataclass(frozen=True)
class Explicit(QuorumSystem):
    """A listed family of quorums (and every superset of one of them)."""

    quorums: tuple[frozenset[str], ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        qs = tuple(frozenset(q) for q in self.quorums)
        if not qs:
            raise ValueError("quorums must list at least one quorum")
        for q in qs:
            if not q:
                raise ValueError("quorums must not contain the empty set")
            self._members(q)
        object.__setattr__(self, "quorums", qs)

    def _is_q1(self, members: frozenset[str]) -> bool:
        return any(q <= members for q in self.quorums)

    def describe(self) -> str:
        return "quorums " + ", ".join("{" + ",".join(sorted(q)) + "}" for q in self.quorums)


@dataclass(frozen=True)
class Grid(QuorumSystem):
    """Acceptors in a grid; a quorum is a full row plus a full column.

    Any two such quorums meet where one's row crosses the other's column, and a
    quorum has only ``r + c - 1`` members. Give ``rows`` as a tuple of tuples.
    """

    rows: tuple[tuple[str, ...], ...] = ()

    def __init__(self, rows: Sequence[Sequence[str]]) -> None:
        grid = tuple(tuple(r) for r in rows)
        if not grid or not grid[0]:
            raise ValueError("rows must be a non-empty grid of acceptor names")
        width = len(grid[0])
        if any(len(r) != width for r in grid):
            raise ValueError(f"rows must all have the same length ({width})")
        object.__setattr__(self, "rows", grid)
        super().__init__(tuple(a for r in grid for a in r))

    @property
    def columns(self) -> tuple[tuple[str, ...], ...]:
        return tuple(zip(*self.rows, strict=True))

    def _is_q1(self, members: frozenset[str]) -> bool:
        return any(set(r) <= members for r in self.rows) and any(
            set(c) <= members for c in self.columns
        )

    def describe(self) -> str:
        return f"grid {len(self.rows)}x{len(self.columns)} (a full row + a full column)"


@dataclass(frozen=True)
class Flexible(QuorumSystem):
    """Phase-1 quorums of size ``q1`` and phase-2 quorums of size ``q2``.

    Safe exactly when ``q1 + q2 > n`` (pigeonhole), even though two phase-2
    quorums may then be disjoint.
    """

    q1: int = 1
    q2: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        n = len(self.acceptors)
        for name, size in (("q1", self.q1), ("q2", self.q2)):
            if not 1 <= size <= n:
                raise ValueError(f"{name} must be in 1..{n}, got {size}")

    def _is_q1(self, members: frozenset[str]) -> bool:
        return len(members) >= self.q1

    def _is_q2(self, members: frozenset[str]) -> bool:
        return len(members) >= self.q2

    def describe(self) -> str:
        return f"flexible: phase 1 any {self.q1}, phase 2 any {self.q2} of {len(self.acceptors)}"


# -- as plain data, for a trace's header ---------------------------------------------------

QUORUM_KINDS = ("majority", "threshold", "explicit", "grid", "flexible")
#: Most quorums (or grid rows) a header may list: a learner tests them all for
#: every acceptance it hears, so a hostile list must not make loading crawl.
MAX_LISTED = 256


def to_spec(q: QuorumSystem) -> dict[str, Any]:
    """``q`` as plain JSON data that `from_spec` builds again: what a trace's
    header records, so that loading can run the same quorum system."""
    if isinstance(q, Majority):
        return {"kind": "majority"}
    if isinstance(q, Threshold):
        return {"kind": "threshold", "k": q.k}
    if isinstance(q, Flexible):
        return {"kind": "flexible", "q1": q.q1, "q2": q.q2}
    if isinstance(q, Grid):
        return {"kind": "grid", "rows": [list(r) for r in q.rows]}
    if isinstance(q, Explicit):
        return {"kind": "explicit", "quorums": [sorted(x) for x in q.quorums]}
    # any other system: its minimal quorums, when both phases use the same ones
    if q.minimal_quorums(1) != q.minimal_quorums(2):
        raise ValueError(f"quorums must be a system with one family, or Flexible, "
                         f"got {type(q).__name__}")
    return {"kind": "explicit", "quorums": [sorted(x) for x in q.minimal_quorums(2)]}


def from_spec(acceptors: Sequence[str], spec: Any) -> QuorumSystem:
    """The quorum system `to_spec` described, over ``acceptors``; ValueError if
    ``spec`` is not one (sizes, names and kinds are all checked)."""
    if not isinstance(spec, dict) or spec.get("kind") not in QUORUM_KINDS:
        raise ValueError(f"quorum_system must be an object whose kind is one of {QUORUM_KINDS}")
    kind = spec["kind"]

    def whole(key: str) -> int:
        v = spec.get(key)
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError(f"quorum_system {key} must be an integer")
        return v

    def names(v: Any, key: str) -> list[list[str]]:
        if not isinstance(v, list) or not 1 <= len(v) <= MAX_LISTED or not all(
                isinstance(x, list) and all(isinstance(a, str) for a in x) for x in v):
            raise ValueError(f"quorum_system {key} must be a list of 1..{MAX_LISTED} lists of "
                             f"acceptor names")
        return v

    if kind == "majority":
        return Majority(acceptors)
    if kind == "threshold":
        return Threshold(tuple(acceptors), whole("k"))
    if kind == "flexible":
        return Flexible(tuple(acceptors), whole("q1"), whole("q2"))
    if kind == "grid":
        return Grid(names(spec.get("rows"), "rows"))  # the cluster checks its acceptors
    return Explicit(tuple(acceptors), tuple(frozenset(x) for x in names(spec.get("quorums"),
                                                                            "quorums")))
