"""Safety of the replicated state machine, checked as it runs (§2.1, §3).

Per instance, the three requirements of §2.1 and the rules P1a and P2c are
checked by the core `paxos_notes.invariants.History` — one per instance, fed
the consensus messages each multi-instance message stands for. On top of that,
what §3 adds:

- agreement: no two servers ever know different commands in one instance;
- executed prefixes agree: every server's state machine, after k commands, is
  in the state the chosen commands 1..k produce;
- the window α: a proposal in instance s is issued only once 1..s−α are chosen;
- each instance's accepts go to that instance's servers only.

Like the core checks, "chosen" is judged on the record of what was sent, not
on any server's memory.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .. import messages as core
from ..ballots import ProposalNumber
from ..invariants import (
    ONLY_CHOSEN_LEARNED,
    History,
    Violation,
)
from ..messages import Proposal, Value
from ..quorums import QuorumSystem
from .kv import NOOP, Machine
from .messages import Accept, Accepted, Message, Promise, Request
from .server import Setup, majority

AGREEMENT = "no two servers know different commands in one instance"
PREFIX = "executed prefixes agree"
WINDOW = "proposals stay within α of the chosen prefix"
MEMBERSHIP = "an instance's accepts go to its servers only"
RULES = (AGREEMENT, PREFIX, WINDOW, MEMBERSHIP)


class InstanceHistory(History):
    """The core `History` of one instance; the values proposed so far are shared
    with the monitor (clients keep submitting commands while instances run)."""

    def __init__(self, quorums: QuorumSystem, submitted: set[Value],
                 promised: dict[str, ProposalNumber]) -> None:
        self._submitted = submitted
        super().__init__(quorums, ())
        self.promised.update(promised)

    @property  # type: ignore[override]
    def proposed(self) -> set[Value]:  # type: ignore[override]
        return self._submitted

    @proposed.setter
    def proposed(self, _: object) -> None:  # History.__init__ assigns it
        pass


@dataclass
class Monitor:
    """Feed it every message sent (`record_sent`, local ones too), every
    instance a server learns (`record_learned`) and every server's machine when
    it executes (`record_executed`); read `violations`."""

    setup: Setup
    histories: dict[int, InstanceHistory] = field(default_factory=dict)
    submitted: set[Value] = field(default_factory=lambda: {NOOP})
    promises: list[Promise] = field(default_factory=list)
    known: dict[int, Value] = field(default_factory=dict)
    chosen: dict[int, Value] = field(default_factory=dict)
    machines: list[Machine] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    # Indexes over `promises`, so that a long run stays linear: the core
    # History of an instance only needs each acceptor's highest promise
    # covering it. Per acceptor, the distinct ``above`` bounds (sorted) with
    # the highest number promised for instances from each bound on (a running
    # maximum: a promise from a lower bound covers them too); per gap instance, the
    # highest number per acceptor; the instances with a history, sorted.
    _above: dict[str, tuple[list[int], list[ProposalNumber]]] = field(
        default_factory=dict, repr=False)
    _gaps: dict[int, dict[str, ProposalNumber]] = field(default_factory=dict, repr=False)
    _instances: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.machines:
            self.machines.append(self.setup.machine())
        for p in self.promises:
            self._index(p)
        self._instances.extend(sorted(self.histories))

    @property
    def safe(self) -> bool:
        return not self.violations

    @property
    def prefix(self) -> int:
        """How many instances, 1.., are chosen without a gap."""
        return len(self.machines) - 1

    def config_for(self, instance: int) -> tuple[str, ...]:
        return self.machines[-1].config_for(instance)

    def _flag(self, rule: str, detail: str) -> None:
        self.violations.append(Violation(rule, detail))

    def history(self, instance: int) -> InstanceHistory:
        h = self.histories.get(instance)
        if h is None:
            servers = self.config_for(instance)
            # Promises made for "every instance above" (and for this gap) came
            # before the instance had a history; the core History keeps only
            # each acceptor's highest promise (`History.promised`), so it starts
            # with those.
            promised = {sender: n for sender in servers
                        if (n := self._promised(sender, instance)) is not None}
            h = InstanceHistory(majority(servers), self.submitted, promised)
            self.histories[instance] = h
            bisect.insort(self._instances, instance)
        return h

    def _index(self, p: Promise) -> None:
        bounds, best = self._above.setdefault(p.sender, ([], []))
        k = bisect.bisect_left(bounds, p.above)
        # best[j]: the highest number promised for the instances from bounds[j]
        # on, by this promise or one from a lower bound (so best never decreases)
        if k == len(bounds) or bounds[k] != p.above:
            bounds.insert(k, p.above)
            best.insert(k, p.n if k == 0 else max(best[k - 1], p.n))
        else:
            best[k] = max(best[k], p.n)
        for j in range(k + 1, len(best)):
            if best[j] >= p.n:
                break
            best[j] = p.n
        for s in p.gaps:
            per = self._gaps.setdefault(s, {})
            if p.sender not in per or per[p.sender] < p.n:
                per[p.sender] = p.n

    def _promised(self, sender: str, instance: int) -> ProposalNumber | None:
        """The highest number ``sender`` promised for ``instance``, if any."""
        found = self._gaps.get(instance, {}).get(sender)
        bounds, best = self._above.get(sender, ((), ()))
        k = bisect.bisect_right(bounds, instance)
        if k and (found is None or best[k - 1] > found):
            found = best[k - 1]
        return found

    def _run(self, instance: int, h: History, message: core.Message) -> None:
        before_v, before_c = len(h.violations), len(h.chosen)
        h.record_sent(message)
        if len(h.violations) > before_v:
            for v in h.violations[before_v:]:
                self._flag(v.rule, f"instance {instance}: {v.detail}")
        if len(h.chosen) > before_c:
            for p in h.chosen:
                self.chosen.setdefault(instance, p.value)
            self._advance_prefix()

    def _advance_prefix(self) -> None:
        while self.prefix + 1 in self.chosen:
            m, _, _ = self.machines[-1].apply(self.chosen[self.prefix + 1])
            self.machines.append(m)

    def record_sent(self, m: Message) -> None:
        kind = type(m)
        if kind not in _CHECKED:  # heartbeats, acks, nacks, replies: nothing to check
            return
        if kind is Request:
            self.submitted.add(m.command.encode())  # type: ignore[union-attr]
        elif isinstance(m, Promise):
            self.promises.append(m)
            self._index(m)
            start = bisect.bisect_left(self._instances, m.above)
            covered = [s for s in m.gaps if s < m.above and s in self.histories]
            covered += self._instances[start:]
            for s in covered:
                h = self.histories[s]
                if m.sender in h.quorums.acceptors:
                    self._run(s, h, core.Promise(m.sender, m.receiver, m.n, m.reported(s)))
        elif isinstance(m, Accept):
            s = m.instance
            if s > self.prefix + self.setup.alpha:
                self._flag(WINDOW, f"{m.sender} proposed in instance {s} while only "
                                   f"1..{self.prefix} were chosen (alpha={self.setup.alpha})")
                return
            h = self.history(s)
            if m.receiver not in h.quorums.acceptors:
                self._flag(MEMBERSHIP, f"{m.sender} sent accept for instance {s} to "
                                       f"{m.receiver}, not one of {h.quorums.acceptors}")
                return
            issued = h.issued.get(m.n)
            if issued is not None and issued.value == m.value:
                return  # the same proposal to another acceptor: the core check has it
            self._run(s, h, core.Accept(m.sender, m.receiver, m.n, m.value))
        elif isinstance(m, Accepted):
            s = m.instance
            h = self.histories.get(s)
            if h is None or m.sender not in h.quorums.acceptors:
                self._flag(MEMBERSHIP, f"{m.sender} accepted in instance {s} without an "
                                       f"accept request it may answer")
                return
            if (m.sender, Proposal(m.n, m.value)) in h.acceptances:
                return  # said again (a retransmission): the core check has it
            self._run(s, h, core.Accepted(m.sender, m.receiver, m.n, m.value))

    def record_learned(self, server: str, instance: int, value: Value) -> None:
        h = self.histories.get(instance)
        if h is None:
            self._flag(ONLY_CHOSEN_LEARNED, f"instance {instance}: {server} learned "
                                            f"{value!r}, but nothing was ever accepted there")
        else:
            chosen = [p for p in h.chosen if p.value == value]
            before = len(h.violations)
            # Only the value matters to the check; an unchosen one gets a stand-in number.
            proposal = chosen[0] if chosen else Proposal(ProposalNumber(0, 0), value)
            h.record_learned(server, proposal)
            for v in h.violations[before:]:
                self._flag(v.rule, f"instance {instance}: {v.detail}")
        first = self.known.setdefault(instance, value)
        if first != value:
            self._flag(AGREEMENT, f"instance {instance}: {server} knows {value!r}, "
                                  f"another server knows {first!r}")

    def record_executed(self, server: str, machine: Machine) -> None:
        k = machine.executed
        if k > self.prefix:
            self._flag(PREFIX, f"{server} executed {k} commands; only 1..{self.prefix} "
                               f"are chosen")
        elif not _same_state(machine, self.machines[k]):
            self._flag(PREFIX, f"{server}'s state after {k} commands differs from the "
                               f"state the chosen commands 1..{k} give")


#: The messages the checks look at (`Monitor.record_sent` runs for every one sent).
_CHECKED = frozenset({Request, Promise, Accept, Accepted})


def _same_state(a: Machine, b: Machine) -> bool:
    """``a.snapshot() == b.snapshot()``, without building the snapshots (this
    runs every time a server executes): equal dicts have equal item sets."""
    return (a.executed == b.executed and a.data == b.data and a.sessions == b.sessions
            and a.configs == b.configs)
