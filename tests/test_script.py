"""The scripting API: runs written as numbered actions, and the checker's replay."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paxos_notes.agents import Acceptor
from paxos_notes.checker import check_agents
from paxos_notes.cluster import Cluster
from paxos_notes.script import Run, drive, replay
from paxos_notes.sim import Simulation


def _sim() -> Simulation:
    return Simulation(Cluster(), seed=0, manual=True)


def test_drive_numbers_each_action_and_keeps_its_events() -> None:
    run = drive(_sim(), [("propose", "p1"), ("deliver", "p1", "a1", "Prepare")])
    assert [m.number for m in run.moments] == [1, 2]
    assert run.moments[0].action == "p1 starts phase 1 with number 0"
    assert run.moments[1].action == "a1 receives prepare 0 from p1"
    assert run.moments[1].consequences() == ["promises 0, nothing accepted",
                                             "a1 sends promise 0 (none) to p1"]


def test_drive_picks_a_message_by_number_when_asked() -> None:
    sim = _sim()
    drive(sim, [("propose", "p2"), ("propose", "p2"), ("deliver", "p2", "a1", "Prepare", 3)])
    assert sim.agents["a1"].promised.natural == 3


def test_drop_and_duplicate_act_on_the_oldest_matching_message() -> None:
    sim = _sim()
    run = drive(sim, [("propose", "p1"), ("duplicate", "p1", "a1", "Prepare"),
                      ("drop", "p1", "a2", "Prepare")])
    assert run.moments[1].action == "prepare 0 from p1 to a1 is duplicated"
    assert run.moments[2].action == "prepare 0 from p1 to a2 is lost"
    to_a1 = [p for p in sim.pending() if p.message.receiver == "a1"]
    assert len(to_a1) == 2
    assert not [p for p in sim.pending() if p.message.receiver == "a2"]


def test_then_and_settle_continue_the_numbering() -> None:
    run = drive(_sim(), [("propose", "p1")]).settle()
    numbers = [m.number for m in run.moments]
    assert numbers == list(range(1, len(numbers) + 1))
    assert not run.sim.pending()
    assert run.history.chosen_values == {"x"}
    run.then([("propose", "p2")]).settle()
    assert run.moments[len(numbers)].number == len(numbers) + 1
    assert run.history.chosen_values == {"x"}  # p2 heard of x and proposed it again
    assert run.first("chosen") is not None
    assert run.first_two_values() is None


@pytest.mark.parametrize(("action", "param"), [
    (("deliver", "p1", "a1", "Accept"), "no Accept from p1 to a1 is pending"),
    (("deliver", "p1", "a1", "Letter"), "message type must be one of"),
    (("deliver", "p1", "a1"), "sender, receiver, type"),
    (("jump", "p1"), "action must be"),
    (("crash",), r"\('crash', agent\)"),
    ("propose", "action must be a tuple"),
])
def test_drive_rejects_impossible_actions_by_name(action: object, param: str) -> None:
    with pytest.raises(ValueError, match=param):
        drive(_sim(), [action])  # type: ignore[list-item]


def test_drive_needs_a_manual_simulation() -> None:
    with pytest.raises(ValueError, match="manual"):
        drive(Simulation(Cluster(), seed=0), [("propose", "p1")])


def test_replay_keeps_the_checkers_step_numbers_and_calls_back_each_step() -> None:
    result = check_agents("small-quorum")
    seen: list[int] = []
    run = replay(result.cluster, result.counterexample,
                 on_step=lambda step, sim: seen.append(step.number))
    assert isinstance(run, Run)
    numbers = [s.number for s in result.counterexample]
    assert [m.number for m in run.moments] == numbers == seen
    assert sorted(run.history.chosen_values) == ["x", "y"]
    assert run.first_two_values() == numbers[-1]


def test_replay_refuses_a_step_whose_message_was_never_sent() -> None:
    result = check_agents("small-quorum")
    deliveries = [s for s in result.counterexample if s.action == "deliver"]
    with pytest.raises(ValueError, match="not in flight"):
        replay(result.cluster, (deliveries[-1],))


def test_cursor_after_a_step_is_where_that_steps_events_end_in_the_trace() -> None:
    run = drive(_sim(), [("propose", "p1"), ("deliver", "p1", "a1", "Prepare")]).settle()
    assert run.cursor_after(0) == 0
    for m in run.moments:
        end = run.cursor_after(m.number)
        assert tuple(run.trace.events[end - len(m.events):end]) == m.events
    assert run.cursor_after(run.moments[-1].number) == len(run.trace.events)
    with pytest.raises(ValueError, match=r"number must be 0 or 1\.\.\d+, got 99"):
        run.cursor_after(99)


def test_cursor_after_keeps_the_checkers_numbers_in_a_replay() -> None:
    result = check_agents("no-promise")
    run = replay(result.cluster, result.counterexample)
    # a replay copies a message the checker delivers twice: the copy belongs to its step
    assert [run.cursor_after(s.number) for s in result.counterexample] == \
        sorted({run.cursor_after(s.number) for s in result.counterexample})
    assert run.cursor_after(len(result.counterexample)) == len(run.trace.events)
    first = run.first("chosen")
    assert first is not None
    chosen_at = run.cursor_after(first)
    assert any(e.kind == "chosen" for e in run.trace.events[:chosen_at])
    assert not any(e.kind == "chosen" for e in run.trace.events[:run.cursor_after(first - 1)])


def test_first_broken_names_the_step_and_the_rule() -> None:
    result = check_agents("no-promise")
    run = replay(result.cluster, result.counterexample)
    step, text = run.first_broken(("P1a", "P2c"))
    assert step == 11 and text.startswith("P1a: a1 accepted (0, 'x')")
    assert run.first_broken(("P2c",)) is None
    assert step < run.first_two_values()


def test_an_ignored_request_says_so_and_an_answered_one_does_not() -> None:
    run = drive(_sim(), [("propose", "p1"), ("duplicate", "p1", "a1", "Prepare"),
                         ("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a1", "Prepare")])
    answered, copy = run.moments[2], run.moments[3]
    assert "a1 ignores it" not in answered.consequences()
    assert copy.consequences() == ["a1 ignores it"]  # 0 is not greater than its promise
    assert copy.lines() == [" 4. a1 receives prepare 0 from p1 → a1 ignores it"]
    # a promise that a proposer counts is not "ignored": only requests to acceptors are
    counted = run.then([("deliver", "a1", "p1", "Promise")]).moments[-1]
    assert counted.consequences() == []


def test_a_request_to_a_crashed_acceptor_is_lost_not_ignored() -> None:
    run = drive(_sim(), [("propose", "p1"), ("crash", "a1"), ("deliver", "p1", "a1", "Prepare")])
    assert run.moments[-1].lines() == [" 3. prepare 0 from p1 reaches a1, which is down: lost"]


def test_crash_and_restart_say_what_stable_storage_kept() -> None:
    run = drive(_sim(), [("propose", "p1"), ("deliver", "p1", "a1", "Prepare"),
                         ("crash", "a1"), ("restart", "a1"), ("crash", "p1")])
    assert run.moments[2].action == "a1 crashes (on stable storage: promised 0, accepted nothing)"
    assert run.moments[3].action == "a1 restarts and remembers: promised 0, accepted nothing"
    assert run.moments[4].action == "p1 crashes (on stable storage: highest number tried 0)"


def test_a_replay_on_other_agents_describes_what_they_really_did() -> None:
    # the amnesia counterexample, replayed on the paper's acceptors: a1 remembers its
    # promise across the restart and ignores the accept request it then breaks
    result = check_agents("amnesia")
    forgetful = replay(result.cluster, result.counterexample)
    kept = replay(replace(result.cluster, acceptor=Acceptor), result.counterexample)
    restart = forgetful.first("restart")
    assert restart is not None
    nothing, kept_it = forgetful.moments[restart - 1], kept.moments[restart - 1]
    assert nothing.action.endswith("restarts and remembers: promised nothing, accepted nothing")
    assert kept_it.action.endswith("restarts and remembers: promised 1, accepted nothing")
    broken = forgetful.first("violation", "P1a")
    assert broken is not None and kept.first("violation") is None
    assert kept.moments[broken - 1].consequences()[-1].endswith("ignores it")
    assert kept.history.chosen_values == {"y"}


def test_a_message_to_a_stopped_or_cut_off_agent_is_lost_not_received() -> None:
    sim = _sim()
    run = drive(sim, [("propose", "p1"), ("crash", "a1"), ("deliver", "p1", "a1", "Prepare")])
    assert run.moments[2].action == "prepare 0 from p1 reaches a1, which is down: lost"
    assert sim.agents["a1"].promised is None
    sim.partition({"p1", "a3"}, {"a2"})
    run.then([("deliver", "p1", "a2", "Prepare")])
    assert run.moments[3].action == ("prepare 0 from p1 reaches a2, which is cut off by a "
                                     "partition: lost")
    assert sim.agents["a2"].promised is None
