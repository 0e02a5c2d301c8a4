"""What a server keeps per instance, in a map that changes without being copied (§3).

§3 runs "a sequence of separate instances of the Paxos consensus algorithm",
and the sequence never ends: a server keeps something for every instance it
has touched (the acceptor's storage, the command it knows chosen). A `Server`
is a frozen value, so each change makes a new map; copying a dict of the whole
log on every accept would make every message cost the length of the log, and a
run the square of its length.

`InstanceMap` is a persistent map instead: a tree of 32-slot nodes indexed by
the bits of the instance number. `InstanceMap.set` copies only the nodes on the
path to one instance (a few dozen slots, however long the log) and shares every
other node with the map it came from, which stays as it was. It reads like a
read-only dict, in instance order, and answers the questions a server asks of
its log without visiting the instances they are not about:

- `InstanceMap.from_instance`: the instances from one on (a ``Prepare`` covers
  every instance from ``above`` on);
- `InstanceMap.highest`: the last instance (where a new leader's phase 1 starts);
- `InstanceMap.added_since`: what a map has that an earlier version of it
  lacked (what a server just learned), walking only the nodes they do not share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import compress
from operator import is_not
from typing import Any, Generic, TypeVar

V = TypeVar("V")

BITS = 5
WIDTH = 1 << BITS  # slots per node
MASK = WIDTH - 1
_SLOTS = range(WIDTH)
_EMPTY: Any = object()  # a leaf slot holding no value (None is a value like any other)

# A node is a tuple of WIDTH slots: values (or _EMPTY) in a leaf, nodes (or
# None) above. A node with nothing under it is never kept: it becomes None.
Node = tuple[Any, ...]
_NO_NODES: Node = (None,) * WIDTH  # an inner node, or a leaf, with nothing under it
_NO_VALUES: Node = (_EMPTY,) * WIDTH


class InstanceMap(Mapping[int, V], Generic[V]):
    """A persistent map from instance numbers (integers ≥ 0) to values.

    ``InstanceMap({1: "a"})`` or ``InstanceMap()``; `set`, `set_all` and
    `remove` return a new map and leave this one unchanged.
    """

    __slots__ = ("_len", "_levels", "_root")

    def __init__(self, items: Mapping[int, V] | Iterable[tuple[int, V]] = ()) -> None:
        self._root: Node | None = None
        self._levels = 1  # the tree holds instances below WIDTH ** levels
        self._len = 0
        filled = self.set_all(items.items() if isinstance(items, Mapping) else items)
        self._root, self._levels, self._len = filled._root, filled._levels, filled._len

    @classmethod
    def _make(cls, root: Node | None, levels: int, length: int) -> InstanceMap[V]:
        new = object.__new__(cls)
        new._root, new._levels, new._len = root, levels, length
        return new

    # -- reading, like a dict ---------------------------------------------------
    def _find(self, instance: object) -> Any:
        # Every lookup of a server's log comes here (a million times in a long
        # run): the usual heights are walked without a loop.
        if type(instance) is not int:  # bool, or an int subclass: as the int it is
            if not isinstance(instance, int):
                return _EMPTY
            instance = int(instance)
        levels, node = self._levels, self._root
        if instance < 0 or instance >> (BITS * levels) or node is None:
            return _EMPTY
        if levels == 1:
            return node[instance & MASK]
        if levels == 2:
            node = node[instance >> BITS]
            return _EMPTY if node is None else node[instance & MASK]
        if levels == 3:
            node = node[instance >> (2 * BITS)]
            if node is None:
                return _EMPTY
            node = node[(instance >> BITS) & MASK]
            return _EMPTY if node is None else node[instance & MASK]
        for shift in _shifts(levels):
            if node is None:
                return _EMPTY
            node = node[(instance >> shift) & MASK]
        return node

    def __getitem__(self, instance: int) -> V:
        value = self._find(instance)
        if value is _EMPTY:
            raise KeyError(instance)
        return value  # type: ignore[no-any-return]

    def __contains__(self, instance: object) -> bool:
        return self._find(instance) is not _EMPTY

    def get(self, instance: int, default: Any = None) -> Any:
        value = self._find(instance)
        return default if value is _EMPTY else value

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        return self.from_instance(0)

    def __repr__(self) -> str:
        return f"InstanceMap({dict(self.items())!r})"

    def from_instance(self, first: int) -> Iterator[int]:
        """The instances in the map from ``first`` on, in order; those below
        ``first`` are not visited."""
        return (i for i, _ in _walk(self._root, BITS * (self._levels - 1), 0, max(first, 0)))

    def highest(self, default: int = 0) -> int:
        """The highest instance in the map (``default`` if it is empty)."""
        node, shift, instance = self._root, BITS * (self._levels - 1), 0
        if node is None:
            return default
        while True:
            empty = None if shift else _EMPTY
            slot = next(j for j in range(MASK, -1, -1) if node[j] is not empty)
            instance += slot << shift
            if not shift:
                return instance
            node, shift = node[slot], shift - BITS

    def added_since(self, earlier: InstanceMap[V]) -> list[int]:
        """The instances in this map that ``earlier`` lacks, in order. Fast when
        this map was made from ``earlier`` by a few `set` calls: the nodes they
        share are skipped."""
        levels = max(self._levels, earlier._levels)
        mine = _grown(self._root, self._levels, levels)
        theirs = _grown(earlier._root, earlier._levels, levels)
        added: list[int] = []
        _added(mine, theirs, BITS * (levels - 1), 0, added)
        return added

    # -- changing: a new map ------------------------------------------------------
    def set(self, instance: int, value: V) -> InstanceMap[V]:
        """This map with ``instance`` mapped to ``value``."""
        if isinstance(instance, bool) or not isinstance(instance, int) or instance < 0:
            raise ValueError(f"instance must be an integer >= 0, got {instance!r}")
        levels = self._levels
        while instance >> (BITS * levels):
            levels += 1
        root = _grown(self._root, self._levels, levels)
        root, added = _put(root, BITS * (levels - 1), instance, value)
        return self._make(root, levels, self._len + added)

    def set_all(self, items: Iterable[tuple[int, V]]) -> InstanceMap[V]:
        """This map with every ``(instance, value)`` of ``items`` set, in order."""
        new = self
        for instance, value in items:
            new = new.set(instance, value)
        return new

    def remove(self, instance: int) -> InstanceMap[V]:
        """This map without ``instance`` (the same map if it has none)."""
        if instance not in self:
            return self
        root = _drop(self._root, BITS * (self._levels - 1), instance)  # type: ignore[arg-type]
        return self._make(root, self._levels, self._len - 1)


_SHIFTS = [tuple(range(BITS * (levels - 1), -1, -BITS)) for levels in range(16)]


def _shifts(levels: int) -> tuple[int, ...] | range:
    """The bit shifts from the root down to a leaf of a tree of ``levels`` levels
    (made once for the usual heights: every lookup walks them)."""
    if levels < len(_SHIFTS):
        return _SHIFTS[levels]
    return range(BITS * (levels - 1), -1, -BITS)


def _grown(root: Node | None, levels: int, to: int) -> Node | None:
    """``root`` as the first child of new roots, up to ``to`` levels: the same
    instances, in a tree that can hold higher ones (sharing ``root`` itself)."""
    for _ in range(levels, to):
        if root is not None:
            root = (root, *(None,) * MASK)
    return root


def _put(node: Node | None, shift: int, instance: int, value: Any) -> tuple[Node, int]:
    """``node`` with ``instance`` set, copying the path to it; and 1 if it is new."""
    slot = (instance >> shift) & MASK
    if not shift:
        slots = list(node) if node is not None else [_EMPTY] * WIDTH
        added = int(slots[slot] is _EMPTY)
        slots[slot] = value
        return tuple(slots), added
    slots = list(node) if node is not None else [None] * WIDTH
    slots[slot], added = _put(slots[slot], shift - BITS, instance, value)
    return tuple(slots), added


def _drop(node: Node, shift: int, instance: int) -> Node | None:
    """``node`` without ``instance`` (which it has); None if nothing is left."""
    slot = (instance >> shift) & MASK
    slots = list(node)
    empty = None if shift else _EMPTY
    slots[slot] = _drop(node[slot], shift - BITS, instance) if shift else _EMPTY
    return None if all(x is empty for x in slots) else tuple(slots)


def _walk(node: Node | None, shift: int, base: int, first: int) -> Iterator[tuple[int, Any]]:
    """``(instance, value)`` under ``node`` (whose instances start at ``base``)
    from ``first`` on, in order."""
    if node is None:
        return
    start = (first - base) >> shift if first > base else 0
    for slot in range(start, WIDTH):
        x, instance = node[slot], base + (slot << shift)
        if not shift:
            if x is not _EMPTY:
                yield instance, x
        elif x is not None:
            yield from _walk(x, shift - BITS, instance, first)


def _added(mine: Node | None, theirs: Node | None, shift: int, base: int,
           added: list[int]) -> None:
    """Append to ``added`` the instances under ``mine`` and not under ``theirs``,
    in order; shared nodes are skipped."""
    if mine is None or mine is theirs:
        return
    if theirs is None:
        theirs = _NO_NODES if shift else _NO_VALUES
    # The slots that differ, found without a Python loop over all 32 (this runs
    # after every step in which a server learns): shared or both empty are skipped.
    for slot in compress(_SLOTS, map(is_not, mine, theirs)):
        if shift:
            _added(mine[slot], theirs[slot], shift - BITS, base + (slot << shift), added)
        elif theirs[slot] is _EMPTY:
            added.append(base + slot)
