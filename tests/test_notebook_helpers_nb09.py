"""Presentation helpers of notebook 09: the tables say what the stored results and the
replayed counterexamples say."""

from __future__ import annotations

from paxos_notes.checker import VARIANTS
from paxos_notes.checker.stored import results, stored
from paxos_notes.notebook_helpers import nb09

BROKEN = [n for n, v in VARIANTS.items() if not v.expect_safe]


def test_the_variant_table_and_figure_cover_every_variant() -> None:
    table = nb09.variant_table()
    assert [row[0] for row in table.rows] == list(VARIANTS)
    assert all(row[2] == ("safe" if VARIANTS[row[0]].expect_safe else "unsafe")
               for row in table.rows)
    (ax,) = nb09.states_figure().axes
    assert len(ax.patches) == len(VARIANTS)


def test_bounds_text_names_every_variant_with_other_bounds() -> None:
    text = nb09.bounds_text()
    assert "4 acceptors for small-quorum-even." in text
    assert "for lowest-accepted, any-accepted, most-common-value, untagged-responses." in text
    assert ("one acceptor crash (with restart) for amnesia, send-before-persist, "
            "crash-restart.") in text
    assert ("one proposer crash (with restart) for forgetful-proposer, "
            "proposer-crash-restart.") in text


def test_where_it_broke_puts_the_rule_before_the_second_value() -> None:
    rows = {row[0]: row for row in nb09.where_it_broke().rows}
    assert list(rows) == BROKEN
    assert rows["no-promise"][1:] == ("14", "step 11: P1a", "step 12", "step 14")
    assert rows["forgetful-proposer"][2] == "step 19: P2c"
    assert rows["small-quorum"][2] == rows["untagged-responses"][2] == "none broken"
    for name, row in rows.items():
        assert row[4] == f"step {len(stored(name).steps)}", name


def test_compact_listing_has_one_line_per_step_and_marks_what_happened() -> None:
    lines = nb09.compact(nb09.counterexample("amnesia"))
    assert len(lines) == len(stored("amnesia").steps)
    assert lines[12].endswith("<- rule broken: P1a")
    assert lines[13].endswith("<- (0, 'x') chosen")
    assert lines[-1].endswith("<- (1, 'y') chosen; two values chosen")


def test_stored_and_quorum_tables() -> None:
    table = nb09.stored_table(["shared-numbers-strict", "shared-numbers"], "shared",
                              answers_a_repeated_prepare=("no", "yes"))
    assert table.columns[1] == "answers a repeated prepare"
    assert [row[2] for row in table.rows] == ["safe", "unsafe: 'x' and 'y' chosen"]
    assert table.rows[1][-1] == "14"
    quorums = {row[0]: row for row in nb09.quorum_table(
        ["paper", "small-quorum", "small-quorum-even", "flexible-unsafe"]).rows}
    assert quorums["small-quorum"][1:5] == ("3", "any 1 of 3", "1 + 1 = 2", "2 ≤ 3")
    assert quorums["small-quorum-even"][1:5] == ("4", "any 2 of 4", "2 + 2 = 4", "4 ≤ 4")
    assert quorums["paper"][4] == "4 > 3"


def test_stored_lamport_counts_equal_tlcs_figures() -> None:
    rows = nb09.lamport_table().rows
    assert len(rows) == len(results().lamport) >= 5
    assert all(row[-1] == "yes" for row in rows)
    assert nb09.lamport_config((3, 2, 1, True)) == "3 acceptors, 2 values, ballots 0..1, symmetry"


def test_spec_steps_shows_the_message_each_step_adds() -> None:
    # A Phase2a step changes no acceptor variable: only the added 2a message shows it.
    from paxos_notes.checker.spec_trace import validate_stored

    table = nb09.spec_steps(validate_stored("ignore-accepted"))
    assert table.columns[-1] == "new message"
    by_action = {row[2]: row[-1] for row in table.rows}
    assert by_action["Phase2a(0, 'x')"] == "[type |-> \"2a\", bal |-> 0, val |-> 'x']"
    assert all(row[-1] == "" for row in table.rows if row[2] == "stutter")
