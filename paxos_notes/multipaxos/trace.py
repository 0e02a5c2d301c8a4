"""Traces of replicated-state-machine runs, as plain JSON records (§3).

The container, the file format and the hardened loader are those of
`paxos_notes.trace`; this module is only the §3 codec: the schema name, the
event kinds — besides the network's, clients' ``invoke`` / ``complete``,
servers' ``local`` messages (to their own acceptor), ``campaign`` /
``elected`` / ``step-down``, ``learn`` (a server learns an instance's
command) and ``execute`` — and how to read each field of the messages of
`paxos_notes.multipaxos.messages`. A loaded trace holds those message
objects again, validated like the consensus ones. Same run, same JSON, byte
for byte.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import trace as core
from ..trace_replay import check_network
from .kv import MAX_INT as MAX_DATUM
from .kv import Command
from .messages import MESSAGE_TYPES, message_to_dict

SCHEMA = "paxos-notes/multipaxos-trace"
SCHEMA_VERSION = 1
EVENT_KINDS = (
    "send", "local", "deliver", "drop", "duplicate", "crash", "restart", "partition", "heal",
    "invoke", "complete", "campaign", "elected", "step-down", "learn", "execute", "violation",
)


class Event(core.Event):
    """One thing that happened in a §3 run (no ``state``: the servers' logs are
    in the messages and the ``learn`` / ``execute`` events)."""

    __slots__ = ()
    encode_message: ClassVar = staticmethod(message_to_dict)


def _pair(second: core.Reader) -> core.Reader:
    """``[instance, x]``, with ``x`` read by ``second``."""
    def read(v: Any, where: str) -> tuple[int, Any]:
        if not isinstance(v, list) or len(v) != 2:
            raise ValueError(f"trace: {where} must be a pair [instance, ...]")
        return core.integer(v[0], f"{where} instance"), second(v[1], where)
    return read


def _proposal(v: Any, where: str) -> Any:
    if v is None:
        raise ValueError(f"trace: {where} must be an object")
    return core.proposal(v, where, core.text)


def _operation_part(v: Any, where: str) -> Any:
    """One element of an operation: a key, a datum, or a ``reconfig``'s servers."""
    if isinstance(v, list):
        return core.listed(v, where, core.string, 64)
    if v is None or isinstance(v, (str, int)):  # kv's own checks bound them
        return v
    raise ValueError(f"trace: {where} must be a string, an integer, null or a list")


def _command(v: Any, where: str) -> Command:
    if not isinstance(v, dict):
        raise ValueError(f"trace: {where} must be an object")
    op = core.listed(v.get("op"), f"{where} op", _operation_part, 4)
    client = core.string(v.get("client"), f"{where} client")
    request_id = core.integer(v.get("id"), f"{where} id", 1, MAX_DATUM)
    try:
        return Command(client, request_id, op)
    except ValueError as e:
        raise ValueError(f"trace: {where}: {core.one_line(e)}") from None


def _output(v: Any, where: str) -> Any:
    """What the state machine answered: null, a boolean, an integer or a string."""
    if isinstance(v, int) and not isinstance(v, bool):
        return core.integer(v, where, -MAX_DATUM, MAX_DATUM)
    if isinstance(v, str):
        return core.string(v, where, core.MAX_TEXT, empty=True)
    if v is None or isinstance(v, bool):
        return v
    raise ValueError(f"trace: {where} must be null, a boolean, an integer or a string")


def _leader(v: Any, where: str) -> str | None:
    return None if v is None else core.string(v, where)


#: Messages between a client and a server; every other message is between servers.
FROM_CLIENT, TO_CLIENT = ("Request",), ("Reply", "Redirect")
#: Events of a server, and of a client.
SERVER_EVENTS = ("crash", "restart", "local", "campaign", "elected", "step-down", "learn",
                 "execute")
CLIENT_EVENTS = ("invoke", "complete")


def _check(trace: core.Trace) -> None:
    """What loading checks of a §3 run: the network's bookkeeping (`check_network`:
    ids, messages in flight, crashes, partitions, time) and who may be what: the
    header's servers, and clients (any other name) only at a client's end of a
    ``Request``, ``Reply`` or ``Redirect``. The servers' handlers are not run again."""
    servers = trace.meta.get("servers")
    if not isinstance(servers, list) or not servers or \
            not all(isinstance(s, str) for s in servers):
        raise ValueError("trace: meta: servers must be a non-empty list of server names")
    known = frozenset(servers)
    for i, e in enumerate(trace.events):
        m = e.message
        if e.agent and (e.kind in SERVER_EVENTS) != (e.agent in known) and \
                e.kind in SERVER_EVENTS + CLIENT_EVENTS:
            role = "server" if e.kind in SERVER_EVENTS else "client"
            raise ValueError(f"trace: event {i}: {e.kind} must name a {role}, got "
                             f"{e.agent[:64]!r} (servers: {sorted(known)[:8]})")
        if m is not None:
            name = type(m).__name__
            client = m.sender if name in FROM_CLIENT else m.receiver if name in TO_CLIENT \
                else None
            for who in (m.sender, m.receiver):
                if (who in known) == (who == client):
                    role = "a client" if who == client else "one of the header's servers"
                    raise ValueError(f"trace: event {i}: {name}'s {who[:64]!r} must be {role}")
    check_network(trace.events, known)


CODEC = core.Codec(
    schema=SCHEMA, version=SCHEMA_VERSION, kinds=EVENT_KINDS, messages=MESSAGE_TYPES,
    fields={
        "sender": core.string, "receiver": core.string, "n": core.number,
        "promised": core.number, "gaps": lambda v, w: core.listed(v, w, core.integer),
        "above": core.integer, "instance": core.integer, "known": core.integer,
        "value": core.text, "accepted": lambda v, w: core.listed(v, w, _pair(_proposal)),
        "decisions": lambda v, w: core.listed(v, w, _pair(core.text)),
        "command": _command, "request_id": lambda v, w: core.integer(v, w, 0, MAX_DATUM),
        "output": _output, "leader": _leader,
    },
    event=Event, check=_check,
)


class Trace(core.Trace):
    """A §3 run: the one `paxos_notes.trace.Trace`, read and written with `CODEC`."""

    codec: ClassVar[core.Codec] = CODEC
