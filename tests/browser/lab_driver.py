"""Drive a real JupyterLab in headless Chromium: shared by tests/browser and benchmarks.

Nothing here imports pytest (and playwright only when used): ``benchmarks/
browser_latency.py`` imports this module directly (it puts tests/browser on
``sys.path``), and ``tests/browser/conftest.py`` wraps it in fixtures.

- `LabServer` serves a temporary copy of ``notebooks/`` on 127.0.0.1 (free port,
  random token; config, runtime, data, settings and workspaces folders all inside the
  temporary folder; news and update checks off), waits for readiness through the REST
  API, and on `LabServer.stop` shuts every kernel down, then the server, then makes
  sure its whole process group is gone.
- `launch_chromium` starts Debian's Chromium through Playwright (``playwright install``
  cannot download a browser on these machines).
- `BrowserLab` ties one server, one Chromium and named `LabPage` s together. A
  `LabPage` is one JupyterLab app in one Chromium page; notebooks are opened in it one
  after another as `NotebookPage` s, which wait until the kernel is really ready, run
  all cells and report what a reader would see: error outputs, dialogs (such as
  "Select Kernel"), console errors, widget views, layout problems, screenshots.
- `click_to_frame_ms` times click → new frame in the page's own clock.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # playwright is imported lazily: collection must work without it
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        CDPSession,
        ConsoleMessage,
        Locator,
        Page,
        Playwright,
    )

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO_ROOT / "notebooks"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

CHROMIUM_ENV = "CHROMIUM"  # the same override scripts/ensure-chromium honours
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
INSTALL_HINT = ("install Debian's Chromium with `sudo apt-get install -y chromium` "
                "(or run scripts/ensure-chromium), or point $CHROMIUM at a Chromium binary")

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 768, "height": 900}

SERVER_READY_S = 60.0
KERNEL_READY_MS = 60_000
RUN_ALL_MS = 120_000  # a notebook's own target is 15 s; this is the hard ceiling

# Settings written into the temporary JUPYTERLAB_SETTINGS_DIR, one file per plugin.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    # No news pop-up, no update check: the only way to silence the news toast.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    # Belt and braces: the server serves a copy anyway, and the tests never save.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Attach every cell to the DOM, so cell/output queries and full-length screenshots
    # see the whole notebook whatever the default windowing mode becomes.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def expect(*args: Any, **kwargs: Any) -> Any:
    """Playwright's ``expect``, imported on first use (collection works without it, and
    the ``chromium_executable`` fixture then says what is missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def in_ci() -> bool:
    """CI machines set CI=true (GitHub, GitLab, our .ci/run); then nothing may skip."""
    return truthy(os.environ.get("CI"))


def chromium_path() -> Path | None:
    """Debian's Chromium (or $CHROMIUM) if it is an executable file, else None."""
    candidate = Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def missing_requirement() -> str:
    """Why the browser suite cannot run here, or "" if it can."""
    if chromium_path() is None:
        return f"no Chromium at {os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -e '.[test]')"
    return ""


def launch_chromium(playwright: Playwright, executable: Path) -> Browser:
    return playwright.chromium.launch(executable_path=str(executable), headless=True,
                                      args=CHROMIUM_ARGS)


def new_context(browser: Browser) -> BrowserContext:
    """One context for the whole run; each `LabPage` is a page (and a JupyterLab
    workspace) of its own in it."""
    return browser.new_context(viewport=WIDE)


def free_port() -> int:
    """A port nobody listens on right now (the server is told not to move to another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def notebook_paths() -> list[Path]:
    """Every committed notebook, in name order (new ones are picked up automatically)."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------


