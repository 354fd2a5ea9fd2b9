"""Hostile answers in a real report (account name, commentary, themes, quotes, actions): printed as text,
no request, no file read, nothing embedded."""

from __future__ import annotations

import json
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from surveyapp.reporting.models import ReportKind
from surveyapp.reporting.pdf import AssetBundle
from surveyapp.reporting.rendering import report_html, report_pdf
from tests.reporting.conftest import pdf_text
from tests.reporting.security import PNG_1PX, RecordingFetcher, outside_the_code, untouched

ACCOUNT = "Noordzee Havenbedrijf"


def hostile_texts(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        f"<style>@import url(http://127.0.0.1:{port}/x.css);</style>",
        "http://169.254.169.254/latest/meta-data/iam/",
        f'<img src="http://127.0.0.1:{port}/pixel.png">',
        "{{ 7*7 }} {% raw %} $math$ &amp; ]]>",
    ]


@pytest.mark.parametrize("kind", [ReportKind.ACCOUNT, ReportKind.PORTFOLIO])
def test_hostile_answers_are_printed_as_text_without_requests_or_file_reads(
    app, make_inputs, listener, audit, kind
):
    # Arrange: the account itself is named with markup, and every free text carries some
    port = listener.getsockname()[1]
    texts = hostile_texts(port)
    name = texts[0]
    inputs = make_inputs("en")
    document = json.loads(
        json.dumps(inputs.document).replace(json.dumps(ACCOUNT)[1:-1], name.replace('"', '\\"'))
    )
    sections = {
        name: {
            "themes": [{"name": texts[2], "mentions": 2}],
            "quotes": [{"text": text, "attribution": texts[3], "perspective": "client"} for text in texts],
            "actions": [{"title": texts[4], "owner": texts[1], "due": None, "status": texts[5]}],
        },
        None: {"themes": [{"name": texts[1], "mentions": 1}]},
    }
    inputs = make_inputs(
        "en",
        document=document,
        sections=sections,
        commentary={name: "\n".join(texts), None: "\n".join(texts)},
    )
    fetcher = RecordingFetcher(AssetBundle(kind.value))

    # Act
    rendered = report_pdf(inputs, kind, name if kind is ReportKind.ACCOUNT else None, fetcher=fetcher)

    # Assert
    text = pdf_text(rendered.data)
    assert all(" ".join(hostile.split()) in text for hostile in texts)
    assert untouched(listener)
    assert audit.network == []
    assert outside_the_code(audit.opened, str(Path(app.instance_path) / "jinja-reports")) == []
    assert [url for url in fetcher.calls if not url.startswith(("data:image/", "report-asset:"))] == []
    assert fetcher.refused == []
    assert dict(PdfReader(BytesIO(rendered.data)).attachments) == {}


def test_hostile_text_is_escaped_in_the_report_html(make_inputs):
    inputs = make_inputs("en", commentary={ACCOUNT: '<img src="file:///etc/passwd"> <script>x()</script>'})

    html = report_html(inputs, ReportKind.ACCOUNT, ACCOUNT)

    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt; &lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>" not in html


def test_supplier_logo_is_embedded_from_a_data_url(make_inputs):
    inputs = make_inputs("en")
    inputs = make_inputs("en", facts=replace(inputs.facts, logo=PNG_1PX, brand_colour="#0b6e4f"))
    fetcher = RecordingFetcher(AssetBundle("account"))

    rendered = report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT, fetcher=fetcher)

    cover = PdfReader(BytesIO(rendered.data)).pages[0]
    assert len(cover.images) == 1
    assert PNG_1PX in fetcher.calls
