"""Vector charts (SVG) of the fit analysis, shared by the PDF reports and the web dashboard.

Pure: numbers and already-translated labels in, an SVG document (text) out; no Flask, no database. Made with
matplotlib's object API (no pyplot, so no global figure state) and written deterministically: the same input
gives byte-identical SVG (fixed `svg.hashsalt`, no date or creator in the metadata, text kept as text with
`svg.fonttype = none` so that it stays selectable and prints in the report's own font, DejaVu Sans).

One colour per perspective everywhere: the client's view is `CLIENT_COLOUR`, the supplier's view
`SUPPLIER_COLOUR` (the same values as `--client` and `--supplier` in app.css). Values resting on fewer than
`min_n` respondents (rule 14, "indicative") are drawn hollow, and the legend says so.

Labels are taken literally: `text.parse_math` is off, so a `$` in an account name never becomes mathtext,
and matplotlib escapes `<`, `>` and `&` in the SVG it writes.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, also when a dashboard imports this module first

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from surveyapp.enums import Quadrant

CLIENT_COLOUR = "#1f5f99"
SUPPLIER_COLOUR = "#b3541e"
INK = "#1d2330"
MUTED = "#4a5366"
GRID = "#dde2ea"
CONNECTOR = "#8a93a6"
# Quadrant backgrounds: green, amber (realign) and red washes, none close to a perspective's colour.
QUADRANT_WASH = {
    Quadrant.MATCH: "#e9f3ec",
    Quadrant.CUSTOMER_SWAYED: "#fbf6df",
    Quadrant.BLIND_SPOT: "#fbf6df",
    Quadrant.MISFIT: "#f8e7e9",
}
FONT = "DejaVu Sans"
WIDTH_INCHES = 6.7  # the text width of an A4 page with 20 mm margins
LABEL_WIDTH = 30  # characters per line of a dimension label before it wraps

STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "surveyapp-charts",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 8.5,
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "figure.dpi": 72,
}
SVG_METADATA = {"Date": None, "Creator": None}


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
    """One account in the fit matrix: its overall fit per perspective and the number it has in the table."""

    number: int
    client: float
    supplier: float


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


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, break_long_words=True)) or " "


def _margins(figure: Figure, *, left: float, top: float, bottom: float, right: float = 0.2) -> None:
    """Fixed margins in inches: every chart keeps the same text size when a report scales it to the page."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
    return buffer.getvalue()


def _marker_face(colour: str, indicative: bool) -> str:
    return "white" if indicative else colour


def _legend_handles(labels: PerspectiveLabels, *, indicative: bool) -> list[Line2D]:
    def handle(colour: str, marker: str, label: str, face: str | None = None) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=7,
            markeredgewidth=1.4,
            color=colour,
            markerfacecolor=face or colour,
            label=label,
        )

    handles = [handle(CLIENT_COLOUR, "o", labels.client), handle(SUPPLIER_COLOUR, "D", labels.supplier)]
    if indicative:
        handles.append(handle(MUTED, "o", labels.indicative, face="white"))
    return handles


def mirror_chart(
    rows: Sequence[MirrorRow], *, labels: PerspectiveLabels, threshold: float | None = None
) -> str:
    """The client's and the supplier's view per dimension on one 0-100 axis, joined by a line (the gap).

    The first row is drawn at the top. A flagged gap gets a darker, heavier connector.
    """
    with matplotlib.rc_context(STYLE):
        handles = _legend_handles(
            labels, indicative=any(r.client_indicative or r.supplier_indicative for r in rows)
        )
        # The legend runs along the top of the figure; long labels take two lines.
        columns = len(handles) if sum(len(str(h.get_label())) for h in handles) <= 80 else 2
        legend_height = 0.3 if columns == len(handles) else 0.5
        height = 0.75 + legend_height + 0.28 * max(len(rows), 1)
        figure = Figure(figsize=(WIDTH_INCHES, height))
        _margins(figure, left=2.0, top=legend_height + 0.1, bottom=0.55)
        axes = figure.add_subplot()
        positions = list(range(len(rows), 0, -1))
        for y, row in zip(positions, rows, strict=True):
            if row.client is not None and row.supplier is not None:
                axes.plot(
                    [row.client, row.supplier],
                    [y, y],
                    color=INK if row.flagged else CONNECTOR,
                    linewidth=2.2 if row.flagged else 1.2,
                    zorder=2,
                )
            if row.client is not None:
                axes.plot(
                    [row.client],
                    [y],
                    marker="o",
                    markersize=8,
                    markeredgewidth=1.6,
                    color=CLIENT_COLOUR,
                    markerfacecolor=_marker_face(CLIENT_COLOUR, row.client_indicative),
                    zorder=3,
                )
            if row.supplier is not None:
                axes.plot(
                    [row.supplier],
                    [y],
                    marker="D",
                    markersize=7,
                    markeredgewidth=1.6,
                    color=SUPPLIER_COLOUR,
                    markerfacecolor=_marker_face(SUPPLIER_COLOUR, row.supplier_indicative),
                    zorder=3,
                )
        if threshold is not None:
            axes.axvline(threshold, color=MUTED, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
        axes.set_xlim(0, 100)
        axes.set_ylim(0.4, len(rows) + 0.6)
        axes.set_yticks(positions, [_wrap(row.label) for row in rows])
        axes.set_xticks(range(0, 101, 20))
        axes.set_xlabel(labels.score_axis, color=MUTED)
        axes.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        axes.tick_params(axis="y", length=0)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        figure.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=columns,
            frameon=False,
            handletextpad=0.4,
            columnspacing=1.6,
            borderaxespad=0.3,
        )
        return _svg(figure)


