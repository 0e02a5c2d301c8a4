"""The variants: each is the paper's agent with one method overridden, and each does
what its docstring says (driven directly, no simulator); the cluster and the traces
name the classes that ran."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from paxos_notes.agents import Acceptor, AcceptorStorage, Learner, NackingAcceptor, Proposer
from paxos_notes.ballots import Allocator, ProposalNumber
from paxos_notes.checker import VARIANTS, Variant, check_agents, replay
from paxos_notes.checker.variants import (
    AGENT_CLASSES,
    MOST_COMMON_VALUE_RUN,
    AcceptRaisesPromiseAcceptor,
    AcceptToAllProposer,
    AmnesiacAcceptor,
    FirstReportedProposer,
    ForgetfulProposer,
    LowestAcceptedProposer,
    MostCommonValueProposer,
    NoPromiseAcceptor,
    OwnValueProposer,
    RepeatedPrepareAcceptor,
    SendBeforePersistAcceptor,
    UntaggedProposer,
    agent_classes,
)
from paxos_notes.cluster import Cluster
from paxos_notes.invariants import SINGLE_VALUE
from paxos_notes.messages import Accept, Accepted, Prepare, Promise, Proposal
from paxos_notes.quorums import Majority, acceptor_names
from paxos_notes.script import drive
from paxos_notes.sim import Simulation
from paxos_notes.trace import Trace

K = 2
A5 = acceptor_names(5)


def num(r: int, i: int = 0) -> ProposalNumber:
    return ProposalNumber(r, i, K)


def proposer(cls: type[Proposer] = Proposer, value: str = "x", n: int = 3) -> Proposer:
    return cls("p1", 0, value, Majority(acceptor_names(n)), Allocator(K))


def acceptor(cls: type[Acceptor] = Acceptor) -> Acceptor:
    return cls("a1", ("l1",))


def feed(agent, *messages):
    out = []
    for m in messages:
        agent, o = agent.receive(m)
        out.extend(o)
    return agent, out


def started(p: Proposer) -> tuple[Proposer, ProposalNumber]:
    p, _ = p.prepare()
    assert p.number is not None
    return p, p.number


def promise(sender: str, n: ProposalNumber, accepted: Proposal | None = None) -> Promise:
    return Promise(sender, "p1", n, accepted)


# == every variant is a subclass with one override ====================================

VARIANT_CLASSES = [c for c in AGENT_CLASSES.values() if c not in (Acceptor, Proposer, Learner)]


@pytest.mark.parametrize("cls", VARIANT_CLASSES, ids=lambda c: c.__name__)
def test_a_variant_class_overrides_exactly_one_method_of_the_papers_agent(cls: type) -> None:
    base = next(b for b in (Acceptor, Proposer) if issubclass(cls, b))
    own = [name for name, v in vars(cls).items() if inspect.isfunction(v)]
    assert len(own) == 1, own
    assert hasattr(base, own[0])  # an override, not a new method
    assert set(cls.__dataclass_fields__) == set(base.__dataclass_fields__)  # no new state
    assert cls.__doc__ and len(inspect.getsource(cls).splitlines()) <= 16


def test_every_variant_runs_on_its_declared_classes() -> None:
    for v in VARIANTS.values():
        c = v.cluster()
        assert (c.acceptor, c.proposer) == (v.acceptor, v.proposer)
        agents = c.build()
        assert {type(a) for a in agents.values()} <= {v.acceptor, v.proposer, Learner}


# == acceptors ==========================================================================


def test_no_promise_acceptor_accepts_below_its_promise() -> None:
    a, _ = acceptor(NoPromiseAcceptor).receive(Prepare("p2", "a1", num(5, 1)))
    a, out = a.receive(Accept("p1", "a1", num(1), "x"))
    assert len(out) == 1 and a.may_accept(num(0))
    paper, _ = acceptor().receive(Prepare("p2", "a1", num(5, 1)))
    assert paper.receive(Accept("p1", "a1", num(1), "x"))[1] == ()


def test_accept_raises_promise_makes_accepting_n_also_promise_n() -> None:
    a, _ = acceptor(AcceptRaisesPromiseAcceptor).receive(Accept("p1", "a1", num(3), "x"))
    assert a.promised == num(3)
    a2, out = a.receive(Accept("p2", "a1", num(2, 1), "y"))
    assert out == () and a2 == a  # refused: promised 3
    paper, _ = acceptor().receive(Accept("p1", "a1", num(3), "x"))
    assert paper.promised is None
    _, out = paper.receive(Accept("p2", "a1", num(2, 1), "y"))
    assert len(out) == 1  # the paper's acceptor may still accept it


def test_accept_raises_promise_never_lowers_a_promise() -> None:
    a, _ = feed(acceptor(AcceptRaisesPromiseAcceptor),
                Prepare("p2", "a1", num(5, 1)), Accept("p2", "a1", num(5, 1), "y"),
                Accept("p1", "a1", num(2), "x"))
    assert a.promised == num(5, 1)


def test_repeated_prepare_acceptor_promises_again_on_an_equal_number() -> None:
    a, _ = acceptor(RepeatedPrepareAcceptor).receive(Prepare("p1", "a1", num(2)))
    a2, out = a.receive(Prepare("p1", "a1", num(2)))
    assert out == (Promise("a1", "p1", num(2), None),) and a2.promised == num(2)
    assert a.receive(Prepare("p1", "a1", num(1, 1)))[1] == ()  # still not below
    # and still not for a proposal it already accepted (the optimization)
    b, _ = feed(acceptor(RepeatedPrepareAcceptor), Prepare("p1", "a1", num(2)),
                Accept("p1", "a1", num(2), "x"))
    assert b.receive(Prepare("p1", "a1", num(2)))[1] == ()
    paper, _ = acceptor().receive(Prepare("p1", "a1", num(2)))
    assert paper.receive(Prepare("p1", "a1", num(2)))[1] == ()  # phase 1(b): "greater than"


def _promised_and_accepted(cls: type[Acceptor]) -> Acceptor:
    a, _ = feed(acceptor(cls), Prepare("p1", "a1", num(1)),
                Accept("p1", "a1", num(1), "x"), Prepare("p2", "a1", num(2, 1)))
    return a


def test_an_amnesiac_acceptor_forgets_everything_on_restart() -> None:
    a = _promised_and_accepted(AmnesiacAcceptor)
    back = a.crash().restart()
    assert back.promised is None and back.accepted is None
    assert back.stable == AcceptorStorage()
    # it now accepts a proposal below the promise it made before crashing
    _, out = back.receive(Accept("p1", "a1", num(0), "z"))
    assert out == (Accepted("a1", "l1", num(0), "z"),)


def test_sending_before_persisting_leaves_state_unsaved_until_persist() -> None:
    a, out = acceptor(SendBeforePersistAcceptor).receive(Prepare("p1", "a1", num(1)))
    assert out == (Promise("a1", "p1", num(1), None),)  # the reply is already out
    assert a.unsaved == AcceptorStorage(promised=num(1))
    assert a.stable == AcceptorStorage()
    assert a.promised == num(1)  # it acts on the newer state
    saved = a.persist()
    assert saved.unsaved is None and saved.stable == AcceptorStorage(promised=num(1))
    assert saved.persist() == saved


def test_crash_before_persist_loses_the_unsaved_promise() -> None:
    a, _ = acceptor(SendBeforePersistAcceptor).receive(Prepare("p2", "a1", num(3, 1)))
    back = a.crash().restart()
    assert back.unsaved is None and back.promised is None
    _, out = back.receive(Accept("p1", "a1", num(1), "x"))
    assert len(out) == 1  # the promise it sent is forgotten: it accepts a lower proposal


def test_the_nacking_acceptor_is_the_papers_acceptor_plus_nacks() -> None:
    a = _promised_and_accepted(NackingAcceptor)
    assert a.stable == _promised_and_accepted(Acceptor).stable


# == proposers ==========================================================================


def test_value_choice_variants_pick_the_named_value() -> None:
    reports = [promise("a1", num(4), Proposal(num(1, 1), "a")),
               promise("a2", num(4), Proposal(num(0), "b")),
               promise("a3", num(4), Proposal(num(2, 1), "c"))]
    expected = {Proposer: "c", LowestAcceptedProposer: "b", FirstReportedProposer: "a",
                OwnValueProposer: "own", MostCommonValueProposer: "c"}
    for cls, value in expected.items():
        q = proposer(cls, value="own", n=5)
        for _ in range(5):
            q, m = started(q)
        assert m == num(4)
        q, out = feed(q, *reports)
        assert q.proposal == Proposal(m, value), cls.__name__
        assert {x.value for x in out} == {value}


def test_most_common_value_outvotes_the_highest_numbered_proposal() -> None:
    # two promises report (0, 'x'), one reports (1, 'y'): the paper takes 'y'
    reports = [promise("a1", num(2), Proposal(num(0), "x")),
               promise("a2", num(2), Proposal(num(0), "x")),
               promise("a3", num(2), Proposal(num(0, 1), "y"))]
    for cls, value in ((Proposer, "y"), (MostCommonValueProposer, "x")):
        q = proposer(cls, n=5)
        for _ in range(3):
            q, m = started(q)
        q, _ = feed(q, *reports)
        assert q.proposal == Proposal(m, value), cls.__name__


def test_most_common_value_breaks_a_tie_like_the_paper() -> None:
    reports = [promise("a1", num(2), Proposal(num(0, 1), "y")),
               promise("a2", num(2), Proposal(num(0), "x"))]
    q = proposer(MostCommonValueProposer)
    for _ in range(3):
        q, _ = started(q)
    q, _ = feed(q, *reports)
    assert q.proposal is not None and q.proposal.value == "y"  # 0·2+1 is above 0


def test_accept_to_all_sends_accepts_to_every_acceptor() -> None:
    p, n = started(proposer(AcceptToAllProposer, n=5))
    p, out = feed(p, promise("a1", n), promise("a2", n), promise("a3", n))
    assert [m.receiver for m in out] == list(A5)
    paper, n = started(proposer(n=5))
    _, out = feed(paper, promise("a1", n), promise("a2", n), promise("a3", n))
    assert [m.receiver for m in out] == ["a1", "a2", "a3"]


def test_a_forgetful_proposer_reuses_its_first_number_after_a_restart() -> None:
    for cls, after in ((Proposer, num(2)), (ForgetfulProposer, num(0))):
        p, _ = started(proposer(cls))
        p, _ = started(p)
        assert p.number == num(1)
        p = p.crash().restart()
        assert started(p)[1] == after, cls.__name__


def test_an_untagged_proposer_counts_a_promise_for_an_older_number() -> None:
    for cls, phase in ((Proposer, "1"), (UntaggedProposer, "2")):
        p, old = started(proposer(cls))
        p, new = started(p)
        p, out = feed(p, promise("a1", old), promise("a2", old))
        assert p.phase == phase, cls.__name__
        if phase == "2":
            assert {m.n for m in out} == {new}  # it asks acceptors to accept the new number


# == the cluster names its classes ======================================================


@pytest.mark.parametrize(("param", "bad"), [("acceptor", Proposer), ("proposer", Acceptor),
                                            ("learner", "Learner"), ("acceptor", None)])
def test_cluster_refuses_a_class_that_cannot_play_the_role(param: str, bad: object) -> None:
    with pytest.raises(ValueError, match=rf"{param} must be \w+ or a subclass of it"):
        Cluster(**{param: bad})


def test_a_trace_records_the_classes_that_ran_and_they_can_be_looked_up_again() -> None:
    cluster = VARIANTS["no-promise"].cluster()
    sim = Simulation(cluster, seed=1)
    meta = Trace.from_json(sim.trace.to_json()).meta
    assert meta["agents"] == {"proposer": "Proposer", "acceptor": "NoPromiseAcceptor",
                              "learner": "Learner"}
    assert Cluster(**agent_classes(meta["agents"])).acceptor is NoPromiseAcceptor


@pytest.mark.parametrize("names", [{"acceptor": "OwnValueProposer"}, {"acceptor": "os.system"},
                                   {"leader": "Proposer"}, ["Acceptor"], {"learner": 3}])
def test_agent_classes_refuses_unknown_or_misplaced_names(names: object) -> None:
    with pytest.raises(ValueError, match=r"agents"):
        agent_classes(names)  # type: ignore[arg-type]


def test_variant_refuses_an_unknown_crashing_role() -> None:
    with pytest.raises(ValueError, match=r"crashing must be one of \('acceptors', 'proposers'\)"):
        Variant("x", "x", True, crashing="learners")
    with pytest.raises(ValueError, match=r"crashing must be one of"):
        check_agents("paper", crashing="learners")


# == the new variants' verdicts =========================================================


def _two_values(name: str):
    r = check_agents(name)
    assert r.complete and not r.safe and r.chosen_values == ("x", "y")
    sim = replay(r.cluster, r.counterexample).sim
    assert sorted(sim.history.chosen_values) == ["x", "y"]
    shorter = replay(r.cluster, r.counterexample[:-1]).sim
    assert len(shorter.history.chosen_values) < 2
    return r


def test_untagged_responses_counts_old_promises_and_two_values_are_chosen() -> None:
    r = _two_values("untagged-responses")
    # the proposer that moved on to a new number gathers promises for its old one
    texts = [s.text for s in r.counterexample]
    assert any("receives promise 0" in t for t in texts)
    assert any("accept 2 " in t for t in texts)


def test_a_forgetful_proposer_reuses_a_number_after_restarting() -> None:
    r = _two_values("forgetful-proposer")
    kinds = [s.action for s in r.counterexample]
    assert "crash" in kinds and "restart" in kinds
    proposals = [s.message for s in r.counterexample
                 if s.action == "deliver" and isinstance(s.message, Accept)]
    # two different proposals with one number: what §2.5's stable storage prevents
    assert any(a.n == b.n and a.value != b.value for a in proposals for b in proposals)


def test_the_papers_proposer_crashing_and_restarting_is_safe_in_the_same_space() -> None:
    paper = check_agents("proposer-crash-restart")
    forgetful = VARIANTS["forgetful-proposer"]
    same = VARIANTS["proposer-crash-restart"]
    assert (same.max_crashes, same.crashing, same.max_ballot, same.learners) == (
        forgetful.max_crashes, forgetful.crashing, forgetful.max_ballot, forgetful.learners)
    assert paper.complete and paper.safe
    # crashes really were explored: more states than without them
    assert paper.distinct_states > check_agents("paper", learners=False).distinct_states


def test_small_quorum_even_chooses_two_values_with_two_disjoint_halves() -> None:
    r = _two_values("small-quorum-even")
    assert r.cluster.acceptors == 4
    assert r.cluster.quorum_system.is_phase2_quorum(["a1", "a2"])


def test_small_quorums_sentences_say_exactly_how_small() -> None:
    assert "⌊n/2⌋" in VARIANTS["small-quorum"].sentence
    assert "1 of 3" in VARIANTS["small-quorum"].sentence
    assert VARIANTS["small-quorum"].cluster().quorum_system.is_phase2_quorum(["a1"])
    assert "2 of 4" in VARIANTS["small-quorum-even"].sentence


def test_most_common_value_is_the_paper_with_three_acceptors() -> None:
    # two promises form a majority of three: one vote each is a tie, and the tie goes to
    # the highest-numbered proposal, so the search sees exactly the paper's states
    mcv = check_agents("most-common-value", acceptors=3, max_ballot=1)
    paper = check_agents("paper", max_ballot=1, learners=False)
    assert mcv.safe and mcv.distinct_states == paper.distinct_states


def test_most_common_value_chooses_two_values_with_five_acceptors() -> None:
    cluster = VARIANTS["most-common-value"].cluster(acceptors=5)
    run = drive(Simulation(cluster, seed=0, manual=True), MOST_COMMON_VALUE_RUN)
    assert run.sim.history.chosen_values == {"x", "y"}
    assert SINGLE_VALUE in {v.rule for v in run.sim.history.violations}
    # not one step can be left out
    short = drive(Simulation(cluster, seed=0, manual=True), MOST_COMMON_VALUE_RUN[:-1])
    assert len(short.sim.history.chosen_values) == 1
    # the paper's proposer, on the same schedule, proposes y again in round 2
    paper = dataclasses.replace(cluster, proposer=Proposer)
    run = drive(Simulation(paper, seed=0, manual=True), MOST_COMMON_VALUE_RUN)
    assert run.sim.history.chosen_values == {"y"} and run.sim.history.safe


def test_unusual_bounds_name_only_what_differs_from_the_usual_search() -> None:
    assert VARIANTS["paper"].unusual_bounds() == ""
    assert VARIANTS["small-quorum-even"].unusual_bounds() == "; 4 acceptors"
    assert VARIANTS["lowest-accepted"].unusual_bounds() == "; numbers 0..2; learners skipped"
