"""Hygiene of every committed notebook in notebooks/ (strict nbval checks the
outputs themselves; these tests check what nbval does not look at)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from paxos_notes import paper, tla

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

# Strings that betray the machine a notebook was run on. Outputs must not carry
# them: they differ on every reader's machine and leak local details.
LOCAL_PATH_MARKERS = ("/work/", "/root/", "/home/", "/tmp/", "/Users/", "/var/folders/",
                      "C:\\\\Users", "C:\\Users")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_is_at_least_the_index_notebook() -> None:
    assert NOTEBOOK_DIR / "00_index.ipynb" in NOTEBOOKS


each_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])


@each_notebook
def test_is_valid_nbformat_4(path: Path) -> None:
    nb = _read(path)
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}, expected 4"
    nbformat.validate(nb)  # raises ValidationError with the offending field


@each_notebook
def test_kernel_is_python3(path: Path) -> None:
    spec = _read(path).metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec {spec!r}"


@each_notebook
def test_code_cells_were_executed_in_order(path: Path) -> None:
    cells = [c for c in _code_cells(_read(path)) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts}; run `make notebooks` to execute it "
        "top to bottom in a fresh kernel"
    )


@each_notebook
def test_no_error_or_stderr_output(path: Path) -> None:
    for i, cell in enumerate(_code_cells(_read(path)), start=1):
        for out in cell.outputs:
            assert out.output_type != "error", (
                f"{path.name}, code cell {i}: error {out.get('ename')}: {out.get('evalue')}"
            )
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{path.name}, code cell {i}: stderr output {out.text[:200]!r}"
            )


@each_notebook
def test_no_local_paths_in_outputs(path: Path) -> None:
    markers = (*LOCAL_PATH_MARKERS, str(ROOT), str(Path.home()) + "/")
    for i, cell in enumerate(_code_cells(_read(path)), start=1):
        text = json.dumps(cell.outputs, ensure_ascii=False)
        for marker in markers:
            assert marker not in text, f"{path.name}, code cell {i}: output contains {marker!r}"


@each_notebook
def test_first_cell_is_a_title_naming_the_paper_section(path: Path) -> None:
    entries = {n.filename: n for n in paper.NOTEBOOKS}
    assert path.name in entries, (
        f"{path.name} is not in paxos_notes.paper.NOTEBOOKS; add it to the map"
    )
    nb = _read(path)
    assert nb.cells, f"{path.name} is empty"
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: first cell is {first.cell_type}"
    title = first.source.strip().splitlines()[0]
    assert re.match(r"#\s+\S", title), f"{path.name}: first line {title!r} is not a # title"
    key = entries[path.name].title_key
    assert title_names(title, key), f"{path.name}: title {title!r} should name {key!r}"


def title_names(title: str, key: str) -> bool:
    """Does ``title`` name ``key``? A section number must appear as a whole number
    ("2.1" is in "§2.1 The Problem" but "1" is not in "§2.1")."""
    if re.fullmatch(r"[\d.]+", key):
        return re.search(rf"(?<![\d.]){re.escape(key)}(?!\.?\d)", title) is not None
    return key.lower() in title.lower()


def test_title_names_matches_whole_section_numbers() -> None:
    assert title_names("# §2.1 The Problem", "2.1")
    assert title_names("# Section 1: Introduction", "1")
    assert not title_names("# §2.1 The Problem", "1")
    assert not title_names("# §2.2 Choosing a Value", "2")
    assert title_names("# Paxos Made Simple: reading companion index", "index")


# Links: markdown [text](target) and HTML href="target" (the index renders its map
# as HTML). External links (with a scheme) and pure anchors are not files.
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']")


def relative_links(nb: nbformat.NotebookNode) -> list[str]:
    """Every relative link in a notebook's markdown cells and HTML outputs."""
    found: list[str] = []
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [
            "".join(o.get("data", {}).get("text/html", ""))
            for o in cell.get("outputs", []) if o.get("output_type") in
            ("display_data", "execute_result")]
        for text in texts:
            found += _MD_LINK.findall(text) + _HREF.findall(text)
    return [link for link in found if "://" not in link and not link.startswith(("#", "mailto:"))]


def test_relative_links_are_found_in_markdown_and_html() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("See [05](05_x.ipynb#top) and [web](https://a.b/c) "
                                      "and [anchor](#here) and [src](../paxos_notes/x.py)."),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": '<a href="06_y.ipynb">six</a>'})]),
    ])
    assert relative_links(nb) == ["05_x.ipynb#top", "../paxos_notes/x.py", "06_y.ipynb"]


@each_notebook
def test_every_relative_link_points_to_a_file_that_exists(path: Path) -> None:
    missing = [link for link in relative_links(_read(path))
               if not (path.parent / link.split("#", 1)[0]).exists()]
    assert not missing, f"{path.name} links to files that do not exist: {missing}"


_QUOTE_CALL = re.compile(r"""(?<!tla\.)(?:quote|beside)\(\s*["']([^"']+)["']""")
_TLA_CALL = re.compile(r"""tla\.(?:excerpt|beside)\(\s*["']([^"']+)["']""")


def test_every_quotation_of_the_paper_is_shown_in_some_notebook() -> None:
    shown: set[str] = set()
    for path in NOTEBOOKS:
        for cell in _code_cells(_read(path)):
            shown.update(_QUOTE_CALL.findall(cell.source))
    unknown = shown - set(paper.QUOTES)
    assert not unknown, f"notebooks quote labels that paper.QUOTES does not have: {unknown}"
    never = sorted(set(paper.QUOTES) - shown)
    assert not never, f"quotations never shown in any notebook: {never}"


def test_every_excerpt_of_the_tla_spec_is_shown_and_exists() -> None:
    shown: set[str] = set()
    for path in NOTEBOOKS:
        for cell in _code_cells(_read(path)):
            shown.update(_TLA_CALL.findall(cell.source))
    assert shown <= set(tla.EXCERPTS), f"unknown excerpts: {shown - set(tla.EXCERPTS)}"
    assert shown == set(tla.EXCERPTS), f"excerpts never shown: {set(tla.EXCERPTS) - shown}"
