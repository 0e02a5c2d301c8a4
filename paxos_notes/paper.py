"""The paper itself, as data: sections, the notebook map, and exact quotations.

This module serves the whole companion rather than one section of the paper:
Leslie Lamport, *Paxos Made Simple*, ACM SIGACT News 32(4), 2001.

Every notebook and test that quotes the paper takes the words from ``QUOTES``
here, so a quotation is checked once (``tests/test_project_paper.py`` compares
each one with the team's checked transcription) and spelled the same everywhere.
Quotations are short, exact and attributed; all other text here is our own.

When a planned notebook is written, set its ``status`` to ``"written"`` in
``NOTEBOOKS`` and re-run ``make notebooks`` (the index notebook shows this map,
and a test fails while the status and the files in ``notebooks/`` disagree).
"""

from __future__ import annotations

import ast
import html
import importlib
import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

PAPER_TITLE = "Paxos Made Simple"
PAPER_AUTHOR = "Leslie Lamport"
PAPER_CITATION = "Leslie Lamport, Paxos Made Simple, ACM SIGACT News 32(4), 2001"
PAPER_URL = "https://lamport.azurewebsites.net/pubs/paxos-simple.pdf"

Status = Literal["written", "coming"]


@dataclass(frozen=True)
class Section:
    """One numbered section of the paper and the notebooks that read it."""

    number: str
    title: str
    notebooks: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class NotebookEntry:
    """One planned notebook: which part of the paper it reads, and whether it exists.

    ``title_key`` is a word or section number that the notebook's title cell must
    contain, so a reader can tell from the first line which part of the paper it is.
    """

    filename: str
    sections: tuple[str, ...]
    part: str
    topic: str
    status: Status
    title_key: str


@dataclass(frozen=True)
class Quote:
    """A short exact quotation from the paper, with its label and section."""

    label: str
    section: str
    text: str

    @property
    def where(self) -> str:
        """Where in the paper: ``"§2.2"``, or ``"Abstract"``."""
        return self.section if self.section == "Abstract" else f"\u00a7{self.section}"

    def __str__(self) -> str:
        source = self.label if self.label == self.where else f"{self.label} ({self.where})"
        return f"{source}: \u201c{self.text}\u201d"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # IPython's plain-text repr: the quotation itself, not the dataclass fields.
        p.text(str(self))

    def _repr_html_(self) -> str:
        # A blockquote with attribution: it renders the same in JupyterLab, on
        # GitHub and on nbviewer, where no kernel runs.
        return (
            "<blockquote>"
            f"<p><strong>{html.escape(self.label)}.</strong> "
            f"\u201c{html.escape(self.text)}\u201d</p>"
            f"<p>\u2014 {html.escape(PAPER_AUTHOR)}, <em>{html.escape(PAPER_TITLE)}</em>, "
            f"{html.escape(self.where)}</p>"
            "</blockquote>"
        )


SECTIONS: tuple[Section, ...] = (
    Section(
        "1",
        "Introduction",
        ("01_introduction.ipynb",),
        "Why the paper exists: a consensus algorithm at the core of Paxos, "
        "later used to replicate a state machine.",
    ),
    Section(
        "2",
        "The Consensus Algorithm",
        (),
        "The single-decree algorithm, built up over sections 2.1 to 2.5.",
    ),
    Section(
        "2.1",
        "The Problem",
        ("02_the_problem.ipynb",),
        "Three safety requirements, a loose liveness goal, three roles, and the "
        "failure model for agents and messages.",
    ),
    Section(
        "2.2",
        "Choosing a Value",
        ("03_choosing_a_value.ipynb", "04_the_algorithm.ipynb"),
        "From one acceptor to majorities, then P1 and P2 refined step by step "
        "into P2c, the promise, and the two-phase protocol with P1a.",
    ),
    Section(
        "2.3",
        "Learning a Chosen Value",
        ("05_learning_a_chosen_value.ipynb",),
        "How learners discover that a majority accepted a proposal, and what "
        "each way of telling them costs in messages and reliability.",
    ),
    Section(
        "2.4",
        "Progress",
        ("06_progress.ipynb",),
        "Two proposers can outbid each other forever; a distinguished proposer "
        "restores progress, while safety never depends on the election.",
    ),
    Section(
        "2.5",
        "The Implementation",
        ("07_the_implementation.ipynb",),
        "Roles mapped onto processes: a leader, stable storage written before "
        "replying, and proposal numbers drawn from disjoint sets.",
    ),
    Section(
        "3",
        "Implementing a State Machine",
        ("08_implementing_a_state_machine.ipynb",),
        "One consensus instance per log position; a stable leader runs phase 1 "
        "once for all of them and fills gaps with no-op commands.",
    ),
)


