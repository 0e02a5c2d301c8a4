"""Every notebook in notebooks/, run top to bottom in JupyterLab in a real Chromium.

The list is taken from the folder when the tests are collected, so a new notebook is
checked as soon as it lands. Each notebook is opened from a temporary copy, in a page
and workspace of its own; the test clears the saved outputs, runs all cells like a
reader would, and then looks at the page:

- no stderr or error output, no "Select Kernel" (or any other) dialog;
- no console error or uncaught exception in the page (except the benign noise listed
  with reasons in lab_driver.BENIGN_CONSOLE);
- every cell whose saved output is a widget shows a widget view again;
- nothing overflows, overlaps or scrolls sideways, at 1280 px and, for the index and
  the §2.2 notebooks, at 768 px;
- full-length screenshots in tests/browser/artifacts/ (<name>.png, <name>-narrow.png).

All problems of a notebook are gathered and reported together.
"""

from __future__ import annotations

import time
from pathlib import Path

import lab_driver as ld
import pytest

pytestmark = pytest.mark.browser

# The index and the two §2.2 notebooks (03_*, 04_*) are also checked at 768 px.
NARROW_PREFIXES = ("00_", "03_", "04_")


def narrow_checked(notebook: Path) -> bool:
    return notebook.name.startswith(NARROW_PREFIXES)


def _next_notebook(notebook: Path) -> Path | None:
    paths = ld.notebook_paths()
    i = paths.index(notebook)
    return paths[i + 1] if i + 1 < len(paths) else None


def _describe_layout(problems: list[tuple[int, str]], width: int) -> list[str]:
    return [f"at {width} px, cell {i}: {text}" for i, text in problems]


@pytest.mark.parametrize("notebook", ld.notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_cleanly_in_jupyterlab(
    notebook: Path, lab: ld.BrowserLab, artifacts: Path,
    record_timings: dict[str, dict[str, float]],
) -> None:
    cells = ld.read_cells(notebook)
    expected = [c.index for c in cells if c.cell_type == "code" and c.source.strip()]
    widget_cells = [c.index for c in cells if c.has_widget_output]
    problems: list[str] = []

    nb = lab.open(f"notebooks/{notebook.name}")
    try:
        shown = nb.cells().count()
        if shown != len(cells):
            problems.append(f"the page shows {shown} cells, the file has {len(cells)}")
        try:
            nb.run_all(expected)
        except Exception as e:  # a timeout: report it with everything else we can see
            problems.append(f"Run All Cells did not finish: {e}")
        record_timings[notebook.name] = timings = dict(nb.timings)
        t0 = time.monotonic()
        following = _next_notebook(notebook)
        if following is not None:  # its kernel starts while this one is checked
            assert lab.server is not None
            lab.server.prestart(f"notebooks/{following.name}", following)

        missing = [i for i in widget_cells if not nb.wait_widget_view(i)]
        problems += [f"cell {i}: its saved output is a widget, but no widget view rendered"
                     for i in missing]
        problems += [f"cell {i}: ipywidgets could not show a widget: {text!r}"
                     for i, text in nb.widget_errors()]
        problems += [f"cell {i}: error or stderr output: {text!r}"
                     for i, text in nb.error_outputs()]
        problems += [f"a dialog is open: {text!r}" for text in nb.dialogs()]
        wide = ld.WIDE["width"]
        problems += _describe_layout(nb.snapshot(artifacts / f"{notebook.stem}.png", wide),
                                     wide)
        if narrow_checked(notebook):
            narrow = ld.NARROW["width"]
            problems += _describe_layout(
                nb.snapshot(artifacts / f"{notebook.stem}-narrow.png", narrow), narrow)

        problems += [f"browser console: {record}" for record in nb.our_console_errors()]
        timings["checks"] = time.monotonic() - t0
    finally:
        nb.close()

    assert not problems, (f"{notebook.name} in JupyterLab ({len(problems)} problems; "
                          f"screenshots in {artifacts}):\n  " + "\n  ".join(problems))
