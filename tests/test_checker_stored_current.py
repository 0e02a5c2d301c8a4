"""The committed checker results stay current: what notebook 09 shows is what the
checker finds.

``paxos_notes/data/checker_results.json`` is written by
``benchmarks/checker_results.py``; notebooks show its numbers without re-running the
slow searches, so these tests keep it honest: every variant is in the file with the
verdict and bounds it declares, the cheap variants give the same counts and
counterexample live, and every stored counterexample (the slow ones too) is a real
run of the agents that ends with two values chosen, and not one step earlier.
"""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path

import pytest

from paxos_notes.checker import VARIANTS, check_agents
from paxos_notes.checker.stored import (
    DATA_FILE,
    SCHEMA,
    SCHEMA_VERSION,
    differences,
    results,
    stored,
)
from paxos_notes.invariants import SINGLE_VALUE
from paxos_notes.script import replay

CHEAP = ("small-quorum", "ignore-accepted", "shared-numbers-strict", "no-promise",
         "shared-numbers", "flexible-unsafe", "forgetful-proposer")
ROOT = Path(__file__).resolve().parents[1]


def test_the_results_file_is_package_data_and_names_the_script_that_writes_it() -> None:
    data = json.loads((resources.files("paxos_notes") / "data" / DATA_FILE).read_text("utf-8"))
    assert data["schema"] == SCHEMA and data["version"] == SCHEMA_VERSION
    assert (ROOT / data["generated_by"]).is_file()


def test_every_variant_is_in_the_file_in_order_with_its_declared_verdict_and_bounds() -> None:
    kept = results().agents
    assert list(kept) == list(VARIANTS), "run python benchmarks/checker_results.py --write"
    for name, v in VARIANTS.items():
        r = kept[name]
        assert r.safe is v.expect_safe and r.complete, name
        assert bool(r.steps) is not v.expect_safe, name
        assert (r.bounds["max_ballot"], r.bounds["max_crashes"], r.bounds["learners"],
                r.bounds["acceptors"]) == (v.max_ballot, v.max_crashes, v.learners,
                                           v.acceptors), name


@pytest.mark.parametrize("name", CHEAP)
def test_cheap_variants_find_live_what_the_file_recorded(name: str) -> None:
    assert differences(stored(name), check_agents(name)) == [], \
        "run python benchmarks/checker_results.py --write"


@pytest.mark.parametrize("name", [n for n, v in VARIANTS.items() if not v.expect_safe])
def test_every_stored_counterexample_replays_to_two_values_chosen_at_its_last_step(
        name: str) -> None:
    r = stored(name)
    run = replay(VARIANTS[name].cluster(), r.steps)
    assert sorted(run.history.chosen_values) == list(r.chosen_values) == ["x", "y"]
    assert any(v.rule == SINGLE_VALUE for v in run.history.violations)
    assert run.first_two_values() == len(r.steps)
    shorter = replay(VARIANTS[name].cluster(), r.steps[:-1])
    assert len(shorter.history.chosen_values) == 1


def test_differences_name_what_changed() -> None:
    live = check_agents("small-quorum")
    kept = stored("small-quorum")
    assert differences(kept, live) == []
    fewer = dataclasses.replace(kept, distinct_states=kept.distinct_states - 1)
    assert differences(fewer, live) == [
        f"distinct_states: {kept.distinct_states - 1} in the file, "
        f"{live.distinct_states} now"]
    safe = dataclasses.replace(kept, rule=None, steps=())
    assert differences(safe, live) == [
        f"verdict: None in the file, {live.violation!r} now",
        "the counterexample's steps differ"]
    swapped = dataclasses.replace(kept, steps=(kept.steps[1], kept.steps[0], *kept.steps[2:]))
    assert differences(swapped, live) == ["the counterexample's steps differ"]