@dataclass
class LabServer:
    """A JupyterLab server of our own, on a temporary copy of the notebooks."""

    base: Path  # the temporary folder that holds everything
    root: Path  # the server's root_dir: notebooks/ (a copy) and scratch/
    port: int
    token: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    _log: Any = field(repr=False, default=None)
    _pending: list[threading.Thread] = field(repr=False, default_factory=list)
    _prestarts: dict[str, threading.Thread] = field(repr=False, default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, base: Path, notebooks: Path = NOTEBOOKS,
              extra_pythonpath: Sequence[Path] = (REPO_ROOT,)) -> LabServer:
        base.mkdir(parents=True, exist_ok=True)
        root = base / "root"
        shutil.copytree(notebooks, root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (root / "scratch").mkdir()
        env = lab_environment(base, extra_pythonpath)
        write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        port, token = free_port(), secrets.token_hex(24)
        log_path = base / "jupyter-lab.log"
        log = log_path.open("wb")
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # window.jupyterapp: notebooks are opened with the app's own command.
            "--LabApp.expose_app_in_browser=True",
            # If this process dies without stopping the server, the server stops itself
            # after 10 idle minutes (kernels are culled after 10 idle minutes first).
            "--ServerApp.shutdown_no_activity_timeout=600",
            "--MappingKernelManager.cull_idle_timeout=600",
            "--MappingKernelManager.cull_interval=60",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        # A session of its own: kernels are the server's children, so the whole group
        # can be made to go away by its id if a polite shutdown is not enough.
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        server = cls(base, root, port, token, proc, log_path, log)
        try:
            server.wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    # -- REST -------------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def wait_ready(self, timeout: float = SERVER_READY_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                status = self.api("GET", "/api/status", timeout=2.0)
                kernelspecs = self.api("GET", "/api/kernelspecs", timeout=5.0)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
                continue
            if isinstance(status, dict) and kernelspecs.get("kernelspecs"):
                return
            time.sleep(0.2)
        raise TimeoutError(f"jupyter lab not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def lab_url(self, path: str, workspace: str, reset: bool = True) -> str:
        """A URL that opens JupyterLab (on ``path`` if given) in workspace ``workspace``;
        ``reset`` starts the workspace empty (no tab left from before)."""
        query = f"token={self.token}" + ("&reset" if reset else "")
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab/workspaces/{workspace}{tree}?{query}"

    def shutdown_sessions(self, path_prefix: str = "") -> None:
        """Delete the sessions (and so the kernels) of notebooks under ``path_prefix``."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path", "").startswith(path_prefix):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def prestart(self, path: str, notebook_file: Path) -> None:
        """Start the kernel of the notebook that will be opened next, in the background,
        while the current one is still being checked: JupyterLab then attaches to this
        fresh, idle session instead of starting (and waiting for) a kernel of its own.
        Only for a notebook that names its kernel; one that does not is opened the
        ordinary way, so a missing kernelspec still shows (as a "Select Kernel" dialog)."""
        name = kernel_name(notebook_file)
        if not name or path in self._prestarts:
            return
        body = {"path": path, "name": Path(path).name, "type": "notebook",
                "kernel": {"name": name}}
        thread = threading.Thread(target=self._post_quietly, args=("/api/sessions", body),
                                  name=f"prestart {path}", daemon=True)
        thread.start()
        self._prestarts[path] = thread
        self._pending.append(thread)

    def wait_prestart(self, path: str) -> None:
        """A notebook is opened only once its pre-started session exists (else there
        could be two kernels for it)."""
        thread = self._prestarts.pop(path, None)
        if thread is not None:
            thread.join(timeout=60)

    def _post_quietly(self, path: str, body: Any) -> None:
        try:
            self.api("POST", path, body, timeout=60.0)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass  # JupyterLab starts a kernel itself when it opens the notebook

    def shutdown_sessions_soon(self, path_prefix: str) -> None:
        """`shutdown_sessions` in a background thread: a kernel takes a second or two to
        stop, and the next notebook need not wait for it. `stop` waits for all of them."""
        thread = threading.Thread(target=self._shutdown_quietly, args=(path_prefix,),
                                  name=f"shutdown {path_prefix}", daemon=True)
        thread.start()
        self._pending.append(thread)

    def _shutdown_quietly(self, path_prefix: str) -> None:
        try:
            self.shutdown_sessions(path_prefix)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass  # stop() shuts every kernel down anyway

    def shutdown_kernels(self) -> None:
        for kernel in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=20.0)

    def stop(self, timeout: float = 15.0) -> None:
        """Kernels first, then the server; whatever is left of the group is killed."""
        for thread in self._pending:
            thread.join(timeout=30)
        self._pending.clear()
        if self.proc.poll() is None:
            try:
                self.shutdown_sessions()
                self.shutdown_kernels()
                self.api("POST", "/api/shutdown")
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.proc.wait(timeout=5)
        # Kernels live in the server's process group; none may outlive the run. The
        # group's id may be reused once the server is gone, so only processes that are
        # provably ours (in the group and naming our temporary folder) are killed.
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def leftovers(self) -> list[int]:
        """Live processes of the server's process group whose command line names our
        temporary folder (kernels get ``-f <runtime dir>/kernel-….json``). Linux only."""
        found = []
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                stat = (proc_dir / "stat").read_text()
                pgrp = int(stat.rsplit(")", 1)[1].split()[2])
                cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ")
            except (OSError, ValueError, IndexError):
                continue
            if pgrp == self.proc.pid and str(self.base).encode() in cmdline:
                found.append(int(proc_dir.name))
        return found

    def _signal_group(self, sig: signal.Signals) -> None:
        """Only while the server (the group's leader) is alive: then the group is ours."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def lab_environment(base: Path, extra_pythonpath: Sequence[Path]) -> dict[str, str]:
    """The server's (and so its kernels') environment: every Jupyter folder isolated."""
    env = dict(os.environ)
    folders = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    paths = [str(p) for p in extra_pythonpath]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # The notebooks print set-ordered text; `make notebooks` and nbval fix the seed too.
    env["PYTHONHASHSEED"] = "0"
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JPY_SESSION_NAME", None)
    return env


def write_lab_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        target = settings_dir / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))


# ---------------------------------------------------------------------------
# Notebooks in the browser
# ---------------------------------------------------------------------------

# Console errors that are not ours, each with the reason it is harmless. Matched as
# substrings of the message text. Keep this list short and explain every entry.
BENIGN_CONSOLE: tuple[tuple[str, str], ...] = ()

# Only the notebook on show: a closed panel leaves the DOM, a hidden one is marked.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{PANEL} .jp-Notebook .jp-Cell"
ERROR_OUTPUTS = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
)
WIDGET_VIEW = ".jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output [class*='widget-']"
KERNEL_NAME = f"{PANEL} .jp-NotebookPanel-toolbar .jp-Toolbar-kernelName"
IDLE = f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]'
# The element that scrolls the notebook (JupyterLab 4's windowed panel).
SCROLLER_JS = (f"(document.querySelector('{PANEL} .jp-WindowedPanel-outer')"
               f" || document.querySelector('{PANEL} .jp-Notebook'))")
