"""The helpers of 01_introduction.ipynb: the bank-account automaton, replicas,
and the naive broadcast simulation whose runs the notebook narrates."""

from __future__ import annotations

import pytest

from paxos_notes.notebook_helpers import nb01
from paxos_notes.notebook_helpers.nb01 import (
    ACCOUNT,
    DEPOSIT,
    OK,
    REFUSED,
    WITHDRAW,
    StateMachine,
    Submission,
    bank_account,
    broadcast,
    replicate,
)
from paxos_notes.sim import Network

# The networks and seeds the notebook uses; its prose describes these runs.
FAULTY = Network(loss=0.1, duplication=0.1, delay=(0.5, 4.0), crash_rate=0.05,
                 restart_delay=(1.0, 2.0))
SLOW = Network(delay=(0.5, 4.0))


def test_the_account_is_a_total_deterministic_automaton() -> None:
    t = ACCOUNT.transitions
    assert len(t) == len(ACCOUNT.states) * len(ACCOUNT.inputs) == 8
    assert t[(0, WITHDRAW)] == (0, REFUSED) and t[(3, DEPOSIT)] == (3, REFUSED)
    assert t[(1, WITHDRAW)] == (0, OK) and t[(2, DEPOSIT)] == (3, OK)
    assert ACCOUNT.accepting == frozenset({1, 2, 3})


def test_a_machine_with_a_missing_or_doubled_transition_is_refused() -> None:
    table = bank_account().table
    with pytest.raises(ValueError, match="exactly one entry"):
        StateMachine("broken", (0, 1, 2, 3), 0, (DEPOSIT, WITHDRAW), table[:-1])
    with pytest.raises(ValueError, match="exactly one entry"):
        StateMachine("broken", (0, 1, 2, 3), 0, (DEPOSIT, WITHDRAW), (*table, table[0]))
    with pytest.raises(ValueError, match="start"):
        StateMachine("broken", (0, 1, 2, 3), 7, (DEPOSIT, WITHDRAW), table)


def test_running_records_every_state_and_output() -> None:
    run = ACCOUNT.run([DEPOSIT, WITHDRAW, WITHDRAW])
    assert run.states == (0, 1, 0, 0) and run.outputs == (OK, OK, REFUSED) and run.final == 0
    assert ACCOUNT.accepts([DEPOSIT]) and not ACCOUNT.accepts([DEPOSIT, WITHDRAW])
    with pytest.raises(ValueError, match="command must be one of"):
        ACCOUNT.run(["steal"])


def test_same_commands_same_order_agree_and_other_orders_diverge() -> None:
    log = [DEPOSIT, WITHDRAW, WITHDRAW, DEPOSIT, DEPOSIT]
    assert replicate({"r1": log, "r2": log, "r3": log}).agree
    shuffled = replicate({
        "r1": log,
        "r2": [WITHDRAW, WITHDRAW, DEPOSIT, DEPOSIT, DEPOSIT],
        "r3": [DEPOSIT, DEPOSIT, DEPOSIT, WITHDRAW, WITHDRAW],
    })
    assert {n: r.final for n, r in shuffled.runs.items()} == {"r1": 2, "r2": 3, "r3": 1}
    assert not shuffled.agree
    assert shuffled.verdict() == ("the replicas diverge: r1 ends with 2 coins; r2 ends with "
                                  "3 coins; r3 ends with 1 coin")


def test_same_state_with_different_outputs_is_still_divergence() -> None:
    c = replicate({"r1": [DEPOSIT, WITHDRAW, WITHDRAW], "r2": [WITHDRAW, DEPOSIT, WITHDRAW]})
    assert c.same_state and not c.agree
    assert "outputs differ" in c.verdict()


def test_the_agreed_log_makes_every_replica_agree() -> None:
    agreed = nb01.agreed_log()
    assert agreed == (DEPOSIT, WITHDRAW, DEPOSIT, WITHDRAW)
    assert replicate(dict.fromkeys(nb01.REPLICAS, agreed)).agree


def test_broadcast_is_deterministic_for_a_seed() -> None:
    a = broadcast(seed=288, network=FAULTY)
    b = broadcast(seed=288, network=FAULTY)
    assert a.events == b.events and a.logs == b.logs
    assert broadcast(seed=289, network=FAULTY).events != a.events


def test_the_notebooks_faulty_run_shows_every_fault_and_three_balances() -> None:
    run = broadcast(seed=288, network=FAULTY)
    assert run.counts() == {"deliver": 11, "lost": 1, "missed": 1, "crash": 1,
                            "duplicated": 1}
    finals = {n: r.final for n, r in run.comparison.runs.items()}
    assert finals == {"r1": 0, "r2": 1, "r3": 2}
    # what the notebook's prose says about each replica
    missed = next(e for e in run.events if e.kind == "missed")
    assert (missed.replica, missed.client, missed.command, missed.sent) == ("r1", "c1",
                                                                             DEPOSIT, 0.0)
    lost = next(e for e in run.events if e.kind == "lost")
    assert (lost.replica, lost.client, lost.command, lost.sent) == ("r2", "c2", WITHDRAW, 2.5)
    copy = next(e for e in run.events if e.copy)
    assert (copy.replica, copy.command) == ("r3", DEPOSIT)
    assert len({r.commands for r in run.comparison.runs.values()}) == 3


def test_delay_alone_makes_the_notebooks_slow_run_diverge() -> None:
    run = broadcast(seed=2, network=SLOW)
    assert run.counts() == {"deliver": 12, "lost": 0, "missed": 0, "crash": 0,
                            "duplicated": 0}
    assert all(sorted(log) == sorted(nb01.agreed_log()) for log in run.logs.values())
    assert not run.agree


def test_a_perfect_fast_network_keeps_naive_replicas_in_step() -> None:
    # every message takes the same time: arrival order is submission order
    run = broadcast(seed=0, network=Network(delay=(1.0, 1.0)))
    assert run.agree and run.logs["r1"] == nb01.agreed_log()


def test_a_replica_that_is_down_misses_messages_but_keeps_its_state() -> None:
    net = Network(delay=(1.0, 1.0), crash_rate=5.0, restart_delay=(0.5, 0.5))
    run = broadcast(seed=3, network=net)
    missed = [e for e in run.events if e.kind == "missed"]
    assert missed
    for e in missed:
        assert any(c.kind == "crash" and c.replica == e.replica and c.time <= e.time
                   for c in run.events)
    assert sum(len(log) for log in run.logs.values()) == 12 - len(missed)


def test_broadcast_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="seed"):
        broadcast(seed="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replicas"):
        broadcast(seed=1, replicas=("r1", "r1"))
    with pytest.raises(ValueError, match="command"):
        broadcast(seed=1, submissions=(Submission("c1", "steal", 0.0),))


def test_narration_and_summary_are_plain_text() -> None:
    run = broadcast(seed=288, network=FAULTY)
    lines = run.narrate()
    assert len(lines) == len(run.events)
    assert lines[0].startswith(" 1. t= 0.88  r1 crashes")
    assert run.summary() == ("seed 288: 11 deliveries, 1 lost, 1 duplicated, 1 crash "
                             "(1 missed while down)")
    assert "replica" in run.table().to_text()


@pytest.mark.parametrize("make", [
    lambda: nb01.automaton_figure(),
    lambda: nb01.states_figure(replicate({"r1": [DEPOSIT], "r2": [WITHDRAW]})),
    lambda: nb01.timeline_figure(broadcast(seed=288, network=FAULTY)),
])
def test_figures_render_to_png(make) -> None:
    png = make()._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
