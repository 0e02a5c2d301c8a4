"""The widgets of paxos_notes.widgets in a real JupyterLab: they render, respond to clicks,
fit a narrow screen, and answer a click with a new frame quickly.

All tests drive one scratch notebook (widget_scenes.scratch_cells(): one cell per widget
instance, every element tagged with a CSS class from Python). Each test has instances of
its own. The expected frame comes from the package itself: the same widget built in
this process, sent the same actions through its Python API (an "oracle"), must show the
same caption and the same SVG text as the browser after the clicks.

The canary cells at the end of the scratch notebook must trip the checks, which proves
the checks still see what they are meant to see.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import lab_driver as ld
import pytest
import widget_scenes as scenes
from lab_driver import expect
from widget_scenes import css

from paxos_notes.widgets import (
    LogWidget,
    P2cArgument,
    ProposalNumbering,
    QuorumIntersection,
    TracePlayer,
    TwoFacedGeneral,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SCENE_CELLS = [*scenes.SCENES, *(case.scene for case in scenes.LATENCY_CASES)]
CANARY_ERRORS = ("canary-stderr", "canary-error")
CANARY_CONSOLE = "pxt-canary: a console error"
FRAME_MS = 15_000


class Framed(Protocol):
    """What the tests read from a paxos_notes widget (FrameWidget)."""

    @property
    def caption(self) -> str: ...

    @property
    def svg(self) -> str: ...


# ---------------------------------------------------------------------------
# Reading and clicking
# ---------------------------------------------------------------------------


def squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def svg_text(svg: str) -> str:
    """The text a browser's ``svg.textContent`` gives for this SVG, whitespace squashed."""
    return squash("".join(ET.fromstring(svg).itertext()))


def click(page: Page, tag: str) -> None:
    page.locator(css(tag)).click()


def caption_of(page: Page, scene: str) -> str:
    return squash(page.locator(css(f"{scene}-caption")).inner_text())


def picture_html(page: Page, scene: str) -> str:
    return page.locator(css(f"{scene}-picture")).inner_html()


def expect_frame(page: Page, scene: str, oracle: Framed) -> None:
    """The browser shows the oracle's frame: same caption, same text in the SVG."""
    expect(page.locator(css(f"{scene}-caption"))).to_have_text(oracle.caption,
                                                               timeout=FRAME_MS)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    want = svg_text(oracle.svg)
    svg = css(f"{scene}-picture") + " svg"
    try:
        page.wait_for_function(
            """([sel, want]) => {
                 const s = document.querySelector(sel);
                 return !!s && s.textContent.replace(/\\s+/g, " ").trim() === want;
               }""", arg=[svg, want], timeout=FRAME_MS, polling=50)
    except PlaywrightTimeout:
        got = squash(page.locator(svg).first.text_content() or "")
        assert got == want, (f"the {scene} picture is not the frame the package renders:\n"
                             f"  browser: {got[:400]}\n  package: {want[:400]}")


def numeric_labels(page: Page, scene: str) -> int:
    """How many numbers are written in the picture (ProposalNumbering labels each pick)."""
    return page.locator(css(f"{scene}-picture") + " svg text").evaluate_all(
        "els => els.filter(e => /^\\d+$/.test(e.textContent.trim())).length")


def dropdown_options(page: Page, tag: str) -> list[str]:
    return [squash(t) for t in page.locator(css(tag) + " select option").all_inner_texts()]


# ---------------------------------------------------------------------------
# The scratch notebook itself, and the canaries
# ---------------------------------------------------------------------------


def test_every_widget_cell_renders_a_view(widget_notebook: scenes.WidgetNotebook) -> None:
    nb = widget_notebook.nb
    missing = [name for name in SCENE_CELLS
               if not nb.wait_widget_view(widget_notebook.cells[name])]
    assert not missing, f"no widget view rendered for {missing}"
    assert nb.widget_errors() == []
    # Every picture is an inline SVG, and every scene has its caption.
    for name in SCENE_CELLS:
        expect(widget_notebook.page.locator(css(f"{name}-picture") + " svg")).to_have_count(1)
        assert caption_of(widget_notebook.page, name), f"{name}: empty caption"


def test_only_the_canaries_write_errors(widget_notebook: scenes.WidgetNotebook) -> None:
    nb, cells = widget_notebook.nb, widget_notebook.cells
    flagged = sorted({i for i, _ in nb.error_outputs()})
    assert flagged == sorted(cells[name] for name in CANARY_ERRORS), nb.error_outputs()
    assert nb.dialogs() == []


