"""What every widget shares: a picture, a caption, a message line, in-place updates.

A widget is an ``ipywidgets.VBox`` whose picture is an ``ipywidgets.HTML``
holding an inline SVG string: each step replaces that string (the front end
patches one DOM node, so nothing flickers) and nothing is printed into the
cell's outputs. The cell's ``text/plain`` output is a short, deterministic
``repr`` (strict nbval compares it), never the SVG.

A bad control value (say a grid shape that does not divide n) shows as a
readable message inside the widget; the constructors and pure functions raise
``ValueError`` instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

CAPTION_STYLE = "font-size:13px;line-height:1.4;max-width:900px"


def caption_html(text: str) -> str:
    return f'<div style="{CAPTION_STYLE}">{html.escape(text)}</div>'


def message_html(text: str) -> str:
    if not text:
        return ""
    return (f'<div role="alert" style="{CAPTION_STYLE};color:#8B3A00;border-left:4px solid '
            f'#D55E00;padding-left:6px">{html.escape(text)}</div>')


class FrameWidget(w.VBox):
    """Base class: ``picture`` (SVG in HTML), ``caption_box`` and ``message_box``."""

    def __init__(self, controls: list[w.Widget], below: list[w.Widget] | None = None) -> None:
        self.picture = w.HTML(layout=w.Layout(min_height="120px"))
        self.caption_box = w.HTML()
        self.message_box = w.HTML()
        super().__init__(children=[*controls, self.picture, self.caption_box, self.message_box,
                                   *(below or [])])
        self._svg = ""
        self._caption = ""
        self._message = ""

    # -- what the widget shows ---------------------------------------------------
    @property
    def svg(self) -> str:
        """The SVG of the frame on screen."""
        return self._svg

    @property
    def frame_bytes(self) -> bytes:
        return self._svg.encode("utf-8")

    @property
    def caption(self) -> str:
        """The caption of the frame on screen, in plain text."""
        return self._caption

    @property
    def message(self) -> str:
        """The error or notice shown in the widget ("" when all is well)."""
        return self._message

    def _show(self, svg: str, caption: str) -> None:
        if svg != self._svg:
            self._svg = svg
            self.picture.value = svg
        if caption != self._caption:
            self._caption = caption
            self.caption_box.value = caption_html(caption)

    def _say(self, text: str) -> None:
        if text != self._message:
            self._message = text
            self.message_box.value = message_html(text)

    def _guarded(self, action: Callable[[], Any]) -> Any:
        """Run a control's action; a ValueError becomes a message in the widget."""
        try:
            result = action()
        except ValueError as e:
            self._say(str(e))
            return None
        return result


def observe_value(widget: w.Widget, handler: Callable[[], None]) -> None:
    widget.observe(lambda _change: handler(), names="value")
