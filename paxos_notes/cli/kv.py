"""The ``kv`` command: run the replicated key-value store and judge the run (§3).

``python -m paxos_notes kv --servers 5 --clients 3 --ops 1000 --seed 1 --faults all``
runs §3's replicated state machine on the seeded simulator
(`paxos_notes.multipaxos.sim`) and reports what a user of the store would ask:

- how long an operation took, in message delays (median and 90th percentile);
- how many messages each command cost, and how often the leader changed;
- whether any write a client was told succeeded is missing from the log
  (`Simulation.lost_writes`);
- whether the clients' history is linearizable
  (`paxos_notes.multipaxos.linearizability.check`), and whether the safety monitor saw
  a rule broken.

Exit status: 0 if everything holds, 1 if the history is not linearizable (or
the check could not decide), a write was lost, or the monitor flagged a
violation; 2 for a usage error. ``--broken`` switches off one of §3's rules
(`paxos_notes.multipaxos.server.BROKEN`) to watch the checks catch it.

Like the other commands of `paxos_notes.cli`: `configure_kv` declares the
arguments, `run_kv` returns the exit status, and a ``ValueError`` from the
library is printed as a usage error.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..multipaxos.linearizability import SearchBudgetExceeded, check
from ..multipaxos.server import BROKEN, MAX_SERVERS, Setup
from ..multipaxos.sim import MAX_CLIENTS, MAX_OPS, Fault, Network, Simulation, Timing, Workload
from .common import Counter, flag_error, usage_error

FAULT_KINDS = ("none", "loss", "crash", "partition", "all")
DELAY = (1.0, 3.0)  # every message takes a uniform time in this range
#: Simulated time allowed per operation of one client before the faults stop
#: (far more than a run needs: faults go on until the clients are done), and
#: the calm time after that in which every operation must complete.
TIME_PER_OP = 60.0
CALM = 2000.0
#: The library's parameter -> the flag that sets it (for error messages).
FLAGS = {"servers": "--servers", "clients": "--clients", "total": "--ops", "ops": "--ops",
         "keys": "--keys", "alpha": "--alpha", "faults": "--faults", "seed": "--seed",
         "broken": "--broken"}


def fault_plan(kind: str, setup: Setup, seed: int,
               until: float) -> tuple[Network, tuple[Fault, ...]]:
    """The network and the scripted faults of ``--faults kind``, up to time ``until``.

    - ``none``: messages are only delayed (uniformly, so they overtake each other);
    - ``loss``: 10% of messages lost, 5% duplicated, delays up to 5 (more reordering);
    - ``crash``: the leader crashes every 100–300 time units and the crashed
      servers restart 20–60 later; any server may also crash now and then
      (one every 500 time units on average) and restart 20–60 later;
    - ``partition``: every 150–400 time units the servers are cut in two
      random groups (often a minority with the leader), healed 30–100 later;
    - ``all``: all of these at once.

    The schedule is drawn from its own generator, seeded by ``seed``.
    """
    if kind not in FAULT_KINDS:
        raise ValueError(f"faults must be one of {FAULT_KINDS}, got {kind!r}")
    rng = random.Random(f"kv-faults:{seed}")
    lossy = kind in ("loss", "all")
    crashes = kind in ("crash", "all")
    network = Network(loss=0.1 if lossy else 0.0, duplication=0.05 if lossy else 0.0,
                      delay=(1.0, 5.0) if lossy else DELAY,
                      crash_rate=0.002 if crashes else 0.0, restart_delay=(20.0, 60.0),
                      faults_until=until)
    names = list(setup.servers)
    faults: list[Fault] = []
    if crashes:
        t = rng.uniform(100.0, 300.0)
        while t < until:
            faults.append(Fault(t, "crash_leader"))
            faults.append(Fault(min(t + rng.uniform(20.0, 60.0), until), "restart",
                                servers=tuple(names)))
            t += rng.uniform(100.0, 300.0)
    if kind in ("partition", "all") and len(names) > 1:
        t = rng.uniform(150.0, 400.0)
        while t < until:
            order = names[:]
            rng.shuffle(order)
            cut = rng.randint(1, len(order) - 1)
            faults.append(Fault(t, "partition", groups=(tuple(order[:cut]), tuple(order[cut:]))))
            faults.append(Fault(min(t + rng.uniform(30.0, 100.0), until), "heal"))
            t += rng.uniform(150.0, 400.0)
    faults.sort(key=lambda f: f.time)
    return network, tuple(faults)


def configure_kv(p: argparse.ArgumentParser) -> None:
    p.add_argument("--servers", type=int, default=5,
                   help=f"number of servers (1-{MAX_SERVERS}, default 5)")
    p.add_argument("--clients", type=int, default=3,
                   help=f"number of clients (1-{MAX_CLIENTS}, default 3)")
    p.add_argument("--ops", type=int, default=1000,
                   help=f"operations in all, shared by the clients (1-{MAX_OPS:,}, "
                        "default 1000)")
    p.add_argument("--seed", type=int, required=True, help="seed for every random choice")
    p.add_argument("--faults", choices=FAULT_KINDS, default="none",
                   help="what goes wrong while the clients run (default none)")
    p.add_argument("--alpha", type=int, default=3,
                   help="§3's window: proposals outstanding at once (default 3)")
    p.add_argument("--keys", type=int, default=2, help="number of keys used (default 2)")
    p.add_argument("--broken", choices=BROKEN, default=None,
                   help="break one of §3's rules on purpose, to see the checks catch it")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress counter")


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a while.

    A run allocates a great many small frozen records (server states,
    messages) that reference counting frees by itself: it makes next to no
    cyclic garbage (a 10,000-operation run: 154 objects). The collector still
    scans the live ones, over and over as the run's state grows — a third of
    a 1000-operation run with the default thresholds, and 5 s of a
    100,000-operation run even with a pass every 100,000 allocations. The
    linearizability check after the run allocates a configuration per step
    while all of that is alive: with the default it took twice as long
    (30,000 operations: 2.1 s of CPU against 1.1 s). So the collector is off
    while they run, and back on after.

    Turned back on as it is, the collector would then scan everything the
    run allocated (all of it still counts as young) to find those few cycles:
    2 % of a whole 10,000- or 30,000-operation run, by a sampling profile. So what is alive is
    moved to the oldest generation first (`gc.freeze`, then `gc.unfreeze`),
    where only a full collection, much later, looks at it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # every live object, without scanning: into the permanent generation
        gc.unfreeze()  # and from there into the oldest one
        if was_enabled:
            gc.enable()


def _percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank ``q``-quantile (``None`` for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def kv_run(servers: int = 5, clients: int = 3, ops: int = 1000, seed: int = 0,
           faults: str = "none", alpha: int = 3, keys: int = 2, broken: str | None = None,
           counter: Counter | None = None) -> dict[str, Any]:
    """Run the store as ``kv`` does and return the report (see `run_kv`).
    ``ValueError`` names a bad parameter."""
    if isinstance(clients, bool) or not isinstance(clients, int) or \
            not 1 <= clients <= MAX_CLIENTS:
        raise ValueError(f"clients must be an integer in 1..{MAX_CLIENTS}, got {clients!r}")
    if isinstance(ops, bool) or not isinstance(ops, int) or not 1 <= ops <= MAX_OPS:
        raise ValueError(f"ops must be an integer in 1..{MAX_OPS}, got {ops!r}")
    if isinstance(keys, bool) or not isinstance(keys, int) or not 1 <= keys <= 100:
        raise ValueError(f"keys must be an integer in 1..100, got {keys!r}")
    if isinstance(servers, bool) or not isinstance(servers, int) or not 1 <= servers <= MAX_SERVERS:
        # checked before the names are built: 10**9 names do not fit in memory
        raise ValueError(f"servers must be an integer in 1..{MAX_SERVERS}, got {servers!r}")
    setup = Setup(servers=tuple(f"s{i}" for i in range(1, servers + 1)), alpha=alpha,
                  broken=broken)
    workload = Workload(clients=clients, total=ops, keys=tuple(f"k{i}" for i in range(keys)))
    calm_from = TIME_PER_OP * math.ceil(ops / clients) + 500.0
    network, schedule = fault_plan(faults, setup, seed, calm_from)
    sim = Simulation(setup, seed=seed, workload=workload, network=network, faults=schedule,
                     timing=Timing(), record=False)

    def progress(s: Simulation) -> None:
        if counter is not None:
            counter.update(f"{s.completed}/{ops} operations, t={s.now:.0f}, "
                           f"{s.leader_changes} leader changes")

    # The run and the check both allocate a great many small records while the
    # run's state stays alive: see `fewer_collections`.
    with fewer_collections():
        started = time.perf_counter()
        sim.run(until=calm_from + CALM, progress=progress)
        simulated = time.perf_counter() - started
        if counter is not None:
            counter.update(f"{sim.completed}/{ops} operations; checking linearizability",
                           force=counter.tty)
        started = time.perf_counter()
        history = sim.history()
        try:
            result = check(history)
            linearizable: bool | None = result.linearizable
            explanation = result.explanation
        except SearchBudgetExceeded as e:
            linearizable, explanation = None, str(e)
        checked = time.perf_counter() - started
    if counter is not None:
        counter.done()

    done = [r for r in sim.ops if r.complete is not None]
    mean_delay = sum(network.delay) / 2
    delays = [(r.complete - r.invoke) / mean_delay for r in done if r.complete is not None]
    lost = sim.lost_writes()
    sent = sum(sim.sent.values())
    return {
        "seed": seed, "servers": servers, "clients": clients, "alpha": alpha, "keys": keys,
        "faults": faults, "broken": broken,
        "ops": len(sim.ops), "completed": len(done),
        "latency_delays": {"median": _round(statistics.median(delays) if delays else None),
                           "p90": _round(_percentile(delays, 0.9))},
        "messages": sent,
        "messages_per_command": _round(sent / len(done) if done else None),
        "dropped": sim.dropped, "duplicated": sim.duplicated,
        "leader_changes": sim.leader_changes,
        "acknowledged_writes": len(sim.acknowledged_writes()),
        "lost_writes": len(lost),
        "lost": [f"{r.client}#{r.request_id} {r.op!r} acknowledged at t={r.complete:.2f}"
                 for r in lost],
        "linearizable": linearizable,
        "explanation": explanation,
        "safe": sim.safe,
        "violations": len(sim.violations),
        "first_violations": [str(v) for v in sim.violations[:5]],
        "sim_time": round(sim.now, 2), "steps": sim.steps,
        "seconds": {"simulate": round(simulated, 3), "check": round(checked, 3)},
    }


def run_kv(args: argparse.Namespace) -> int:
    """Run ``kv`` with parsed ``args``; the exit status (0 fine, 1 a check failed, 2 usage)."""
    if not 1 <= args.servers <= MAX_SERVERS:
        return usage_error(f"--servers must be in 1..{MAX_SERVERS}, got {args.servers}")
    # progress goes to stderr, so it does not mix with --json on stdout
    counter = Counter("kv", args.ops, quiet=args.quiet)
    try:
        report = kv_run(servers=args.servers, clients=args.clients, ops=args.ops,
                        seed=args.seed, faults=args.faults, alpha=args.alpha, keys=args.keys,
                        broken=args.broken, counter=counter)
    except ValueError as e:
        counter.done()
        return flag_error(e, FLAGS)
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print(format_kv(report))
    failed = report["linearizable"] is not True or report["lost_writes"] or not report["safe"]
    return 1 if failed else 0


def format_kv(r: dict[str, Any]) -> str:
    """The report of `kv_run` as text."""
    lat = r["latency_delays"]
    broken = f", broken: {r['broken']}" if r["broken"] else ""
    lines = [
        f"operations:     {r['ops']} ({r['completed']} completed) by {r['clients']} clients "
        f"on {r['servers']} servers, α={r['alpha']}; faults: {r['faults']}{broken}; "
        f"seed {r['seed']}",
        f"latency:        median {lat['median']}, p90 {lat['p90']} message delays",
        f"messages:       {r['messages_per_command']} per command ({r['messages']} sent, "
        f"{r['dropped']} dropped, {r['duplicated']} duplicated)",
        f"leader changes: {r['leader_changes']}",
        f"lost writes:    {r['lost_writes']} of {r['acknowledged_writes']} acknowledged",
    ]
    lines += [f"  - {x}" for x in r["lost"][:5]]
    if r["safe"]:
        lines.append("safety:         no rule broken (checked after every step)")
    else:
        lines.append(f"safety:         VIOLATED ({r['violations']} violations), first:")
        lines += [f"  - {v}" for v in r["first_violations"][:3]]
    verdict = {True: "yes", False: "NO", None: "UNKNOWN"}[r["linearizable"]]
    lines.append(f"linearizable:   {verdict}")
    if r["linearizable"] is not True:
        lines += [f"  {x}" for x in r["explanation"].splitlines()[:12]]
    sec = r["seconds"]
    lines.append(f"run:            t={r['sim_time']} simulated, {r['steps']} steps, "
                 f"{sec['simulate']} s; linearizability check {sec['check']} s")
    return "\n".join(lines)
