"""Vector charts (SVG) of the fit analysis, shared by the PDF reports and the web dashboard.

Pure: numbers and already-translated labels in, an SVG document (text) out; no Flask, no database, no plotting
library. The few chart kinds are written directly as SVG elements (lines, rectangles, circles, polygons and
text) on a grid of points (1/72 inch): a chart is `WIDTH_INCHES` wide, its height follows from its rows, and
its margins are fixed in inches so that every chart keeps the same text size when a report scales it to the
text width. The same input gives byte-identical SVG (no date, no ids, coordinates printed to two decimals).

Text stays text: every label is an SVG `<text>` element in the report's own font (DejaVu Sans), selectable in
the PDF. Labels are taken literally and XML-escaped (`&`, `<`, `>`; characters XML does not allow are
dropped), so an account or dimension name can never become markup. Text is placed by anchors (start, middle,
end); only the legend measures text, with DejaVu Sans's advance widths (`_text_width`).

One colour per perspective everywhere: the client's view is `CLIENT_COLOUR`, the supplier's view
`SUPPLIER_COLOUR` (the same values as `--client` and `--supplier` in app.css). Values resting on fewer than
`min_n` respondents (rule 14, "indicative") are drawn hollow, and the legend says so.
"""

from __future__ import annotations

import base64
import math
import re
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveyapp.enums import Quadrant

CLIENT_COLOUR = "#1f5f99"
SUPPLIER_COLOUR = "#b3541e"
INK = "#1d2330"
MUTED = "#4a5366"
GRID = "#dde2ea"
CONNECTOR = "#8a93a6"
WHITE = "#ffffff"
# Quadrant backgrounds: green, amber (realign) and red washes, none close to a perspective's colour.
QUADRANT_WASH = {
    Quadrant.MATCH: "#e9f3ec",
    Quadrant.CUSTOMER_SWAYED: "#fbf6df",
    Quadrant.BLIND_SPOT: "#fbf6df",
    Quadrant.MISFIT: "#f8e7e9",
}
FONT = "DejaVu Sans"
FONT_SIZE = 8.5  # points
WIDTH_INCHES = 6.7  # the text width of an A4 page with 20 mm margins
LABEL_WIDTH = 30  # characters per line of a dimension label before it wraps
POINTS = 72  # per inch: the charts' unit
LINE_SPACING = 1.2  # of the font size, between the lines of a wrapped label
TICK = 3.5  # tick length and the gap between a tick and its label
# Where a text's baseline sits relative to the middle (0.35), the top (0.76) or the bottom (-0.24) of a
# line of DejaVu Sans, in font sizes.
MIDDLE, TOP, BOTTOM = 0.35, 0.76, -0.24
DASHES = "3.6 2.7"

# DejaVu Sans advance widths of the printable ASCII characters (32-126), in units of 1/2048 em (the font's
# own hmtx table); anything else counts as `WIDE`. Used only to lay out the legend.
_ADVANCES = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577,
    1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401,
    2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298,
    569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
)  # fmt: skip
WIDE = 1716
# Characters XML 1.0 does not allow (C0 controls other than tab, newline and return; U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class MirrorRow:
    """One dimension: the client's and the supplier's mean (None where a perspective has no score)."""

    label: str
    client: float | None
    supplier: float | None
    client_indicative: bool = False
    supplier_indicative: bool = False
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class FitPoint:
    """One account in the fit matrix: its overall fit per perspective and the number it has in the table;
    an `indicative` one (rule 17: fewer than `min_n` respondents on a side) is drawn hollow."""

    number: int
    client: float
    supplier: float
    indicative: bool = False


@dataclass(frozen=True, slots=True)
class GapRow:
    """One dimension's gap client − supplier (None when one side has no score)."""

    label: str
    gap: float | None
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class PerspectiveLabels:
    """The translated words a chart needs around its numbers."""

    client: str
    supplier: str
    indicative: str
    score_axis: str
    threshold: str


def _wrap(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_WIDTH, break_long_words=True) or [" "]


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """The advance width of `text` in DejaVu Sans at `size` points (accented letters as their base letter)."""
    units = 0
    for char in text:
        code = ord(char)
        if not 32 <= code <= 126:
            base = unicodedata.normalize("NFD", char)[:1]
            code = ord(base) if base else 0
        units += _ADVANCES[code - 32] if 32 <= code <= 126 else WIDE
    return units / 2048 * size


