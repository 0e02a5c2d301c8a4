"""One test per rule of §2.2 to §2.5, driving the sans-IO agents directly (no simulator)."""

from __future__ import annotations

from collections import Counter, deque

import pytest

from paxos_notes.agents import Acceptor, AcceptorStorage, Learner, NackingAcceptor, Proposer
from paxos_notes.ballots import Allocator, ProposalNumber
from paxos_notes.checker.variants import AcceptToAllProposer
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accept, Accepted, Chosen, Nack, Prepare, Promise, Proposal
from paxos_notes.quorums import Flexible, Majority, acceptor_names

K = 2  # proposers sharing the number space in these tests
A3 = acceptor_names(3)
A5 = acceptor_names(5)


def num(r: int, i: int = 0) -> ProposalNumber:
    return ProposalNumber(r, i, K)


def proposer(index: int = 0, value: str = "x", cls: type[Proposer] = Proposer, n: int = 3,
             shared: bool = False) -> Proposer:
    return cls(f"p{index + 1}", index, value, Majority(acceptor_names(n)),
               Allocator(K, shared=shared))


def acceptor(name: str = "a1", cls: type[Acceptor] = Acceptor,
             learners: tuple[str, ...] = ("l1",)) -> Acceptor:
    return cls(name, learners)


def learner(name: str = "l1", n: int = 3, informs: tuple[str, ...] = ()) -> Learner:
    return Learner(name, Majority(acceptor_names(n)), informs)


def promise(sender: str, n: ProposalNumber, accepted: Proposal | None = None,
            to: str = "p1") -> Promise:
    return Promise(sender, to, n, accepted)


def started(p: Proposer) -> tuple[Proposer, ProposalNumber]:
    p, _ = p.prepare()
    assert p.number is not None
    return p, p.number


def feed(agent, *messages):
    """Deliver messages in order; return the final agent and everything it sent."""
    out: list = []
    for m in messages:
        agent, sent = agent.receive(m)
        out.extend(sent)
    return agent, out


# == Phase 1(a) ======================================================================


def test_phase1a_prepare_goes_to_every_acceptor_with_one_fresh_number() -> None:
    p, out = proposer(n=5).prepare()
    assert p.phase == "1"
    assert [m.receiver for m in out] == list(A5)
    assert all(isinstance(m, Prepare) and m.sender == "p1" and m.n == p.number for m in out)
    assert p.number == p.highest_tried == Allocator(K).first(0)


def test_phase1a_number_comes_from_the_proposers_own_set() -> None:
    alloc = Allocator(K)
    for index in range(K):
        p = proposer(index)
        for _ in range(4):
            p, n = started(p)
            assert alloc.owns(index, n)
            assert not alloc.owns(1 - index, n)


def test_phase1a_each_new_number_is_above_the_highest_tried() -> None:
    p = proposer()
    numbers = []
    for _ in range(5):
        p, n = started(p)
        numbers.append(n)
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    assert p.highest_tried == numbers[-1]


def test_phase1a_after_a_nack_the_next_number_is_above_the_nacked_promise() -> None:
    p, n = started(proposer())
    higher = num(7, 1)
    p, out = p.receive(Nack("a2", "p1", n, higher))
    assert out == ()
    assert p.phase == "idle" and p.highest_seen == higher
    p, n2 = started(p)
    assert n2 == num(8, 0)  # the smallest of p1's numbers above 7·2+1
    assert n2 > higher


def test_phase1a_nack_for_an_older_number_is_ignored() -> None:
    p, old = started(proposer())
    p, _ = started(p)
    p2, out = p.receive(Nack("a1", "p1", old, num(9, 1)))
    assert p2 == p and out == ()


def test_phase1a_stopped_proposer_sends_nothing() -> None:
    p = proposer().crash()
    p2, out = p.prepare()
    assert out == () and p2 == p


# == Phase 1(b) ======================================================================


def test_phase1b_fresh_acceptor_promises_and_reports_no_proposal() -> None:
    a, out = acceptor().receive(Prepare("p1", "a1", num(1)))
    assert out == (Promise("a1", "p1", num(1), None),)
    assert a.promised == num(1)


def test_phase1b_promise_reports_the_highest_numbered_accepted_proposal() -> None:
    a, _ = feed(acceptor(), Accept("p1", "a1", num(1), "x"), Prepare("p2", "a1", num(1, 1)),
                Accept("p2", "a1", num(1, 1), "y"))
    assert a.accepted == Proposal(num(1, 1), "y")
    a, out = a.receive(Prepare("p1", "a1", num(4)))
    assert out == (Promise("a1", "p1", num(4), Proposal(num(1, 1), "y")),)


