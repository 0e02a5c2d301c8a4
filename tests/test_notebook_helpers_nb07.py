"""Presentation helpers of 07_the_implementation.ipynb: what they show is what the
runs and searches handed to them contain."""

from __future__ import annotations

from collections import Counter

import pytest

from paxos_notes.checker import check_agents
from paxos_notes.checker.stored import stored as checker_stored
from paxos_notes.cluster import Cluster
from paxos_notes.notebook_helpers import nb07
from paxos_notes.processes import ProcessSimulation
from paxos_notes.script import drive, replay
from paxos_notes.sim import Simulation


def led_run(n: int = 3):
    cluster = Cluster(acceptors=n, proposers=n, learners=n, learning="distinguished")
    return drive(ProcessSimulation(cluster, seed=0, manual=True), [("propose", "p1")]).settle()


def test_message_table_lists_every_message_and_how_it_travelled() -> None:
    run = led_run()
    table = nb07.message_table(run)
    network = [r for r in table.rows if r[3].startswith("network")]
    inside = [r for r in table.rows if r[3] == "inside P1"]
    assert len(network) == run.sim.counts.sent == 8
    assert len(inside) == run.sim.local == 4
    assert table.caption == "12 messages: 8 on the network, 4 inside a process"
    rows = [r[1:] for r in table.rows]
    assert ("p1 → a1", "prepare 0", "inside P1") in rows
    assert ("p1 → a2", "prepare 0", "network P1 → P2") in rows
    steps = [int(r[0]) for r in table.rows]
    assert steps == sorted(steps) and steps[0] == 1
    assert table.rows[-1][1:] == ("l1 → l3", "chosen 0 'x'", "network P1 → P3")
    assert steps[-1] == run.first("learned", "from a2")  # l1 tells the others at once


def test_message_table_wants_a_process_run() -> None:
    run = drive(Simulation(Cluster(), seed=0, manual=True), [("propose", "p1")])
    with pytest.raises(ValueError, match="ProcessSimulation"):
        nb07.message_table(run)


def test_phases_cover_every_message_kind_of_a_decision_once() -> None:
    kinds = [k for ks in nb07.PHASES.values() for k in ks]
    assert sorted(kinds) == sorted({"Prepare", "Promise", "Accept", "Accepted", "Chosen"})
    assert nb07.by_phase(Counter({"Prepare": 2, "Promise": 2, "Accept": 1, "Accepted": 1,
                                  "Chosen": 2})) == {"phase 1": 4, "phase 2": 1,
                                                     "learning": 3}


def test_cost_table_and_figure_show_the_counts_they_are_given() -> None:
    costs = {(3, "processes"): Counter({"Prepare": 2, "Promise": 2, "Accept": 1,
                                        "Accepted": 1, "Chosen": 2}),
             (3, "roles"): Counter({"Prepare": 3, "Promise": 3, "Accept": 2, "Accepted": 2,
                                    "Chosen": 2})}
    table = nb07.cost_table(costs)
    assert table.columns[0] == "N"  # the notebook's letter for the number of processes
    assert table.rows == (("3", "processes", "4", "1", "3", "8"),
                          ("3", "roles", "6", "2", "4", "12"))
    fig = nb07.cost_figure(costs)
    bars = fig.axes[0].patches
    assert len(bars) == 2 * len(nb07.PHASES)
    assert sorted(round(b.get_height()) for b in bars) == sorted([4, 1, 3, 6, 2, 4])


def test_verdict_states_counts_for_safe_and_unsafe_searches() -> None:
    safe = check_agents("paper", learners=False)
    assert nb07.verdict(safe) == (f"paper: safe — no violation in all "
                                  f"{safe.distinct_states:,} states (every state searched: "
                                  f"True)")
    broken = check_agents("small-quorum")
    line = nb07.verdict(broken)
    assert line.startswith("small-quorum: UNSAFE — breaks “only a single value is chosen” "
                           "('x' and 'y' chosen)")
    assert f"{len(broken.counterexample)} steps" in line


def test_the_stored_untagged_search_is_what_the_checker_finds_now() -> None:
    # notebook 07 reads this search from the results file instead of running it
    live = check_agents("untagged-responses")
    stored = checker_stored("untagged-responses")
    assert (stored.distinct_states, stored.rule, stored.chosen_values) == \
        (live.distinct_states, live.violation, live.chosen_values)
    assert [s.text for s in stored.steps] == [s.text for s in live.counterexample]
    assert nb07.verdict(stored) == nb07.verdict(live)


def test_frames_after_are_trace_positions_at_the_end_of_each_step() -> None:
    result = check_agents("small-quorum")
    run = replay(result.cluster, result.counterexample)
    frames = nb07.frames_after(run, [1, len(run.moments)])
    assert frames[-1] == len(run.trace)
    assert frames[0] == len(run.moments[0].events)
    with pytest.raises(ValueError, match="steps must be step numbers"):
        nb07.frames_after(run, [0])
