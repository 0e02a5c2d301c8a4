"""What every widget shares: a picture, a caption, a message line, in-place updates.

A widget is an ``ipywidgets.VBox`` whose picture is an ``ipywidgets.HTML``
holding an inline SVG string: each step replaces that string (the front end
patches one DOM node, so nothing flickers) and nothing is printed into the
cell's outputs. The cell's ``text/plain`` output is a short, deterministic
``repr`` (strict nbval compares it), never the SVG.

A bad control value (say a grid shape that does not divide n) shows as a
readable message inside the widget; the constructors and pure functions raise
``ValueError`` instead.

Widgets that step through numbered frames (`TracePlayer`, `LogWidget`) share
one playback row — ◀ back, step ▶, play with a speed, a slider, a menu of
frames to jump to — from `PlayerWidget`, the controls readers know from
RaftScope and DSLabs. A widget that sets its own controls from Python does so
inside `FrameWidget.syncing`, so that their observers do not act on it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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

    _syncing = False  # True while the widget sets its own controls (`syncing`)

    def __init__(self, controls: list[w.Widget], below: list[w.Widget] | None = None) -> None:
        self.picture = w.HTML(layout=w.Layout(min_height="120px"))
        self.caption_box = w.HTML()
        self.message_box = w.HTML()
        super().__init__(children=[*controls, self.picture, self.caption_box, self.message_box,
                                   *(below or [])])
        self._svg = ""
        self._caption = ""
        self._message = ""

    @contextmanager
    def syncing(self) -> Iterator[None]:
        """Set this widget's controls from Python: observers see ``_syncing`` and
        do nothing, so a value the widget shows is not taken for a reader's action."""
        outer = self._syncing
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = outer

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


Jump = tuple[str, Any]  # (label, cursor) in a "jump to" menu; cursor None: no jump


class PlayerWidget(FrameWidget):
    """A view of numbered frames ``0..last`` with the shared playback row.

    A subclass says how many frames there are (`last`), checks a cursor
    (`check_cursor`), lists the frames worth jumping to (`jumps`) and draws
    the frame at ``self.cursor`` (`frame`); this class does the rest:
    ``back_button``, ``forward_button``, ``play`` (linked to ``slider``),
    ``speed`` and ``jump_menu``, `go` and `step`.
    """

    cursor: int

    def _build_playback(self, start: int, unit: str) -> list[w.Widget]:
        """The playback widgets, as attributes; returns the button row and the slider row
        (the subclass places ``jump_menu`` where it wants it)."""
        total = self.last()
        self.cursor = start
        self.back_button = w.Button(description="◀ back", layout=w.Layout(width="80px"))
        self.forward_button = w.Button(description="step ▶", layout=w.Layout(width="80px"))
        self.play = w.Play(value=start, min=0, max=total, description="play")
        self.speed = w.IntSlider(value=2, min=1, max=10, description=f"{unit}s/s",
                                 continuous_update=False, layout=w.Layout(width="240px"))
        self.slider = w.IntSlider(value=start, min=0, max=total, description=unit,
                                  layout=w.Layout(width="480px"))
        w.link((self.play, "value"), (self.slider, "value"))
        self.jump_menu = w.Dropdown(description="jump to", style={"description_width": "initial"},
                                    layout=w.Layout(width="560px"))
        return [w.HBox([self.back_button, self.forward_button, self.play, self.speed]),
                w.HBox([self.slider])]

    def _wire_playback(self) -> None:
        """Connect the playback row (after ``FrameWidget.__init__``)."""
        self.back_button.on_click(lambda _b: self.step(-1))
        self.forward_button.on_click(lambda _b: self.step(1))
        self.slider.observe(self._on_cursor, names="value")
        self.jump_menu.observe(self._on_cursor, names="value")
        self.speed.observe(lambda ch: setattr(self.play, "interval", 1000 // ch["new"]),
                           names="value")
        self.play.interval = 1000 // self.speed.value

    # -- what a subclass supplies ----------------------------------------------------
    def last(self) -> int:
        """The last cursor (frames are numbered 0..last)."""
        raise NotImplementedError

    def check_cursor(self, cursor: int) -> None:
        """Raise ValueError for a cursor that names no frame."""
        raise NotImplementedError

    def jumps(self) -> Sequence[Jump]:
        """The "jump to" menu's entries after its blank first one."""
        raise NotImplementedError

    def frame(self) -> tuple[str, str]:
        """(SVG, caption) of the frame at ``self.cursor``."""
        raise NotImplementedError

    # -- viewing -----------------------------------------------------------------------
    def go(self, cursor: int) -> None:
        """Show frame ``cursor``."""
        self.check_cursor(cursor)
        self.cursor = cursor
        self._refresh()

    def step(self, delta: int = 1) -> None:
        """Move ``delta`` frames, stopping at either end."""
        self.go(min(max(self.cursor + delta, 0), self.last()))

    # -- plumbing ------------------------------------------------------------------------
    def _sync_playback(self) -> None:
        """Fit the slider, the play range and the jump menu to the frames there are."""
        with self.syncing():
            total = self.last()
            self.play.max = total
            self.slider.max = total
            self.jump_menu.options = [("—", None), *self.jumps()]
            self.jump_menu.value = None

    def _on_cursor(self, change: dict) -> None:
        if not self._syncing and change["new"] is not None:
            self._guarded(lambda: self.go(change["new"]))

    def _refresh(self) -> None:
        with self.syncing():
            self.slider.value = self.cursor
        self._show(*self.frame())