def test_acceptor_ignores_prepare_below_promise() -> None:
    a, _ = acceptor().receive(Prepare("p2", "a1", num(5, 1)))
    a2, out = a.receive(Prepare("p1", "a1", num(3)))
    assert out == ()
    assert a2 == a


def test_acceptor_does_not_answer_a_prepare_equal_to_its_promise() -> None:
    a, _ = acceptor().receive(Prepare("p1", "a1", num(2)))
    a2, out = a.receive(Prepare("p1", "a1", num(2)))  # a duplicate
    assert out == () and a2 == a


def test_acceptor_promise_is_addressed_to_the_preparer() -> None:
    _, out = acceptor("a3").receive(Prepare("p2", "a3", num(0, 1)))
    (m,) = out
    assert (m.sender, m.receiver, m.n) == ("a3", "p2", num(0, 1))


# == The optimization ===================================================================


def test_acceptor_ignores_prepare_for_a_proposal_it_already_accepted() -> None:
    # P1 lets a fresh acceptor accept (2, x) without having promised anything.
    a, _ = acceptor().receive(Accept("p1", "a1", num(2), "x"))
    assert a.promised is None and a.accepted == Proposal(num(2), "x")
    for n in (num(2), num(1, 1), num(0)):
        assert not a.should_promise(n)
        a2, out = a.receive(Prepare("p2", "a1", n))
        assert out == () and a2 == a
    # above the accepted number it answers, reporting the proposal (numbered below n)
    a3, out = a.receive(Prepare("p2", "a1", num(2, 1)))
    assert out == (Promise("a1", "p2", num(2, 1), Proposal(num(2), "x")),)
    assert a3.promised == num(2, 1)


def test_should_promise_is_exactly_above_promise_and_above_accepted() -> None:
    a = Acceptor("a1", stable=AcceptorStorage(promised=num(3), accepted=Proposal(num(5), "x")))
    for r in range(8):
        for i in range(K):
            n = num(r, i)
            assert a.should_promise(n) == (n > num(3) and n > num(5))


# == Phase 2(a) ======================================================================


def test_phase2a_proposer_waits_for_a_phase1_quorum() -> None:
    p, n = started(proposer(n=5))
    p, out = feed(p, promise("a1", n), promise("a2", n))
    assert out == [] and p.phase == "1"
    p, out = p.receive(promise("a3", n))
    assert p.phase == "2" and len(out) == 3
    assert p.proposal == Proposal(n, "x")


def test_phase2a_uses_the_value_of_the_highest_numbered_reported_proposal() -> None:
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        p, n = started(proposer(n=5))
        p, n = started(p)
        p, n = started(p)  # n = (2, 0): room for reports numbered below it
        reports = [promise("a1", n, Proposal(num(1, 1), "z")),
                   promise("a2", n, Proposal(num(0), "y")),
                   promise("a3", n, None)]
        p, out = feed(p, *(reports[i] for i in order))
        assert p.proposal == Proposal(n, "z"), order
        assert {m.value for m in out} == {"z"}


def test_phase2a_proposes_its_own_value_when_no_proposal_is_reported() -> None:
    p, n = started(proposer(value="mine"))
    p, out = feed(p, promise("a1", n), promise("a3", n))
    assert out == [Accept("p1", "a1", n, "mine"), Accept("p1", "a3", n, "mine")]


def test_phase2a_accepts_go_only_to_the_acceptors_that_promised() -> None:
    p, n = started(proposer(n=5))
    p, out = feed(p, promise("a5", n), promise("a2", n), promise("a4", n))
    assert sorted(m.receiver for m in out) == ["a2", "a4", "a5"]
    assert all(isinstance(m, Accept) and m.n == n for m in out)


def test_phase2a_with_phase1_quorums_smaller_than_phase2_asks_every_acceptor() -> None:
    # Flexible q1=1, q2=3: the single promiser could never choose on its own
    p = Proposer("p1", 0, "x", Flexible(A3, q1=1, q2=3), Allocator(K))
    p, n = started(p)
    p, out = p.receive(promise("a2", n))
    assert p.phase == "2"
    assert [m.receiver for m in out] == list(A3)
    q = Proposer("p1", 0, "x", Flexible(A3, q1=2, q2=2), Allocator(K))
    q, n = started(q)
    q, out = feed(q, promise("a2", n), promise("a3", n))
    assert [m.receiver for m in out] == ["a2", "a3"]  # promisers suffice: only them


