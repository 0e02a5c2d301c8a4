"""Presentation helpers of notebook 08 (§3): they say what the records say."""

from __future__ import annotations

import pytest

from paxos_notes.multipaxos import (
    Fault,
    Network,
    Setup,
    Simulation,
    Timing,
    Workload,
    broken_scenario,
    gap_scenario,
)
from paxos_notes.multipaxos.costs import command_costs
from paxos_notes.multipaxos.linearizability import check
from paxos_notes.multipaxos.scenario import failover_simulation
from paxos_notes.notebook_helpers import nb08


def test_the_gap_table_has_one_row_per_instance_and_says_what_the_new_leader_did() -> None:
    table = nb08.gap_table(gap_scenario())
    rows = {r[0]: r for r in table.rows}
    assert list(rows) == [str(i) for i in range(133, 142)]
    assert rows["135"][2] == "s2: (2, c2#1 put('k135', 135))"
    assert rows["135"][3].startswith("constrained") and rows["140"][3].startswith("constrained")
    assert rows["136"][3].startswith("unconstrained gap") and rows["136"][4] == "no-op"
    assert rows["138"][3].startswith("known chosen") and rows["141"][4] == "—"
    assert "<table" in table._repr_html_()


def test_window_rows_make_a_table_and_a_figure() -> None:
    rows = [nb08.WindowRow(1, 40, 185.6, 0, True, True),
            nb08.WindowRow(3, 40, 98.4, 2, True, True)]
    assert rows[0].throughput == 215.5
    table = nb08.alpha_table(rows)
    assert table.rows[1] == ("3", "40", "98.4", "406.5", "2", "True", "True")
    assert len(nb08.alpha_figure(rows).axes) == 2


@pytest.fixture(scope="module")
def costs():  # type: ignore[no-untyped-def]
    return command_costs(Simulation(
        Setup(alpha=3), seed=3, workload=Workload(clients=2, ops=10),
        network=Network(delay=(1.0, 1.0)), timing=Timing(think=(0.0, 0.0)),
        faults=(Fault(60.0, "crash_leader"), Fault(150.0, "restart", ("s1", "s2", "s3")))))


def test_the_costs_table_and_figure_say_what_was_measured(costs) -> None:  # type: ignore[no-untyped-def]
    table = nb08.costs_table(costs, servers=3)
    assert table.rows[0][1:] == ("19", "1") and table.rows[1][1:] == ("2", "4")
    assert table.rows[2][1:] == ("3.89", "3.00")
    # s1's first phase 1 made no command wait; s3's, after the crash, did (instance 10)
    assert table.rows[3][1:] == ("s1 (number 0): 4", "s3 (number 2): 3")
    top, _ = nb08.costs_figure(costs).axes
    assert [t.get_text() for t in top.texts] == ["s1 leads", "s3 leads"]


def test_a_verdict_shows_a_witness_or_where_every_order_gets_stuck() -> None:
    sim = broken_scenario("skip-phase1")
    lines = nb08.verdict(sim, check(sim.history()))
    assert lines[0] == "2 operations (2 completed, 0 pending), 1 leader change(s), " \
                       "3 messages lost, 0 duplicated"
    assert "  instance 1: c1#1 put('x', 1) and c2#1 get('x') were both chosen" in lines
    assert "after which the store holds x = 1, and no operation can go next:" in lines
    assert "  c2: get('x') → None  [invoked 2.0, returned 2.0]: a single copy would answer 1" \
        in lines
    assert lines[-1] == "  c1#1: put('x', 1) → 'ok' (returned at 1.0)"
    fine = broken_scenario("skip-phase1", control=True)
    lines = nb08.verdict(fine, check(fine.history()))
    assert lines[1] == "safety monitor: no rule broken"
    assert lines[3].startswith("witness") and lines[-1].endswith("lost from the log: 0")


def test_logs_show_where_execution_stopped() -> None:
    sim = failover_simulation(broken="no-gap-fill").run(until=300.0)
    lines = nb08.logs(sim, upto=5)
    assert all(line.split(":")[0].endswith("executed 1–3") for line in lines)
    assert all("; 4: ?; 5: " in line for line in lines)
    crashed = broken_scenario("no-gap-fill")
    assert nb08.logs(crashed)[0].startswith("s1 (crashed), executed nothing: 1: ?; 2: c2#1")
    pending = [o for o in sim.history() if o.pending]
    assert pending and nb08.operation(pending[0]).endswith(
        f"→ (no answer)  [invoked {pending[0].invoke_time:.1f}]")
