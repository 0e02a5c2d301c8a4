"""A client of the replicated key-value store (§3).

Pure, like the servers: `Client.invoke` returns the `Request` to send,
`Client.receive` handles a `Reply` or a `Redirect`, `Client.retry` is the
driver's timer firing. A client has at most one request outstanding and numbers
its requests 1, 2, 3, ...; a retry sends the *same* request (same id) again,
to the next server, so the state machine's session table can execute it at most
once however many copies get chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .kv import Command, Op, validate_op
from .messages import Message, Redirect, Reply, Request

MAX_HOPS = 2  # redirects followed at once before waiting for the retry timer


@dataclass(frozen=True)
class Client:
    """``servers``: whom the client may ask, in the order it tries them."""

    name: str
    servers: tuple[str, ...]
    target: int = 0
    next_id: int = 1
    outstanding: Command | None = None
    last: tuple[int, Any] | None = None  # (request id, output) of the last completed
    hops: int = 0

    def __post_init__(self) -> None:
        if not self.servers:
            raise ValueError("servers must name at least one server")

    @property
    def busy(self) -> bool:
        return self.outstanding is not None

    def _send(self, command: Command) -> Request:
        return Request(self.name, self.servers[self.target % len(self.servers)], command)

    def invoke(self, op: Op) -> tuple[Client, tuple[Message, ...]]:
        """Start the next operation; ``ValueError`` if one is outstanding."""
        if self.outstanding is not None:
            raise ValueError(f"client {self.name} already has request "
                             f"#{self.outstanding.request_id} outstanding")
        command = Command(self.name, self.next_id, validate_op(op, self.servers))
        new = replace(self, next_id=self.next_id + 1, outstanding=command, hops=0)
        return new, (new._send(command),)

    def retry(self) -> tuple[Client, tuple[Message, ...]]:
        """No answer in time: send the same request to the next server."""
        if self.outstanding is None:
            return self, ()
        new = replace(self, target=(self.target + 1) % len(self.servers), hops=0)
        return new, (new._send(self.outstanding),)

    def receive(self, message: Message) -> tuple[Client, tuple[Message, ...]]:
        out = self.outstanding
        if out is None or message.receiver != self.name:
            return self, ()
        if isinstance(message, Reply) and message.request_id == out.request_id:
            return replace(self, outstanding=None, last=(out.request_id, message.output)), ()
        if isinstance(message, Redirect) and message.request_id == out.request_id:
            hint = message.leader
            if hint in self.servers and hint != message.sender and self.hops < MAX_HOPS:
                new = replace(self, target=self.servers.index(hint), hops=self.hops + 1)
                return new, (new._send(out),)
            return replace(self, target=(self.target + 1) % len(self.servers)), ()
        return self, ()
