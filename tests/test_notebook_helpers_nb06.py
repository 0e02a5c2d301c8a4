"""Presentation helpers of 06_progress.ipynb: tables and figures tell the truth
about the runs they are given."""

from __future__ import annotations

import math

from paxos_notes.notebook_helpers import nb06
from paxos_notes.progress import ElectionEvent, Summary, believed_leaders


def summary(decided: int, p50: float, t50: float) -> Summary:
    return Summary(runs=10, decided=decided, safe=10, prepares_median=p50, prepares_p90=p50,
                   prepares_max=p50, time_median=t50, time_p90=t50, two_leaders=0)


ROWS = [nb06.SweepRow(True, 2, 0.0, summary(10, 3, 10.0)),
        nb06.SweepRow(True, 2, 8.0, summary(10, 1, 14.25)),
        nb06.SweepRow(False, 2, 0.0, summary(2, math.inf, math.inf)),
        nb06.SweepRow(False, 2, 8.0, summary(10, 2, 12.0))]


def test_the_sweep_table_says_never_for_a_median_that_never_came() -> None:
    text = nb06.sweep_table(ROWS, until=100).to_text()
    lines = text.splitlines()
    assert any(line.split()[:3] == ["no", "2", "0"] and "never" in line and "2/10" in line
               for line in lines)
    assert "14.2" in text and "t = 100" in text


def test_the_sweep_figure_leaves_never_out_of_the_lines_and_marks_it() -> None:
    fig = nb06.sweep_figure(ROWS)
    left = fig.axes[0]
    dashed = [ln for ln in left.lines if ln.get_linestyle() == "--"]
    assert list(dashed[0].get_ydata()) == [2]  # the "never" median is not a point
    crosses = [ln for ln in left.lines if ln.get_marker() == "x" and len(ln.get_xdata())]
    assert len(crosses) == 1


def test_believed_leadership_runs_from_leads_to_overtaken_or_the_end() -> None:
    events = [ElectionEvent(1.0, "p1", "campaign"), ElectionEvent(2.0, "p1", "leads"),
              ElectionEvent(3.0, "p2", "leads"), ElectionEvent(4.0, "p1", "overtaken")]
    assert believed_leaders(events, 9.0) == {"p1": [(2.0, 4.0)], "p2": [(3.0, 9.0)]}
    fig = nb06.leadership_figure(events, 9.0)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["p1", "p2"]


def test_the_sweep_table_counts_phase_1_starts_not_prepare_messages() -> None:
    # Exercise 06.1 counts prepare *messages* (one per acceptor per start); the
    # table's column counts starts, so it must not be called "prepares".
    table = nb06.sweep_table(ROWS, until=100)
    assert "phase-1 starts p50" in table.columns
    assert not any(c.startswith("prepares") for c in table.columns)
    for word in ("decided:", "safe:", "never"):
        assert word in table.caption
