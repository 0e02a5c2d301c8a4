"""Traces: what happened in a run, as plain records, saved as JSON.

Every simulator step and every model-checker counterexample becomes a `Trace`:
a header (`meta`: the cluster, the seed, the network) and a list of `Event`
records — send, deliver, drop, duplicate, crash, restart, persist, promise,
accept, chosen, learned, violation. The TracePlayer widget animates a trace;
the CLI can save one with ``--trace``.

One container and one loader serve both protocols: a `Codec` says what
differs — the schema name and version, the event kinds, the message classes
and how to read each of their fields. `Trace` here uses `CONSENSUS` (the
messages of `paxos_notes.messages`, §2); `paxos_notes.multipaxos.trace` is the
same `Trace` with the codec of the replicated state machine (§3).

Files are JSON with a schema version. Loading validates everything before
building objects: a truncated, hostile or newer-schema file gets one clear
``ValueError`` (never pickle, never eval). Then it runs the events again
through the agents the header names (`paxos_notes.trace_replay`): a well-formed
file of a run those agents could not have made is refused too, with the
number of the first impossible event and why. The same run gives byte-identical
JSON (keys sorted, times rounded).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

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
MAX_LIST = 100_000
MAX_DIGITS = 1000  # an integer spelled with more digits is refused where it stands
STATE_KEYS = ("promised", "accepted", "learned", "chosen")


# -- encoding -----------------------------------------------------------------------


def to_json_value(v: Any) -> Any:
    """A field of a message (or of an event's state) as plain JSON data."""
    if isinstance(v, ProposalNumber):
        return [v.round, v.proposer, v.proposers]
    if isinstance(v, Proposal):
        return {"n": to_json_value(v.number), "value": v.value}
    if isinstance(v, (tuple, list)):
        return [to_json_value(x) for x in v]
    return v


def message_to_dict(m: Message) -> dict[str, Any]:
    """A consensus message as JSON data: its ``type`` and each of its fields."""
    out: dict[str, Any] = {"type": type(m).__name__}
    for name in m.__dataclass_fields__:  # type: ignore[union-attr]
        out[name] = to_json_value(getattr(m, name))
    return out


class _EventFields(NamedTuple):
    step: int
    time: float
    kind: str
    agent: str = ""
    message: Any = None
    msg_id: int | None = None
    detail: str = ""
    state: dict[str, Any] | None = None


class Event(_EventFields):
    """One thing that happened. ``message`` and ``msg_id`` are set for message events.

    ``state`` carries the structured facts a viewer needs without re-running
    the agents: for an acceptor's promise, accept, crash, restart and persist
    its storage afterwards (``promised``, ``accepted``); for ``learned`` the
    ``learned`` proposal; for ``chosen`` the ``chosen`` proposals so far.

    An immutable named tuple rather than a frozen dataclass: a simulator makes
    one for every message sent and delivered, and a tuple is about ten times
    cheaper to build.
    """

    __slots__ = ()
    #: How this protocol's messages become JSON (the §3 trace has its own).
    encode_message: ClassVar[Callable[[Any], dict[str, Any]]] = staticmethod(message_to_dict)

    def __new__(cls, step: int, time: float, kind: str, agent: str = "", message: Any = None,
                msg_id: int | None = None, detail: str = "",
                state: dict[str, Any] | None = None) -> Event:
        # The file keeps times to 6 decimals; rounding here too makes
        # load(save(trace)) == trace for a simulator's trace.
        return super().__new__(cls, step, round(float(time), 6), kind, agent, message, msg_id,
                               detail, state)

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

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON data (fields at their defaults are left out)."""
        d: dict[str, Any] = {"step": self.step, "time": round(self.time, 6), "kind": self.kind}
        if self.agent:
            d["agent"] = self.agent
        if self.message is not None:
            d["message"] = self.encode_message(self.message)
        if self.msg_id is not None:
            d["msg_id"] = self.msg_id
        if self.detail:
            d["detail"] = self.detail
        if self.state is not None:
            d["state"] = {k: to_json_value(v) for k, v in self.state.items()}
        return d


# -- reading, hardened: every function raises a one-line "trace: ..." ValueError -----------

Reader = Callable[[Any, str], Any]
"""Reads one JSON value found at ``where`` (e.g. "event 3 message n") or raises."""


@dataclass(frozen=True)
class _Unreadable:
    """A number JSON text may spell but no field may hold — ``NaN``, ``Infinity``,
    ``1e400``, an integer of thousands of digits — kept as its spelling while the
    file is parsed, so that the field that holds it is named in the error
    (``event 3 step must be an integer, got Infinity``) instead of a bare
    "not valid JSON"."""

    spelling: str


def _unreadable_float(spelling: str) -> float | _Unreadable:
    # json turns 1e400 into inf without calling parse_constant; inf would load
    # (e.g. in meta) and then fail to save as valid JSON.
    v = float(spelling)
    return v if math.isfinite(v) else _Unreadable(spelling[:40])


def _unreadable_int(spelling: str) -> int | _Unreadable:
    # Python refuses int() of more than 4300 digits (it is slow); no field needs 1000
    return int(spelling) if len(spelling) <= MAX_DIGITS else \
        _Unreadable(f"a number of {len(spelling.lstrip('-'))} digits")


def _kind(v: Any) -> str:
    """What a wrong value is, for an error message."""
    return v.spelling if isinstance(v, _Unreadable) else type(v).__name__


def _check_text(v: str, where: str, name: bool) -> None:
    """Refuse what cannot be shown or saved: a lone surrogate (not encodable as
    UTF-8) or NUL anywhere; in a name, any control character too."""
    if v.isprintable():  # the common case, at C speed
        return
    if name or "\x00" in v or any("\ud800" <= c <= "\udfff" for c in v):
        allowed = "printable characters" if name else "text without NUL or lone surrogates"
        raise ValueError(f"trace: {where} must be {allowed}, got {v[:20]!a}")


def integer(v: Any, where: str, lo: int = 0, hi: int = MAX_INT) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"trace: {where} must be an integer, got {_kind(v)}")
    if not lo <= v <= hi:
        raise ValueError(f"trace: {where} must be in {lo}..{hi}, got a number out of range")
    return v


def string(v: Any, where: str, limit: int = MAX_NAME, empty: bool = False) -> str:
    if not isinstance(v, str):
        raise ValueError(f"trace: {where} must be a string, got {_kind(v)}")
    if len(v) > limit or (not v and not empty):
        raise ValueError(f"trace: {where} must be a string of 1..{limit} characters")
    _check_text(v, where, name=limit <= MAX_NAME)
    return v


def text(v: Any, where: str) -> str:
    """A longer string (a value that encodes a command, a detail)."""
    return string(v, where, MAX_TEXT)


def number(v: Any, where: str) -> ProposalNumber:
    if not isinstance(v, list) or len(v) != 3:
        raise ValueError(f"trace: {where} must be [round, proposer, proposers]")
    r = integer(v[0], f"{where} round")
    k = integer(v[2], f"{where} proposers", 1, MAX_PROPOSERS)
    i = integer(v[1], f"{where} proposer", 0, k - 1)
    return ProposalNumber(r, i, k)


def proposal(v: Any, where: str, value: Reader = string) -> Proposal | None:
    """A proposal ``{"n": number, "value": ...}``, or null."""
    if v is None:
        return None
    if not isinstance(v, dict):
        raise ValueError(f"trace: {where} must be null or an object")
    return Proposal(number(v.get("n"), f"{where} n"), value(v.get("value"), f"{where} value"))


def listed(v: Any, where: str, item: Reader, limit: int = MAX_LIST) -> tuple[Any, ...]:
    """A JSON list of at most ``limit`` items, each read by ``item``, as a tuple."""
    if not isinstance(v, list) or len(v) > limit:
        raise ValueError(f"trace: {where} must be a list of at most {limit} items")
    return tuple(item(x, f"{where} item") for x in v)


@dataclass(frozen=True)
class Codec:
    """What a protocol's trace file holds: everything the shared loader needs.

    ``messages``: the message classes by name; ``fields``: a reader for every
    field name those classes use (a field name means one thing across a
    protocol's messages); ``state``: reads an event's ``state`` (None: events
    carry none); ``event``: the protocol's `Event` class; ``check``: runs on
    the whole trace once it is read, and raises a one-line ``ValueError`` if
    the run it tells of could not have happened.
    """

    schema: str
    version: int
    kinds: tuple[str, ...]
    messages: Mapping[str, type]
    fields: Mapping[str, Reader]
    state: Reader | None = None
    event: type[Event] = Event
    check: Callable[[Any], None] | None = None

    def message(self, d: Any, where: str = "message") -> Any:
        """Read one message (the JSON of `Event.encode_message`)."""
        cls = self.messages[_tag(d, where, "type", sorted(self.messages))]
        args = {f: self.fields[f](d.get(f), f"{where} {f}") for f in cls.__dataclass_fields__}
        try:
            return cls(**args)
        except ValueError as e:  # a message class that validates itself (a §3 command)
            raise ValueError(f"trace: {where}: {one_line(e)}") from None

    def event_from_dict(self, d: Any, i: int) -> Event:
        where = f"event {i}"
        kind = _tag(d, where, "kind", self.kinds)
        t = d.get("time")
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) \
                or not 0 <= t <= 1e12:
            got = f", got {_kind(t)}" if isinstance(t, _Unreadable) else ""
            raise ValueError(f"trace: {where} time must be a finite number in 0..1e12{got}")
        msg, msg_id, state = d.get("message"), d.get("msg_id"), d.get("state")
        if state is not None and self.state is None:
            raise ValueError(f"trace: {where} state is not part of a {self.schema!r} trace")
        return self.event(
            step=integer(d.get("step"), f"{where} step"),
            time=float(t),
            kind=kind,
            agent=string(d.get("agent", ""), f"{where} agent", empty=True),
            message=None if msg is None else self.message(msg, f"{where} message"),
            msg_id=None if msg_id is None else integer(msg_id, f"{where} msg_id"),
            detail=string(d.get("detail", ""), f"{where} detail", MAX_TEXT, empty=True),
            state=None if state is None or self.state is None
            else self.state(state, f"{where} state"),
        )


def _tag(d: Any, where: str, key: str, allowed: Sequence[str]) -> str:
    """The ``key`` of the JSON object ``d`` (a message's type, an event's kind),
    which must be one of ``allowed``."""
    if not isinstance(d, dict):
        raise ValueError(f"trace: {where} must be an object")
    tag = d.get(key)
    # isinstance first: an unhashable tag (a list) would raise TypeError in `in`
    if not isinstance(tag, str) or tag not in allowed:
        raise ValueError(f"trace: {where} {key} must be one of {allowed}, "
                         f"got {str(tag)[:40]!r}")
    return tag


def _plain(data: Any, where: str) -> None:
    """Check free-form JSON (``meta``): no unreadable number, no unshowable text.
    Iterative: the parser has already bounded the depth."""
    todo = [(data, where)]
    while todo:
        v, at = todo.pop()
        if isinstance(v, _Unreadable):
            raise ValueError(f"trace: {at} must be a finite number, got {v.spelling}")
        if isinstance(v, float) and not math.isfinite(v):  # from_dict of Python data
            raise ValueError(f"trace: {at} must be a finite number, got {v}")
        if isinstance(v, str):
            _check_text(v, at, name=False)
        elif isinstance(v, dict):
            todo.extend((x, f"{at} {str(k)[:40]}") for k, x in v.items())
            todo.extend((k, f"{at} key") for k in v)
        elif isinstance(v, list):
            todo.extend((x, f"{at} item") for x in v)


def one_line(e: Exception) -> str:
    """An error's message for a ``trace: ...`` line: its first line, at most 200 characters."""
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__


# -- the consensus codec (§2) ------------------------------------------------------------


def _state(d: Any, where: str) -> dict[str, Any]:
    """An event's ``state``: an acceptor's storage, what a learner learned, what is chosen."""
    if not isinstance(d, dict):
        raise ValueError(f"trace: {where} must be an object")
    unknown = set(d) - set(STATE_KEYS)
    if unknown:
        raise ValueError(f"trace: {where} keys must be among {STATE_KEYS}, "
                         f"got {sorted(unknown)[:3]}")
    out: dict[str, Any] = {}
    if "promised" in d:
        p = d["promised"]
        out["promised"] = None if p is None else number(p, f"{where} promised")
    for key in ("accepted", "learned"):
        if key in d:
            out[key] = proposal(d[key], f"{where} {key}")
    if "chosen" in d:
        c = d["chosen"]
        if not isinstance(c, list) or len(c) > 64:
            raise ValueError(f"trace: {where} chosen must be a list of at most 64 proposals")
        out["chosen"] = [proposal(p, f"{where} chosen") for p in c]
    return out


def _rederive(trace: Trace) -> None:
    """Run the trace's events again through the agents (`paxos_notes.trace_replay`)."""
    # imported here: trace_replay runs the simulator, which imports this module
    from .trace_replay import rederive

    rederive(trace)


CONSENSUS = Codec(
    schema=SCHEMA, version=SCHEMA_VERSION, kinds=EVENT_KINDS, messages=MESSAGE_TYPES,
    fields={"sender": string, "receiver": string, "n": number, "value": string,
            "promised": number, "accepted": proposal},
    state=_state, check=_rederive,
)


def message_from_dict(d: Any, where: str = "message") -> Message:
    """A consensus message from its JSON (`message_to_dict`), validated."""
    return CONSENSUS.message(d, where)


# -- the container ---------------------------------------------------------------------


class TraceTooLarge(ValueError):
    """A trace whose JSON would be larger than the loader accepts (``MAX_FILE_BYTES``)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"trace: {size:,} bytes is more than the {limit:,} bytes "
                         f"a trace file may hold; nothing written")
        self.size, self.limit = size, limit


@dataclass
class Trace:
    """A run: ``meta`` (the header) and its ``events``, in order."""

    meta: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    codec: ClassVar[Codec] = CONSENSUS

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def append(self, event: Event) -> None:
        self.events.append(event)

    # -- JSON -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.codec.schema,
            "version": self.codec.version,
            "meta": self.meta,
            "events": [e.to_dict() for e in self.events],
        }

    def to_json(self) -> str:
        """Standard JSON only: a NaN or infinite number (which JSON cannot hold, and
        the loader refuses) is a ``ValueError`` naming where it is."""
        try:
            return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                              allow_nan=False) + "\n"
        except ValueError:
            bad = next((i for i, e in enumerate(self.events) if not math.isfinite(e.time)), None)
            where = "meta" if bad is None else f"event {bad} time"
            raise ValueError(f"trace: {where} holds NaN or an infinite number, which JSON "
                             f"cannot; not saved") from None

    def save(self, path: str | Path) -> None:
        """Write the trace as JSON to ``path``; `TraceTooLarge` (nothing written) if
        it would exceed the ``MAX_FILE_BYTES`` that `load` accepts: what this
        writes, the loader reads back."""
        data = self.to_json().encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            raise TraceTooLarge(len(data), MAX_FILE_BYTES)
        Path(path).write_bytes(data)

    @classmethod
    def from_json(cls, text: str) -> Trace:
        if len(text) > MAX_FILE_BYTES:
            raise ValueError(f"trace: file is larger than the {MAX_FILE_BYTES} bytes allowed")
        unreadable: list[_Unreadable] = []

        def note(v: Any) -> Any:
            if isinstance(v, _Unreadable):
                unreadable.append(v)
            return v

        try:
            data = json.loads(text, parse_constant=lambda s: note(_Unreadable(s)),
                              parse_float=lambda s: note(_unreadable_float(s)),
                              parse_int=lambda s: note(_unreadable_int(s)))
        except ValueError as e:  # JSONDecodeError
            raise ValueError(f"trace: not valid JSON ({one_line(e)})") from None
        except RecursionError:  # "[[[[..." deep enough to exhaust the stack
            raise ValueError("trace: not valid JSON (nested too deeply)") from None
        trace = cls.from_dict(data)  # names the field that holds an unreadable number
        if unreadable:  # ... unless no field reads it (a key this format does not use)
            raise ValueError(f"trace: {unreadable[0].spelling} is not a number JSON can hold "
                             f"(in a key this trace format does not use)")
        return trace

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
        codec = cls.codec
        if not isinstance(data, dict):
            raise ValueError("trace: the top level must be a JSON object")
        if data.get("schema") != codec.schema:
            # truncated: a hostile file must not put megabytes into the message
            got = repr(data.get("schema"))[:60]
            raise ValueError(f"trace: schema must be {codec.schema!r}, got {got}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("trace: version must be an integer")
        if version > codec.version:
            raise ValueError(
                f"trace: version {version} is newer than this paxos-notes reads "
                f"(allowed: 1..{codec.version}); upgrade paxos-notes"
            )
        if version < 1:
            raise ValueError(f"trace: version must be in 1..{codec.version}, got {version}")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ValueError("trace: meta must be an object")
        _plain(meta, "meta")
        events = data.get("events")
        if not isinstance(events, list):
            raise ValueError("trace: events must be a list")
        trace = cls(meta=meta, events=[codec.event_from_dict(e, i) for i, e in enumerate(events)])
        if codec.check is not None:
            codec.check(trace)  # the run must be one the protocol's code could produce
        return trace
