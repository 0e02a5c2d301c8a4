"""The scripting API: runs written as numbered actions, and the checker's replay."""

from __future__ import annotations

import pytest

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
