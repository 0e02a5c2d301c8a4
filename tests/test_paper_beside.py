"""paxos_notes.paper.beside: the paper's words beside the WHOLE code of the methods that
implement them, and a broken variant's override beside the paper's method."""

from __future__ import annotations

import inspect
import textwrap

import pytest

from paxos_notes.agents import Acceptor, Proposer
from paxos_notes.ballots import ProposalNumber
from paxos_notes.paper import beside, quote


class EagerAcceptor(Acceptor):
    """A broken acceptor, as checker/variants.py writes them: one overridden method."""

    def may_accept(self, n: ProposalNumber) -> bool:
        """Accepts anything: promises mean nothing."""
        return True  # the rule this variant breaks


class SilentAcceptor(Acceptor):
    """Explains itself here, in the class, as checker/variants.py does."""

    def may_accept(self, n: ProposalNumber) -> bool:
        return False


def helper_with_a_long_signature(first: int,
                                 second: int = 2) -> int:
    """A docstring that must not be repeated inside the code."""
    # a comment right after the docstring is code the reader should see
    return first + second


def _code_lines(fn: object) -> list[str]:
    """Every non-blank line of the function's source that is not part of its docstring."""
    raw_doc = fn.__doc__ or ""  # type: ignore[attr-defined]
    src = textwrap.dedent(inspect.getsource(fn)).splitlines()  # type: ignore[arg-type]
    return [line for line in src
            if line.strip() and line.strip().strip('"') not in raw_doc]


@pytest.mark.parametrize("label, methods", [
    ("Phase 1(a)", (Proposer.prepare,)),
    ("Phase 1(b)", (Acceptor.on_prepare, Acceptor.should_promise)),
    ("Phase 2(a)", (Proposer.on_promise, Proposer.choose_value)),
    ("Phase 2(b)", (Acceptor.on_accept,)),
    ("P1a", (Acceptor.may_accept,)),
])
def test_every_rule_is_shown_with_its_whole_code_however_long(label, methods) -> None:
    text = beside(label, *methods).to_text()
    assert quote(label).text[:40] in text.replace("\n", " ")
    for fn in methods:
        assert f"Code, paxos_notes.agents.{fn.__qualname__}:" in text
        for line in _code_lines(fn):
            assert f"    {line}" in text, f"{fn.__qualname__}: {line!r} is not shown"


def a_long_rule(n: int) -> int:
    """Twenty-odd lines of code: more than any cut-off a display might be tempted by."""
    total = 0
    total += n
    total += n * 2
    total += n * 3
    total += n * 4
    total += n * 5
    total += n * 6
    total += n * 7
    total += n * 8
    total += n * 9
    total += n * 10
    total += n * 11
    total += n * 12
    total += n * 13
    total += n * 14
    total += n * 15
    total += n * 16
    total += n * 17
    total += n * 18
    total += n * 19
    return total  # the last line is shown too


def test_a_long_method_is_shown_in_full_with_no_cut_off() -> None:
    # The old beside hid any body over 14 lines, so the two central rules, Phase 2(a)
    # (on_promise) and Phase 2(b) (on_accept), appeared without code.
    shown = beside("P1", a_long_rule).code[0].lines
    assert len(shown) == 22  # the signature and 21 lines of body
    assert shown[0] == "def a_long_rule(n: int) -> int:"
    assert shown[-1] == "    return total  # the last line is shown too"
    for fn in (Proposer.on_promise, Acceptor.on_accept):
        code = beside("Phase 2(a)", fn).code[0].lines
        assert code[0].startswith(f"def {fn.__name__}(") and code[-1].strip().startswith("return")


def test_the_long_phase_2_methods_are_shown_in_full() -> None:
    # on_promise and on_accept are the two central rules, and used to be the ones
    # left without code (on_promise is still the longest method of agents.py).
    for fn in (Proposer.on_promise, Acceptor.on_accept):
        shown = beside("Phase 2(a)", fn).code[0].lines
        assert len(shown) == len(_code_lines(fn))
        assert shown[0].startswith(f"def {fn.__name__}(")
        assert shown[-1].strip().startswith("return")


