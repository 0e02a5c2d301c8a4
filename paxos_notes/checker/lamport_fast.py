"""The ``lamport`` model, fast: the same state space with states packed into integers.

`paxos_notes.checker.lamport_spec` is the readable mirror of Lamport's
``Paxos.tla`` (its variables, actions, the invariant, and what TLC's counts
mean) and ``check_lamport_naive``, a search written for reading. This module
explores exactly the same states, with the same counts, fast enough for the
configurations of the README and notebook 09; a counterexample is turned back
into the spec's actions (`lamport_spec.describe_action`) by replaying it there.

The encoding
------------
``check_lamport`` encodes a state as a single ``int``:

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
work.) The invariant is re-checked only in states reached by a vote, the one
action that can change which values are chosen.

Symmetry
--------
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
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .lamport_spec import (
    NO_BALLOT,
    Constants,
    LamportResult,
    Message,
    SpecState,
    check_range,
    describe_action,
    next_actions,
    peak_rss_mb,
    validate,
)

__all__ = ["ProgressCallback", "check_lamport"]

#: ``progress(distinct_states, depth, queue, elapsed_seconds)``
ProgressCallback = Callable[[int, int, int, float], None]



class _Encoding:
    """Bit layout of a state, conversions, and the memo entries of the fast search."""

    def __init__(self, c: Constants) -> None:
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
    q = validate(acceptors, values, max_ballot, quorum_size)
    if max_states is not None:
        check_range("max_states", max_states, 1, 1 << 62)
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number, got {max_seconds!r}")
    check_range("progress_every", progress_every, 1, 1 << 62)
    c = Constants(acceptors, values, max_ballot, q)
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
        peak_memory_mb=peak_rss_mb(),
        violation=violation >= 0,
        counterexample=trace,
        complete=not stopped,
        implementation="fast",
    )


def _replay(
    c: Constants, enc: _Encoding, path: list[int], canon: Callable[[int], int] | None
) -> tuple[str, ...]:
    """Turn a path of (canonical) encodings into the spec's action labels.

    With symmetry the path's states are representatives, not one execution, so
    walk an actual execution: from each actual state take the spec action whose
    successor has the next representative's canonical form.
    """
    state = enc.decode(path[0])
    labels: list[str] = []
    for target in path[1:]:
        for action, succ in next_actions(c, state):
            x = enc.encode(succ)
            if (canon(x) if canon is not None else x) == target:
                labels.append(describe_action(action))
                state = succ
                break
        else:  # pragma: no cover - would mean the fast tables disagree with the spec
            raise AssertionError("counterexample step not reproducible by the spec's actions")
    return tuple(labels)