NOTEBOOKS: tuple[NotebookEntry, ...] = (
    NotebookEntry(
        "00_index.ipynb", (), "\u2014", "How to read this companion; this map.",
        "written", "index",
    ),
    NotebookEntry(
        "01_introduction.ipynb", ("1",), "\u00a71",
        "What consensus is for, and the plan of the paper.", "written", "1",
    ),
    NotebookEntry(
        "02_the_problem.ipynb", ("2.1",), "\u00a72.1",
        "Safety versus liveness, roles, and the failure model.", "written", "2.1",
    ),
    NotebookEntry(
        "03_choosing_a_value.ipynb", ("2.2",), "\u00a72.2, first half",
        "Quorums, P1, proposal numbers, and P2 refined to P2c.", "written", "2.2",
    ),
    NotebookEntry(
        "04_the_algorithm.ipynb", ("2.2",), "\u00a72.2, second half",
        "The promise, the two phases, and P1a.", "written", "2.2",
    ),
    NotebookEntry(
        "05_learning_a_chosen_value.ipynb", ("2.3",), "\u00a72.3",
        "Learners, distinguished learners, and lost messages.", "written", "2.3",
    ),
    NotebookEntry(
        "06_progress.ipynb", ("2.4",), "\u00a72.4",
        "Dueling proposers and the distinguished proposer.", "written", "2.4",
    ),
    NotebookEntry(
        "07_the_implementation.ipynb", ("2.5",), "\u00a72.5",
        "Leader, stable storage, disjoint proposal numbers.", "written", "2.5",
    ),
    NotebookEntry(
        "08_implementing_a_state_machine.ipynb", ("3",), "\u00a73",
        "A replicated log, gaps and no-ops, reconfiguration.", "written", "3",
    ),
    NotebookEntry(
        "09_beyond_the_paper.ipynb", (), "beyond the paper",
        "Model checking every rule; flexible quorums; Lamport's TLA+ spec.", "written",
        "beyond the paper",
    ),
)


