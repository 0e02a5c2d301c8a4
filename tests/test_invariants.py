"""The safety requirements (§2.1) and P1a/P2c (§2.2) as checks on a record of messages."""

from __future__ import annotations

import pytest

from paxos_notes.ballots import ProposalNumber
from paxos_notes.invariants import (
    ONLY_CHOSEN_LEARNED,
    ONLY_PROPOSED,
    P1A,
    P2C,
    REQUIREMENTS,
    SINGLE_VALUE,
    History,
    Learned,
    Violation,
    chosen_proposals,
    p2c_holds,
)
from paxos_notes.messages import Accept, Accepted, Nack, Prepare, Promise, Proposal
from paxos_notes.quorums import Flexible, Majority, acceptor_names

Q = Majority(acceptor_names(3))


def num(r: int, i: int = 0) -> ProposalNumber:
    return ProposalNumber(r, i, 2)


def accepted(a: str, n: ProposalNumber, v: str, to: str = "l1") -> Accepted:
    return Accepted(a, to, n, v)


def history(*messages, proposed=("x", "y")) -> History:
    h = History(Q, proposed)
    for m in messages:
        h.record_sent(m)
    return h


def rules(h: History) -> list[str]:
    return [v.rule for v in h.violations]


def test_requirements_are_the_papers_three() -> None:
    assert REQUIREMENTS == (ONLY_PROPOSED, SINGLE_VALUE, ONLY_CHOSEN_LEARNED)
    assert str(Violation(P1A, "a1 did it")) == "P1a: a1 did it"


# -- "Only a value that has been proposed may be chosen" ------------------------------


def test_choosing_a_value_nobody_proposed_violates_only_proposed() -> None:
    h = history(accepted("a1", num(1), "evil"), accepted("a2", num(1), "evil"))
    assert rules(h) == [ONLY_PROPOSED]
    assert "'evil'" in h.violations[0].detail
    assert not h.safe


def test_choosing_a_proposed_value_is_fine() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"))
    assert h.safe and h.chosen == {Proposal(num(1), "x")}


def test_an_unproposed_value_accepted_by_a_minority_is_not_chosen_so_not_a_violation() -> None:
    h = history(accepted("a1", num(1), "evil"))
    assert h.safe and h.chosen == set()


# -- "Only a single value is chosen" ----------------------------------------------------


def test_two_values_chosen_violates_single_value() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                accepted("a2", num(2), "y"), accepted("a3", num(2), "y"))
    assert rules(h) == [SINGLE_VALUE]
    assert "'x' and 'y'" in h.violations[0].detail
    assert h.chosen_values == {"x", "y"}


def test_two_proposals_with_one_value_chosen_is_fine() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                accepted("a2", num(2), "x"), accepted("a3", num(2), "x"))
    assert h.safe and len(h.chosen) == 2 and h.chosen_values == {"x"}


def test_chosen_is_history_even_if_acceptors_later_accept_something_else() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                accepted("a1", num(2), "y"))
    assert h.chosen == {Proposal(num(1), "x")}  # still chosen; (2, y) has one vote


def test_duplicated_acceptances_count_once() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a1", num(1), "x", to="l2"))
    assert h.chosen == set()


# -- "A process never learns that a value has been chosen unless it actually has been" --


def test_learning_an_unchosen_value_violates_only_chosen_learned() -> None:
    h = history(accepted("a1", num(1), "x"))
    h.record_learned("l1", Proposal(num(1), "x"))
    assert rules(h) == [ONLY_CHOSEN_LEARNED]
    assert "l1 learned 'x'" in h.violations[0].detail


def test_learning_a_chosen_value_is_fine() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a3", num(1), "x"))
    h.record_learned("l1", Proposal(num(1), "x"))
    assert h.safe and h.learned == {"l1": Proposal(num(1), "x")}


def test_a_history_written_by_hand_is_judged_in_the_order_given() -> None:
    x = Proposal(num(1), "x")
    early = History(Q, ("x",)).record(accepted("a1", num(1), "x"), Learned("l1", x),
                                      accepted("a2", num(1), "x"))
    assert rules(early) == [ONLY_CHOSEN_LEARNED]  # l1 spoke before the majority existed
    late = History(Q, ("x",)).record(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                                     Learned("l1", x))
    assert late.safe and late.chosen == {x} and late.learned == {"l1": x}
    assert Learned("l1", x).describe() == "l1 learns 'x'"


def test_a_history_refuses_what_is_neither_a_message_nor_a_learned_value() -> None:
    with pytest.raises(ValueError, match="happenings must be messages or Learned"):
        History(Q, ("x",)).record(("l1", "x"))  # type: ignore[arg-type]


