"""How the linearizability checker scales with history length, keys and concurrency.

Histories are generated deterministically from a seed, the way a correct store would
produce them: each client issues operations one after another, every operation takes
effect atomically at a random instant inside its interval, and outputs come from
running the sequential key-value spec in that order.  So every "ok" history is
linearizable by construction; the "stale" variant changes one late ``get`` to return a
value no ``put`` ever wrote, which forces the search to exhaust every configuration
before it can say no.  "pending" makes 2% of operations never complete (the client is
then replaced by a fresh one, as after a crash); half of those took effect.
"unsplit" checks an "ok" history with the per-key decomposition turned off.  Columns:
the verdict, the (set, state) configurations explored, and wall-clock seconds.

Values are drawn from a small domain on purpose: repeated values make more orders
consistent with the outputs, which is what makes the search work.

A second table times the checker on long histories from 3 clients, the ``kv``
command's workload: 1,000, 10,000 and 100,000 operations from the generator
(2 keys, as ``kv``; "ok", "pending", "stale"), and histories recorded from real
runs of §3's replicated store (`paxos_notes.cli.kv.kv_run`, ``--faults all``:
retries, crashed leaders and partitions make long, overlapping operations).
Targets: a 10,000-operation history from 3 clients checked in under 5 s, and
time growing in proportion to the length (100,000 operations: ten times
10,000, not a hundred -- ``kv --ops 100000`` checks such a history).

Run ``python benchmarks/linearizability.py`` (``make bench`` runs it with the package
installed; without installing, ``PYTHONPATH=. python benchmarks/linearizability.py``).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Hashable

from paxos_notes.multipaxos.linearizability import (
    KV,
    KVSpec,
    Operation,
    SearchBudgetExceeded,
    SequentialSpec,
    cas,
    check,
    get,
    put,
)

VALUES = 5


def generate(
    seed: int, clients: int, n_ops: int, n_keys: int, pending_rate: float = 0.0
) -> list[Operation]:
    """A linearizable KV history: ``clients`` concurrent clients, ``n_ops`` operations."""
    rng = random.Random(seed)
    keys = [f"k{i}" for i in range(n_keys)]
    clock = [0.0] * clients
    ids: list[Hashable] = list(range(clients))
    fresh = clients
    plans = []
    for n in range(n_ops):
        # Round-robin keeps the clients' clocks close together, so they really overlap.
        c = n % clients
        start = clock[c] + rng.uniform(0.0, 1.0)  # think time
        end = start + rng.uniform(0.5, 4.0)  # ~3 other clients' ops overlap each op
        clock[c] = end
        key = rng.choice(keys)
        kind = rng.random()
        if kind < 0.5:
            op = get(key)
        elif kind < 0.8:
            op = put(key, rng.randrange(VALUES))
        else:
            expected = rng.choice([None, *range(VALUES)])
            op = cas(key, expected, rng.randrange(VALUES))
        pending = rng.random() < pending_rate
        took_effect = not pending or rng.random() < 0.5
        plans.append(
            (rng.uniform(start, end), ids[c], op, start, None if pending else end, took_effect)
        )
        if pending:
            # A client whose request never returned is gone; a new client takes its slot.
            ids[c] = fresh
            fresh += 1
    plans.sort(key=lambda p: p[0])
    state = KV.initial_state()
    history = []
    for _, client, op, start, end, took_effect in plans:
        output = None
        if took_effect:
            state, output = KV.apply(state, op)
        history.append(Operation(client, op, None if end is None else output, start, end))
    history.sort(key=lambda o: o.invoke_time)
    return history


def make_stale(history: list[Operation]) -> list[Operation]:
    """Make the last completed get return a value that was never written."""
    for k in range(len(history) - 1, -1, -1):
        o = history[k]
        if o.op[0] == "get" and not o.pending:
            bad = Operation(o.client, o.op, VALUES + 1, o.invoke_time, o.complete_time)
            return [*history[:k], bad, *history[k + 1 :]]
    raise ValueError("history has no completed get")


def run(
    seed: int, clients: int, n_ops: int, n_keys: int, variant: str, max_states: int
) -> tuple[str, int | str, float]:
    history = generate(seed, clients, n_ops, n_keys, 0.02 if variant == "pending" else 0.0)
    spec: SequentialSpec = KV
    if variant == "stale":
        history = make_stale(history)
    elif variant == "unsplit":
        spec = KVSpec(partition_by_key=False)
    started = time.perf_counter()
    try:
        result = check(history, spec, max_states=max_states)
    except SearchBudgetExceeded as e:
        return "unknown", f">{e.max_states}", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    return ("yes" if result.linearizable else "no"), result.states_explored, elapsed


def kv_history(seed: int, n_ops: int) -> list[Operation]:
    """The history of a ``kv`` run: 5 servers, 3 clients, every fault."""
    from paxos_notes.cli.kv import FAULT_KINDS, fault_plan, fewer_collections
    from paxos_notes.multipaxos.server import Setup
    from paxos_notes.multipaxos.sim import Simulation, Timing, Workload

    assert "all" in FAULT_KINDS
    setup = Setup(servers=("s1", "s2", "s3", "s4", "s5"))
    calm = 60.0 * -(-n_ops // 3) + 500.0
    network, faults = fault_plan("all", setup, seed, calm)
    sim = Simulation(setup, seed=seed, workload=Workload(clients=3, total=n_ops), network=network,
                     faults=faults, timing=Timing(), record=False)
    with fewer_collections():
        sim.run(until=calm + 2000.0)
    return sim.history()


def long_histories(seed: int, max_states: int, kv_ops: list[int]) -> None:
    print()
    print("3 clients, long histories (target: 10,000 operations in < 5 s; linear)")
    header = "{:<26} {:>6} {:<7} {:>10} {:>8}".format(
        "history", "ops", "lin?", "states", "seconds")
    print(header)
    print("-" * len(header))
    cases: list[tuple[str, list[Operation]]] = []
    for n in (1000, 10_000, 100_000):
        ok = generate(seed, 3, n, 2)
        cases += [("generated ok", ok),
                  ("generated pending 2%", generate(seed, 3, n, 2, 0.02)),
                  ("generated stale", make_stale(ok))]
    for n in kv_ops:
        started = time.perf_counter()
        history = kv_history(seed, n)
        label = f"kv run (simulated {time.perf_counter() - started:.0f} s)"
        cases.append((label, history))
    for label, history in cases:
        started = time.perf_counter()
        try:
            result = check(history, max_states=max_states)
            verdict, states = ("yes" if result.linearizable else "no"), result.states_explored
        except SearchBudgetExceeded as e:
            verdict, states = "unknown", f">{e.max_states}"
        seconds = time.perf_counter() - started
        print(f"{label:<26} {len(history):>6} {verdict:<7} {states!s:>10} {seconds:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2001)  # Paxos Made Simple's year
    parser.add_argument("--max-states", type=int, default=2_000_000)
    parser.add_argument("--kv-ops", type=int, nargs="*", default=[1000],
                        help="lengths of the histories recorded from kv runs (default 1000; "
                             "10000 takes 45 s or more to simulate)")
    args = parser.parse_args()

    # Length and keys at the concurrency the §3 store sees in tests (4 clients) ...
    cases = [(4, n, k, "ok") for k in (1, 5) for n in (50, 200, 1000)]
    cases += [(4, 1000, k, "pending") for k in (1, 5)]
    cases += [(4, n, 1, "stale") for n in (50, 200, 1000)]
    # ... then concurrency, which is what the search is exponential in ...
    cases += [(c, 200, 1, v) for v in ("ok", "stale") for c in (8, 12, 16)]
    # ... and what checking per key buys once concurrency is high.
    cases += [(16, 200, 5, v) for v in ("ok", "unsplit")]

    columns = ("clients", "ops", "keys", "variant", "lin?", "states", "seconds")
    header = "{:>7} {:>5} {:>4} {:<8} {:<7} {:>10} {:>8}".format(*columns)
    print(f"seed {args.seed}, max_states {args.max_states}")
    print(header)
    print("-" * len(header))
    for clients, n_ops, n_keys, variant in cases:
        verdict, states, seconds = run(args.seed, clients, n_ops, n_keys, variant, args.max_states)
        print(
            f"{clients:>7} {n_ops:>5} {n_keys:>4} {variant:<8} {verdict:<7} {states!s:>10} "
            f"{seconds:>8.3f}"
        )
    long_histories(args.seed, args.max_states, args.kv_ops)


if __name__ == "__main__":
    main()
