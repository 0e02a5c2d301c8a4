"""Helpers of notebook 08 (§3): what they measure, and that they say it right."""

from __future__ import annotations

import pytest

from paxos_notes.multipaxos import gap_scenario
from paxos_notes.notebook_helpers import nb08


@pytest.fixture(scope="module")
def gap():  # type: ignore[no-untyped-def]
    return gap_scenario()


def test_one_phase_1_then_four_messages_per_command() -> None:
    lines = nb08.steady_state_demo(commands=2)
    assert lines[0].startswith("s1 runs phase 1, once, for every instance: 8 messages")
    assert "    s1→s2: prepare 0 for ≥1" in lines
    for k in (1, 2):
        assert any(x.startswith(f"command {k}, put('x', {k}): 4 messages between servers "
                                f"(2 accept, 2 accepted)") for x in lines)


def test_the_gap_summary_states_the_papers_numbers(gap) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(nb08.gap_summary(gap))
    assert "s1 knows the commands of instances 1–134, 138–139." in text
    assert "prepare 3 for instances 135–137 and every instance ≥ 140" in text
    assert "Gaps filled with no-op: 136–137." in text
    assert "s1 has executed 140 commands, 1–140" in text
    assert "no rule broken" in text


def test_the_gap_table_has_one_row_per_instance_and_says_what_s1_did(gap) -> None:  # type: ignore[no-untyped-def]
    table = nb08.gap_table(gap)
    rows = {r[0]: r for r in table.rows}
    assert list(rows) == [str(i) for i in range(133, 142)]
    assert rows["135"][3].startswith("constrained") and rows["140"][3].startswith("constrained")
    assert rows["136"][3].startswith("gap") and rows["136"][4] == "no-op"
    assert rows["138"][3].startswith("known chosen")
    assert "<table" in table._repr_html_()


def test_largest_gap_counts_missing_instances_below_the_top() -> None:
    assert nb08.largest_gap([]) == 0
    assert nb08.largest_gap([1, 2, 3]) == 0
    assert nb08.largest_gap([1, 4, 6]) == 3


def test_gaps_never_exceed_alpha_minus_one_and_alpha_1_is_slowest() -> None:
    rows = nb08.alpha_sweep(alphas=(1, 3), seed=1)
    assert [r.alpha for r in rows] == [1, 3]
    for r in rows:
        assert r.largest_gap <= r.alpha - 1 and r.safe and r.linearizable
        assert r.commands == 40
    assert rows[0].largest_gap == 0 and rows[0].throughput < rows[1].throughput
    assert nb08.alpha_table(rows).rows[0][0] == "1"
    assert len(nb08.alpha_figure(rows).axes) == 2
    with pytest.raises(ValueError, match="alphas"):
        nb08.alpha_sweep(alphas=())


def test_a_steady_command_costs_2_delays_and_a_waiting_one_4() -> None:
    costs = nb08.command_costs(seed=3)
    steady, waited = costs.steady(), costs.waited()
    assert {c.delays for c in steady} == {2.0}
    assert [(c.instance, c.leader, c.delays) for c in waited] == [(10, "s3", 4.0)]
    assert all(c.phase2 in (3, 4) for c in costs.commands)
    assert costs.phase1 == {"s1 (number 0)": 4, "s3 (number 2)": 3}
    assert "s3 was elected (number 2)" in costs.outage()
    table = nb08.costs_table(costs)
    assert table.rows[1][1:] == ("2", "4")
    assert len(nb08.costs_figure(costs).axes) == 2


def test_the_faulty_run_is_linearizable_and_the_broken_ones_are_caught() -> None:
    good = nb08.kv_run(seed=15)
    assert good.result.linearizable and good.sim.safe and not good.sim.lost_writes()
    text = "\n".join(nb08.verdict(good))
    assert "linearizable: True" in text and "witness" in text
    skip = nb08.kv_run(seed=15, broken="skip-phase1")
    assert not skip.result.linearizable and not skip.sim.safe and skip.sim.lost_writes()
    text = "\n".join(nb08.verdict(skip))
    assert "only a single value is chosen" in text and '{"client"' not in text
    assert "a single copy would answer 2" in text
    holes = nb08.kv_run(seed=15, broken="no-gap-fill")
    assert any(v.rule == "executed prefixes agree" for v in holes.sim.violations)


def test_the_broken_stories_show_the_divergence() -> None:
    skip = "\n".join(nb08.broken_story("skip-phase1"))
    assert "linearizable: False" in skip and "acknowledged writes lost: 1" in skip
    assert "s2: 1: c2#1 get('x')" in skip
    holes = "\n".join(nb08.broken_story("no-gap-fill"))
    assert "s1: [2, 1, 3]" in holes and "linearizable: False" in holes
    control = "\n".join(nb08.broken_story("skip-phase1", control=True))
    assert "linearizable: True" in control and "no rule broken" in control


def test_readable_replaces_encoded_commands() -> None:
    text = "values '{\"client\":\"c2\",\"id\":1,\"op\":[\"get\",\"y\"]}' and 'x'"
    assert nb08.readable(text) == "values c2#1 get('y') and 'x'"


def test_reconfiguration_adds_s4_at_5_and_removes_s1_at_10() -> None:
    lines = nb08.reconfiguration_report(nb08.reconfiguration_run(seed=5))
    text = "\n".join(lines)
    assert "1: s1, s2, s3; 5: s1, s2, s3, s4; 10: s2, s3, s4" in text
    assert "s4 accepted in instances 5–" in text and "s1 accepted in instances 1–9" in text
    assert "agree: True" in text and "no rule broken" in text and "linearizable: True" in text
