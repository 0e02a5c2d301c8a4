"""The replicated state machine (§3): commands, the key-value store, sessions,
configurations, and the client."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_notes.multipaxos.client import Client
from paxos_notes.multipaxos.kv import NOOP, Command, Machine, describe_value, validate_op
from paxos_notes.multipaxos.linearizability import KV, kv_apply
from paxos_notes.multipaxos.messages import Redirect, Reply, Request

SERVERS = ("s1", "s2", "s3", "s4")


def machine(alpha: int = 3) -> Machine:
    return Machine(("s1", "s2", "s3"), alpha, SERVERS)


def run(m: Machine, *values: str) -> tuple[Machine, list]:
    outputs = []
    for v in values:
        m, _, out = m.apply(v)
        outputs.append(out)
    return m, outputs


# -- commands ---------------------------------------------------------------------


def test_command_encoding_is_canonical_and_round_trips() -> None:
    c = Command("c1", 3, ("cas", "x", None, 2))
    assert Command.decode(c.encode()) == c
    assert Command("c1", 3, ["cas", "x", None, 2]).encode() == c.encode()  # type: ignore[arg-type]
    assert Command.decode(NOOP) is None
    assert describe_value(c.encode()) == "c1#3 cas('x', None, 2)"
    assert describe_value(NOOP) == "no-op"


@pytest.mark.parametrize(("op", "message"), [
    (("get",), r"'get' takes 1 argument"),
    (("delete", "x"), r"op kind must be one of"),
    (("put", "", 1), r"key must be a str of 1\.\.64"),
    (("put", "x", None), r"put value must be an int or a str"),
    (("put", "x", True), r"put value must be an int or a str"),
    (("cas", "x", 1, None), r"cas new value must be"),
    (("reconfig", ()), r"reconfig servers must be a non-empty tuple"),
    (("reconfig", ("s1", "s1")), r"reconfig servers must be distinct"),
    ((), r"op must be a non-empty tuple"),
])
def test_invalid_operations_are_refused_with_the_reason(op: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_op(op)


def test_reconfig_must_name_known_servers() -> None:
    with pytest.raises(ValueError, match=r"reconfig servers must be among \('s1', 's2'\)"):
        validate_op(("reconfig", ("s1", "s9")), ("s1", "s2"))


def test_invalid_command_fields_name_the_parameter() -> None:
    with pytest.raises(ValueError, match=r"request_id must be an int in 1\.\."):
        Command("c1", 0, ("get", "x"))
    with pytest.raises(ValueError, match=r"client must be a str of 1\.\.64"):
        Command("", 1, ("get", "x"))
    with pytest.raises(ValueError, match="neither 'no-op' nor an encoded command"):
        Command.decode("garbage")


# -- the key-value store ------------------------------------------------------------

OPS = st.one_of(
    st.tuples(st.just("get"), st.sampled_from("xy")),
    st.tuples(st.just("put"), st.sampled_from("xy"), st.integers(0, 2)),
    st.tuples(st.just("cas"), st.sampled_from("xy"), st.none() | st.integers(0, 2),
              st.integers(0, 2)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(OPS, max_size=25))
def test_the_store_gives_the_outputs_of_the_checkers_sequential_spec(ops: list) -> None:
    # Our machine and the linearizability checker's spec are written apart;
    # they must agree on every output, or checked histories mean nothing.
    m, spec_state = machine(), KV.initial_state()
    for i, op in enumerate(ops, start=1):
        m, _, out = m.apply(Command("c", i, op).encode())
        spec_state, expected = kv_apply(spec_state, op)
        assert out == expected
    assert dict(spec_state) == m.data


def test_a_no_op_changes_nothing_but_the_count() -> None:
    m, outs = run(machine(), Command("c1", 1, ("put", "x", 1)).encode(), NOOP)
    assert outs == ["ok", None]
    assert m.executed == 2 and m.data == {"x": 1}


def test_a_retried_request_is_executed_at_most_once() -> None:
    put1 = Command("c1", 1, ("put", "x", 1)).encode()
    put2 = Command("c2", 1, ("put", "x", 2)).encode()
    # The same request chosen twice (a retry that reached two leaders):
    # executing it again would set x back to 1.
    m, outs = run(machine(), put1, put2, put1)
    assert m.data == {"x": 2}
    assert outs == ["ok", "ok", "ok"]  # the retry gets the cached output
    assert m.session("c1") == (1, "ok") and m.executed == 3


def test_an_older_request_than_the_last_is_ignored() -> None:
    old = Command("c1", 1, ("put", "x", 1)).encode()
    new = Command("c1", 2, ("put", "x", 5)).encode()
    m, outs = run(machine(), old, new, old)
    assert m.data == {"x": 5} and outs[-1] is None


def test_reconfig_takes_effect_alpha_instances_later() -> None:
    m = machine(alpha=3)
    m, _ = run(m, NOOP, Command("admin", 1, ("reconfig", SERVERS)).encode())
    # command 2 fixed the servers of instance 2 + alpha = 5
    assert [m.config_for(i) for i in (1, 4, 5)] == [("s1", "s2", "s3")] * 2 + [SERVERS]
    assert m.latest_config == SERVERS
    assert m.window_members() == SERVERS
    with pytest.raises(ValueError, match=r"instance must be in 1\.\.5 \(executed \+ alpha\)"):
        m.config_for(6)


def test_an_invalid_reconfig_is_executed_as_an_error_with_no_effect() -> None:
    m, outs = run(machine(), Command("admin", 1, ("reconfig", ("s1", "s9"))).encode())
    assert outs[0].startswith("error: reconfig servers must be among")
    assert m.configs == ((1, ("s1", "s2", "s3")),)


# -- the client --------------------------------------------------------------------


def test_client_numbers_requests_and_allows_one_outstanding() -> None:
    c, out = Client("c1", ("s1", "s2")).invoke(("get", "x"))
    assert out == (Request("c1", "s1", Command("c1", 1, ("get", "x"))),)
    with pytest.raises(ValueError, match="already has request #1 outstanding"):
        c.invoke(("get", "y"))
    c, _ = c.receive(Reply("s1", "c1", 1, 7))
    assert c.outstanding is None and c.last == (1, 7)
    c, out = c.invoke(("get", "y"))
    assert out[0].command.request_id == 2


def test_client_follows_a_redirect_and_retries_the_same_request_elsewhere() -> None:
    c, _ = Client("c1", ("s1", "s2", "s3")).invoke(("put", "x", 1))
    c, out = c.receive(Redirect("s1", "c1", 1, "s3"))
    assert out[0].receiver == "s3" and out[0].command.request_id == 1
    c, out = c.retry()
    assert out[0].receiver == "s1" and out[0].command.request_id == 1
    c, out = c.receive(Reply("s2", "c1", 99, "ok"))  # not the outstanding request
    assert c.outstanding is not None and out == ()


# -- quoting the paper ----------------------------------------------------------------


def test_docstrings_quote_only_the_checked_transcription() -> None:
    # Every "quotation" of 12+ characters in the subpackage's docstrings must be
    # word for word in shared/PAPER.md (code in ``double backticks`` aside).
    import ast
    import os
    import re
    from pathlib import Path

    import paxos_notes.multipaxos as pkg

    root = Path(__file__).resolve().parents[1]
    paper = Path(os.environ.get("PAXOS_NOTES_SHARED", root.parent / "shared")) / "PAPER.md"
    if not paper.is_file():
        pytest.skip(f"no checked transcription at {paper}")
    text = " ".join(paper.read_text(encoding="utf-8").split())
    found = 0
    for path in sorted(Path(pkg.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
                doc = ast.get_docstring(node) or ""
                doc = re.sub(r"``.*?``", "", " ".join(doc.replace("> ", " ").split()))
                for quote in re.findall(r'"([^"]{12,}?)"', doc):
                    found += 1
                    assert quote.rstrip(".,") in text, f"{path.name}: {quote!r}"
    assert found >= 5
