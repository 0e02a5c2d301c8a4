"""The messages of the consensus algorithm (§2.2, §2.3, §2.5).

Each message is a small frozen dataclass carrying its sender, its receiver and
the proposal number it is about: §2.5 has responses "tagged with the
corresponding proposal number" so that a proposer can tell answers to an old
prepare from answers to its current one.

| class      | the paper's name                                  |
|------------|---------------------------------------------------|
| `Prepare`  | phase 1(a) "prepare request with number n"        |
| `Promise`  | phase 1(b) response: the promise and the highest- |
|            | numbered proposal accepted, if any                |
| `Accept`   | phase 2(a) "accept request"                       |
| `Accepted` | an acceptor telling a learner it accepted (§2.3)  |
| `Nack`     | the optional "inform the proposer" optimization   |
| `Chosen`   | a distinguished learner informing the others      |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .ballots import ProposalNumber

Value = str


@dataclass(frozen=True, order=True)
class Proposal:
    """A proposal: a number and a value (§2.2)."""

    number: ProposalNumber
    value: Value

    def __str__(self) -> str:
        return f"({self.number}, {self.value!r})"


@dataclass(frozen=True)
class Prepare:
    """Phase 1(a): a proposer asks for promises for number ``n``."""

    sender: str
    receiver: str
    n: ProposalNumber

    def describe(self) -> str:
        return f"prepare {self.n}"


@dataclass(frozen=True)
class Promise:
    """Phase 1(b): "a promise not to accept any more proposals numbered less than
    n and ... the highest-numbered proposal (if any) that it has accepted"."""

    sender: str
    receiver: str
    n: ProposalNumber
    accepted: Proposal | None

    def describe(self) -> str:
        return f"promise {self.n} {self.accepted}" if self.accepted else f"promise {self.n} (none)"


@dataclass(frozen=True)
class Accept:
    """Phase 2(a): an accept request for proposal ``(n, value)``."""

    sender: str
    receiver: str
    n: ProposalNumber
    value: Value

    def describe(self) -> str:
        return f"accept {self.n} {self.value!r}"


@dataclass(frozen=True)
class Accepted:
    """§2.3: an acceptor tells a learner that it accepted ``(n, value)``."""

    sender: str
    receiver: str
    n: ProposalNumber
    value: Value

    def describe(self) -> str:
        return f"accepted {self.n} {self.value!r}"


@dataclass(frozen=True)
class Nack:
    """§2.2: tells a proposer that ``promised`` > ``n`` — "a performance
    optimization that does not affect correctness"."""

    sender: str
    receiver: str
    n: ProposalNumber
    promised: ProposalNumber

    def describe(self) -> str:
        return f"nack {self.n} (promised {self.promised})"


@dataclass(frozen=True)
class Chosen:
    """§2.3: a distinguished learner informs another learner of a chosen value."""

    sender: str
    receiver: str
    n: ProposalNumber
    value: Value

    def describe(self) -> str:
        return f"chosen {self.n} {self.value!r}"


Message = Union[Prepare, Promise, Accept, Accepted, Nack, Chosen]  # noqa: UP007
MESSAGE_TYPES: dict[str, type] = {
    t.__name__: t for t in (Prepare, Promise, Accept, Accepted, Nack, Chosen)
}


def sort_key(m: Message) -> tuple:
    """A total order on messages, for deterministic listings (none is implied)."""
    return (m.n, type(m).__name__, m.sender, m.receiver, repr(m))
