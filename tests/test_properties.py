"""Property-based tests: safety after every step under random faults; liveness after them.

Safety (§2.1's three requirements, P1a and P2c) is checked by
`paxos_notes.invariants.History`, which the simulator feeds every message; a
test fails as soon as one violation appears. Hypothesis runs derandomized and
without a database, so CI sees the same examples every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor, NackingAcceptor, Proposer
from paxos_notes.ballots import ProposalNumber
from paxos_notes.checker.variants import (
    AcceptRaisesPromiseAcceptor,
    AcceptToAllProposer,
    AmnesiacAcceptor,
    NoPromiseAcceptor,
    OwnValueProposer,
    RepeatedPrepareAcceptor,
)
from paxos_notes.cluster import LEARNING, Cluster
from paxos_notes.invariants import P1A, P2C, SINGLE_VALUE
from paxos_notes.messages import Accept, Accepted, Nack, Prepare, Promise, Proposal
from paxos_notes.quorums import Flexible, Majority, QuorumSystem, Threshold, acceptor_names
from paxos_notes.sim import Network, Simulation

DETERMINISTIC = {"deadline": None, "derandomize": True, "database": None}



class EverySafeAcceptor(NackingAcceptor, AcceptRaisesPromiseAcceptor, RepeatedPrepareAcceptor):
    """The safe acceptor variants at once: each overrides a different method."""


# Variants the paper (or §2.2's remarks) says are safe: (acceptor, proposer) classes.
SAFE_RULES: tuple[tuple[type[Acceptor], type[Proposer]], ...] = (
    (Acceptor, Proposer),
    (Acceptor, AcceptToAllProposer),
    (AcceptRaisesPromiseAcceptor, Proposer),
    (NackingAcceptor, Proposer),
    (RepeatedPrepareAcceptor, Proposer),
    (EverySafeAcceptor, AcceptToAllProposer),
)


def answers_repeated_prepare(cls: type[Acceptor]) -> bool:
    return issubclass(cls, RepeatedPrepareAcceptor)


@dataclass(frozen=True)
class Setup:
    cluster: Cluster
    network: Network
    seed: int
    leader: str | None
    partitions: tuple[tuple[float, tuple[frozenset[str], ...]], ...]


@st.composite
def quorum_systems(draw, n: int) -> QuorumSystem | None:
    names = acceptor_names(n)
    kind = draw(st.sampled_from(("majority", "threshold", "flexible")))
    if kind == "majority":
        return None
    if kind == "threshold":
        return Threshold(names, draw(st.integers(n // 2 + 1, n)))
    q1 = draw(st.integers(1, n))
    return Flexible(names, q1, draw(st.integers(n - q1 + 1, n)))  # q1 + q2 > n: safe


def phase1_quorums_intersect(q: QuorumSystem) -> bool:
    ones = q.minimal_quorums(1)
    return all(a & b for a in ones for b in ones)


@st.composite
def clusters(draw) -> Cluster:
    acceptors = draw(st.integers(3, 7))
    learners = draw(st.integers(1, 3))
    acceptor, proposer = draw(st.sampled_from(SAFE_RULES))
    quorums = draw(quorum_systems(acceptors))
    q = quorums or Majority(acceptor_names(acceptors))
    # One number space for all proposers is still safe while acceptors answer
    # only prepares "greater than" their promise and any two phase-1 quorums
    # meet: two proposers cannot both complete phase 1 with one number.
    shared_ok = not answers_repeated_prepare(acceptor) and phase1_quorums_intersect(q)
    return Cluster(
        acceptors=acceptors,
        proposers=draw(st.integers(1, 3)),
        learners=learners,
        acceptor=acceptor,
        proposer=proposer,
        shared_numbers=shared_ok and draw(st.booleans()),
        quorums=quorums,
        learning=draw(st.sampled_from(LEARNING)),
        distinguished=draw(st.integers(1, learners)),
    )


@st.composite
def groups_of(draw, names: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    k = draw(st.integers(1, 3))
    where = draw(st.lists(st.integers(0, k - 1), min_size=len(names), max_size=len(names)))
    gs = [frozenset(n for n, g in zip(names, where, strict=True) if g == i) for i in range(k)]
    return tuple(g for g in gs if g)


@st.composite
def setups(draw, faults_until: float = 120.0) -> Setup:
    cluster = draw(clusters())
    lo = draw(st.floats(0.0, 2.0))
    hi = lo + draw(st.floats(0.0, 1.0))
    network = Network(
        loss=draw(st.floats(0.0, 0.5)),
        duplication=draw(st.floats(0.0, 0.5)),
        delay=(lo, hi),
        crash_rate=draw(st.sampled_from((0.0, 0.02, 0.05, 0.1))),
        restart_delay=(1.0, draw(st.floats(1.0, 15.0))),
        faults_until=faults_until,
    )
    names = (*cluster.proposer_names, *cluster.acceptor_names, *cluster.learner_names)
    times = draw(st.lists(st.floats(0.0, faults_until), max_size=3))
    partitions = tuple((t, draw(groups_of(names))) for t in sorted(times))
    leader = draw(st.one_of(st.none(), st.sampled_from(cluster.proposer_names)))
    return Setup(cluster, network, draw(st.integers(0, 2**32)), leader, partitions)


def check_acceptor_memory(sim: Simulation) -> None:
    """§2.2: an acceptor "needs to remember only the highest-numbered proposal that
    it has ever accepted and the number of the highest-numbered prepare request
    to which it has responded" — compared with what it actually sent."""
    h = sim.history
    for name in sim.cluster.acceptor_names:
        a = sim.agents[name]
        assert isinstance(a, Acceptor)
        mine = [p for who, p in h.acceptances if who == name]
        assert a.accepted == (max(mine) if mine else None), (name, a.accepted, mine)
        answered = h.promised.get(name)
        if answered is not None:
            assert a.promised is not None and a.promised >= answered, (name, a.promised)


