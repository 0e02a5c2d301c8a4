"""Exercises of ``08_implementing_a_state_machine.ipynb`` (§3).

- 08.1: which instances a new leader fills with no-ops (`phase1_plan`, which
  runs the real `paxos_notes.multipaxos.Server` through phase 1);
- 08.2: the phase 2 messages one command costs with five servers (measured on
  a seeded simulation);
- 08.3: from which instance a server added by a ``reconfig`` command takes
  part (`paxos_notes.multipaxos.Machine`, §3: the state after command i
  fixes the servers of instance i+α);
- 08.4: whether a small history is linearizable
  (`paxos_notes.multipaxos.linearizability.check`).

Every checker asks the package's own code for the right answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..ballots import ProposalNumber
from ..messages import Proposal
from ..multipaxos import Command, Network, Setup, Simulation, Timing, Workload, settle
from ..multipaxos.linearizability import Operation, check
from ..multipaxos.messages import Prepare, Promise
from ..multipaxos.server import Server, Stable
from . import as_int, as_ints, exercise

# -- shared ---------------------------------------------------------------------------


def _show(xs: Iterable[int]) -> str:
    return "{" + ", ".join(str(x) for x in sorted(xs)) + "}"


# -- 08.1: no-ops ---------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a new leader did after phase 1: the instances it asked about
    (``gaps`` and every one from ``above``), the constrained ones, the no-ops."""

    gaps: tuple[int, ...]
    above: int
    constrained: tuple[int, ...]
    noops: tuple[int, ...]


def _command(i: int) -> str:
    return Command("c1", i, ("put", "x", i)).encode()


def phase1_plan(known: Iterable[int], reported: Iterable[int], alpha: int = 20) -> Plan:
    """Run a real server ``s1`` of three through phase 1: it knows the commands of
    instances ``known``; ``s2``'s promise reports an accepted proposal in each
    instance of ``reported`` (and nothing else); ``s3`` never answers."""
    known, reported = sorted(set(known)), sorted(set(reported))
    setup = Setup(servers=("s1", "s2", "s3"), alpha=alpha)
    earlier = ProposalNumber(1, 1, 3)  # an old leader's number (s2's, round 1)
    stable = Stable(chosen={i: _command(i) for i in known},
                    highest_tried=ProposalNumber(1, 0, 3))
    server, out = settle(*Server("s1", setup, stable=stable).campaign())
    prepare = next(m for m in out if isinstance(m, Prepare) and m.receiver == "s2")
    accepted = tuple((i, Proposal(earlier, _command(1000 + i))) for i in reported)
    promise = Promise("s2", "s1", prepare.n, prepare.gaps, prepare.above, accepted)
    server, _ = settle(*server.receive(promise))
    lead = server.leadership
    assert lead is not None and lead.elected
    return Plan(prepare.gaps, prepare.above, lead.constrained, lead.noops)


KNOWN_081 = (*range(1, 21), 23, 26)
REPORTED_081 = (22, 27)


@exercise("08.1")
def which_instances_get_no_ops(answer: Any) -> tuple[bool, str]:
    """The leader knows 1–20, 23 and 26; the promises report proposals in 22 and 27."""
    got = as_ints(answer)
    if got is None:
        return False, "give a set of instance numbers, e.g. {21}."
    plan = phase1_plan(KNOWN_081, REPORTED_081)
    right = set(plan.noops)
    asked = f"phase 1 asked about {_show(plan.gaps)} and every instance ≥ {plan.above}"
    if got == right:
        return True, (f"{_show(right)}: {asked}; 22 and 27 are constrained, so they get the "
                      f"reported values; 21, 24 and 25 lie below the highest instance anyone "
                      f"reported (27) with nothing reported, so they are gaps and get no-ops. "
                      f"Instances from 28 on wait for new client commands.")
    if got & set(plan.constrained):
        return False, (f"in {_show(got & set(plan.constrained))} a promise reported a "
                       f"proposal: constrained, so phase 2 must propose the reported value "
                       f"there (P2c), not a no-op.")
    if got & set(KNOWN_081):
        return False, (f"{_show(got & set(KNOWN_081))}: the leader already knows the commands "
                       f"there; it runs no consensus in them at all.")
    if 27 in right or any(x > 27 for x in got):
        return False, ("above the highest instance known or reported (27) nothing is missing: "
                       "those instances simply wait for new client commands.")
    missing = right - got
    return False, (f"{_show(missing)} also lie below 27 with no command known and "
                   f"nothing reported." if missing else
                   f"only {_show(right)} are gaps ({asked}).")


# -- 08.2: messages per command with five servers --------------------------------------