MAX_SCREENSHOT_HEIGHT = 30_000
# The viewport height at which the whole notebook (down to its last cell) is in view.
NEEDED_HEIGHT_JS = f"""
([cellsSel]) => {{
  const s = {SCROLLER_JS};
  const cells = document.querySelectorAll(cellsSel);
  if (!s || !cells.length) return window.innerHeight;
  const top = s.getBoundingClientRect().top;
  const content = cells[cells.length - 1].getBoundingClientRect().bottom - top + s.scrollTop;
  return window.innerHeight + Math.max(0, content - s.clientHeight) + 40;
}}
"""

WIDGET_VIEW_MS = 15_000
# What ipywidgets puts in an output when it cannot show a view.
WIDGET_FAILURE_TEXT = ("Error displaying widget", "Error rendering widget",
                       "Widget Javascript not detected")

APP_READY_JS = """
() => !!window.jupyterapp && !!document.querySelector('#jp-main-dock-panel')
      && !!document.querySelector('.jp-SideBar.jp-mod-left .lm-TabBar-tab')
"""

CLEARED_JS = """
([cellsSel]) => [...document.querySelectorAll(cellsSel)].every(cell => {
  const prompt = cell.querySelector(".jp-InputPrompt");
  return !cell.classList.contains("jp-CodeCell")
         || (!/\\d/.test(prompt ? prompt.textContent : "")
             && cell.querySelectorAll(".jp-OutputArea-output").length === 0);
})
"""

