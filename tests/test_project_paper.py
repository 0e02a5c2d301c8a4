"""paxos_notes.paper: exact quotations, the section map, and the notebook map
agree with the paper's checked transcription, the files on disk and README.md."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from paxos_notes import paper

ROOT = Path(__file__).resolve().parents[1]

# The team keeps the checked transcription beside the repository (shared/), and
# CI lays a copy of shared/ beside its clone. PAXOS_NOTES_SHARED overrides.
SHARED = Path(os.environ.get("PAXOS_NOTES_SHARED", ROOT.parent / "shared"))


def _squash(text: str) -> str:
    # The transcription wraps lines; a quotation may span a line break.
    return " ".join(text.split())


@pytest.fixture(scope="module")
def transcription() -> str:
    path = SHARED / "PAPER.md"
    if not path.is_file():
        pytest.skip(f"no checked transcription at {path} (set PAXOS_NOTES_SHARED)")
    return _squash(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("label", list(paper.QUOTES))
def test_quotation_is_exact(label: str, transcription: str) -> None:
    q = paper.QUOTES[label]
    assert _squash(q.text) in transcription, (
        f"{label}: {q.text!r} is not, word for word, in PAPER.md"
    )


def test_quotations_are_short() -> None:
    # Selective quoting: a numbered statement at most, never a paragraph.
    longest = max(paper.QUOTES.values(), key=lambda q: len(q.text))
    assert len(longest.text) <= 400, f"{longest.label} is {len(longest.text)} characters"


def test_the_numbered_statements_and_phases_are_all_there() -> None:
    for label in ("P1", "P2", "P2a", "P2b", "P2c", "P1a",
                  "Phase 1(a)", "Phase 1(b)", "Phase 2(a)", "Phase 2(b)"):
        assert label in paper.QUOTES, label
        assert paper.QUOTES[label].section == "2.2"


def test_quote_lookup_ignores_spacing_and_case() -> None:
    assert paper.quote("phase 1 (b)") is paper.QUOTES["Phase 1(b)"]
    assert paper.quote(" p2C ") is paper.QUOTES["P2c"]


def test_unknown_label_fails_loudly_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="P2c"):
        paper.quote("P3")


def test_quote_renders_attributed_blockquote() -> None:
    q = paper.quote("P1")
    rendered = q._repr_html_()
    assert rendered.startswith("<blockquote>")
    assert "An acceptor must accept the first proposal that it receives." in rendered
    assert "Lamport" in rendered and "Paxos Made Simple" in rendered and "§2.2" in rendered
    assert str(q).startswith("P1 (§2.2): ")
    assert paper.quote("Abstract").where == "Abstract"


def test_sections_follow_the_paper_order() -> None:
    numbers = [s.number for s in paper.SECTIONS]
    assert numbers == ["1", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "3"]
    assert paper.section("2.4").title == "Progress"
    with pytest.raises(KeyError):
        paper.section("4")


def test_every_quotation_names_a_real_section() -> None:
    known = {s.number for s in paper.SECTIONS} | {"Abstract"}
    for q in paper.QUOTES.values():
        assert q.section in known, f"{q.label}: no section {q.section!r}"


def test_section_map_and_notebook_map_agree() -> None:
    by_file = {n.filename: n for n in paper.NOTEBOOKS}
    for s in paper.SECTIONS:
        for filename in s.notebooks:
            assert filename in by_file, f"§{s.number} names unknown notebook {filename}"
            assert s.number in by_file[filename].sections, (
                f"{filename} does not list §{s.number} among its sections"
            )
    numbers = {s.number for s in paper.SECTIONS}
    for n in paper.NOTEBOOKS:
        assert set(n.sections) <= numbers, f"{n.filename}: unknown section in {n.sections}"


def test_planned_notebooks_match_the_team_plan() -> None:
    plan = SHARED / "NOTEBOOKS.md"
    if not plan.is_file():
        pytest.skip(f"no plan at {plan}")
    planned = re.findall(r"^\| `(\d\d_[a-z_]+\.ipynb)` \|", plan.read_text(encoding="utf-8"),
                         re.MULTILINE)
    assert planned, "could not read the plan's table"
    assert [n.filename for n in paper.NOTEBOOKS] == planned


def test_status_matches_the_files_in_notebooks() -> None:
    for n in paper.NOTEBOOKS:
        exists = (ROOT / "notebooks" / n.filename).is_file()
        assert (n.status == "written") == exists, (
            f"{n.filename} {'exists' if exists else 'does not exist'} but paper.py marks it "
            f"{n.status!r}; update NOTEBOOKS in paxos_notes/paper.py and run `make notebooks`"
        )


def test_readme_map_agrees_with_the_package() -> None:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*\[?`?(\d\d_[a-z_]+\.ipynb)", line)
        if m:
            rows[m.group(1)] = line
    for n in paper.NOTEBOOKS:
        assert n.filename in rows, f"README's notebook map lacks {n.filename}"
        assert n.status in rows[n.filename], f"README should mark {n.filename} {n.status!r}"


def test_section_table_renders_as_html_and_text() -> None:
    table = paper.section_table()
    html = table._repr_html_()
    assert html.startswith('<table class="paxos-notes-table">')
    assert html.count("<tr>") == len(paper.SECTIONS) + 1  # header + one per section
    text = table.to_text().splitlines()
    assert len(text) == 1 + 2 + len(paper.SECTIONS)  # caption, header, rule, rows
    for s, line in zip(paper.SECTIONS, text[3:], strict=True):
        assert line.startswith(f"§{s.number} ") and s.title in line


def test_notebook_map_links_only_written_notebooks() -> None:
    html = paper.notebook_map()._repr_html_()
    for n in paper.NOTEBOOKS:
        linked = f'<a href="{n.filename}">' in html
        assert linked == (n.status == "written"), n.filename


def test_table_escapes_html_and_rejects_ragged_rows() -> None:
    t = paper.Table(columns=("a", "b"), rows=(("<b>x</b>", "&"),))
    assert "&lt;b&gt;x&lt;/b&gt;" in t._repr_html_() and "&amp;" in t._repr_html_()
    assert t.records() == [{"a": "<b>x</b>", "b": "&"}]
    with pytest.raises(ValueError, match="2 cells"):
        paper.Table(columns=("a", "b"), rows=(("only one",),))


def test_section_records_are_plain_json_data() -> None:
    import json

    records = paper.section_records()
    assert json.loads(json.dumps(records)) == records
    assert records[3] == {
        "number": "2.2",
        "title": "Choosing a Value",
        "notebooks": ["03_choosing_a_value.ipynb", "04_the_algorithm.ipynb"],
        "summary": paper.section("2.2").summary,
    }
