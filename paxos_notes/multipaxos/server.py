"""A replica: proposer, acceptor and learner in every instance at once (§3).

§3 of *Paxos Made Simple* runs "a sequence of separate instances of the Paxos
consensus algorithm, the value chosen by the i th instance being the i th state
machine command in the sequence", with one elected leader as the distinguished
proposer of every instance (§2.5: "The algorithm chooses a leader, which plays
the roles of the distinguished proposer and the distinguished learner.").

A `Server` is a frozen dataclass and a pure state machine in the style of
`paxos_notes.agents`: ``receive(message) -> (new_server, messages)``, plus two
timer inputs, `Server.tick` (the heartbeat interval) and
`Server.election_timeout`, whose *timing* (randomized) is the driver's business.
No I/O, no clock, no randomness in here. Messages a server addresses to itself
are handled by the caller, like any others (`settle` does it locally).

How the per-instance rules are reused, not rewritten
----------------------------------------------------
Per instance, the server keeps exactly what §2.2 says an acceptor must
remember — a `paxos_notes.agents.AcceptorStorage` — and runs the core
`paxos_notes.agents.Acceptor` on it: `Acceptor.on_prepare` (phase 1(b), with
the paper's optimization), `Acceptor.on_accept` (phase 2(b), P1a). Values are
chosen by `paxos_notes.agents.Proposer.choose_value` (phase 2(a)'s "value of
the highest-numbered proposal among the responses"), and the leader learns with
`paxos_notes.agents.Learner` (§2.3: a majority accepted one proposal). Only the
*bookkeeping* across instances is new:

- Infinitely many instances have never been touched by this acceptor; they all
  share one `Stable.rest` storage (a promise, nothing accepted). A `Prepare`
  covers the instances listed in ``gaps`` and every instance from ``above`` on —
  one short message with one number, for infinitely many instances (§3) — and
  is answered only if the core acceptor promises in *every* instance it
  covers, or else not at all (§2.2: "An acceptor can ignore any request
  without compromising safety").
  The new promise of ``rest`` also covers untouched instances below ``above``:
  that only refuses more, which is always safe.
- The leader picks each instance's value when it reaches it in phase 2: the
  value reported by the promises if any (constrained), a ``no-op`` if the
  instance lies below something already chosen or reported (a gap), else the
  next client command. (§3: "Key to the efficiency of this approach is that
  ... the value to be proposed is not chosen until phase 2.")
- The window α: the leader proposes instance s only once instances 1..s−α are
  executed, so at most α proposals are outstanding and at most α−1 gaps can
  appear (§3).
- Chosen commands travel to the other servers piggybacked on the leader's next
  `Accept` or `Heartbeat` (the distinguished learner informing the others,
  §2.3); the servers report how far they know in `Accepted` / `Ack`.
- Reconfiguration (§3): the servers of instance i+α are fixed by the state
  after command i (`paxos_notes.multipaxos.kv.Machine.config_for`). A leader
  that reaches an instance whose servers did not promise asks them, with the
  same number, for the instances from there on.

What survives a crash (`Stable`): the per-instance acceptor storage, the
highest number tried (§2.5) and the chosen log; the state machine is rebuilt by
replaying the log. Everything about leading is volatile.

Broken on purpose
-----------------
``Setup(broken=...)`` switches off one of the rules above, to show what it is
for (`BROKEN`): ``"skip-phase1"`` — a new leader proposes without phase 1, and
can overwrite a command already chosen; ``"no-gap-fill"`` — a new leader leaves
the gaps empty, and since a server executes commands in instance order, as a
state machine must, execution stops at the first gap and every command chosen
after it waits. The switch lives in `campaign`, `_phase1_done` and
`_fill_window`, nowhere else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import messages as core
from ..agents import (
    Acceptor,
    AcceptorStorage,
    Learner,
    Proposer,
    RepeatedPrepareAcceptor,
    replace,
)
from ..ballots import Allocator, ProposalNumber
from ..election import on_election_timeout
from ..messages import Proposal, Value
from ..quorums import MAX_ACCEPTORS, Majority
from .instances import InstanceMap
from .kv import NOOP, Command, Machine
from .messages import (
    Accept,
    Accepted,
    Ack,
    Decisions,
    Heartbeat,
    Message,
    Nack,
    Prepare,
    Promise,
    Redirect,
    Reply,
    Request,
)

MAX_SERVERS = MAX_ACCEPTORS
MAX_ALPHA = 1000
MAX_BATCH = 1000
CHECKPOINT = 100  # commands between two checkpoints of the state machine

#: What ``Setup(broken=...)`` can break, to show what each rule is for:
#:
#: - ``"skip-phase1"``: a new leader skips phase 1 and proposes its own
#:   commands in the instances it does not know about — so it can overwrite
#:   a command already chosen (the §2.2 rule P2c, which phase 1 exists for);
#: - ``"no-gap-fill"``: a new leader does not fill gaps with no-ops; nothing
#:   is ever proposed in them, so the servers, which execute in instance order,
#:   stop at the first gap for good (§3: the no-ops are what let 1–140 be
#:   executed). Safety holds; the service stops answering.
BROKEN = ("skip-phase1", "no-gap-fill")

#: The paper's acceptor, except that it answers a prepare numbered *equal* to
#: its promise again, so that a leader whose promise got lost can ask again with
#: the same number: the checker's ``repeated-prepare`` variant, found safe.
ServerAcceptor = RepeatedPrepareAcceptor


def _positive_int(name: str, v: object, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
        raise ValueError(f"{name} must be an integer in 1..{hi}, got {v!r}")
    return v


@dataclass(frozen=True)
class Setup:
    """What every server knows before it starts.

    ``servers``: every server that may ever take part (each draws proposal
    numbers from its own set, §2.5); ``initial``: the first configuration
    (default: all of them); ``alpha``: the window of §3; ``batch``: at most
    this many chosen commands piggybacked on one message; ``broken``: ``None``
    (the paper's algorithm) or one of `BROKEN`, to watch it fail.
    """

    servers: tuple[str, ...] = ("s1", "s2", "s3")
    initial: tuple[str, ...] = ()
    alpha: int = 3
    batch: int = 16
    broken: str | None = None

    def __post_init__(self) -> None:
        servers = tuple(self.servers)
        if not 1 <= len(servers) <= MAX_SERVERS:
            raise ValueError(f"servers must name 1..{MAX_SERVERS} servers, got {len(servers)}")
        if len(set(servers)) != len(servers):
            raise ValueError(f"servers must be distinct, got {servers}")
        for s in servers:
            # printable: a name is drawn and saved in traces (no NUL, no lone surrogate)
            if not isinstance(s, str) or not 1 <= len(s) <= 32 or not s.isprintable():
                raise ValueError(f"server names must be strings of 1..32 characters, "
                                 f"all printable, got {s!r}")
        initial = tuple(self.initial) or servers
        if len(set(initial)) != len(initial) or not set(initial) <= set(servers):
            raise ValueError(f"initial must be distinct names among servers {servers}, "
                             f"got {initial}")
        _positive_int("alpha", self.alpha, MAX_ALPHA)
        _positive_int("batch", self.batch, MAX_BATCH)
        if self.broken is not None and self.broken not in BROKEN:
            raise ValueError(f"broken must be None or one of {BROKEN}, got {self.broken!r}")
        object.__setattr__(self, "servers", servers)
        object.__setattr__(self, "initial", initial)

    @property
    def allocator(self) -> Allocator:
        return _allocator(len(self.servers))

    def index(self, name: str) -> int:
        if name not in self.servers:
            raise ValueError(f"server must be one of {self.servers}, got {name!r}")
        return self.servers.index(name)

    def machine(self) -> Machine:
        """A fresh state machine (nothing executed)."""
        return Machine(self.initial, self.alpha, self.servers)


@lru_cache(maxsize=64)
def _allocator(n: int) -> Allocator:
    return Allocator(n)


@lru_cache(maxsize=1024)
def majority(servers: tuple[str, ...]) -> Majority:
    """The paper's quorums over one configuration."""
    return Majority(servers)


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stable:
    """What a server keeps on stable storage.

    ``instances``: the acceptor's `AcceptorStorage` in each instance it has
    touched since the last checkpoint; ``settled``: in those it touched
    before; ``rest``: the storage every other instance shares. ``chosen``: the
    log of commands this server knows to be chosen, by instance.
    ``checkpoint``: the state machine after some prefix of that log, saved
    every `CHECKPOINT` commands, so that a restart replays only what follows
    (an optimization real servers make; nothing in the paper depends on it).

    Why two maps for the acceptor: a frozen server makes a new map on every
    accept, and a dict of the whole log would make each message cost the
    length of the log (a run, its square). So the dict holds only the
    instances since the last checkpoint, and at each checkpoint its older
    entries move to ``settled``, an `InstanceMap` (like ``chosen``) that
    changes by copying a few nodes, not the log.
    """

    instances: dict[int, AcceptorStorage] = field(default_factory=dict)
    rest: AcceptorStorage = field(default_factory=AcceptorStorage)
    highest_tried: ProposalNumber | None = None
    chosen: InstanceMap[Value] = field(default_factory=InstanceMap)
    checkpoint: Machine | None = None
    settled: InstanceMap[AcceptorStorage] = field(default_factory=InstanceMap)

    def __post_init__(self) -> None:
        for name in ("chosen", "settled"):  # a dict is welcome; keep it as a map
            if not isinstance(getattr(self, name), InstanceMap):
                object.__setattr__(self, name, InstanceMap(getattr(self, name)))

    def storage(self, instance: int) -> AcceptorStorage:
        found = self.instances.get(instance)
        return found if found is not None else self.settled.get(instance, self.rest)

    def touched(self, first: int) -> set[int]:
        """The instances from ``first`` on with storage of their own."""
        return {s for s in self.instances if s >= first} | set(
            self.settled.from_instance(first))

    def settle(self, upto: int) -> Stable:
        """The same storage, with the entries of ``instances`` up to ``upto``
        moved to ``settled``."""
        old = [(s, v) for s, v in self.instances.items() if s <= upto]
        if not old:
            return self
        return replace(self, instances={s: v for s, v in self.instances.items() if s > upto},
                       settled=self.settled.set_all(old))


@dataclass(frozen=True)
class Leadership:
    """A candidate's (phase 1 running) or leader's (``elected``) volatile state.

    ``gaps`` / ``above``: what its phase 1 asked for. ``top``: the highest
    instance it knew chosen or saw reported — below it, an unconstrained
    instance is a gap and gets a no-op. ``next_instance``: where phase 2
    continues. ``proposals`` are outstanding (sent, not yet known chosen), each
    with a core `Learner` counting acceptances. ``constrained`` / ``noops``
    record what phase 1 found, for the reader.
    """

    number: ProposalNumber
    gaps: tuple[int, ...]
    above: int
    top: int = 0
    promises: tuple[Promise, ...] = ()
    elected: bool = False
    next_instance: int = 1
    proposals: dict[int, Value] = field(default_factory=dict)
    learners: dict[int, Learner] = field(default_factory=dict)
    sent_at: dict[int, int] = field(default_factory=dict)
    queue: tuple[Command, ...] = ()
    known_by: dict[str, int] = field(default_factory=dict)
    ticks: int = 0
    contacted: frozenset[str] = frozenset()
    asked_at: int = -2
    constrained: tuple[int, ...] = ()
    noops: tuple[int, ...] = ()

    def promisers(self, instance: int, servers: Sequence[str]) -> set[str]:
        return {p.sender for p in self.promises if p.sender in servers and p.covers(instance)}


_UNKNOWN: Any = object()  # not in a server's log (None could be a value)


def _first(out: Iterable[object], kind: type) -> object | None:
    for m in out:  # a plain loop: this runs on every prepare and accept
        if isinstance(m, kind):
            return m
    return None


@dataclass(frozen=True)
class Server:
    """One replica. Build with ``Server(name, setup)``."""

    name: str
    setup: Setup
    stable: Stable = field(default_factory=Stable)
    machine: Machine | None = None
    leadership: Leadership | None = None
    leader: str | None = None
    heard: bool = False
    highest_seen: ProposalNumber | None = None
    up: bool = True

    def __post_init__(self) -> None:
        self.setup.index(self.name)
        if self.machine is None:
            object.__setattr__(self, "machine", _replay(self.setup, self.stable))

    # -- views ----------------------------------------------------------------
    @property
    def sm(self) -> Machine:
        assert self.machine is not None
        return self.machine

    @property
    def executed(self) -> int:
        """How many commands the state machine executed."""
        return self.sm.executed

    def executed_instances(self) -> Sequence[int]:
        """The instances executed, in the order they were: 1, 2, 3, ... always, since
        a server executes in instance order (§3)."""
        return range(1, self.sm.executed + 1)

    @property
    def is_leader(self) -> bool:
        return self.up and self.leadership is not None and self.leadership.elected

    @property
    def role(self) -> str:
        if not self.up:
            return "down"
        if self.leadership is None:
            return "follower"
        return "leader" if self.leadership.elected else "candidate"

    def log(self) -> list[Value]:
        """The executed commands, in order: the i-th is instance i's."""
        chosen = self.stable.chosen
        return [chosen[i] for i in self.executed_instances()]

    def _config(self, instance: int) -> tuple[str, ...]:
        """The servers of ``instance`` (fixed by the state after command i − α)."""
        return self.sm.config_for(instance)

    def _acceptor(self, storage: AcceptorStorage, learners: tuple[str, ...] = ()) -> Acceptor:
        """The core acceptor of one instance, over that instance's storage."""
        return ServerAcceptor(self.name, learners, stable=storage)

    # -- dispatch -------------------------------------------------------------
    def receive(self, message: Message) -> tuple[Server, tuple[Message, ...]]:
        """Handle one message; a stopped server receives nothing."""
        if not self.up or message.receiver != self.name:
            return self, ()
        handler = _HANDLERS.get(type(message))
        if handler is None:
            return self, ()
        new, out = getattr(self, handler)(message)
        return new, tuple(out)

    # -- acceptor: phase 1(b) for many instances at once ------------------------
    def on_prepare(self, m: Prepare) -> tuple[Server, list[Message]]:
        """Phase 1(b) in every instance ``m`` covers, with the core rule.

        Each covered instance that this acceptor has touched, and the shared
        storage of all the others, goes through `Acceptor.on_prepare`. If every
        one of them promises, the answer is one `Promise` listing the proposals
        accepted in those instances; if any refuses, the whole request is
        ignored (a `Nack` tells the sender about a higher number).
        """
        st = self.stable
        request = core.Prepare(m.sender, self.name, m.n)
        involved = sorted(set(m.gaps) | st.touched(m.above))
        instances = dict(st.instances)
        reports: list[tuple[int, Proposal]] = []
        for s in involved:
            new, out = self._acceptor(st.storage(s)).on_prepare(request)
            promise = _first(out, core.Promise)
            if promise is None:
                return self, self._refusal(m, involved)
            assert isinstance(promise, core.Promise)
            instances[s] = new.stable
            if promise.accepted is not None:
                reports.append((s, promise.accepted))
        new_rest, out = self._acceptor(st.rest).on_prepare(request)
        if _first(out, core.Promise) is None:
            return self, self._refusal(m, involved)
        rest, settled = new_rest.stable, st.settled
        for s in involved:  # an instance now like every untouched one needs no entry
            if instances[s] == rest:
                del instances[s]
                settled = settled.remove(s)
        server = replace(self, stable=replace(st, instances=instances, rest=rest,
                                              settled=settled))
        if server.leadership is not None and server.leadership.number < m.n:
            server = server._step_down(m.n)
        if m.sender != self.name:
            server = replace(server, leader=m.sender, heard=True)
        reply = Promise(self.name, m.sender, m.n, m.gaps, m.above, tuple(reports))
        return server, [reply]

    def _refusal(self, m: Prepare | Accept, involved: Iterable[int] = ()) -> list[Message]:
        """The optional hint (§2.2) that a number above ``m.n`` is in play here."""
        numbers = [self.stable.rest.promised]
        for s in involved:
            st = self.stable.storage(s)
            numbers += [st.promised, st.accepted.number if st.accepted else None]
        highest = max((x for x in numbers if x is not None), default=None)
        if highest is not None and highest > m.n:
            return [Nack(self.name, m.sender, m.n, highest)]
        return []

    # -- acceptor: phase 2(b) in one instance ------------------------------------
    def on_accept(self, m: Accept) -> tuple[Server, list[Message]]:
        """Phase 2(b) in ``m.instance``, by the core `Acceptor.on_accept` (P1a)."""
        server = self._follow(m.sender, m.n)
        server, out = server._learn(m.decisions)
        storage = server.stable.storage(m.instance)
        acc = server._acceptor(storage, learners=(m.sender,))
        new, res = acc.on_accept(core.Accept(m.sender, self.name, m.n, m.value))
        if _first(res, core.Accepted) is None:
            return server, out + server._refusal(m, (m.instance,))
        instances = {**server.stable.instances, m.instance: new.stable}
        server = replace(server, stable=replace(server.stable, instances=instances))
        reply = Accepted(self.name, m.sender, m.n, m.instance, m.value, server.executed + 1)
        return server, [reply, *out]

    # -- follower ---------------------------------------------------------------
    def _follow(self, sender: str, n: ProposalNumber) -> Server:
        """Take ``sender`` (using number ``n``) as leader unless a higher number
        was promised; a candidate or leader with a lower number steps down."""
        promised = self.stable.rest.promised
        if promised is not None and n < promised:
            return self
        server = self
        if server.leadership is not None and server.leadership.number < n:
            server = server._step_down(n)
        if server.leader == sender and server.heard:
            return server  # the usual case: following this leader already
        return replace(server, leader=sender, heard=True)

    def _learn(self, decisions: Decisions) -> tuple[Server, list[Message]]:
        """Record commands the leader reports chosen, then execute what we can.
        (Agents are non-Byzantine: a server's word that a value is chosen is
        as good as `paxos_notes.agents.Learner.on_chosen` takes it.)"""
        chosen = self.stable.chosen
        new = {s: v for s, v in decisions if s not in chosen}
        if not new:
            return self, []
        server = replace(self, stable=replace(self.stable, chosen=chosen.set_all(new.items())))
        return server._execute()

    def on_heartbeat(self, m: Heartbeat) -> tuple[Server, list[Message]]:
        promised = self.stable.rest.promised
        if promised is not None and m.n < promised:
            return self, [Nack(self.name, m.sender, m.n, promised)]
        server, out = self._follow(m.sender, m.n)._learn(m.decisions)
        return server, [Ack(self.name, m.sender, m.n, server.executed + 1), *out]

    # -- executing ----------------------------------------------------------------
    def _execute(self) -> tuple[Server, list[Message]]:
        """Apply chosen commands in instance order; the leader replies to clients."""
        machine, chosen = self.sm, self.stable.chosen
        replies: list[Message] = []
        if machine.executed + 1 not in chosen:
            return self, replies
        while machine.executed + 1 in chosen:
            machine, command, output = machine.apply(chosen[machine.executed + 1])
            if command is not None and self.is_leader:
                replies.append(Reply(self.name, command.client, command.request_id, output))
        return self._executed(machine, replies)

    def _executed(self, machine: Machine, replies: list[Message]) -> tuple[Server, list[Message]]:
        server = replace(self, machine=machine)
        if self.setup.broken is None and \
                machine.executed // CHECKPOINT > self.sm.executed // CHECKPOINT:
            server = replace(server, stable=replace(self.stable.settle(machine.executed),
                                                    checkpoint=machine))
        lead = server.leadership
        if lead is not None:
            if self.name not in machine.latest_config:
                return server._step_down(None), replies  # reconfigured away
            queue = tuple(c for c in lead.queue if not machine.executed_request(c))
            if len(queue) < len(lead.queue):
                server = replace(server, leadership=replace(lead, queue=queue))
        return server, replies

    # -- clients --------------------------------------------------------------------
    def on_request(self, m: Request) -> tuple[Server, list[Message]]:
        cmd = m.command
        lead = self.leadership
        if lead is None:
            hint = self.leader if self.leader != self.name else None
            return self, [Redirect(self.name, m.sender, cmd.request_id, hint)]
        session = self.sm.session(cmd.client)
        if session is not None and cmd.request_id <= session[0]:
            # Executed already: a retry. At most once — answer from the session.
            if cmd.request_id == session[0] and lead.elected:
                return self, [Reply(self.name, cmd.client, cmd.request_id, session[1])]
            return self, []
        if cmd in lead.queue or cmd.encode() in lead.proposals.values():
            return self, []
        server = replace(self, leadership=replace(lead, queue=(*lead.queue, cmd)))
        if not lead.elected:
            return server, []
        return server._fill_window()

    # -- proposer: phase 1(a) -----------------------------------------------------
    def campaign(self) -> tuple[Server, list[Message]]:
        """Phase 1(a) for every instance this server does not know to be chosen.

        §3: the new leader runs phase 1 for the instances missing below the
        highest one it knows and for all instances above it, in one message
        with one proposal number (from its own set, above any it has tried or
        heard of, §2.5).

        With ``broken="skip-phase1"`` it sends no prepare: it takes itself for
        the leader at once and proposes (`_fill_window`) without having asked
        what the acceptors accepted.
        """
        if not self.up:
            return self, []
        seen = [x for x in (self.stable.highest_tried, self.stable.rest.promised,
                            self.highest_seen) if x is not None]
        n = self.setup.allocator.next_above(self.setup.index(self.name), max(seen, default=None))
        chosen, executed = self.stable.chosen, self.executed
        top = chosen.highest(default=0)
        gaps = tuple(s for s in range(executed + 1, top + 1) if s not in chosen)
        above = max(top, executed) + 1
        queue = self.leadership.queue if self.leadership is not None else ()
        lead = Leadership(number=n, gaps=gaps, above=above, top=top,
                          next_instance=executed + 1, queue=queue)
        if self.setup.broken == "skip-phase1":
            lead = replace(lead, elected=True)
            server = replace(self, stable=replace(self.stable, highest_tried=n),
                             leadership=lead, leader=self.name, heard=False)
            server, out = server._fill_window()
            server, beats = server._heartbeats()
            return server, out + beats
        server = replace(self, stable=replace(self.stable, highest_tried=n), leadership=lead,
                         leader=None, heard=False)
        return server, [Prepare(self.name, x, n, gaps, above)
                        for x in self.sm.window_members()]

    def on_promise(self, m: Promise) -> tuple[Server, list[Message]]:
        lead = self.leadership
        if lead is None or m.n != lead.number or m in lead.promises:
            return self, []
        top = max([lead.top, *(s for s, _ in m.accepted)])
        lead = replace(lead, promises=(*lead.promises, m), top=top)
        return replace(self, leadership=lead)._advance()

    def _phase1_done(self, instance: int) -> bool:
        """Phase 2(a)'s condition in ``instance``: promises from a majority of its
        servers (taken for granted with ``broken="skip-phase1"``)."""
        assert self.leadership is not None
        if self.setup.broken == "skip-phase1":
            return True
        servers = self._config(instance)
        return majority(servers).is_phase1_quorum(self.leadership.promisers(instance, servers))

    def _advance(self) -> tuple[Server, list[Message]]:
        lead = self.leadership
        assert lead is not None
        if lead.elected:
            return self._fill_window()
        if not self._phase1_done(self.executed + 1):
            return self, []
        lead = replace(lead, elected=True, next_instance=self.executed + 1)
        server, out = replace(self, leadership=lead, leader=self.name)._fill_window()
        server, beats = server._heartbeats()
        return server, out + beats

    # -- proposer: phase 2(a) -----------------------------------------------------
    def _value_for(self, instance: int, servers: tuple[str, ...], own: Value) -> tuple[Value, bool]:
        """Phase 2(a)'s v in ``instance``, by the core `Proposer.choose_value`:
        the highest-numbered proposal reported, else ``own``. Also says whether
        some promise reported one (the instance is constrained)."""
        lead = self.leadership
        assert lead is not None
        if instance > lead.top:
            # ``top`` is at least every instance a promise reported a vote in, so
            # above it none did: `Proposer.choose_value` would return ``own``, and
            # this is most instances of a long run.
            return own, False
        promises = tuple(
            core.Promise(p.sender, self.name, lead.number, p.reported(instance))
            for p in lead.promises if p.covers(instance) and p.sender in servers)
        proposer = Proposer(self.name, self.setup.index(self.name), own, majority(servers),
                            self.setup.allocator)
        constrained = any(p.accepted is not None for p in promises)
        return proposer.choose_value(promises), constrained

    def _fill_window(self) -> tuple[Server, list[Message]]:
        """Run phase 2 in the next instances, as far as the window α allows.

        Instance s is proposed only once 1..s−α are executed (§3). For each:
        a reported value if there is one, a no-op below ``top``, else the next
        queued command; none queued — stop.

        Broken on purpose: with ``"skip-phase1"`` nothing was reported and the
        instances below ``top`` get queued commands like any other; with
        ``"no-gap-fill"`` an unconstrained instance below ``top`` is skipped.
        """
        lead = self.leadership
        assert lead is not None and lead.elected
        machine, chosen = self.sm, self.stable.chosen
        broken = self.setup.broken
        out: list[Message] = []
        proposals, learners, sent_at = lead.proposals, lead.learners, lead.sent_at
        queue, contacted = list(lead.queue), set(lead.contacted)
        constrained, noops = list(lead.constrained), list(lead.noops)
        asked_at = lead.asked_at
        executed = self.executed
        s = max(lead.next_instance, executed + 1)
        copied = False
        while True:
            if s in chosen:
                s += 1
                continue
            if s > executed + self.setup.alpha:
                break
            servers = self._config(s)
            if not self._phase1_done(s):
                # Servers added by a reconfiguration have not promised: ask them,
                # with the same number, for every instance from s on.
                if lead.ticks - asked_at >= 2:  # not asked in the last interval
                    asked_at = lead.ticks
                    missing = set(servers) - lead.promisers(s, servers)
                    out += [Prepare(self.name, x, lead.number, (), s)
                            for x in servers if x in missing]
                break
            if s <= lead.top and broken == "no-gap-fill" \
                    and not self._value_for(s, servers, NOOP)[1]:
                s += 1  # a gap: leave it
                continue
            if s <= lead.top and broken != "skip-phase1":
                own = NOOP
            else:
                while queue and machine.executed_request(queue[0]):
                    queue.pop(0)
                if not queue:
                    # Nothing to propose; a reported value can still come later
                    # (from a promise we have not received yet) for s > top.
                    break
                own = queue[0].encode()
            value, was_constrained = self._value_for(s, servers, own)
            if s <= lead.top or was_constrained:
                (constrained if was_constrained else noops).append(s)
            if queue and value == queue[0].encode():
                queue.pop(0)
            if not copied:
                proposals, learners, sent_at = dict(proposals), dict(learners), dict(sent_at)
                copied = True
            proposals[s] = value
            learners[s] = Learner(self.name, majority(servers))
            sent_at[s] = lead.ticks
            out += [Accept(self.name, x, lead.number, s, value, self._decisions_for(x))
                    for x in servers]
            contacted.update(servers)
            s += 1
        if not copied and s == lead.next_instance and asked_at == lead.asked_at \
                and len(queue) == len(lead.queue):
            return self, out  # nothing proposed, nothing changed (often, on a tick)
        lead = replace(lead, next_instance=s, proposals=proposals, learners=learners,
                       sent_at=sent_at, queue=tuple(queue), contacted=frozenset(contacted),
                       constrained=tuple(constrained), noops=tuple(noops), asked_at=asked_at)
        return replace(self, leadership=lead), out

    def _decisions_for(self, server: str) -> Decisions:
        """Chosen commands ``server`` may not know yet (from what it last told
        us): up to ``batch`` of them, gaps included — which is how a follower
        can come to know 138 and 139 without 135–137 (§3)."""
        lead = self.leadership
        if server == self.name or lead is None:
            return ()
        known = lead.known_by.get(server)
        if known is None:
            return ()
        chosen, out, batch = self.stable.chosen, [], self.setup.batch
        executed = self.executed
        # 1..executed are all chosen (they were executed in order); past them,
        # only the len(chosen) - executed instances beyond a gap are: when there
        # are none, which is most of the time, nothing there needs a lookup.
        for s in range(known, executed + 1):
            out.append((s, chosen[s]))
            if len(out) == batch:
                return tuple(out)
        if len(chosen) > executed:
            for s in range(max(known, executed + 1), executed + self.setup.alpha + 1):
                value = chosen.get(s, _UNKNOWN)  # one lookup, not `in` then `[]`
                if value is not _UNKNOWN:
                    out.append((s, value))
                    if len(out) == batch:
                        break
        return tuple(out)

    # -- learner: the leader counts acceptances ------------------------------------
    def on_accepted(self, m: Accepted) -> tuple[Server, list[Message]]:
        """§2.3 in ``m.instance``: the core `Learner` learns once a majority of
        the instance's servers accepted the leader's proposal."""
        lead = self.leadership
        if lead is None or m.n != lead.number:
            return self, []
        lead = self._note_known(lead, m.sender, m.known)
        value = lead.proposals.get(m.instance)
        learner = lead.learners.get(m.instance)
        if value is None or learner is None or value != m.value \
                or m.sender not in learner.quorums.acceptors:
            if lead is self.leadership:
                return self, []  # (nothing new: a retransmission, or a late answer)
            return replace(self, leadership=lead), []
        learner, _ = learner.receive(core.Accepted(m.sender, self.name, m.n, m.value))
        if learner.learned is None:
            lead = replace(lead, learners={**lead.learners, m.instance: learner})
            return replace(self, leadership=lead), []
        proposals = {s: v for s, v in lead.proposals.items() if s != m.instance}
        learners = {s: v for s, v in lead.learners.items() if s != m.instance}
        sent_at = {s: v for s, v in lead.sent_at.items() if s != m.instance}
        lead = replace(lead, proposals=proposals, learners=learners, sent_at=sent_at)
        chosen = self.stable.chosen.set(m.instance, m.value)
        server = replace(self, leadership=lead, stable=replace(self.stable, chosen=chosen))
        server, replies = server._execute()
        if server.leadership is None:  # reconfigured away
            return server, replies
        server, more = server._fill_window()
        return server, replies + more

    def _note_known(self, lead: Leadership, server: str, known: int) -> Leadership:
        if lead.known_by.get(server, 0) >= known:
            return lead
        return replace(lead, known_by={**lead.known_by, server: known})

    def on_ack(self, m: Ack) -> tuple[Server, list[Message]]:
        lead = self.leadership
        if lead is None or m.n != lead.number:
            return self, []
        return replace(self, leadership=self._note_known(lead, m.sender, m.known)), []

    def on_nack(self, m: Nack) -> tuple[Server, list[Message]]:
        """Told of a higher number, a proposer abandons its proposals (§2.2)."""
        lead = self.leadership
        if lead is None or m.n != lead.number or not m.promised > lead.number:
            return self, []
        return self._step_down(m.promised), []

    def _step_down(self, seen: ProposalNumber | None) -> Server:
        highest = max((x for x in (self.highest_seen, seen) if x is not None), default=None)
        return replace(self, leadership=None, leader=None, highest_seen=highest)

    # -- timers ---------------------------------------------------------------------
    def tick(self) -> tuple[Server, list[Message]]:
        """The heartbeat interval passed.

        A candidate asks again whoever has not promised. A leader sends a
        heartbeat to every server it sent nothing since the last tick, sends
        again the accepts outstanding for a whole interval, and asks again for
        promises it still misses.
        """
        lead = self.leadership
        if not self.up or lead is None:
            return self, []
        lead = replace(lead, ticks=lead.ticks + 1)
        server = replace(self, leadership=lead)
        if not lead.elected:
            if lead.ticks < 2:  # give the first answers a whole interval
                return server, []
            promised = {p.sender for p in lead.promises}
            return server, [Prepare(self.name, x, lead.number, lead.gaps, lead.above)
                            for x in self.sm.window_members() if x not in promised]
        server, out = server._heartbeats()
        lead = server.leadership
        assert lead is not None
        sent_at = dict(lead.sent_at)
        for s, value in sorted(lead.proposals.items()):
            if sent_at[s] > lead.ticks - 2:
                continue
            learner = lead.learners[s]
            voted = {a.sender for a in learner.heard}
            out += [Accept(self.name, x, lead.number, s, value, server._decisions_for(x))
                    for x in learner.quorums.acceptors if x not in voted]
            sent_at[s] = lead.ticks
        server = replace(server, leadership=replace(lead, sent_at=sent_at,
                                                    contacted=frozenset()))
        server, more = server._fill_window()
        return server, out + more

    def _heartbeats(self) -> tuple[Server, list[Message]]:
        lead = self.leadership
        assert lead is not None
        targets = [x for x in self.sm.window_members()
                   if x != self.name and x not in lead.contacted]
        out: list[Message] = [Heartbeat(self.name, x, lead.number, self._decisions_for(x))
                              for x in targets]
        lead = replace(lead, contacted=lead.contacted | set(targets))
        return replace(self, leadership=lead), out

    def election_timeout(self) -> tuple[Server, list[Message]]:
        """A random timeout passed (§2.4: the election "must use either
        randomness or real time"). A member that heard no leader since the last
        one starts phase 1 with a higher number: `on_election_timeout`, the
        rule the single-decree agents are elected by too."""
        if not self.up:
            return self, []
        if self.name not in self.sm.latest_config:
            return replace(self, heard=False), []
        decision = on_election_timeout(self.is_leader, self.heard)
        if decision == "lead":
            return self, []
        if decision == "wait":
            return replace(self, heard=False), []
        return self.campaign()

    # -- failures -------------------------------------------------------------------
    def crash(self) -> Server:
        """Stop. Only `Stable` survives."""
        return replace(self, up=False, leadership=None, leader=None, heard=False,
                       highest_seen=None, machine=self.setup.machine())

    def restart(self) -> Server:
        """Start again from stable storage; the state machine replays the log."""
        if self.up:
            return self
        return replace(self, up=True, machine=_replay(self.setup, self.stable))


#: Which handler takes which message (made once: `Server.receive` runs for every one).
_HANDLERS: dict[type, str] = {
    Prepare: "on_prepare", Promise: "on_promise", Accept: "on_accept",
    Accepted: "on_accepted", Heartbeat: "on_heartbeat", Ack: "on_ack", Nack: "on_nack",
    Request: "on_request",
}


def _replay(setup: Setup, stable: Stable) -> Machine:
    """The state machine after the chosen log up to its first gap (from the
    checkpoint on)."""
    chosen = stable.chosen
    machine = stable.checkpoint if stable.checkpoint is not None else setup.machine()
    k = machine.executed
    while k + 1 in chosen:
        k += 1
    return machine.apply_all(chosen[s] for s in range(machine.executed + 1, k + 1))


def settle(server: Server, out: Iterable[Message]) -> tuple[Server, list[Message]]:
    """Handle the messages ``server`` sent to itself, as they come.

    Returns the server and every message it sent, in the order it sent them:
    those addressed to itself (``receiver == server.name``) are already
    handled; a driver delivers the others and can record both.
    """
    out = list(out)
    name = server.name
    for m in out:
        if m.receiver == name:
            break
    else:
        return server, out  # the common case: nothing to itself
    pending = deque(out)
    sent: list[Message] = []
    while pending:
        m = pending.popleft()
        sent.append(m)
        if m.receiver == server.name:
            server, more = server.receive(m)
            pending.extend(more)
    return server, sent