# -- P1a -------------------------------------------------------------------------


def test_accepting_below_an_answered_prepare_violates_p1a() -> None:
    h = history(Promise("a1", "p2", num(5, 1), None), accepted("a1", num(3), "x"))
    assert rules(h) == [P1A]
    assert "a1 accepted" in h.violations[0].detail


def test_accepting_at_or_above_the_answered_prepare_satisfies_p1a() -> None:
    h = history(Promise("a1", "p2", num(5, 1), None), accepted("a1", num(5, 1), "x"),
                accepted("a1", num(6), "x"))
    assert h.safe


def test_accepting_before_answering_a_higher_prepare_satisfies_p1a() -> None:
    h = history(accepted("a1", num(3), "x"), Promise("a1", "p2", num(5, 1), None))
    assert h.safe
    assert h.promised == {"a1": num(5, 1)}


def test_promises_only_raise_the_recorded_promise() -> None:
    h = history(Promise("a1", "p2", num(5, 1), None), Promise("a1", "p1", num(2), None))
    assert h.promised == {"a1": num(5, 1)}


# -- P2c -------------------------------------------------------------------------


def test_issuing_a_different_value_after_a_choice_violates_p2c() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                Accept("p2", "a3", num(2, 1), "y"))
    assert rules(h) == [P2C]
    assert "(5, 'y')" in h.violations[0].detail  # natural number 2*2+1


def test_issuing_the_chosen_value_satisfies_p2c() -> None:
    h = history(accepted("a1", num(1), "x"), accepted("a2", num(1), "x"),
                Accept("p2", "a3", num(2, 1), "x"), Accept("p2", "a2", num(2, 1), "x"))
    assert h.safe
    assert h.issued == {num(2, 1): Proposal(num(2, 1), "x")}


def test_p2c_a_quorum_that_accepted_nothing_below_n_allows_any_value() -> None:
    # only a1 accepted (1, x): S = {a2, a3} accepted nothing, case (a)
    h = history(accepted("a1", num(1), "x"), Accept("p2", "a3", num(2, 1), "y"))
    assert h.safe


def test_issuing_two_proposals_with_one_number_violates_p2c() -> None:
    h = history(Accept("p1", "a1", num(1), "x"), Accept("p2", "a2", num(1), "y"))
    assert rules(h) == [P2C]
    assert "both issued with number" in h.violations[0].detail


def test_p2c_holds_judges_the_highest_numbered_proposal_below_n_per_quorum() -> None:
    acc = [("a1", Proposal(num(1), "x")), ("a2", Proposal(num(2), "y")),
           ("a3", Proposal(num(7), "z"))]  # (7, z) is above n: it plays no part
    n = num(3)
    assert p2c_holds(Proposal(n, "y"), acc, Q)  # S = {a1, a2}: highest below n is (2, y)
    assert p2c_holds(Proposal(n, "x"), acc, Q)  # S = {a1, a3}: only (1, x) is below n
    assert p2c_holds(Proposal(n, "w"), acc[:1], Q)  # S = {a2, a3}: nothing below n
    assert not p2c_holds(Proposal(n, "w"), acc, Q)
    assert not p2c_holds(Proposal(n, "z"), acc, Q)


def test_p2c_ranges_over_phase1_quorums() -> None:
    # phase-1 quorums of 3 out of 4: every S meets both acceptors that accepted
    # (1, x), so no S makes "w" legal; with phase-1 quorums of 2, {a3, a4} would.
    acc = [("a1", Proposal(num(1), "x")), ("a2", Proposal(num(1), "x"))]
    names = acceptor_names(4)
    assert not p2c_holds(Proposal(num(2), "w"), acc, Flexible(names, q1=3, q2=2))
    assert p2c_holds(Proposal(num(2), "w"), acc, Flexible(names, q1=2, q2=3))


def test_chosen_proposals_needs_one_proposal_on_a_phase2_quorum() -> None:
    acc = [("a1", Proposal(num(1), "x")), ("a2", Proposal(num(2), "x")),
           ("a3", Proposal(num(2), "x")), ("a1", Proposal(num(1), "x"))]
    assert chosen_proposals(acc, Q) == {Proposal(num(2), "x")}
    assert chosen_proposals(acc[:2], Q) == set()


def test_messages_that_carry_no_fact_are_ignored() -> None:
    h = history(Prepare("p1", "a1", num(1)), Nack("a1", "p1", num(1), num(2)))
    assert h.safe and h.issued == {} and h.acceptances == set() and h.promised == {}
