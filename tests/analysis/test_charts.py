"""SVG charts: deterministic vector output, one colour per perspective, text kept as (escaped) text."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from surveyapp.analysis.charts import (
    CLIENT_COLOUR,
    MUTED,
    SUPPLIER_COLOUR,
    FitPoint,
    GapRow,
    MirrorRow,
    PerspectiveLabels,
    fit_matrix,
    gap_bars,
    mirror_chart,
    svg_data_url,
)
from surveyapp.enums import Quadrant

LABELS = PerspectiveLabels(
    client="Client's view",
    supplier="Supplier's view",
    indicative="hollow: indicative",
    score_axis="Score",
    threshold="Gap",
)
ROWS = [
    MirrorRow("Needs match", 70.0, 75.0),
    MirrorRow("Way-of-working fit (no workarounds)", 65.0, 40.0, flagged=True),
    MirrorRow("Effort in proportion (cost to serve)", None, 25.0),
]
NAMES = {q: q.value.replace("_", " ").title() for q in Quadrant}


SVG = "{http://www.w3.org/2000/svg}"


def _elements(svg: str, tag: str) -> list[ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314  (our own chart output, parsed to read its elements)
    return list(root.iter(SVG + tag))


def _texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in _elements(svg, "text")]


def test_mirror_chart_is_deterministic():
    assert mirror_chart(ROWS, labels=LABELS, threshold=60) == mirror_chart(ROWS, labels=LABELS, threshold=60)


def test_charts_carry_no_date_and_no_raster_images():
    for svg in (
        mirror_chart(ROWS, labels=LABELS),
        gap_bars([GapRow("Needs match", -5.0)], labels=LABELS, threshold=15),
        fit_matrix([FitPoint(1, 70.0, 50.0)], labels=LABELS, threshold=60, quadrant_names=NAMES),
    ):
        assert "<dc:date>" not in svg
        assert "<image" not in svg
        assert "href" not in svg
        assert "<script" not in svg


def test_mirror_chart_draws_each_perspective_in_its_own_colour():
    svg = mirror_chart(ROWS, labels=LABELS, threshold=60)

    # Client: circles (two rows and the legend); supplier: diamonds (three rows and the legend).
    assert [c.get("fill") for c in _elements(svg, "circle")] == [CLIENT_COLOUR] * 3
    assert [p.get("fill") for p in _elements(svg, "polygon")] == [SUPPLIER_COLOUR] * 4
    assert "Client's view" in _texts(svg)
    assert "Supplier's view" in _texts(svg)


def test_mirror_chart_marks_indicative_values_hollow_and_explains_it():
    plain = mirror_chart(ROWS, labels=LABELS)
    indicative = mirror_chart([MirrorRow("Needs match", 70.0, 75.0, client_indicative=True)], labels=LABELS)

    assert "hollow: indicative" not in _texts(plain)
    assert "hollow: indicative" in _texts(indicative)
    circles = [(c.get("fill"), c.get("stroke")) for c in _elements(indicative, "circle")]
    assert ("#ffffff", CLIENT_COLOUR) in circles  # the indicative client value
    assert (CLIENT_COLOUR, CLIENT_COLOUR) in circles  # the legend's solid client marker
    assert ("#ffffff", MUTED) in circles  # the legend's hollow marker
    assert all(fill == stroke for fill, stroke in circles if stroke != MUTED and fill != "#ffffff")


def test_chart_labels_stay_literal_text():
    hostile = '<image href="file:///etc/passwd"/> $x^2$ & more'

    svg = mirror_chart([MirrorRow(hostile, 50.0, 60.0)], labels=LABELS)

    assert "<image" not in svg
    assert ">&lt;image</text>" in svg
    assert '>href="file:///etc/passwd"/&gt;</text>' in svg
    assert ">$x^2$ &amp; more</text>" in svg
    assert [text for text in _texts(svg) if "etc" in text or "$" in text] == [
        'href="file:///etc/passwd"/>',
        "$x^2$ & more",
    ]


def test_characters_xml_does_not_allow_are_dropped():
    svg = mirror_chart([MirrorRow("Bad\x00name\x1b here", 50.0, 60.0)], labels=LABELS)

    assert "Badname here" in _texts(svg)


def test_a_long_legend_takes_more_lines_and_the_chart_grows():
    long = PerspectiveLabels(
        client="Het oordeel van de klant over de samenwerking",
        supplier="De voorspelling door de leverancier van het oordeel van de klant",
        indicative="open: indicatief (minder dan drie respondenten)",
        score_axis="Score",
        threshold="Gap",
    )
    rows = [MirrorRow("Needs match", 70.0, 75.0, client_indicative=True)]

    short_svg, long_svg = mirror_chart(rows, labels=LABELS), mirror_chart(rows, labels=long)

    legend = {
        t.get("y")
        for t in _elements(long_svg, "text")
        if "oordeel" in (t.text or "") or "open:" in (t.text or "")
    }
    assert len(legend) > 1  # one line of the legend would not fit the width
    height = ET.fromstring(long_svg).get("height")  # noqa: S314
    assert float(height.removesuffix("pt")) > float(ET.fromstring(short_svg).get("height").removesuffix("pt"))  # noqa: S314


def test_long_dimension_names_wrap_onto_two_lines():
    texts = _texts(mirror_chart(ROWS, labels=LABELS))

    assert [t for t in texts if "workarounds" in t or "fit (no" in t] == [
        "Way-of-working fit (no",
        "workarounds)",
    ]


def test_gap_bars_colour_a_bar_by_the_side_that_sees_the_better_fit():
    client_higher = gap_bars([GapRow("Needs match", 20.0, flagged=True)], labels=LABELS, threshold=15)
    supplier_higher = gap_bars([GapRow("Needs match", -20.0, flagged=True)], labels=LABELS, threshold=15)

    def bars(svg: str) -> list[ET.Element]:
        return [rect for rect in _elements(svg, "rect") if rect.get("stroke")]

    assert [bar.get("fill") for bar in bars(client_higher)] == [CLIENT_COLOUR]
    assert [bar.get("fill") for bar in bars(supplier_higher)] == [SUPPLIER_COLOUR]
    # Right of the zero line for the client, left of it for the supplier.
    zero = next(
        line
        for line in _elements(client_higher, "line")
        if line.get("stroke-width") == "0.9" and line.get("stroke") == "#1d2330"
    )
    assert float(bars(client_higher)[0].get("x")) == float(zero.get("x1"))
    (bar,) = bars(supplier_higher)
    assert float(bar.get("x")) + float(bar.get("width")) == float(zero.get("x1"))


def test_gap_bars_draw_unflagged_gaps_lighter_and_mark_negative_ticks_with_a_minus_sign():
    svg = gap_bars(
        [GapRow("Needs match", 40.0), GapRow("Scope", -20.0, flagged=True)], labels=LABELS, threshold=15
    )

    bars = [rect for rect in _elements(svg, "rect") if rect.get("stroke")]
    assert [(bar.get("fill"), bar.get("fill-opacity")) for bar in bars] == [
        (CLIENT_COLOUR, "0.45"),
        (SUPPLIER_COLOUR, None),
    ]
    assert {"\N{MINUS SIGN}40", "\N{MINUS SIGN}20", "0", "20", "40"} <= set(_texts(svg))


def test_fit_matrix_names_every_quadrant_and_numbers_the_accounts():
    svg = fit_matrix(
        [FitPoint(1, 72.0, 48.0), FitPoint(2, 30.0, 80.0)], labels=LABELS, threshold=60, quadrant_names=NAMES
    )

    texts = _texts(svg)
    assert {"Match", "Customer Swayed", "Blind Spot", "Misfit"} <= set(texts)
    assert {"1", "2"} <= set(texts)


def test_fit_matrix_without_numbers_for_many_accounts():
    points = [FitPoint(number, 50.0 + number % 40, 40.0 + number % 50) for number in range(1, 201)]

    texts = _texts(fit_matrix(points, labels=LABELS, threshold=60, quadrant_names=NAMES, numbered=False))

    assert "150" not in texts


def test_svg_data_url_round_trips():
    svg = mirror_chart(ROWS, labels=LABELS)

    url = svg_data_url(svg)

    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode("utf-8") == svg
