"""Exhaustive model checking of Paxos (beyond the paper).

Two models share this package: ``lamport`` reproduces the state space of
Lamport's TLA+ specification exactly, so its counts can be compared with TLC's
(`lamport_spec`: the spec's actions, its ``TypeOK``, ``Inv`` and refinement of
Voting, readable; `lamport_fast`: the same states packed into integers;
`lamport_mutations`: the spec with one conjunct of one action changed);
``agents`` explores this project's own agent code (`model`, with the broken
rules of `variants`), so that every counterexample it finds can be replayed by
the simulator and animated in the notebooks.
`livelock` searches the same agents for runs that never choose (§2.4), with
the graph algorithms of `graph`. `spec_trace` joins the two: it checks that a
run of the agents is, step by step, a behaviour of Lamport's spec.
"""

from functools import cache

from ..trace import Trace
from .model import AgentsResult, Step, check_agents, replay
from .p1_alone import P1Result, check_p1_alone
from .variants import VARIANTS, Variant, get_variant

__all__ = [
    "VARIANTS", "AgentsResult", "P1Result", "Step", "Variant", "check_agents",
    "check_p1_alone", "counterexample", "get_variant", "replay", "shortest",
]


@cache
def _shortest(variant: str) -> AgentsResult:
    return check_agents(variant)


def shortest(variant: str) -> AgentsResult:
    """`check_agents` at the variant's default bounds, cached for the session
    (the search is deterministic): counts, verdict and numbered steps."""
    return _shortest(get_variant(variant).name)


def counterexample(variant: str) -> Trace:
    """The shortest run in which ``variant`` breaks safety, replayed as a `Trace`.

    Raises ``ValueError`` for a variant the checker finds safe (within its
    default bounds). Results are cached for the session: the search is
    deterministic, so the same variant always gives the same trace.
    """
    result = shortest(variant)
    if result.safe:
        raise ValueError(f"variant must be one that breaks safety; {variant!r} is safe within "
                         f"its bounds (broken ones: "
                         f"{sorted(n for n, v in VARIANTS.items() if not v.expect_safe)})")
    return result.trace()