def run_checked(sim: Simulation, until: float) -> None:
    """Process events one at a time up to ``until``; fail at the first violation."""
    while True:
        before = sim.steps
        sim.run(until=until, max_steps=1)
        if sim.steps == before:
            return
        assert not sim.violations, (sim.seed, [str(v) for v in sim.violations])
        check_acceptor_memory(sim)


def run_schedule(setup: Setup, until: float) -> Simulation:
    sim = Simulation(setup.cluster, seed=setup.seed, network=setup.network,
                     leader=setup.leader, record=False)
    for t, groups in setup.partitions:
        run_checked(sim, t)
        sim.partition(*groups)
    run_checked(sim, setup.network.faults_until)
    sim.heal()
    run_checked(sim, until)
    return sim


# -- safety under random fault schedules -------------------------------------------------


@settings(max_examples=120, **DETERMINISTIC)
@given(setups())
def test_safety_holds_after_every_step_under_random_faults(setup: Setup) -> None:
    sim = run_schedule(setup, until=200.0)
    assert sim.history.safe
    learned = {p.value for p in sim.learned().values() if p is not None}
    assert learned <= sim.history.chosen_values
    assert len(sim.history.chosen_values) <= 1


# -- liveness once the faults stop -----------------------------------------------------


T = 80.0
# After T: a crashed agent restarts within restart_delay (<= 15), the proposer
# retries within retry (<= 20) and one round takes 4 message delays (<= 3 each).
BOUND = 15.0 + 2 * 20.0 + 4 * 3.0 + 20.0


@st.composite
def live_setups(draw) -> tuple[Setup, int]:
    setup = draw(setups(faults_until=T))
    cluster = setup.cluster
    leader = setup.leader
    if cluster.proposers > 1 and leader is None:
        leader = draw(st.sampled_from(cluster.proposer_names))
    q = cluster.quorum_system
    biggest = max(len(m) for phase in (1, 2) for m in q.minimal_quorums(phase))
    isolated = draw(st.integers(0, cluster.acceptors - biggest))
    return Setup(cluster, setup.network, setup.seed, leader, setup.partitions), isolated


