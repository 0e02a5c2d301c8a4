"""Click → new frame latency of every widget in a real JupyterLab in headless Chromium.

Run: ``python benchmarks/browser_latency.py [--clicks N]``. Starts the same JupyterLab
server and Chromium as the browser tests (tests/browser/lab_driver.py: temporary
folders, free port, random token, all shut down at the end), runs a scratch notebook
with one fresh instance of each widget (tests/browser/widget_scenes.py), then clicks
each widget's step (or toggle) button N times. Each sample is timed inside the page
with performance.now(): from the click to the widget's picture element holding the new
frame (a MutationObserver on it). Prints the medians as a table; the target is a
median of at most 150 ms on the reference 2-core machine.

The Python side alone (no browser, no kernel) is measured by benchmarks/widgets.py.
Needs Chromium (Debian's, at /usr/bin/chromium, or $CHROMIUM) and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import lab_driver as ld  # noqa: E402
import widget_scenes as scenes  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=scenes.LATENCY_CLICKS,
                        help="clicks per widget (default: %(default)s)")
    args = parser.parse_args(argv)

    executable = ld.chromium_path()
    if executable is None:
        print(f"browser_latency: no Chromium; {ld.INSTALL_HINT}", file=sys.stderr)
        return 0 if not ld.in_ci() else 1

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="paxos-notes-latency-") as tmp:
        lab = ld.BrowserLab.start(Path(tmp), executable)
        try:
            assert lab.server is not None
            cells = [scenes.SETUP, *scenes.latency_sources()]
            path = ld.write_scratch_notebook(lab.server, "latency", cells)
            nb = lab.open(path, app="bench", clear=False)
            nb.run_all(list(range(len(cells))))
            for i in range(1, len(cells)):
                if not nb.wait_widget_view(i):
                    print(f"browser_latency: cell {i} shows no widget", file=sys.stderr)
                    return 1
            problems = nb.error_outputs() + nb.widget_errors()
            if problems:
                print(f"browser_latency: the scratch notebook failed: {problems}",
                      file=sys.stderr)
                return 1
            results = [scenes.measure(nb.page, case, args.clicks)
                       for case in scenes.LATENCY_CASES]
        finally:
            lab.stop()

    target = scenes.latency_target_ms()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"click → new frame in the DOM, {args.clicks} clicks per widget "
          f"(Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}, {time.monotonic() - started:.0f} s in all)")
    print(scenes.latency_table(results, target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
