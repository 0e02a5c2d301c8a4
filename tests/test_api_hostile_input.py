"""The scripting and widget API under hostile-but-ordinary input (issue 12, item 12):
a bad argument is one ``ValueError`` naming the parameter and what it may be —
never ``IndexError``, ``TypeError``, ``TraitError`` or a widget that says
something false."""

from __future__ import annotations

from pathlib import Path

import pytest

from paxos_notes.cluster import Cluster
from paxos_notes.multipaxos.server import Setup
from paxos_notes.sim import Simulation
from paxos_notes.trace import Trace
from paxos_notes.widgets import P2cArgument, ProposalNumbering, QuorumIntersection, TracePlayer
from paxos_notes.widgets.trace_player import caption, render


def one_line_value_error(call, *words: str) -> str:
    """Run ``call``; it must raise exactly ValueError, of one line, containing ``words``."""
    with pytest.raises(Exception) as e:  # the exact type is checked just below
        call()
    assert type(e.value) is ValueError, f"{type(e.value).__name__}: {e.value}"
    msg = str(e.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, msg
    return msg


# -- P2cArgument: a cell outside the grid ------------------------------------------------


@pytest.mark.parametrize("ballot", [99, 6, -1, True, 1.0, "1", None])
def test_p2c_cycle_names_the_ballot_and_its_range(ballot: object) -> None:
    widget = P2cArgument()
    before = widget.state
    one_line_value_error(lambda: widget.cycle(ballot, "a1"), "ballot must be an integer in 0..5")
    one_line_value_error(lambda: widget.set_cell(ballot, "a1", "x"), "ballot must be")
    assert widget.state == before


@pytest.mark.parametrize("acceptor", ["zz", "a6", "", None, 1])
def test_p2c_cycle_names_the_acceptor_and_who_may_be_named(acceptor: object) -> None:
    widget = P2cArgument()
    one_line_value_error(lambda: widget.cycle(0, acceptor),
                         "acceptor must be one of ('a1', 'a2', 'a3', 'a4', 'a5')")


def test_p2c_cycle_still_cycles_a_good_cell() -> None:
    widget = P2cArgument()
    seen = [widget.state.cells[2][0]]
    for _ in range(4):
        widget.cycle(2, "a1")
        seen.append(widget.state.cells[2][0])
    assert seen == [None, "x", "y", "z", None]


# -- QuorumIntersection: first / second that are not collections of names -------------------


@pytest.mark.parametrize("value", [None, 5, "a1", [["a1"]]])
@pytest.mark.parametrize("param", ["first", "second"])
def test_quorum_intersection_names_first_or_second(param: str, value: object) -> None:
    one_line_value_error(lambda: QuorumIntersection(**{param: value}),
                         f"{param} must be a collection of acceptor names")


def test_quorum_intersection_still_takes_names_in_any_collection() -> None:
    for first in (("a1", "a2", "a3"), ["a1", "a2", "a3"], {"a1", "a2", "a3"}):
        assert QuorumIntersection(first=first).state.first == frozenset({"a1", "a2", "a3"})
    one_line_value_error(lambda: QuorumIntersection(first=("a9",)),
                         "first must be a set of acceptors among")


# -- ProposalNumbering: shared must be a bool ------------------------------------------------


@pytest.mark.parametrize("shared", ["yes", "no", 1, 0, None])
def test_proposal_numbering_names_shared(shared: object) -> None:
    one_line_value_error(lambda: ProposalNumbering(shared=shared),
                         f"shared must be True or False, got {shared!r}")


def test_proposal_numbering_still_takes_a_bool() -> None:
    assert ProposalNumbering(shared=True).state.shared is True


# -- TracePlayer: a file name, JSON text, a simulation that keeps no events ----------------


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    sim = Simulation(Cluster(), seed=1).run(until=50)
    path = tmp_path / "out.json"
    sim.trace.save(path)
    return path


def test_trace_player_plays_a_file_named_by_a_string(saved: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = len(Trace.load(saved))
    assert len(TracePlayer(str(saved)).view) == expected
    monkeypatch.chdir(saved.parent)
    assert len(TracePlayer("out.json").view) == expected  # a relative name, as typed


def test_trace_player_still_takes_json_text(saved: Path) -> None:
    text = saved.read_text(encoding="utf-8")
    assert len(TracePlayer(text).view) == len(TracePlayer("  \n" + text).view) > 0
    one_line_value_error(lambda: TracePlayer("{not json"), "not valid JSON")


def test_trace_player_says_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    one_line_value_error(lambda: TracePlayer(str(tmp_path / "nope.json")),
                         "cannot read nope.json", "No such file")


@pytest.mark.parametrize("manual", [True, False])
def test_trace_player_refuses_a_simulation_that_keeps_no_events(manual: bool) -> None:
    sim = Simulation(Cluster(), seed=1, record=False, manual=manual)
    if manual:
        sim.propose("p1")
        assert len(sim.in_flight) == 3  # what the player would have called "0 in flight"
    else:
        sim.run(until=5)
    one_line_value_error(lambda: TracePlayer(sim), "trace must be a Simulation that records",
                         "record=False")


def test_trace_player_over_a_recording_simulation_shows_what_is_in_flight() -> None:
    sim = Simulation(Cluster(), seed=1, manual=True)
    sim.propose("p1")
    player = TracePlayer(sim)
    assert len(player.snapshot.in_flight) == len(sim.in_flight) == 3


# -- names: NUL and lone surrogates are refused where they enter ------------------------------

BAD_TEXT = ["x\x00", "x\ud800", "\udfff", "a\nb"]


@pytest.mark.parametrize("value", BAD_TEXT)
def test_a_cluster_refuses_values_that_cannot_be_drawn_or_saved(value: str) -> None:
    one_line_value_error(lambda: Cluster(proposers=1, values=(value,)),
                         "values must be strings of 1..64 characters, all printable")


@pytest.mark.parametrize("name", BAD_TEXT)
def test_multipaxos_servers_refuse_names_that_cannot_be_drawn_or_saved(name: str) -> None:
    one_line_value_error(lambda: Setup(servers=("s1", name)),
                         "server names must be strings of 1..32 characters, all printable")


@pytest.mark.parametrize("name", ["a\x00", "a\ud800"])
def test_a_trace_with_such_a_name_never_reaches_the_player(name: str) -> None:
    data = Simulation(Cluster(), seed=1).run(until=20).trace.to_dict()
    data["events"][0]["agent"] = name
    one_line_value_error(lambda: TracePlayer(data), "event 0 agent must be printable")
    data = Simulation(Cluster(), seed=1).run(until=20).trace.to_dict()
    data["meta"]["acceptors"][0] = name
    one_line_value_error(lambda: TracePlayer(data), "meta acceptors item must be text")


def test_printable_non_ascii_values_still_draw_and_encode() -> None:
    sim = Simulation(Cluster(proposers=2, values=("é", "✓ 𝄞")), seed=1).run(until=60)
    player = TracePlayer(sim.trace)
    for cursor in (0, len(player.view)):
        render(player.view, cursor).encode("utf-8")
        caption(player.view, cursor).encode("utf-8")
