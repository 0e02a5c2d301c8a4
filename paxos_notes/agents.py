"""Proposers, acceptors and learners as pure state machines (§2.1–§2.5).

Read this file beside the paper. Each rule of §2.2 lives in exactly one method,
whose docstring quotes it:

| rule                                   | where                          |
|----------------------------------------|--------------------------------|
| Phase 1(a) — send prepare n            | `Proposer.prepare`             |
| Phase 1(b) — promise, report accepted  | `Acceptor.on_prepare`          |
| the optimization (ignore old prepares) | `Acceptor.should_promise`      |
| Phase 2(a) — pick v, send accept       | `Proposer.on_promise`,         |
|                                        | `Proposer.choose_value`,       |
|                                        | `Proposer.accept_targets`      |
| §2.5 responses carry the number        | `Proposer.answers_current`     |
| Phase 2(b) — accept unless promised    | `Acceptor.on_accept`           |
| P1a                                    | `Acceptor.may_accept`          |
| what an acceptor must remember         | `AcceptorStorage`,             |
|                                        | `Acceptor.after_accepting`     |
| ignoring a request (or a nack, §2.2)   | `Acceptor.refuse`,             |
|                                        | `NackingAcceptor`              |
| §2.3 learning                          | `Learner.on_accepted`          |
| §2.5 stable storage before sending     | `Acceptor._respond`            |
| §2.2 memory survives a restart         | `Acceptor.restart`             |
| §2.5 numbers from disjoint sets        | `Proposer.prepare` (allocator) |
| §2.5 proposer remembers highest tried  | `Proposer.restart`             |
| (not the paper) answer a repeated      | `RepeatedPrepareAcceptor`,     |
| prepare, as the §3 servers do          | safe; checked by the checker   |

Sans-IO: a handler takes one message and returns ``(new_agent, messages)``.
Agents are frozen dataclasses, so an agent *is* its state: the simulator, the
model checker and the widgets all run this same code, and the checker can put
agents in a set of visited states. No I/O, no clock, no randomness here.

Only the paper's algorithm is here. What happens without one of its rules is
a small subclass that overrides one method, in `paxos_notes.checker.variants`,
so that this file and the broken rule can be read side by side. Two safe
extensions are kept here, after the paper's `Acceptor`: `NackingAcceptor`
(the paper itself suggests it, §2.2) and `RepeatedPrepareAcceptor` (what the
multi-Paxos servers of §3 run, and the checker checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar

from .ballots import Allocator, ProposalNumber
from .messages import Accept, Accepted, Chosen, Message, Nack, Prepare, Promise, Proposal, Value
from .quorums import QuorumSystem

Outgoing = tuple[Message, ...]

_T = TypeVar("_T")


def replace(record: _T, **changes: object) -> _T:
    """A copy of a frozen record with some fields changed.

    Like `dataclasses.replace`, without running validation again (handlers
    only ever move a valid agent to another valid state): the simulator and
    the model checker call this on every step, and it is several times faster.
    """
    fields = record.__dict__.copy()
    fields.update(changes)
    if len(fields) != len(record.__dict__):  # a name that is not a field was added
        known = record.__dataclass_fields__.keys()  # type: ignore[attr-defined]
        raise TypeError(f"{type(record).__name__} has no field(s) "
                        f"{sorted(changes.keys() - known)}")
    new = object.__new__(type(record))
    object.__setattr__(new, "__dict__", fields)  # past the frozen __setattr__, as __init__ does
    return new


# --------------------------------------------------------------------------
# Acceptor
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptorStorage:
    """What an acceptor keeps in stable storage.

    §2.2: an acceptor "needs to remember only the highest-numbered proposal
    that it has ever accepted and the number of the highest-numbered prepare
    request to which it has responded" — even across a failure and restart.
    """

    promised: ProposalNumber | None = None
    accepted: Proposal | None = None


@dataclass(frozen=True)
class Acceptor:
    """An acceptor (§2.2 phases 1(b) and 2(b)).

    ``stable`` is on stable storage and survives `crash`. ``unsaved`` holds a
    newer state that has not reached stable storage yet; the paper's acceptor
    never has one (it writes before it answers, `_respond`), only the variant
    that sends first does, and a crash loses it. ``up`` is False between
    `crash` and `restart`.
    """

    name: str
    learners: tuple[str, ...] = ()
    stable: AcceptorStorage = AcceptorStorage()
    unsaved: AcceptorStorage | None = None
    up: bool = True

    @property
    def memory(self) -> AcceptorStorage:
        """The state the acceptor acts on: unsaved changes win over storage."""
        return self.unsaved if self.unsaved is not None else self.stable

    @property
    def promised(self) -> ProposalNumber | None:
        return self.memory.promised

    @property
    def accepted(self) -> Proposal | None:
        return self.memory.accepted

    def receive(self, message: Message) -> tuple[Acceptor, Outgoing]:
        """Handle one message; a stopped acceptor receives nothing."""
        if not self.up or message.receiver != self.name:
            return self, ()
        if isinstance(message, Prepare):
            return self.on_prepare(message)
        if isinstance(message, Accept):
            return self.on_accept(message)
        return self, ()  # an acceptor has nothing to do with other messages

    # -- phase 1 ----------------------------------------------------------
    def should_promise(self, n: ProposalNumber) -> bool:
        """Phase 1(b)'s condition, with the paper's optimization.

        Phase 1(b): respond to "a prepare request with number n greater than
        that of any prepare request to which it has already responded".

        The optimization: "We also have it ignore a prepare request for a
        proposal it has already accepted." We ignore a prepare for any number
        not above the accepted proposal's, so that the proposal a promise
        reports is always numbered below n, as step 1(b) of the proposer's
        algorithm asks (the proposal with "the highest number less than n that
        it has accepted"). Ignoring a request never harms safety.
        """
        m = self.memory
        if m.promised is not None and not n > m.promised:
            return False
        return m.accepted is None or m.accepted.number < n

    def on_prepare(self, message: Prepare) -> tuple[Acceptor, Outgoing]:
        """Phase 1(b).

        "If an acceptor receives a prepare request with number n greater than
        that of any prepare request to which it has already responded, then it
        responds to the request with a promise not to accept any more proposals
        numbered less than n and with the highest-numbered proposal (if any)
        that it has accepted."
        """
        n = message.n
        if not self.should_promise(n):
            return self, self.refuse(message)
        new = replace(self.memory, promised=n)
        reply = Promise(self.name, message.sender, n, new.accepted)
        return self._respond(new, (reply,))

    # -- phase 2 ----------------------------------------------------------
    def may_accept(self, n: ProposalNumber) -> bool:
        """P1a.

        "An acceptor can accept a proposal numbered n iff it has not responded
        to a prepare request having a number greater than n."
        """
        promised = self.memory.promised
        return promised is None or not promised > n

    def on_accept(self, message: Accept) -> tuple[Acceptor, Outgoing]:
        """Phase 2(b).

        "If an acceptor receives an accept request for a proposal numbered n,
        it accepts the proposal unless it has already responded to a prepare
        request having a number greater than n."

        Accepting is announced to the learners (§2.3) with `Accepted`.
        """
        n = message.n
        if not self.may_accept(n):
            return self, self.refuse(message)
        new = self.after_accepting(Proposal(n, message.value))
        notes = tuple(Accepted(self.name, learner, n, message.value) for learner in self.learners)
        return self._respond(new, notes)

    def after_accepting(self, proposal: Proposal) -> AcceptorStorage:
        """What the acceptor remembers once it has accepted ``proposal``.

        §2.2: "the highest-numbered proposal that it has ever accepted". P1a
        may let an acceptor accept a proposal numbered below one it already
        accepted (if accept requests go to acceptors that did not promise, it
        need not have promised the higher one); overwriting would make later
        promises report the lower proposal and let a proposer pick a value
        other than a chosen one. The promise is left as it is.
        """
        old = self.memory.accepted
        if old is not None and old.number > proposal.number:
            proposal = old
        return AcceptorStorage(promised=self.memory.promised, accepted=proposal)

    def refuse(self, message: Prepare | Accept) -> Outgoing:
        """A request the rules say not to answer is ignored: "An acceptor can
        ignore any request without compromising safety." (§2.2)

        Telling the proposer instead is the optimization of `NackingAcceptor`,
        which overrides only this method.
        """
        return ()

    def _respond(self, new: AcceptorStorage, replies: Outgoing) -> tuple[Acceptor, Outgoing]:
        """§2.5: "An acceptor records its intended response in stable storage
        before actually sending the response."

        Returning the new storage together with the replies makes that order
        atomic for the simulator: there is no moment at which the replies are
        out and the storage is not written.
        """
        return replace(self, stable=new, unsaved=None), replies

    # -- failures ---------------------------------------------------------
    def persist(self) -> Acceptor:
        """Write unsaved state to stable storage (only needed when sending first)."""
        if self.unsaved is None:
            return self
        return replace(self, stable=self.unsaved, unsaved=None)

    def crash(self) -> Acceptor:
        """Stop. What is not on stable storage is lost."""
        return replace(self, up=False, unsaved=None)

    def restart(self) -> Acceptor:
        """Start again from stable storage: what an acceptor "needs to remember"
        (§2.2) survives a failure and restart."""
        return replace(self, up=True, unsaved=None)


class NackingAcceptor(Acceptor):
    """An acceptor that tells a proposer it was overtaken.

    §2.2: telling a proposer about a higher number is "a performance
    optimization that does not affect correctness." It is a subclass rather
    than a switch so that `Acceptor`, which readers put beside the paper,
    carries nothing but the rules; the proposer's side (`Proposer.on_nack`)
    is the paper's "abandon" and stays in `Proposer`.
    """

    def refuse(self, message: Prepare | Accept) -> Outgoing:
        promised = self.memory.promised
        if promised is not None and promised > message.n:
            return (Nack(self.name, message.sender, message.n, promised),)
        return ()


class RepeatedPrepareAcceptor(Acceptor):
    """Answers a prepare numbered *equal* to its promise again, where phase 1(b)
    answers only numbers "greater than" it — as implementations do, so that a
    proposer whose promise was lost can ask again.

    Not the paper's rule, but safe while proposal numbers are disjoint (the
    checker's ``repeated-prepare`` variant explores it). It lives here, in the
    core, because the multi-Paxos servers (§3) run it and the checker checks
    it: both import it from one place.
    """

    def should_promise(self, n: ProposalNumber) -> bool:
        m = self.memory
        if m.promised is not None and n < m.promised:
            return False
        return m.accepted is None or m.accepted.number < n


# --------------------------------------------------------------------------
# Proposer
# --------------------------------------------------------------------------

ProposerPhase = Literal["idle", "1", "2"]


@dataclass(frozen=True)
class Proposer:
    """A proposer (§2.2 phases 1(a) and 2(a)).

    ``value`` is the value it was asked to propose. ``highest_tried`` is kept
    on stable storage (§2.5: a proposer remembers the highest number it has
    tried, so that it never uses a number twice); everything else is volatile
    and lost by `crash`.
    """

    name: str
    index: int
    value: Value
    quorums: QuorumSystem
    allocator: Allocator
    highest_tried: ProposalNumber | None = None  # stable storage
    highest_seen: ProposalNumber | None = None  # from nacks; volatile
    phase: ProposerPhase = "idle"
    number: ProposalNumber | None = None
    promises: tuple[Promise, ...] = ()  # in the order they arrived
    proposal: Proposal | None = None
    up: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.allocator.proposers:
            raise ValueError(
                f"index must be in 0..{self.allocator.proposers - 1}, got {self.index}"
            )

    @property
    def acceptors(self) -> tuple[str, ...]:
        return self.quorums.acceptors

    def prepare(self) -> tuple[Proposer, Outgoing]:
        """Phase 1(a).

        "A proposer selects a proposal number n and sends a prepare request
        with number n to a majority of acceptors."

        n comes from this proposer's own set (§2.5) and is above every number
        it has tried or heard of. We send to every acceptor: any majority of
        them may answer, and sending to more costs only messages. Starting a
        new prepare abandons whatever proposal was in progress, which the paper
        allows "at any time".
        """
        if not self.up:
            return self, ()
        above = max((x for x in (self.highest_tried, self.highest_seen) if x is not None),
                    default=None)
        n = self.allocator.next_above(self.index, above)
        new = replace(self, highest_tried=n, phase="1", number=n, promises=(), proposal=None)
        return new, tuple(Prepare(self.name, a, n) for a in self.acceptors)

    def receive(self, message: Message) -> tuple[Proposer, Outgoing]:
        if not self.up or message.receiver != self.name:
            return self, ()
        if isinstance(message, Promise):
            return self.on_promise(message)
        if isinstance(message, Nack):
            return self.on_nack(message)
        return self, ()

    def on_promise(self, message: Promise) -> tuple[Proposer, Outgoing]:
        """Phase 2(a).

        "If the proposer receives a response to its prepare requests (numbered
        n) from a majority of acceptors, then it sends an accept request to
        each of those acceptors for a proposal numbered n with a value v, where
        v is the value of the highest-numbered proposal among the responses, or
        is any value if the responses reported no proposals."

        Responses are tagged with n (§2.5), so late answers to an older prepare
        are told apart and ignored (`answers_current`).
        """
        if self.phase != "1" or not self.answers_current(message):
            return self, ()
        if any(p.sender == message.sender for p in self.promises):
            return self, ()  # a duplicated promise adds nothing
        promises = (*self.promises, message)
        promisers = [p.sender for p in promises]
        if not self.quorums.is_phase1_quorum(promisers):
            return replace(self, promises=promises), ()
        value = self.choose_value(promises)
        proposal = Proposal(self.number, value)
        targets = self.accept_targets(promisers)
        new = replace(self, phase="2", promises=promises, proposal=proposal)
        return new, tuple(Accept(self.name, a, proposal.number, value) for a in targets)

    def answers_current(self, message: Promise) -> bool:
        """§2.5: a response carries its proposal number, so only a promise for
        this proposer's current number n counts toward its majority for n."""
        return message.n == self.number

    def accept_targets(self, promisers: list[str]) -> tuple[str, ...]:
        """Phase 2(a): "sends an accept request to each of those acceptors".

        With phase-1 quorums smaller than phase-2 ones (Flexible, q1 < q2) the
        promisers alone can never choose: ask every acceptor instead, as the
        paper allows (the accept set "need not be the same set of acceptors").
        """
        if self.quorums.is_phase2_quorum(promisers):
            return tuple(promisers)
        return self.acceptors

    def choose_value(self, promises: tuple[Promise, ...]) -> Value:
        """Phase 2(a)'s v: the value of the highest-numbered proposal reported,
        or this proposer's own value if none was reported (P2c)."""
        reported = [p.accepted for p in promises if p.accepted is not None]
        if not reported:
            return self.value
        return max(reported).value

    def on_nack(self, message: Nack) -> tuple[Proposer, Outgoing]:
        """A proposer told of a higher number abandons its proposal (§2.2) and
        will next try a number above it."""
        if message.n != self.number:
            return self, ()
        seen = message.promised
        if self.highest_seen is not None and self.highest_seen > seen:
            seen = self.highest_seen
        return self.abandon(seen=seen), ()

    def abandon(self, seen: ProposalNumber | None = None) -> Proposer:
        """Give up the current proposal: a proposer "can abandon a proposal in
        the middle of the protocol at any time"."""
        return replace(self, phase="idle", promises=(), proposal=None,
                       highest_seen=seen if seen is not None else self.highest_seen)

    def crash(self) -> Proposer:
        """Stop. Everything but ``highest_tried`` (stable storage) is lost."""
        return replace(self, up=False, phase="idle", number=None, promises=(), proposal=None,
                       highest_seen=None)

    def restart(self) -> Proposer:
        """Start again, still knowing the highest number it tried: §2.5 keeps it
        on stable storage, so the next number is one never used before."""
        return replace(self, up=True)