# Exact words from the team's checked transcription (shared/PAPER.md); keys are
# the labels the notebooks use. Only short statements and phrases, never whole
# paragraphs. Sections are given without the "§" sign.
_QUOTES: tuple[Quote, ...] = (
    Quote("Abstract", "Abstract",
          "The Paxos algorithm, when presented in plain English, is very simple."),
    Quote("Safety 1", "2.1", "Only a value that has been proposed may be chosen,"),
    Quote("Safety 2", "2.1", "Only a single value is chosen, and"),
    Quote("Safety 3", "2.1",
          "A process never learns that a value has been chosen unless it actually has been."),
    Quote("Roles", "2.1", "a single process may act as more than one agent"),
    Quote("Model", "2.1", "customary asynchronous, non-Byzantine"),
    Quote("Agents", "2.1",
          "operate at arbitrary speed, may fail by stopping, and may restart"),
    Quote("Messages", "2.1",
          "can take arbitrarily long to be delivered, can be duplicated, and can be "
          "lost, but they are not corrupted."),
    Quote("Majorities", "2.2",
          "Because any two majorities have at least one acceptor in common"),
    Quote("Quorums", "2.2", "obvious generalization of a majority"),
    Quote("P1", "2.2", "An acceptor must accept the first proposal that it receives."),
    Quote("P2", "2.2",
          "If a proposal with value v is chosen, then every higher-numbered proposal "
          "that is chosen has value v."),
    Quote("P2a", "2.2",
          "If a proposal with value v is chosen, then every higher-numbered proposal "
          "accepted by any acceptor has value v."),
    Quote("P2b", "2.2",
          "If a proposal with value v is chosen, then every higher-numbered proposal "
          "issued by any proposer has value v."),
    Quote("P2c", "2.2",
          "For any v and n, if a proposal with value v and number n is issued, then "
          "there is a set S consisting of a majority of acceptors such that either "
          "(a) no acceptor in S has accepted any proposal numbered less than n, or (b) v "
          "is the value of the highest-numbered proposal among all proposals numbered "
          "less than n accepted by the acceptors in S."),
    Quote("Prepare request", "2.2",
          "(a) A promise never again to accept a proposal numbered less than n, and "
          "(b) The proposal with the highest number less than n that it has accepted, "
          "if any."),
    Quote("Accept request", "2.2", "need not be the same set of acceptors"),
    Quote("Ignore", "2.2",
          "An acceptor can ignore any request without compromising safety."),
    Quote("P1a", "2.2",
          "An acceptor can accept a proposal numbered n iff it has not responded to a "
          "prepare request having a number greater than n."),
    Quote("Ignore accepted", "2.2",
          "We also have it ignore a prepare request for a proposal it has already "
          "accepted."),
    Quote("Acceptor memory", "2.2",
          "needs to remember only the highest-numbered proposal that it has ever "
          "accepted and the number of the highest-numbered prepare request to which it "
          "has responded"),
    Quote("Phase 1(a)", "2.2",
          "A proposer selects a proposal number n and sends a prepare request with "
          "number n to a majority of acceptors."),
    Quote("Phase 1(b)", "2.2",
          "If an acceptor receives a prepare request with number n greater than that of "
          "any prepare request to which it has already responded, then it responds to "
          "the request with a promise not to accept any more proposals numbered less "
          "than n and with the highest-numbered proposal (if any) that it has accepted."),
    Quote("Phase 2(a)", "2.2",
          "If the proposer receives a response to its prepare requests (numbered n) "
          "from a majority of acceptors, then it sends an accept request to each of "
          "those acceptors for a proposal numbered n with a value v, where v is the "
          "value of the highest-numbered proposal among the responses, or is any value "
          "if the responses reported no proposals."),
    Quote("Phase 2(b)", "2.2",
          "If an acceptor receives an accept request for a proposal numbered n, it "
          "accepts the proposal unless it has already responded to a prepare request "
          "having a number greater than n."),
    Quote("Abandon", "2.2",
          "can abandon a proposal in the middle of the protocol at any time"),
    Quote("Nack", "2.2", "a performance optimization that does not affect correctness."),
    Quote("Learning", "2.3",
          "To learn that a value has been chosen, a learner must find out that a "
          "proposal has been accepted by a majority of acceptors."),
    Quote("Relearn", "2.3",
          "can have a proposer issue a proposal, using the algorithm described above."),
    Quote("Livelock", "2.4",
          "It's easy to construct a scenario in which two proposers each keep issuing "
          "a sequence of proposals with increasing numbers, none of which are ever "
          "chosen."),
    Quote("Distinguished proposer", "2.4",
          "To guarantee progress, a distinguished proposer must be selected as the "
          "only one to try issuing proposals."),
    Quote("Election", "2.4",
          "must use either randomness or real time\u2014for example, by using timeouts. "
          "However, safety is ensured regardless of the success or failure of the "
          "election."),
    Quote("Leader", "2.5",
          "The algorithm chooses a leader, which plays the roles of the distinguished "
          "proposer and the distinguished learner."),
    Quote("Stable storage", "2.5",
          "An acceptor records its intended response in stable storage before "
          "actually sending the response."),
    Quote("Disjoint numbers", "2.5",
          "Different proposers choose their numbers from disjoint sets of numbers"),
    Quote("Instances", "3",
          "a sequence of separate instances of the Paxos consensus algorithm, the "
          "value chosen by the i th instance being the i th state machine command in "
          "the sequence."),
    Quote("Efficiency", "3",
          "Key to the efficiency of this approach is that ... the value to be proposed "
          "is not chosen until phase 2."),
)

QUOTES: dict[str, Quote] = {q.label: q for q in _QUOTES}


def _label_key(label: str) -> str:
    # "Phase 1 (a)", "phase 1(a)" and "Phase 1(a)" all name the same rule.
    return "".join(label.split()).casefold()


_BY_KEY: dict[str, Quote] = {_label_key(q.label): q for q in _QUOTES}


def quote(label: str) -> Quote:
    """Return the exact quotation labelled ``label`` (e.g. ``"P2c"``, ``"Phase 1(b)"``).

    Spacing and case in the label do not matter. An unknown label raises
    ``KeyError`` listing the known ones, so a typo in a notebook fails loudly.
    """
    try:
        return _BY_KEY[_label_key(label)]
    except KeyError:
        known = ", ".join(QUOTES)
        raise KeyError(f"no quotation labelled {label!r}; known labels: {known}") from None


def section(number: str) -> Section:
    """Return the section numbered ``number`` (e.g. ``"2.2"``)."""
    for s in SECTIONS:
        if s.number == number:
            return s
    raise KeyError(f"the paper has no section {number!r}")


