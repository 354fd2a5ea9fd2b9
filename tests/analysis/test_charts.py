"""SVG charts: deterministic vector output, one colour per perspective, text kept as (escaped) text."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from surveyapp.analysis.charts import (
    CLIENT_COLOUR,
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


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314  (our own chart output, parsed to read its text elements)
    return ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]


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
        assert "Matplotlib v" not in svg


def test_mirror_chart_draws_each_perspective_in_its_own_colour():
    svg = mirror_chart(ROWS, labels=LABELS, threshold=60)

    assert svg.count(f"fill: {CLIENT_COLOUR}") >= 1
    assert svg.count(f"fill: {SUPPLIER_COLOUR}") >= 1
    assert "Client's view" in _texts(svg)
    assert "Supplier's view" in _texts(svg)


def test_mirror_chart_marks_indicative_values_hollow_and_explains_it():
    plain = mirror_chart(ROWS, labels=LABELS)
    indicative = mirror_chart([MirrorRow("Needs match", 70.0, 75.0, client_indicative=True)], labels=LABELS)

    assert "hollow: indicative" not in _texts(plain)
    assert "hollow: indicative" in _texts(indicative)
    assert f"fill: #ffffff; stroke: {CLIENT_COLOUR}" in indicative


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


def test_long_dimension_names_wrap_onto_two_lines():
    texts = _texts(mirror_chart(ROWS, labels=LABELS))

    assert [t for t in texts if "workarounds" in t or "fit (no" in t] == [
        "Way-of-working fit (no",
        "workarounds)",
    ]


def test_gap_bars_colour_a_bar_by_the_side_that_sees_the_better_fit():
    client_higher = gap_bars([GapRow("Needs match", 20.0, flagged=True)], labels=LABELS, threshold=15)
    supplier_higher = gap_bars([GapRow("Needs match", -20.0, flagged=True)], labels=LABELS, threshold=15)

    bar = re.compile(
        r'<g id="patch_\d+">\s*<path d="M [^"]+z\s*" clip-path="[^"]+" style="fill: (#[0-9a-f]{6})'
    )
    assert bar.findall(client_higher) == [CLIENT_COLOUR]
    assert bar.findall(supplier_higher) == [SUPPLIER_COLOUR]


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
