"""A tiny retained drawing: one list of shapes, two back ends (SVG and matplotlib).

Why not draw every frame with matplotlib? Measured on the target machine (see
``JUPYTER-NOTES.md``), Agg costs ~41 ms a frame even when one figure is reused,
and PNG encoding another 16-20 ms; the widgets aim at <= 15 ms from a click to
the new frame. Writing the SVG text directly costs well under a millisecond, is
deterministic by construction (no ids, no dates, every number printed with one
decimal) and scales crisply in the browser. So each widget builds a `Canvas`,
the live view shows `Canvas.to_svg()` in an ``ipywidgets.HTML``, and the static
storyboards replay *the same* shapes onto matplotlib axes (`Canvas.draw`), so
the picture on GitHub is the picture in the widget.

Coordinates are SVG's: x to the right, y downwards, in pixels of a
``width`` x ``height`` view box. Angles are in degrees, clockwise on screen.
The SVG uses no ``id`` attributes (arrowheads are polygons, not markers), so
any number of widgets can share one page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Point = tuple[float, float]

DASHES = {"solid": None, "dashed": "6 4", "dotted": "1.5 3", "dashdot": "7 3 1.5 3"}
MPL_DASHES: dict[str, Any] = {
    "solid": "-", "dashed": (0, (4, 2.5)), "dotted": (0, (1, 2)), "dashdot": (0, (5, 2, 1, 2)),
}
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_ANCHOR_HA = {"start": "left", "middle": "center", "end": "right"}


def num(x: float) -> str:
    """A number for SVG: one decimal, no trailing zeros, never ``-0``."""
    return f"{round(x, 1) + 0.0:g}"


def _paint(fill: str | None, stroke: str | None, width: float, dash: str,
           opacity: float) -> str:
    parts = [f' fill="{fill or "none"}"']
    if stroke:
        parts.append(f' stroke="{stroke}" stroke-width="{num(width)}"')
        pattern = DASHES[dash]
        if pattern:
            parts.append(f' stroke-dasharray="{pattern}"')
    if opacity < 1.0:  # on the fill if there is one (a frame stays crisp), else the line
        parts.append(f' {"fill" if fill else "stroke"}-opacity="{opacity:.2f}"')
    return "".join(parts)


class Canvas:
    """Shapes in drawing order. Build one per frame; reuse static parts with `group`."""

    def __init__(self, width: float, height: float, title: str = "") -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"canvas size must be positive, got {width}x{height}")
        self.width = float(width)
        self.height = float(height)
        self.title = title
        self.shapes: list[tuple[Any, ...]] = []
        self._body: str | None = None

    # -- shapes ------------------------------------------------------------
    def rect(self, x: float, y: float, w: float, h: float, fill: str | None = None,
             stroke: str | None = None, width: float = 1.0, dash: str = "solid",
             opacity: float = 1.0) -> None:
        self.shapes.append(("rect", x, y, w, h, fill, stroke, width, dash, opacity))

    def circle(self, cx: float, cy: float, r: float, fill: str | None = None,
               stroke: str | None = None, width: float = 1.0, dash: str = "solid",
               opacity: float = 1.0) -> None:
        self.shapes.append(("circle", cx, cy, r, fill, stroke, width, dash, opacity))

    def wedge(self, cx: float, cy: float, r: float, start: float, end: float,
              fill: str, opacity: float = 1.0) -> None:
        """A filled pie slice from angle ``start`` to ``end`` (degrees, clockwise)."""
        self.shapes.append(("wedge", cx, cy, r, start, end, fill, opacity))

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000000",
             width: float = 1.0, dash: str = "solid", opacity: float = 1.0) -> None:
        self.shapes.append(("line", x1, y1, x2, y2, stroke, width, dash, opacity))

    def polygon(self, points: Sequence[Point], fill: str | None = None,
                stroke: str | None = None, width: float = 1.0, dash: str = "solid",
                opacity: float = 1.0, closed: bool = True) -> None:
        self.shapes.append(("poly", tuple(points), fill, stroke, width, dash, opacity, closed))

    def text(self, x: float, y: float, s: str, size: float = 12.0, anchor: str = "start",
             fill: str = "#222222", bold: bool = False, italic: bool = False) -> None:
        """Text whose vertical centre is at ``y``; ``anchor`` is start, middle or end."""
        self.shapes.append(("text", x, y, s, size, anchor, fill, bold, italic))

    def group(self, other: Canvas, dx: float = 0.0, dy: float = 0.0) -> None:
        """Embed another canvas (drawn once, e.g. a static chart) at ``(dx, dy)``."""
        self.shapes.append(("group", other, dx, dy))

    # -- composite shapes ----------------------------------------------------
    def arrow(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000000",
              width: float = 1.5, dash: str = "solid", head: float = 8.0,
              opacity: float = 1.0) -> None:
        """A line with a filled triangular head at ``(x2, y2)``."""
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 1e-9:
            return
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bx, by = x2 - ux * head, y2 - uy * head
        self.line(x1, y1, bx, by, stroke, width, dash, opacity)
        half = head * 0.45
        self.polygon(((x2, y2), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)),
                     fill=stroke, opacity=opacity)

    def marker(self, shape: str, cx: float, cy: float, r: float, fill: str | None,
               stroke: str | None = "#222222", width: float = 1.0, dash: str = "solid",
               opacity: float = 1.0) -> None:
        """A marker of radius ``r``: circle, square, diamond, triangle or down."""
        if shape == "circle":
            self.circle(cx, cy, r, fill, stroke, width, dash, opacity)
            return
        if shape == "square":
            s = r * 0.9
            pts: tuple[Point, ...] = ((cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s),
                                      (cx - s, cy + s))
        elif shape == "diamond":
            s = r * 1.15
            pts = ((cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy))
        elif shape == "triangle":
            s = r * 1.15
            pts = ((cx, cy - s), (cx + s * 0.95, cy + s * 0.6), (cx - s * 0.95, cy + s * 0.6))
        elif shape == "down":
            s = r * 1.15
            pts = ((cx, cy + s), (cx + s * 0.95, cy - s * 0.6), (cx - s * 0.95, cy - s * 0.6))
        else:
            raise ValueError(f"marker shape must be circle, square, diamond, triangle or down, "
                             f"got {shape!r}")
        self.polygon(pts, fill, stroke, width, dash, opacity)

    def label(self, x: float, y: float, s: str, size: float = 11.0, anchor: str = "middle",
              fill: str = "#222222", background: str = "#FFFFFF", border: str | None = None,
              bold: bool = False) -> None:
        """Text on an opaque box, so it stays readable over lines."""
        w = text_width(s, size) + 6
        h = size + 5
        x0 = x - w / 2 if anchor == "middle" else (x - w if anchor == "end" else x - 3)
        self.rect(x0, y - h / 2, w, h, fill=background, stroke=border, width=0.8)
        self.text(x, y, s, size, anchor, fill, bold=bold)

    # -- SVG -------------------------------------------------------------------
    def body(self) -> str:
        """The SVG elements (without the outer ``<svg>``); cached once built."""
        if self._body is not None:
            return self._body
        out: list[str] = []
        for s in self.shapes:
            out.append(_svg_shape(s))
        body = "".join(out)
        return body

    def freeze(self) -> Canvas:
        """Cache the SVG body: call on a canvas that will be embedded many times."""
        self._body = self.body()
        return self

    def to_svg(self) -> str:
        """A standalone, deterministic SVG document (no XML declaration)."""
        w, h = num(self.width), num(self.height)
        title = f"<title>{escape(self.title)}</title>" if self.title else ""
        label = f' aria-label="{escape(self.title, {chr(34): "&quot;"})}"' if self.title else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img"{label} font-family="{FONT}" '
            f'style="max-width:100%;height:auto;background:#FFFFFF">{title}'
            f"{self.body()}</svg>"
        )

    # -- matplotlib ------------------------------------------------------------
    def draw(self, ax: Axes, scale: float | None = None) -> None:
        """Replay the shapes onto matplotlib axes (for static storyboards).

        ``scale`` converts canvas pixels to points (font sizes and line widths);
        by default it is computed from the axes' size on its figure.
        """
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.set_aspect("equal")
        ax.set_axis_off()
        if scale is None:
            fig = ax.figure
            bbox = ax.get_position()
            fw, fh = fig.get_size_inches()
            scale = min(bbox.width * fw * 72 / self.width, bbox.height * fh * 72 / self.height)
        _draw_shapes(ax, self.shapes, 0.0, 0.0, scale, [0])


def text_width(s: str, size: float) -> float:
    """A rough width of ``s`` in a sans-serif font (layout only, no font metrics)."""
    return 0.6 * size * len(s)


def _svg_shape(s: tuple[Any, ...]) -> str:
    kind = s[0]
    if kind == "rect":
        _, x, y, w, h, fill, stroke, width, dash, opacity = s
        return (f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"'
                f"{_paint(fill, stroke, width, dash, opacity)}/>")
    if kind == "circle":
        _, cx, cy, r, fill, stroke, width, dash, opacity = s
        return (f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}"'
                f"{_paint(fill, stroke, width, dash, opacity)}/>")
    if kind == "wedge":
        _, cx, cy, r, start, end, fill, opacity = s
        a0, a1 = math.radians(start), math.radians(end)
        x0, y0 = cx + r * math.cos(a0), cy + r * math.sin(a0)
        x1, y1 = cx + r * math.cos(a1), cy + r * math.sin(a1)
        large = 1 if (end - start) % 360 > 180 else 0
        return (f'<path d="M{num(cx)},{num(cy)}L{num(x0)},{num(y0)}A{num(r)},{num(r)} 0 '
                f'{large} 1 {num(x1)},{num(y1)}Z"{_paint(fill, None, 0, "solid", opacity)}/>')
    if kind == "line":
        _, x1, y1, x2, y2, stroke, width, dash, opacity = s
        return (f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"'
                f"{_paint(None, stroke, width, dash, opacity)}/>")
    if kind == "poly":
        _, pts, fill, stroke, width, dash, opacity, closed = s
        tag = "polygon" if closed else "polyline"
        p = " ".join(f"{num(x)},{num(y)}" for x, y in pts)
        return f'<{tag} points="{p}"{_paint(fill, stroke, width, dash, opacity)}/>'
    if kind == "text":
        _, x, y, text, size, anchor, fill, bold, italic = s
        extra = ' font-weight="bold"' if bold else ""
        extra += ' font-style="italic"' if italic else ""
        if anchor != "start":
            extra += f' text-anchor="{anchor}"'
        return (f'<text x="{num(x)}" y="{num(y + 0.35 * size)}" font-size="{num(size)}" '
                f'fill="{fill}"{extra}>{escape(text)}</text>')
    if kind == "group":
        _, other, dx, dy = s
        if dx == 0 and dy == 0:
            return other.body()
        return f'<g transform="translate({num(dx)},{num(dy)})">{other.body()}</g>'
    raise ValueError(f"unknown shape {kind!r}")  # pragma: no cover - internal


def _mpl_paint(fill: str | None, stroke: str | None, width: float, dash: str, scale: float,
               opacity: float) -> dict[str, Any]:
    """Patch colours with the SVG's rule: opacity on the fill if any, else on the line."""
    from matplotlib.colors import to_rgba

    kw: dict[str, Any] = {"facecolor": to_rgba(fill, opacity) if fill else "none"}
    if not stroke:
        kw.update(edgecolor="none", linewidth=0)
    else:
        kw.update(edgecolor=to_rgba(stroke, 1.0 if fill else opacity),
                  linewidth=max(width * scale, 0.2), linestyle=MPL_DASHES[dash])
    return kw


