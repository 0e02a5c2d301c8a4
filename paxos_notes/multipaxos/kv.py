"""The replicated state machine: a key-value store with client sessions (§3).

§3 of *Paxos Made Simple* builds a replicated service from "a sequence of
separate instances of the Paxos consensus algorithm, the value chosen by the
i th instance being the i th state machine command in the sequence." Every
server runs the same deterministic machine over the same sequence, so every
server computes the same state and the same outputs.

This module is that machine, and nothing else: no network, no Paxos.

- A `Command` is what a client asks for: ``(client, request_id, op)``. Paxos
  instances choose plain strings (`paxos_notes.messages.Value`), so a command
  travels as its canonical JSON `Command.encode`; `NOOP` is the paper's
  "no-op" command that fills a gap.
- Operations are the tuples of `paxos_notes.multipaxos.linearizability`:
  ``("get", key)``, ``("put", key, value)``, ``("cas", key, expected, new)``,
  with the same outputs (``None`` for an absent key, ``"ok"``, ``True`` /
  ``False``), so client histories can be checked against ``KV``. A fourth
  operation, ``("reconfig", servers)``, changes the set of servers (§3: the
  set of servers is part of the state).
- `Machine` also keeps one session per client: the last request id it executed
  and that request's output. A retried request that was already executed is
  not executed again; its cached output is returned instead (at most once).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from ..agents import replace
from ..messages import Value

NOOP: Value = "no-op"
OP_KINDS = ("get", "put", "cas", "reconfig")
MAX_TEXT = 64  # keys, string data and client names
MAX_INT = 2**53  # JSON-safe integers

Op = tuple[Any, ...]
Output = Any


def _check_datum(what: str, v: object, none_ok: bool = False) -> None:
    if v is None and none_ok:
        return
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError(f"{what} must be an int or a str, got {v!r}")
    if isinstance(v, int) and not -MAX_INT <= v <= MAX_INT:
        raise ValueError(f"{what} must be an int in -{MAX_INT}..{MAX_INT}, got {v}")
    if isinstance(v, str) and not 1 <= len(v) <= MAX_TEXT:
        raise ValueError(f"{what} must be a str of 1..{MAX_TEXT} characters, got {v!r}")


def validate_op(op: object, servers: Sequence[str] | None = None) -> Op:
    """Return ``op`` as a tuple, or raise ``ValueError`` saying what is wrong.

    ``servers`` (the servers that exist) is needed only for ``reconfig``.
    """
    if isinstance(op, list):
        op = tuple(op)
    if not isinstance(op, tuple) or not op:
        raise ValueError(f"op must be a non-empty tuple (kind, args...), got {op!r}")
    kind = op[0]
    arity = {"get": 1, "put": 2, "cas": 3, "reconfig": 1}
    if kind not in arity:
        raise ValueError(f"op kind must be one of {OP_KINDS}, got {kind!r}")
    if len(op) - 1 != arity[kind]:
        raise ValueError(f"op {kind!r} takes {arity[kind]} argument(s), got {len(op) - 1}")
    if kind == "reconfig":
        members = op[1]
        if isinstance(members, list):
            members = tuple(members)
        if not isinstance(members, tuple) or not members:
            raise ValueError(f"reconfig servers must be a non-empty tuple, got {members!r}")
        if len(set(members)) != len(members):
            raise ValueError(f"reconfig servers must be distinct, got {members!r}")
        if servers is not None and not set(members) <= set(servers):
            raise ValueError(
                f"reconfig servers must be among {tuple(servers)}, got {members!r}")
        return ("reconfig", members)
    key = op[1]
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_TEXT:
        raise ValueError(f"key must be a str of 1..{MAX_TEXT} characters, got {key!r}")
    if kind == "put":
        _check_datum("put value", op[2])
    elif kind == "cas":
        _check_datum("cas expected", op[2], none_ok=True)
        _check_datum("cas new value", op[3])
    return op


def describe_op(op: Op) -> str:
    args = ", ".join(repr(a) for a in op[1:])
    return f"{op[0]}({args})"


@dataclass(frozen=True)
class Command:
    """A client's request: the ``request_id``-th operation of ``client``."""

    client: str
    request_id: int
    op: Op

    def __post_init__(self) -> None:
        if not isinstance(self.client, str) or not 1 <= len(self.client) <= MAX_TEXT:
            raise ValueError(f"client must be a str of 1..{MAX_TEXT} characters, "
                             f"got {self.client!r}")
        if isinstance(self.request_id, bool) or not isinstance(self.request_id, int) \
                or not 1 <= self.request_id <= MAX_INT:
            raise ValueError(f"request_id must be an int in 1..{MAX_INT}, "
                             f"got {self.request_id!r}")
        object.__setattr__(self, "op", validate_op(self.op))

    def encode(self) -> Value:
        """The value a Paxos instance chooses: canonical JSON (same command, same string)."""
        return self._encoded

    @cached_property
    def _encoded(self) -> Value:
        # Asked for on every request a server receives and every proposal it makes
        # (a retried request is the same object): a command is immutable, so the
        # JSON is made once.
        return _CANONICAL.encode({"client": self.client, "id": self.request_id,
                                  "op": list(self.op)})

    @staticmethod
    def decode(value: Value) -> Command | None:
        """The command a chosen value stands for; ``None`` for `NOOP`."""
        if value == NOOP:
            return None
        return _decode(value)

    def describe(self) -> str:
        return f"{self.client}#{self.request_id} {describe_op(self.op)}"