# The kernel is ready when the toolbar names it (not "No Kernel") AND the execution
# indicator says idle: the indicator alone reads idle before any kernel is attached.
# A dialog (e.g. "Select Kernel") ends the wait too, so that it is reported at once.
KERNEL_READY_JS = """
([kernelName, idle]) => {
  if (document.querySelector(".jp-Dialog")) return true;
  const name = document.querySelector(kernelName);
  const text = name ? name.textContent.trim() : "";
  return text !== "" && text !== "No Kernel" && !text.startsWith("Kernel")
         && document.querySelector(idle) !== null;
}
"""

# True when every code cell we expect to run shows an execution count and the kernel is
# idle. ``indices`` are the positions (among all cells) of code cells with source; the
# outputs were cleared first, so a count can only come from this run.
RUN_DONE_JS = """
([cellsSel, indices, idle]) => {
  const cells = document.querySelectorAll(cellsSel);
  for (const i of indices) {
    const cell = cells[i];
    if (!cell) return false;
    const prompt = cell.querySelector(".jp-InputPrompt");
    if (!prompt || !/\\[\\d+\\]/.test(prompt.textContent)) return false;
  }
  return document.querySelector(idle) !== null;
}
"""


@dataclass
class CellInfo:
    index: int
    cell_type: str
    source: str
    has_widget_output: bool


def read_cells(path: Path) -> list[CellInfo]:
    """The cells of a notebook file, with which ones saved a widget view."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        widget = any("application/vnd.jupyter.widget-view+json" in (o.get("data") or {})
                     for o in cell.get("outputs", []) or [])
        out.append(CellInfo(i, cell.get("cell_type", ""), source, widget))
    return out


def kernel_name(path: Path) -> str:
    """The kernelspec name a notebook file asks for ("" if none)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return str(((nb.get("metadata") or {}).get("kernelspec") or {}).get("name") or "")


@dataclass
class ConsoleRecord:
    kind: str  # "console" or "pageerror"
    text: str
    location: str = ""

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"[{self.kind}] {self.text}{where}"


def is_benign(record: ConsoleRecord, benign: Iterable[tuple[str, str]] = BENIGN_CONSOLE) -> bool:
    return any(pattern in record.text for pattern, _reason in benign)


class LabPage:
    """One JupyterLab app in one Chromium page; notebooks are opened in it one at a time,
    through the app's own command (what the file browser does on a double click).

    Loading JupyterLab costs 6-10 s on a 2-core machine; opening a notebook in a running
    app costs well under a second (plus the kernel's start). Console messages are recorded
    for the page's lifetime and attributed to the notebook open when they arrive.
    """

    def __init__(self, context: BrowserContext, server: LabServer, workspace: str) -> None:
        self.server = server
        self.workspace = workspace
        self.page: Page = context.new_page()
        self.console: list[ConsoleRecord] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console.append(
            ConsoleRecord("pageerror", f"{exc.name}: {exc.message}", exc.stack or "")))
        self.current: NotebookPage | None = None
        self.load_s = 0.0
        self._cdp: CDPSession | None = None

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f"{loc.get('url', '')}:{loc.get('lineNumber', '')}" if loc else ""
            self.console.append(ConsoleRecord("console", msg.text, where))

    def load(self) -> None:
        """Load JupyterLab (a fresh workspace, no tabs), close the file browser."""
        t0 = time.monotonic()
        self.page.goto(self.server.lab_url("", self.workspace), wait_until="domcontentloaded")
        self.page.wait_for_function(APP_READY_JS, timeout=KERNEL_READY_MS, polling=100)
        self.page.evaluate("() => window.jupyterapp.restored")  # every plugin activated
        self.collapse_left_sidebar()
        self.load_s = time.monotonic() - t0

    def collapse_left_sidebar(self) -> None:
        """Close the file browser, as a reader beside the paper would: the notebook gets
        the width (the narrow-screen check measures the notebook, not the side bar)."""
        current = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if current.count():
            current.first.click()
            self.page.locator("#jp-left-stack").wait_for(state="hidden", timeout=5_000)

    def open(self, path: str, *, clear: bool = True) -> NotebookPage:
        """Open ``path`` (relative to the server root), wait until its kernel is really
        ready and (by default) clear every saved output."""
        if self.current is not None:
            self.current.close()
        self.page.set_viewport_size(WIDE)  # a narrow check before may have shrunk it
        self.server.wait_prestart(path)
        nb = NotebookPage(self, path)
        self.current = nb
        try:
            nb.open()
            if clear:
                nb.clear_outputs()
        except BaseException:
            nb.close()
            raise
        return nb

    def capture_png(self, target: Path, width: int, height: int) -> None:
        """A PNG of the top ``width`` x ``height`` px of the page. Straight through the
        DevTools protocol with ``optimizeForSpeed``: half the time of page.screenshot for
        a notebook-long picture (a bigger file; the artifacts are not committed)."""
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        try:
            if self._cdp is None:
                self._cdp = self.page.context.new_cdp_session(self.page)
            shot = self._cdp.send("Page.captureScreenshot",
                                  {"format": "png", "clip": clip, "optimizeForSpeed": True})
            target.write_bytes(base64.b64decode(shot["data"]))
        except Exception:  # an older Chromium: the portable (slower) way
            self.page.screenshot(path=str(target),
                                 clip={"x": 0, "y": 0, "width": width, "height": height})

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
        self.page.close()


