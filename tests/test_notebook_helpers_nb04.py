"""Helpers of 04_the_algorithm.ipynb: paper beside code, runs, and the checker's
figures (the recorded ones are re-run here, marked slow)."""

from __future__ import annotations

import pytest

from paxos_notes.checker import VARIANTS, check_agents
from paxos_notes.invariants import P2C
from paxos_notes.messages import Accepted, Prepare
from paxos_notes.notebook_helpers import nb04
from paxos_notes.sim import Network
from paxos_notes.trace import Event, Trace


def test_p1a_table_shows_p1_and_the_promise_at_work() -> None:
    verdicts = [row[3] for row in nb04.p1a_table().rows]
    assert verdicts == ["accepts", "ignores it", "accepts", "accepts"]


def test_prepare_table_ignores_old_and_repeated_prepares() -> None:
    replies = [row[3] for row in nb04.prepare_table().rows]
    assert replies == ["promise 0 (none)", "nothing (ignored)", "nothing (ignored)",
                       "nothing (ignored)", "promise 4 (3, 'x')"]


def test_stable_storage_survives_a_restart_and_amnesia_does_not() -> None:
    lines = nb04.survives_restart().splitlines()
    assert lines[0].endswith("after the restart promised 3, accepted (2, 'x')")
    assert lines[1].endswith("after the restart promised nothing, accepted nothing")


def test_clean_run_chooses_x_twice_and_the_learner_learns_it() -> None:
    run = nb04.clean_run()
    assert run.first("chosen") == 9
    assert run.first("learned") == 11
    assert sorted(str(p) for p in run.history.chosen) == ["(0, 'x')", "(1, 'x')"]
    assert run.sim.summary()["learned"] == {"l1": "x"} and run.history.safe
    assert not run.sim.pending()


def test_faulty_run_is_reproducible_and_chooses_one_value() -> None:
    a, b = nb04.faulty_run(), nb04.faulty_run()
    assert a.trace.to_json() == b.trace.to_json()
    assert a.history.chosen_values == {"y"} and a.history.safe
    report = nb04.fault_report(a)
    assert "values chosen: ['y']" in report and "violations: none" in report
    assert a.counts.dropped > 0 and a.counts.duplicated > 0 and nb04.overtaken(a.trace) > 0


def test_overtaken_counts_a_message_delivered_after_a_later_one() -> None:
    m1, m2 = Accepted("a1", "l1", nb04.number(0), "x"), Accepted("a2", "l1", nb04.number(0), "x")
    t = Trace(events=[Event(0, 0, "send", "a1", m1, 1), Event(0, 0, "send", "a2", m2, 2),
                      Event(1, 1, "deliver", "l1", m2, 2), Event(2, 2, "deliver", "l1", m1, 1)])
    assert nb04.overtaken(t) == 1


def test_many_seeds_counts_runs_with_one_value() -> None:
    assert nb04.many_seeds(range(3)) == ("3 seeds (0..2): exactly one value chosen in 3, "
                                         "none yet in 0, a safety violation in 0")
    slow = Network(delay=(50.0, 60.0))
    assert "none yet in 1" in nb04.many_seeds(range(1), slow)


def test_broken_rules_table_runs_the_cheap_searches_now() -> None:
    rows = {row[0]: row for row in nb04.broken_rules_table().rows}
    assert set(rows) == {*nb04.LIVE_BROKEN, *nb04.RECORDED_BROKEN}
    small = check_agents("small-quorum")
    assert rows["small-quorum"][3:5] == (str(len(small.counterexample)),
                                         f"{small.distinct_states:,}")
    assert rows["lowest-accepted"][5] == "recorded"


def test_safe_variants_table_finds_no_violation() -> None:
    for row in nb04.safe_variants_table().rows:
        assert row[2].endswith("no violation") and "no violation" in row[3]


def test_checked_run_refuses_a_safe_variant() -> None:
    with pytest.raises(ValueError, match="breaks safety"):
        nb04.checked_run("paper")


def test_recorded_lowest_accepted_run_replays_to_two_values() -> None:
    run = nb04.recorded_run("lowest-accepted")
    assert run.first("chosen") == 16
    assert run.first("violation", P2C) == 18
    assert run.first_two_values() == 20


def test_recorded_run_refuses_a_safe_variant() -> None:
    with pytest.raises(ValueError, match="counterexample"):
        nb04.recorded_run("paper")


def test_steps_from_texts_rejects_a_message_that_is_not_in_flight() -> None:
    cluster = VARIANTS["lowest-accepted"].cluster()
    with pytest.raises(ValueError, match="step 1"):
        nb04.steps_from_texts(cluster, ("a1 receives prepare 0 from p1",))


def test_a_nack_makes_p1_abandon_and_jump_above_the_promise() -> None:
    run = nb04.nack_run()
    assert [e for e in run.trace if e.kind == "send" and isinstance(e.message, Prepare)]
    assert nb04.nack_messages(run) == ["a1 sends nack 0 (promised 5) to p1"]
    p1 = run.sim.agents["p1"]
    assert p1.phase == "idle" and p1.highest_seen.natural == 5
    assert p1.prepare()[0].number.natural == 6
    assert nb04.proposer_state(p1) == "p1: phase idle, number 0, highest number heard of 5"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(nb04.RECORDED))
def test_recorded_figures_are_what_the_checker_finds(name: str) -> None:
    rec = nb04.RECORDED[name]
    result = check_agents(name, learners=rec.learners)
    assert result.distinct_states == rec.distinct_states
    assert result.safe == rec.safe
    assert tuple(s.text for s in result.counterexample) == rec.steps
    assert rec.command.startswith(f'check_agents("{name}"')


@pytest.mark.slow
def test_nacks_are_safe_in_the_recorded_number_of_states() -> None:
    result = check_agents(nb04.NACKS)
    assert result.safe and result.distinct_states == nb04.NACKS_STATES