def _number(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never "-0" (deterministic across platforms)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _tick_label(value: float) -> str:
    text = str(round(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace("-", "\N{MINUS SIGN}")


def _literal(text: str) -> str:
    """A label as SVG character data: escaped, and without characters that XML does not allow."""
    return _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Canvas:
    """An SVG document being written, in points, with the y axis pointing down."""

    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height
        self.parts: list[str] = [
            f'<rect x="0" y="0" width="{_number(width)}" height="{_number(height)}" fill="{WHITE}"/>'
        ]

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        colour: str,
        width: float,
        dashed: bool = False,
    ) -> None:
        dash = f' stroke-dasharray="{DASHES}"' if dashed else ""
        self.parts.append(
            f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" '
            f'stroke="{colour}" stroke-width="{_number(width)}"{dash}/>'
        )

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        fill: str,
        stroke: str | None = None,
        opacity: float = 1.0,
    ) -> None:
        outline = f' stroke="{stroke}" stroke-width="0.8"' if stroke else ""
        if opacity != 1.0:
            outline += f' fill-opacity="{_number(opacity)}"' + (
                f' stroke-opacity="{_number(opacity)}"' if stroke else ""
            )
        self.parts.append(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" height="{_number(height)}" '
            f'fill="{fill}"{outline}/>'
        )

    def circle(self, x: float, y: float, radius: float, *, fill: str, stroke: str, width: float) -> None:
        self.parts.append(
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(radius)}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{_number(width)}"/>'
        )

    def diamond(self, x: float, y: float, radius: float, *, fill: str, stroke: str, width: float) -> None:
        corners = ((x, y - radius), (x + radius, y), (x, y + radius), (x - radius, y))
        points = " ".join(f"{_number(cx)},{_number(cy)}" for cx, cy in corners)
        self.parts.append(
            f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{_number(width)}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        colour: str = INK,
        size: float = FONT_SIZE,
        bold: bool = False,
        rotate: bool = False,
    ) -> None:
        """One line of text with its baseline at y (rotated a quarter turn anticlockwise about (x, y))."""
        extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
        if size != FONT_SIZE:
            extra += f' font-size="{_number(size)}"'
        if bold:
            extra += ' font-weight="bold"'
        if rotate:
            extra += f' transform="rotate(-90 {_number(x)} {_number(y)})"'
        self.parts.append(
            f'<text x="{_number(x)}" y="{_number(y)}" fill="{colour}"{extra}>{_literal(text)}</text>'
        )

    def lines(self, x: float, middle: float, lines: Sequence[str], *, anchor: str, colour: str) -> None:
        """Lines of text, vertically centred on `middle`."""
        step = FONT_SIZE * LINE_SPACING
        first = middle - step * (len(lines) - 1) / 2 + FONT_SIZE * MIDDLE
        for index, line in enumerate(lines):
            self.text(x, first + index * step, line, anchor=anchor, colour=colour)

    def document(self) -> str:
        width, height = _number(self.width), _number(self.height)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
            f'viewBox="0 0 {width} {height}" version="1.1">\n'
            f'<g font-family="{FONT}, sans-serif" font-size="{_number(FONT_SIZE)}">\n'
            + "\n".join(self.parts)
            + "\n</g>\n</svg>\n"
        )


@dataclass(frozen=True, slots=True)
class _Axes:
    """The plot area of a chart, in points, and its data ranges (x to the right, y upwards)."""

    left: float
    top: float
    right: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value: float) -> float:
        low, high = self.x_range
        return self.left + (value - low) / (high - low) * (self.right - self.left)

    def y(self, value: float) -> float:
        low, high = self.y_range
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)


