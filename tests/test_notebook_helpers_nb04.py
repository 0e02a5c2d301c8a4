"""Presentation of 04_the_algorithm.ipynb: the acceptor tables, the fault report and the
checker's tables (the recorded figures are re-run here, marked slow).

The notebook's runs and counterexample replays are written out in its cells (strict
nbval checks their output); what is left in the helper is tested here."""

from __future__ import annotations

import pytest

from paxos_notes.checker import VARIANTS, check_agents, shortest
from paxos_notes.checker.stored import stored
from paxos_notes.checker.variants import MOST_COMMON_VALUE_RUN
from paxos_notes.cluster import Cluster
from paxos_notes.notebook_helpers import nb04
from paxos_notes.script import drive, memory, replay
from paxos_notes.sim import Network, Simulation


def test_p1a_table_shows_p1_and_the_promise_at_work() -> None:
    verdicts = [row[3] for row in nb04.p1a_table().rows]
    assert verdicts == ["accepts", "ignores it", "accepts", "accepts"]


def test_prepare_table_ignores_old_and_repeated_prepares() -> None:
    rows = nb04.prepare_table().rows
    replies = [row[4] for row in rows]
    assert replies == ["promise 0 (none)", "nothing (ignored)", "nothing (ignored)",
                       "nothing (ignored)", "promise 4 (3, 'x')"]
    # each row names the part of the rule that decided it: the promise, or the
    # optimization that ignores a prepare at or below the accepted proposal
    why = [row[3] for row in rows]
    assert why[1].startswith("phase 1(b): 2 is not greater") and \
        why[2].startswith("phase 1(b): 3 is not greater")
    assert why[3] == "the optimization: 3 is not above the accepted (3, 'x')"
    assert why[0].startswith("phase 1(b)") and why[4].startswith("phase 1(b)")


def test_acceptor_and_state_text_describe_what_it_remembers() -> None:
    a = nb04.acceptor(3, (2, "x"))
    assert memory(a) == "promised 3, accepted (2, 'x')"
    assert memory(nb04.acceptor()) == "promised nothing, accepted nothing"


def test_fault_report_tells_what_the_network_did_and_what_was_chosen() -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=1), seed=13,
                     network=Network(loss=0.2, duplication=0.2, delay=(1.0, 8.0)))
    sim.run(until=300)
    lines = nb04.fault_report(sim, reordered=7).splitlines()
    s = sim.summary()
    assert lines[0] == (f"seed 13: {s['sent']} messages sent, {s['dropped']} lost, "
                        f"{s['duplicated']} duplicated, 7 delivered after a later one "
                        f"(reordered)")
    assert "values chosen: ['y']" in lines[2] and lines[3].endswith("violations: none")
    # the time is rounded for reading, not printed to the last digit
    assert lines[3].startswith(f"first chosen at t = {s['chosen_at']:.1f}; ")


def test_broken_rules_table_runs_the_cheap_searches_and_reads_the_rest() -> None:
    rows = {row[0]: row for row in nb04.broken_rules_table().rows}
    assert set(rows) == {*nb04.LIVE_BROKEN, *nb04.RECORDED_BROKEN}
    small = shortest("small-quorum")
    assert rows["small-quorum"][3:] == (str(len(small.counterexample)),
                                        f"{small.distinct_states:,} (now)")
    even = stored("small-quorum-even")
    assert rows["small-quorum-even"][3:] == (str(len(even.steps)),
                                             f"{even.distinct_states:,} (recorded; 4 acceptors)")
    assert rows["most-common-value"][3:] == ("none: safe",
                                             "154,905 (recorded; numbers 0..2; learners skipped)")


def test_phase2a_table_puts_the_wrong_choices_side_by_side() -> None:
    lowest = replay(VARIANTS["lowest-accepted"].cluster(), stored("lowest-accepted").steps)
    cluster = VARIANTS["most-common-value"].cluster(acceptors=5)
    common = drive(Simulation(cluster, seed=0, manual=True), MOST_COMMON_VALUE_RUN)
    rows = nb04.phase2a_table({"lowest-accepted": lowest, "most-common-value": common}).rows
    assert rows[0][1:5] == ("3", "20", "step 18", "step 20")
    assert rows[1][1:5] == ("5", "29", "step 26", "step 29")
    assert rows[1][5] == "(1, 'y') and (2, 'x')"


def test_safe_variants_table_finds_no_violation() -> None:
    for row in nb04.safe_variants_table().rows:
        assert row[2].endswith("no violation") and "no violation" in row[3]


def test_proposer_state_in_one_line() -> None:
    p = Cluster(acceptors=3, proposers=2).build()["p1"]
    assert nb04.proposer_state(p) == "p1: phase idle, number none, highest number heard of none"


@pytest.mark.slow
@pytest.mark.parametrize("name", nb04.RECORDED_BROKEN + nb04.SAFE)
def test_recorded_figures_are_what_the_checker_finds(name: str) -> None:
    kept, live = stored(name), check_agents(name)
    assert (kept.distinct_states, kept.safe) == (live.distinct_states, live.safe)
    assert [s.text for s in kept.steps] == [s.text for s in live.counterexample]


@pytest.mark.slow
def test_nacks_are_safe_in_the_recorded_number_of_states() -> None:
    result = check_agents("nacks")
    assert result.safe and result.distinct_states == stored("nacks").distinct_states
