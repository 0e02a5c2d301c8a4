"""What a command costs in the replicated key-value store (§3), with and without faults.

§3's claim is that with a stable leader "the value to be proposed is not chosen
until phase 2", so phase 1 is paid once per leader and each command costs only
phase 2: one accept request to each other server and one acceptance back —
2 message delays and 2(N−1) messages. The table measures it on the
deterministic simulator (`paxos_notes.multipaxos.sim`):

- ``cmds/kt``: commands completed per 1000 units of simulated time;
- ``msgs/cmd``: every message sent (clients, heartbeats, elections included);
- ``ph2/cmd``: accept + accepted messages per command (2(N−1) expected);
- ``ph1``: prepare + promise messages in the whole run (elections);
- ``delays``: mean time from the leader receiving a request to learning its
  instance chosen, in units of the mean message delay (2 expected; more with
  faults, retransmissions and leader changes);
- ``latency``: median client latency in simulated time (request + phase 2 +
  reply: 4 delays at best);
- ``wall s``: real time to simulate the row (safety monitor on, trace recorded);
- ``cmds/s``: commands simulated per second of real time (wall clock).

Every row also checks the run: safe after every step, and the clients' history
linearizable (`paxos_notes.multipaxos.linearizability.check`).

A second table runs the ``kv`` command's configuration (5 servers, 3 clients,
no trace; `paxos_notes.cli.kv.kv_run`) at growing lengths, with no
faults and with ``--faults all``: simulated commands per second of wall clock
and of CPU time, and the time the linearizability check took. It shows that a
run's cost grows in proportion to its length (issue 12): a server's state is an
immutable record, but its per-instance state lives in `InstanceMap`s that a
change copies a path of, not the whole log — so commands per second stay
the same from 1000 commands to 10,000 (before, a 10,000-command run was
several times slower per command than a 1000-command one).

Run ``python benchmarks/multipaxos.py`` (``--quick`` for a short run; with
the package not installed, ``PYTHONPATH=. python benchmarks/multipaxos.py``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

from paxos_notes.cli.kv import kv_run
from paxos_notes.multipaxos.linearizability import check
from paxos_notes.multipaxos.messages import Accept
from paxos_notes.multipaxos.server import Setup
from paxos_notes.multipaxos.sim import Fault, Network, Simulation, Timing, Workload


@dataclass(frozen=True)
class Row:
    name: str
    servers: int
    alpha: int
    clients: int
    network: Network
    faults: tuple[Fault, ...] = ()


def rows() -> list[Row]:
    fixed = Network(delay=(1.0, 1.0))
    noisy = Network(delay=(1.0, 3.0))
    lossy = Network(loss=0.1, duplication=0.05, delay=(1.0, 3.0))
    leader_crashes = tuple(Fault(t, "crash_leader") for t in (150.0, 450.0)) + tuple(
        Fault(t, "restart", servers=("s1", "s2", "s3")) for t in (300.0, 600.0))
    harsh = Network(loss=0.2, duplication=0.1, delay=(1.0, 5.0), crash_rate=0.005,
                    restart_delay=(20.0, 60.0))
    partitions = (Fault(200.0, "partition", groups=(("s1", "s2"), ("s3", "s4", "s5"))),
                  Fault(350.0, "heal"), Fault(500.0, "crash_leader"),
                  Fault(650.0, "restart", servers=("s1", "s2", "s3", "s4", "s5")))
    return [
        Row("steady, 1 client", 3, 1, 1, fixed),
        Row("steady, 1 client", 5, 1, 1, fixed),
        Row("steady, 8 clients", 3, 1, 8, noisy),
        Row("steady, 8 clients", 3, 4, 8, noisy),
        Row("steady, 8 clients", 5, 4, 8, noisy),
        Row("loss 10% dup 5%", 3, 4, 8, lossy),
        Row("+ 2 leader crashes", 3, 4, 8, lossy, leader_crashes),
        Row("loss 20%, crashes, partition", 5, 4, 8, harsh, partitions),
    ]


def measure(row: Row, ops: int, seed: int) -> dict[str, Any]:
    setup = Setup(servers=tuple(f"s{i}" for i in range(1, row.servers + 1)), alpha=row.alpha)
    sim = Simulation(setup, seed=seed, workload=Workload(clients=row.clients, ops=ops),
                     network=row.network, timing=Timing(think=(0.0, 0.0)), faults=row.faults)
    start = time.perf_counter()
    sim.run(until=1e7)
    wall = time.perf_counter() - start
    assert sim.safe, sim.violations[:3]
    lin = check(sim.history(), max_states=None)
    assert lin.linearizable, lin.explanation
    done = [r for r in sim.ops if r.complete is not None]
    first = min(r.invoke for r in sim.ops)
    span = max(r.complete for r in done) - first
    sent = sim.sent
    n_cmds = len(done)
    commits = _phase2_times(sim)
    mean_delay = sum(row.network.delay) / 2
    return {
        "row": row.name, "N": row.servers, "alpha": row.alpha, "clients": row.clients,
        "cmds": n_cmds, "sim_time": round(span, 1),
        "cmds_per_kt": round(1000 * n_cmds / span, 1),
        "msgs_per_cmd": round(sum(sent.values()) / n_cmds, 2),
        "ph2_per_cmd": round((sent["Accept"] + sent["Accepted"]) / n_cmds, 2),
        "ph1": sent["Prepare"] + sent["Promise"],
        "delays": round(statistics.mean(commits) / mean_delay, 2) if commits else None,
        "latency": round(statistics.median(r.complete - r.invoke for r in done), 2),
        "wall_s": round(wall, 2), "cmds_per_s": round(n_cmds / wall) if wall else None,
        "linearizable": lin.linearizable, "safe": sim.safe,
    }


def _phase2_times(sim: Simulation) -> list[float]:
    """Per instance: from a server's first accept request in it (phase 2(a)) to
    that same server learning it chosen — the cost of one command's consensus."""
    started: dict[tuple[int, str], float] = {}
    done: dict[int, float] = {}
    for e in sim.trace:
        m = e.message
        if e.kind in ("send", "local") and isinstance(m, Accept):
            started.setdefault((m.instance, m.sender), e.time)
        elif e.kind == "learn":
            instance = int(e.detail.split()[0][1:])
            t0 = started.get((instance, e.agent))
            if t0 is not None and instance not in done:
                done[instance] = e.time - t0
    return list(done.values())


