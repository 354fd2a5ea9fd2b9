"""Shared instruments of the hostile-input suite (part A): the demo with payloads planted in every free text,
logged-in clients for the demo's users, a bounded same-site crawler, an HTML injection detector, a snapshot of
every table and the allow-lists the URL-map tests check themselves against."""

from __future__ import annotations

import os
import secrets
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask
from sqlalchemy import String, Text, select, text, update
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from surveyapp.cli import cli
from surveyapp.extensions import db

# One payload per free-text field: it starts like a `javascript:` URL (in case a field ever lands in an href),
# closes an attribute both ways, and carries a script element, an event handler and an SVG with one. Every
# element it would introduce carries `data-xss`, so an unescaped copy is recognisable whatever the context.
PAYLOAD = (
    'javascript:alert(0)//<script>alert("xss")</script>"><img src=x onerror=alert(1) data-xss=1>'
    "'><svg onload=alert(2) data-xss=2></svg>"
)
# For columns of 100 characters (a contact's role, a segment): still a script, a handler and a quote break.
SHORT_PAYLOAD = 'javascript:alert(0)//<script>alert(1)</script>"><svg onload=alert(2) data-xss=3>'
# For names of at most 80 characters (a theme).
TINY_PAYLOAD = "<script>alert(1)</script><svg onload=alert(2) data-xss=4>"
# What an escaped payload looks like as text to a browser (and to html.parser): the script element verbatim.
VISIBLE_MARK = "<script>alert("
LINK_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"})

SALES_EMAIL = "sales@demo.example"
DEMO_PASSWORDS = {
    "admin@demo.example": "demo-admin-password",
    "researcher@demo.example": "demo-researcher-password",
    "accountteam@demo.example": "demo-accountteam-password",
}
DEMO_STUDY = "brightline-2025"
DEMO_FOLLOW_UP = "brightline-2026"


@contextmanager
def demo_app(database_url: str, instance: Path, **overrides: Any) -> Iterator[Flask]:
    """An app with the demo loaded, inside its app context, for a whole test module: loading the demo takes
    seconds, and the tests that share it change nothing (they assert so) or only add what they check. The
    tables are emptied afterwards, as the per-test `app` fixture does."""
    from surveyapp.app import create_app
    from surveyapp.extensions import limiter
    from tests.conftest import Client, _empty_all_tables, base_config

    previous = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({**base_config(database_url, instance), **overrides})
    finally:
        if previous is None:
            del os.environ["SURVEYAPP_INSTANCE_PATH"]
        else:
            os.environ["SURVEYAPP_INSTANCE_PATH"] = previous
    app.test_client_class = Client
    with app.app_context():
        try:
            load_demo(app)
            enrich_demo(app)
            yield app
        finally:
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()
            limiter.reset()


