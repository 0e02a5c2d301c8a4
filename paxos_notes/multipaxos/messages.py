"""The messages of the replicated state machine (§3).

Each is a small frozen dataclass with a sender and a receiver, like the
consensus messages of `paxos_notes.messages`, and for the same reason (§2.5)
every message between servers carries the proposal number ``n`` it is about.

| class       | what it is                                                        |
|-------------|-------------------------------------------------------------------|
| `Prepare`   | phase 1(a) for *many* instances at once: those in ``gaps`` and    |
|             | every instance from ``above`` on — one short message, one number  |
| `Promise`   | phase 1(b) for all of them: the proposals accepted, per instance  |
| `Accept`    | phase 2(a) in one instance (plus chosen commands, piggybacked)    |
| `Accepted`  | phase 2(b)'s acceptance, sent to the leader (the distinguished    |
|             | learner of §2.5)                                                  |
| `Heartbeat` | the leader is alive (plus chosen commands, piggybacked)           |
| `Ack`       | answer to a heartbeat: how much of the log the follower knows     |
| `Nack`      | a higher number was promised here (§2.2's optional hint)          |
| `Request`   | a client's command                                                |
| `Reply`     | the state machine's output for it                                 |
| `Redirect`  | not the leader; here is the one it knows of                       |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Union

from ..ballots import ProposalNumber
from ..messages import Proposal, Value
from .kv import Command, describe_value

Decisions = tuple[tuple[int, Value], ...]


def _decisions(d: Decisions) -> str:
    return f" +chosen {[s for s, _ in d]}" if d else ""


@dataclass(frozen=True)
class Prepare:
    """Phase 1(a) for the instances in ``gaps`` and every instance ``>= above``."""

    sender: str
    receiver: str
    n: ProposalNumber
    gaps: tuple[int, ...]
    above: int

    def covers(self, instance: int) -> bool:
        return instance >= self.above or instance in self.gaps

    def describe(self) -> str:
        gaps = f" {ranges(self.gaps)} and" if self.gaps else ""
        return f"prepare {self.n} for{gaps} ≥{self.above}"


@dataclass(frozen=True)
class Promise:
    """Phase 1(b) for what `Prepare` asked: ``accepted`` lists, per instance, the
    highest-numbered proposal accepted there (instances with none are left out)."""

    sender: str
    receiver: str
    n: ProposalNumber
    gaps: tuple[int, ...]
    above: int
    accepted: tuple[tuple[int, Proposal], ...] = ()

    def covers(self, instance: int) -> bool:
        return instance >= self.above or instance in self.gaps

    def reported(self, instance: int) -> Proposal | None:
        """The proposal this promise reports in ``instance``, if any."""
        return self._by_instance.get(instance)

    @cached_property
    def _by_instance(self) -> dict[int, Proposal]:
        return dict(self.accepted)

    def describe(self) -> str:
        if not self.accepted:
            return f"promise {self.n} (nothing accepted)"
        return f"promise {self.n} accepted in {[s for s, _ in self.accepted]}"


@dataclass(frozen=True)
class Accept:
    """Phase 2(a) in ``instance``; ``decisions`` tell the receiver chosen commands."""

    sender: str
    receiver: str
    n: ProposalNumber
    instance: int
    value: Value
    decisions: Decisions = ()

    def describe(self) -> str:
        return (f"accept {self.n} #{self.instance} {describe_value(self.value)}"
                f"{_decisions(self.decisions)}")


@dataclass(frozen=True)
class Accepted:
    """Phase 2(b) done: the sender accepted ``(n, value)`` in ``instance``.
    ``known``: the first instance whose command the sender does not know."""

    sender: str
    receiver: str
    n: ProposalNumber
    instance: int
    value: Value
    known: int

    def describe(self) -> str:
        return f"accepted {self.n} #{self.instance}"


@dataclass(frozen=True)
class Heartbeat:
    sender: str
    receiver: str
    n: ProposalNumber
    decisions: Decisions = ()

    def describe(self) -> str:
        return f"heartbeat {self.n}{_decisions(self.decisions)}"


@dataclass(frozen=True)
class Ack:
    sender: str
    receiver: str
    n: ProposalNumber
    known: int

    def describe(self) -> str:
        return f"ack {self.n} (knows <{self.known})"


@dataclass(frozen=True)
class Nack:
    sender: str
    receiver: str
    n: ProposalNumber
    promised: ProposalNumber

    def describe(self) -> str:
        return f"nack {self.n} (promised {self.promised})"


@dataclass(frozen=True)
class Request:
    sender: str
    receiver: str
    command: Command

    def describe(self) -> str:
        return f"request {self.command.describe()}"


@dataclass(frozen=True)
class Reply:
    sender: str
    receiver: str
    request_id: int
    output: Any

    def describe(self) -> str:
        return f"reply #{self.request_id} → {self.output!r}"


@dataclass(frozen=True)
class Redirect:
    sender: str
    receiver: str
    request_id: int
    leader: str | None

    def describe(self) -> str:
        return f"redirect #{self.request_id} to {self.leader or '?'}"


ServerMessage = Union[Prepare, Promise, Accept, Accepted, Heartbeat, Ack, Nack]  # noqa: UP007
ClientMessage = Union[Request, Reply, Redirect]  # noqa: UP007
Message = Union[ServerMessage, ClientMessage]  # noqa: UP007
MESSAGE_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (Prepare, Promise, Accept, Accepted, Heartbeat, Ack, Nack, Request, Reply, Redirect)
}


def ranges(slots: Iterable[int]) -> str:
    """``(135, 136, 137, 141)`` → ``135–137,141``."""
    out: list[str] = []
    ordered = sorted(slots)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ",".join(out)


# -- JSON ----------------------------------------------------------------------


def _jsonable(v: Any) -> Any:
    if isinstance(v, ProposalNumber):
        return [v.round, v.proposer, v.proposers]
    if isinstance(v, Proposal):
        return {"n": _jsonable(v.number), "value": v.value}
    if isinstance(v, Command):
        return {"client": v.client, "id": v.request_id, "op": _jsonable(v.op)}
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    return v


def message_to_dict(m: Message) -> dict[str, Any]:
    """A message as plain JSON-ready data (``type`` plus its fields)."""
    out: dict[str, Any] = {"type": type(m).__name__}
    for name in m.__dataclass_fields__:
        out[name] = _jsonable(getattr(m, name))
    return out
