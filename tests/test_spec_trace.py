"""Trace validation: runs of the agents checked step by step against Lamport's Paxos.tla.

The expected departures of the broken variants below were worked out from each
variant's stored counterexample (its numbered steps) and the spec's actions,
and then checked against the validator — see the comment on each case.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.agents import Acceptor, AcceptorStorage, replace
from paxos_notes.ballots import ProposalNumber
from paxos_notes.checker.lamport_spec import NO_BALLOT
from paxos_notes.checker.spec_trace import (
    Scope,
    spec_record,
    spec_vars,
    validate,
    validate_stored,
)
from paxos_notes.checker.stored import stored
from paxos_notes.checker.variants import MOST_COMMON_VALUE_RUN, VARIANTS
from paxos_notes.cli import main
from paxos_notes.cli.fuzz import fuzz_run
from paxos_notes.cluster import Cluster
from paxos_notes.messages import Accept, Accepted, Chosen, Nack, Prepare, Promise, Proposal
from paxos_notes.script import drive, replay
from paxos_notes.sim import Network, Simulation
from paxos_notes.trace import Event, Trace

SCOPE = Scope(("a1", "a2", "a3"), ("x", "y"))


def n(natural: int, proposers: int = 2) -> ProposalNumber:
    return ProposalNumber.from_natural(natural, proposers)


# -- the mapping -------------------------------------------------------------------


def test_empty_storage_maps_to_the_specs_minus_one_and_none():
    assert spec_vars(None, None, SCOPE) == (NO_BALLOT, NO_BALLOT, None) == (-1, -1, None)


def test_max_bal_is_the_higher_of_promise_and_accepted_number():
    # the paper's acceptor leaves its promise when it accepts; the spec's maxBal rises
    assert spec_vars(n(1), Proposal(n(3), "y"), SCOPE) == (3, 3, 1)
    assert spec_vars(n(4), Proposal(n(3), "y"), SCOPE) == (4, 3, 1)
    assert spec_vars(None, Proposal(n(2), "x"), SCOPE) == (2, 2, 0)
    assert spec_vars(n(5), None, SCOPE) == (5, -1, None)


def test_messages_map_to_the_specs_records():
    assert spec_record(Prepare("p1", "a2", n(2)), SCOPE) == ("1a", 2)
    assert spec_record(Promise("a2", "p1", n(2), None), SCOPE) == ("1b", 1, 2, -1, None)
    assert spec_record(Promise("a3", "p1", n(3), Proposal(n(1), "y")), SCOPE) \
        == ("1b", 2, 3, 1, 1)
    assert spec_record(Accept("p1", "a1", n(3), "y"), SCOPE) == ("2a", 3, 1)
    assert spec_record(Accepted("a1", "l1", n(3), "y"), SCOPE) == ("2b", 0, 3, 1)


def test_nacks_and_chosen_messages_are_not_in_the_spec():
    assert spec_record(Nack("a1", "p1", n(1), n(2)), SCOPE) is None
    assert spec_record(Chosen("l1", "l2", n(1), "x"), SCOPE) is None


@given(st.tuples(st.integers(0, 50), st.integers(0, 3)),
       st.tuples(st.integers(0, 50), st.integers(0, 3)))
def test_ballot_relabelling_is_injective_and_keeps_order(p, q):
    a, b = ProposalNumber(*p, proposers=4), ProposalNumber(*q, proposers=4)
    assert (a < b) == (a.natural < b.natural)
    assert (a == b) == (a.natural == b.natural)
    assert a.natural >= 0 > NO_BALLOT


def test_scope_rejects_bad_constants():
    with pytest.raises(ValueError, match="acceptors"):
        Scope((), ("x",))
    with pytest.raises(ValueError, match="values"):
        Scope(("a1",), ("x", "x"))


def test_validate_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="run must be"):
        validate([])  # type: ignore[arg-type]
    sim = Simulation(Cluster(), seed=1, record=False)
    with pytest.raises(ValueError, match="record=True"):
        validate(sim)


# -- a run of the paper's agents, step by step ----------------------------------------

PAPER_RUN = [
    ("propose", "p1"),
    ("deliver", "p1", "a1", "Prepare"),
    ("deliver", "p1", "a2", "Prepare"),
    ("deliver", "a1", "p1", "Promise"),
    ("deliver", "a2", "p1", "Promise"),
    ("deliver", "p1", "a1", "Accept"),
    ("deliver", "a1", "l1", "Accepted"),
    ("crash", "a1"),
    ("restart", "a1"),
]


def test_each_step_of_a_paper_run_is_the_expected_action():
    sim = Simulation(Cluster(acceptors=3, proposers=2), seed=0, manual=True)
    run = drive(sim, PAPER_RUN)
    v = validate(run)
    assert v.valid and v.steps == 9
    # propose sends 1a(0); each promise is a Phase1b; p1's second promise
    # completes a majority, so p1 sends 2a(0, 'x'); a1 votes; the learner, the
    # crash and the restart (stable storage) change no variable of the spec.
    assert [r.action for r in v.rows] == [
        "Phase1a(0)", "Phase1b(a1)", "Phase1b(a2)", "stutter", "Phase2a(0, 'x')",
        "Phase2b(a1)", "stutter", "stutter", "stutter"]
    last = v.rows[-1]
    assert last.max_bal == (0, 0, -1) and last.max_vbal == (0, -1, -1)
    assert last.max_val == ("'x'", "None", "None")
    table = v.table()
    assert table[4]["new message"] == '[type |-> "2a", bal |-> 0, val |-> \'x\']'
    assert set(table[0]) == {"step", "event", "spec action", "maxBal", "maxVBal", "maxVal",
                             "new message"}


def test_a_live_simulation_and_its_saved_trace_get_the_same_verdict():
    sim = Simulation(Cluster(acceptors=5, proposers=3), seed=4,
                     network=Network(loss=0.2, duplication=0.2, crash_rate=0.05))
    sim.run(until=500)
    live = validate(sim)
    loaded = validate(Trace.from_json(sim.trace.to_json()))
    assert live.valid and loaded.valid
    assert live.steps == loaded.steps > 100
    assert live.rows == loaded.rows


def test_a_storage_change_the_trace_does_not_show_is_caught():
    sim = Simulation(Cluster(acceptors=3, proposers=1), seed=2)
    sim.run(until=100)
    assert validate(sim, rows=False).valid
    a1 = sim.agents["a1"]
    assert isinstance(a1, Acceptor)
    sim.agents["a1"] = replace(a1, stable=AcceptorStorage(promised=n(9, 1)))
    v = validate(sim, rows=False)
    assert not v.valid and v.departure is not None
    assert v.departure.action == "stutter" and "no event recorded" in v.departure.detail


# -- every broken variant's counterexample leaves the spec ------------------------------

# (variant, step, action, the spec's failing conjunct) — from reading the steps:
BROKEN = [
    # a1 promised 1 at step 5; at step 11 it accepts proposal 0 anyway
    ("no-promise", 11, "Phase2b", "m.bal >= maxBal[a]"),
    # step 12: p2's majority {a3, a1} reports (0, 'x'), and p2 proposes its own 'y'
    ("ignore-accepted", 12, "Phase2a", "Q1bv = {}"),
    # step 18: promises for 2 report (0, 'x') and (1, 'y'); p1 takes the lowest, 'x'
    ("lowest-accepted", 18, "Phase2a", "Q1bv = {}"),
    # same run: the first report to arrive (step 17) is (0, 'x')
    ("any-accepted", 18, "Phase2a", "Q1bv = {}"),
    # step 5: one promise (a1) is a "quorum" of 1, not a majority of 3
    ("small-quorum", 5, "Phase2a", "\\E Q \\in Quorum"),
    # step 8: a1 and a2 are half of 4 acceptors; a majority is 3
    ("small-quorum-even", 8, "Phase2a", "\\E Q \\in Quorum"),
    # p1 sends 2a(0, 'x') at step 8; p2, with the same number 0, sends 'y' at step 10
    ("shared-numbers", 10, "Phase2a", '~ \\E m \\in msgs : m.type = "2a"'),
    # a1 promised 1 at step 5, crashed at 6; at 7 it restarts with nothing
    ("amnesia", 7, "stutter", "UNCHANGED"),
    # a1's promise of 1 (step 5) was sent but not written; the crash at 6 loses it
    ("send-before-persist", 6, "stutter", "UNCHANGED"),
    # p2 sent 2a(1, 'y') at step 10; restarted without its highest number, it uses
    # 1 again, and a2's report of (0, 'x') (step 19) makes it send 2a(1, 'x')
    ("forgetful-proposer", 19, "Phase2a", '~ \\E m \\in msgs : m.type = "2a"'),
    # p1 prepared 0 and then 2; at step 9 it counts two promises for 0 toward 2
    ("untagged-responses", 9, "Phase2a", "\\E Q \\in Quorum"),
]


@pytest.mark.parametrize(("name", "step", "action", "condition"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_broken_variant_leaves_the_spec_at_the_named_step(name, step, action, condition):
    run = replay(VARIANTS[name].cluster(), stored(name).steps)
    v = validate(run)
    assert validate_stored(name) == v
    d = v.departure
    assert d is not None, v.verdict()
    assert (d.step, d.action) == (step, action), str(d)
    assert condition in d.condition, str(d)
    assert d.enabling  # in each of these, an enabling condition fails (not a result)
    assert v.steps == step  # the steps before it were all steps of the spec
    assert all(r.ok for r in v.rows[:-1]) and not v.rows[-1].ok
    assert str(d).startswith(f"step {step}: ")


def test_every_broken_variant_is_covered_or_explained():
    broken = {name for name, var in VARIANTS.items() if not var.expect_safe}
    explained = {"flexible-unsafe"}  # see the next test
    assert broken == {b[0] for b in BROKEN} | explained


def test_flexible_unsafe_runs_inside_the_spec_its_learners_count_wrong():
    # Phase 1 quorums of 2 of 3 are majorities, so every step is a step of
    # Paxos.tla; what breaks is the variant's phase-2 quorum of one acceptor,
    # with which its learners call a single vote "chosen". The spec's chosen
    # needs a quorum (a majority) of 2b messages: here no ballot has one.
    run = replay(VARIANTS["flexible-unsafe"].cluster(), stored("flexible-unsafe").steps)
    assert not run.history.safe
    v = validate(run)
    assert v.valid and v.steps == len(stored("flexible-unsafe").steps)
    votes = [r.max_vbal for r in v.rows][-1]
    assert sorted(votes) == [-1, 0, 1]  # a2 voted in ballot 0, a1 in 1: one vote each


def test_most_common_value_with_five_acceptors_leaves_at_the_vote():
    # steps 20-26: p1 prepares 2; a1 and a2 report (0, 'x'), a3 (1, 'y'); the
    # third promise (step 26) completes the majority and the vote picks 'x'
    sim = Simulation(VARIANTS["most-common-value"].cluster(acceptors=5), seed=0, manual=True)
    v = validate(drive(sim, MOST_COMMON_VALUE_RUN))
    d = v.departure
    assert d is not None and (d.step, d.action) == (26, "Phase2a")
    assert "Q1bv = {}" in d.condition and "'x'" in d.what


def test_phase2_other_majority_is_safe_but_not_always_a_behaviour_of_the_spec():
    # Accept requests go to every acceptor: a3 accepts (1, 'y') without having
    # promised, then (0, 'x'). P1a allows the second (a3 never answered a
    # prepare above 0); the spec does not, since its maxBal rises with a vote.
    sim = Simulation(VARIANTS["phase2-other-majority"].cluster(), seed=0, manual=True)
    run = drive(sim, [
        ("propose", "p1"), ("deliver", "p1", "a1", "Prepare"), ("deliver", "p1", "a2", "Prepare"),
        ("deliver", "a1", "p1", "Promise"), ("deliver", "a2", "p1", "Promise"),
        ("propose", "p2"), ("deliver", "p2", "a1", "Prepare"), ("deliver", "p2", "a2", "Prepare"),
        ("deliver", "a1", "p2", "Promise"), ("deliver", "a2", "p2", "Promise"),
        ("deliver", "p2", "a3", "Accept"), ("deliver", "p1", "a3", "Accept"),
    ])
    assert run.history.safe
    d = validate(run).departure
    assert d is not None and (d.step, d.action) == (12, "Phase2b")
    assert d.condition == "m.bal >= maxBal[a]" and "0 >= 1" in d.detail


# -- safe variants: their random runs are behaviours of the spec --------------------------

SAFE_INSIDE = ["paper", "crash-restart", "proposer-crash-restart", "repeated-prepare", "nacks",
               "accept-raises-promise", "shared-numbers-strict", "flexible-safe",
               "most-common-value"]


def _random_run(name: str, seed: int) -> Simulation:
    r = random.Random(seed)
    net = Network(loss=r.uniform(0, 0.4), duplication=r.uniform(0, 0.3),
                  delay=(0.1, r.uniform(0.2, 6.0)), crash_rate=r.choice([0.0, 0.05]),
                  faults_until=150.0)
    cluster = VARIANTS[name].cluster(acceptors=3, proposers=r.randint(1, 2))
    return Simulation(cluster, seed=seed, network=net).run(until=400)


@pytest.mark.parametrize("name", SAFE_INSIDE)
def test_safe_variant_random_runs_are_behaviours_of_the_spec(name):
    for seed in range(25):
        sim = _random_run(name, seed)
        v = validate(sim, rows=False)
        assert v.valid, f"seed {seed}: {v.departure}"
        assert v.steps > 0


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fuzz_runs_of_the_papers_agents_are_always_spec_valid(run_seed):
    sim, _ = fuzz_run(run_seed)
    v = validate(sim, rows=False)
    assert v.valid, f"run seed {run_seed}: {v.departure}"


# -- the command line ---------------------------------------------------------------------


def test_fuzz_reports_spec_valid_runs(capsys):
    assert main(["fuzz", "--runs", "20", "--seed", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spec_valid_runs"] == 20 and data["spec_departures"] == []
    assert main(["fuzz", "--runs", "5", "--seed", "3", "--quiet"]) == 0
    assert "spec-valid runs: 5 of 5" in capsys.readouterr().out


def test_fuzz_replay_prints_the_spec_verdict(capsys):
    assert main(["fuzz", "--seed", "1", "--replay", "5"]) == 0
    assert "Paxos.tla:  spec-valid: all " in capsys.readouterr().out
    assert main(["fuzz", "--seed", "1", "--replay", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spec_valid"] is True and data["spec_departure"] is None


def test_fuzz_fails_a_run_that_leaves_the_spec(capsys, monkeypatch):
    def broken_run(run_seed):
        cluster = VARIANTS["phase2-other-majority"].cluster()
        sim = Simulation(cluster, seed=0, manual=True)
        drive(sim, [("propose", "p1"), ("deliver", "p1", "a1", "Prepare"),
                    ("deliver", "p1", "a2", "Prepare"), ("deliver", "a1", "p1", "Promise"),
                    ("deliver", "a2", "p1", "Promise"), ("propose", "p2"),
                    ("deliver", "p2", "a1", "Prepare"), ("deliver", "p2", "a2", "Prepare"),
                    ("deliver", "a1", "p2", "Promise"), ("deliver", "a2", "p2", "Promise"),
                    ("deliver", "p2", "a3", "Accept"), ("deliver", "p1", "a3", "Accept")])
        return sim, {}

    monkeypatch.setattr("paxos_notes.cli.fuzz.fuzz_run", broken_run)
    assert main(["fuzz", "--runs", "2", "--seed", "1", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["spec_valid_runs"] == 0 and len(data["spec_departures"]) == 2
    assert "is not a Phase2b step" in data["spec_departures"][0]["departure"]


def test_simulate_validate_prints_the_verdict(capsys):
    argv = ["simulate", "--seed", "7", "--loss", "0.2", "--dup", "0.1", "--crash-rate", "0.05",
            "--validate"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Paxos.tla:  every step (" in out
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spec_valid"] is True and data["spec_departure"] is None


def test_simulate_validate_exits_1_at_a_step_outside_the_spec(capsys, monkeypatch):
    # no-promise acceptors, seed 1: a2 accepts ballot 0 after promising 1
    monkeypatch.setattr("paxos_notes.cli.simulate.Cluster",
                        lambda **k: VARIANTS["no-promise"].cluster(acceptors=5, proposers=2))
    argv = ["simulate", "--seed", "1", "--loss", "0.2", "--dup", "0.1", "--validate"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "LEAVES THE SPEC at step " in out and "is not a Phase2b step" in out


# -- hand-written traces: departures no variant makes -------------------------------------


def _trace(*steps: list[Event]) -> Trace:
    t = Trace(meta={"acceptors": ["a1", "a2", "a3"], "values": ["x", "y"]})
    for number, events in enumerate(steps, 1):
        for e in events:
            t.append(e._replace(step=number))
    return t


def _send(m) -> Event:
    return Event(0, 0.0, "send", m.sender, m)


def _promise(a: str, number: ProposalNumber, accepted=None, promised=None) -> list[Event]:
    m = Promise(a, "p1", number, accepted)
    state = {"promised": promised or number, "accepted": accepted}
    return [Event(0, 0.0, "promise", a, state=state), _send(m)]


def test_a_promise_not_above_max_bal_is_not_a_phase1b_step():
    t = _trace([_send(Prepare("p1", "a1", n(1)))], [_send(Prepare("p1", "a1", n(0)))],
               _promise("a1", n(1)), _promise("a1", n(0), promised=n(1)))
    d = validate(t).departure
    assert d is not None and (d.step, d.action) == (4, "Phase1b")
    assert d.condition == "m.bal > maxBal[a]" and d.detail == "0 > 1 is false"
    assert d.what == "a1's promise (1b, bal 0, mbal -1, mval None)"


def test_a_promise_for_an_unsent_prepare_is_not_a_phase1b_step():
    d = validate(_trace(_promise("a2", n(3)))).departure
    assert d is not None and d.condition.startswith('\\E m \\in msgs : m.type = "1a"')


def test_a_promise_misreporting_the_vote_fails_phase1bs_result():
    t = _trace([_send(Prepare("p1", "a1", n(2)))],
               _promise("a1", n(2), accepted=Proposal(n(1), "y")))
    d = validate(t).departure
    assert d is not None and d.action == "Phase1b" and not d.enabling
    assert "mval |-> maxVal[a]" in d.condition and "(-1, None)" in d.detail


def test_two_values_in_one_step_are_not_one_action():
    t = _trace([_send(Prepare("p1", "a1", n(0)))], _promise("a1", n(0)),
               _promise("a2", n(0)),
               [_send(Accept("p1", "a1", n(0), "x")), _send(Accept("p1", "a2", n(0), "y"))])
    d = validate(t).departure
    assert d is not None and d.step == 4 and d.condition == "Send(m)"
    assert "2 new messages" in d.detail


def test_phase2a_is_enabled_by_any_quorum_not_only_the_first():
    # a1 voted (1, 'y'); for ballot 2, a1 reports that vote, a2 and a3 report
    # none. 2a(2, 'x') is a Phase2a step: the quorum {a2, a3} shows 'x' safe,
    # though the quorums with a1 ({a1, a2} comes first) would demand 'y'.
    accepted = Proposal(n(1), "y")
    t = _trace([_send(Prepare("p2", "a1", n(1)))], _promise("a1", n(1)), _promise("a2", n(1)),
               [_send(Accept("p2", "a1", n(1), "y"))],
               [Event(0, 0.0, "accept", "a1", state={"promised": n(1), "accepted": accepted}),
                _send(Accepted("a1", "l1", n(1), "y"))],
               [_send(Prepare("p1", "a1", n(2)))],
               _promise("a1", n(2), accepted=accepted), _promise("a2", n(2)),
               _promise("a3", n(2)),
               [_send(Accept("p1", "a2", n(2), "x"))])
    v = validate(t)
    assert v.valid, v.verdict()
    assert v.rows[-1].action == "Phase2a(2, 'x')"
    # without a3's 1b, every quorum holds a1's vote: the same request leaves the spec
    short = _trace(*[[e._replace(step=0) for e in group] for group in
                     _groups(t) if not any(e.agent == "a3" for e in group)])
    d = validate(short).departure
    assert d is not None and d.action == "Phase2a" and "Q1bv = {}" in d.condition


def _groups(t: Trace) -> list[list[Event]]:
    out: dict[int, list[Event]] = {}
    for e in t.events:
        out.setdefault(e.step, []).append(e)
    return list(out.values())
