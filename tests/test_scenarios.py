"""The paper's own scenarios, replayed step by step in manual mode."""

from __future__ import annotations

import pytest

from paxos_notes.agents import Acceptor, NackingAcceptor, Proposer
from paxos_notes.ballots import ProposalNumber
from paxos_notes.checker.variants import (
    AcceptToAllProposer,
    AmnesiacAcceptor,
    OwnValueProposer,
    SendBeforePersistAcceptor,
)
from paxos_notes.cluster import Cluster
from paxos_notes.invariants import P2C, SINGLE_VALUE
from paxos_notes.messages import Accept, Accepted, Nack, Prepare, Promise, Proposal
from paxos_notes.sim import Simulation


def ids(sim: Simulation, kind: type, sender: str | None = None,
        receiver: str | None = None) -> list[int]:
    return [p.id for p in sim.pending()
            if isinstance(p.message, kind)
            and sender in (None, p.message.sender) and receiver in (None, p.message.receiver)]


def deliver(sim: Simulation, kind: type, sender: str | None = None,
            receiver: str | None = None) -> int:
    """Deliver every pending message of this kind (and sender/receiver); return how many."""
    found = ids(sim, kind, sender, receiver)
    for i in found:
        sim.deliver(i)
    return len(found)


def drop(sim: Simulation, kind: type, sender: str | None = None,
         receiver: str | None = None) -> None:
    for i in ids(sim, kind, sender, receiver):
        sim.drop(i)


def number(sim: Simulation, name: str) -> ProposalNumber:
    p = sim.agents[name]
    assert isinstance(p, Proposer) and p.number is not None
    return p.number


def rules_broken(sim: Simulation) -> list[str]:
    return [v.rule for v in sim.violations]


# -- §2.2: the acceptor c that never received a proposal ------------------------------


def _x_chosen_without_c(proposer: type[Proposer] = Proposer) -> Simulation:
    """p1's (n1, x) is accepted by a1 and a2; c = a3 never hears of any proposal."""
    sim = Simulation(Cluster(acceptors=3, proposers=2, proposer=proposer), seed=0, manual=True)
    sim.propose("p1")
    drop(sim, Prepare, "p1", "a3")
    deliver(sim, Prepare, "p1")
    deliver(sim, Promise, receiver="p1")
    assert deliver(sim, Accept, "p1") == 2
    deliver(sim, Accepted)
    n1 = number(sim, "p1")
    assert sim.chosen == {Proposal(n1, "x")}
    assert sim.agents["a3"].accepted is None and sim.agents["a3"].promised is None
    return sim


def test_p1_alone_lets_c_accept_a_later_different_proposal() -> None:
    # P1: "An acceptor must accept the first proposal that it receives." A proposer
    # that "wakes up" and issues a higher-numbered proposal with another value,
    # without learning what was accepted (OwnValueProposer), gets c to accept it:
    # P2a is broken.
    sim = _x_chosen_without_c(OwnValueProposer)
    n1 = number(sim, "p1")
    sim.propose("p2")
    deliver(sim, Prepare, "p2", "a3")
    deliver(sim, Prepare, "p2", "a2")
    deliver(sim, Promise, receiver="p2")
    deliver(sim, Accept, "p2", "a3")
    accepted_by_c = sim.agents["a3"].accepted
    n2 = number(sim, "p2")
    assert n2 > n1 and accepted_by_c == Proposal(n2, "y")  # P2a broken
    assert rules_broken(sim) == [P2C]
    # and once a2 follows, two values are chosen
    deliver(sim, Accept, "p2", "a2")
    deliver(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"x", "y"}
    assert SINGLE_VALUE in rules_broken(sim)


