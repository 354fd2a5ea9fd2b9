"""The locked-down URL fetcher and the PDF writer: only bundled assets and image data: URLs are loaded;
hostile markup causes no request, no file read and no embedded file (a real listening socket stays untouched,
Python's audit hooks see every file opened and every connection attempted)."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from surveyapp.reporting.pdf import REPORTS_DIR, AssetBundle, LockedFetcher, RefusedURL, render_pdf
from tests.reporting.security import PNG_1PX, RecordingFetcher, outside_the_code, untouched


def test_locked_fetcher_serves_a_bundled_asset():
    fetcher = LockedFetcher(AssetBundle("account"))

    response = fetcher.fetch("report-asset:common/base.css")

    assert response.content_type == "text/css"
    assert response.read() == (REPORTS_DIR / "common" / "base.css").read_bytes()


def test_locked_fetcher_serves_an_image_data_url():
    response = LockedFetcher(AssetBundle("account")).fetch(PNG_1PX)

    assert response.content_type == "image/png"
    assert response.read().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "report-asset:../../../etc/passwd",
        "report-asset:common/../../surveyapp/config.py",
        "report-asset:report.html",
        "report-asset:missing.css",
        "data:text/html,<script>alert(1)</script>",
        "data:text/css,body{background:url(http://127.0.0.1/)}",
        "data:image/png;base64,@@@",
        "relative.png",
    ],
)
def test_locked_fetcher_refuses_everything_else(url):
    fetcher = LockedFetcher(AssetBundle("account"))

    with pytest.raises(RefusedURL):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_locked_fetcher_never_opens_through_urllib(listener):
    from urllib.request import Request

    port = listener.getsockname()[1]
    fetcher = LockedFetcher(AssetBundle("account"))

    with pytest.raises(RefusedURL):
        fetcher.open(Request(f"http://127.0.0.1:{port}/redirect"))

    assert untouched(listener)


def test_hostile_markup_causes_no_request_no_file_read_and_no_attachment(listener, audit):
    # Arrange: markup that tries every way out (the report templates escape such text; this is the fetcher's
    # own line of defence)
    port = listener.getsockname()[1]
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{PNG_1PX}">
      <style>@import url("http://127.0.0.1:{port}/import.css");
             body {{ background: url(file:///etc/hostname) }}</style>
    </head><body>
      <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      <img src="http://127.0.0.1:{port}/pixel.png"><img src="report-asset:../../../etc/passwd">
      <a rel="attachment" href="{PNG_1PX}">an attachment link</a>
      <svg xmlns="http://www.w3.org/2000/svg">
        <image href="http://127.0.0.1:{port}/svg.png" width="10" height="10"/></svg>
      <p>hostile</p>
    </body></html>"""
    fetcher = RecordingFetcher(AssetBundle("account"))

    # Act
    rendered = render_pdf(html, assets=AssetBundle("account"), fetcher=fetcher)

    # Assert
    reader = PdfReader(BytesIO(rendered.data))
    assert untouched(listener)
    assert audit.network == []
    assert outside_the_code(audit.opened) == []
    assert not any("passwd" in path or "hostname" in path for path in audit.opened)
    assert dict(reader.attachments) == {}
    assert all("/Annots" not in page for page in reader.pages)
    assert f"http://127.0.0.1:{port}/style.css" in fetcher.calls
    assert sorted(fetcher.refused) == sorted(url for url in fetcher.calls if not url.startswith("data:"))
    assert "hostile" in (reader.pages[0].extract_text() or "")
