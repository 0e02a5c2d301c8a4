"""A cluster of agents: who exists, who talks to whom (§2.1, §2.3).

`Cluster` is a plain description — how many proposers, acceptors and learners,
which values the proposers want, which quorum system, which agent classes
(the paper's, or a variant from `paxos_notes.checker.variants`) — and
`Cluster.build` makes the agents. The simulator, the model checker
and the widgets all start from one.

Learning (§2.3) comes in the paper's three shapes:

- ``"all"``: every acceptor tells every learner (acceptors × learners messages);
- ``"distinguished"``: acceptors tell one learner, which tells the others;
- ``"set"``: acceptors tell a set of ``distinguished`` learners, each of which
  tells the remaining ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .agents import Acceptor, Agent, Learner, NackingAcceptor, Proposer, RepeatedPrepareAcceptor
from .ballots import Allocator
from .quorums import MAX_ACCEPTORS, Majority, QuorumSystem, acceptor_names

DEFAULT_VALUES = ("x", "y", "z", "w", "u", "t", "s", "r")
LEARNING = ("all", "distinguished", "set")
MAX_PROPOSERS = len(DEFAULT_VALUES)
MAX_LEARNERS = 16  # §2.3 measures up to 10 learners (notebook 05)
MAX_VALUE_LENGTH = 64  # what a trace file accepts (paxos_notes.trace)


@dataclass(frozen=True)
class Cluster:
    """The shape of a Paxos deployment. Defaults: 3 acceptors, 2 proposers, 1 learner."""

    acceptors: int = 3
    proposers: int = 2
    learners: int = 1
    values: tuple[str, ...] = ()
    quorums: QuorumSystem | None = None
    shared_numbers: bool = False
    learning: Literal["all", "distinguished", "set"] = "all"
    distinguished: int = 1
    acceptor: type[Acceptor] = Acceptor
    proposer: type[Proposer] = Proposer
    learner: type[Learner] = Learner

    def __post_init__(self) -> None:
        for param, base in (("acceptor", Acceptor), ("proposer", Proposer),
                            ("learner", Learner)):
            cls = getattr(self, param)
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise ValueError(f"{param} must be {base.__name__} or a subclass of it, "
                                 f"got {cls!r}")
        if not 1 <= self.acceptors <= MAX_ACCEPTORS:
            raise ValueError(f"acceptors must be in 1..{MAX_ACCEPTORS}, got {self.acceptors}")
        if not 1 <= self.proposers <= MAX_PROPOSERS:
            raise ValueError(f"proposers must be in 1..{MAX_PROPOSERS}, got {self.proposers}")
        if not 1 <= self.learners <= MAX_LEARNERS:
            raise ValueError(f"learners must be in 1..{MAX_LEARNERS}, got {self.learners}")
        if self.values and len(self.values) != self.proposers:
            raise ValueError(
                f"values must give one value per proposer ({self.proposers}), "
                f"got {len(self.values)}"
            )
        for v in self.values:
            # printable: a value is drawn and saved in traces (no NUL, no lone surrogate)
            if not isinstance(v, str) or not 1 <= len(v) <= MAX_VALUE_LENGTH \
                    or not v.isprintable():
                raise ValueError(f"values must be strings of 1..{MAX_VALUE_LENGTH} characters, "
                                 f"all printable, got {v!r}")
        if self.learning not in LEARNING:
            raise ValueError(f"learning must be one of {LEARNING}, got {self.learning!r}")
        if not 1 <= self.distinguished <= self.learners:
            raise ValueError(
                f"distinguished must be in 1..{self.learners}, got {self.distinguished}"
            )
        if self.quorums is not None and self.quorums.acceptors != self.acceptor_names:
            raise ValueError(
                f"quorums must be over the acceptors {self.acceptor_names}, "
                f"got {self.quorums.acceptors}"
            )

    @property
    def acceptor_names(self) -> tuple[str, ...]:
        return acceptor_names(self.acceptors)

    @property
    def proposer_names(self) -> tuple[str, ...]:
        return tuple(f"p{i}" for i in range(1, self.proposers + 1))

    @property
    def learner_names(self) -> tuple[str, ...]:
        return tuple(f"l{i}" for i in range(1, self.learners + 1))

    @property
    def proposal_values(self) -> tuple[str, ...]:
        return self.values or DEFAULT_VALUES[: self.proposers]

    @property
    def quorum_system(self) -> QuorumSystem:
        return self.quorums if self.quorums is not None else Majority(self.acceptor_names)

    @property
    def agent_classes(self) -> dict[str, str]:
        """Which class plays each role, by name (what a trace records)."""
        return {"proposer": self.proposer.__name__, "acceptor": self.acceptor.__name__,
                "learner": self.learner.__name__}

    @property
    def allocator(self) -> Allocator:
        return Allocator(self.proposers, shared=self.shared_numbers)

    def build(self) -> dict[str, Agent]:
        """The agents, keyed by name, in a fixed order (proposers, acceptors, learners)."""
        q = self.quorum_system
        learners = self.learner_names
        if self.learning == "all":
            told, informs = learners, dict.fromkeys(learners, ())
        else:
            k = 1 if self.learning == "distinguished" else self.distinguished
            told = learners[:k]
            informs = {name: (learners[k:] if name in told else ()) for name in learners}
        agents: dict[str, Agent] = {}
        alloc = self.allocator
        for i, (name, value) in enumerate(zip(self.proposer_names, self.proposal_values,
                                              strict=True)):
            agents[name] = self.proposer(name, i, value, q, alloc)
        for name in self.acceptor_names:
            agents[name] = self.acceptor(name, told)
        for name in learners:
            agents[name] = self.learner(name, q, informs[name])
        return agents


# -- agent classes by name (what a trace's header names) ------------------------------------

ROLES: dict[str, type] = {"proposer": Proposer, "acceptor": Acceptor, "learner": Learner}
#: Every agent class a cluster may be built from, by name: a trace's
#: ``meta["agents"]`` is looked up here, never evaluated. The paper's classes
#: and the safe extensions are here from the start; `paxos_notes.checker.variants`
#: adds its broken rules with `register_agent_classes` when it is imported.
AGENT_CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    Acceptor, Proposer, Learner, NackingAcceptor, RepeatedPrepareAcceptor)}


def register_agent_classes(*classes: type) -> dict[str, type]:
    """Add ``classes`` (subclasses of a role's class) to `AGENT_CLASSES`; return it."""
    for cls in classes:
        if not any(isinstance(cls, type) and issubclass(cls, base) for base in ROLES.values()):
            raise ValueError(f"classes must be agent classes, got {cls!r}")
        AGENT_CLASSES[cls.__name__] = cls
    return AGENT_CLASSES


def agent_classes(names: Mapping[str, object]) -> dict[str, type]:
    """The classes a trace's ``meta["agents"]`` names, as `Cluster` keywords.

    Looked up in `AGENT_CLASSES`, never evaluated: an unknown role or class name,
    or a class that cannot play its role, is a ``ValueError``.
    """
    if not isinstance(names, Mapping) or not set(names) <= set(ROLES):
        raise ValueError(f"agents must map roles {sorted(ROLES)} to class names, "
                         f"got {str(names)[:80]}")
    out: dict[str, type] = {}
    for role, name in names.items():
        cls = AGENT_CLASSES.get(name) if isinstance(name, str) else None
        if cls is None or not issubclass(cls, ROLES[role]):
            known = sorted(n for n, c in AGENT_CLASSES.items() if issubclass(c, ROLES[role]))
            raise ValueError(f"agents[{role!r}] must be one of {known}, got {str(name)[:40]!r} "
                             f"(import paxos_notes.checker first for its variants' classes)")
        out[role] = cls
    return out