COLUMNS = [("row", "scenario", 30), ("N", "N", 3), ("alpha", "α", 3), ("clients", "cl", 3),
           ("cmds", "cmds", 5), ("cmds_per_kt", "cmds/kt", 8), ("msgs_per_cmd", "msgs/cmd", 9),
           ("ph2_per_cmd", "ph2/cmd", 8), ("ph1", "ph1", 5), ("delays", "delays", 7),
           ("latency", "latency", 8), ("wall_s", "wall s", 7), ("cmds_per_s", "cmds/s", 7)]


def table(results: list[dict[str, Any]], columns: list[tuple[str, str, int]] = COLUMNS) -> str:
    head = " ".join(f"{title:>{w}}" if k != "row" else f"{title:<{w}}" for k, title, w in columns)
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(" ".join(f"{r[k]!s:<{w}}" if k == "row" else f"{r[k]!s:>{w}}"
                              for k, _, w in columns))
    return "\n".join(lines)


def measure_kv(ops: int, faults: str, seed: int) -> dict[str, Any]:
    """One ``kv`` run: commands per second of wall clock and of CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    r = kv_run(ops=ops, seed=seed, faults=faults)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert r["linearizable"] and r["lost_writes"] == 0 and r["safe"], r
    simulate = r["seconds"]["simulate"]
    return {
        "row": f"kv --faults {faults}", "cmds": r["completed"],
        "leader_changes": r["leader_changes"], "msgs_per_cmd": r["messages_per_command"],
        "sim_s": simulate, "cmds_per_s": round(r["completed"] / simulate),
        "cpu_s": round(cpu, 2), "cmds_per_cpu_s": round(r["completed"] / cpu),
        "check_s": r["seconds"]["check"], "wall_s": round(wall, 2),
    }


KV_COLUMNS = [("row", "scenario", 20), ("cmds", "cmds", 6), ("leader_changes", "leaders", 8),
              ("msgs_per_cmd", "msgs/cmd", 9), ("sim_s", "sim s", 7), ("cmds_per_s", "cmds/s", 7),
              ("cpu_s", "cpu s", 7), ("cmds_per_cpu_s", "cmds/cpu-s", 10),
              ("check_s", "check s", 8), ("wall_s", "wall s", 7)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=60, help="operations per client (60)")
    parser.add_argument("--quick", action="store_true", help="10 operations per client")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--kv-ops", type=int, nargs="*", default=None,
                        help="lengths of the kv runs (default 1000 10000; --quick: 300)")
    args = parser.parse_args()
    ops = 10 if args.quick else args.ops
    results = [measure(r, ops, args.seed) for r in rows()]
    lengths = args.kv_ops if args.kv_ops is not None else ([300] if args.quick else [1000, 10000])
    kv = [measure_kv(n, faults, args.seed) for faults in ("none", "all") for n in lengths]
    if args.json:
        print(json.dumps({"scenarios": results, "kv": kv}, indent=1))
    else:
        print(table(results))
        print()
        print(table(kv, KV_COLUMNS))


if __name__ == "__main__":
    main()