class NotebookPage:
    """One notebook on show in a `LabPage`: run it, and read what a reader would see."""

    def __init__(self, lab: LabPage, path: str) -> None:
        self.lab = lab
        self.page: Page = lab.page
        self.server = lab.server
        self.path = path  # relative to the server root, e.g. "notebooks/00_index.ipynb"
        self._console_from = len(lab.console)
        self.timings: dict[str, float] = {}
        self.closed = False

    @property
    def console(self) -> list[ConsoleRecord]:
        """Console errors and uncaught exceptions since this notebook was opened."""
        return self.lab.console[self._console_from:]

    # -- opening and running -------------------------------------------------------
    def open(self) -> None:
        t0 = time.monotonic()
        # Return nothing: Playwright would try to serialise the whole notebook widget.
        self.page.evaluate(
            """async path => {
                 await window.jupyterapp.commands.execute(
                   'docmanager:open', {path, factory: 'Notebook'});
                 return null;
               }""", self.path)
        self.page.locator(CELLS).first.wait_for(state="visible", timeout=KERNEL_READY_MS)
        self.timings["visible"] = time.monotonic() - t0
        self.page.wait_for_function(KERNEL_READY_JS, arg=[KERNEL_NAME, IDLE],
                                    timeout=KERNEL_READY_MS, polling=100)
        dialogs = self.dialogs()
        if dialogs:
            raise AssertionError(f"{self.path}: a dialog opened instead of a ready kernel: "
                                 f"{dialogs!r}")
        self.timings["kernel_ready"] = time.monotonic() - t0

    def clear_outputs(self) -> None:
        """Edit → Clear Outputs of All Cells: afterwards every output and execution count
        on the page comes from this run, never from the committed file."""
        self._menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(CLEARED_JS, arg=[CELLS], timeout=10_000, polling=100)

    def run_all(self, expected: Sequence[int]) -> None:
        """Run → Run All Cells, then wait until every cell in ``expected`` has a count."""
        t0 = time.monotonic()
        self._menu("Run", "Run All Cells")
        self.page.wait_for_function(RUN_DONE_JS, arg=[CELLS, list(expected), IDLE],
                                    timeout=RUN_ALL_MS, polling=100)
        self.timings["run_all"] = time.monotonic() - t0

    def _menu(self, menu: str, item: str) -> None:
        self.page.locator(f'.lm-MenuBar-itemLabel:text-is("{menu}")').click()
        self.page.locator(f'.lm-Menu-itemLabel:text-is("{item}")').click()

    # -- what the reader sees ------------------------------------------------------------
    def cells(self) -> Locator:
        return self.page.locator(CELLS)

    def error_outputs(self) -> list[tuple[int, str]]:
        """(cell index, text) of every stderr or error output in the notebook."""
        return self._outputs_matching(ERROR_OUTPUTS, [])

    def widget_errors(self) -> list[tuple[int, str]]:
        """(cell index, text) of outputs where ipywidgets says it could not show a widget."""
        return self._outputs_matching(".jp-OutputArea-output", list(WIDGET_FAILURE_TEXT))

    def _outputs_matching(self, selector: str, needles: list[str]) -> list[tuple[int, str]]:
        found = self.page.evaluate(
            """([cellsSel, sel, needles]) => {
                 const out = [];
                 document.querySelectorAll(cellsSel).forEach((cell, i) => {
                   cell.querySelectorAll(sel).forEach(o => {
                     const text = o.innerText;
                     if (!needles.length || needles.some(n => text.includes(n)))
                       out.push([i, text.slice(0, 2000)]);
                   });
                 });
                 return out;
               }""", [CELLS, selector, needles])
        return [(int(i), str(text)) for i, text in found]

    def dialogs(self) -> list[str]:
        """The text of every open dialog ("Select Kernel", "Save changes?", ...)."""
        return [t.strip() for t in self.page.locator(".jp-Dialog").all_inner_texts()]

    def wait_widget_view(self, index: int, timeout_ms: int = WIDGET_VIEW_MS) -> bool:
        """Whether cell ``index`` shows a widget view (views render after the reply)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.cells().nth(index).locator(WIDGET_VIEW).first.wait_for(
                state="attached", timeout=timeout_ms)
        except PlaywrightTimeout:
            return False
        return True

    def our_console_errors(self) -> list[ConsoleRecord]:
        return [r for r in self.console if not is_benign(r)]

    def snapshot(self, target: Path, width: int) -> list[tuple[int, str]]:
        """At ``width`` px: the layout problems (see `layout_problems`) and a screenshot of
        the whole notebook, not just the viewport. JupyterLab scrolls inside the notebook
        panel, so the viewport is made as tall as the notebook (at most
        MAX_SCREENSHOT_HEIGHT); it stays that way until `LabPage.open` resets it."""
        target.parent.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size or WIDE
        if size["width"] != width:
            self.page.set_viewport_size({"width": width, "height": size["height"]})
        needed = self.page.evaluate(NEEDED_HEIGHT_JS, [CELLS])
        height = min(int(needed), MAX_SCREENSHOT_HEIGHT)
        if height > (self.page.viewport_size or size)["height"]:
            self.page.set_viewport_size({"width": width, "height": height})
        # Back to the top (Run All leaves the last cell in view), let the layout settle.
        bottom = self.page.evaluate(
            f"""async ([cellsSel]) => {{
                 const s = {SCROLLER_JS};
                 if (s) s.scrollTop = 0;
                 await new Promise(r => requestAnimationFrame(() => setTimeout(r, 200)));
                 const cells = document.querySelectorAll(cellsSel);
                 const last = cells[cells.length - 1];
                 return last ? last.getBoundingClientRect().bottom : window.innerHeight;
               }}""", [CELLS])
        problems = layout_problems(self.page)
        view = self.page.viewport_size or size
        # The panel pads its end with blank space: cut the picture below the last cell.
        clip_h = max(200, min(view["height"], int(bottom) + 40))
        self.lab.capture_png(target, width, clip_h)
        return problems

    def close(self) -> None:
        """Close the tab without saving (nothing is written, and no "Save changes?"
        dialog), then shut the kernel down in the background."""
        if self.closed:
            return
        self.closed = True
        if self.lab.current is self:
            self.lab.current = None
        try:
            for _ in range(3):  # a dialog left open would block the next notebook
                if self.page.is_closed() or not self.page.locator(".jp-Dialog").count():
                    break
                self.page.keyboard.press("Escape")
                self.page.wait_for_timeout(200)
            if not self.page.is_closed() and self.page.locator(PANEL).count():
                self.page.evaluate(
                    """() => {
                         const w = window.jupyterapp.shell.currentWidget;
                         if (w && w.context) w.context.model.dirty = false;
                         if (w) w.dispose();
                       }""")
                self.page.locator(".jp-NotebookPanel").first.wait_for(state="detached",
                                                                      timeout=10_000)
        finally:
            self.server.shutdown_sessions_soon(self.path)


# ---------------------------------------------------------------------------
# Layout checks (narrow screens)
# ---------------------------------------------------------------------------

# For each widget view: its box must fit inside the notebook, every widget element and
# picture inside it must end before the view's right edge, siblings in a widget box must
# not overlap, and neither a cell nor anything in an output may scroll sideways.
# Returns [cell index, problem in words] pairs.
LAYOUT_PROBLEMS_JS = """
([cellsSel, notebookSel]) => {
  const problems = [];
  const panel = document.querySelector(notebookSel);
  if (!panel) return [[-1, 'no notebook panel']];
  const pr = panel.getBoundingClientRect();
  const px = v => Math.round(v);
  const visible = el => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden';
  };
  const name = el => {
    const cls = typeof el.className === 'string' ? el.className.split(/\\s+/) : [];
    const ours = cls.filter(c => c.startsWith('widget-') || c.startsWith('pxt-'));
    const keep = ours.length ? ours : cls.filter(c => c && !c.startsWith('lm-')).slice(0, 2);
    return el.tagName.toLowerCase() + (keep.length ? '.' + keep.join('.') : '');
  };
  const sideways = el => {
    const ox = getComputedStyle(el).overflowX;
    return el.scrollWidth > el.clientWidth + 1 && (ox === 'auto' || ox === 'scroll');
  };
  document.querySelectorAll(cellsSel).forEach((cell, i) => {
    if (cell.scrollWidth > cell.clientWidth + 1)
      problems.push([i, `the cell scrolls sideways`
                        + ` (${cell.scrollWidth} > ${cell.clientWidth} px)`]);
    for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
      for (const el of [out, ...out.querySelectorAll('div, pre, table, section')]) {
        if (sideways(el) || (el === out && out.scrollWidth > out.clientWidth + 1))
          problems.push([i, `${name(el)} in an output scrolls sideways`
                            + ` (${el.scrollWidth} > ${el.clientWidth} px)`]);
      }
    }
    for (const root of cell.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets')) {
      if (!visible(root)) continue;
      const rr = root.getBoundingClientRect();
      if (rr.right > pr.right + 1 || rr.left < pr.left - 1)
        problems.push([i, `widget ${name(root)} spans [${px(rr.left)}, ${px(rr.right)}],`
                          + ` outside the notebook [${px(pr.left)}, ${px(pr.right)}]`]);
      for (const el of root.querySelectorAll('.jupyter-widgets, svg, img, canvas')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.right > rr.right + 1)
          problems.push([i, `${name(el)} ends at ${px(r.right)} px, past the right edge`
                            + ` of its widget (${px(rr.right)} px)`]);
      }
      for (const box of [root, ...root.querySelectorAll('.widget-box')]) {
        const kids = [...box.children].filter(visible);
        for (let a = 0; a < kids.length; a++) {
          for (let b = a + 1; b < kids.length; b++) {
            const ra = kids[a].getBoundingClientRect(), rb = kids[b].getBoundingClientRect();
            const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
            const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
            if (w > 1 && h > 1)
              problems.push([i, `${name(kids[a])} and ${name(kids[b])} overlap`
                                + ` (${px(w)} x ${px(h)} px)`]);
          }
        }
      }
    }
  });
  return problems;
}
"""


def layout_problems(page: Page) -> list[tuple[int, str]]:
    """(cell index, problem) for everything that overflows, overlaps or scrolls sideways."""
    found = page.evaluate(LAYOUT_PROBLEMS_JS, [CELLS, f"{PANEL} .jp-Notebook"])
    return [(int(i), str(text)) for i, text in found]


# ---------------------------------------------------------------------------
# Scratch notebooks and click → frame latency
# ---------------------------------------------------------------------------


def write_scratch_notebook(server: LabServer, name: str, sources: Sequence[str]) -> str:
    """Write a notebook of code cells into the server's scratch folder; return its path."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}",
                   "metadata": {}, "outputs": [], "source": src}
                  for i, src in enumerate(sources)],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                    "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    rel = f"scratch/{name}.ipynb"
    (server.root / rel).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return rel


