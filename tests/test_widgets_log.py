"""LogWidget: the replicated log of §3, as cells, frames, a widget and a storyboard."""

from __future__ import annotations

import pytest

from paxos_notes.ballots import ProposalNumber
from paxos_notes.messages import Proposal
from paxos_notes.multipaxos import Command, Setup, Simulation, Workload
from paxos_notes.multipaxos import messages as mpm
from paxos_notes.multipaxos.scenario import (
    Frame,
    Slot,
    failover_simulation,
    frames_from_simulation,
)
from paxos_notes.widgets import LogWidget
from paxos_notes.widgets import log_widget as lw


@pytest.fixture(scope="module")
def gap() -> lw.LogView:
    return lw.builtin_view("gap")


@pytest.fixture(scope="module")
def failover() -> lw.LogView:
    return lw.builtin_view("failover")


def test_the_gap_scenario_starts_with_the_papers_knowledge(gap: lw.LogView) -> None:
    cells = gap.cells(0)
    assert gap.servers == ("s1", "s2", "s3") and gap.instances == tuple(range(133, 142))
    assert cells[("s1", 134)].state == "executed"
    assert [cells[("s1", i)].state for i in (135, 136, 137)] == ["empty"] * 3
    assert [cells[("s1", i)].progress for i in (138, 139)] == ["chosen", "chosen"]
    assert cells[("s2", 135)].state == "accepted" and str(cells[("s2", 135)].number) == "2"
    assert gap.frame(0).servers["s3"].role == "down"


def test_the_gap_scenario_ends_with_no_ops_in_136_and_137_and_1_to_140_executed(
        gap: lw.LogView) -> None:
    end = gap.cells(len(gap))
    for i in range(133, 141):
        assert end[("s1", i)].progress == "executed", i
    assert end[("s1", 136)].state == end[("s1", 137)].state == "noop"
    assert end[("s1", 136)].label == "no-op"
    assert end[("s1", 135)].label == "k135=135" and end[("s1", 140)].label == "k140=140"
    assert end[("s1", 141)].state == "empty"


def test_each_state_has_its_own_colour_outline_and_word() -> None:
    look = {}
    for state, progress in (("accepted", "accepted"), ("chosen", "chosen"),
                            ("executed", "executed"), ("noop", "chosen")):
        cell = lw.Cell(state, progress, "x=1", number=ProposalNumber.from_natural(2, 3))
        look[state] = lw._cell_canvas(cell, 80.0, 40.0).body()
    assert len(set(look.values())) == 4
    assert 'stroke-dasharray="6 4"' in look["accepted"] and "acc 2" in look["accepted"]
    assert "chosen" in look["chosen"] and "exec" in look["executed"]
    hatch = look["noop"].split("<polyline points=\"")[1].split("\"")[0]
    assert len(hatch.split()) >= 6  # hatching, not colour alone


def test_the_leader_and_the_candidate_are_marked(gap: lw.LogView) -> None:
    assert "candidate · n=3" in lw.render(gap, 1)
    svg = lw.render(gap, 4)
    assert "leader · n=3" in svg and "s1&#x27;s window" not in svg
    assert "s1's window: α = 10, instances 135–144→" in svg
    assert "DOWN (crashed)" in svg
    assert "Leader: s1 (proposal number 3)." in lw.caption(gap, 4)


def test_captions_say_what_changed(gap: lw.LogView) -> None:
    text = lw.caption(gap, 4)
    assert "s1: 135,140 accepted in 3, 136–137 accepted in 3 (no-op)" in text
    assert lw.caption(gap, 0).startswith("Step 0 of 25: s3 has crashed; s1 knows 1–134")
    assert "Down: s3." in lw.caption(gap, 0)


def test_rendering_is_pure_and_deterministic(gap: lw.LogView) -> None:
    again = lw.LogView(lw.gap_frames())
    for k in (0, 4, len(gap)):
        assert lw.render(gap, k) == lw.render(again, k)
        plain = lw.LogView(lw.gap_frames().frames, alpha=10)
        assert lw.render(gap, k) == lw.render(plain, k)
    assert "window" not in lw.render(lw.gap_frames().frames, 4)  # no alpha, no bracket
    assert "id=" not in lw.render(gap, 4)


def test_the_widget_steps_back_and_forth_headless() -> None:
    widget = LogWidget()
    assert repr(widget) == "LogWidget(gap: 25 steps, 3 servers × 9 instances)"
    start = widget.frame_bytes
    widget.forward_button.click()
    assert widget.cursor == 1 and widget.slider.value == 1 and widget.frame_bytes != start
    assert widget.caption.startswith("Step 1 of 25: s1 starts phase 1.")
    widget.back_button.click()
    assert widget.cursor == 0 and widget.frame_bytes == start
    widget.back_button.click()  # stays at the start
    assert widget.cursor == 0
    widget.play.value = 16  # what the Play widget does while playing
    assert widget.cursor == 16 and widget.cells[("s1", 140)].progress == "executed"
    widget.speed.value = 5
    assert widget.play.interval == 200
    widget.slider.value = 4
    assert widget.cursor == 4 and "leader · n=3" in widget.svg
    label, target = widget.jump_menu.options[1]
    widget.jump_menu.value = target
    assert widget.cursor == target and "s1 is candidate" in label
    assert "0x" not in widget._repr_mimebundle_()["text/plain"]


def test_the_widget_switches_to_the_failover_run() -> None:
    widget = LogWidget()
    widget.source_menu.value = "failover"
    assert widget.source == "failover" and widget.cursor == 0
    assert widget.slider.max == len(widget.view) and repr(widget).startswith("LogWidget(failover")
    crash = next(k for label, k in widget.jump_menu.options[1:] if "crashes" in label)
    widget.jump_menu.value = crash
    assert "Down: s3." in widget.caption
    widget.show("gap")
    assert widget.cursor == 0 and widget.source_menu.value == "gap"


