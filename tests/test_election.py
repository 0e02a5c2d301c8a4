"""The election rule of §2.4 (paxos_notes.election), shared by the single-decree
agents and the multi-Paxos servers."""

from __future__ import annotations

import random
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor, AcceptorStorage, Proposer
from paxos_notes.ballots import Allocator, ProposalNumber
from paxos_notes.election import DECISIONS, Timeouts, hears_leader, leads, on_election_timeout
from paxos_notes.messages import Accept, Prepare, Promise
from paxos_notes.multipaxos import server as mp
from paxos_notes.multipaxos.server import Server, Setup
from paxos_notes.quorums import Majority, acceptor_names


def n(natural: int) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, 2)


def acceptor(promised: int | None = None) -> Acceptor:
    return Acceptor("a1", ("l1",), stable=AcceptorStorage(None if promised is None
                                                          else n(promised)))


def proposer(phase: str = "idle", number: int | None = None) -> Proposer:
    return Proposer("p1", 0, "x", Majority(acceptor_names(3)), Allocator(2), phase=phase,
                    number=None if number is None else n(number))


# -- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(("leading", "heard", "expected"), [
    (True, True, "lead"), (True, False, "lead"),
    (False, True, "wait"), (False, False, "campaign"),
])
def test_only_a_process_that_heard_no_leader_for_a_whole_timeout_campaigns(
        leading: bool, heard: bool, expected: str) -> None:
    assert on_election_timeout(leading, heard) == expected


def test_every_decision_is_reachable() -> None:
    assert {on_election_timeout(a, b) for a, b in product((True, False), repeat=2)} == \
        set(DECISIONS)


def test_multipaxos_servers_decide_with_the_same_function(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that heard nothing campaigns (sends prepares) ...
    s = Server("s1", Setup())
    _, out = s.election_timeout()
    assert out and all(type(m).__name__ == "Prepare" for m in out)
    # ... unless the shared rule says otherwise: the server asks it, not a copy.
    monkeypatch.setattr(mp, "on_election_timeout", lambda leading, heard: "wait")
    new, out = Server("s1", Setup()).election_timeout()
    assert out == [] and new.leadership is None


# -- hearing a leader ------------------------------------------------------------------


def test_a_prepare_the_acceptor_will_promise_is_a_leader_speaking() -> None:
    assert hears_leader(acceptor(), Prepare("p2", "a1", n(1)), "p1")


def test_a_prepare_below_the_promise_says_nothing_about_who_leads() -> None:
    assert not hears_leader(acceptor(promised=3), Prepare("p2", "a1", n(1)), "p1")


def test_an_accept_it_may_accept_is_heard_and_one_it_refuses_is_not() -> None:
    assert hears_leader(acceptor(promised=3), Accept("p2", "a1", n(3), "y"), "p1")
    assert not hears_leader(acceptor(promised=3), Accept("p2", "a1", n(1), "y"), "p1")


def test_a_process_does_not_hear_itself_nor_answers_nor_a_stopped_acceptor() -> None:
    assert not hears_leader(acceptor(), Prepare("p1", "a1", n(0)), "p1")
    assert not hears_leader(acceptor(), Promise("a2", "a1", n(0), None), "p1")
    assert not hears_leader(acceptor().crash(), Prepare("p2", "a1", n(1)), "p1")
    assert not hears_leader(acceptor(), Prepare("p2", "a2", n(1)), "p1")


# -- believing one leads ---------------------------------------------------------------


def test_a_proposer_leads_once_phase_1_is_done_until_its_acceptor_promises_higher() -> None:
    assert leads(proposer("2", 2), acceptor(promised=2))
    assert leads(proposer("2", 2), acceptor())
    assert not leads(proposer("2", 2), acceptor(promised=3))
    assert not leads(proposer("1", 2), acceptor(promised=2))
    assert not leads(proposer(), acceptor())


# -- timers ----------------------------------------------------------------------------


@given(st.floats(0.01, 100), st.floats(0, 100), st.integers(0, 2**32))
def test_a_timer_fires_between_base_and_base_plus_spread(base: float, spread: float,
                                                         seed: int) -> None:
    t = Timeouts(base, spread).draw(random.Random(seed))
    assert base <= t <= base + spread


def test_without_spread_every_timer_is_the_same() -> None:
    rng = random.Random(1)
    assert {Timeouts(4.0, 0.0).draw(rng) for _ in range(20)} == {4.0}


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"base": 0}, "base"), ({"base": -1}, "base"), ({"spread": -0.5}, "spread"),
    ({"base": float("inf")}, "base"), ({"spread": float("nan")}, "spread"),
    ({"base": True}, "base"), ({"spread": "2"}, "spread"),
])
def test_bad_timeouts_are_refused_naming_the_parameter(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Timeouts(**kwargs)
