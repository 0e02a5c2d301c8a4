"""§2.3's three ways of telling learners, measured by ``benchmarks/learning.py``: what
they cost (messages, delays) and which crashes leave a learner in the dark.

The message counts are checked against closed forms for every cluster shape
hypothesis draws (not only the grid notebook 05 shows); the reliability claims
are checked on runs where the crash moment is chosen to decide the outcome.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Learner
from paxos_notes.checker.variants import AcceptToAllProposer
from paxos_notes.cluster import LEARNING, Cluster
from paxos_notes.sim import Simulation

DETERMINISTIC = {"deadline": None, "derandomize": True, "database": None}
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "learning.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_learning", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load()


@st.composite
def shapes(draw: st.DrawFn) -> tuple[int, int, str, int]:
    k = draw(st.integers(1, 12))
    return (draw(st.integers(1, 9)), k, draw(st.sampled_from(LEARNING)),
            draw(st.integers(1, k)))


@settings(max_examples=120, **DETERMINISTIC)
@given(shapes())
def test_messages_to_learners_follow_the_closed_form(shape: tuple[int, int, str, int]) -> None:
    m, k, learning, d = shape
    told, delays, safe = bench.learning_cost(m, k, learning, d)
    assert told == bench.formula(m, k, learning, d)
    # a learner the acceptors do not tell hears one message delay later
    everyone_told = learning == "all" or k == 1 or (learning == "set" and d == k)
    assert delays == (4 if everyone_told else 5)
    assert safe


@settings(max_examples=60, **DETERMINISTIC)
@given(shapes())
def test_with_accept_requests_to_every_acceptor_the_counts_are_the_papers(
        shape: tuple[int, int, str, int]) -> None:
    m, k, learning, d = shape
    told, _, safe = bench.learning_cost(m, k, learning, d, proposer=AcceptToAllProposer)
    assert told == bench.formula(m, k, learning, d, a=m) and safe
    if learning == "all":
        assert told == m * k  # the paper's product
    elif learning == "distinguished":
        assert told == m + k - 1  # the paper's sum, less the message l1 would send itself


@pytest.mark.parametrize(("m", "k"), [(3, 10), (5, 5), (7, 3)])
def test_a_set_costs_between_sum_and_product_only_up_to_a_members(m: int, k: int) -> None:
    a = m // 2 + 1
    cost = {d: bench.formula(m, k, "set", d) for d in range(1, k + 1)}
    assert cost[1] == bench.formula(m, k, "distinguished")
    assert cost[k] == bench.formula(m, k, "all")
    product = bench.formula(m, k, "all")
    assert all(cost[d] <= product for d in range(1, min(a, k) + 1))
    assert all(cost[d] > product for d in range(a + 1, k))


def test_the_grid_is_the_notebooks_and_every_run_is_safe() -> None:
    rows = bench.grid()
    assert [(r["m"], r["k"]) for r in rows] == [(m, k) for m in (3, 5, 7)
                                                  for k in (1, 3, 5, 10)]
    for r in rows:
        for learning in bench.ARRANGEMENTS:
            told, _, safe = r[learning]
            assert told == bench.formula(r["m"], r["k"], learning, r["d"]) and safe


# -- reliability -----------------------------------------------------------------------


def test_every_acceptor_telling_every_learner_survives_any_learners_crashing() -> None:
    for crashed in ({"l1": 0.0}, {"l1": 0.0, "l2": 0.0}, {"l3": 0.0, "l4": 0.0, "l5": 0.0}):
        assert bench.left_out("all", crashed, seed=1) == ([], True)


def test_a_distinguished_learner_crashing_before_it_learns_silences_the_others() -> None:
    unaware, safe = bench.left_out("distinguished", {"l1": 0.0}, seed=1)
    assert unaware == ["l2", "l3", "l4", "l5"] and safe


def test_a_set_survives_one_crash_but_not_all_of_its_members() -> None:
    assert bench.left_out("set", {"l1": 0.0}, seed=1) == ([], True)
    assert bench.left_out("set", {"l2": 0.0}, seed=1) == ([], True)
    assert bench.left_out("set", {"l1": 0.0, "l2": 0.0}, seed=1) == (["l3", "l4", "l5"], True)


@pytest.mark.parametrize("learning", LEARNING)
def test_after_a_restart_a_new_proposal_tells_every_learner(learning: str) -> None:
    assert bench.left_out(learning, {"l1": 0.0, "l2": 0.0}, seed=1,
                          restart_at=bench.RESTART_AT) == ([], True)


@pytest.mark.parametrize("learning", LEARNING)
def test_a_crash_after_everyone_learned_leaves_nobody_out(learning: str) -> None:
    # without crashes, every learner knows well before t = 40 on this seed
    sim = Simulation(Cluster(acceptors=3, proposers=1, learners=5, learning=learning,
                             distinguished=2), seed=1).run(until=40.0)
    assert all(a.learned for a in sim.agents.values() if isinstance(a, Learner))
    assert bench.left_out(learning, {"l1": 40.0, "l2": 40.0}, seed=1) == ([], True)


def test_the_reliability_table_orders_the_arrangements_as_the_paper_says() -> None:
    counts, unsafe = bench.reliability(runs=60)
    assert unsafe == 0
    one, both, restarted = (title for title, _, _ in bench.CASES)
    assert counts[("all", one)] == counts[("all", both)] == 0
    assert counts[("set", one)] == 0 < counts[("set", both)]
    assert 0 < counts[("set", both)] < counts[("distinguished", one)]
    assert counts[("distinguished", one)] == counts[("distinguished", both)]
    assert all(counts[(a, restarted)] == 0 for a in bench.ARRANGEMENTS)


def test_the_benchmark_prints_both_tables(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["learning.py", "--runs", "5"])
    bench.main()
    out = capsys.readouterr().out
    assert "| 7 | 10 | 4 | 40 | 40 | 70 | 13 | 13 | 17 | 24 | 24 | 4 / 5 / 5 |" in out
    assert "safety held in all 36 runs: True" in out
    assert "in every case: True" in out
    assert "| distinguished |" in out and "runs that broke a safety requirement: 0 of 45" in out


def test_the_benchmark_rejects_a_bad_run_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["learning.py", "--runs", "0"])
    with pytest.raises(SystemExit):
        bench.main()


def test_one_learner_hears_two_acceptances_four_message_delays_after_phase_1a() -> None:
    assert bench.learning_cost(3, 1, "all")[:2] == (2, 4)
