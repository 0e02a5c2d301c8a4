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

from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar, Union

from .ballots import ProposalNumber

_R = TypeVar("_R")


def quick_init(cls: type[_R]) -> type[_R]:
    """Give a frozen dataclass an ``__init__`` that fills the instance's
    ``__dict__`` directly.

    The one `dataclass` writes calls ``object.__setattr__`` once per field
    (the way round ``frozen``); a long simulation builds millions of
    messages, and this makes each about twice as fast. Same signature, same
    fields, same frozen record after; only for classes without
    ``__post_init__`` or ``default_factory`` (nothing to run but the copy).

    For messages, which live for a step or two: a record built this way keeps
    a full ``__dict__`` where dataclass's keeps its fields inline, so records
    kept for a whole run (a `Proposal` in the safety checks' histories) keep
    dataclass's ``__init__`` (with it, a 20,000-operation kv run peaked 8% higher).
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__: keep dataclass's __init__")
    params, body, defaults = [], [], {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} has a default_factory")
        if f.default is MISSING:
            params.append(f.name)
        else:
            defaults[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    d[{f.name!r}] = {f.name}")
    source = (f"def __init__(self, {', '.join(params)}):\n    d = self.__dict__\n"
              + "\n".join(body) + "\n")
    namespace: dict[str, Any] = {}
    exec(source, defaults, namespace)  # what `dataclass` itself does to write __init__
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls

Value = str


@dataclass(frozen=True, order=True)
class Proposal:
    """A proposal: a number and a value (§2.2)."""

    number: ProposalNumber
    value: Value

    def __str__(self) -> str:
        return f"({self.number}, {self.value!r})"


@quick_init
@dataclass(frozen=True)
class Prepare:
    """Phase 1(a): a proposer asks for promises for number ``n``."""

    sender: str
    receiver: str
    n: ProposalNumber

    def describe(self) -> str:
        return f"prepare {self.n}"


@quick_init
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


@quick_init
@dataclass(frozen=True)
class Accept:
    """Phase 2(a): an accept request for proposal ``(n, value)``."""

    sender: str
    receiver: str
    n: ProposalNumber
    value: Value

    def describe(self) -> str:
        return f"accept {self.n} {self.value!r}"


@quick_init
@dataclass(frozen=True)
class Accepted:
    """§2.3: an acceptor tells a learner that it accepted ``(n, value)``."""

    sender: str
    receiver: str
    n: ProposalNumber
    value: Value

    def describe(self) -> str:
        return f"accepted {self.n} {self.value!r}"


@quick_init
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


@quick_init
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