def test_with_the_papers_algorithm_the_later_proposer_must_pick_the_chosen_value() -> None:
    sim = _x_chosen_without_c()
    sim.propose("p2")
    # c alone is no majority: p2 cannot go on
    deliver(sim, Prepare, "p2", "a3")
    deliver(sim, Promise, "a3", "p2")
    assert sim.agents["p2"].phase == "1" and not ids(sim, Accept, "p2")
    # any majority includes a1 or a2, which report (n1, x)
    deliver(sim, Prepare, "p2", "a2")
    deliver(sim, Promise, "a2", "p2")
    n2 = number(sim, "p2")
    assert sim.agents["p2"].proposal == Proposal(n2, "x")
    deliver(sim, Accept, "p2")
    deliver(sim, Accepted)
    assert sim.agents["a3"].accepted == Proposal(n2, "x")
    assert {p.value for p in sim.chosen} == {"x"}
    assert sim.history.safe


# -- §2.3: a chosen value nobody learned -------------------------------------------------


def test_a_lost_acceptance_leaves_a_chosen_value_unlearned_until_a_new_proposal() -> None:
    sim = Simulation(Cluster(proposers=2), seed=0, manual=True)
    sim.propose("p1")
    deliver(sim, Prepare)
    deliver(sim, Promise)
    deliver(sim, Accept)
    drop(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"x"}
    assert sim.learned() == {"l1": None}  # chosen, but nobody knows
    # "a learner ... can have a proposer issue a proposal": p2 finds out x
    sim.propose("p2")
    for kind in (Prepare, Promise, Accept, Accepted):
        deliver(sim, kind)
    assert sim.learned()["l1"].value == "x"
    assert sim.history.safe


# -- §2.4: the duel ------------------------------------------------------------------


def _complete_phase1(sim: Simulation, name: str) -> list[int]:
    """Run phase 1 of a fresh proposal by ``name``; return its accept messages, held back."""
    sim.propose(name)
    assert deliver(sim, Prepare, name) == 3
    deliver(sim, Promise, receiver=name)
    assert sim.agents[name].phase == "2"
    held = ids(sim, Accept, name)
    assert len(held) == 2
    return held


@pytest.mark.parametrize("acceptor", [Acceptor, NackingAcceptor], ids=["paper", "nacks"])
def test_two_proposers_can_keep_preempting_each_other_so_nothing_is_chosen(
    acceptor: type[Acceptor],
) -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=2, acceptor=acceptor), seed=0, manual=True)
    p, q = "p1", "p2"
    held = _complete_phase1(sim, p)  # p completes phase 1 with n1
    numbers = [number(sim, p)]
    for _ in range(6):
        q_held = _complete_phase1(sim, q)  # q completes phase 1 with a higher number
        numbers.append(number(sim, q))
        for i in held:  # p's accepts arrive late: ignored (or nacked)
            sim.deliver(i)
        assert not ids(sim, Accepted)
        assert all(sim.agents[a].accepted is None for a in ("a1", "a2", "a3"))
        if acceptor is NackingAcceptor:
            assert deliver(sim, Nack, receiver=p) == 2
            assert sim.agents[p].phase == "idle"
        p, q, held = q, p, q_held
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert sim.chosen == set()
    assert sim.learned() == {"l1": None}
    assert sim.history.safe


def test_a_single_distinguished_proposer_gets_a_value_chosen_in_manual_mode() -> None:
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=0, manual=True)
    held = _complete_phase1(sim, "p1")
    for i in held:
        sim.deliver(i)
    deliver(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"x"}
    assert sim.learned()["l1"].value == "x"


@pytest.mark.parametrize("seed", range(5))
def test_with_a_leader_a_value_is_chosen_and_learned(seed: int) -> None:
    sim = Simulation(Cluster(acceptors=5, proposers=3, learners=2), seed=seed, leader="p3")
    sim.run(until=200)
    assert {p.value for p in sim.chosen} == {"z"}
    assert {v.value for v in sim.learned().values()} == {"z"}
    assert sim.history.safe


# -- §2.2/§2.5: what an acceptor must remember across a restart --------------------------


