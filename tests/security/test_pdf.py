"""PDF reports with hostile respondent and researcher text: printed as text, nothing fetched, no file read.

What tests/reporting and tests/jobs already prove is not repeated here: the fetcher refuses every URL but
bundled assets and image data: URLs (tests/reporting/test_pdf.py), hostile answers make no network attempt
and open no file (audit hook, tests/reporting/test_hostile.py), the renderer runs in a child process under
REPORT_TIME_LIMIT / REPORT_MEMORY_LIMIT_MB and fails with its code when over (tests/jobs/test_render.py), and
the web app never imports WeasyPrint (same file). This file adds a real HTTP server that must receive
nothing, a real file whose content must not reach the PDF, huge CSS values, and a 10,000-line text."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.enums import Language
from surveyapp.jobs.render import run_render
from surveyapp.reporting import failures
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.pdf import AssetBundle
from surveyapp.reporting.rendering import report_pdf
from surveyapp.reporting.services import request_report, save_commentary
from surveyapp.studies.models import Account
from tests.reporting.conftest import make_inputs, pdf_text  # noqa: F401
from tests.reporting.security import RecordingFetcher
from tests.reporting.studies import answered_study  # noqa: F401

ACCOUNT = "Noordzee Havenbedrijf"


class CountingServer(ThreadingHTTPServer):
    """A real HTTP server on loopback that counts every request it receives."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                body = b"body{background:red}" if self.path.endswith(".css") else b"x"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def http_server() -> Iterator[CountingServer]:
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def secret_file(tmp_path: Path) -> tuple[Path, str]:
    marker = "MARKER-" + secrets.token_hex(8)
    path = tmp_path / "secret.txt"
    path.write_text(f"{marker} must never appear in a report\n")
    return path, marker


def _hostile(port: int, secret: Path) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [
        f'<img src="{base}/img.png">',
        f"<style>@import url({base}/a.css);</style>",
        f'<link rel="stylesheet" href="{base}/b.css">',
        f'<link rel="attachment" href="file://{secret}">',
        f'<img src="file://{secret}">',
        f"<iframe src='file://{secret}'></iframe>",
        '<img src="http://169.254.169.254/latest/meta-data/">',
        f'<object data="https://127.0.0.1:{port}/o"></object>',
        '<div style="width:99999999999999px;font-size:1e308px;margin:-1e308px">huge</div>',
        "<style>*{font-size:9999999999999999999999999px !important}</style>",
    ]


def test_pdf_hostile_text_fetches_nothing_from_a_real_server_and_reads_no_file(
    make_inputs,  # noqa: F811
    http_server,
    secret_file,
):
    # Arrange: hostile text as account commentary and as the portfolio commentary
    path, marker = secret_file
    texts = _hostile(http_server.server_address[1], path)
    inputs = make_inputs("en", commentary={ACCOUNT: "\n".join(texts), None: "\n".join(texts)})
    fetcher = RecordingFetcher(AssetBundle(ReportKind.ACCOUNT.value))

    # Act
    rendered = report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT, fetcher=fetcher)

    # Assert: printed as text, the server untouched, the file's content absent, nothing attached
    text = pdf_text(rendered.data)
    assert http_server.paths == []
    assert marker not in text
    # (compared without white space: a long file path is wrapped over two lines)
    flat = "".join(text.split())
    assert [h for h in texts if "".join(h.split()) not in flat] == []
    assert [url for url in fetcher.calls if not url.startswith(("data:image/", "report-asset:"))] == []
    assert dict(PdfReader(BytesIO(rendered.data)).attachments) == {}


def test_pdf_ten_thousand_line_commentary_is_stopped_by_the_time_limit_in_the_child(
    db,
    make_app,
    answered_study,  # noqa: F811
):
    # Arrange: the longest commentary the service accepts (20,000 characters) as 10,000 lines; rendering it
    # takes far longer than this renderer's limit
    study = answered_study()
    account = db.session.scalar(select(Account).where(Account.name == ACCOUNT))
    lines = ["x"] * 10_000
    save_commentary(session=db.session, study=study, account=account, text="\n".join(lines), actor=None)
    report_id = request_report(
        session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account, language=Language.EN
    ).id
    db.session.commit()

    # Act: the child renders it under a short time limit, this process only waits
    outcome = run_render(report_id, app=make_app(REPORT_TIME_LIMIT=3))

    # Assert
    db.session.expire_all()
    report = db.session.get(Report, report_id)
    assert (outcome.ok, outcome.code) == (False, failures.TIME_LIMIT)
    assert (report.status, report.failure_code, report.pdf) == (
        ReportStatus.FAILED,
        failures.TIME_LIMIT,
        None,
    )
