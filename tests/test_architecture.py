"""The import rules of ARCHITECTURE.md: layers import only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "paxos_notes"

#: Each top-level module or subpackage of paxos_notes, and its layer (ARCHITECTURE.md).
LAYERS = {
    "ballots": 1, "quorums": 1, "messages": 1,
    "agents": 2, "cluster": 2, "election": 2,
    "net": 3, "sim": 3, "processes": 3, "trace": 3, "trace_state": 3, "trace_replay": 3,
    "invariants": 3,
    "script": 3, "progress": 3, "broadcast": 3,
    "checker": 4, "multipaxos": 4,
    "widgets": 5, "cli": 5, "paper": 5, "tla": 5, "exercises": 5, "notebook_helpers": 5,
    "__init__": 5, "__main__": 5,
}
#: Pairs on one layer that must not depend on each other.
APART = {("checker", "multipaxos"), ("multipaxos", "checker")}


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level parts of paxos_notes that ``path`` imports."""
    return _imports_of(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE))


def _imports_of(source: str, rel: Path) -> set[str]:
    """The top-level parts of paxos_notes that ``source``, at ``rel`` in it, imports."""
    here = list(rel.with_suffix("").parts[:-1])  # its package, relative to paxos_notes
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:  # "from .. import x" at the top: x are modules
                    found.update(a.name for a in node.names)
                    continue
            elif node.module and node.module.startswith("paxos_notes."):
                parts = node.module.split(".")[1:]
            else:
                continue
            found.add(parts[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("paxos_notes."))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(p) for p in MODULES}
    assert parts <= LAYERS.keys(), f"add to ARCHITECTURE.md and LAYERS: {parts - LAYERS.keys()}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards(path: Path) -> None:
    mine = _part(path)
    for other in _imports(path) - {mine}:
        assert other in LAYERS, f"{path.name} imports an unknown part {other!r}"
        assert LAYERS[other] <= LAYERS[mine] and (mine, other) not in APART, (
            f"{path.relative_to(PACKAGE)} (layer {LAYERS[mine]}) imports {other} "
            f"(layer {LAYERS[other]}): see ARCHITECTURE.md")


@pytest.mark.parametrize(("source", "rel", "expected"), [
    ("from .sim import Simulation\n", "agents.py", {"sim"}),
    ("from ..widgets import TracePlayer\n", "checker/model.py", {"widgets"}),
    ("from . import variants\n", "checker/model.py", {"checker"}),
    ("from .. import sim\n", "checker/model.py", {"sim"}),
    ("import paxos_notes.multipaxos.server\n", "checker/model.py", {"multipaxos"}),
    ("from paxos_notes.script import drive\n", "widgets/x.py", {"script"}),
])
def test_the_check_reads_every_form_of_import(source: str, rel: str,
                                              expected: set[str]) -> None:
    assert _imports_of(source, Path(rel)) == expected