@settings(max_examples=80, **DETERMINISTIC)
@given(live_setups())
def test_a_value_is_chosen_and_learned_once_faults_stop(arg: tuple[Setup, int]) -> None:
    setup, isolated = arg
    sim = Simulation(setup.cluster, seed=setup.seed, network=setup.network,
                     leader=setup.leader, record=False)
    for t, groups in setup.partitions:
        run_checked(sim, t)
        sim.partition(*groups)
    run_checked(sim, T)
    # heal, but leave `isolated` acceptors cut off for good: a quorum stays connected
    names = set(sim.agents)
    cut = setup.cluster.acceptor_names[:isolated]
    if cut:
        sim.partition(names - set(cut), *({a} for a in cut))
    else:
        sim.heal()
    run_checked(sim, T + BOUND)
    assert sim.chosen, setup
    assert sim.chosen_at is not None and sim.chosen_at <= T + BOUND
    learned = sim.learned()
    assert all(p is not None for p in learned.values()), (setup, learned)
    assert len({p.value for p in learned.values()}) == 1


# -- one acceptor, any sequence of requests ---------------------------------------------

requests = st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.integers(0, 1)), max_size=40)


def split_nacks(before: Acceptor, result: tuple, n: ProposalNumber) -> tuple:
    """Check the optional nacks (only with the rule, only below a promise) and drop them."""
    a, out = result
    nacks = [m for m in out if isinstance(m, Nack)]
    if nacks:
        assert isinstance(before, NackingAcceptor)
        assert nacks == [Nack("a1", "p1", n, before.promised)]
        assert before.promised > n
    return a, tuple(m for m in out if not isinstance(m, Nack))


@settings(max_examples=300, **DETERMINISTIC)
@given(st.sampled_from(SAFE_RULES), requests)
def test_an_acceptor_answers_by_phase_1b_and_p1a_and_remembers_the_highest(
    classes: tuple[type[Acceptor], type[Proposer]], reqs: list[tuple[bool, int, int]]
) -> None:
    cls = classes[0]
    a = cls("a1", ("l1",))
    accepted: list[Proposal] = []
    answered: list[ProposalNumber] = []
    for is_prepare, r, i in reqs:
        n = ProposalNumber(r, i, 2)
        value = f"v{n.natural}"  # one proposal per number, as §2.2 requires
        before = a
        if is_prepare:
            a, out = split_nacks(before, a.receive(Prepare("p1", "a1", n)), n)
            if out:
                (reply,) = out
                highest = max(accepted) if accepted else None
                assert reply == Promise("a1", "p1", n, highest)
                assert highest is None or highest.number < n
                assert all(n > m or (answers_repeated_prepare(cls) and n == m) for m in answered)
                answered.append(n)
            else:  # ignoring is allowed only below a promise or at/below an accepted number
                assert (before.promised is not None and n <= before.promised) or (
                    before.accepted is not None and n <= before.accepted.number)
        else:
            a, out = split_nacks(before, a.receive(Accept("p1", "a1", n, value)), n)
            if out:
                assert out == (Accepted("a1", "l1", n, value),)
                assert not any(m > n for m in answered)  # P1a
                accepted.append(Proposal(n, value))
            else:  # Phase 2(b): refused only "if it has already responded" above n
                assert before.promised is not None and before.promised > n
        # §2.2: it "needs to remember only the highest-numbered proposal that it has
        # ever accepted and the number of the highest-numbered prepare request to
        # which it has responded"
        assert a.accepted == (max(accepted) if accepted else None)
        if answered:
            assert a.promised is not None and a.promised >= max(answered)


# -- manual mode: random action sequences --------------------------------------------

ACTIONS = ("deliver", "deliver", "deliver", "deliver", "drop", "duplicate", "crash", "restart",
           "propose", "persist")