#: ``json.dumps(..., sort_keys=True, separators=(",", ":"))``, with the encoder made once
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=1 << 16)
def _decode(value: Value) -> Command:
    # Every server decodes every chosen command, and again on each restart's
    # replay: commands are immutable, so one decoding serves them all.
    try:
        d = json.loads(value)
        return Command(d["client"], d["id"], tuple(d["op"]))
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"value is neither {NOOP!r} nor an encoded command: "
                         f"{value[:80]!r} ({e})") from None


def describe_value(value: Value) -> str:
    """A chosen value in words: ``no-op`` or ``c1#3 put('x', 1)``."""
    command = Command.decode(value)
    return NOOP if command is None else command.describe()


def kv_step(data: dict[str, Any], op: Op) -> tuple[dict[str, Any], Output]:
    """One key-value operation on ``data`` (never mutated): the new map and the output."""
    kind, key = op[0], op[1]
    current = data.get(key)
    if kind == "get":
        return data, current
    if kind == "put":
        return {**data, key: op[2]}, "ok"
    if kind == "cas":
        if current == op[2]:
            return {**data, key: op[3]}, True
        return data, False
    raise ValueError(f"op kind must be get, put or cas here, got {kind!r}")


@dataclass(frozen=True)
class Machine:
    """The deterministic state machine every server runs (§3).

    ``executed`` commands have been applied, in instance order. ``configs`` lists
    ``(first_instance, servers)``: §3 makes the set of servers part of the state,
    and lets the state after command i name the servers of instance i+α; so a
    ``reconfig`` executed as command i takes effect at instance i + ``alpha``.
    """

    initial: tuple[str, ...]
    alpha: int
    universe: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, tuple[int, Output]] = field(default_factory=dict)
    configs: tuple[tuple[int, tuple[str, ...]], ...] = ()
    executed: int = 0

    def __post_init__(self) -> None:
        if not self.configs:
            object.__setattr__(self, "configs", ((1, tuple(self.initial)),))

    # -- configurations ---------------------------------------------------
    def config_for(self, instance: int) -> tuple[str, ...]:
        """The servers of ``instance``; known only up to ``executed + alpha``."""
        if not 1 <= instance <= self.executed + self.alpha:
            raise ValueError(
                f"instance must be in 1..{self.executed + self.alpha} (executed + alpha): "
                f"the configuration of a later instance is not determined yet, got {instance}")
        members = self.configs[0][1]
        for first, servers in self.configs:
            if first <= instance:
                members = servers
        return members

    @property
    def latest_config(self) -> tuple[str, ...]:
        """The servers of the last instance whose configuration is known."""
        return self.config_for(self.executed + self.alpha)

    def window_members(self) -> tuple[str, ...]:
        """Every server of some instance in ``executed+1 .. executed+alpha``."""
        lo, hi = self.executed + 1, self.executed + self.alpha
        seen: dict[str, None] = dict.fromkeys(self.config_for(lo))
        for first, servers in self.configs:
            if lo < first <= hi:
                seen.update(dict.fromkeys(servers))
        return tuple(seen)

    # -- sessions -----------------------------------------------------------
    def session(self, client: str) -> tuple[int, Output] | None:
        """``(last executed request id, its output)`` for ``client``, if any."""
        return self.sessions.get(client)

    def executed_request(self, command: Command) -> bool:
        s = self.sessions.get(command.client)
        return s is not None and command.request_id <= s[0]

    # -- executing ----------------------------------------------------------
    def apply(self, value: Value) -> tuple[Machine, Command | None, Output]:
        """Execute the next command (instance ``executed + 1``).

        Returns the new machine, the command (``None`` for a no-op) and the
        output to reply with. A request whose id is not above the client's last
        executed one is a retry: nothing changes, and the cached output is
        returned (``None`` if it is older than the last).
        """
        instance = self.executed + 1
        command = Command.decode(value)
        if command is None:
            return replace(self, executed=instance), None, None
        s = self.sessions.get(command.client)
        if s is not None and command.request_id <= s[0]:
            output = s[1] if command.request_id == s[0] else None
            return replace(self, executed=instance), command, output
        data, configs, output = self._effect(command, instance, self.data, self.configs)
        sessions = {**self.sessions, command.client: (command.request_id, output)}
        new = replace(self, data=data, sessions=sessions, configs=configs, executed=instance)
        return new, command, output

    def _effect(self, command: Command, instance: int, data: dict[str, Any],
                configs: tuple[tuple[int, tuple[str, ...]], ...],
                ) -> tuple[dict[str, Any], tuple[tuple[int, tuple[str, ...]], ...], Output]:
        """What executing a new request in ``instance`` does: the new data, the
        new configurations and the output (sessions are the caller's business)."""
        op = command.op
        if op[0] != "reconfig":
            data, output = kv_step(data, op)
            return data, configs, output
        try:
            members = validate_op(op, self.universe or None)[1]
        except ValueError as e:
            return data, configs, f"error: {e}"
        return data, (*configs, (instance + self.alpha, members)), "ok"

    def apply_all(self, values: Iterable[Value]) -> Machine:
        """Execute several commands in a row: the machine that `apply`, called
        on each in turn, ends with — built once (a restart replays a whole log)."""
        data, configs, executed = self.data, self.configs, self.executed
        sessions = dict(self.sessions)
        for value in values:
            executed += 1
            command = Command.decode(value)
            if command is None:
                continue
            s = sessions.get(command.client)
            if s is not None and command.request_id <= s[0]:
                continue
            data, configs, output = self._effect(command, executed, data, configs)
            sessions[command.client] = (command.request_id, output)
        return replace(self, data=data, sessions=sessions, configs=configs, executed=executed)

    def snapshot(self) -> tuple[Hashable, ...]:
        """The state as a hashable value (for comparing servers)."""
        return (self.executed, frozenset(self.data.items()),
                frozenset(self.sessions.items()), self.configs)
