"""Livelock by search (§2.4): the duel of two proposers as a lasso, verified in the
simulator; no endless run with one proposer; the model's two reductions checked."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor, Proposer
from paxos_notes.ballots import ProposalNumber
from paxos_notes.checker import livelock
from paxos_notes.checker.graph import components, longest_run, shortest_loop
from paxos_notes.checker.livelock import (
    CHOSEN,
    _DuelModel,
    find_bounded_duel,
    find_duel,
    order_renaming,
)
from paxos_notes.cli import main
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accept, Accepted
from paxos_notes.script import replay
from paxos_notes.trace import Trace


@pytest.fixture(scope="module")
def duel():
    return find_duel(acceptors=3, proposers=2)


# ---------------------------------------------------------------------------
# The duel, found and replayed
# ---------------------------------------------------------------------------


def test_two_proposers_have_a_lasso_in_whose_loop_both_propose(duel) -> None:
    assert duel.found and duel.complete
    proposers = [s.agent for s in duel.loop if s.action == "propose"]
    assert sorted(proposers) == ["p1", "p2"]
    assert duel.stem and all(s.action in ("propose", "deliver") for s in duel.stem + duel.loop)
    # Steps are numbered on from the stem through the loop.
    assert [s.number for s in duel.stem + duel.loop] == list(range(1, len(duel.stem) +
                                                                   len(duel.loop) + 1))


@pytest.mark.parametrize("turns", [1, 2, 3, 5, 8])
def test_unrolled_loop_replays_with_ever_higher_proposals_and_nothing_chosen(duel, turns) -> None:
    numbers: list[ProposalNumber] = []

    def record(step, sim) -> None:
        if step.action == "propose":
            numbers.append(sim.agents[step.agent].number)

    run = replay(duel.cluster, duel.unroll(turns), on_step=record)
    in_stem = sum(1 for s in duel.stem if s.action == "propose")
    assert len(numbers) == in_stem + turns * duel.proposals_per_turn() >= 2 * turns
    assert all(a < b for a, b in itertools.pairwise(numbers))
    assert run.sim.history.chosen == set()
    assert run.first("chosen") is None
    assert run.sim.history.safe
    assert tuple(numbers) == duel.proposal_numbers(turns)


def test_every_stale_accept_request_of_the_duel_is_refused_when_it_finally_arrives(duel) -> None:
    run = duel.replay(4)
    sim = run.sim
    stale = [p.id for p in sim.pending() if isinstance(p.message, Accept)]
    assert len(stale) >= 4  # each turn left accept requests behind
    for pid in stale:
        sim.deliver(pid)
    assert sim.history.chosen == set()
    assert all(a.accepted is None for a in sim.agents.values() if isinstance(a, Acceptor))


def test_the_loop_returns_to_the_same_state_up_to_the_size_of_the_numbers(duel) -> None:
    # Each turn the numbers move up by one round per proposer, nothing else changes.
    first = duel.proposal_numbers(1)
    later = duel.proposal_numbers(3)
    per_turn = duel.proposals_per_turn()
    shift = later[-1].round - later[-1 - per_turn].round
    assert shift >= 1
    assert [n.proposer for n in later[-per_turn:]] == [n.proposer for n in first[-per_turn:]]


@pytest.mark.parametrize(("acceptors", "proposers"), [(3, 3), (5, 2)])
def test_more_acceptors_or_proposers_duel_too(acceptors, proposers) -> None:
    r = find_duel(acceptors=acceptors, proposers=proposers)
    assert r.found
    assert {s.agent for s in r.loop if s.action == "propose"} == set(r.cluster.proposer_names)
    run = r.replay(2)
    assert run.sim.history.chosen == set()


# ---------------------------------------------------------------------------
# One proposer: the distinguished proposer of §2.4 always gets a value chosen
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("acceptors", [1, 3, 5])
@pytest.mark.parametrize(("proposers", "may_propose"), [(1, None), (2, ("p1",)), (3, ("p2",))])
def test_a_distinguished_proposer_chooses_within_one_round(acceptors, proposers,
                                                           may_propose) -> None:
    r = find_duel(acceptors=acceptors, proposers=proposers, may_propose=may_propose)
    assert not r.found and r.complete
    # What is checked: the whole quotient graph was seen, it has no cycle (a
    # complete depth-first search met no step back onto its own path), and no
    # state where nothing is chosen is stuck. So every run chooses a value.
    assert r.cyclic_components == 0
    assert r.dead_ends == 0
    # The longest run is one full round: the proposal, a prepare to every
    # acceptor, promises from a majority, accept requests to that majority.
    majority = acceptors // 2 + 1
    assert r.longest_run == 1 + acceptors + 2 * majority
    with pytest.raises(ValueError, match="turns"):
        r.unroll(1)


def test_max_states_stops_a_search_that_has_not_decided() -> None:
    r = find_duel(acceptors=5, proposers=1, max_states=10)
    assert not r.found and not r.complete
    assert r.longest_run is None and r.dead_ends is None


# ---------------------------------------------------------------------------
# Bounded proposal numbers: a schedule per bound, longer for a larger bound
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shortest", [False, True])
def test_bounded_schedules_use_every_number_choose_nothing_and_grow_with_the_bound(
        shortest) -> None:
    bounds = range(0, 4) if shortest else range(0, 8)
    lengths = []
    for n in bounds:
        b = find_bounded_duel(n, shortest=shortest)
        assert [x.natural for x in b.numbers] == list(range(n + 1))
        run = b.replay()
        assert run.sim.history.chosen == set()
        # Only the last proposal still has messages in flight that could act.
        assert len(b.schedule) == b.length
        lengths.append(b.length)
    assert all(a < b for a, b in itertools.pairwise(lengths))


def test_shortest_bounded_schedule_is_no_longer_than_the_depth_first_one() -> None:
    for n in range(4):
        assert find_bounded_duel(n, shortest=True).length <= find_bounded_duel(n).length


def test_one_proposer_cannot_use_two_numbers_without_choosing() -> None:
    b = find_bounded_duel(1, proposers=1)
    assert b.schedule == () and b.numbers == ()


# ---------------------------------------------------------------------------
# The model's two reductions
# ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=80), st.integers(1, 3))
def test_a_message_that_changes_nothing_never_will(choices, proposers) -> None:
    # On the paper's agents, with every message kept forever (delivered any number of
    # times): a message whose delivery changes nothing stays that way. This is why
    # the livelock model may forget such messages.
    agents = Cluster(acceptors=3, proposers=proposers).build()
    sent: list = []
    announced: set = set()
    no_op: set = set()

    def changes_nothing(m) -> bool:
        agent = agents[m.receiver]
        new, out = agent.receive(m)
        return new == agent and all(isinstance(o, Accepted) and o in announced for o in out)

    for c in choices:
        names = [n for n, a in agents.items() if isinstance(a, Proposer)]
        deliverable = [m for m in sent if not isinstance(m, Accepted)]
        options = len(names) + len(deliverable)
        k = c % options
        if k < len(names):
            new, out = agents[names[k]].prepare()
            agents[names[k]] = new
        else:
            m = deliverable[k - len(names)]
            new, out = agents[m.receiver].receive(m)
            agents[m.receiver] = new
        for o in out:
            if isinstance(o, Accepted):
                announced.add(o)
            elif o not in sent:
                sent.append(o)
        for m in sent:
            if m in no_op:
                assert changes_nothing(m), m
            elif changes_nothing(m):
                no_op.add(m)


def walk_checking_the_renaming(proposers: int, choices: list[int]) -> None:
    """Walk the concrete agents, taking step ``c % (number of steps)`` for each
    ``c`` of ``choices``; at every state, the renamed successors must be exactly
    the successors of the renamed state."""
    cluster = Cluster(acceptors=3, proposers=proposers)
    model = _DuelModel(cluster, cluster.proposer_names)
    state = model.initial

    def label(action):
        return action if action[0] == "propose" else ("deliver",)

    for c in choices:
        concrete = list(model.successors(state, canonical=False))
        if not concrete:
            break
        renamed = model.canonical(state)
        images = {(label(a), CHOSEN if t is CHOSEN else model.canonical(t)) for a, t in concrete}
        steps = {(label(a), t) for a, t in model.successors(renamed, canonical=True)}
        assert images == steps
        _, state = concrete[c % len(concrete)]
        if state is CHOSEN:
            break


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=60), st.integers(2, 3))
def test_renaming_by_order_maps_every_step_onto_a_step_of_the_renamed_state(
        choices, proposers) -> None:
    walk_checking_the_renaming(proposers, choices)


def test_renaming_is_exact_on_long_walks_of_three_proposers() -> None:
    # Renaming by order alone (forgetting which rounds are adjacent) breaks this on
    # several of these walks: a proposer that fell behind picks its next number
    # below, or level with, the others' depending on how far behind it is.
    for seed in range(150):
        rng = random.Random(seed)
        walk_checking_the_renaming(3, [rng.randrange(10**6) for _ in range(120)])


def test_order_renaming_keeps_order_owners_and_adjacent_rounds_only() -> None:
    def n(r, p):
        return ProposalNumber(r, p, 2)

    # p1 at round 2 with p2 at round 3 or at round 5: the same order, but p1's next
    # number (round 3) lands below p2's in the second case only.
    adjacent = order_renaming({n(2, 0), n(3, 1)}, anchor=False)
    apart = order_renaming({n(2, 0), n(5, 1)}, anchor=False)
    assert adjacent == {n(2, 0): n(0, 0), n(3, 1): n(1, 1)}
    assert apart == {n(2, 0): n(0, 0), n(5, 1): n(2, 1)}
    # Gaps wider than two are all the same; order and owners are kept.
    rng = random.Random(4)
    for _ in range(200):
        numbers = {n(rng.randrange(40), rng.randrange(2)) for _ in range(rng.randrange(1, 7))}
        f = order_renaming(numbers, anchor=rng.random() < 0.5)
        assert all(f[a] < f[b] for a in numbers for b in numbers if a < b)
        assert all(f[a].proposer == a.proposer for a in numbers)
        assert max(x.round for x in f.values()) <= 2 * len(numbers)
    # The anchor keeps round 0 where a proposer's first number will be.
    assert order_renaming({n(7, 1)}, anchor=True) == {n(7, 1): n(2, 1)}


def test_graph_components_shortest_loop_and_longest_run_on_small_graphs() -> None:
    # 0 -> 1 <-> 2 (p1 proposes 1->2, p2 proposes 2->1); 2 -> chosen; 3 unreachable-free
    edges = [
        [(("deliver", 0), 1)],
        [(("propose", "p1"), 2)],
        [(("propose", "p2"), 1), (("deliver", 1), -1)],
    ]
    comp = components(edges)
    assert comp[1] == comp[2] != comp[0]
    loop = shortest_loop(edges, comp, 1, frozenset({"p1", "p2"}))
    assert loop == [(("propose", "p1"), 2), (("propose", "p2"), 1)]
    assert shortest_loop(edges, comp, 0, frozenset({"p1"})) is None
    # Acyclic: 0 -> chosen directly, or 0 -> 1 -> 2 -> chosen; the longest is 3 steps.
    dag = [[(("deliver", 0), -1), (("deliver", 1), 1)], [(("deliver", 2), 2)],
           [(("deliver", 3), -1)]]
    assert longest_run(dag) == 3
    assert len(set(components(dag))) == 3


# ---------------------------------------------------------------------------
# Bad input and the command line
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"acceptors": 0}, "acceptors"), ({"acceptors": 6}, "acceptors"),
    ({"proposers": 4}, "proposers"), ({"proposers": True}, "proposers"),
    ({"may_propose": ("p3",)}, "may_propose"), ({"may_propose": ()}, "may_propose"),
    ({"max_states": 0}, "max_states"),
])
def test_bad_parameters_raise_value_error_naming_them(kwargs, name) -> None:
    with pytest.raises(ValueError, match=name):
        find_duel(**kwargs)


@pytest.mark.parametrize("bad", [-1, livelock.MAX_BALLOT + 1, 2.0])
def test_bad_bound_raises_value_error_naming_it(bad) -> None:
    with pytest.raises(ValueError, match="max_ballot"):
        find_bounded_duel(bad)


def test_check_livelock_prints_the_duel_and_exits_1(capsys, tmp_path, duel) -> None:
    path = tmp_path / "duel.json"
    code = main(["check", "--model", "livelock", "--trace", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "DUEL" in out
    for s in duel.stem + duel.loop:
        assert f"{s.number:2}. {s.text}" in out
    trace = Trace.load(path)
    assert len(trace) > 0
    assert not any(e.kind == "chosen" for e in trace)


def test_check_livelock_with_a_leader_exits_0_and_says_every_run_chooses(capsys) -> None:
    code = main(["check", "--model", "livelock", "--leader", "p1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["duel"] is False and data["longest_run"] == 8 and data["dead_ends"] == 0


def test_check_livelock_bounded_prints_a_schedule_using_every_number(capsys) -> None:
    code = main(["check", "--model", "livelock", "--max-ballot", "3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["numbers"] == [0, 1, 2, 3]
    assert data["length"] == len(data["schedule"])


@pytest.mark.parametrize("argv", [
    ["--leader", "p9"], ["--variant", "no-promise"], ["--symmetry"],
    ["--leader", "p1", "--max-ballot", "2"], ["--acceptors", "9"],
])
def test_check_livelock_usage_errors_exit_2(capsys, argv) -> None:
    assert main(["check", "--model", "livelock", *argv]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_leader_is_only_for_the_livelock_model(capsys) -> None:
    assert main(["check", "--leader", "p1"]) == 2
    assert "--leader" in capsys.readouterr().err
