"""Proposal numbers (§2.2 and §2.5 of *Paxos Made Simple*).

§2.2 only needs proposal numbers to be totally ordered and different proposals
to have different numbers. §2.5 says how to get that without coordination:

> "Different proposers choose their numbers from disjoint sets of numbers"

We give proposer *i* of *N* the numbers ``round * N + i``. A `ProposalNumber`
keeps the pair ``(round, proposer)`` and compares it lexicographically, which is
the same order as the natural number the paper talks about
(`ProposalNumber.natural`).

`Allocator` hands out numbers. `Allocator(n, shared=True)` is deliberately
broken: every proposer draws from the *same* set, so two proposers can try two
different proposals with one number. Phase 1(b)'s strict "greater than" alone
stops the second one from gathering a quorum of promises; with acceptors that
answer a repeated prepare (as implementations do) two values get chosen. The
model checker's ``shared-numbers`` variants show both, and so why §2.5
insists on disjoint sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_PROPOSERS = 64


@dataclass(frozen=True, order=True)
class ProposalNumber:
    """A proposal number: ``round`` first, then the proposer's index.

    ``proposers`` (how many proposers share the number space) does not take part
    in comparisons; it is kept so that a number can be shown as the paper's
    natural number and so that numbers from a mismatched allocator are caught.
    """

    round: int
    proposer: int
    proposers: int = field(default=1, compare=False)

    def __post_init__(self) -> None:
        if self.proposers < 1 or self.proposers > MAX_PROPOSERS:
            raise ValueError(f"proposers must be in 1..{MAX_PROPOSERS}, got {self.proposers}")
        if self.round < 0:
            raise ValueError(f"round must be >= 0, got {self.round}")
        if not 0 <= self.proposer < self.proposers:
            raise ValueError(
                f"proposer must be in 0..{self.proposers - 1}, got {self.proposer}"
            )

    @property
    def natural(self) -> int:
        """The paper's natural number: ``round * N + proposer``."""
        return self.round * self.proposers + self.proposer

    @classmethod
    def from_natural(cls, n: int, proposers: int) -> ProposalNumber:
        """The inverse of `natural`."""
        if n < 0:
            raise ValueError(f"n must be a natural number (>= 0), got {n}")
        if proposers < 1 or proposers > MAX_PROPOSERS:
            raise ValueError(f"proposers must be in 1..{MAX_PROPOSERS}, got {proposers}")
        return cls(n // proposers, n % proposers, proposers)

    def __str__(self) -> str:
        return str(self.natural)


@dataclass(frozen=True)
class Allocator:
    """Hands out proposal numbers to ``proposers`` proposers.

    With ``shared=False`` (the paper's §2.5) proposer *i* only ever gets numbers
    whose `ProposalNumber.proposer` is *i*: the sets are disjoint. With
    ``shared=True`` every proposer draws from the numbers of proposer 0, so two
    proposers that are in the same round collide.
    """

    proposers: int
    shared: bool = False

    def __post_init__(self) -> None:
        if self.proposers < 1 or self.proposers > MAX_PROPOSERS:
            raise ValueError(f"proposers must be in 1..{MAX_PROPOSERS}, got {self.proposers}")

    def _slot(self, index: int) -> int:
        if not 0 <= index < self.proposers:
            raise ValueError(f"proposer index must be in 0..{self.proposers - 1}, got {index}")
        return 0 if self.shared else index

    def first(self, index: int) -> ProposalNumber:
        """The smallest number proposer ``index`` may use."""
        return ProposalNumber(0, self._slot(index), self.proposers)

    def next_above(self, index: int, seen: ProposalNumber | None) -> ProposalNumber:
        """The smallest number of proposer ``index`` that is greater than ``seen``.

        A proposer calls this with the highest number it has tried or heard of:
        §2.5 has it start phase 1 with a number above any it has already used.
        """
        slot = self._slot(index)
        if seen is None:
            return self.first(index)
        self.validate(seen, "seen")
        candidate = ProposalNumber(seen.round, slot, self.proposers)
        if candidate > seen:
            return candidate
        return ProposalNumber(seen.round + 1, slot, self.proposers)

    def owns(self, index: int, number: ProposalNumber) -> bool:
        """Whether ``number`` is in proposer ``index``'s set."""
        self.validate(number, "number")
        return number.proposer == self._slot(index)

    def validate(self, number: ProposalNumber, name: str = "number") -> None:
        """Raise ``ValueError`` if ``number`` came from an allocator of another size."""
        if not isinstance(number, ProposalNumber):
            raise ValueError(f"{name} must be a ProposalNumber, got {type(number).__name__}")
        if number.proposers != self.proposers:
            raise ValueError(
                f"{name} {number!r} comes from an allocator for {number.proposers} proposers; "
                f"this one is for {self.proposers} (allowed: numbers with proposers="
                f"{self.proposers})"
            )
