"""The documented paths over HTTP on the real stack: gunicorn (gunicorn.conf.py) + PostgreSQL + Redis + an RQ
worker + SMTP, each through its proxy (tests/system/conftest.py)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.parse
import zipfile

import pytest
from openpyxl import load_workbook

from surveyapp.exports.services import ANSWER_COLUMNS, THEME_COLUMNS
from tests.system.conftest import Stack, logged_in
from tests.system.htmlforms import form_posting_to
from tests.system.respondents import invite

pytestmark = pytest.mark.system
FINISHED = "brightline-2025"


def test_stack_login_works_for_every_demo_role_and_logout_ends_the_session(services_up: Stack):
    landing = {}
    for email in ("admin@demo.example", "researcher@demo.example", "accountteam@demo.example"):
        browser = logged_in(services_up, email)
        landing[email] = browser.get("/").status
        logout = browser.submit("/", {}, action="/logout")
        landing[email + " after logout"] = browser.get("/").status

    assert landing == {
        "admin@demo.example": 200,
        "admin@demo.example after logout": 302,
        "researcher@demo.example": 200,
        "researcher@demo.example after logout": 302,
        "accountteam@demo.example": 200,
        "accountteam@demo.example after logout": 302,
    }
    assert logout.status == 302


def test_stack_respondent_answers_every_page_and_submits_once(services_up: Stack):
    respondent = invite(services_up, "flow")

    start = respondent.open_link()
    answered = respondent.answer_all()
    submitted = respondent.submit()
    done = respondent.browser.get(f"{respondent.survey}/done")

    rows = services_up.rows(
        "SELECT r.status, count(a.id) FROM responses r JOIN invitations i ON i.id = r.invitation_id "
        "JOIN contacts c ON c.id = i.contact_id JOIN answers a ON a.response_id = r.id "
        "WHERE c.email = %s GROUP BY r.id, r.status",
        respondent.email,
    )
    assert start.status == 200
    assert len(answered) >= 3
    assert submitted.status == 303
    assert done.status == 200
    assert len(rows) == 1
    assert rows[0][0] == "completed"
    assert rows[0][1] >= 10


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("what", ["answers", "analysis", "themes"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_stack_every_export_downloads_whole_and_is_audited_once(services_up: Stack, what: str, fmt: str):
    browser = logged_in(services_up, "researcher@demo.example")
    before = services_up.scalar("SELECT count(*) FROM audit_events WHERE action = 'study.export'")

    page = browser.get(f"/studies/{FINISHED}/exports/download?what={what}&format={fmt}")

    assert page.status == 200, page.text[:2000]
    if fmt == "json":
        document = json.loads(page.body)
        if what == "analysis":
            assert sorted(document)[:2] == ["accounts", "dimensions"] or "accounts" in document
        else:
            columns = ANSWER_COLUMNS if what == "answers" else THEME_COLUMNS
            assert all(tuple(row) == columns for row in document)
            assert (len(document) > 100) is (what == "answers")
    elif fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(page.body), read_only=True)
        first = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True))
        if what != "analysis":
            assert first == (ANSWER_COLUMNS if what == "answers" else THEME_COLUMNS)
    elif what == "analysis":
        names = zipfile.ZipFile(io.BytesIO(page.body)).namelist()
        assert "accounts.csv" in names
    else:
        rows = _csv_rows(page.body)
        assert tuple(rows[0]) == (ANSWER_COLUMNS if what == "answers" else THEME_COLUMNS)
    # A streamed export is recorded when its last row has gone out: wait for it, then count.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = services_up.scalar("SELECT count(*) FROM audit_events WHERE action = 'study.export'")
        if after > before:
            break
        time.sleep(0.1)
    details = services_up.rows(
        "SELECT details FROM audit_events WHERE action = 'study.export' ORDER BY id DESC LIMIT 1"
    )[0][0]
    assert after == before + 1
    assert (details["what"], details["format"]) == (what, fmt)
    if what == "answers" and fmt != "xlsx":
        assert details["outcome"] == "completed"
        assert details["rows"] == (
            len(_csv_rows(page.body)) - 1 if fmt == "csv" else len(json.loads(page.body))
        )


def test_stack_report_requested_on_the_reports_page_is_rendered_by_the_worker_and_downloads(
    services_up: Stack,
):
    browser = logged_in(services_up, "researcher@demo.example")
    reports = browser.get(f"/studies/{FINISHED}/reports")
    form = form_posting_to(reports.text, f"/studies/{FINISHED}/reports")

    requested = browser.post(f"/studies/{FINISHED}/reports", form.filled())
    report_path = urllib.parse.urlsplit(requested.header("Location") or "").path
    report_id = int(report_path.rsplit("/", 1)[1])
    deadline, status = time.monotonic() + 300, None
    while time.monotonic() < deadline:
        status = services_up.scalar("SELECT status FROM reports WHERE id = %s", report_id)
        if status in ("ready", "failed"):
            break
        time.sleep(0.5)
    waiting = browser.get(report_path)
    pdf = browser.get(f"/reports/{report_id}/download")

    assert reports.status == 200
    assert requested.status == 302
    assert status == "ready"
    assert waiting.status == 200
    assert pdf.status == 200
    assert pdf.body[:5] == b"%PDF-"
    assert pdf.header("Content-Type") == "application/pdf"
    assert (
        services_up.scalar("SELECT count(*) FROM reports WHERE id = %s AND pdf IS NOT NULL", report_id) == 1
    )


def test_stack_coding_and_act_pages_answer_and_save(services_up: Stack):
    browser = logged_in(services_up, "researcher@demo.example")

    coding = browser.get(f"/studies/{FINISHED}/coding")
    queue = browser.get(f"/studies/{FINISHED}/coding/queue")
    act = browser.get(f"/studies/{FINISHED}/act")
    dashboard = browser.get(f"/studies/{FINISHED}/dashboard")
    theme_name = f"Over HTTP {time.monotonic_ns()}"
    created = browser.post(
        f"/studies/{FINISHED}/coding/themes",
        [
            *(pair for pair in form_posting_to(coding.text, "/coding/themes").filled() if pair[0] != "name"),
            ("name", theme_name),
        ],
    )

    assert [coding.status, queue.status, act.status, dashboard.status] == [200, 200, 200, 200]
    assert created.status in (302, 303), created.text[:2000]
    assert services_up.scalar("SELECT count(*) FROM themes WHERE name = %s", theme_name) == 1
    assert re.search(r"<h1[^>]*>", act.text)
