"""P2c one set S at a time (`reports`, `highest_reported`, `p2c_clause`, `p2c_witness`),
checked against the acceptors' own phase 1(b): what a real `Acceptor` answers."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor
from paxos_notes.ballots import ProposalNumber
from paxos_notes.invariants import (
    History,
    highest_reported,
    p2c_clause,
    p2c_holds,
    p2c_witness,
    reports,
)
from paxos_notes.messages import Accept, Accepted, Prepare, Promise, Proposal
from paxos_notes.quorums import Majority, acceptor_names

NAMES = acceptor_names(5)
MAJORITY = Majority(NAMES)


def num(b: int) -> ProposalNumber:
    return ProposalNumber(b, 0, 1)


# One value per ballot: a proposal number names one proposal (§2.5's disjoint numbers).
acceptance_lists = st.tuples(
    st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, 5)), max_size=12),
    st.lists(st.sampled_from("xyz"), min_size=6, max_size=6))


def as_acceptances(raw: tuple[list[tuple[str, int]], list[str]]) -> list[tuple[str, Proposal]]:
    who, values = raw
    return [(a, Proposal(num(b), values[b])) for a, b in who]


def promise_of(name: str, acceptances: list[tuple[str, Proposal]],
               n: ProposalNumber) -> Promise | None:
    """What acceptor ``name`` itself answers to prepare n after accepting its share of
    the proposals numbered below n (in the order given): the agents' phase 1(b)."""
    acceptor = Acceptor(name)
    for a, p in acceptances:
        if a == name and p.number < n:
            acceptor, _ = acceptor.on_accept(Accept("p1", name, p.number, p.value))
    _, out = acceptor.on_prepare(Prepare("p1", name, n))
    assert len(out) == 1 and isinstance(out[0], Promise)
    return out[0]


@settings(max_examples=150, deadline=None)
@given(acceptance_lists, st.integers(1, 6))
def test_reports_are_what_each_acceptors_promise_reports(raw: tuple, b: int) -> None:
    acc = as_acceptances(raw)
    n = num(b)
    got = reports(acc, n)
    for name in NAMES:
        assert got.get(name) == promise_of(name, acc, n).accepted, name


@settings(max_examples=150, deadline=None)
@given(acceptance_lists, st.integers(1, 6), st.sampled_from("xyz"))
def test_p2c_per_set_and_over_majorities_agrees_with_the_promises(raw: tuple, b: int,
                                                                   v: str) -> None:
    acc = as_acceptances(raw)
    proposal = Proposal(num(b), v)
    holding = []
    for s in (c for k in range(3, 6) for c in combinations(NAMES, k)):
        # The paper's words, on the promises real acceptors send: (a) none of S
        # reports a proposal; (b) v is the value of the highest one reported.
        promised = [p.accepted for p in (promise_of(a, acc, proposal.number) for a in s)
                    if p is not None and p.accepted is not None]
        expected = "a" if not promised else ("b" if max(promised).value == v else "")
        assert p2c_clause(proposal, acc, s) == expected, s
        if expected:
            holding.append(frozenset(s))
    witness = p2c_witness(proposal, acc, MAJORITY)
    assert p2c_holds(proposal, acc, MAJORITY) == bool(holding) == (witness is not None)
    if witness is not None:
        assert witness in holding and len(witness) == 3  # a smallest one


def test_highest_reported_names_every_member_that_reported_it() -> None:
    acc = [("a1", Proposal(num(1), "x")), ("a3", Proposal(num(3), "y")),
           ("a5", Proposal(num(3), "y")), ("a4", Proposal(num(4), "z"))]
    top, who = highest_reported(reports(acc, num(4)), ("a5", "a1", "a3"))
    assert top == Proposal(num(3), "y") and who == ("a5", "a3")  # (4, z) is not below 4
    assert highest_reported(reports(acc, num(4)), ("a2",)) == (None, ())
    assert p2c_clause(Proposal(num(4), "q"), acc, ("a2",)) == "a"
    assert p2c_clause(Proposal(num(4), "x"), acc, ("a1", "a3")) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, 4), st.sampled_from("vw")),
                max_size=8),
       st.integers(0, 4), st.sampled_from("vw"))
def test_the_monitors_shortcut_agrees_with_p2c_holds(
        accepted: list[tuple[str, int, str]], n: int, v: str) -> None:
    # History checks P2c on every proposal issued, with a shortcut when every
    # proposal accepted below n has v; it must say what p2c_holds says.
    acceptances = {(a, Proposal(num(b), x)) for a, b, x in accepted}
    history = History(MAJORITY, ())
    for a, p in sorted(acceptances):
        history.record_sent(Accepted(a, "l1", p.number, p.value))
    assert history.acceptances == acceptances
    proposal = Proposal(num(n), v)
    assert history._p2c_holds(proposal) == p2c_holds(proposal, acceptances, MAJORITY)