def gap_bars(rows: Sequence[GapRow], *, labels: PerspectiveLabels, threshold: float) -> str:
    """Gap per dimension as a bar from 0: right (client colour) where clients see the better fit, left
    (supplier colour) where the supplier does; dashed lines at ± the gap threshold; flagged bars solid."""
    with matplotlib.rc_context(STYLE):
        height = 1.0 + 0.32 * max(len(rows), 1)
        figure = Figure(figsize=(WIDTH_INCHES, height))
        _margins(figure, left=2.0, top=0.35, bottom=0.55)
        axes = figure.add_subplot()
        positions = list(range(len(rows), 0, -1))
        reach = max([abs(r.gap) for r in rows if r.gap is not None] + [threshold]) * 1.15
        for y, row in zip(positions, rows, strict=True):
            if row.gap is None:
                continue
            colour = CLIENT_COLOUR if row.gap >= 0 else SUPPLIER_COLOUR
            axes.barh(
                y,
                row.gap,
                height=0.56,
                color=colour,
                alpha=1.0 if row.flagged else 0.45,
                edgecolor=colour,
                linewidth=0.8,
                zorder=2,
            )
        for x in (-threshold, threshold):
            axes.axvline(x, color=MUTED, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
        axes.axvline(0, color=INK, linewidth=0.9, zorder=3)
        axes.set_xlim(-reach, reach)
        axes.set_ylim(0.4, len(rows) + 0.6)
        axes.set_yticks(positions, [_wrap(row.label) for row in rows])
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.text(
            0.995,
            1.01,
            labels.client + " →",
            transform=axes.transAxes,
            ha="right",
            va="bottom",
            color=CLIENT_COLOUR,
            fontweight="bold",
        )
        axes.text(
            0.005,
            1.01,
            "← " + labels.supplier,
            transform=axes.transAxes,
            ha="left",
            va="bottom",
            color=SUPPLIER_COLOUR,
            fontweight="bold",
        )
        axes.set_xlabel(labels.threshold, color=MUTED)
        return _svg(figure)


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
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, WIDTH_INCHES * 0.82))
        _margins(figure, left=0.75, top=0.15, bottom=0.55, right=0.75)
        axes = figure.add_subplot()
        areas = {
            Quadrant.MISFIT: (0, 0, threshold, threshold),
            Quadrant.CUSTOMER_SWAYED: (threshold, 0, 100 - threshold, threshold),
            Quadrant.BLIND_SPOT: (0, threshold, threshold, 100 - threshold),
            Quadrant.MATCH: (threshold, threshold, 100 - threshold, 100 - threshold),
        }
        corners = {
            Quadrant.MISFIT: (2, 2, "left", "bottom"),
            Quadrant.CUSTOMER_SWAYED: (98, 2, "right", "bottom"),
            Quadrant.BLIND_SPOT: (2, 98, "left", "top"),
            Quadrant.MATCH: (98, 98, "right", "top"),
        }
        for quadrant, (x, y, w, h) in areas.items():
            axes.add_patch(Rectangle((x, y), w, h, color=QUADRANT_WASH[quadrant], zorder=0))
            cx, cy, ha, va = corners[quadrant]
            axes.text(
                cx,
                cy,
                quadrant_names[quadrant],
                ha=ha,
                va=va,
                color=MUTED,
                fontsize=9.5,
                fontweight="bold",
                zorder=1,
            )
        axes.axvline(threshold, color=MUTED, linewidth=0.9, zorder=1)
        axes.axhline(threshold, color=MUTED, linewidth=0.9, zorder=1)
        if points:
            axes.scatter(
                [p.client for p in points],
                [p.supplier for p in points],
                s=34,
                color=INK,
                edgecolors="white",
                linewidths=0.8,
                zorder=3,
            )
        if numbered:
            for point in points:
                axes.annotate(
                    str(point.number),
                    (point.client, point.supplier),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=7.5,
                    color=INK,
                    zorder=4,
                )
        axes.set_xlim(0, 100)
        axes.set_ylim(0, 100)
        axes.set_xticks(range(0, 101, 20))
        axes.set_yticks(range(0, 101, 20))
        axes.set_xlabel(labels.client, color=CLIENT_COLOUR, fontweight="bold")
        axes.set_ylabel(labels.supplier, color=SUPPLIER_COLOUR, fontweight="bold")
        axes.set_aspect("equal")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure)


def svg_data_url(svg: str) -> str:
    """The SVG as a `data:` URL, for an `<img>` in a report or a dashboard page (no markup is inlined)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
