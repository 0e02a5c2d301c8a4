"""The presentation of 02_the_problem.ipynb: the requirement report and histories
written by hand, on the histories the notebook shows."""

from __future__ import annotations

import pytest

from paxos_notes.ballots import ProposalNumber
from paxos_notes.cluster import Cluster
from paxos_notes.invariants import (
    ONLY_CHOSEN_LEARNED,
    ONLY_PROPOSED,
    P2C,
    SINGLE_VALUE,
    History,
    Learned,
)
from paxos_notes.messages import Accept, Accepted, Promise, Proposal
from paxos_notes.notebook_helpers import nb02
from paxos_notes.quorums import Majority, acceptor_names
from paxos_notes.sim import Network, Simulation


def n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, 2)


def written_by_hand(*happenings, proposed=("x", "y")) -> History:
    return History(Majority(acceptor_names(3)), proposed).record(*happenings)


def verdicts(table) -> list[str]:
    return [row[2] for row in table.rows]


# the notebook's three bad histories, each built to break one requirement
BAD = {
    ONLY_PROPOSED: (Accepted("a1", "l1", n(0), "z"), Accepted("a2", "l1", n(0), "z")),
    SINGLE_VALUE: (Accepted("a1", "l1", n(0), "x"), Accepted("a2", "l1", n(0), "x"),
                   Accepted("a2", "l1", n(1), "y"), Accepted("a3", "l1", n(1), "y")),
    ONLY_CHOSEN_LEARNED: (Accepted("a1", "l1", n(0), "x"), Learned("l1", Proposal(n(0), "x"))),
}


def test_a_seeded_faulty_run_passes_every_requirement() -> None:
    net = Network(loss=0.1, duplication=0.1, crash_rate=0.02, faults_until=80)
    sim = Simulation(Cluster(acceptors=3, proposers=2, learners=2), seed=0, network=net)
    sim.run(until=200)
    # the notebook's prose: three proposals chosen, all with value 'y'
    assert sim.summary()["chosen_proposals"] == ["(3, 'y')", "(5, 'y')", "(7, 'y')"]
    report = nb02.requirement_report(sim.history)
    assert verdicts(report) == ["holds", "holds", "holds"]
    assert [row[0] for row in report.rows] == ["Safety 1", "Safety 2", "Safety 3"]
    assert report.rows[1][3] == "values chosen: 'y' (by 3 proposals)"


@pytest.mark.parametrize(("k", "rule"), [(1, ONLY_PROPOSED), (2, SINGLE_VALUE),
                                         (3, ONLY_CHOSEN_LEARNED)])
def test_each_bad_history_breaks_exactly_its_requirement(k: int, rule: str) -> None:
    report = nb02.requirement_report(written_by_hand(*BAD[rule]))
    expected = ["holds"] * 3
    expected[k - 1] = "BROKEN"
    assert verdicts(report) == expected
    assert report.caption == "The three safety requirements of §2.1"


def test_the_report_gives_the_facts_of_each_requirement() -> None:
    rows = nb02.requirement_report(written_by_hand(*BAD[ONLY_CHOSEN_LEARNED])).rows
    assert rows[0][3] == "chosen: nothing; proposed: 'x', 'y'"
    assert rows[1][3] == "values chosen: nothing (by 0 proposals)"
    assert rows[2][3] == "l1 learned 'x', which was not chosen"


def test_one_two_faced_acceptor_gets_two_values_chosen() -> None:
    # the notebook's sidebar: a2 accepts (0, 'x'), then tells p2 it accepted nothing
    n0, n1 = n(0), n(1)
    history = written_by_hand(
        Promise("a1", "p1", n0, None), Promise("a2", "p1", n0, None),
        Accept("p1", "a1", n0, "x"), Accept("p1", "a2", n0, "x"),
        Accepted("a1", "l1", n0, "x"), Accepted("a2", "l1", n0, "x"),
        Learned("l1", Proposal(n0, "x")),
        Promise("a2", "p2", n1, None), Promise("a3", "p2", n1, None),
        Accept("p2", "a2", n1, "y"), Accept("p2", "a3", n1, "y"),
        Accepted("a2", "l2", n1, "y"), Accepted("a3", "l2", n1, "y"),
        Learned("l2", Proposal(n1, "y")))
    assert history.chosen_values == {"x", "y"}
    assert {v.rule for v in history.violations} == {P2C, SINGLE_VALUE}
    report = nb02.requirement_report(history)
    assert verdicts(report) == ["holds", "BROKEN", "holds"]
    assert report.caption.endswith("(also broken: P2c, a rule of §2.2)")


def test_a_history_by_hand_says_so_and_numbers_every_line() -> None:
    lines = nb02.by_hand("a learner speaks too early", BAD[ONLY_CHOSEN_LEARNED])
    assert lines == ["CONSTRUCTED by hand — a learner speaks too early (proposed: 'x', 'y')",
                     "  1. a1 → l1: accepted 0 'x'",
                     "  2. l1 learns 'x'"]
    assert nb02.by_hand("nothing", (), proposed=()) == [
        "CONSTRUCTED by hand — nothing (proposed: nothing)"]
