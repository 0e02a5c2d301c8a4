"""The TLA+ excerpts: well formed, attributed, and checked by a verifier that can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from paxos_notes import tla
from paxos_notes.agents import Acceptor


def _spec_dir(tmp_path: Path, change: tuple[str, str] | None = None) -> Path:
    """A stand-in spec directory made of the excerpts themselves, between other lines,
    optionally with one excerpt's text altered."""
    for module in ("Paxos", "Voting"):
        parts = [f"---- MODULE {module} ----"]
        for e in tla.EXCERPTS.values():
            if e.module == module:
                text = e.text
                if change and change[0] == e.name:
                    text = text.replace(change[1], change[1] + "X", 1)
                parts += ["", text + "   ", "(* a comment *)"]
        (tmp_path / f"{module}.tla").write_text("\n".join(parts), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", list(tla.EXCERPTS))
def test_each_excerpt_starts_with_its_definition(name: str) -> None:
    e = tla.excerpt(name)
    head = e.text.splitlines()[0]
    assert head.startswith(name) and "==" in head
    assert e.module in ("Paxos", "Voting")
    assert "Leslie Lamport" in str(e) and "MIT License" in e._repr_html_()


def test_verify_accepts_exact_text_and_trailing_spaces(tmp_path: Path) -> None:
    assert tla.verify(_spec_dir(tmp_path)) == []


def test_verify_names_an_excerpt_that_differs(tmp_path: Path) -> None:
    problems = tla.verify(_spec_dir(tmp_path, change=("Phase2a", "m.bal = b")))
    assert len(problems) == 1 and "Phase2a" in problems[0]


def test_verify_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"spec_dir must hold Paxos\.tla"):
        tla.verify(tmp_path)


def test_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="name must be one of Phase1b"):
        tla.excerpt("Phase3")


def test_beside_shows_spec_and_code_in_text_and_html() -> None:
    b = tla.beside("Phase1b", Acceptor.on_prepare)
    text, page = b.to_text(), b._repr_html_()
    assert "m.bal > maxBal[a]" in text and "def on_prepare" in text
    assert "Lamport\u2019s TLA+ spec" in page and "def on_prepare" in page
    with pytest.raises(ValueError, match="methods must name"):
        tla.beside("Phase1b")
