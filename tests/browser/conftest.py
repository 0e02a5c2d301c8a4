"""Fixtures for the browser suite: one JupyterLab server and one Chromium for the session.

Chromium missing: locally the folder is skipped with ONE message saying how to install
it; under CI=true every test fails instead, saying why (CI must never skip this suite).
The server serves a temporary copy of notebooks/ and is always shut down, kernels
first (see lab_driver.LabServer.stop). Screenshots and the latency table go to
tests/browser/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import lab_driver as ld
import pytest
import widget_scenes as scenes

HERE = Path(__file__).resolve().parent

_MISSING = ld.missing_requirement()
_skip_reported = pytest.StashKey[bool]()


class _NeedsChromium(pytest.File):
    """Stands in for a test module when Chromium is missing (locally): the first one
    skips with the reason, the others collect nothing, so the summary has ONE line."""

    def collect(self) -> list[pytest.Item]:
        if not self.config.stash.get(_skip_reported, False):
            self.config.stash[_skip_reported] = True
            pytest.skip(f"browser tests (tests/browser/) need Chromium: {_MISSING}; "
                        f"{ld.INSTALL_HINT}")
        return []


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector
                                ) -> pytest.File | None:
    if _MISSING and not ld.in_ci():
        return _NeedsChromium.from_parent(parent, path=module_path)
    return None  # the usual Module; under CI=true the chromium fixture fails instead

latency_key = pytest.StashKey[list[scenes.LatencyResult]]()
timings_key = pytest.StashKey[dict[str, dict[str, float]]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/browser carries the ``browser`` marker (``-m "not browser"``
    deselects the suite)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[latency_key] = []
    config.stash[timings_key] = {}


# ---------------------------------------------------------------------------
# Session: chromium, server, browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium. Reached without one only under CI=true (otherwise this folder
    was skipped at import): then every test fails, saying what is missing."""
    missing = ld.missing_requirement()
    if missing:
        pytest.fail(f"CI=true but the browser suite cannot run: {missing}; "
                    f"{ld.INSTALL_HINT}", pytrace=False)
    path = ld.chromium_path()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/browser/artifacts/, emptied of the previous run's pictures and tables."""
    ld.ARTIFACTS.mkdir(exist_ok=True)
    for old in ld.ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".txt", ".json"}:
            old.unlink()
    return ld.ARTIFACTS


@pytest.fixture(scope="session")
def lab(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory,
        request: pytest.FixtureRequest) -> Iterator[ld.BrowserLab]:
    """JupyterLab on a temporary copy of notebooks/, and Chromium, for the whole session."""
    from playwright.sync_api import expect

    # Every widget update is a round trip through the kernel; on a busy 2-core machine
    # the default 5 s is too tight for a fair test, 15 s is not.
    expect.set_options(timeout=15_000)
    lab = ld.BrowserLab.start(tmp_path_factory.mktemp("jupyterlab"), chromium_executable)
    try:
        yield lab
    finally:
        timings = request.config.stash[timings_key]
        for name, page in lab.apps.items():
            timings[f"(load JupyterLab, page {name!r})"] = {"visible": page.load_s}
        lab.stop()


@pytest.fixture(scope="session")
def record_timings(request: pytest.FixtureRequest) -> dict[str, dict[str, float]]:
    """Per-notebook timings (s), printed in the terminal summary."""
    return request.config.stash[timings_key]


@pytest.fixture(scope="session")
def latency_results(request: pytest.FixtureRequest) -> list[scenes.LatencyResult]:
    return request.config.stash[latency_key]


# ---------------------------------------------------------------------------
# The scratch notebook of widgets, shared by test_widgets.py and test_latency.py
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def widget_notebook(lab: ld.BrowserLab, record_timings: dict[str, dict[str, float]]
                    ) -> Iterator[scenes.WidgetNotebook]:
    """scratch/widgets.ipynb (see widget_scenes), run once; every widget test shares it
    and drives widget instances of its own."""
    assert lab.server is not None
    named = scenes.scratch_cells()
    path = ld.write_scratch_notebook(lab.server, "widgets", [src for _, src in named])
    nb = lab.open(path, app="widgets", clear=False)
    try:
        nb.run_all(list(range(len(named))))
        record_timings[path] = dict(nb.timings)
        yield scenes.WidgetNotebook(nb, {name: i for i, (name, _) in enumerate(named)})
    finally:
        nb.close()


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    timings = config.stash.get(timings_key, {})
    results = config.stash.get(latency_key, [])
    if timings:
        terminalreporter.write_sep("-", "JupyterLab in Chromium: seconds per notebook")
        terminalreporter.write_line(
            f"{'notebook':44} {'open':>6} {'kernel':>7} {'run all':>8} {'checks':>7}")
        for name, t in timings.items():
            terminalreporter.write_line(
                f"{name:44} {t.get('visible', 0):6.1f} {t.get('kernel_ready', 0):7.1f} "
                f"{t.get('run_all', 0):8.1f} {t.get('checks', 0):7.1f}")
    if results:
        table = scenes.latency_table(results, scenes.latency_target_ms())
        terminalreporter.write_sep("-", "click → new frame in the DOM (ms, in-page clock)")
        for line in table.splitlines():
            terminalreporter.write_line(line)
        ld.ARTIFACTS.mkdir(exist_ok=True)
        (ld.ARTIFACTS / "latency.txt").write_text(table + "\n", encoding="utf-8")
        (ld.ARTIFACTS / "latency.json").write_text(json.dumps(
            [{"widget": r.widget, "action": r.action, "median_ms": r.median,
              "samples_ms": list(r.samples_ms)} for r in results], indent=1) + "\n",
            encoding="utf-8")