def test_phase2a_promises_for_an_old_number_are_ignored() -> None:
    p, old = started(proposer())
    p, new = started(p)
    p2, out = feed(p, promise("a1", old, Proposal(num(0, 1), "z")), promise("a2", old))
    assert out == [] and p2.promises == () and p2.phase == "1"
    p2, out = feed(p2, promise("a1", new), promise("a2", new))
    assert {m.value for m in out} == {"x"}  # the old promise's report played no part


def test_phase2a_a_duplicated_promise_counts_once() -> None:
    p, n = started(proposer())
    p, out = feed(p, promise("a1", n), promise("a1", n), promise("a1", n))
    assert out == [] and p.phase == "1" and len(p.promises) == 1


def test_phase2a_promises_after_the_accepts_went_out_change_nothing() -> None:
    p, n = started(proposer())
    p, _ = feed(p, promise("a1", n), promise("a2", n))
    p2, out = p.receive(promise("a3", n, Proposal(num(0, 1), "z")))
    assert out == () and p2 == p


def test_abandoned_proposal_ignores_late_promises_and_its_number_is_never_reused() -> None:
    p, n = started(proposer())
    p, _ = p.receive(promise("a1", n))
    p = p.abandon()
    assert p.phase == "idle" and p.promises == () and p.proposal is None
    p2, out = p.receive(promise("a2", n))
    assert out == () and p2 == p
    p, n2 = started(p)
    assert n2 > n


# == Phase 2(b) and P1a ==============================================================


def test_phase2b_acceptor_accepts_and_tells_every_learner() -> None:
    a, out = acceptor(learners=("l1", "l2")).receive(Accept("p1", "a1", num(1), "x"))
    assert a.accepted == Proposal(num(1), "x")
    assert out == (Accepted("a1", "l1", num(1), "x"), Accepted("a1", "l2", num(1), "x"))


def test_acceptor_accepts_a_proposal_equal_to_its_promise() -> None:
    a, _ = acceptor().receive(Prepare("p1", "a1", num(2)))
    a, out = a.receive(Accept("p1", "a1", num(2), "x"))
    assert a.accepted == Proposal(num(2), "x") and len(out) == 1


def test_acceptor_accepts_a_proposal_above_its_promise() -> None:
    a, _ = acceptor().receive(Prepare("p1", "a1", num(2)))
    a, out = a.receive(Accept("p2", "a1", num(3, 1), "y"))
    assert a.accepted == Proposal(num(3, 1), "y") and len(out) == 1


def test_acceptor_refuses_accept_below_its_promise() -> None:
    a, _ = acceptor().receive(Prepare("p2", "a1", num(2, 1)))
    a2, out = a.receive(Accept("p1", "a1", num(2), "x"))
    assert out == () and a2 == a and a2.accepted is None


def test_may_accept_is_p1a_no_prepare_answered_above_n() -> None:
    a, _ = acceptor().receive(Prepare("p1", "a1", num(3)))
    for r in range(6):
        for i in range(K):
            assert a.may_accept(num(r, i)) == (not num(3) > num(r, i))


def test_acceptor_keeps_the_highest_numbered_proposal_when_accepting_a_lower_one() -> None:
    # P1a allows accepting (1, x) after (3, y) if no prepare above 1 was answered;
    # what the acceptor reports later must still be (3, y), the highest it ever accepted.
    a, _ = feed(acceptor(), Accept("p2", "a1", num(3, 1), "y"))
    a, out = a.receive(Accept("p1", "a1", num(1), "x"))
    assert out == (Accepted("a1", "l1", num(1), "x"),)  # it did accept (1, x)
    assert a.accepted == Proposal(num(3, 1), "y")
    _, out = a.receive(Prepare("p1", "a1", num(4)))
    assert out == (Promise("a1", "p1", num(4), Proposal(num(3, 1), "y")),)


def test_acceptor_ignores_messages_addressed_to_someone_else() -> None:
    a = acceptor("a1")
    for m in (Prepare("p1", "a2", num(1)), Accept("p1", "a2", num(1), "x"),
              Promise("a3", "a1", num(1), None)):
        a2, out = a.receive(m)
        assert out == () and a2 == a


