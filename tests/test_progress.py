"""Competing proposers on the simulator, with and without the election (§2.4):
paxos_notes.progress."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.cluster import Cluster
from paxos_notes.election import Timeouts
from paxos_notes.progress import (
    Contest,
    ElectionRun,
    Outcome,
    election_cluster,
    measure,
    percentile,
    summarize,
)

PARTITION = (("p1", "a1", "a3", "l1"), ("p2", "a2", "a3", "l1"))


def test_a_seed_gives_the_same_run_every_time() -> None:
    runs = [ElectionRun(election_cluster(3), seed=7, record=True) for _ in range(2)]
    outcomes = [r.run(200) for r in runs]
    assert outcomes[0] == outcomes[1]
    assert runs[0].events == runs[1].events
    assert runs[0].sim.trace.to_json() == runs[1].sim.trace.to_json()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), proposers=st.integers(1, 5),
       spread=st.sampled_from([0.0, 1.0, 4.0, 16.0]), elect=st.booleans(),
       keep_going=st.booleans())
def test_the_election_never_costs_safety(seed: int, proposers: int, spread: float,
                                         elect: bool, keep_going: bool) -> None:
    r = ElectionRun(election_cluster(proposers), seed=seed, timeouts=Timeouts(3.0, spread),
                    elect=elect)
    o = r.run(80, stop_when_chosen=not keep_going)
    assert o.safe and not r.sim.violations
    assert len(o.chosen) <= 1


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_two_processes_that_cannot_hear_each_other_both_lead_yet_stay_safe(seed: int) -> None:
    # a1 and a2 (the two proposers' processes) never exchange a message; both
    # reach a majority through a3, so both may believe they lead at once.
    r = ElectionRun(election_cluster(2, 3), seed=seed, partition=PARTITION)
    o = r.run(60, stop_when_chosen=False)
    assert o.safe and len(o.chosen) <= 1


def test_the_partition_does_make_two_leaders_at_once_for_some_seed() -> None:
    most = [ElectionRun(election_cluster(2, 3), seed=s, partition=PARTITION)
            .run(60, stop_when_chosen=False).most_leaders for s in range(20)]
    assert max(most) == 2


def test_every_campaign_is_one_phase_1_start() -> None:
    r = ElectionRun(election_cluster(3), seed=3, timeouts=Timeouts(3.0, 0.0), record=True)
    o = r.run(100)
    campaigns = [e for e in r.events if e.kind == "campaign"]
    assert o.prepares == len(campaigns) > 0
    starts = [e for e in r.sim.trace.events if e.kind == "propose"]
    assert len(starts) == len(campaigns)


def test_a_process_that_heard_a_leader_waits_at_its_next_timeout() -> None:
    r = ElectionRun(election_cluster(3), seed=1, timeouts=Timeouts(3.0, 8.0), record=True)
    r.run(200, stop_when_chosen=False)
    checked = 0
    for i, e in enumerate(r.events):
        if e.kind != "hears":
            continue
        later = [x for x in r.events[i + 1:] if x.process == e.process
                 and x.kind in ("campaign", "wait")]
        if later:
            assert later[0].kind == "wait"
            checked += 1
    assert checked > 0


def test_without_the_election_nobody_ever_hears_a_leader() -> None:
    r = ElectionRun(election_cluster(3), seed=1, elect=False, record=True)
    r.run(100, stop_when_chosen=False)
    assert not any(e.kind in ("hears", "wait") for e in r.events)


def test_lockstep_timers_without_an_election_duel_far_more_than_with_one() -> None:
    seeds = range(30)
    duel = summarize(measure(Contest(2, timeouts=Timeouts(3.0, 0.0), elect=False,
                                     until=150), seeds))
    cure = summarize(measure(Contest(2, timeouts=Timeouts(3.0, 8.0), until=150), seeds))
    assert cure.decided == len(seeds)
    assert duel.decided < len(seeds) // 2


def test_a_wide_spread_is_slow_but_wastes_few_prepares() -> None:
    seeds = range(60)
    narrow = summarize(measure(Contest(3, timeouts=Timeouts(3.0, 2.0)), seeds))
    wide = summarize(measure(Contest(3, timeouts=Timeouts(3.0, 64.0)), seeds))
    assert wide.prepares_median < narrow.prepares_median
    assert wide.time_median > narrow.time_median


def test_a_run_stops_at_the_first_choice_only_when_asked() -> None:
    stopped = ElectionRun(election_cluster(2), seed=0).run(100)
    assert stopped.decided
    more = ElectionRun(election_cluster(2), seed=0).run(100, stop_when_chosen=False)
    assert more.time > stopped.time and more.chosen == stopped.chosen


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"delay": (3.0, 1.0)}, "delay"), ({"delay": (-1.0, 1.0)}, "delay"),
    ({"delay": "fast"}, "delay"), ({"timeouts": (3.0, 1.0)}, "timeouts"),
])
def test_bad_settings_are_refused_naming_the_parameter(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        ElectionRun(election_cluster(2), seed=0, **kwargs)


def test_each_proposer_needs_a_process_of_its_own() -> None:
    with pytest.raises(ValueError, match=r"cluster\.proposers"):
        ElectionRun(Cluster(acceptors=3, proposers=4), seed=0)


@pytest.mark.parametrize("until", [0, -1, math.inf])
def test_until_must_be_a_positive_bounded_time(until: float) -> None:
    with pytest.raises(ValueError, match="until"):
        ElectionRun(election_cluster(2), seed=0).run(until)


# -- summaries ---------------------------------------------------------------------


def outcome(decided: bool, prepares: int, time: float) -> Outcome:
    return Outcome(0, decided, prepares, time, ("x",) if decided else (), True, 1)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([1, 2, 3, 4], 90) == 4
    assert percentile([5], 1) == 5
    with pytest.raises(ValueError, match="q"):
        percentile([1], 0)
    with pytest.raises(ValueError, match="values"):
        percentile([], 50)


def test_a_run_that_chose_nothing_counts_as_never_not_as_its_cut_off() -> None:
    s = summarize([outcome(True, 2, 10.0), outcome(False, 40, 100.0),
                   outcome(False, 50, 100.0)])
    assert s.decided == 1
    assert s.prepares_median == math.inf and s.time_median == math.inf
    s = summarize([outcome(True, 2, 10.0), outcome(True, 3, 12.0), outcome(False, 9, 99.0)])
    assert (s.prepares_median, s.time_median) == (3, 12.0)
    assert s.prepares_p90 == math.inf


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), proposers=st.integers(2, 5), elect=st.booleans())
def test_who_leads_is_tracked_exactly_step_by_step(seed: int, proposers: int,
                                                   elect: bool) -> None:
    from paxos_notes.election import leads

    r = ElectionRun(election_cluster(proposers), seed=seed, timeouts=Timeouts(3.0, 2.0),
                    elect=elect)
    most = 0
    for _ in range(300):
        if not r.step():
            break
        fresh = [p for p in r.leading
                 if leads(r.sim.agents[p], r.sim.agents[r.own[p]])]  # type: ignore[arg-type]
        assert r.leaders() == fresh
        most = max(most, len(fresh))
    assert r.most_leaders == most


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), proposers=st.integers(2, 4), split=st.booleans())
def test_an_overtaken_leader_names_an_acceptor_that_promised_more(seed: int, proposers: int,
                                                                  split: bool) -> None:
    # The event says who revealed the higher promise (a nack's sender, or the
    # process's own acceptor); promises only grow, so that acceptor's promise
    # at the end of the run must still be above the overtaken number.
    cluster = election_cluster(2, 3) if split else election_cluster(proposers)
    r = ElectionRun(cluster, seed=seed, partition=PARTITION if split else (), record=True)
    r.run(80, stop_when_chosen=False)
    overtaken = [e for e in r.events if e.kind == "overtaken"]
    for e in overtaken:
        acceptor = r.sim.agents[e.other]
        assert e.other in cluster.acceptor_names and e.number is not None
        assert acceptor.promised is not None and acceptor.promised > e.number  # type: ignore[attr-defined]
        assert e.describe().endswith(f"{e.other} has promised a number above {e.number}")


def test_the_split_run_says_which_acceptor_overtook_p1() -> None:
    r = ElectionRun(election_cluster(2, 3), seed=6, timeouts=Timeouts(3, 8),
                    partition=PARTITION, record=True)
    r.run(40, stop_when_chosen=False)
    assert [(e.process, e.other) for e in r.events if e.kind == "overtaken"] == [("p1", "a3")]