def _x_axis(
    canvas: _Canvas,
    axes: _Axes,
    ticks: Sequence[float],
    *,
    label: str,
    colour: str,
    bold: bool = False,
    grid: bool = True,
) -> None:
    """Vertical grid lines (behind what follows), the bottom axis line, its ticks and numbers, and its label."""
    if grid:
        for tick in ticks:
            canvas.line(axes.x(tick), axes.top, axes.x(tick), axes.bottom, colour=GRID, width=0.8)
    canvas.line(axes.left, axes.bottom, axes.right, axes.bottom, colour=GRID, width=0.8)
    baseline = axes.bottom + 2 * TICK + FONT_SIZE * TOP
    for tick in ticks:
        canvas.line(axes.x(tick), axes.bottom, axes.x(tick), axes.bottom + TICK, colour=MUTED, width=0.8)
        canvas.text(axes.x(tick), baseline, _tick_label(tick), anchor="middle", colour=MUTED)
    canvas.text(
        (axes.left + axes.right) / 2,
        baseline + FONT_SIZE + 5,  # under the numbers, 4 points apart
        label,
        anchor="middle",
        colour=colour,
        bold=bold,
    )


def _row_labels(canvas: _Canvas, axes: _Axes, rows: Sequence[str], positions: Sequence[float]) -> None:
    for label, y in zip(rows, positions, strict=True):
        canvas.lines(axes.left - TICK, axes.y(y), _wrap(label), anchor="end", colour=INK)


def _nice_ticks(low: float, high: float, most: int = 9) -> list[float]:
    """Round tick values from `low` to `high`: steps of 1, 2 or 5 times a power of ten, at most `most`
    intervals (as a plotting library's default locator would choose)."""
    span = high - low
    power = 10 ** math.floor(math.log10(span / most))
    step = next(power * factor for factor in (1, 2, 5, 10, 20) if span / (power * factor) <= most)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(index * step, 10) for index in range(first, last + 1)]


@dataclass(frozen=True, slots=True)
class _LegendItem:
    colour: str
    shape: str  # "circle" or "diamond"
    label: str
    hollow: bool = False


def _marker(
    canvas: _Canvas,
    x: float,
    y: float,
    shape: str,
    colour: str,
    *,
    hollow: bool,
    size: float,
    edge: float = 1.6,
) -> None:
    """A circle `size` points across, or a diamond whose square has sides of `size` points; a hollow one
    (an indicative value) is white inside."""
    face = WHITE if hollow else colour
    if shape == "circle":
        canvas.circle(x, y, size / 2, fill=face, stroke=colour, width=edge)
    else:
        canvas.diamond(x, y, size / math.sqrt(2), fill=face, stroke=colour, width=edge)


LEGEND_LEFT = 6.0
LEGEND_ROW = 0.2 * POINTS
LEGEND_HANDLE = 2.0 * FONT_SIZE  # the marker sits in the middle of a handle this wide
LEGEND_GAP = 0.4 * FONT_SIZE  # between handle and label
LEGEND_SPACING = 1.6 * FONT_SIZE  # between one item and the next


def _legend_rows(items: Sequence[_LegendItem], width: float) -> list[list[_LegendItem]]:
    """The legend items in rows, as many per row as fit in `width`."""
    rows: list[list[_LegendItem]] = [[]]
    used = LEGEND_LEFT
    for item in items:
        size = LEGEND_HANDLE + LEGEND_GAP + _text_width(item.label)
        if rows[-1] and used + LEGEND_SPACING + size > width - LEGEND_LEFT:
            rows.append([])
            used = LEGEND_LEFT
        if rows[-1]:
            used += LEGEND_SPACING
        rows[-1].append(item)
        used += size
    return rows


def _legend(canvas: _Canvas, rows: Sequence[Sequence[_LegendItem]], top: float) -> None:
    for number, row in enumerate(rows):
        middle = top + LEGEND_ROW * (number + 0.75)
        x = LEGEND_LEFT
        for item in row:
            _marker(
                canvas,
                x + LEGEND_HANDLE / 2,
                middle,
                item.shape,
                item.colour,
                hollow=item.hollow,
                size=7,
                edge=1.4,
            )
            x += LEGEND_HANDLE + LEGEND_GAP
            canvas.text(x, middle + FONT_SIZE * MIDDLE, item.label)
            x += _text_width(item.label) + LEGEND_SPACING


