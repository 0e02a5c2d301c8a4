"""Helpers of notebook 09: the committed checker results stay current and replay.

``paxos_notes/data/checker_results.json`` is written by
``benchmarks/checker_results.py``; the notebook shows its numbers without
re-running the slow searches, so these tests are what keep it honest: every
variant is in the file with the verdict it declares, the cheap variants give the
same counts and counterexamples live, and every stored counterexample (the slow
ones too) is a real run of the agents that ends with two values chosen.
"""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import pytest

import paxos_notes.checker.stored as checker_stored
from paxos_notes.checker import VARIANTS, check_agents, counterexample, replay
from paxos_notes.checker.lamport_fast import check_lamport
from paxos_notes.invariants import SINGLE_VALUE
from paxos_notes.notebook_helpers import nb09

CHEAP = ("small-quorum", "ignore-accepted", "shared-numbers-strict", "no-promise",
         "shared-numbers", "flexible-unsafe")
ROOT = Path(__file__).resolve().parents[1]


def test_the_results_file_is_package_data_read_through_importlib_resources() -> None:
    text = (resources.files("paxos_notes") / "data" / nb09.DATA_FILE).read_text("utf-8")
    data = json.loads(text)
    assert data["schema"] == nb09.SCHEMA and data["version"] == nb09.SCHEMA_VERSION
    assert data["generated_by"] == "benchmarks/checker_results.py"
    assert (ROOT / data["generated_by"]).is_file()


def test_every_variant_is_in_the_file_with_its_declared_verdict() -> None:
    stored = nb09.results().agents
    assert list(stored) == list(VARIANTS), "run python benchmarks/checker_results.py --write"
    for name, v in VARIANTS.items():
        r = stored[name]
        assert r.safe is v.expect_safe, name
        assert r.complete, name
        assert bool(r.steps) is not v.expect_safe, name
        assert r.bounds["max_ballot"] == v.max_ballot, name
        assert r.bounds["max_crashes"] == v.max_crashes, name
        assert r.bounds["learners"] == v.learners, name


@pytest.mark.parametrize("name", CHEAP)
def test_cheap_variants_give_the_stored_counts_and_counterexample_live(name: str) -> None:
    live = check_agents(name)
    assert nb09.compare(name, live) == [], "run python benchmarks/checker_results.py --write"


@pytest.mark.parametrize("name", [n for n, v in VARIANTS.items() if not v.expect_safe])
def test_every_stored_counterexample_replays_to_two_values_chosen(name: str) -> None:
    r = nb09.stored(name)
    sim = replay(VARIANTS[name].cluster(), r.steps)
    assert sorted(sim.history.chosen_values) == list(r.chosen_values) == ["x", "y"]
    assert any(v.rule == SINGLE_VALUE for v in sim.history.violations)
    # one step less is not yet a counterexample
    shorter = replay(VARIANTS[name].cluster(), r.steps[:-1])
    assert len(shorter.history.chosen_values) == 1


@pytest.mark.parametrize("name", ["no-promise", "small-quorum"])
def test_stored_counterexample_is_the_checkers_own_trace(name: str) -> None:
    assert nb09.stored_counterexample(name).to_json() == counterexample(name).to_json()


def test_stored_counterexample_refuses_a_safe_variant() -> None:
    with pytest.raises(ValueError, match="broken one"):
        nb09.stored_counterexample("paper")


def test_stale_results_raise_naming_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = nb09.results()
    paper = real.agents["paper"]
    fake = {**real.agents, "paper": type(paper)(**{**paper.__dict__, "distinct_states": 1})}
    # the file is read by paxos_notes.checker.stored; nb09 only re-exports it
    monkeypatch.setattr(checker_stored, "results",
                        lambda: type(real)(fake, real.extra, real.lamport, real.python))
    with pytest.raises(nb09.StaleResults, match=r"benchmarks/checker_results\.py"):
        nb09.recheck(["paper"])


def test_parse_results_rejects_another_schema_or_version() -> None:
    with pytest.raises(ValueError, match="schema"):
        nb09.parse_results(json.dumps({"schema": "something else"}))
    with pytest.raises(ValueError, match="version"):
        nb09.parse_results(json.dumps({"schema": nb09.SCHEMA, "version": 99}))


def test_milestones_put_the_broken_rule_before_the_second_value() -> None:
    m = nb09.milestones(nb09.stored_counterexample("no-promise"))
    assert (m.steps, m.rule_step, m.first_chosen_step, m.safety_step) == (14, 11, 12, 14)
    assert m.rule is not None and m.rule.startswith("P1a")
    quorum = nb09.milestones(nb09.stored_counterexample("small-quorum"))
    assert quorum.rule is None and quorum.safety_step == quorum.steps


def test_action_steps_fold_a_replays_copies_into_the_checkers_steps() -> None:
    for name in nb09.broken_variants():
        trace = nb09.stored_counterexample(name)
        steps = nb09.action_steps(trace)
        assert len(steps) == len(nb09.stored(name).steps), name
        assert [s.action.kind for s in steps] == \
            [s.action for s in nb09.stored(name).steps], name
        assert steps[-1].cursor == len(trace)


def test_numbered_steps_mark_the_rule_and_the_safety_violation() -> None:
    lines = nb09.numbered_steps(nb09.stored_counterexample("shared-numbers"))
    assert lines[0].startswith(" 1. p1 starts phase 1")
    rule = next(i for i, line in enumerate(lines) if "RULE BROKEN" in line)
    safety = next(i for i, line in enumerate(lines) if "SAFETY BROKEN" in line)
    assert rule < safety == len(lines) - 1
    assert "P2c" in lines[rule]