# --------------------------------------------------------------------------
# Learner
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Learner:
    """A learner (§2.3).

    "To learn that a value has been chosen, a learner must find out that a
    proposal has been accepted by a majority of acceptors."

    ``informs`` lists the learners this one tells once it has learned: empty
    when every acceptor writes to every learner; the other learners when this
    one is distinguished. What a learner heard is volatile.
    """

    name: str
    quorums: QuorumSystem
    informs: tuple[str, ...] = ()
    heard: frozenset[Accepted] = field(default_factory=frozenset)
    learned: Proposal | None = None
    up: bool = True

    def receive(self, message: Message) -> tuple[Learner, Outgoing]:
        if not self.up or message.receiver != self.name:
            return self, ()
        if isinstance(message, Accepted):
            return self.on_accepted(message)
        if isinstance(message, Chosen):
            return self.on_chosen(message)
        return self, ()

    def on_accepted(self, message: Accepted) -> tuple[Learner, Outgoing]:
        """Learn (n, v) once a phase-2 quorum has accepted that one proposal.

        Acceptances of *different* proposals never add up: a value is chosen
        only when "a single proposal with that value has been accepted by a
        majority" (§2.2).
        """
        heard = self.heard | {message}
        voters = {m.sender for m in heard if m.n == message.n and m.value == message.value}
        if not self.quorums.is_phase2_quorum(voters):
            return replace(self, heard=heard), ()
        if self.learned is not None:
            # Already learned. If this message newly completes a quorum, a
            # proposer ran another round — typically because some learner lost
            # what it knew or missed our `Chosen` (§2.3) — so tell the others
            # again; otherwise a learner that only hears from us never learns.
            if message in self.heard or self.quorums.is_phase2_quorum(voters - {message.sender}):
                return replace(self, heard=heard), ()
            tell = tuple(Chosen(self.name, other, message.n, message.value)
                         for other in self.informs)
            return replace(self, heard=heard), tell
        learned = Proposal(message.n, message.value)
        tell = tuple(Chosen(self.name, other, message.n, message.value) for other in self.informs)
        return replace(self, heard=heard, learned=learned), tell

    def on_chosen(self, message: Chosen) -> tuple[Learner, Outgoing]:
        """Take a distinguished learner's word (§2.3; non-Byzantine agents)."""
        if self.learned is not None:
            return self, ()
        return replace(self, learned=Proposal(message.n, message.value)), ()

    def crash(self) -> Learner:
        return replace(self, up=False, heard=frozenset(), learned=None)

    def restart(self) -> Learner:
        return replace(self, up=True)


Agent = Acceptor | Proposer | Learner
