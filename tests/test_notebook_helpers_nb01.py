"""The presentation of 01_introduction.ipynb: tables, verdicts, the broadcast run in
words and the figures, on the machine and the runs the notebook's cells define."""

from __future__ import annotations

import pytest

from paxos_notes.broadcast import broadcast, happenings
from paxos_notes.net import Network
from paxos_notes.notebook_helpers import nb01

# The notebook's cells, as they define them.
SUBMISSIONS = [("c1", "deposit", 0.0), ("c2", "withdraw", 0.5), ("c1", "deposit", 2.0),
               ("c2", "withdraw", 2.5)]
FAULTY = Network(loss=0.1, duplication=0.1, delay=(0.5, 4.0), crash_rate=0.05,
                 restart_delay=(1.0, 2.0))
FAULTY_SEED, SLOW_SEED = 32030, 2


def account(coins: int, command: str) -> tuple[int, str]:
    if command == "deposit":
        return (coins + 1, "ok") if coins < 3 else (coins, "refused")
    if command == "withdraw":
        return (coins - 1, "ok") if coins > 0 else (coins, "refused")
    raise ValueError(command)


def execute(commands, state=0):
    states, outputs = [state], []
    for c in commands:
        state, out = account(state, c)
        states.append(state)
        outputs.append(out)
    return states, outputs


def replicate(logs):
    return {r: (log, *execute(log)) for r, log in logs.items()}


def arrival_order(run):
    logs = {r: [] for r in run.replicas}
    for e in run.trace:
        if e.kind == "deliver":
            logs[e.agent].append(e.message.command)
    return logs


def test_the_transition_table_lists_every_state_and_input() -> None:
    table = nb01.transition_table(account, range(4), ("deposit", "withdraw"))
    assert len(table.rows) == 8 and table.caption == "bank account: the transition function"
    assert ("0", "withdraw", "0", "refused") in table.rows
    assert ("3", "deposit", "3", "refused") in table.rows
    assert ("2", "deposit", "3", "ok") in table.rows


def test_the_verdict_says_agree_or_how_the_replicas_diverge() -> None:
    log = ["deposit", "withdraw", "withdraw", "deposit", "deposit"]
    assert nb01.verdict(replicate({"r1": log, "r2": log})) == \
        "all replicas agree: same final state, same outputs"
    shuffled = replicate({"r1": log, "r2": ["withdraw", "withdraw", "deposit", "deposit",
                                            "deposit"],
                          "r3": ["deposit", "deposit", "deposit", "withdraw", "withdraw"]})
    assert nb01.verdict(shuffled) == ("the replicas diverge: r1 ends with 2 coins; r2 ends "
                                      "with 3 coins; r3 ends with 1 coin")
    # the same final state is not enough: the clients were told different things
    same_state = replicate({"r1": ["deposit", "withdraw", "withdraw"],
                            "r2": ["withdraw", "deposit", "withdraw"]})
    assert nb01.verdict(same_state) == ("the replicas diverge: all end with 0 coins, but their "
                                        "outputs differ")
    grouped = replicate({"r1": ["deposit"], "r2": ["deposit"], "r3": []})
    assert nb01.verdict(grouped) == ("the replicas diverge: r1 and r2 end with 1 coin; r3 ends "
                                     "with 0 coins")


def test_the_replicas_table_shows_each_log_and_its_states() -> None:
    table = nb01.replicas_table(replicate({"r1": ["withdraw", "deposit"], "r2": []}))
    assert table.rows == (("r1", "- +", "refused ok", "0 → 0 → 1", "1"),
                          ("r2", "(nothing)", "-", "0", "0"))


def test_the_notebooks_faulty_run_shows_every_fault_and_three_balances() -> None:
    run = broadcast(SUBMISSIONS, seed=FAULTY_SEED, network=FAULTY)
    assert nb01.summary(run) == (f"seed {FAULTY_SEED}: 11 deliveries, 1 lost, 1 duplicated, "
                                 f"1 crash (1 missed while down)")
    hs = happenings(run)
    # what the notebook's prose says about each replica
    missed = next(h for h in hs if h.kind == "missed")
    assert (missed.replica, missed.client, missed.command, missed.sent) == ("r1", "c2",
                                                                            "withdraw", 0.5)
    lost = next(h for h in hs if h.kind == "lost")
    assert (lost.replica, lost.client, lost.command, lost.sent) == ("r2", "c1", "deposit", 2.0)
    copy = next(h for h in hs if h.copy)
    assert (copy.replica, copy.client, copy.command, copy.sent) == ("r3", "c1", "deposit", 0.0)
    naive = replicate(arrival_order(run))
    assert {r: states[-1] for r, (_, states, _) in naive.items()} == {"r1": 1, "r2": 0, "r3": 2}
    assert len({tuple(log) for log, _, _ in naive.values()}) == 3
    lines = nb01.narrate(run)
    assert len(lines) == len(hs) == 15
    assert " 9. t= 3.30  c2's withdraw (sent at t=0.5) reaches r1 while it is down: missed" in lines
    assert " 4. t= 2.25  r3 receives c1's deposit (sent at t=0; the network's extra copy)" in lines


def test_delay_alone_makes_the_notebooks_slow_run_diverge() -> None:
    run = broadcast(SUBMISSIONS, seed=SLOW_SEED, network=Network(delay=(0.5, 4.0)))
    assert nb01.summary(run) == (f"seed {SLOW_SEED}: 12 deliveries, 0 lost, 0 duplicated, "
                                 f"0 crashes (0 missed while down)")
    naive = replicate(arrival_order(run))
    # the prose: r2 ends with 0, r1 and r3 with 1; r1 refused the first withdrawal, r3 the second
    assert nb01.verdict(naive) == ("the replicas diverge: r1 and r3 end with 1 coin; r2 ends "
                                   "with 0 coins")
    assert naive["r1"][2] == ["refused", "ok", "ok", "ok"]
    assert naive["r3"][2] == ["ok", "ok", "refused", "ok"]


@pytest.mark.parametrize("make", [
    lambda: nb01.automaton_figure(account, range(4), ("deposit", "withdraw"), 0, {1, 2, 3}),
    lambda: nb01.states_figure(replicate({"r1": ["deposit"], "r2": ["withdraw"]})),
    lambda: nb01.timeline_figure(
        run := broadcast(SUBMISSIONS, seed=FAULTY_SEED, network=FAULTY),
        replicate(arrival_order(run))),
])
def test_figures_render_to_png(make) -> None:
    png = make()._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
