"""Erasure leaves no trace; the audit entry and the export of a contact's data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.exports.services import FORMATS, WHATS, build_export
from surveyapp.extensions import db as _db
from surveyapp.jobs.render import run_render
from surveyapp.privacy.services import PrivacyError, erase_contact, export_contact_data
from surveyapp.reporting.models import Report, ReportStatus
from surveyapp.responses.models import Answer, Response
from surveyapp.studies.models import Contact
from tests.privacy.conftest import EMAIL, NAME, NEEDLES, NOTE, OPEN_ANSWER, PROVIDER
from tests.privacy.traces import bytes_traces, database_traces, file_traces


def _export_traces(db, study):
    traces = []
    for what in WHATS:
        for fmt in FORMATS:
            made = build_export(session=db.session, study=study, what=what, fmt=fmt)
            traces += bytes_traces(f"export {what}.{fmt}", b"".join(made.chunks), NEEDLES)
    return traces


def test_erase_contact_leaves_no_trace_anywhere(db, app, make_app, spread_person, run):
    # Arrange
    spread = spread_person(report=True)
    db.session.commit()  # the search reads through its own connection
    before_tables = {trace.split(".")[0] for trace in database_traces(_db.engine, NEEDLES)}
    before_files = file_traces(spread.instance, NEEDLES)
    before_exports = _export_traces(db, spread.study)

    # Act
    result = run("erase", "contact", EMAIL, "--yes")
    db.session.expire_all()
    regenerated = db.session.scalar(
        select(Report.id).where(Report.study_id == spread.study.id, Report.status == ReportStatus.QUEUED)
    )
    db.session.commit()
    rendered = run_render(regenerated, app=make_app(REPORT_SECTION_PROVIDERS=PROVIDER))

    # Assert: the search finds her everywhere before, so finding nothing after means something.
    assert {
        "contacts",
        "answers",
        "response_submissions",
        "interview_notes",
        "interview_quotes",
        "interviews",
        "invitations",
        "invitation_events",
        "outbox_messages",
        "action_items",
        "decisions",
        "audit_events",
        "reports",
        "import_uploads",
    } <= before_tables
    assert any(trace.startswith("outbox/") and trace.endswith(NAME) for trace in before_files)
    assert any(trace.startswith("uploads/") for trace in before_files)
    assert "export themes.json: Marieke van Dijk" in before_exports
    assert result.exit_code == 0, result.output
    reports = db.session.scalars(
        select(Report).where(Report.study_id == spread.study.id).order_by(Report.id)
    ).all()
    assert [(r.version, r.status, r.approved_at) for r in reports] == [
        (1, ReportStatus.WITHDRAWN, None),
        (2, ReportStatus.READY, None),
    ]
    assert rendered.ok
    db.session.commit()
    assert database_traces(_db.engine, NEEDLES) == []
    assert file_traces(spread.instance, NEEDLES) == []
    assert _export_traces(db, spread.study) == []


def test_erase_contact_keeps_anonymous_scores_when_the_study_allows_it(db, spread_person):
    spread = spread_person(keep_scores=True)
    scored_before = db.session.scalar(
        select(Answer.id)
        .join(Response)
        .where(Response.contact_id == spread.contact_id, Answer.score.is_not(None))
    )

    erase_contact(session=db.session, email=EMAIL, actor_label="test")
    db.session.commit()

    contact = db.session.get(Contact, spread.contact_id)
    assert (contact.name, contact.email, contact.role, contact.erased_at is not None) == ("", None, "", True)
    assert db.session.get(Answer, scored_before) is not None
    texts = db.session.scalars(
        select(Answer.value).join(Response).where(Response.contact_id == spread.contact_id)
    ).all()
    assert OPEN_ANSWER not in texts


def test_erase_contact_deletes_scores_when_the_study_does_not_keep_them(db, spread_person):
    spread = spread_person(keep_scores=False)

    summary = erase_contact(session=db.session, email=EMAIL, actor_label="test")
    db.session.commit()

    assert db.session.scalars(select(Response).where(Response.contact_id == spread.contact_id)).all() == []
    assert summary.deleted_responses == 1


def test_erase_contact_audit_entry_holds_no_erased_data(db, spread_person):
    spread = spread_person()

    erase_contact(
        session=db.session, email=EMAIL, actor_label="test", reason="request by email of 2026-11-20"
    )
    db.session.commit()

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.erased"))
    assert (event.object_type, event.object_id, event.supplier_id, event.actor_label) == (
        "contacts",
        spread.contact_id,
        spread.study.supplier_id,
        "test",
    )
    assert event.details["contacts"] == [spread.contact_id]
    text = json.dumps(event.details) + (event.reason or "")
    assert [needle for needle in NEEDLES if needle.lower() in text.lower()] == []


def test_erase_contact_of_an_unknown_email_is_refused(db, spread_person):
    spread_person()

    with pytest.raises(PrivacyError) as caught:
        erase_contact(session=db.session, email="nobody@example.org", actor_label="test")

    assert str(caught.value) == "No contact has the email address nobody@example.org."


def test_export_contact_data_contains_everything_held(db, spread_person):
    spread = spread_person()

    document = export_contact_data(session=db.session, email=EMAIL.upper())

    assert document["email"] == EMAIL
    [contact] = document["contacts"]
    assert (contact["name"], contact["email"], contact["account"], contact["role"]) == (
        NAME,
        EMAIL,
        "Van Dijk Logistiek",
        "Director",
    )
    [response] = contact["responses"]
    assert {a["item_key"]: a["value"] for a in response["answers"]}["open_works"] == OPEN_ANSWER
    assert response["submissions"][0]["answers"] == {"open_works": OPEN_ANSWER, "quote_consent": "named"}
    [interview] = contact["interviews"]
    assert (interview["notes"][0]["text"], interview["quotes"][0]["text"]) == (NOTE, NOTE)
    assert interview["location"] == f"Office of {NAME}, Rotterdam"
    [invitation] = contact["invitations"]
    assert invitation["last_error"] == f"550 <{EMAIL}>: mailbox full"
    assert [(m["kind"], m["recipient_name"]) for m in document["emails"]] == [("invitation", NAME)]
    assert [(a["title"], a["owner_email"]) for a in document["action_items"]] == [
        ("Plan the quarterly review", EMAIL)
    ]
    assert [e["action"] for e in document["audit_events"]] == ["study.contact_added", "contact.imported"]
    assert json.loads(json.dumps(document)) == document
    assert spread.contact_id == db.session.scalar(select(Contact.id).where(Contact.email == EMAIL))