def _x_chosen_then_a2_restarts(acceptor: type[Acceptor] = Acceptor,
                               crash_before_persist: bool = False) -> Simulation:
    sim = Simulation(Cluster(acceptors=3, proposers=2, acceptor=acceptor), seed=0, manual=True)
    sim.propose("p1")
    drop(sim, Prepare, "p1", "a3")
    deliver(sim, Prepare, "p1")
    deliver(sim, Promise, receiver="p1")
    deliver(sim, Accept, "p1")
    deliver(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"x"}
    if not crash_before_persist:
        for a in ("a1", "a2"):
            sim.persist(a)
    sim.crash("a2")
    sim.restart("a2")
    # p2 hears from a2 and a3 only
    sim.propose("p2")
    deliver(sim, Prepare, "p2", "a2")
    deliver(sim, Prepare, "p2", "a3")
    deliver(sim, Promise, receiver="p2")
    deliver(sim, Accept, "p2")
    deliver(sim, Accepted)
    return sim


def test_stable_storage_makes_a_restarted_acceptor_report_what_it_accepted() -> None:
    sim = _x_chosen_then_a2_restarts()
    assert {p.value for p in sim.chosen} == {"x"} and sim.history.safe


def test_an_acceptor_without_stable_storage_lets_a_second_value_be_chosen() -> None:
    sim = _x_chosen_then_a2_restarts(AmnesiacAcceptor)
    assert {p.value for p in sim.chosen} == {"x", "y"}
    assert rules_broken(sim)[:2] == [P2C, SINGLE_VALUE]


def test_sending_before_recording_lets_a_crash_lose_an_acceptance() -> None:
    late = SendBeforePersistAcceptor
    assert _x_chosen_then_a2_restarts(late).history.safe  # persisted in time: fine
    sim = _x_chosen_then_a2_restarts(late, crash_before_persist=True)
    assert {p.value for p in sim.chosen} == {"x", "y"}
    assert SINGLE_VALUE in rules_broken(sim)


# -- §2.2: phase 2 may go to a different majority than phase 1 -------------------------


def test_accepts_to_a_different_majority_are_safe() -> None:
    # the "FAQ contradiction": p1's promises come from {a1, a2}, its accepts reach
    # {a2, a3}; a later proposer still finds x.
    sim = Simulation(Cluster(acceptors=3, proposers=2, proposer=AcceptToAllProposer), seed=0,
                     manual=True)
    sim.propose("p1")
    drop(sim, Prepare, "p1", "a3")
    deliver(sim, Prepare, "p1")
    deliver(sim, Promise, receiver="p1")
    drop(sim, Accept, "p1", "a1")
    deliver(sim, Accept, "p1")
    deliver(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"x"}
    sim.propose("p2")
    drop(sim, Prepare, "p2", "a3")
    deliver(sim, Prepare, "p2")
    deliver(sim, Promise, receiver="p2")
    assert sim.agents["p2"].proposal.value == "x"
    assert sim.history.safe


def test_an_acceptor_that_accepts_a_lower_proposal_late_still_reports_the_higher_one() -> None:
    # Regression: with accepts sent to every acceptor, a3 accepted (n2, y) — which
    # was chosen — and then p1's older accept (n1, x). It must still report (n2, y).
    sim = Simulation(Cluster(acceptors=3, proposers=3, proposer=AcceptToAllProposer), seed=0,
                     manual=True)
    sim.propose("p1")
    drop(sim, Prepare, "p1", "a1")
    deliver(sim, Prepare, "p1")
    deliver(sim, Promise, receiver="p1")  # p1 issues (n1, x); its accepts wait
    sim.propose("p2")
    drop(sim, Prepare, "p2", "a3")
    deliver(sim, Prepare, "p2")
    deliver(sim, Promise, receiver="p2")
    deliver(sim, Accept, "p2", "a1")
    deliver(sim, Accept, "p2", "a3")
    deliver(sim, Accepted)
    assert {p.value for p in sim.chosen} == {"y"}
    deliver(sim, Accept, "p1", "a3")  # a3 promised only n1: P1a lets it accept
    assert sim.agents["a3"].accepted == Proposal(number(sim, "p2"), "y")
    sim.propose("p3")
    drop(sim, Prepare, "p3", "a1")
    deliver(sim, Prepare, "p3")
    deliver(sim, Promise, receiver="p3")
    assert sim.agents["p3"].proposal.value == "y"
    drop(sim, Accept)
    assert sim.history.safe