def load_demo(app: Flask) -> None:
    """`surveyapp demo`, as the tests of the demo load it."""
    result = app.test_cli_runner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def enrich_demo(app: Flask) -> None:
    """What the demo leaves out but every object route needs: a coding theme and a deal fit check PDF,
    made as an admin would make them."""
    from surveyapp.coding.models import PALETTE
    from surveyapp.deals.models import DealCheck
    from surveyapp.deals.pdf import request_pdf
    from surveyapp.enums import Language

    admin = logged_in(app, "admin@demo.example")
    made = admin.post_form(
        f"/studies/{DEMO_STUDY}/coding/themes",
        {"name": "Response time", "description": "Waiting for the service desk", "colour": PALETTE[0]},
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    # A queued deal fit check PDF, as the PDF button leaves it (rendering it would only cost time here).
    check = db.session.scalars(select(DealCheck).order_by(DealCheck.id)).first()
    request_pdf(session=db.session, check=check, language=Language.EN)
    db.session.commit()
    _plan_interview()


# The query a route needs to do its work, so that a 200 shows the address reaches the object.
QUERIES = {"exports.download": {"what": "answers", "format": "csv"}}


def object_values(*, rendered_report: bool = True) -> dict[str, Any]:
    """An object of supplier A for every name a route gives an object, and per endpoint what differs."""
    from surveyapp.act.models import ActionItem, Decision
    from surveyapp.auth.models import User
    from surveyapp.coding.models import Theme
    from surveyapp.deals.models import DealCheck, DealCheckPdf
    from surveyapp.enums import InvitationStatus, Side
    from surveyapp.interviews.models import Interview
    from surveyapp.invitations.models import Invitation
    from surveyapp.questionnaires.services import load_version
    from surveyapp.reporting.models import Report
    from surveyapp.studies.models import Assignment, Contact, Study, StudyQuestionnaire, Supplier

    session = db.session
    study = session.scalar(select(Study).where(Study.slug == DEMO_STUDY))
    follow_up = session.scalar(select(Study).where(Study.slug == DEMO_FOLLOW_UP))
    assignment = session.scalars(select(Assignment).where(Assignment.study_id == study.id)).first()
    interview = session.scalars(select(Interview).where(Interview.study_id == follow_up.id)).first()
    # An invitation that is still open, so that its pages can be answered (and refuse a forged save with 400).
    invitation = session.scalars(
        select(Invitation)
        .join(Contact, Invitation.contact_id == Contact.id)
        .where(
            Invitation.study_id == follow_up.id,
            Contact.side == Side.SUPPLIER,
            Invitation.account_id.is_not(None),
            Invitation.status == InvitationStatus.SENT,
        )
        .order_by(Invitation.id)
    ).first()
    check = session.scalars(select(DealCheck).order_by(DealCheck.id)).first()
    pdf = session.scalars(select(DealCheckPdf).where(DealCheckPdf.check_id == check.id)).first()
    survey_version = load_version(session=session, version_id=invitation.study_questionnaire.version_id)
    guide, preview = (
        load_version(
            session=session,
            version_id=session.scalar(
                select(StudyQuestionnaire.version_id).where(
                    StudyQuestionnaire.study_id == wave.id, StudyQuestionnaire.slug == slug
                )
            ),
        )
        for wave, slug in ((follow_up, "interview-guide"), (study, "fit-client"))
    )
    supplier_id = session.scalar(select(Supplier.id).where(Supplier.id == study.supplier_id))
    team_user = session.scalar(select(User).where(User.email == "accountteam@demo.example"))
    return {
        "common": {
            "slug": study.slug,
            "account_id": assignment.account_id,
            "contact_id": assignment.contact_id,
            "action_id": session.scalars(
                select(ActionItem.id).join(Decision).where(Decision.study_id == study.id)
            ).first(),
            "theme_id": session.scalars(select(Theme).where(Theme.study_id == study.id)).first().id,
            "report_id": render_account_report()
            if rendered_report
            else session.scalars(select(Report.id).where(Report.study_id == study.id)).first(),
            "interview_id": interview.id,
            "invitation_id": invitation.id,
            "prospect_id": check.prospect_id,
            "check_id": check.id,
            "pdf_id": pdf.id,
            "supplier_id": supplier_id,
            "user_id": team_user.id,
            "questionnaire_slug": "fit-client",
            "fmt": "csv",
        },
        # The invitation and the interview live in the follow-up wave, which is in the interview phase.
        "responses.survey": {"section_key": survey_version.sections[0].key},
        "responses.preview": {"section_key": preview.sections[0].key},
        "interviews.": {"section_key": guide.sections[0].key},
        "invitations.address": {"slug": follow_up.slug},
        "invitations.resend_one": {"slug": follow_up.slug},
    }


def values_for(values: dict[str, Any], endpoint: str) -> dict[str, Any]:
    merged = dict(values["common"])
    for prefix, extra in values.items():
        if prefix != "common" and endpoint.startswith(prefix):
            merged.update(extra)
    return merged


def render_account_report() -> int:
    """Render the demo's first queued account report in this process, as `surveyapp tick` would; its id."""
    from surveyapp.reporting.models import Report, ReportKind, ReportStatus
    from surveyapp.reporting.pipeline import render_stored_report

    report_id = db.session.scalars(
        select(Report.id)
        .where(Report.kind == ReportKind.ACCOUNT, Report.status == ReportStatus.QUEUED)
        .order_by(Report.id)
    ).first()
    assert report_id is not None
    db.session.commit()
    outcome = render_stored_report(report_id=report_id)
    assert outcome["ok"] is True, outcome
    db.session.expire_all()
    return report_id


def _plan_interview() -> None:
    from datetime import UTC, datetime

    from surveyapp.auth.models import User
    from surveyapp.enums import Side
    from surveyapp.interviews.models import InterviewChannel
    from surveyapp.interviews.services import plan_interview
    from surveyapp.studies.models import Contact, Study, StudyAccount

    session = db.session
    study = session.scalar(select(Study).where(Study.slug == DEMO_FOLLOW_UP))
    researcher = session.scalar(select(User).where(User.email == "researcher@demo.example"))
    contact, account_id = session.execute(
        select(Contact, Contact.account_id)
        .join(StudyAccount, StudyAccount.account_id == Contact.account_id)
        .where(StudyAccount.study_id == study.id, Contact.side == Side.CLIENT)
        .order_by(Contact.id.desc())
    ).first()
    plan_interview(
        session=session,
        study=study,
        contact=contact,
        account_id=account_id,
        researcher=researcher,
        scheduled_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        planned_minutes=45,
        channel=InterviewChannel.VIDEO,
        location="Teams",
        language="en",
        actor=researcher,
    )
    session.commit()


def demo_password(email: str) -> str:
    if email == SALES_EMAIL:
        from surveyapp.deals.demo import SALES_PASSWORD

        return SALES_PASSWORD
    return DEMO_PASSWORDS[email]


def logged_in(app: Flask, email: str, password: str | None = None) -> Any:
    """A fresh client of `app`, logged in as `email` (a demo password unless one is given)."""
    client = app.test_client()
    response = client.post_form("/login", {"email": email, "password": password or demo_password(email)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


# ---- payloads -----------------------------------------------------------------------------------------------


def _free_text_columns() -> dict[Any, tuple[str, ...]]:
    from surveyapp.act.models import ActionItem, Decision
    from surveyapp.auth.models import User
    from surveyapp.coding.models import Theme
    from surveyapp.deals.models import DealCheck, DealCheckInvitation, Prospect, ProspectDecision
    from surveyapp.interviews.models import Interview, InterviewNote, InterviewQuote
    from surveyapp.reporting.models import Report, ReportCommentary, ReportDelivery
    from surveyapp.studies.models import Account, Contact, Study, Supplier

    return {
        Supplier: ("name",),
        Account: ("name", "segment"),
        Contact: ("name", "role"),
        User: ("name",),
        Study: ("name",),
        Theme: ("name", "description"),
        ReportCommentary: ("text",),
        Decision: ("rationale", "override_reason", "handover_plan", "decided_by_label"),
        ActionItem: ("title", "owner_name", "notes", "created_by_label"),
        Prospect: ("name", "segment", "sales_owner"),
        ProspectDecision: ("note", "decided_by_label"),
        DealCheck: ("respondent_label",),
        DealCheckInvitation: ("name",),
        Interview: ("location", "cancel_reason"),
        InterviewNote: ("text",),
        InterviewQuote: ("text",),
        Report: ("created_by_label",),
        ReportDelivery: ("sent_by_label",),
    }


def payload_for(column: Any, suffix: str) -> str | None:
    """The payload that fits the column (with a suffix that keeps unique names unique), or None if none fits."""
    length = None if isinstance(column.type, Text) else getattr(column.type, "length", None)
    for candidate in (PAYLOAD, SHORT_PAYLOAD, TINY_PAYLOAD):
        value = f"{candidate} {suffix}"
        if length is None or len(value) <= length:
            return value
    return None


def plant_payloads() -> int:
    """Replace every free text of every row (names, notes, rationales, commentary, open answers, ...) by a
    payload, through the ORM's tables; commits and returns how many values were replaced."""
    session = db.session
    replaced = 0
    for model, names in _free_text_columns().items():
        table = model.__table__
        ids = session.scalars(select(table.c.id)).all()
        for row_id in ids:
            values = {}
            for name in names:
                column = table.c[name]
                assert isinstance(column.type, String | Text), f"{table.name}.{name} is not text"
                value = payload_for(column, f"#{table.name}.{row_id}")
                if value is not None:
                    values[name] = value
            session.execute(update(table).where(table.c.id == row_id).values(**values))
            replaced += len(values)
    replaced += _plant_open_answers()
    replaced += _plant_deal_check_notes()
    session.commit()
    return replaced


def _plant_open_answers() -> int:
    from surveyapp.enums import QuestionType
    from surveyapp.questionnaires.services import load_version
    from surveyapp.responses.models import Answer, Response

    session = db.session
    text_keys: dict[int, set[str]] = {}
    for version_id in session.scalars(select(Response.questionnaire_version_id).distinct()):
        questionnaire = load_version(session=session, version_id=version_id)
        text_keys[version_id] = {
            item.key
            for item in questionnaire.items
            if item.type in (QuestionType.TEXT, QuestionType.LONGTEXT)
        }
    rows = session.execute(
        select(Answer.id, Response.questionnaire_version_id)
        .join(Response, Answer.response_id == Response.id)
        .where(Answer.value.is_not(None))
        .add_columns(Answer.item_key)
    ).all()
    planted = 0
    for answer_id, version_id, item_key in rows:
        if item_key in text_keys[version_id]:
            session.execute(
                update(Answer).where(Answer.id == answer_id).values(value=f"{PAYLOAD} #answer.{answer_id}")
            )
            planted += 1
    return planted


def _plant_deal_check_notes() -> int:
    from surveyapp.deals.models import DealCheck

    planted = 0
    for check in db.session.scalars(select(DealCheck)):
        if "dc_notes" in (check.answers or {}):
            check.answers = {**check.answers, "dc_notes": f"{PAYLOAD} #deal_check.{check.id}"}
            planted += 1
    db.session.flush()
    return planted


# ---- HTML ---------------------------------------------------------------------------------------------------


class InjectionFinder(HTMLParser):
    """Collects what an unescaped payload would have introduced into a page: a script element that runs
    payload code, an event-handler attribute, a `javascript:` link, an element carrying `data-xss`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "data-xss":
                self.problems.append(f"<{tag} data-xss={value!r}>")
            if name in LINK_ATTRIBUTES and value is not None and is_javascript(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            source = dict(attrs).get("src")
            if source is not None and not source.startswith("/static/"):
                self.problems.append(f"<script src={source!r}>")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            if data.strip():
                self.problems.append(f"<script>{data.strip()[:80]}</script>")
        else:
            self.text.append(data)


def is_javascript(value: str) -> bool:
    # Browsers ignore leading whitespace and control characters and embedded tabs and newlines in a scheme.
    cleaned = "".join(ch for ch in value if ord(ch) > 32).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html"))


def inspect_html(html: str) -> InjectionFinder:
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder


# ---- the crawler --------------------------------------------------------------------------------------------


@dataclass
class Page:
    url: str
    endpoint: str
    status: int
    content_type: str
    body: str
    # The bytes of anything else (a PDF, an export), when the crawl keeps them.
    data: bytes = b""


@dataclass
class Crawl:
    pages: list[Page] = field(default_factory=list)

    @property
    def endpoints(self) -> set[str]:
        return {page.endpoint for page in self.pages}


def endpoint_of(app: Flask, url: str) -> str | None:
    parts = urlsplit(url)
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return None
    return str(endpoint)


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http") and parts.netloc in ("", "localhost")


def crawl(
    client: Any,
    app: Flask,
    start: Iterable[str],
    *,
    limit: int = 400,
    per_pattern: int = 2,
    keep_files: bool = False,
) -> Crawl:
    """GET every same-site link reachable from `start` (following redirects as links), breadth first.

    Bounded: at most `per_pattern` addresses per (route, query keys) and `limit` pages in all, so a page per
    account of every kind is seen without visiting each of a thousand rows. Static files are not fetched.
    `keep_files`: keep the bytes of what is not HTML (downloads) in `Page.data`.
    """
    seen_urls: set[str] = set()
    per_key: dict[tuple[str, tuple[str, ...]], int] = {}
    queue: deque[str] = deque(start)
    result = Crawl()
    while queue and len(result.pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen_urls:
            continue
        endpoint = endpoint_of(app, path)
        if endpoint is None or endpoint == "static":
            continue
        key = (endpoint, tuple(sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})))
        if per_key.get(key, 0) >= per_pattern:
            continue
        per_key[key] = per_key.get(key, 0) + 1
        seen_urls.add(path)
        response = client.get(path)
        content_type = response.headers.get("Content-Type", "")
        data = response.get_data()  # also drains a streamed download, which then closes in its own context
        response.close()
        body = data.decode("utf-8") if content_type.startswith("text/html") else ""
        kept = data if keep_files and not body else b""
        result.pages.append(Page(path, endpoint, response.status_code, content_type, body, kept))
        if 300 <= response.status_code < 400 and response.location:
            target = urljoin(f"http://localhost{path}", response.location)
            if _same_site(target):
                queue.append(target)
        if body:
            for href in inspect_html(body).links:
                target = urljoin(f"http://localhost{path}", href.split("#", 1)[0])
                if _same_site(target):
                    queue.append(target)
    return result


# ---- the database -------------------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order (binary columns by length: a PDF is a PDF)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            tables[table.name] = [tuple(_comparable(value) for value in row) for row in rows]
    return tables


def _comparable(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return ("bytes", len(bytes(value)))
    return value


def changed_cells(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> set[str]:
    """`table.column` of every value that differs, plus `table.(rows)` where the row count differs."""
    changed: set[str] = set()
    for table in db.metadata.sorted_tables:
        old, new = before[table.name], after[table.name]
        if len(old) != len(new):
            changed.add(f"{table.name}.(rows)")
            continue
        names = [column.name for column in table.columns]
        for old_row, new_row in zip(old, new, strict=True):
            for name, a, b in zip(names, old_row, new_row, strict=True):
                if a != b:
                    changed.add(f"{table.name}.{name}")
    return changed


def new_rows(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]], table: str
) -> list[dict[str, Any]]:
    """The rows of `table` that were added (as column -> value)."""
    names = [column.name for column in db.metadata.tables[table].columns]
    old = {row[0] for row in before[table]}
    return [dict(zip(names, row, strict=True)) for row in after[table] if row[0] not in old]


def personal_link(invitation_id: int) -> str:
    """A fresh personal link for an invitation, stored the way a reminder's token is (hashed)."""
    from surveyapp.invitations.models import InvitationToken
    from surveyapp.invitations.tokens import new_token, token_hash

    token = new_token()
    number = 1 + (
        db.session.scalar(
            select(db.func.max(InvitationToken.number)).where(
                InvitationToken.invitation_id == invitation_id, InvitationToken.purpose == "reminder"
            )
        )
        or 0
    )
    db.session.add(
        InvitationToken(
            invitation_id=invitation_id, token_hash=token_hash(token), purpose="reminder", number=number
        )
    )
    db.session.commit()
    return f"/s/{token}"


def random_token() -> str:
    return secrets.token_urlsafe(32)


def unsafe_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]


def table_count(name: str) -> int:
    return int(db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