# == Stable storage (§2.2, §2.5) ========================================================


def _promised_and_accepted(cls: type[Acceptor] = Acceptor) -> Acceptor:
    a, _ = feed(acceptor(cls=cls), Prepare("p1", "a1", num(1)),
                Accept("p1", "a1", num(1), "x"), Prepare("p2", "a1", num(2, 1)))
    return a


def test_crash_keeps_what_stable_storage_holds() -> None:
    a = _promised_and_accepted()
    assert a.unsaved is None  # the paper: recorded before sending
    assert a.stable == AcceptorStorage(num(2, 1), Proposal(num(1), "x"))
    down = a.crash()
    assert not down.up and down.stable == a.stable
    back = down.restart()
    assert back.up and back.promised == num(2, 1) and back.accepted == Proposal(num(1), "x")
    # and it still keeps its promise after the restart
    _, out = back.receive(Accept("p1", "a1", num(1, 0), "z"))
    assert out == ()


def test_stopped_acceptor_receives_nothing() -> None:
    a = acceptor().crash()
    for m in (Prepare("p1", "a1", num(1)), Accept("p1", "a1", num(1), "x")):
        a2, out = a.receive(m)
        assert out == () and a2 == a


def test_proposer_remembers_highest_tried_across_crash_and_restarts_above_it() -> None:
    p = proposer()
    for _ in range(3):
        p, n = started(p)
    p, _ = p.receive(promise("a1", n))
    down = p.crash()
    assert not down.up
    assert down.highest_tried == n  # stable storage
    assert (down.phase, down.number, down.promises, down.proposal) == ("idle", None, (), None)
    back = down.restart()
    back, n2 = started(back)
    assert n2 > n and Allocator(K).owns(0, n2)


def test_stopped_proposer_and_learner_receive_nothing() -> None:
    p, n = started(proposer())
    p = p.crash()
    p2, out = p.receive(promise("a1", n))
    assert out == () and p2 == p
    lrn = learner().crash()
    l2, out = lrn.receive(Accepted("a1", "l1", num(1), "x"))
    assert out == () and l2 == lrn


# == Learning (§2.3) =================================================================


def test_learner_learns_when_a_quorum_accepted_one_proposal() -> None:
    lrn, _ = learner().receive(Accepted("a1", "l1", num(1), "x"))
    assert lrn.learned is None
    lrn, _ = lrn.receive(Accepted("a3", "l1", num(1), "x"))
    assert lrn.learned == Proposal(num(1), "x")


def test_acceptances_of_different_numbers_do_not_add_up() -> None:
    lrn, _ = feed(learner(), Accepted("a1", "l1", num(1), "x"), Accepted("a2", "l1", num(2), "x"),
                  Accepted("a3", "l1", num(3), "x"))
    assert lrn.learned is None  # three acceptors accepted "x", but never one proposal twice


def test_acceptances_of_one_number_with_different_values_do_not_add_up() -> None:
    # only possible with the broken shared allocator: one number, two proposals
    lrn, _ = feed(learner(), Accepted("a1", "l1", num(1), "x"), Accepted("a2", "l1", num(1), "y"))
    assert lrn.learned is None


def test_learner_counts_a_duplicated_acceptance_once() -> None:
    lrn, _ = feed(learner(), Accepted("a1", "l1", num(1), "x"), Accepted("a1", "l1", num(1), "x"))
    assert lrn.learned is None


def test_learner_keeps_what_it_learned_first() -> None:
    lrn, _ = feed(learner(), Accepted("a1", "l1", num(1), "x"), Accepted("a2", "l1", num(1), "x"),
                  Accepted("a1", "l1", num(2), "x"), Accepted("a2", "l1", num(2), "x"))
    assert lrn.learned == Proposal(num(1), "x")


def test_distinguished_learner_informs_the_others_once() -> None:
    lrn = learner(informs=("l2", "l3"))
    lrn, out = feed(lrn, Accepted("a1", "l1", num(1), "x"), Accepted("a2", "l1", num(1), "x"),
                    Accepted("a3", "l1", num(1), "x"), Accepted("a2", "l1", num(1), "x"))
    assert out == [Chosen("l1", "l2", num(1), "x"), Chosen("l1", "l3", num(1), "x")]