def mirror_chart(
    rows: Sequence[MirrorRow], *, labels: PerspectiveLabels, threshold: float | None = None
) -> str:
    """The client's and the supplier's view per dimension on one 0-100 axis, joined by a line (the gap).

    The first row is drawn at the top. A flagged gap gets a darker, heavier connector.
    """
    width = WIDTH_INCHES * POINTS
    items = [
        _LegendItem(CLIENT_COLOUR, "circle", labels.client),
        _LegendItem(SUPPLIER_COLOUR, "diamond", labels.supplier),
    ]
    if any(r.client_indicative or r.supplier_indicative for r in rows):
        items.append(_LegendItem(MUTED, "circle", labels.indicative, hollow=True))
    legend_rows = _legend_rows(items, width)
    # The legend runs along the top of the figure; a legend that does not fit takes more lines.
    legend_height = 0.3 * POINTS + LEGEND_ROW * (len(legend_rows) - 1)
    height = 0.75 * POINTS + legend_height + 0.28 * POINTS * max(len(rows), 1)
    canvas = _Canvas(width, height)
    axes = _Axes(
        left=2.0 * POINTS,
        top=legend_height + 0.1 * POINTS,
        right=width - 0.2 * POINTS,
        bottom=height - 0.55 * POINTS,
        x_range=(0, 100),
        y_range=(0.4, len(rows) + 0.6),
    )
    positions = list(range(len(rows), 0, -1))
    _x_axis(canvas, axes, range(0, 101, 20), label=labels.score_axis, colour=MUTED)
    if threshold is not None:
        canvas.line(
            axes.x(threshold), axes.top, axes.x(threshold), axes.bottom, colour=MUTED, width=0.9, dashed=True
        )
    for position, row in zip(positions, rows, strict=True):
        y = axes.y(position)
        if row.client is not None and row.supplier is not None:
            canvas.line(
                axes.x(row.client),
                y,
                axes.x(row.supplier),
                y,
                colour=INK if row.flagged else CONNECTOR,
                width=2.2 if row.flagged else 1.2,
            )
        if row.client is not None:
            _marker(
                canvas, axes.x(row.client), y, "circle", CLIENT_COLOUR, hollow=row.client_indicative, size=8
            )
        if row.supplier is not None:
            _marker(
                canvas,
                axes.x(row.supplier),
                y,
                "diamond",
                SUPPLIER_COLOUR,
                hollow=row.supplier_indicative,
                size=7,
            )
    _row_labels(canvas, axes, [row.label for row in rows], positions)
    _legend(canvas, legend_rows, 0.0)
    return canvas.document()


def gap_bars(rows: Sequence[GapRow], *, labels: PerspectiveLabels, threshold: float) -> str:
    """Gap per dimension as a bar from 0: right (client colour) where clients see the better fit, left
    (supplier colour) where the supplier does; dashed lines at ± the gap threshold; flagged bars solid."""
    width = WIDTH_INCHES * POINTS
    height = (1.0 + 0.32 * max(len(rows), 1)) * POINTS
    canvas = _Canvas(width, height)
    reach = (max([abs(r.gap) for r in rows if r.gap is not None] + [threshold]) or 1.0) * 1.15
    axes = _Axes(
        left=2.0 * POINTS,
        top=0.35 * POINTS,
        right=width - 0.2 * POINTS,
        bottom=height - 0.55 * POINTS,
        x_range=(-reach, reach),
        y_range=(0.4, len(rows) + 0.6),
    )
    positions = list(range(len(rows), 0, -1))
    _x_axis(canvas, axes, _nice_ticks(-reach, reach), label=labels.threshold, colour=MUTED)
    for x in (-threshold, threshold):
        canvas.line(axes.x(x), axes.top, axes.x(x), axes.bottom, colour=MUTED, width=0.9, dashed=True)
    bar = 0.56 * (axes.bottom - axes.top) / (axes.y_range[1] - axes.y_range[0])
    for position, row in zip(positions, rows, strict=True):
        if row.gap is None:
            continue
        colour = CLIENT_COLOUR if row.gap >= 0 else SUPPLIER_COLOUR
        start, end = sorted((axes.x(0), axes.x(row.gap)))
        canvas.rect(
            start,
            axes.y(position) - bar / 2,
            end - start,
            bar,
            fill=colour,
            stroke=colour,
            opacity=1.0 if row.flagged else 0.45,
        )
    canvas.line(axes.x(0), axes.top, axes.x(0), axes.bottom, colour=INK, width=0.9)
    _row_labels(canvas, axes, [row.label for row in rows], positions)
    over = axes.top - 0.01 * (axes.bottom - axes.top) + FONT_SIZE * BOTTOM
    inset = 0.005 * (axes.right - axes.left)
    canvas.text(axes.right - inset, over, labels.client + " →", anchor="end", colour=CLIENT_COLOUR, bold=True)
    canvas.text(axes.left + inset, over, "← " + labels.supplier, colour=SUPPLIER_COLOUR, bold=True)
    return canvas.document()


