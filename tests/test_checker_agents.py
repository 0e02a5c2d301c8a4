"""The agents model checker: every broken rule breaks safety, every safe variant doesn't."""

from __future__ import annotations

import pytest

from paxos_notes.checker import (
    VARIANTS,
    check_agents,
    check_p1_alone,
    counterexample,
    get_variant,
    replay,
)
from paxos_notes.invariants import SINGLE_VALUE
from paxos_notes.trace import Trace

BROKEN = sorted(n for n, v in VARIANTS.items() if not v.expect_safe)
SAFE = sorted(n for n, v in VARIANTS.items() if v.expect_safe)


@pytest.fixture(scope="module")
def results():
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = check_agents(name)
        return cache[name]

    return get


@pytest.mark.parametrize("name", BROKEN)
def test_broken_variant_has_a_counterexample_with_two_values_chosen(results, name):
    r = results(name)
    assert r.complete
    assert r.violation == SINGLE_VALUE
    assert r.chosen_values == ("x", "y")
    assert len(r.counterexample) >= 4


@pytest.mark.parametrize("name", BROKEN)
def test_counterexample_replays_in_the_simulator_to_the_same_two_values(results, name):
    r = results(name)
    sim = replay(r.cluster, r.counterexample).sim
    assert sorted(sim.history.chosen_values) == list(r.chosen_values)
    assert any(v.rule == SINGLE_VALUE for v in sim.history.violations)
    # The trace of the replay is a valid, loadable trace.
    assert Trace.from_json(sim.trace.to_json()).to_json() == sim.trace.to_json()


@pytest.mark.parametrize("name", SAFE)
def test_safe_variant_has_no_violation_in_its_whole_state_space(results, name):
    r = results(name)
    assert r.complete
    assert r.safe, [s.text for s in r.counterexample]
    assert r.distinct_states > 100  # it really explored something


@pytest.mark.parametrize("name", ["no-promise", "ignore-accepted", "small-quorum"])
def test_counterexample_is_shortest(results, name):
    # BFS guarantees it; check it independently: with one step less of depth
    # budget the search of the same space finds nothing. We bound by states
    # reached before the violation's depth: all states of depth < len+1 are safe.
    r = results(name)
    n = len(r.counterexample)
    steps = r.counterexample[: n - 1]
    sim = replay(r.cluster, steps).sim
    assert len(sim.history.chosen_values) < 2


def test_broken_rule_is_named_by_the_replay():
    rules = {name: {v.rule for v in replay(results_r.cluster, results_r.counterexample)
                    .history.violations}
             for name, results_r in ((n, check_agents(n)) for n in ("no-promise", "amnesia",
                                                                     "ignore-accepted"))}
    assert "P1a" in rules["no-promise"]
    assert "P1a" in rules["amnesia"]  # the forgotten promise is the one broken
    assert "P2c" in rules["ignore-accepted"]


def test_the_paper_explores_the_same_space_every_time():
    a, b = check_agents("paper"), check_agents("paper")
    assert (a.distinct_states, a.states_generated, a.depth) == \
        (b.distinct_states, b.states_generated, b.depth)


def test_counterexample_trace_for_shared_numbers_shows_the_collision():
    t = counterexample("shared-numbers")
    texts = [e.describe() for e in t if e.kind == "violation"]
    assert any("both issued with number 0" in s for s in texts)
    assert any("were both chosen" in s for s in texts)


def test_counterexample_refuses_a_safe_variant():
    with pytest.raises(ValueError, match="variant must be one that breaks safety"):
        counterexample("paper")


def test_unknown_variant_names_the_choices():
    with pytest.raises(ValueError, match="variant must be one of"):
        get_variant("no-such-rule")


@pytest.mark.parametrize("kwargs, param", [
    ({"max_ballot": 99}, "max_ballot"),
    ({"max_crashes": -1}, "max_crashes"),
    ({"acceptors": 0}, "acceptors"),
    ({"values": 5}, "values"),
    ({"max_states": 0}, "max_states"),
])
def test_bad_bounds_raise_value_error_naming_the_parameter(kwargs, param):
    with pytest.raises(ValueError, match=param):
        check_agents("paper", **kwargs)


def test_max_states_stops_the_search_and_says_so():
    r = check_agents("paper", max_states=200)
    assert not r.complete
    assert r.safe
    assert r.distinct_states <= 200 + 64  # at most one state's successors past the cap


def test_p1_alone_gets_stuck_with_two_values_and_one_crash():
    r = check_p1_alone(3, ("x", "y"), max_crashes=1)
    assert r.stuck
    assert sorted(v for v in r.final if v) == ["x", "y"]
    assert sum(r.crashed) == 1
    assert len(r.path) == 5


def test_p1_alone_cannot_get_stuck_with_two_values_three_acceptors_and_no_crash():
    # Some value always reaches two of three acceptors first: no dead end.
    assert not check_p1_alone(3, ("x", "y"), max_crashes=0).stuck


def test_p1_alone_gets_stuck_with_an_even_split():
    r = check_p1_alone(4, ("x", "y"), max_crashes=0)
    assert r.stuck
    assert sorted(r.final) == ["x", "x", "y", "y"]