# Click ``button`` (a CSS selector) and resolve with the milliseconds until the element
# ``frame`` has different innerHTML. Both times come from performance.now() in the page.
FRAME_LATENCY_JS = """
async ([button, frame, timeoutMs]) => {
  const btn = document.querySelector(button);
  const pic = document.querySelector(frame);
  if (!btn || !pic) throw new Error(`missing ${btn ? frame : button}`);
  const before = pic.innerHTML;
  return await new Promise((resolve, reject) => {
    let t0 = 0;
    const done = () => {
      if (pic.innerHTML === before) return;
      const dt = performance.now() - t0;
      obs.disconnect(); clearTimeout(timer); resolve(dt);
    };
    const obs = new MutationObserver(done);
    obs.observe(pic, {subtree: true, childList: true, characterData: true, attributes: true});
    const timer = setTimeout(() => { obs.disconnect();
      reject(new Error(`no new frame in ${frame} ${timeoutMs} ms after clicking ${button}`)); },
      timeoutMs);
    t0 = performance.now();
    btn.click();
  });
}
"""


def click_to_frame_ms(page: Page, button: str, frame: str, timeout_ms: int = 10_000) -> float:
    return float(page.evaluate(FRAME_LATENCY_JS, [button, frame, timeout_ms]))


# ---------------------------------------------------------------------------
# Everything together: one server, one browser, one context
# ---------------------------------------------------------------------------