def apply_action(sim: Simulation, kind: str, i: int, j: int) -> None:
    """One manual action; ``i`` and ``j`` pick a message or an agent."""
    pending = sim.pending()
    names = sorted(sim.agents)
    if kind in ("deliver", "drop", "duplicate"):
        if not pending:
            kind = "propose"
        else:
            getattr(sim, kind)(pending[i % len(pending)].id)
            return
    if kind == "propose":
        sim.propose(sim.cluster.proposer_names[j % sim.cluster.proposers])
    elif kind == "persist":
        sim.persist(names[j % len(names)])
    else:
        getattr(sim, kind)(names[j % len(names)])


action_lists = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 50), st.integers(0, 50)),
    min_size=1, max_size=80,
)


@settings(max_examples=150, **DETERMINISTIC)
@given(clusters(), action_lists, st.integers(0, 2**16))
def test_safety_holds_after_every_manual_action(cluster: Cluster, actions, seed: int) -> None:
    sim = Simulation(cluster, seed=seed, manual=True, record=False)
    for kind, i, j in actions:
        apply_action(sim, kind, i, j)
        assert not sim.violations, [str(v) for v in sim.violations]
        check_acceptor_memory(sim)


@settings(max_examples=60, **DETERMINISTIC)
@given(action_lists, st.integers(0, 2**16))
def test_a_restarted_proposer_never_reuses_a_number(actions, seed: int) -> None:
    sim = Simulation(Cluster(proposers=2), seed=seed, manual=True, record=False)
    tried: list = []
    for kind, i, j in actions:
        apply_action(sim, kind, i, j)
        for p in sim.agents.values():
            if isinstance(p, Proposer) and p.highest_tried is not None:
                if not tried or tried[-1] != (p.name, p.highest_tried):
                    tried.append((p.name, p.highest_tried))
    per_number: dict = {}
    for name, n in tried:
        assert per_number.setdefault(n, name) == name  # no number used by two proposers


# -- the checker can fail: broken rules are caught -------------------------------------


def random_walk(cluster: Cluster, seed: int, steps: int = 60) -> Simulation:
    rng = random.Random(seed)
    sim = Simulation(cluster, seed=seed, manual=True, record=False)
    for _ in range(steps):
        apply_action(sim, rng.choice(ACTIONS), rng.randrange(50), rng.randrange(50))
        if sim.violations:
            break
    return sim


def first_violation(acceptor: type[Acceptor] = Acceptor, proposer: type[Proposer] = Proposer,
                    shared_numbers: bool = False) -> set[str]:
    cluster = Cluster(acceptors=3, proposers=2, acceptor=acceptor, proposer=proposer,
                      shared_numbers=shared_numbers)
    for seed in range(400):
        sim = random_walk(cluster, seed)
        if sim.violations:
            return {v.rule for v in sim.violations}
    return set()


def test_random_walks_catch_an_acceptor_that_breaks_its_promises() -> None:
    assert first_violation(NoPromiseAcceptor) & {P1A, P2C, SINGLE_VALUE}


def test_random_walks_catch_a_proposer_that_ignores_reported_values() -> None:
    assert P2C in first_violation(proposer=OwnValueProposer)


def test_random_walks_catch_an_acceptor_without_stable_storage() -> None:
    # after a restart it has forgotten its promise and accepts below it
    assert P1A in first_violation(AmnesiacAcceptor)


def test_random_walks_find_nothing_under_the_papers_rules() -> None:
    assert first_violation() == set()


def test_random_walks_catch_shared_numbers_with_repeated_prepares() -> None:
    # §2.5's disjoint sets matter once acceptors answer a prepare equal to their promise
    assert P2C in first_violation(RepeatedPrepareAcceptor, shared_numbers=True)


def test_random_walks_catch_shared_numbers_with_phase1_quorums_that_need_not_meet() -> None:
    # Flexible Paxos keeps q1 + q2 > n but lets two phase-1 quorums be disjoint:
    # two proposers can then both complete phase 1 with one shared number.
    cluster = Cluster(acceptors=3, proposers=2, shared_numbers=True,
                      quorums=Flexible(acceptor_names(3), q1=1, q2=3))
    found: set[str] = set()
    for seed in range(400):
        found = {v.rule for v in random_walk(cluster, seed).violations}
        if found:
            break
    assert P2C in found