def test_distinguished_learner_informs_again_when_a_new_round_is_chosen() -> None:
    # A learner that crashed (or lost our Chosen) can only learn from us: when a
    # proposer runs another round, the distinguished learner must tell it again.
    lrn, _ = feed(learner(informs=("l2",)), Accepted("a1", "l1", num(1), "x"),
                  Accepted("a2", "l1", num(1), "x"))
    lrn, out = lrn.receive(Accepted("a1", "l1", num(2), "x"))
    assert out == ()
    lrn, out = lrn.receive(Accepted("a3", "l1", num(2), "x"))
    assert out == (Chosen("l1", "l2", num(2), "x"),)


def test_learner_takes_a_distinguished_learners_word() -> None:
    lrn, out = learner("l2").receive(Chosen("l1", "l2", num(1), "x"))
    assert lrn.learned == Proposal(num(1), "x") and out == ()
    lrn2, _ = lrn.receive(Chosen("l1", "l2", num(2), "y"))
    assert lrn2.learned == Proposal(num(1), "x")


def test_learner_crash_forgets_what_it_heard_and_learned() -> None:
    lrn, _ = feed(learner(), Accepted("a1", "l1", num(1), "x"), Accepted("a2", "l1", num(1), "x"))
    back = lrn.crash().restart()
    assert back.learned is None and back.heard == frozenset()


def _run_to_quiescence(agents: dict, first: list) -> Counter:
    """Deliver every message FIFO until none is left; count them by type."""
    sent: Counter = Counter()
    queue = deque(first)
    while queue:
        m = queue.popleft()
        sent[type(m).__name__] += 1
        agents[m.receiver], out = agents[m.receiver].receive(m)
        queue.extend(out)
    return sent


@pytest.mark.parametrize(
    ("learning", "distinguished", "accepted", "chosen"),
    [("all", 1, 5 * 4, 0), ("distinguished", 1, 5, 4 - 1), ("set", 2, 5 * 2, 2 * (4 - 2))],
)
def test_learning_strategies_trade_messages_as_in_section_2_3(
    learning: str, distinguished: int, accepted: int, chosen: int
) -> None:
    # accept requests to all so that all five acceptors accept: the paper's counts
    # are per accepting acceptor
    cluster = Cluster(acceptors=5, proposers=1, learners=4, learning=learning,
                      distinguished=distinguished, proposer=AcceptToAllProposer)
    agents = cluster.build()
    agents["p1"], out = agents["p1"].prepare()
    sent = _run_to_quiescence(agents, list(out))
    assert sent["Accepted"] == accepted
    assert sent["Chosen"] == chosen
    assert all(agents[n].learned == Proposal(agents["p1"].number, "x")
               for n in cluster.learner_names)


# == Nacks (§2.2: "a performance optimization that does not affect correctness.") ====


def test_nacks_tell_the_proposer_of_a_higher_promise() -> None:
    a, _ = acceptor(cls=NackingAcceptor).receive(Prepare("p2", "a1", num(5, 1)))
    _, out = a.receive(Prepare("p1", "a1", num(3)))
    assert out == (Nack("a1", "p1", num(3), num(5, 1)),)
    _, out = a.receive(Accept("p1", "a1", num(4), "x"))
    assert out == (Nack("a1", "p1", num(4), num(5, 1)),)
    # no nack for its own duplicate prepare, nor from the paper's acceptor
    _, out = a.receive(Prepare("p2", "a1", num(5, 1)))
    assert out == ()
    b, _ = acceptor().receive(Prepare("p2", "a1", num(5, 1)))
    assert b.receive(Prepare("p1", "a1", num(3)))[1] == ()


def test_a_nack_makes_the_proposer_abandon_even_in_phase_2() -> None:
    p, n = started(proposer())
    p, _ = feed(p, promise("a1", n), promise("a2", n))
    assert p.phase == "2"
    p, _ = p.receive(Nack("a3", "p1", n, num(4, 1)))
    assert p.phase == "idle" and p.proposal is None
    assert started(p)[1] == num(5, 0)


def test_proposer_index_outside_allocator_raises() -> None:
    with pytest.raises(ValueError, match=r"index must be in 0..1, got 2"):
        Proposer("p3", 2, "x", Majority(A3), Allocator(2))


def test_a_number_from_a_mismatched_allocator_is_refused_when_used() -> None:
    p, n = started(proposer())
    p, _ = p.receive(Nack("a1", "p1", n, ProposalNumber(4, 2, 3)))  # from a 3-proposer space
    with pytest.raises(ValueError, match=r"seen .*3 proposers; this one is for 2"):
        p.prepare()