class BrowserLab:
    """Start with `BrowserLab.start`, open notebooks with `open`, end with `stop`.

    Each ``app`` name gets a JupyterLab page of its own (loaded once), so the committed
    notebooks, the widget scratch notebook and a benchmark never share a page.
    ``stop`` is safe to call twice and after a failed start; it is also registered with
    ``atexit``, so an interrupted run leaves no server behind.
    """

    def __init__(self, base: Path, executable: Path) -> None:
        self.base = base
        self.executable = executable
        self.server: LabServer | None = None
        self._playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.context: BrowserContext | None = None
        self.apps: dict[str, LabPage] = {}

    @classmethod
    def start(cls, base: Path, executable: Path) -> BrowserLab:
        from playwright.sync_api import sync_playwright

        lab = cls(base, executable)
        atexit.register(lab.stop)
        try:
            lab.server = LabServer.start(base)
            lab._playwright = sync_playwright().start()
            lab.browser = launch_chromium(lab._playwright, executable)
            lab.context = new_context(lab.browser)
        except BaseException:
            lab.stop()
            raise
        return lab

    def app(self, name: str) -> LabPage:
        """The JupyterLab page called ``name``, loaded on first use."""
        if name not in self.apps:
            assert self.server is not None and self.context is not None, "not started"
            page = LabPage(self.context, self.server, workspace=name)
            self.apps[name] = page
            page.load()
        return self.apps[name]

    def open(self, path: str, *, app: str = "notebooks", clear: bool = True) -> NotebookPage:
        """Open ``path`` (relative to the server root) in JupyterLab page ``app``; the
        notebook open there before is closed and its kernel shut down."""
        return self.app(app).open(path, clear=clear)

    def stop(self) -> None:
        for closer in (self._close_browser, self._stop_server):
            try:
                closer()
            except Exception as e:  # keep going: the server must stop whatever happened
                print(f"browser lab: {closer.__name__} failed: {e!r}", file=sys.stderr)

    def _close_browser(self) -> None:
        self.apps.clear()
        if self.context is not None:
            self.context.close()
            self.context = None
        if self.browser is not None:
            self.browser.close()
            self.browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def _stop_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
