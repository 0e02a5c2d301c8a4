"""Traces of replicated-state-machine runs, as plain JSON records (§3).

The same shape as `paxos_notes.trace` — a header (``meta``) and a list of
events with ``step``, ``time``, ``kind``, ``agent``, ``message``, ``msg_id``
and ``detail`` — with the message already in JSON form (the core `Trace`
only encodes the consensus messages of `paxos_notes.messages`), and more kinds:
clients' ``invoke`` / ``complete``, servers' ``campaign`` / ``elected`` /
``step-down``, ``learn`` (a server learns an instance's command) and
``execute``. Same run, same JSON, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .messages import Message, message_to_dict

SCHEMA = "paxos-notes/multipaxos-trace"
SCHEMA_VERSION = 1
EVENT_KINDS = (
    "send", "local", "deliver", "drop", "duplicate", "crash", "restart", "partition", "heal",
    "invoke", "complete", "campaign", "elected", "step-down", "learn", "execute", "violation",
)


@dataclass(frozen=True)
class Event:
    """One thing that happened. ``message`` is a message object while the run
    goes on (encoding is deferred to `to_dict`), or its JSON form once loaded."""

    step: int
    time: float
    kind: str
    agent: str = ""
    message: Message | dict[str, Any] | None = None
    msg_id: int | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"kind must be one of {EVENT_KINDS}, got {self.kind!r}")
        object.__setattr__(self, "time", round(float(self.time), 6))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"step": self.step, "time": self.time, "kind": self.kind}
        if self.agent:
            d["agent"] = self.agent
        if self.message is not None:
            m = self.message
            d["message"] = m if isinstance(m, dict) else message_to_dict(m)
        if self.msg_id is not None:
            d["msg_id"] = self.msg_id
        if self.detail:
            d["detail"] = self.detail
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Event:
        if not isinstance(d, dict):
            raise ValueError("trace: an event must be an object")
        try:
            return cls(int(d["step"]), float(d["time"]), str(d["kind"]), str(d.get("agent", "")),
                       d.get("message"), d.get("msg_id"), str(d.get("detail", "")))
        except (KeyError, TypeError) as e:
            raise ValueError(f"trace: malformed event ({e})") from None


@dataclass
class Trace:
    meta: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def append(self, event: Event) -> None:
        self.events.append(event)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "version": SCHEMA_VERSION, "meta": self.meta,
                "events": [e.to_dict() for e in self.events]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Trace:
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ValueError(f"trace: not valid JSON ({e})") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"trace: schema must be {SCHEMA!r}")
        if data.get("version") != SCHEMA_VERSION:
            got = data.get("version")
            raise ValueError(f"trace: version must be {SCHEMA_VERSION}, got {got!r}")
        events = data.get("events")
        if not isinstance(events, list) or not isinstance(data.get("meta", {}), dict):
            raise ValueError("trace: events must be a list and meta an object")
        return cls(meta=data.get("meta", {}), events=[Event.from_dict(e) for e in events])