def _draw_shapes(ax: Axes, shapes: list[tuple[Any, ...]], dx: float, dy: float, scale: float,
                 z: list[int]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Polygon, Rectangle, Wedge

    for s in shapes:
        kind = s[0]
        z[0] += 1
        if kind == "rect":
            _, x, y, w, h, fill, stroke, width, dash, opacity = s
            ax.add_artist(Rectangle((x + dx, y + dy), w, h, zorder=z[0],
                                    **_mpl_paint(fill, stroke, width, dash, scale, opacity)))
        elif kind == "circle":
            _, cx, cy, r, fill, stroke, width, dash, opacity = s
            ax.add_artist(Circle((cx + dx, cy + dy), r, zorder=z[0],
                                 **_mpl_paint(fill, stroke, width, dash, scale, opacity)))
        elif kind == "wedge":
            _, cx, cy, r, start, end, fill, opacity = s
            ax.add_artist(Wedge((cx + dx, cy + dy), r, start, end, zorder=z[0],
                                **_mpl_paint(fill, None, 0, "solid", scale, opacity)))
        elif kind == "line":
            _, x1, y1, x2, y2, stroke, width, dash, opacity = s
            ax.add_artist(Line2D([x1 + dx, x2 + dx], [y1 + dy, y2 + dy], color=stroke,
                                 linewidth=max(width * scale, 0.2), linestyle=MPL_DASHES[dash],
                                 alpha=opacity if opacity < 1 else None, zorder=z[0],
                                 solid_capstyle="butt"))
        elif kind == "poly":
            _, pts, fill, stroke, width, dash, opacity, closed = s
            xy = [(x + dx, y + dy) for x, y in pts]
            ax.add_artist(Polygon(xy, closed=closed, zorder=z[0],
                                  **_mpl_paint(fill, stroke, width, dash, scale, opacity)))
        elif kind == "text":
            _, x, y, text, size, anchor, fill, bold, italic = s
            ax.text(x + dx, y + dy, text, fontsize=size * scale, ha=_ANCHOR_HA[anchor],
                    va="center", color=fill, fontweight="bold" if bold else "normal",
                    fontstyle="italic" if italic else "normal", zorder=z[0])
        elif kind == "group":
            _, other, gx, gy = s
            _draw_shapes(ax, other.shapes, dx + gx, dy + gy, scale, z)


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure with an Agg canvas attached (no pyplot, no global state).

    It is a `matplotlib.figure.Figure` that also knows how to show itself as PNG
    in a notebook (``_repr_png_``): without pyplot, IPython would otherwise print
    only ``<Figure size ...>``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _storyboard_class()(figsize=(width_in, height_in), dpi=100)
    FigureCanvasAgg(fig)
    return fig


_FIGURE_CLASS: list[type] = []


def _storyboard_class() -> type:
    if not _FIGURE_CLASS:
        from matplotlib.figure import Figure

        class StoryboardFigure(Figure):
            """A Figure that renders itself as PNG for IPython, without pyplot."""

            def _repr_png_(self) -> bytes:
                import io

                buf = io.BytesIO()
                # no "Software" metadata: the bytes do not change with the version
                self.savefig(buf, format="png", metadata={"Software": None})
                return buf.getvalue()

        _FIGURE_CLASS.append(StoryboardFigure)
    return _FIGURE_CLASS[0]


def storyboard_cursors(wanted: Iterable[int], total: int, panels: int) -> list[int]:
    """The frames a storyboard of at most ``panels`` panels shows, out of cursors
    0..total: the ``wanted`` ones first, in their order of priority, then evenly
    spaced ones; returned in order."""
    step = max(total // max(panels - 1, 1), 1)
    picks: list[int] = []
    for k in (*wanted, *range(step, total, step)):
        if k not in picks and len(picks) < min(panels, total + 1):
            picks.append(k)
    return sorted(picks)


def storyboard_figure(frames: Sequence[tuple[Canvas, str]], columns: int = 3,
                      panel_width: float = 4.0, title: str = "", caption_lines: int = 4,
                      legend: str = "") -> Figure:
    """Small multiples: each frame's canvas with its (wrapped) caption underneath.

    Panels share one width; a row is as tall as its tallest picture. ``legend``
    (what each colour, dash and marker means) is printed once under the title:
    panels are drawn without their own legends, because matplotlib draws text
    slowly and the storyboards must stay quick.
    """
    import textwrap

    if not frames:
        raise ValueError("frames must hold at least one frame")
    columns = max(1, min(columns, len(frames)))
    rows = [frames[i:i + columns] for i in range(0, len(frames), columns)]
    pic_heights = [max(panel_width * c.height / c.width for c, _ in row) for row in rows]
    text_h = 0.16 * caption_lines + 0.1
    wrap = max(20, int(panel_width * 16))
    legend_lines = textwrap.wrap(legend, int(wrap * columns * 0.9)) if legend else []
    title_h = (0.45 if title else 0.1) + 0.16 * len(legend_lines)
    gap = 0.2
    fig_w = panel_width * columns + gap * (columns + 1)
    fig_h = title_h + sum(h + text_h + gap for h in pic_heights)
    fig = new_figure(fig_w, fig_h)
    if title:
        fig.text(0.5, 1 - 0.22 / fig_h, title, ha="center", va="center", fontsize=12,
                 fontweight="bold")
    if legend_lines:
        fig.text(gap / fig_w, 1 - 0.42 / fig_h, "\n".join(legend_lines), ha="left", va="top",
                 fontsize=7.5, linespacing=1.25)
    top = fig_h - title_h
    number = 0
    for row, pic_h in zip(rows, pic_heights, strict=True):
        for col, (canvas, caption) in enumerate(row):
            number += 1
            h = panel_width * canvas.height / canvas.width
            left = (gap + col * (panel_width + gap)) / fig_w
            bottom = (top - h) / fig_h
            ax = fig.add_axes((left, bottom, panel_width / fig_w, h / fig_h))
            canvas.draw(ax)
            lines = textwrap.wrap(f"({number}) {caption}", wrap)
            if len(lines) > caption_lines:
                lines = [*lines[: caption_lines - 1], lines[caption_lines - 1][: wrap - 1] + "…"]
            fig.text(left, (top - pic_h - 0.05) / fig_h, "\n".join(lines), ha="left", va="top",
                     fontsize=7.5, linespacing=1.25)
        top -= pic_h + text_h + gap
    return fig
