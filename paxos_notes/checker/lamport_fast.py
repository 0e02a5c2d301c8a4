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
work.) The memo entries are computed by the spec's own actions
(`lamport_spec.Paxos`) run on the part of the state in the key, so a mutation of
an action (`lamport_mutations`) changes both explorers alike.

The checks
----------
"At most one value chosen" is re-checked only in states reached by a vote, the
one action that can change which values are chosen. ``TypeOK`` and ``Inv`` are
evaluated by parts (`_StateChecks`): each part of a state (an acceptor with its
messages, a ballot's 2a message with what shows it safe, the 1a/2a messages) is
checked once by the spec's conjunct functions and memoised, and a new state is
checked only on the parts its step changed. A state outside ``TypeOK`` has no
encoding at all (the bits stand for typed messages and local states only), so
TypeOK is true of every state the search holds, and is evaluated on every
distinct part regardless. The refinement of Voting: a Phase1a or Phase2a step
changes neither ``votes`` nor ``maxBal`` (a stutter of Voting); whether a
Phase1b step is ``IncreaseMaxBal(a, b)`` depends on ``maxBal[a]`` only, so it is
decided in the memo entry; a vote's ``VoteFor(a, b, v)`` conditions are masks
tested per step (its last, ``ShowsSafeAt(Q, b, v)`` for some quorum ``Q``, follows
from Inv's ``Msg2aShowsSafe``, already checked in the state before, once the
``2a(b, v)`` message is there: the spec's own argument, in its comment on
Phase2a), and any doubtful step is judged by `lamport_spec.voting_step`, which
names the false conjunct. The readable checker evaluates every condition
directly, and the tests compare the two on every mutation.

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
verdict cannot change. That holds for every check too: ``TypeOK``, ``Inv``, the
refinement and "at most one chosen" mention no particular acceptor or value, so
a state (a step) passes exactly when its renamings do (a property test says so);
the checks run on the successor before it is renamed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .lamport_spec import (
    INV,
    NO_BALLOT,
    PAXOS,
    TYPE_OK,
    Constants,
    LamportResult,
    Message,
    Paxos,
    SpecState,
    check_range,
    checked,
    peak_rss_mb,
    replay_keys,
    validate,
    violated_conjunct,
    voting_step,
)

#: Every conjunct of TypeOK and Inv, by name.
CONJUNCTS = {**TYPE_OK, **INV}

#: (generated count, moves sending no vote, vote moves, moves that are no Voting step)
AcceptorEntry = tuple[
    int, tuple[tuple[int, int], ...], tuple[tuple[int, int, int, int, int, int], ...],
    tuple[tuple[int, int], ...],
]

__all__ = ["ProgressCallback", "check_lamport"]

#: ``progress(distinct_states, depth, queue, elapsed_seconds)``
ProgressCallback = Callable[[int, int, int, float], None]



class _Encoding:
    """Bit layout of a state, conversions, and the memo entries of the fast search."""

    def __init__(self, c: Constants, complete: bool = False) -> None:
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
        # With ``complete`` (for a mutated spec), every local state TypeOK allows.
        self.local_states: list[tuple[int, int, int | None]] = [(NO_BALLOT, NO_BALLOT, None)]
        if complete:
            self.local_states += [
                (mb, vb, v)
                for mb in [NO_BALLOT, *ballots]
                for vb in [NO_BALLOT, *ballots]
                for v in [None, *range(k)]
                if (mb, vb, v) != (NO_BALLOT, NO_BALLOT, None)
            ]
        else:
            for mb in ballots:
                self.local_states.append((mb, NO_BALLOT, None))
                for vb in range(mb + 1):
                    for v in range(k):
                        self.local_states.append((mb, vb, v))
        self.local_index = {ls: i for i, ls in enumerate(self.local_states)}
        self.code_bits = max(1, (len(self.local_states) - 1).bit_length())

        # Offsets inside an acceptor block: [state index][1b messages][2b messages].
        # A 1b for ballot b reports a vote from a lower ballot, or none (with
        # ``complete``: any mbal and mval that TypeOK allows).
        offset = self.code_bits
        self.block_1b: dict[tuple[int, int, int | None], int] = {}
        for b in ballots:
            if complete:
                reports = [(vb, v) for vb in [NO_BALLOT, *ballots] for v in [None, *range(k)]]
            else:
                reports = [(NO_BALLOT, None)] + [(vb, v) for vb in range(b) for v in range(k)]
            for vb, v in reports:
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

    def _diff(self, s: SpecState, succ: SpecState, a: int | None) -> tuple[int, int]:
        """(bits of the messages sent, XOR of acceptor ``a``'s state index)."""
        sent = 0
        for m in succ.msgs - s.msgs:
            sent |= 1 << self._message_bit(m)
        if a is None:
            return sent, 0
        old = self.local_index[(s.max_bal[a], s.max_vbal[a], s.max_val[a])]
        new = self.local_index[(succ.max_bal[a], succ.max_vbal[a], succ.max_val[a])]
        return sent, (old ^ new) << self.base[a]

    def acceptor_moves(self, spec: Paxos, a: int, key: int) -> AcceptorEntry:
        """Phase1b(a) and Phase2b(a) from the 1a/2a bits and ``a``'s state index.

        Runs the spec's own actions on that part of the state (`_Encoding.decode`
        of the key: the other acceptors' variables are left initial, and no
        action of ``a`` reads them). Returns (generated count, moves that send
        no vote, moves that vote, those of the first that are no Voting step).
        A move is
        (bits sent, XOR of ``a``'s state index); a vote move adds the 2b's
        (ballot, value) and the mask of votes that would make it no ``VoteFor``.
        Whether a move that sends no vote is ``IncreaseMaxBal(a, b)`` or a
        stutter of Voting depends only on ``maxBal[a]``, which is in the key, so
        it is decided here; a vote's ``VoteFor`` conditions are checked per step.
        """
        c = self.c
        s = self.decode(key)
        count = 0
        moves: list[tuple[int, int]] = []
        votes: list[tuple[int, int, int, int, int, int]] = []
        bad: list[tuple[int, int]] = []
        for action, succ in (*spec.Phase1b(c, s, a), *spec.Phase2b(c, s, a)):
            count += 1
            sent, flip = self._diff(s, succ, a)
            if action[0] == "Phase2b":
                _, _, b, v = action
                # VoteFor(a, b, v)'s conditions but the first, as masks: no vote
                # of a in ballot b (its own 2b bit included: re-sending it is a
                # stutter, told apart per step), no other acceptor's vote in b
                # for another value; and the 2a(b, v) message must be there.
                clash = 0
                for (bb, w), off in self.block_2b.items():
                    if bb == b:
                        for other in range(c.acceptors):
                            if other == a or w != v:
                                clash |= 1 << (self.base[other] + off)
                if not s.max_bal[a] <= b:  # VoteFor's maxBal[a] =< b: in the key
                    clash = -1  # every state clashes: the step goes to the spec's check
                need = 1 << self.two_a[(b, v)]
                votes.append((sent, flip, clash, need, b, v))
            else:
                moves.append((sent, flip))
                if not voting_step(c, s, succ).ok:
                    bad.append((sent, flip))  # also a move: "safety" explores it
        return count, tuple(moves), tuple(votes), tuple(bad)

    def phase2a_moves(self, spec: Paxos, b: int, key: int) -> tuple[int, tuple[int, ...]]:
        """Phase2a(b, v) for every v, by the spec's action on the 2a and 1b
        messages of ballot ``b``: (generated count, bits of the new 2a messages).

        A 2a message is no variable of Voting, so these steps are stutters of it.
        """
        c = self.c
        s = self.decode(key)
        count = 0
        bits: list[int] = []
        for v in range(c.values):
            for _action, succ in spec.Phase2a(c, s, b, v):
                count += 1
                sent, _ = self._diff(s, succ, None)
                if sent and sent not in bits:
                    bits.append(sent)
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


class _StateChecks:
    r"""``TypeOK``, ``Inv`` and the per-step part of the refinement, memoised by part.

    Every conjunct of ``TypeOK`` and ``Inv`` is a ``\A`` over acceptors or over
    messages, and each instance reads a small part of the state. So the state
    is cut into parts and the spec's conjunct functions (`lamport_spec`) are
    evaluated once per distinct part, on that part decoded alone:

    - acceptor ``a``: its variables, its 1b and 2b messages and every 2a
      message: TypeOK, and Inv's conjuncts about ``a`` and its messages;
    - ballot ``b``: the 2a messages of ``b``, every acceptor's ``maxBal`` and
      the votes in ballots below ``b``: ``Msg2aShowsSafe`` for ``b``'s 2a;
    - the 1a and 2a messages: TypeOK of those, ``Msg2aUnique``.

    A step changes few parts (a Phase1b/Phase2b of ``a`` changes ``a``'s part and
    what the ballots' parts read; a Phase2a changes the 2a messages), so a new
    state is checked on those only: its other parts are its parent's, which
    passed. When a part fails, the whole state is evaluated by
    `lamport_spec.violated_conjunct`, which names the first false conjunct in the
    spec's order, as the readable checker does.
    """

    ACCEPTOR_PART = ("TypeOK_maxBal", "TypeOK_maxVBal", "TypeOK_maxVal", "TypeOK_msgs",
                     "MaxBalCoversMaxVBal", "MaxVoteIsAVote", "Msg1bBelowMaxBal",
                     "Msg1bReportsAVote", "Msg2bBelowMaxVBal", "Msg2bHas2a")
    BALLOT_PART = ("Msg2aShowsSafe",)
    MESSAGE_PART = ("TypeOK_msgs", "Msg2aUnique")

    def __init__(self, enc: _Encoding) -> None:
        self.enc = enc
        c = enc.c
        two_a = 0
        for i in enc.two_a.values():
            two_a |= 1 << i
        codes = 0
        for m in enc.code_mask:
            codes |= m
        self.message_mask = enc.global_mask
        self.acceptor_masks = [two_a | enc.block_mask << enc.base[a] for a in range(c.acceptors)]
        # Per ballot: its 2a bits, and all that ShowsSafeAt(Q, b, v) reads.
        self.two_a_of = [sum(1 << enc.two_a[(b, v)] for v in range(c.values)) for b in c.ballots]
        self.safe_masks = []
        for b in c.ballots:
            mask = codes
            for (bb, _), off in enc.block_2b.items():
                if bb < b:
                    for a in range(c.acceptors):
                        mask |= 1 << (enc.base[a] + off)
            self.safe_masks.append(mask)
        self.ballot_masks = [m | t for m, t in zip(self.safe_masks, self.two_a_of, strict=True)]
        self.acceptor_memo: list[dict[int, bool]] = [{} for _ in range(c.acceptors)]
        self.ballot_memo: list[dict[int, bool]] = [{} for _ in c.ballots]
        self.message_memo: dict[int, bool] = {}

    def _holds(self, names: tuple[str, ...], key: int) -> bool:
        c, s = self.enc.c, self.enc.decode(key)
        return all(CONJUNCTS[name](c, s) for name in names)

    def acceptor_ok(self, t: int, a: int) -> bool:
        key = t & self.acceptor_masks[a]
        memo = self.acceptor_memo[a]
        ok = memo.get(key)
        if ok is None:
            ok = memo[key] = self._holds(self.ACCEPTOR_PART, key)
        return ok

    def ballots_ok(self, t: int) -> bool:
        for b, two_a in enumerate(self.two_a_of):
            if t & two_a:  # without a 2a message of b there is nothing to show safe
                key = t & self.ballot_masks[b]
                memo = self.ballot_memo[b]
                ok = memo.get(key)
                if ok is None:
                    ok = memo[key] = self._holds(self.BALLOT_PART, key)
                if not ok:
                    return False
        return True

    def messages_ok(self, t: int) -> bool:
        key = t & self.message_mask
        ok = self.message_memo.get(key)
        if ok is None:
            ok = self.message_memo[key] = self._holds(self.MESSAGE_PART, key)
        return ok


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
    invariants: str = "all",
    spec: Paxos = PAXOS,
    max_depth: int | None = None,
) -> LamportResult:
    """Explore every reachable state of Lamport's Paxos spec, breadth first.

    ``acceptors`` (1..7), ``values`` (1..4) and ``max_ballot`` (0..5) size the
    model; ``quorum_size`` (1..acceptors, default a bare majority) lets a test
    break the algorithm on purpose. ``symmetry`` reduces by renamings of
    acceptors and values. ``invariants="all"`` (the default) checks what TLC
    checks on the spec's models, and more: ``TypeOK`` and ``Inv`` in every
    state, every step a step of Voting under the refinement mapping
    (``V!Spec``), and "only a single value is chosen"; ``"safety"`` checks only
    the last. ``spec`` is `lamport_spec.PAXOS` or a mutation of it
    (`lamport_mutations`). ``progress(distinct, depth, queue, seconds)`` is
    called about every ``progress_every`` distinct states, and once at the end.
    ``max_states`` stops the search once at least that many distinct states are
    known, ``max_seconds`` once that much time has passed (the result then says
    ``complete=False``; the count may pass the limit by the successors of one
    state). ``max_depth`` stops after that many BFS levels (the initial state
    is depth 1), which shows that a counterexample is shortest. Raises
    ``ValueError`` naming a parameter out of range.
    """
    q = validate(acceptors, values, max_ballot, quorum_size)
    names = checked(invariants)
    if max_depth is not None:
        check_range("max_depth", max_depth, 1, 1 << 62)
    if max_states is not None:
        check_range("max_states", max_states, 1, 1 << 62)
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number, got {max_seconds!r}")
    check_range("progress_every", progress_every, 1, 1 << 62)
    c = Constants(acceptors, values, max_ballot, q)
    # The spec's reachable states fit the compact encoding (its Inv says so);
    # a mutation's need not, so it gets every local state and 1b TypeOK allows.
    enc = _Encoding(c, complete=spec is not PAXOS)
    canon = _Canonicalizer(enc) if symmetry else None
    everything = invariants == "all"
    checks = _StateChecks(enc)
    start = time.perf_counter()
    deadline = start + max_seconds if max_seconds is not None else float("inf")

    # Every reachable state -> the state it was first reached from (BFS tree).
    parent: dict[int, int] = {0: -1}  # the initial state encodes as 0
    level = [0]
    depth = 1
    generated = 1
    limit = max_states if max_states is not None else 1 << 62
    stopped = False
    violation = -1  # the violating state, or the state a bad step starts from
    violated: str | None = None
    bad_target = -1  # for a step that is no Voting step: the state it leads to
    next_report = progress_every
    if everything:
        violated = violated_conjunct(c, enc.decode(0))
        violation = 0 if violated else -1
        stopped = violated is not None

    acceptors_ = range(acceptors)
    ballots = [
        (1 << enc.one_a[b], b, enc.phase2a_key_mask[b], {}) for b in c.ballots
    ]  # (1a bit, ballot, Phase2a key mask, Phase2a memo)
    # Per acceptor: (index, key mask, memo) for Phase1b/Phase2b. Memo values
    # are computed on first use (see _Encoding).
    acceptor_tables = [(a, mask, {}) for a, mask in enumerate(enc.acceptor_key_mask)]
    vote_checks = enc.chosen_checks()
    after_acceptor = canon.after_acceptor_move if canon is not None else None
    after_global = canon.after_global_move if canon is not None else None
    acceptor_ok, ballots_ok, messages_ok = checks.acceptor_ok, checks.ballots_ok, checks.messages_ok

    def first_violation(raw: int) -> str | None:
        """The conjunct the raw (not renamed) state violates, by the spec's functions."""
        return violated_conjunct(c, enc.decode(raw), invariants)

    def step_fails(s: int, raw: int) -> bool:
        return not voting_step(c, enc.decode(s), enc.decode(raw)).ok

    while level and not stopped and (max_depth is None or depth < max_depth):
        next_level: list[int] = []
        append = next_level.append
        # Phase1a(b) is enabled in every state: one generated state per ballot.
        generated += len(level) * len(ballots)
        for s in level:
            # In Next's order: Phase1a(b) and Phase2a(b, .) per ballot, then
            # Phase1b(a) and Phase2b(a) per acceptor, so that both explorers
            # meet states, and violations, in the same order.
            for bit, b, mask, memo in ballots:
                # A Phase1a successor of a representative is one: 1a messages
                # name neither acceptors nor values. Voting: a stutter.
                if not s & bit and (s | bit) not in parent:
                    t = s | bit
                    parent[t] = s
                    append(t)
                    if everything and not messages_ok(t):
                        violation, violated = t, first_violation(t)
                        break
                key = s & mask
                entry2 = memo.get(key)
                if entry2 is None:
                    entry2 = memo[key] = enc.phase2a_moves(spec, b, key)
                if entry2[0]:
                    generated += entry2[0]
                    for bit2 in entry2[1]:
                        raw = s | bit2
                        t = raw if after_global is None else after_global(raw)
                        if t not in parent:
                            parent[t] = s
                            append(t)
                            if everything:
                                ok = messages_ok(raw) and ballots_ok(raw)
                                for a in acceptors_:
                                    ok = ok and acceptor_ok(raw, a)
                                if not ok:
                                    violation, violated = t, first_violation(raw)
                                    break
                    if violated is not None:
                        break
            if violated is not None:
                break
            for a, mask, memo in acceptor_tables:
                key = s & mask
                entry = memo.get(key)
                if entry is None:
                    entry = memo[key] = enc.acceptor_moves(spec, a, key)
                generated += entry[0]
                if entry[3] and everything:  # a step that is no Voting step
                    for sent, flip in entry[3]:
                        raw = (s | sent) ^ flip
                        if raw != s and step_fails(s, raw):
                            violation, violated = s, "V!Next"
                            bad_target = raw
                            break
                    if violated is not None:
                        break
                for sent, flip in entry[1]:
                    raw = (s | sent) ^ flip
                    t = raw if after_acceptor is None else after_acceptor(raw, a)
                    if t not in parent:
                        parent[t] = s
                        append(t)
                        if everything and not (acceptor_ok(raw, a) and ballots_ok(raw)):
                            violation, violated = t, first_violation(raw)
                            break
                if violated is not None:
                    break
                for sent, flip, clash, need, _b, _v in entry[2]:
                    raw = (s | sent) ^ flip
                    if raw == s:
                        continue  # re-sending its vote: a stuttering step
                    # VoteFor's last condition, \E Q \in Quorum : ShowsSafeAt(Q, b, v),
                    # holds when 2a(b, v) was sent: s passed Inv, whose conjunct
                    # Msg2aShowsSafe says so for that message (the argument of
                    # Paxos.tla's comment on Phase2a, made mechanical).
                    if everything and (s & clash or not s & need) and step_fails(s, raw):
                        violation, violated, bad_target = s, "V!Next", raw
                        break
                    t = raw if after_acceptor is None else after_acceptor(raw, a)
                    if t not in parent:
                        parent[t] = s
                        append(t)
                        if everything and not (acceptor_ok(raw, a) and ballots_ok(raw)):
                            violation, violated = t, first_violation(raw)
                            break
                        # Only a vote can make a value chosen, so this check
                        # needs re-doing only here; renaming keeps the count.
                        for own, others in vote_checks:
                            if (t & own).bit_count() >= q and any(
                                (t & other).bit_count() >= q for other in others
                            ):
                                violation, violated = t, "AtMostOneChosen"
                                break
                        if violated is not None:
                            break
                if violated is not None:
                    break
            if violated is not None or len(parent) >= limit or time.perf_counter() > deadline:
                stopped = True
                break
            if progress is not None and len(parent) >= next_report:
                next_report = len(parent) + progress_every
                progress(len(parent), depth, len(next_level), time.perf_counter() - start)
        if next_level:
            depth += 1
        level = next_level
        if violated is not None:
            stopped = True

    trace: tuple[str, ...] = ()
    behaviour: tuple[SpecState, ...] = ()
    detail = ""
    if violated is not None:
        path = [violation]
        while parent[path[-1]] >= 0:
            path.append(parent[path[-1]])
        path.reverse()

        def key_of(state: SpecState) -> int:
            x = enc.encode(state)
            return canon.canonical(x) if canon is not None else x

        last = None
        if bad_target >= 0:
            target = canon.canonical(bad_target) if canon is not None else bad_target
            last = (target, lambda s, t: not voting_step(c, s, t).ok)
        trace, behaviour = replay_keys(c, spec, path, key_of, last)  # type: ignore[arg-type]
        if bad_target >= 0:
            step = voting_step(c, behaviour[-2], behaviour[-1])
            detail = f"{step.action}: {step.failed}"
    if progress is not None:
        progress(len(parent), depth, len(level), time.perf_counter() - start)
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
        violation=violated is not None,
        counterexample=trace,
        complete=not stopped and not level,
        implementation="fast",
        invariants=names,
        violated=violated,
        violation_detail=detail,
        behaviour=behaviour,
        spec=spec.name,
    )
