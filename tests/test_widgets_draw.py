"""The drawing layer shared by the widgets: deterministic SVG, matplotlib replay."""

from __future__ import annotations

import re
import warnings

import pytest

from paxos_notes.widgets import palette as pal
from paxos_notes.widgets._draw import Canvas, new_figure, num, storyboard_figure

GLYPHS = "∩ ★ ▶ ← ✓ ≠ ≤ × → · — … ✕"


def _scene() -> Canvas:
    c = Canvas(200, 120, title='a "quoted" <title> & more')
    c.rect(1, 2, 30, 40, fill=pal.ORANGE, stroke=pal.BLACK, dash="dashed", opacity=0.5)
    c.circle(50, 50, 10, stroke=pal.BLUE, dash="dotted")
    c.wedge(80, 50, 10, 90, 270, pal.SKY_BLUE)
    c.arrow(10, 100, 190, 100, stroke=pal.VERMILLION, dash="dashdot")
    for i, shape in enumerate(("circle", "square", "diamond", "triangle", "down")):
        c.marker(shape, 120 + 15 * i, 20, 5, pal.BLUISH_GREEN)
    c.label(100, 80, GLYPHS, size=9, border=pal.INK)
    inner = Canvas(50, 20).freeze()
    c.group(inner, 5, 5)
    c.group(inner)
    return c


def test_numbers_have_one_decimal_and_never_minus_zero() -> None:
    assert num(3.0) == "3"
    assert num(2.25) == "2.2"
    assert num(-0.04) == "0"
    assert num(1234.56) == "1234.6"


def test_svg_is_deterministic_and_free_of_ids_and_dates() -> None:
    a, b = _scene().to_svg(), _scene().to_svg()
    assert a == b
    assert not re.search(r"\bid=", a)
    assert "<dc:date>" not in a and "<?xml" not in a
    assert a.startswith("<svg ") and a.endswith("</svg>")
    assert "&lt;title&gt;" in a and "&quot;quoted&quot;" in a  # escaped, accessible title


def test_canvas_replays_on_matplotlib_without_warnings() -> None:
    fig = new_figure(4, 2.4)
    ax = fig.add_axes((0, 0, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        _scene().draw(ax)
        fig.canvas.draw()
    assert len(ax.texts) == 1 and ax.patches


def test_bad_shapes_and_sizes_raise() -> None:
    with pytest.raises(ValueError, match="positive"):
        Canvas(0, 10)
    with pytest.raises(ValueError, match="marker shape"):
        Canvas(10, 10).marker("star", 1, 1, 1, None)
    with pytest.raises(ValueError, match="at least one frame"):
        storyboard_figure([])


def test_palette_is_okabe_ito_and_every_style_is_named() -> None:
    assert set(pal.PROPOSER_COLOURS) <= set(pal.OKABE_ITO)
    assert set(pal.ROLE_COLOURS.values()) <= set(pal.OKABE_ITO)
    assert len(set(pal.PROPOSER_MARKERS)) == len(pal.PROPOSER_MARKERS)
    # requests and replies differ by dash, not only by colour
    assert pal.MESSAGE_STYLES["Prepare"][1] != pal.MESSAGE_STYLES["Promise"][1]
    assert pal.value_colour("y", ("x", "y")) == pal.VALUE_COLOURS[1]


def test_storyboard_figure_has_a_panel_per_frame() -> None:
    frames = [(_scene(), "first"), (Canvas(100, 100), "second"), (_scene(), "third")]
    fig = storyboard_figure(frames, columns=2, title="t")
    assert len(fig.axes) == 3
    assert any("(3) third" in t.get_text() for t in fig.texts)


def test_storyboards_show_themselves_as_png_without_pyplot() -> None:
    fig = storyboard_figure([(Canvas(40, 20), "tiny")], panel_width=1.0)
    png = fig._repr_png_()  # what IPython calls to display it
    assert png.startswith(b"\x89PNG") and png == fig._repr_png_()
    assert b"Software" not in png[:200]  # no version stamp in the bytes