def fit_matrix(
    points: Sequence[FitPoint],
    *,
    labels: PerspectiveLabels,
    threshold: float,
    quadrant_names: Mapping[Quadrant, str],
    numbered: bool = True,
) -> str:
    """Client overall fit (x) against supplier overall fit (y), 0-100, with the four quadrants shaded and
    named: match top right, customer swayed bottom right, blind spot top left, misfit bottom left.

    With `numbered`, each point carries its number (the row in the report's table).
    """
    width = WIDTH_INCHES * POINTS
    height = width * 0.82
    canvas = _Canvas(width, height)
    # A square plot area, centred between fixed margins.
    left, right, top, bottom = 0.75 * POINTS, width - 0.75 * POINTS, 0.15 * POINTS, height - 0.55 * POINTS
    side = min(right - left, bottom - top)
    left += (right - left - side) / 2
    axes = _Axes(left, top, left + side, top + side, (0, 100), (0, 100))
    areas = {
        Quadrant.MISFIT: (0, 0, threshold, threshold),
        Quadrant.CUSTOMER_SWAYED: (threshold, 0, 100, threshold),
        Quadrant.BLIND_SPOT: (0, threshold, threshold, 100),
        Quadrant.MATCH: (threshold, threshold, 100, 100),
    }
    corners = {
        Quadrant.MISFIT: (2, 2, "start", BOTTOM),
        Quadrant.CUSTOMER_SWAYED: (98, 2, "end", BOTTOM),
        Quadrant.BLIND_SPOT: (2, 98, "start", TOP),
        Quadrant.MATCH: (98, 98, "end", TOP),
    }
    name_size = 9.5
    for quadrant, (x0, y0, x1, y1) in areas.items():
        canvas.rect(
            axes.x(x0),
            axes.y(y1),
            axes.x(x1) - axes.x(x0),
            axes.y(y0) - axes.y(y1),
            fill=QUADRANT_WASH[quadrant],
        )
    for quadrant, (cx, cy, anchor, baseline) in corners.items():
        canvas.text(
            axes.x(cx),
            axes.y(cy) + name_size * baseline,
            quadrant_names[quadrant],
            anchor=anchor,
            colour=MUTED,
            size=name_size,
            bold=True,
        )
    canvas.line(axes.x(threshold), axes.top, axes.x(threshold), axes.bottom, colour=MUTED, width=0.9)
    canvas.line(axes.left, axes.y(threshold), axes.right, axes.y(threshold), colour=MUTED, width=0.9)
    ticks = range(0, 101, 20)
    _x_axis(canvas, axes, ticks, label=labels.client, colour=CLIENT_COLOUR, bold=True, grid=False)
    canvas.line(axes.left, axes.top, axes.left, axes.bottom, colour=GRID, width=0.8)
    for tick in ticks:
        y = axes.y(tick)
        canvas.line(axes.left - TICK, y, axes.left, y, colour=MUTED, width=0.8)
        canvas.text(axes.left - 2 * TICK, y + FONT_SIZE * MIDDLE, _tick_label(tick), anchor="end", colour=INK)
    label_x = axes.left - 2 * TICK - _text_width("100") - 4 + FONT_SIZE * BOTTOM
    canvas.text(
        label_x,
        (axes.top + axes.bottom) / 2,
        labels.supplier,
        anchor="middle",
        colour=SUPPLIER_COLOUR,
        bold=True,
        rotate=True,
    )
    radius = math.sqrt(34) / 2
    for point in points:
        if point.indicative:
            canvas.circle(
                axes.x(point.client), axes.y(point.supplier), radius, fill=WHITE, stroke=INK, width=1.4
            )
        else:
            canvas.circle(
                axes.x(point.client), axes.y(point.supplier), radius, fill=INK, stroke=WHITE, width=0.8
            )
    if numbered:
        for point in points:
            canvas.text(axes.x(point.client) + 4, axes.y(point.supplier) - 3, str(point.number), size=7.5)
    return canvas.document()


def svg_data_url(svg: str) -> str:
    """The SVG as a `data:` URL, for an `<img>` in a report or a dashboard page (no markup is inlined)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
