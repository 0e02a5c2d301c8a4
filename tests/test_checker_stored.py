"""paxos_notes.checker.stored: the committed checker results, read and replayed."""

from __future__ import annotations

import json

import pytest

from paxos_notes.checker import VARIANTS, check_agents
from paxos_notes.checker.stored import SCHEMA, parse_results, results, stored
from paxos_notes.script import replay


def test_every_variant_has_a_stored_search_that_agrees_with_its_expectation() -> None:
    assert set(results().agents) == set(VARIANTS)
    for name, v in VARIANTS.items():
        r = stored(name)
        assert r.safe == v.expect_safe, name
        assert (len(r.steps) == 0) == r.safe, name


def test_a_stored_counterexample_replays_to_two_values_chosen() -> None:
    r = stored("lowest-accepted")
    run = replay(VARIANTS["lowest-accepted"].cluster(), r.steps)
    assert len(run.history.chosen_values) == 2
    assert run.first_two_values() == len(r.steps)
    assert [m.number for m in run.moments] == [s.number for s in r.steps]


def test_a_cheap_stored_search_is_what_the_checker_finds_now() -> None:
    live, kept = check_agents("small-quorum"), stored("small-quorum")
    assert kept.distinct_states == live.distinct_states
    assert [s.text for s in kept.steps] == [s.text for s in live.counterexample]
    assert [s.message for s in kept.steps] == [s.message for s in live.counterexample]


def test_a_missing_variant_names_the_command_that_writes_the_file() -> None:
    with pytest.raises(KeyError, match=r"benchmarks/checker_results\.py --write"):
        stored("no-such-variant")


def test_another_schema_or_version_is_refused() -> None:
    with pytest.raises(ValueError, match="schema"):
        parse_results(json.dumps({"schema": "something else"}))
    with pytest.raises(ValueError, match="version must be 1"):
        parse_results(json.dumps({"schema": SCHEMA, "version": 2}))