def test_the_failover_run_fills_its_own_gap_with_a_no_op(failover: lw.LogView) -> None:
    elected = [k for label, k in failover.notable() if "s1 is leader" in label]
    assert elected, failover.notable()
    k = elected[-1]
    cells = failover.cells(k)
    assert "constrained [3, 5], no-ops [4]" in failover.frame(k).action
    assert cells[("s1", 4)].state == "noop"
    assert cells[("s1", 3)].progress == cells[("s1", 5)].progress == "accepted"
    end = failover.cells(len(failover))
    assert all(end[("s1", i)].progress == "executed" for i in failover.instances)


def test_frames_from_a_simulation_end_where_the_simulation_ends() -> None:
    sim = failover_simulation()
    frames = frames_from_simulation(sim)
    last = frames[-1]
    for name, server in sim.servers.items():
        assert last.servers[name].executed == server.executed
        for i in last.instances:
            slot = last.instances[i][name]
            assert slot.chosen == server.stable.chosen.get(i)  # the value itself, typed
            assert slot.accepted == server.stable.storage(i).accepted
    assert sim.safe and sim.done
    # the same seed, the same frames
    assert frames == frames_from_simulation(failover_simulation())


def test_bad_input_raises_value_errors_naming_the_parameter(gap: lw.LogView) -> None:
    with pytest.raises(ValueError, match="frames must be a non-empty sequence"):
        lw.LogView([])
    with pytest.raises(ValueError, match="frames must hold Frame records"):
        lw.LogView(["not a frame"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="alpha must be"):
        lw.LogView(lw.gap_frames(), alpha=0)
    with pytest.raises(ValueError, match=r"cursor must be an integer in 0\.\.25"):
        lw.render(gap, 26)
    with pytest.raises(ValueError, match="cursor must be"):
        LogWidget(cursor=-1)
    with pytest.raises(ValueError, match="source must be one of"):
        LogWidget("nowhere")
    with pytest.raises(ValueError, match="view must be"):
        lw.render(42, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="panels must be"):
        lw.key_frames(gap, 0)
    with pytest.raises(ValueError, match="columns must be"):
        lw.storyboard(gap, columns=0)
    with pytest.raises(ValueError, match="seed must be an integer"):
        failover_simulation("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sim must be in automatic mode"):
        frames_from_simulation(Simulation(seed=0, manual=True))
    with pytest.raises(ValueError, match="sim must be a multipaxos Simulation"):
        frames_from_simulation("sim")  # type: ignore[arg-type]
    many = Simulation(Setup(alpha=3), seed=1, workload=Workload(clients=2, ops=15))
    with pytest.raises(ValueError, match="instances: the run touched"):
        frames_from_simulation(many)
    with pytest.raises(ValueError, match="instances must be positive integers"):
        frames_from_simulation(failover_simulation(), instances=[0])
    widget = LogWidget()
    widget.slider.max = 99
    widget.slider.value = 50  # a bad control value shows as a message, not a traceback
    assert "cursor must be" in widget.message


def test_a_window_of_instances_can_be_recorded() -> None:
    many = Simulation(Setup(alpha=3), seed=1, workload=Workload(clients=2, ops=15))
    frames = frames_from_simulation(many, instances=range(10, 20))
    view = lw.LogView(frames, alpha=3)
    assert view.instances == tuple(range(10, 20))
    assert isinstance(frames[0], Frame) and len(view) == len(frames) - 1


def test_the_storyboard_is_a_figure_of_key_frames(gap: lw.LogView) -> None:
    keys = lw.key_frames(gap)
    assert keys[0] == 0 and keys[-1] == len(gap) and 1 in keys and 4 in keys
    fig = LogWidget().storyboard()
    assert len(fig.axes) == len(keys)
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
    fig = lw.storyboard(gap, cursors=[0, 4])
    assert len(fig.axes) == 2


def test_short_labels_and_sent_messages_read_plainly() -> None:
    def value(client: str, request_id: int, *op: object) -> str:
        return Command(client, request_id, op).encode()

    assert lw.short_label(value("c2", 1, "put", "k135", 135)) == "k135=135"
    assert lw.short_label(value("c1", 4, "get", "x")) == "get x"
    assert lw.short_label(value("c1", 5, "cas", "y", None, 1)) == "cas y"
    assert lw.short_label(value("c1", 6, "put", "it's", "a, b")) == "it's=a, b"
    assert lw.short_label("no-op") == "no-op"
    n = ProposalNumber(1, 0, 3)
    prepare = mpm.Prepare("s1", "s2", n, gaps=(135, 136, 137), above=140)
    assert lw.describe_sent(prepare) == "s1→s2: prepare 3 for 135–137 and ≥140"
    reported = Proposal(ProposalNumber(0, 2, 3), value("c2", 1, "put", "k135", 135))
    promise = mpm.Promise("s2", "s1", n, (), 135, accepted=((135, reported), (140, reported)))
    assert lw.describe_sent(promise) == "s2→s1: promise 3, accepted in 135,140"
    accept = mpm.Accept("s1", "s3", n, 135, reported.value)
    assert lw.describe_sent(accept) == "s1→s3: accept 3 #135 k135=135"
    cell = lw.cell_of(Slot(accepted=reported), 135, executed=134)
    assert (cell.progress, cell.label, str(cell.number)) == ("accepted", "k135=135", "2")
    assert cell.detail == "c2#1 put('k135', 135)"