def test_console_errors_are_caught(widget_notebook: scenes.WidgetNotebook) -> None:
    """The console listener works (the real check is the last test of this file)."""
    nb = widget_notebook.nb
    nb.page.evaluate("msg => console.error(msg)", CANARY_CONSOLE)
    nb.page.wait_for_timeout(200)
    assert any(CANARY_CONSOLE in r.text for r in nb.console), nb.console


# ---------------------------------------------------------------------------
# QuorumIntersection
# ---------------------------------------------------------------------------


def test_quorum_toggles_change_the_intersection_and_caption(
        widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = QuorumIntersection(n=5)
    empty = picture_html(page, "qi")
    for which, name in [(1, "a1"), (1, "a2"), (1, "a3"), (2, "a3"), (2, "a4"), (2, "a5")]:
        click(page, f"qi-q{which}-{name}")
        oracle.toggle(which, name)
        expect(page.locator(css("qi-caption"))).to_have_text(oracle.caption)
    expect_frame(page, "qi", oracle)
    first = picture_html(page, "qi")
    assert first != empty
    assert "Q1 ∩ Q2 = {a3}" in caption_of(page, "qi")
    assert "Q1 ∩ Q2 = {a3}" in squash(page.locator(css("qi-picture")).inner_text())

    # Move the shared acceptor: a3 leaves Q2, a2 joins it.
    for which, name in [(2, "a3"), (2, "a2")]:
        click(page, f"qi-q{which}-{name}")
        oracle.toggle(which, name)
        expect(page.locator(css("qi-caption"))).to_have_text(oracle.caption)
    expect_frame(page, "qi", oracle)
    assert "Q1 ∩ Q2 = {a2}" in caption_of(page, "qi")
    assert picture_html(page, "qi") != first
    expect(page.locator(css("qi-q2-a2"))).to_have_class(re.compile(r"\bmod-active\b"))
    expect(page.locator(css("qi-q2-a3"))).not_to_have_class(re.compile(r"\bmod-active\b"))


def test_adversary_finds_disjoint_quorums_only_in_an_unsafe_system(
        widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    unsafe = QuorumIntersection(n=5, system="threshold", k=2)
    unsafe.find_disjoint()
    click(page, "qu-adversary")
    expect_frame(page, "qu", unsafe)
    assert "found two quorums with no acceptor in common" in caption_of(page, "qu")
    assert "two disjoint quorums found" in squash(page.locator(css("qu-picture")).inner_text())
    first, second = unsafe.state.first, unsafe.state.second
    assert first and second and not first & second
    active = re.compile(r"\bmod-active\b")
    for name in first:  # the toggles show the adversary's pair
        expect(page.locator(css(f"qu-q1-{name}"))).to_have_class(active)
    for name in second:
        expect(page.locator(css(f"qu-q2-{name}"))).to_have_class(active)

    safe = QuorumIntersection(n=5)
    safe.find_disjoint()
    click(page, "qm-adversary")
    expect_frame(page, "qm", safe)
    assert "found no two disjoint quorums" in caption_of(page, "qm")


# ---------------------------------------------------------------------------
# ProposalNumbering
# ---------------------------------------------------------------------------


def test_numbering_step_shows_new_numbers(widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = ProposalNumbering(proposers=3, rounds=3)
    counts = [numeric_labels(page, "pn")]
    for _ in range(3):
        click(page, "pn-step")
        oracle.step(1)
        expect_frame(page, "pn", oracle)
        counts.append(numeric_labels(page, "pn"))
    assert counts == [counts[0] + k for k in range(4)], f"numbers in the picture: {counts}"
    assert caption_of(page, "pn").count("Step 3 of") == 1

    click(page, "pn-back")
    oracle.step(-1)
    expect_frame(page, "pn", oracle)
    assert numeric_labels(page, "pn") == counts[2]

    # The broken scheme: two proposers draw the same number by step 2.
    click(page, "pn-shared")
    oracle.shared_toggle.value = True
    expect_frame(page, "pn", oracle)
    for _ in range(2):
        click(page, "pn-step")
        oracle.step(1)
        expect_frame(page, "pn", oracle)
    assert "Collision" in caption_of(page, "pn")


# ---------------------------------------------------------------------------
# TwoFacedGeneral
# ---------------------------------------------------------------------------


def test_two_faced_general_follows_votes_and_liar(
        widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = TwoFacedGeneral(liar="g5")
    expect_frame(page, "tfg", oracle)
    assert "split" in caption_of(page, "tfg")
    # g3 flips to attack: the honest votes are 3-1, and the liar can no longer split them
    click(page, "tfg-vote-g3")
    oracle.vote_toggles[2].value = True
    expect_frame(page, "tfg", oracle)
    assert "still agree" in caption_of(page, "tfg")
    # nobody lies
    page.locator(css("tfg-liar") + " button:text-is('nobody')").click()
    oracle.liar_menu.value = ""
    expect_frame(page, "tfg", oracle)
    assert caption_of(page, "tfg").startswith("Nobody lies")


# ---------------------------------------------------------------------------
# P2cArgument
# ---------------------------------------------------------------------------


def test_p2c_steps_through_the_induction(widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = P2cArgument()
    m, n = oracle.state.m, oracle.state.n
    assert n > m + 1, "the default grid should have an induction to step through"
    assert caption_of(page, "p2c").startswith(f"Base (ballot m = {m})")
    captions, pictures = [caption_of(page, "p2c")], [picture_html(page, "p2c")]
    for _ in range(n - m):
        click(page, "p2c-step")
        oracle.step(1)
        expect_frame(page, "p2c", oracle)
        captions.append(caption_of(page, "p2c"))
        pictures.append(picture_html(page, "p2c"))
    assert len(set(captions)) == len(captions), "every induction step has its own caption"
    assert len(set(pictures)) == len(pictures), "every induction step has its own picture"
    assert captions[-1].startswith(f"Ballot n = {n}:")

    click(page, "p2c-step")  # at the end: stays there
    oracle.step(1)
    expect_frame(page, "p2c", oracle)
    click(page, "p2c-back")
    oracle.step(-1)
    expect_frame(page, "p2c", oracle)
    assert caption_of(page, "p2c") == captions[-2]


# ---------------------------------------------------------------------------
# TracePlayer
# ---------------------------------------------------------------------------

EVENT = re.compile(r"^Event (\d+) of (\d+)")


def test_trace_player_steps_forward_and_back(widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = TracePlayer()
    total = len(oracle.view)
    assert caption_of(page, "tp").startswith(f"Start of a trace of {total} events")
    pictures = [picture_html(page, "tp")]
    for delta, event in [(1, 1), (1, 2), (-1, 1)]:
        click(page, "tp-forward" if delta > 0 else "tp-back")
        oracle.step(delta)
        expect_frame(page, "tp", oracle)
        label = EVENT.match(caption_of(page, "tp"))
        assert label and label.groups() == (str(event), str(total)), caption_of(page, "tp")
        pictures.append(picture_html(page, "tp"))
    assert pictures[0] != pictures[1] != pictures[2]
    assert pictures[3] == pictures[1], "one step back shows the same frame as before"


def test_trace_player_play_advances_on_its_own(widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    play = css("tpp-play")
    page.locator(f"{play} button:has(.fa-play)").click()
    # 2 events/s: three events in well under 15 s, with no further click.
    page.wait_for_function(
        """sel => /^Event ([3-9]|\\d\\d+) of/.test(
                    document.querySelector(sel).innerText.trim())""",
        arg=css("tpp-caption"), timeout=FRAME_MS, polling=100)
    page.locator(f"{play} button:has(.fa-stop)").click()
    expect(page.locator(css("tpp-caption"))).to_contain_text("Start of a trace")
    page.wait_for_timeout(1_500)  # stopped: it does not move on by itself any more
    expect(page.locator(css("tpp-caption"))).to_contain_text("Start of a trace", timeout=100)


def test_trace_player_live_fault_changes_pending_messages(
        widget_notebook: scenes.WidgetNotebook) -> None:
    from paxos_notes.cluster import Cluster
    from paxos_notes.sim import Simulation

    page = widget_notebook.page
    oracle = TracePlayer(Simulation(Cluster(), seed=0, manual=True))

    def expect_pending() -> list[str]:
        want = [squash(label) for label, _ in oracle.pending_menu.options]
        expect(page.locator(css("live-pending") + " select option")).to_have_count(len(want))
        got = dropdown_options(page, "live-pending")
        assert got == want
        return got

    nothing = expect_pending()
    click(page, "live-propose")
    oracle.propose()
    expect_frame(page, "live", oracle)
    in_flight = expect_pending()
    assert in_flight != nothing and all("prepare" in m for m in in_flight), in_flight

    click(page, "live-drop")  # a fault: the first pending message is lost
    oracle.drop()
    expect_frame(page, "live", oracle)
    after_drop = expect_pending()
    assert after_drop == in_flight[1:]
    assert "lost (dropped)" in caption_of(page, "live")

    click(page, "live-duplicate")  # another fault: a copy of the first pending message
    oracle.duplicate()
    expect_frame(page, "live", oracle)
    assert len(expect_pending()) == len(after_drop) + 1


# ---------------------------------------------------------------------------
# LogWidget (§3)
# ---------------------------------------------------------------------------

STEP = re.compile(r"^Step (\d+) of (\d+)")


def test_log_widget_steps_and_switches_runs(widget_notebook: scenes.WidgetNotebook) -> None:
    page = widget_notebook.page
    oracle = LogWidget()
    total = len(oracle.view)
    pictures = [picture_html(page, "log")]
    for delta, step in [(1, 1), (1, 2), (-1, 1)]:
        click(page, "log-forward" if delta > 0 else "log-back")
        oracle.step(delta)
        expect_frame(page, "log", oracle)
        label = STEP.match(caption_of(page, "log"))
        assert label and label.groups() == (str(step), str(total)), caption_of(page, "log")
        pictures.append(picture_html(page, "log"))
    assert pictures[0] != pictures[1] != pictures[2]
    assert pictures[3] == pictures[1], "one step back shows the same frame as before"

    # The run menu: the seeded failover run, from its start.
    label = next(text for text, value in oracle.source_menu.options if value == "failover")
    # ipywidgets writes the label into the option's value (its text has no-break spaces).
    page.locator(css("log-source") + " select").select_option(value=label)
    oracle.source_menu.value = "failover"
    expect_frame(page, "log", oracle)
    assert len(oracle.view) != total
    assert caption_of(page, "log").startswith(f"Step 0 of {len(oracle.view)}")


# ---------------------------------------------------------------------------
# Layout, after the clicks above (so the screenshots show widgets in use)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [ld.WIDE, ld.NARROW], ids=lambda v: f"{v['width']}px")
def test_widgets_fit_the_notebook(widget_notebook: scenes.WidgetNotebook, artifacts: Path,
                                  viewport: dict[str, int]) -> None:
    """Nothing overflows, overlaps or scrolls sideways, except the deliberately too-wide
    canary (which must be caught)."""
    nb, page = widget_notebook.nb, widget_notebook.page
    canary = widget_notebook.cells["canary-wide"]
    try:
        suffix = "" if viewport == ld.WIDE else "-narrow"
        problems = nb.snapshot(artifacts / f"widgets{suffix}.png", viewport["width"])
    finally:
        page.set_viewport_size(ld.WIDE)
    assert any(i == canary for i, _ in problems), "the too-wide canary was not caught"
    ours = [f"cell {i}: {text}" for i, text in problems if i != canary]
    assert not ours, f"at {viewport['width']} px:\n  " + "\n  ".join(ours)


# ---------------------------------------------------------------------------
# Click → new frame latency
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", scenes.LATENCY_CASES, ids=lambda c: c.widget)
def test_click_to_frame_latency(case: scenes.LatencyCase,
                                widget_notebook: scenes.WidgetNotebook,
                                latency_results: list[scenes.LatencyResult]) -> None:
    """20 clicks per widget; the medians are printed as a table at the end of the run
    (and saved in artifacts/latency.txt). Target: PAXOS_NOTES_LATENCY_TARGET_MS, 150."""
    result = scenes.measure(widget_notebook.page, case)
    latency_results.append(result)
    target = scenes.latency_target_ms()
    assert result.median <= target, (
        f"{case.widget}: median click → frame {result.median:.0f} ms > {target:g} ms "
        f"(samples: {[round(x) for x in result.samples_ms]})")


# ---------------------------------------------------------------------------
# Last: nothing on this page logged an error
# ---------------------------------------------------------------------------


def test_no_console_errors_on_the_widget_page(widget_notebook: scenes.WidgetNotebook) -> None:
    """Runs last in this file, so it covers every click above."""
    ours = [r for r in widget_notebook.nb.our_console_errors() if CANARY_CONSOLE not in r.text]
    assert not ours, "browser console:\n  " + "\n  ".join(map(str, ours))
