"""Speed work on the multi-Paxos plumbing must not change a single run.

The digests below were recorded with the code as it was before the issue #12
speed-ups of ``kv`` (the linearizability checker's window, the simulator's and
servers' per-step bookkeeping): the ``kv`` command's report (without its
wall-clock ``seconds``), the JSON trace of a recorded run, and the checker's
verdict, witness and number of configurations on that run's history. Same
seed, same bytes.

If a change is *meant* to alter runs (a protocol fix, a new trace field),
record the new digests with `digests` at that commit and say why in the
commit message.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from paxos_notes.cli.kv import kv_run
from paxos_notes.multipaxos.linearizability import check
from paxos_notes.multipaxos.server import Setup
from paxos_notes.multipaxos.sim import Network, Simulation, Workload

KV_RUNS = {
    (2000, 1, "all"): "8e3640f2c0c99fb4",
    (1500, 3, "crash"): "d15493ec18f122b8",
    (1000, 2, "loss"): "7d86ae83ead994de",
    (800, 5, "partition"): "38d162333e3c642d",
}
# A broken variant's report lists how many violations the safety monitor
# found and the first ones: the monitor's shortcuts must catch it at the same
# point. Recorded at 5ea6493, before them.
BROKEN_RUNS = {
    (300, 1, "all", "skip-phase1"): "31dde51455f32d3a",
    (300, 1, "crash", "skip-phase1"): "0af3d9f69b09aaf8",
    (300, 4, "crash", "skip-phase1"): "9d570161139110cc",
}
TRACED_RUNS = {  # seed: (trace digest, check digest)
    1: ("d47a6cea0a93b78d", "21a78aadbc63fac7"),
    2: ("22307a7f133a124a", "4a4e21a6b1068664"),
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def kv_digest(ops: int, seed: int, faults: str, broken: str | None = None) -> str:
    report = kv_run(ops=ops, seed=seed, faults=faults, broken=broken)
    report.pop("seconds")  # wall-clock time: the only thing allowed to change
    return _digest(json.dumps(report, sort_keys=True))


def traced_digests(seed: int) -> tuple[str, str]:
    sim = Simulation(Setup(), seed=seed, workload=Workload(clients=3, ops=40),
                     network=Network(loss=0.1, duplication=0.05, crash_rate=0.01,
                                     faults_until=800))
    sim.run(until=3000)
    result = check(sim.history())
    return (_digest(sim.trace.to_json()),
            _digest(repr((result.linearizable, result.order, result.states_explored))))


@pytest.mark.parametrize(("ops", "seed", "faults"), list(KV_RUNS))
def test_kv_reports_are_unchanged(ops: int, seed: int, faults: str) -> None:
    assert kv_digest(ops, seed, faults) == KV_RUNS[ops, seed, faults]


@pytest.mark.parametrize(("ops", "seed", "faults", "broken"), list(BROKEN_RUNS))
def test_broken_variants_are_caught_at_the_same_point(ops: int, seed: int, faults: str,
                                                      broken: str) -> None:
    assert kv_digest(ops, seed, faults, broken) == BROKEN_RUNS[ops, seed, faults, broken]


@pytest.mark.parametrize("seed", list(TRACED_RUNS))
def test_traces_and_verdicts_are_unchanged(seed: int) -> None:
    assert traced_digests(seed) == TRACED_RUNS[seed]


def digests() -> dict[str, object]:
    """Every digest above, computed now (to record new ones on purpose)."""
    return {"kv": {k: kv_digest(*k) for k in KV_RUNS},
            "broken": {k: kv_digest(*k) for k in BROKEN_RUNS},
            "traced": {s: traced_digests(s) for s in TRACED_RUNS}}
