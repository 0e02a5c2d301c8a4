"""CounterexampleBrowser and SearchProgress: views over the checker's results."""

from __future__ import annotations

import pytest

from paxos_notes.checker import VARIANTS
from paxos_notes.checker.stored import stored
from paxos_notes.cluster import Cluster
from paxos_notes.script import drive
from paxos_notes.sim import Simulation
from paxos_notes.widgets import CounterexampleBrowser, SearchProgress
from paxos_notes.widgets.counterexample_browser import broken_variants, counterexample_run


def test_the_browser_lists_every_broken_variant_and_switches_between_them() -> None:
    browser = CounterexampleBrowser("no-promise")
    assert broken_variants() == [n for n, v in VARIANTS.items() if not v.expect_safe]
    assert repr(browser) == f"CounterexampleBrowser({len(broken_variants())} counterexamples)"
    first = browser.player
    assert len(first.view) == len(counterexample_run("no-promise").trace)
    browser.select("amnesia")
    assert browser.player is not first and browser.shown == "amnesia"
    assert len(browser.player.view) == len(counterexample_run("amnesia").trace)
    assert "amnesia" in browser.sentence.value
    assert "a1 crashes" in browser.steps_box.value
    assert browser.menu.options[0][0] == f"no-promise ({len(stored('no-promise').steps)} steps)"


def test_the_browser_refuses_a_safe_variant() -> None:
    with pytest.raises(ValueError, match="variant must be one of"):
        CounterexampleBrowser("paper")
    with pytest.raises(ValueError, match="name must be a broken variant"):
        counterexample_run("paper")


def test_a_run_written_by_hand_joins_the_menu() -> None:
    run = drive(Simulation(Cluster(), seed=0, manual=True), [("propose", "p1")]).settle()
    browser = CounterexampleBrowser("by hand", extra={"by hand": ("one proposal", run)})
    assert browser.menu.options[-1] == (f"by hand ({len(run.moments)} steps)", "by hand")
    assert len(browser.player.view) == len(run.trace)
    assert "one proposal" in browser.sentence.value


def test_search_progress_fills_its_bar_and_keeps_a_fixed_repr() -> None:
    search = SearchProgress("shared-numbers-strict")
    assert repr(search) == "SearchProgress('shared-numbers-strict')"
    assert search.bar.max == stored("shared-numbers-strict").distinct_states
    seen: list[int] = []
    search.bar.observe(lambda ch: seen.append(ch["new"]), names="value")
    result = search.run()
    assert search.bar.value == search.bar.max == result.distinct_states
    assert seen and search.bar.bar_style == "success"
