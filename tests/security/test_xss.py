"""Stored XSS: the demo with a script, an event handler, a `javascript:` URL and an SVG in every free text — open
answers, notes, quotes, names of accounts, contacts, suppliers, users and prospects, study titles, themes,
commentary, decision rationales and action items. Every page a researcher, an account-team member and an admin
can reach shows them as text; so do the emails, the account PDF and the exports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import BytesIO, StringIO

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.extensions import db
from tests.security import crawl

CRAWLERS = ("researcher@demo.example", "accountteam@demo.example", "admin@demo.example", crawl.SALES_EMAIL)
# Pages each crawl must have reached (else a shrinking crawl would pass by seeing less).
MUST_SEE = {
    "researcher@demo.example": {
        "studies.study",
        "studies.accounts",
        "studies.contacts",
        "dashboard.study_dashboard",
        "dashboard.account",
        "act.overview",
        "act.account",
        "act.edit_action",
        "coding.study_themes",
        "coding.queue",
        "coding.edit_theme",
        "interviews.study_interviews",
        "interviews.account_responses",
        "invitations.overview",
        "invitations.email",
        "reporting.reports",
        "reporting.report",
        "reporting.commentary",
        "deals.index",
        "deals.prospect",
        "deals.check",
        "responses.preview_page",
    },
    "accountteam@demo.example": {
        "dashboard.study_dashboard",
        "dashboard.account",
        "act.account",
        "reporting.reports",
    },
    "admin@demo.example": {"admin.users", "admin.edit_user", "studies.supplier"},
    crawl.SALES_EMAIL: {"deals.index", "deals.prospect", "deals.check"},
}


@pytest.fixture(scope="module")
def app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with crawl.demo_app(database_url, tmp_path_factory.mktemp("xss")) as application:
        planted = crawl.plant_payloads()
        assert planted > 200
        yield application


def _account_name(report_id: int) -> str:
    from surveyapp.reporting.models import Report

    return db.session.get(Report, report_id).account.name


def test_xss_the_detector_finds_every_payload_unescaped_and_none_escaped():
    # Arrange
    from markupsafe import escape

    raw = f'<p>{crawl.PAYLOAD}</p><p title="{crawl.SHORT_PAYLOAD}">x</p><div>{crawl.TINY_PAYLOAD}</div>'
    escaped = f'<p>{escape(crawl.PAYLOAD)}</p><p title="{escape(crawl.SHORT_PAYLOAD)}">x</p>'
    link = '<a href=" java\tscript:alert(1)">x</a>'

    # Act
    found_raw = crawl.inspect_html(raw)
    found_escaped = crawl.inspect_html(escaped)
    found_link = crawl.inspect_html(link)

    # Assert
    assert found_raw.problems == [
        '<script>alert("xss")</script>',
        "<img onerror='alert(1)'>",
        "<img data-xss='1'>",
        "<svg onload='alert(2)'>",
        "<svg data-xss='2'>",
        "<svg onload='alert(2)'>",
        "<svg data-xss='3'>",
        "<script>alert(1)</script>",
        "<svg onload='alert(2)'>",
        "<svg data-xss='4'>",
    ]
    assert found_escaped.problems == []
    assert crawl.VISIBLE_MARK in "".join(found_escaped.text)
    assert found_link.problems == ["<a href=' java\\tscript:alert(1)'>"]


@pytest.mark.parametrize("email", CRAWLERS)
def test_xss_payloads_are_text_on_every_page_a_user_reaches(app, email):
    # Arrange
    client = crawl.logged_in(app, email)

    # Act
    # The admin sees what the researcher sees and more: one page per kind is enough there.
    result = crawl.crawl(client, app, ["/"], limit=400, per_pattern=1 if email == "admin@demo.example" else 2)

    # Assert
    html_pages = [page for page in result.pages if page.body]
    problems = {page.url: crawl.inspect_html(page.body).problems for page in html_pages}
    assert {url: found for url, found in problems.items() if found} == {}
    assert [(page.url, page.status) for page in result.pages if page.status >= 500] == []
    assert MUST_SEE[email] - result.endpoints == set()
    showing = [
        page.url for page in html_pages if crawl.VISIBLE_MARK in "".join(crawl.inspect_html(page.body).text)
    ]
    assert len(showing) >= len(MUST_SEE[email])


def test_xss_payloads_are_escaped_in_every_email(app):
    # Arrange: an invitation round, a password reset and a delivered report, all after the payloads were planted
    from surveyapp.auth.models import User
    from surveyapp.mail.models import OutboxMessage

    first_new = (db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0) + 1
    researcher = crawl.logged_in(app, "researcher@demo.example")
    team = db.session.scalar(select(User).where(User.email == "accountteam@demo.example"))
    report_id = crawl.render_account_report()

    # Act
    sent = researcher.post_form(f"/studies/{crawl.DEMO_FOLLOW_UP}/invitations/send")
    reset = app.test_client().post_form("/forgot-password", {"email": "accountteam@demo.example"})
    approved = researcher.post_form(f"/reports/{report_id}/approve")
    delivered = researcher.post_form(f"/reports/{report_id}/send", {"recipients": [str(team.id)]})

    # Assert
    assert [sent.status_code, reset.status_code, approved.status_code, delivered.status_code] == [302] * 4
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id >= first_new)).all()
    kinds = {message.kind.value for message in messages}
    assert {"invitation", "password", "notification"} <= kinds
    assert {message.id: crawl.inspect_html(message.html_body or "").problems for message in messages} == {
        message.id: [] for message in messages
    }
    showing = [
        message.id
        for message in messages
        if crawl.VISIBLE_MARK in "".join(crawl.inspect_html(message.html_body or "").text)
    ]
    assert len(showing) == len(messages)


def test_xss_payloads_print_as_text_in_the_account_pdf(app):
    # Arrange
    from surveyapp.reporting.models import Report

    report_id = crawl.render_account_report()
    account = _account_name(report_id)

    # Act
    data = db.session.get(Report, report_id).pdf
    reader = PdfReader(BytesIO(data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)

    # Assert
    assert " ".join(account.split()) in text
    assert [
        target for target in _link_targets(reader) if crawl.is_javascript(target) or "alert(" in target
    ] == []


def _link_targets(reader: PdfReader) -> list[str]:
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
            if action is not None and action.get("/S") == "/JavaScript":
                targets.append("javascript:" + str(action.get("/JS")))
    return targets


def test_xss_payloads_arrive_literally_in_the_answers_export(app):
    # Arrange
    from surveyapp.responses.models import Answer

    researcher = crawl.logged_in(app, "researcher@demo.example")

    # Act
    response = researcher.get(f"/studies/{crawl.DEMO_STUDY}/exports/download?what=answers&format=csv")
    cells = {cell for row in csv.reader(StringIO(response.get_data().decode("utf-8-sig"))) for cell in row}
    response.close()

    # Assert: each planted open answer comes out exactly as stored, quotes and angle brackets included
    exported = sorted(cell for cell in cells if cell.startswith(crawl.PAYLOAD))
    stored = [db.session.get(Answer, int(cell.rsplit(".", 1)[1])).value for cell in exported]
    assert response.status_code == 200
    assert exported != []
    assert exported == stored