@dataclass(frozen=True)
class Table:
    """A small table that shows as HTML in a notebook and as aligned text elsewhere.

    ``hrefs`` (optional, one per row) turns the first cell of a row into a link;
    the notebook map uses it to link the notebooks that exist.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    hrefs: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"row {row!r} does not have {len(self.columns)} cells")
        if self.hrefs and len(self.hrefs) != len(self.rows):
            raise ValueError("hrefs, when given, needs one entry per row")

    def records(self) -> list[dict[str, str]]:
        """The rows as dictionaries keyed by column name (for JSON)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_text(self) -> str:
        """Aligned plain text, one line per row, for terminals and ``text/plain``."""
        widths = [
            max(len(self.columns[i]), *(len(row[i]) for row in self.rows))
            if self.rows
            else len(self.columns[i])
            for i in range(len(self.columns))
        ]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        out = [self.caption] if self.caption else []
        out.append(line(self.columns))
        out.append(line(["-" * w for w in widths]))
        out.extend(line(row) for row in self.rows)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # IPython's plain-text repr; without this it would print the dataclass fields.
        p.text(self.to_text())

    def _repr_html_(self) -> str:
        # Notebook front ends right-align table cells by default; prose reads
        # better left-aligned (GitHub drops the style and aligns left anyway).
        left = ' style="text-align: left"'
        head = "".join(f"<th{left}>{html.escape(c)}</th>" for c in self.columns)
        body = []
        for i, row in enumerate(self.rows):
            cells = [html.escape(c) for c in row]
            href = self.hrefs[i] if self.hrefs else None
            if href:
                cells[0] = f'<a href="{html.escape(href, quote=True)}">{cells[0]}</a>'
            body.append("<tr>" + "".join(f"<td{left}>{c}</td>" for c in cells) + "</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            '<table class="paxos-notes-table">'
            f"{caption}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )


def section_table() -> Table:
    """The paper's sections with the notebooks that read them."""
    rows = tuple(
        (f"\u00a7{s.number}", s.title, ", ".join(s.notebooks) or "\u2014", s.summary)
        for s in SECTIONS
    )
    return Table(
        columns=("section", "title", "notebooks", "what it establishes"),
        rows=rows,
        caption=f"{PAPER_TITLE}: sections",
    )


def notebook_map() -> Table:
    """Every planned notebook against the part of the paper it reads.

    Notebooks not yet written are marked ``coming`` and are not linked.
    """
    rows = tuple((n.filename, n.part, n.topic, n.status) for n in NOTEBOOKS)
    hrefs = tuple(n.filename if n.status == "written" else None for n in NOTEBOOKS)
    return Table(
        columns=("notebook", "paper", "topic", "status"),
        rows=rows,
        caption=f"{PAPER_TITLE}: the notebooks, in reading order",
        hrefs=hrefs,
    )


# ---------------------------------------------------------------------------
# The paper beside the code
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """One function or method as a reader sees it beside the paper: where it lives, its
    docstring, and its whole source without the docstring (signature and every line of
    the body: nothing is cut, however long).

    ``overrides`` names the method of a base class that this one replaces (for a
    broken variant in ``paxos_notes.checker.variants``), or is empty.
    """

    name: str
    doc: str
    lines: tuple[str, ...]
    overrides: str = ""

    @classmethod
    def of(cls, fn: Callable[..., Any]) -> Code:
        if not inspect.isfunction(fn):
            raise ValueError(f"methods must be functions or methods defined in Python source, "
                             f"got {fn!r}")
        owner = _owner(fn)
        base = next((b for b in owner.__mro__[1:] if fn.__name__ in vars(b)), None) \
            if owner is not None else None
        overrides = f"{base.__module__}.{base.__qualname__}.{fn.__name__}" \
            if base is not None and base is not object else ""
        # The method's own docstring, never one inherited from the method it
        # overrides (that would describe the paper's rule, not the variant's);
        # a variant's one-method override may leave the explaining to its class.
        doc = fn.__doc__ or (vars(owner).get("__doc__") if overrides and owner else None)
        return cls(f"{fn.__module__}.{fn.__qualname__}", inspect.cleandoc(doc or ""),
                   _source_without_docstring(fn), overrides)

    def text_lines(self) -> list[str]:
        """The method as plain text: a heading, its docstring, then its code."""
        head = f"Code, {self.name}:" if not self.overrides else \
            f"Variant, {self.name} (overrides {self.overrides}):"
        return [head,
                *(f"    {line}".rstrip() for line in self.doc.splitlines()),
                "    --- code ---",
                *(f"    {line}".rstrip() for line in self.lines),
                ""]


def _owner(fn: Callable[..., Any]) -> type | None:
    """The class a method was defined in (None for a plain function)."""
    path = fn.__qualname__.split(".")[:-1]
    if not path or "<locals>" in path:
        return None
    obj: Any = importlib.import_module(fn.__module__)
    for part in path:
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def _source_without_docstring(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The function's source, dedented, with its docstring taken out (it is shown as
    text beside the code) and everything else kept: decorators, signature, comments."""
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
    node = ast.parse("\n".join(lines)).body[0]
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    first = node.body[0]
    if ast.get_docstring(node) is not None and first.end_lineno is not None:
        lines = lines[:first.lineno - 1] + lines[first.end_lineno:]
    return tuple(lines)


# Inline styles only (a notebook output carries no stylesheet). Long lines and long
# dotted names wrap rather than make the output scroll sideways; the docstring reads
# as prose, the code sits on a coloured rule: blue for the paper's code, vermillion for
# a variant's (Okabe-Ito, as in widgets/palette.py; the column headings say it too).
_CELL = 'style="vertical-align:top;text-align:left;overflow-wrap:anywhere"'
_DOC = 'style="white-space:pre-wrap;font-style:italic;font-size:90%;margin:0.3em 0"'
_PRE = ('style="white-space:pre-wrap;overflow-wrap:anywhere;font-size:85%;'
        'border-left:3px solid {rule};padding-left:0.5em;margin:0.3em 0 1em 0"')
_PAPER_RULE, _VARIANT_RULE = "#0072B2", "#D55E00"


@dataclass(frozen=True)
class SideBySide:
    """A quotation of the paper beside the code that implements it, and, when a method
    overrides one of the paper's (a variant, broken or not), that override in a third column."""

    label: str
    code: tuple[Code, ...]

    @property
    def paper_code(self) -> tuple[Code, ...]:
        return tuple(c for c in self.code if not c.overrides)

    @property
    def variant_code(self) -> tuple[Code, ...]:
        return tuple(c for c in self.code if c.overrides)

    def to_text(self) -> str:
        q = quote(self.label)
        lines = [f"Paper, {q.label} ({q.where}):", *textwrap.wrap(f"\u201c{q.text}\u201d", 88), ""]
        for c in self.code:
            lines.extend(c.text_lines())
        return "\n".join(lines).rstrip()

    def __str__(self) -> str:
        return self.to_text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.to_text())

    @staticmethod
    def _column(codes: tuple[Code, ...]) -> str:
        out = []
        for c in codes:
            note = f"<br>overrides <code>{html.escape(c.overrides)}</code>" if c.overrides else ""
            pre = _PRE.format(rule=_VARIANT_RULE if c.overrides else _PAPER_RULE)
            out.append(f"<p><code>{html.escape(c.name)}</code>{note}</p>"
                       f"<div {_DOC}>{html.escape(c.doc)}</div>"
                       f"<pre {pre}><code>{html.escape(chr(10).join(c.lines))}</code></pre>")
        return "".join(out)

    def _repr_html_(self) -> str:
        q = quote(self.label)
        columns = [("the paper",
                    f"<p><strong>{html.escape(q.label)}</strong> ({html.escape(q.where)})</p>"
                    f"<blockquote><p>\u201c{html.escape(q.text)}\u201d</p>"
                    f"<p>\u2014 <em>{html.escape(PAPER_TITLE)}</em></p></blockquote>"),
                   ("the code", self._column(self.paper_code))]
        if self.variant_code:
            columns.append(("the variant (an override)", self._column(self.variant_code)))
        width = f"width:{100 // len(columns)}%"
        cell = _CELL[:-1] + f';{width}"'
        head = "".join(f"<th {cell}>{name}</th>" for name, _ in columns)
        body = "".join(f"<td {cell}>{text}</td>" for _, text in columns)
        return (f'<table class="paxos-notes-beside" style="table-layout:fixed;width:100%">'
                f"<tr>{head}</tr><tr>{body}</tr></table>")


def beside(label: str, *methods: Callable[..., Any]) -> SideBySide:
    """The paper's statement ``label`` beside ``methods``: each one's docstring and its
    whole code. A method that overrides a base-class method (a variant's broken rule,
    e.g. ``NoPromiseAcceptor.may_accept``) is shown as such, in a column of its own, so
    the paper's method and the broken one can be read side by side."""
    if not methods:
        raise ValueError("methods must name at least one function or method")
    quote(label)  # an unknown label fails here, loudly
    return SideBySide(quote(label).label, tuple(Code.of(fn) for fn in methods))


def section_records() -> list[dict[str, object]]:
    """The sections as plain data (lists, not tuples), for ``--json`` output."""
    return [
        {**asdict(s), "notebooks": list(s.notebooks)}
        for s in SECTIONS
    ]
