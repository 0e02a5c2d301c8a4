"""A replica as a pure state machine (§3): driven here by hand, no simulator.

The per-instance rules must be the core's: one test replays random prepare and
accept sequences on a server's instance and on a core `Acceptor` and demands
the same storage and the same answers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes import messages as core
from paxos_notes.agents import AcceptorStorage
from paxos_notes.ballots import ProposalNumber
from paxos_notes.messages import Proposal
from paxos_notes.multipaxos.kv import NOOP, Command
from paxos_notes.multipaxos.messages import (
    Accept,
    Accepted,
    Heartbeat,
    Message,
    Nack,
    Prepare,
    Promise,
    Redirect,
    Reply,
    Request,
)
from paxos_notes.multipaxos.server import Server, ServerAcceptor, Setup, Stable, settle

SERVERS = ("s1", "s2", "s3")


def cluster(alpha: int = 3, servers: tuple[str, ...] = SERVERS) -> dict[str, Server]:
    setup = Setup(servers=servers, alpha=alpha)
    return {n: Server(n, setup) for n in servers}


def deliver(servers: dict[str, Server], messages: Iterable[Message],
            drop: Callable[[Message], bool] = lambda m: False) -> list[Message]:
    """Deliver until quiet, in FIFO order; returns every message delivered or
    addressed to a client (those are not servers)."""
    queue = deque(messages)
    seen: list[Message] = []
    while queue:
        m = queue.popleft()
        if drop(m):
            continue
        seen.append(m)
        if m.receiver not in servers:
            continue
        s, out = servers[m.receiver].receive(m)
        s, sent = settle(s, out)
        servers[m.receiver] = s
        seen += [x for x in sent if x.receiver == m.receiver]
        queue.extend(x for x in sent if x.receiver != m.receiver)
    return seen


def act(servers: dict[str, Server], name: str,
        fn: Callable[[Server], tuple[Server, list[Message]]]) -> list[Message]:
    """Run a timer or a campaign on ``name``; return what it sent to others."""
    s, out = fn(servers[name])
    s, sent = settle(s, out)
    servers[name] = s
    return [m for m in sent if m.receiver != name]


def elect(servers: dict[str, Server], name: str = "s1") -> list[Message]:
    return deliver(servers, act(servers, name, Server.campaign))


def request(client: str, rid: int, op: tuple, to: str = "s1") -> Request:
    return Request(client, to, Command(client, rid, op))


def kinds(messages: Iterable[Message]) -> list[str]:
    return [type(m).__name__ for m in messages]


# -- phase 1 once for all instances -----------------------------------------------------


def test_campaign_sends_one_prepare_per_server_for_the_gaps_and_all_above() -> None:
    setup = Setup(servers=SERVERS, alpha=5)
    chosen = {1: NOOP, 2: NOOP, 4: NOOP, 6: NOOP}
    s = Server("s2", setup, stable=Stable(chosen=chosen))
    assert s.executed == 2
    s, out = s.campaign()
    assert [m.receiver for m in out] == list(SERVERS)
    assert {(m.n, m.gaps, m.above) for m in out} == {(s.leadership.number, (3, 5), 7)}
    assert s.role == "candidate" and s.stable.highest_tried == s.leadership.number


def test_a_majority_of_promises_makes_a_leader_and_phase_1_is_not_repeated() -> None:
    servers = cluster()
    elect(servers)
    assert servers["s1"].is_leader and servers["s2"].leader == "s1"
    # Three commands: no prepare or promise, ever again.
    msgs = []
    for i in range(1, 4):
        msgs += deliver(servers, [request("c1", i, ("put", "x", i))])
    assert "Prepare" not in kinds(msgs) and "Promise" not in kinds(msgs)
    assert servers["s1"].log() == [Command("c1", i, ("put", "x", i)).encode() for i in (1, 2, 3)]


def test_steady_state_costs_one_phase_2_round_per_command() -> None:
    servers = cluster()
    elect(servers)
    sent = deliver(servers, [request("c1", 1, ("put", "x", 1))])
    network = [m for m in sent if m.sender != m.receiver]
    # request, accept to each other server, their acceptances, the reply
    assert sorted(kinds(network)) == sorted(
        ["Request", "Accept", "Accept", "Accepted", "Accepted", "Reply"])
    assert isinstance(network[-1], Reply) and network[-1].output == "ok"


def test_promise_reports_the_accepted_proposal_of_each_covered_instance() -> None:
    n1, n2 = ProposalNumber(1, 0, 3), ProposalNumber(2, 1, 3)
    st_ = Stable(instances={
        3: AcceptorStorage(n1, Proposal(n1, "a")),
        5: AcceptorStorage(n1, Proposal(n1, "b")),
        9: AcceptorStorage(n1, Proposal(n1, "c")),
    }, rest=AcceptorStorage(n1))
    s = Server("s2", Setup(), stable=st_)
    s, out = s.receive(Prepare("s1", "s2", n2, (3, 4), 9))
    assert out == (Promise("s2", "s1", n2, (3, 4), 9,
                           ((3, Proposal(n1, "a")), (9, Proposal(n1, "c")))),)
    # every covered instance, and the untouched ones, now promise n2; 5 was not asked
    assert s.stable.rest.promised == n2
    assert s.stable.storage(3).promised == n2 and s.stable.storage(5).promised == n1
    assert s.stable.storage(4) == s.stable.rest  # nothing to remember there but the promise


def test_acceptor_ignores_the_whole_prepare_if_one_instance_refuses() -> None:
    n1, n2, n3 = (ProposalNumber(r, 0, 3) for r in (1, 2, 3))
    st_ = Stable(instances={7: AcceptorStorage(n1, Proposal(n3, "v"))},
                 rest=AcceptorStorage(n1))
    s = Server("s2", Setup(), stable=st_)
    new, out = s.receive(Prepare("s1", "s2", n2, (), 1))
    # the core optimization refuses in instance 7 (it accepted n3 > n2): no promise
    # anywhere, storage untouched, and a hint of the higher number
    assert new.stable == st_
    assert out == (Nack("s2", "s1", n2, n3),)


def test_acceptor_refuses_an_accept_below_its_promise() -> None:
    n1, n2 = ProposalNumber(1, 0, 3), ProposalNumber(2, 1, 3)
    s = Server("s3", Setup(), stable=Stable(rest=AcceptorStorage(n2)))
    new, out = s.receive(Accept("s1", "s3", n1, 4, "v"))
    assert new.stable == s.stable and out == (Nack("s3", "s1", n1, n2),)
    new, out = s.receive(Accept("s2", "s3", n2, 4, "v"))
    assert new.stable.storage(4) == AcceptorStorage(n2, Proposal(n2, "v"))
    assert out == (Accepted("s3", "s2", n2, 4, "v", 1),)


NUMBERS = st.builds(ProposalNumber, st.integers(0, 3), st.integers(0, 2), st.just(3))
STEPS = st.lists(st.one_of(
    st.tuples(st.just("prepare"), NUMBERS),
    st.tuples(st.just("accept"), NUMBERS, st.sampled_from("abc")),
), max_size=12)


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_each_instance_follows_the_core_acceptor_exactly(steps: list) -> None:
    # One instance (2) of a server against a core Acceptor given the same
    # requests: same storage after each step, and a reply exactly when the core
    # acceptor replies. Prepares cover instance 2 (and everything above it).
    server = Server("s2", Setup())
    ref = ServerAcceptor("s2", ("s1",))
    for step in steps:
        if step[0] == "prepare":
            n = step[1]
            server, out = server.receive(Prepare("s1", "s2", n, (), 2))
            ref, ref_out = ref.on_prepare(core.Prepare("s1", "s2", n))
            promised = [m for m in out if isinstance(m, Promise)]
            assert bool(promised) == any(isinstance(m, core.Promise) for m in ref_out)
            if promised:
                assert promised[0].reported(2) == ref.accepted
        else:
            _, n, v = step
            server, out = server.receive(Accept("s1", "s2", n, 2, v))
            ref, ref_out = ref.on_accept(core.Accept("s1", "s2", n, v))
            assert any(isinstance(m, Accepted) for m in out) == \
                any(isinstance(m, core.Accepted) for m in ref_out)
        assert server.stable.storage(2) == ref.stable


# -- phase 2, the window, gaps --------------------------------------------------------------


def test_the_window_alpha_caps_outstanding_proposals() -> None:
    servers = cluster(alpha=2)
    elect(servers)
    reqs = [request(f"c{i}", 1, ("put", "x", i)) for i in range(1, 6)]
    # Deliver the requests, but hold every accept to the others: nothing gets chosen.
    held: list[Message] = []

    def hold(m: Message) -> bool:
        if isinstance(m, Accept) and m.receiver != "s1":
            held.append(m)
            return True
        return False

    deliver(servers, reqs, drop=hold)
    lead = servers["s1"].leadership
    assert sorted(lead.proposals) == [1, 2] and len(lead.queue) == 3
    assert {m.instance for m in held} == {1, 2}
    # Instance 1 gets chosen and executed: the window moves by one, to 2..3.
    release = [m for m in held if m.instance == 1]
    deliver(servers, release, drop=lambda m: m not in release and hold(m))
    assert servers["s1"].executed == 1
    assert sorted(servers["s1"].leadership.proposals) == [2, 3]
    assert len(servers["s1"].leadership.queue) == 2


def test_gaps_found_at_a_leader_change_are_filled_with_no_ops() -> None:
    servers = cluster(alpha=4)
    elect(servers, "s1")
    # s1 proposes 1..3; only instance 3 reaches the others, which accept it.
    reqs = [request(f"c{i}", 1, ("put", f"k{i}", i)) for i in range(1, 4)]
    deliver(servers, reqs,
            drop=lambda m: isinstance(m, Accept) and m.receiver != "s1" and m.instance != 3)
    servers["s1"] = servers["s1"].crash()
    sent = deliver(servers, act(servers, "s2", Server.campaign),
                   drop=lambda m: m.receiver == "s1")
    lead = servers["s2"].leadership
    assert lead.elected and lead.constrained == (3,) and lead.noops == (1, 2)
    accepts = {m.instance: m.value for m in sent if isinstance(m, Accept)}
    assert accepts[1] == accepts[2] == NOOP
    assert accepts[3] == Command("c3", 1, ("put", "k3", 3)).encode()
    assert servers["s2"].log() == [NOOP, NOOP, accepts[3]]


# -- leaders, followers, clients ---------------------------------------------------------------


def test_a_follower_redirects_clients_to_the_leader() -> None:
    servers = cluster()
    elect(servers)
    _, out = servers["s2"].receive(request("c1", 1, ("get", "x"), to="s2"))
    assert out == (Redirect("s2", "c1", 1, "s1"),)


def test_a_retry_of_an_executed_request_is_answered_from_the_session() -> None:
    servers = cluster()
    elect(servers)
    deliver(servers, [request("c1", 1, ("put", "x", 1))])
    before = servers["s1"]
    s, out = before.receive(request("c1", 1, ("put", "x", 1)))
    assert out == (Reply("s1", "c1", 1, "ok"),)
    assert s.leadership.proposals == {} and s.leadership.next_instance == 2


def test_election_timeout_campaigns_only_when_no_leader_was_heard() -> None:
    servers = cluster()
    elect(servers)
    assert act(servers, "s1", Server.election_timeout) == []  # the leader
    assert servers["s2"].heard
    assert act(servers, "s2", Server.election_timeout) == []  # heard s1: clear, wait
    assert not servers["s2"].heard and servers["s2"].role == "follower"
    out = act(servers, "s2", Server.election_timeout)  # heard nothing since
    assert kinds(out) == ["Prepare", "Prepare"] and servers["s2"].role == "candidate"
    assert out[0].n > servers["s1"].leadership.number


def test_a_leader_steps_down_when_a_higher_number_overtakes_it() -> None:
    servers = cluster()
    elect(servers, "s1")
    deliver(servers, act(servers, "s3", Server.campaign), drop=lambda m: m.receiver == "s1")
    assert servers["s3"].is_leader and servers["s1"].is_leader  # s1 has not heard yet
    # s1's next heartbeat meets s2's higher promise: a nack, and s1 steps down.
    for _ in range(2):
        sent = deliver(servers, act(servers, "s1", Server.tick),
                       drop=lambda m: m.receiver == "s3" or (isinstance(m, Heartbeat)
                                                              and m.sender == "s3"))
    assert "Nack" in kinds(sent)
    assert servers["s1"].role == "follower" and servers["s1"].highest_seen is not None


def test_heartbeats_carry_chosen_commands_to_followers() -> None:
    servers = cluster()
    elect(servers)
    deliver(servers, [request("c1", 1, ("put", "x", 1))])
    assert servers["s2"].executed == 0  # learned with the leader's next message
    for _ in range(2):
        deliver(servers, act(servers, "s1", Server.tick))
    assert servers["s2"].executed == servers["s3"].executed == 1
    assert servers["s2"].sm.data == {"x": 1}


def test_a_crash_keeps_stable_storage_and_restart_replays_the_log() -> None:
    servers = cluster()
    elect(servers)
    for i in (1, 2):
        deliver(servers, [request("c1", i, ("put", "x", i))])
    s1 = servers["s1"]
    down = s1.crash()
    assert not down.up and down.leadership is None and down.executed == 0
    assert down.stable == s1.stable
    assert down.receive(request("c1", 3, ("get", "x"))) == (down, ())
    up = down.restart()
    assert up.executed == 2 and up.sm.data == {"x": 2} and up.role == "follower"


def test_a_server_reconfigured_away_stops_leading() -> None:
    setup = Setup(servers=("s1", "s2", "s3", "s4"), alpha=1)
    servers = {n: Server(n, setup) for n in setup.servers}
    elect(servers, "s4")
    deliver(servers, [request("admin", 1, ("reconfig", ("s1", "s2", "s3")), to="s4")])
    assert servers["s4"].sm.latest_config == ("s1", "s2", "s3")
    assert servers["s4"].role == "follower"
    assert act(servers, "s4", Server.election_timeout) == []
    assert act(servers, "s4", Server.election_timeout) == []  # not a member: never runs


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"alpha": 0}, r"alpha must be an integer in 1\.\.1000, got 0"),
    ({"alpha": 1.5}, r"alpha must be an integer in 1\.\.1000"),
    ({"batch": 0}, r"batch must be an integer in 1\.\.1000"),
    ({"servers": ()}, r"servers must name 1\.\.16 servers, got 0"),
    ({"servers": ("a", "a")}, r"servers must be distinct"),
    ({"initial": ("s9",)}, r"initial must be distinct names among servers"),
])
def test_invalid_setup_names_the_parameter_and_range(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Setup(**kwargs)


def test_unknown_server_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"server must be one of \('s1', 's2', 's3'\)"):
        Server("s9", Setup())
    assert replace(Server("s1", Setup()), heard=True).heard
