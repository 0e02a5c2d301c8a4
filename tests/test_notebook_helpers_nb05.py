"""Presentation helpers of notebook 05: they show the runs' facts, and say "BROKEN" when
§2.1's third requirement is broken."""

from __future__ import annotations

import pytest

from paxos_notes.agents import Learner, Outgoing, replace
from paxos_notes.ballots import ProposalNumber
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accepted, Proposal
from paxos_notes.notebook_helpers import nb05
from paxos_notes.script import drive
from paxos_notes.sim import Simulation

PHASES_ON_A1_A2 = [("propose", "p1"),
                   ("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a2", "Prepare"),
                   ("deliver", "a1", "p1", "Promise"), ("deliver", "a2", "p1", "Promise"),
                   ("deliver", "p1", "a1", "Accept"), ("deliver", "p1", "a2", "Accept")]


def n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, 2)


def test_knows_and_replies_name_every_agent() -> None:
    x = Proposal(n(0), "x")
    assert nb05.knows({"l1": x, "l2": None}) == "l1 knows 'x', l2 knows nothing"
    assert nb05.replies({"a1": x, "a3": None}) == "a1: (0, 'x'), a3: nothing"


def test_verdict_holds_on_the_papers_learner() -> None:
    run = drive(Simulation(Cluster(proposers=1), seed=0, manual=True), PHASES_ON_A1_A2).settle()
    assert nb05.verdict(run.history) == "Safety 3: held. Chosen: (0, 'x')."


class FirstHeardLearner(Learner):
    def on_accepted(self, message: Accepted) -> tuple[Learner, Outgoing]:
        return replace(self, learned=Proposal(message.n, message.value)), ()


def test_verdict_says_broken_when_a_learner_learns_an_unchosen_value() -> None:
    sim = Simulation(Cluster(proposers=1), seed=0, manual=True)
    sim.agents["l1"] = FirstHeardLearner("l1", sim.cluster.quorum_system)
    run = drive(sim, [*PHASES_ON_A1_A2[:6], ("deliver", "a1", "l1", "Accepted")])
    assert nb05.verdict(run.history) == ("Safety 3: BROKEN: l1 learned 'x', which was not "
                                         "chosen. Chosen: nothing.")


def fake_grid() -> dict[tuple[int, int, str], tuple[int, int, bool]]:
    return {(m, k, a): (m * 100 + k * 10 + i, 4 + (i > 0 and k > 1), True)
            for m in (3, 5) for k in (1, 3) for i, a in enumerate(nb05.ARRANGEMENTS)}


def test_grid_table_puts_each_measurement_beside_its_formula() -> None:
    seen: list[tuple[int, int, str, int]] = []

    def formula(m: int, k: int, a: str, d: int) -> int:
        seen.append((m, k, a, d))
        return -1

    table = nb05.grid_table(fake_grid(), formula)
    assert len(table.rows) == 4
    row = dict(zip(table.columns, table.rows[3], strict=True))  # m = 5, k = 3
    assert (row["m"], row["k"], row["a"], row["d"]) == ("5", "3", "3", "2")
    assert (row["all"], row["dist."], row["set"]) == ("530", "531", "532")
    assert (row["a·k"], row["m·k"], row["m+k"]) == ("-1", "15", "8")
    assert row["delays all/dist./set"] == "4 / 5 / 5"
    assert (3, 1, "set", 1) in seen  # the set never has more members than learners


def test_grid_figure_has_a_panel_per_acceptor_count_and_a_line_per_arrangement() -> None:
    fig = nb05.grid_figure(fake_grid())
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["m = 3 acceptors (a = 2 accept)",
                                               "m = 5 acceptors (a = 3 accept)"]
    ys = [list(line.get_ydata()) for line in axes[1].get_lines()]
    assert ys == [[510, 530], [511, 531], [512, 532], [5, 15]]  # 3 arrangements, then m·k
    markers = {line.get_marker() for line in axes[0].get_lines()[:3]}
    assert len(markers) == 3  # never colour alone


def test_reliability_table_gives_counts_and_shares() -> None:
    counts = {(a, c): i for i, (a, c) in enumerate(
        (a, c) for a in nb05.ARRANGEMENTS for c in ("one", "two"))}
    table = nb05.reliability_table(counts, 4, ["one", "two"], until=80)
    assert table.columns == ("arrangement", "one", "two")
    assert table.caption.endswith("still knows nothing at t = 80")  # when the runs stop
    assert table.rows[1] == ("one distinguished learner", "2 of 4 (50 %)", "3 of 4 (75 %)")


def test_remedy_frames_pick_chosen_lost_reproposed_and_the_end() -> None:
    cluster = Cluster(acceptors=3, proposers=2, learners=2, learning="distinguished")
    run = drive(Simulation(cluster, seed=0, manual=True),
                [*PHASES_ON_A1_A2, ("drop", "a1", "l1", "Accepted"),
                 ("drop", "a2", "l1", "Accepted"), ("propose", "p2")]).settle()
    events = run.trace.events
    chosen, lost, again, end = nb05.remedy_frames(run.trace)
    assert events[chosen - 1].kind == "chosen"
    assert events[lost - 1].kind == "drop" and events[lost].kind == "propose"
    resent = [e for e in events[:again] if e.kind == "send" and e.message is not None
              and e.message.sender == "p2" and type(e.message).__name__ == "Accept"]
    assert len(resent) == 2 and {e.message.value for e in resent} == {"x"}
    assert events[again].step != events[again - 1].step
    assert end == len(events)


def test_remedy_frames_need_a_second_proposal() -> None:
    run = drive(Simulation(Cluster(proposers=1), seed=0, manual=True), PHASES_ON_A1_A2)
    with pytest.raises(ValueError, match="trace must"):
        nb05.remedy_frames(run.trace)
