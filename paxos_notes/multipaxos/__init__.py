"""Multi-Paxos: consensus turned into a replicated state machine (§3).

§3 of *Paxos Made Simple* implements a service as servers that each run the
same deterministic state machine on the same sequence of commands, chosen by

> "a sequence of separate instances of the Paxos consensus algorithm, the
> value chosen by the i th instance being the i th state machine command in
> the sequence." (§3)

with one leader running phase 1 for all instances at once, so that each
command costs only phase 2:

> "Key to the efficiency of this approach is that ... the value to be
> proposed is not chosen until phase 2." (§3)

Modules, all sans-IO except the driver:

- `kv` — the state machine: a key-value store (get, put, cas), client
  sessions for at-most-once execution, the configuration (reconfig);
- `messages` — multi-instance prepare/promise, per-instance accept/accepted,
  heartbeats, client requests and replies;
- `server` — a replica; per instance it runs the core acceptor
  (`paxos_notes.agents.RepeatedPrepareAcceptor`: the paper's `Acceptor` that
  also answers a repeated prepare), `Proposer.choose_value` and `Learner`;
- `client` — a client with request ids and retries;
- `safety` — the core `paxos_notes.invariants.History` per instance, plus
  agreement, executed prefixes, the window α;
- `sim` — the seeded driver (loss, duplication, reordering, crashes,
  partitions), automatic or manual, with the lost-write check; `trace` — its
  JSON trace;
- `scenario` — §3's new leader that knows 1–134, 138 and 139, step by step;
  typed frames of any seeded run (the log widget draws them); and what goes
  wrong with a rule broken (``Setup(broken=...)``);
- `costs` — what a command costs, measured on a seeded run: message delays
  and messages per instance, phase 1 once per leader;
- `linearizability` — does a client history look like one copy of the store?
  (beyond the paper: how the notebook and the ``kv`` command judge a run).

The ``kv`` command line (a long run under faults, judged) is in `paxos_notes.cli.kv`.
"""

from .client import Client
from .kv import NOOP, Command, Machine
from .safety import Monitor
from .scenario import GapScenario, broken_scenario, gap_scenario
from .server import BROKEN, Server, Setup, settle
from .sim import Fault, Network, Scripted, Simulation, Timing, Workload

__all__ = [
    "BROKEN",
    "NOOP",
    "Client",
    "Command",
    "Fault",
    "GapScenario",
    "Machine",
    "Monitor",
    "Network",
    "Scripted",
    "Server",
    "Setup",
    "Simulation",
    "Timing",
    "Workload",
    "broken_scenario",
    "gap_scenario",
    "settle",
]