def test_compact_steps_have_one_line_per_step_with_milestones() -> None:
    lines = nb09.compact_steps("amnesia")
    assert len(lines) == len(nb09.stored("amnesia").steps)
    assert "rule broken: P1a" in lines[12]
    assert lines[-1].endswith("two values chosen")


def test_key_cursors_and_cursor_after_stay_inside_the_trace() -> None:
    trace = nb09.stored_counterexample("amnesia")
    cursors = nb09.key_cursors(trace)
    assert cursors == sorted(set(cursors)) and 0 <= cursors[0] and cursors[-1] == len(trace)
    assert nb09.cursor_after(trace, 0) == 0
    assert nb09.cursor_after(trace, 16) == len(trace)
    with pytest.raises(ValueError, match=r"step must be in 0\.\.16"):
        nb09.cursor_after(trace, 17)


def test_tables_cover_every_variant_and_every_broken_one() -> None:
    assert [row[0] for row in nb09.variant_table().rows] == list(VARIANTS)
    broken = [n for n, v in VARIANTS.items() if not v.expect_safe]
    assert [row[0] for row in nb09.where_it_broke().rows] == broken
    shared = {row[0]: row[3] for row in nb09.shared_numbers_table().rows}
    assert shared["shared-numbers-strict"] == "safe"
    assert shared["shared-numbers"].startswith("unsafe")
    quorum = {row[0]: row[3] for row in nb09.quorum_table().rows}
    assert quorum == {"paper": "4 > 3", "small-quorum": "2 ≤ 3", "flexible-safe": "4 > 3",
                      "flexible-unsafe": "3 ≤ 3"}


def test_bounds_text_names_the_variants_with_other_bounds() -> None:
    text = nb09.bounds_text()
    assert "lowest-accepted, any-accepted" in text
    assert ("one acceptor crash (with restart) for amnesia, send-before-persist, "
            "crash-restart.") in text
    assert ("one proposer crash (with restart) for forgetful-proposer, "
            "proposer-crash-restart.") in text
    assert "4 acceptors for small-quorum-even" in text


def test_stored_lamport_counts_equal_tlcs_figures() -> None:
    rows = nb09.lamport_table().rows
    assert len(rows) == len(nb09.results().lamport) >= 5
    assert all(row[-1] == "yes" for row in rows)


@pytest.mark.parametrize("config", [(3, 2, 1, False), (3, 2, 1, True), (4, 2, 1, True)])
def test_stored_lamport_counts_equal_a_live_search(config: tuple[int, int, int, bool]) -> None:
    r = next(r for r in nb09.results().lamport if r.config == config)
    live = check_lamport(*config[:3], symmetry=config[3])
    assert (r.distinct_states, r.states_generated, r.depth) == \
        (live.distinct_states, live.states_generated, live.depth)


def _lamport_tests_module():
    spec = importlib.util.spec_from_file_location(
        "_nb09_lamport_tests", ROOT / "tests" / "test_checker_lamport.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tlc_figures_agree_with_the_lamport_tests() -> None:
    recorded = dict(_lamport_tests_module().TLC_COUNTS)
    # Two figures are in a comment there (too slow to assert on every run).
    slow = {(5, 2, 1, False): (701505, 6147491, 25), (3, 2, 3, True): (710709, 6134208, 33)}
    for config, (distinct, generated, depth, _source) in nb09.TLC_FIGURES.items():
        assert recorded.get(config, slow.get(config)) == (distinct, generated, depth), config
    source = (ROOT / "tests" / "test_checker_lamport.py").read_text("utf-8")
    assert "701505 distinct, 6147491 generated, depth 25" in source
    assert "710709, 6134208, 33" in source


def test_lamport_walk_reproduces_the_hand_derivation() -> None:
    lines = nb09.lamport_walk(1, 1, 0)
    assert lines[-1] == "distinct states 5, states generated 10 (the initial state + 9 successors)"
    assert sum(line.startswith("S") for line in lines) == 5
    assert nb09.lamport_walk(2, 1, 0)[-1].startswith("distinct states 9, states generated 23")


def test_fast_vs_naive_agree() -> None:
    table = nb09.fast_vs_naive([(1, 1, 0, False), (2, 2, 1, True)])
    assert [row[3] for row in table.rows] == ["yes", "yes"]


def test_search_progress_fills_its_bar_and_keeps_a_fixed_repr() -> None:
    search = nb09.SearchProgress("shared-numbers-strict")
    assert repr(search) == "SearchProgress('shared-numbers-strict')"
    seen: list[int] = []
    search.bar.observe(lambda ch: seen.append(ch["new"]), names="value")
    result = search.run()
    assert search.bar.value == search.bar.max == result.distinct_states
    assert seen and search.bar.bar_style == "success"
    assert "every state searched: True" in nb09.summary_line(result)


def test_counterexample_browser_switches_between_broken_variants() -> None:
    browser = nb09.CounterexampleBrowser("no-promise")
    assert repr(browser) == f"CounterexampleBrowser({len(nb09.broken_variants())} broken variants)"
    first = browser.player
    browser.select("amnesia")
    assert browser.player is not first
    assert len(browser.player.view) == len(nb09.stored_counterexample("amnesia"))
    assert "amnesia" in browser.sentence.value and "a1 crashes" in browser.steps_box.value
    with pytest.raises(ValueError, match="variant must be one of"):
        nb09.CounterexampleBrowser("paper")


def test_states_figure_has_one_bar_per_variant() -> None:
    fig = nb09.states_figure()
    (ax,) = fig.axes
    assert len(ax.patches) == len(VARIANTS)


def test_extra_and_summary_tables() -> None:
    (line,) = nb09.extra_lines()
    assert line.startswith("paper with proposal numbers 0..2")
    table = nb09.summary_table(["paper", "accept-raises-promise"])
    assert table.rows[0][2] == table.rows[1][2]  # the same states, see the notebook
