"""`messages.quick_init`: the fast ``__init__`` builds the same frozen records
as the one `dataclass` writes."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from paxos_notes import messages as core
from paxos_notes.ballots import ProposalNumber
from paxos_notes.messages import quick_init
from paxos_notes.multipaxos import messages as mp

CLASSES = [core.Prepare, core.Promise, core.Accept, core.Accepted,
           core.Nack, core.Chosen, mp.Prepare, mp.Promise, mp.Accept, mp.Accepted,
           mp.Heartbeat, mp.Ack, mp.Nack, mp.Request, mp.Reply, mp.Redirect]


def _plain(cls: type) -> type:
    """The same class as `dataclass` alone makes it (its generated __init__)."""
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    made_by_dataclass = {"__init__", "__repr__", "__eq__", "__hash__", "__lt__", "__le__",
                         "__gt__", "__ge__", "__setattr__", "__delattr__", "__match_args__",
                         "__dict__", "__weakref__"}
    ns = {k: v for k, v in cls.__dict__.items()
          if k not in made_by_dataclass and not k.startswith("__dataclass")}
    made = type(cls.__name__, cls.__bases__, ns)
    return dataclasses.dataclass(frozen=True, order=params.order)(made)


def _arguments(cls: type) -> list[object]:
    n = ProposalNumber(1, 0)
    out: list[object] = []
    for i, f in enumerate(dataclasses.fields(cls)):
        out.append(n if "ProposalNumber" in str(f.type) else f"x{i}")
    return out


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_quick_init_builds_what_dataclass_builds(cls: type) -> None:
    plain = _plain(cls)
    args = _arguments(cls)
    quick, slow = cls(*args), plain(*args)
    assert quick.__dict__ == slow.__dict__
    names = [f.name for f in dataclasses.fields(cls)]
    assert cls(**dict(zip(names, args, strict=True))) == quick  # by keyword too
    assert quick == cls(*args) and hash(quick) == hash(cls(*args))
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.sender = "other"  # type: ignore[misc]
    assert list(inspect.signature(cls).parameters) == names
    # defaults are the dataclass's
    required = [f for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    if len(required) < len(names):
        assert cls(*args[:len(required)]).__dict__ == plain(*args[:len(required)]).__dict__
    with pytest.raises(TypeError):
        cls(*args[:len(required) - 1])
    assert dataclasses.replace(quick) == quick


def test_quick_init_refuses_what_it_cannot_copy() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class Factory:
        x: list[int] = dataclasses.field(default_factory=list)

    for cls in (Checked, Factory):
        with pytest.raises(TypeError, match=cls.__name__):
            quick_init(cls)