@cache
def measured_phase2_per_command(servers: int = 5, seed: int = 2) -> float:
    """Accept + accepted messages between servers per command, in a seeded run with
    one client and a perfect network (one leader, elected once)."""
    setup = Setup(servers=tuple(f"s{k}" for k in range(1, servers + 1)), alpha=1)
    sim = Simulation(setup, seed=seed, workload=Workload(clients=1, ops=10),
                     network=Network(delay=(1.0, 1.0)), timing=Timing(think=(0.0, 0.0)))
    sim.run(until=1e6)
    done = sum(1 for r in sim.ops if r.complete is not None)
    return (sim.sent["Accept"] + sim.sent["Accepted"]) / done


@exercise("08.2")
def phase2_messages_with_five_servers(answer: Any) -> tuple[bool, str]:
    """Five servers, a stable leader: how many messages between servers per command?"""
    k = as_int(answer)
    if k is None:
        return False, "give a whole number of messages."
    measured = measured_phase2_per_command()
    expected = 2 * (5 - 1)
    if k == expected:
        return True, (f"{expected} = 2(N−1): an accept request to each of the 4 others and an "
                      f"acceptance back from each (the leader accepts its own proposal "
                      f"locally). A seeded run with 5 servers measures {measured:g} per command.")
    if k == 2 * 5:
        return False, ("that counts the leader's messages to itself; the leader is also an "
                       "acceptor and accepts locally, without a message.")
    if k in (4, 6):
        return False, ("a majority (3 of 5) is enough to choose, but the leader sends its accept "
                       "request to every server of the instance, and each answers: count all "
                       "four others, both ways.")
    if k in (16, 2 * expected):
        return False, ("that counts phase 1 as well. In steady state phase 1 is already done for "
                       "all instances: each command costs only phase 2.")
    return False, f"not what a run measures ({measured:g} per command). Count both directions."


# -- 08.3: reconfiguration ---------------------------------------------------------------


ALPHA_083 = 3
RECONFIG_AT_083 = 7


def first_instance_with(server: str = "s4", alpha: int = ALPHA_083,
                        at: int = RECONFIG_AT_083) -> int:
    """Run the state machine: commands 1..at−1 are puts, command ``at`` adds
    ``server``; return the first instance whose servers include it."""
    setup = Setup(servers=("s1", "s2", "s3", "s4"), initial=("s1", "s2", "s3"), alpha=alpha)
    machine = setup.machine()
    for i in range(1, at):
        machine, _, _ = machine.apply(_command(i))
    add = Command("admin", 1, ("reconfig", ("s1", "s2", "s3", server))).encode()
    machine, _, _ = machine.apply(add)
    return next(i for i in range(1, machine.executed + alpha + 1)
                if server in machine.config_for(i))


@exercise("08.3")
def first_instance_of_the_new_server(answer: Any) -> tuple[bool, str]:
    """α = 3; command 7 is reconfig(s1, s2, s3, s4). From which instance is s4 a server?"""
    k = as_int(answer)
    if k is None:
        return False, "give an instance number."
    right = first_instance_with()
    if k == right:
        return True, (f"{right} = 7 + α. The state after command 7 fixes the servers of "
                      f"instance 7 + 3 = 10. Instances 8 and 9 had their servers fixed earlier "
                      f"(by the states after commands 5 and 6), and the leader may "
                      f"already be running them: changing their servers now could let two "
                      f"leaders use different majorities in one instance.")
    if k in (7, 8):
        return False, ("the leader may be running consensus in instances up to α beyond what is "
                       "executed, with the servers the older state named; the new set applies "
                       "only α instances later.")
    if k == right - 1:
        return False, "off by one: the state after command i names the servers of instance i+α."
    return False, "the paper's rule: the state after command i fixes the servers of instance i+α."


# -- 08.4: linearizability ----------------------------------------------------------------


HISTORY_084 = (
    Operation("c1", ("put", "x", 1), "ok", 0.0, 4.0),
    Operation("c2", ("get", "x"), None, 1.0, 3.0),
    Operation("c2", ("get", "x"), None, 5.0, 6.0),
)


def _as_bool(answer: Any) -> bool | None:
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str) and answer.strip().lower() in ("true", "yes", "false", "no"):
        return answer.strip().lower() in ("true", "yes")
    return None


@exercise("08.4")
def is_the_history_linearizable(answer: Any) -> tuple[bool, str]:
    """c1 puts x=1 during [0, 4]; c2 reads x during [1, 3] → None, then during [5, 6] → None."""
    b = _as_bool(answer)
    if b is None:
        return False, "answer True or False."
    result = check(HISTORY_084)
    if b == result.linearizable:
        return True, ("False. The first get overlaps the put, so it may take effect before it: "
                      "None is fine there. But the second get starts at 5, after the put "
                      "returned at 4, so it must see x = 1. The checker: "
                      + result.explanation.splitlines()[-1].strip())
    return False, ("the first get is fine (it overlaps the put), but look at the second: it "
                   "starts after the put has returned 'ok', and still reads None. No single "
                   "order of the three operations that respects real time gives that.")