def test_the_docstring_is_shown_as_text_and_not_repeated_in_the_code() -> None:
    code = beside("P1", helper_with_a_long_signature).code[0]
    assert code.doc == "A docstring that must not be repeated inside the code."
    assert code.lines == (
        "def helper_with_a_long_signature(first: int,",
        "                                 second: int = 2) -> int:",
        "    # a comment right after the docstring is code the reader should see",
        "    return first + second",
    )
    assert code.overrides == ""


def test_a_variants_override_is_named_as_one_and_shown_beside_the_paper() -> None:
    side = beside("P1a", Acceptor.may_accept, EagerAcceptor.may_accept)
    paper_code, broken = side.code
    assert paper_code.overrides == "" and side.paper_code == (paper_code,)
    assert broken.name == f"{__name__}.EagerAcceptor.may_accept"
    assert broken.overrides == "paxos_notes.agents.Acceptor.may_accept"
    assert side.variant_code == (broken,)
    text = side.to_text()
    assert (f"Variant, {__name__}.EagerAcceptor.may_accept "
            f"(overrides paxos_notes.agents.Acceptor.may_accept):") in text
    assert "        return True  # the rule this variant breaks" in text
    # an inherited method is the paper's code, not an override
    assert beside("Phase 2(b)", EagerAcceptor.on_accept).code[0].overrides == ""


def test_html_puts_the_paper_the_code_and_the_variant_in_columns() -> None:
    two = beside("Phase 1(b)", Acceptor.on_prepare)._repr_html_()
    assert two.count("<td ") == 2 and "the paper" in two and "the code" in two
    assert "the variant" not in two
    three = beside("P1a", Acceptor.may_accept, EagerAcceptor.may_accept)._repr_html_()
    assert three.count("<td ") == 3 and "the variant (an override)" in three
    assert "promised &gt; n" in three  # code is escaped, not interpreted as markup
    assert "white-space:pre-wrap" in three  # long lines wrap instead of scrolling sideways
    assert "overflow-wrap:anywhere;width:33%" in three and "width:50%" in two  # long names too
    assert "#D55E00" in three and "#D55E00" not in two  # a variant's code on its own colour


def test_beside_fails_loudly_on_a_bad_label_no_method_or_no_source() -> None:
    with pytest.raises(KeyError, match="no quotation labelled"):
        beside("P9", Acceptor.may_accept)
    with pytest.raises(ValueError, match="methods"):
        beside("P1a")
    with pytest.raises(ValueError, match="methods must be functions"):
        beside("P1a", len)
    with pytest.raises(ValueError, match="methods must be functions"):
        beside("P1a", Acceptor)


def test_an_override_never_shows_the_docstring_it_would_inherit() -> None:
    # inspect.getdoc would hand back Acceptor.may_accept's quotation of P1a
    code = beside("P1a", SilentAcceptor.may_accept).code[0]
    assert code.doc == "Explains itself here, in the class, as checker/variants.py does."
    assert "An acceptor can accept" not in code.doc
    assert code.lines == ("def may_accept(self, n: ProposalNumber) -> bool:",
                          "    return False")


def test_html_lets_long_dotted_method_names_wrap() -> None:
    # "paxos_notes.checker.variants.SendBeforePersistAcceptor._respond" has no break
    # opportunity; in a column a third of the page wide it must wrap, not widen the
    # output (the browser suite reports outputs that scroll sideways at 1280 px).
    three = beside("P1a", Acceptor.may_accept, EagerAcceptor.may_accept)._repr_html_()
    cells = three.split("<td ")[1:]
    assert len(cells) == 3 and all("overflow-wrap:anywhere" in c.split(">")[0] for c in cells)
