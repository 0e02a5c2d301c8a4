"""Traces: what happened in a run, as plain records, saved as JSON.

Every simulator step and every model-checker counterexample becomes a `Trace`:
a header (`meta`: the cluster, the seed, the network) and a list of `Event`
records — send, deliver, drop, duplicate, crash, restart, persist, promise,
accept, chosen, learned, violation. The TracePlayer widget animates a trace;
the CLI can save one with ``--trace``.

Files are JSON with a schema version. `Trace.load` validates everything before
building objects: a truncated, hostile or newer-schema file gets one clear
``ValueError`` (never pickle, never eval). The same run gives byte-identical
JSON (keys sorted, times rounded).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ballots import MAX_PROPOSERS, ProposalNumber
from .messages import MESSAGE_TYPES, Message, Proposal

SCHEMA = "paxos-notes/trace"
SCHEMA_VERSION = 1
EVENT_KINDS = (
    "send", "deliver", "drop", "duplicate", "crash", "restart", "persist", "propose",
    "promise", "accept", "chosen", "learned", "violation", "partition", "heal",
)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_INT = 2**31 - 1
MAX_NAME = 64
MAX_TEXT = 2000
STATE_KEYS = ("promised", "accepted", "learned", "chosen")


@dataclass(frozen=True)
class Event:
    """One thing that happened. ``message`` and ``msg_id`` are set for message events.

    ``state`` carries the structured facts a viewer needs without re-running
    the agents: for an acceptor's promise, accept, crash, restart and persist
    its storage afterwards (``promised``, ``accepted``); for ``learned`` the
    ``learned`` proposal; for ``chosen`` the ``chosen`` proposals so far.
    """

    step: int
    time: float
    kind: str
    agent: str = ""
    message: Message | None = None
    msg_id: int | None = None
    detail: str = ""
    state: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # The file keeps times to 6 decimals (`_event_to_dict`); rounding here
        # too makes load(save(trace)) == trace for a simulator's trace.
        object.__setattr__(self, "time", round(float(self.time), 6))

    def describe(self) -> str:
        """The event in plain words, e.g. ``a2 receives prepare 3 from p1``."""
        m = self.message
        if self.kind == "send" and m is not None:
            return f"{m.sender} sends {m.describe()} to {m.receiver}"
        if self.kind == "deliver" and m is not None:
            return f"{m.receiver} receives {m.describe()} from {m.sender}"
        if self.kind in ("drop", "duplicate") and m is not None:
            verb = "is lost" if self.kind == "drop" else "is duplicated"
            extra = f" ({self.detail})" if self.detail else ""
            return f"{m.describe()} from {m.sender} to {m.receiver} {verb}{extra}"
        text = f"{self.agent} {self.kind}" if self.agent else self.kind
        return f"{text}: {self.detail}" if self.detail else text


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

    # -- JSON -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "meta": self.meta,
            "events": [_event_to_dict(e) for e in self.events],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> Trace:
        if len(text) > MAX_FILE_BYTES:
            raise ValueError(f"trace: file is larger than the {MAX_FILE_BYTES} bytes allowed")
        try:
            data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
        except ValueError as e:  # JSONDecodeError, and int digits limits
            raise ValueError(f"trace: not valid JSON ({_one_line(e)})") from None
        except RecursionError:  # "[[[[..." deep enough to exhaust the stack
            raise ValueError("trace: not valid JSON (nested too deeply)") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Trace:
        p = Path(path)
        try:
            size = p.stat().st_size
        except OSError as e:
            raise ValueError(f"trace: cannot read {p.name} ({e.strerror})") from None
        if size > MAX_FILE_BYTES:
            raise ValueError(f"trace: file is larger than the {MAX_FILE_BYTES} bytes allowed")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError("trace: file is not UTF-8 text") from None
        except OSError as e:  # e.g. a directory: stat() succeeds, reading does not
            raise ValueError(f"trace: cannot read {p.name} ({e.strerror})") from None
        return cls.from_json(text)

    @classmethod
    def from_dict(cls, data: Any) -> Trace:
        if not isinstance(data, dict):
            raise ValueError("trace: the top level must be a JSON object")
        if data.get("schema") != SCHEMA:
            # truncated: a hostile file must not put megabytes into the message
            got = repr(data.get("schema"))[:60]
            raise ValueError(f"trace: schema must be {SCHEMA!r}, got {got}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("trace: version must be an integer")
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"trace: version {version} is newer than this paxos-notes reads "
                f"(allowed: 1..{SCHEMA_VERSION}); upgrade paxos-notes"
            )
        if version < 1:
            raise ValueError(f"trace: version must be in 1..{SCHEMA_VERSION}, got {version}")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ValueError("trace: meta must be an object")
        events = data.get("events")
        if not isinstance(events, list):
            raise ValueError("trace: events must be a list")
        out = [_event_from_dict(e, i) for i, e in enumerate(events)]
        return cls(meta=meta, events=out)


# -- encoding -----------------------------------------------------------------


def _number_to_json(n: ProposalNumber) -> list[int]:
    return [n.round, n.proposer, n.proposers]


def message_to_dict(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(m).__name__, "sender": m.sender,
                           "receiver": m.receiver, "n": _number_to_json(m.n)}
    for name in ("value", "promised", "accepted"):
        if not hasattr(m, name):
            continue
        v = getattr(m, name)
        if isinstance(v, ProposalNumber):
            v = _number_to_json(v)
        elif isinstance(v, Proposal):
            v = {"n": _number_to_json(v.number), "value": v.value}
        out[name] = v
    return out


def _event_to_dict(e: Event) -> dict[str, Any]:
    d: dict[str, Any] = {"step": e.step, "time": round(e.time, 6), "kind": e.kind}
    if e.agent:
        d["agent"] = e.agent
    if e.message is not None:
        d["message"] = message_to_dict(e.message)
    if e.msg_id is not None:
        d["msg_id"] = e.msg_id
    if e.detail:
        d["detail"] = e.detail
    if e.state is not None:
        d["state"] = {k: _state_value_to_json(v) for k, v in e.state.items()}
    return d


def _proposal_to_json(p: Proposal | None) -> dict[str, Any] | None:
    return None if p is None else {"n": _number_to_json(p.number), "value": p.value}


def _state_value_to_json(v: Any) -> Any:
    if isinstance(v, ProposalNumber):
        return _number_to_json(v)
    if isinstance(v, Proposal):
        return _proposal_to_json(v)
    if isinstance(v, (list, tuple)):
        return [_proposal_to_json(p) for p in v]
    return v  # None


# -- validation and decoding --------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    # json turns 1e400 into inf without calling parse_constant; inf would load
    # (e.g. in meta) and then fail to save as valid JSON.
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"number {text[:40]} is out of range")
    return v


def _one_line(e: Exception) -> str:
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__


def _int(v: Any, where: str, lo: int = 0, hi: int = MAX_INT) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"trace: {where} must be an integer, got {type(v).__name__}")
    if not lo <= v <= hi:
        raise ValueError(f"trace: {where} must be in {lo}..{hi}, got a number out of range")
    return v


def _str(v: Any, where: str, limit: int = MAX_NAME, empty: bool = False) -> str:
    if not isinstance(v, str):
        raise ValueError(f"trace: {where} must be a string, got {type(v).__name__}")
    if len(v) > limit or (not v and not empty):
        raise ValueError(f"trace: {where} must be a string of 1..{limit} characters")
    return v


def _number(v: Any, where: str) -> ProposalNumber:
    if not isinstance(v, list) or len(v) != 3:
        raise ValueError(f"trace: {where} must be [round, proposer, proposers]")
    r = _int(v[0], f"{where} round")
    k = _int(v[2], f"{where} proposers", 1, MAX_PROPOSERS)
    i = _int(v[1], f"{where} proposer", 0, k - 1)
    return ProposalNumber(r, i, k)


def message_from_dict(d: Any, where: str = "message") -> Message:
    if not isinstance(d, dict):
        raise ValueError(f"trace: {where} must be an object")
    kind = d.get("type")
    # isinstance first: an unhashable type (a list) would raise TypeError in `in`
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ValueError(f"trace: {where} type must be one of {sorted(MESSAGE_TYPES)}, "
                         f"got {str(kind)[:40]!r}")
    args: dict[str, Any] = {
        "sender": _str(d.get("sender"), f"{where} sender"),
        "receiver": _str(d.get("receiver"), f"{where} receiver"),
        "n": _number(d.get("n"), f"{where} n"),
    }
    if kind in ("Accept", "Accepted", "Chosen"):
        args["value"] = _str(d.get("value"), f"{where} value")
    if kind == "Nack":
        args["promised"] = _number(d.get("promised"), f"{where} promised")
    if kind == "Promise":
        acc = d.get("accepted")
        if acc is None:
            args["accepted"] = None
        elif isinstance(acc, dict):
            args["accepted"] = Proposal(_number(acc.get("n"), f"{where} accepted n"),
                                        _str(acc.get("value"), f"{where} accepted value"))
        else:
            raise ValueError(f"trace: {where} accepted must be null or an object")
    return MESSAGE_TYPES[kind](**args)


def _event_from_dict(d: Any, i: int) -> Event:
    where = f"event {i}"
    if not isinstance(d, dict):
        raise ValueError(f"trace: {where} must be an object")
    kind = d.get("kind")
    if kind not in EVENT_KINDS:
        raise ValueError(f"trace: {where} kind must be one of {EVENT_KINDS}, "
                         f"got {str(kind)[:40]!r}")
    t = d.get("time")
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) \
            or not 0 <= t <= 1e12:
        raise ValueError(f"trace: {where} time must be a finite number in 0..1e12")
    msg = d.get("message")
    msg_id = d.get("msg_id")
    raw_state = d.get("state")
    return Event(
        step=_int(d.get("step"), f"{where} step"),
        time=float(t),
        kind=kind,
        agent=_str(d.get("agent", ""), f"{where} agent", empty=True),
        message=None if msg is None else message_from_dict(msg, f"{where} message"),
        msg_id=None if msg_id is None else _int(msg_id, f"{where} msg_id"),
        detail=_str(d.get("detail", ""), f"{where} detail", MAX_TEXT, empty=True),
        state=None if raw_state is None else _state_from_json(raw_state, f"{where} state"),
    )


def _proposal(v: Any, where: str) -> Proposal | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise ValueError(f"trace: {where} must be null or an object")
    return Proposal(_number(v.get("n"), f"{where} n"), _str(v.get("value"), f"{where} value"))


def _state_from_json(d: Any, where: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ValueError(f"trace: {where} must be an object")
    unknown = set(d) - set(STATE_KEYS)
    if unknown:
        raise ValueError(f"trace: {where} keys must be among {STATE_KEYS}, "
                         f"got {sorted(unknown)[:3]}")
    out: dict[str, Any] = {}
    if "promised" in d:
        p = d["promised"]
        out["promised"] = None if p is None else _number(p, f"{where} promised")
    for key in ("accepted", "learned"):
        if key in d:
            out[key] = _proposal(d[key], f"{where} {key}")
    if "chosen" in d:
        c = d["chosen"]
        if not isinstance(c, list) or len(c) > 64:
            raise ValueError(f"trace: {where} chosen must be a list of at most 64 proposals")
        out["chosen"] = [_proposal(p, f"{where} chosen") for p in c]
    return out
