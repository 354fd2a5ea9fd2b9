"""The counts of the invitations page (issue 22) against what a send and a "remind now" then queue: both come
from the same rules (`invitations.rules`), on a study where every reason to skip a contact occurs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from surveyapp.enums import Language, Phase, Side
from surveyapp.invitations.models import InvitationToken
from surveyapp.invitations.planning import send_summary
from surveyapp.invitations.reminders import reminder_summary, send_reminders
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage
from surveyapp.studies import scope
from surveyapp.studies.models import Account, Contact
from surveyapp.studies.phases import change_phase
from tests.invitations.conftest import contact

FIRST_SEND = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
SKIPPED = [
    (
        "nina@supplier.example",
        "the name contains a line break or another control character: correct the name first",
    ),
    (None, "the contact's personal data has been erased"),
    ("gone@acme.example", "opted out of emails from this supplier"),
    ("jörg@acme.example", "jörg@acme.example is not a valid email address"),
    (None, "no email address"),
    (
        "tab@globex.example",
        "the name contains a line break or another control character: correct the name first",
    ),
]


def _add(db, study, email, name, account=None, side=Side.CLIENT):
    account_id = db.session.scalar(select(Account.id).where(Account.name == account)) if account else None
    return scope.add_contact(
        session=db.session,
        study=study,
        side=side,
        email=email,
        name=name,
        language=Language.EN,
        account_id=account_id,
        actor=None,
    )


def _every_reason(db, fit_study, mail):
    """The fit study after its prepare-phase send, in the interview phase, with one contact per reason to skip
    (the new lead, who rates an account, twice: as staff and for the brief), a late staff member, and a client
    whose valid address the database cannot judge by itself (an apostrophe)."""
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()
    deliver_outbox(now=FIRST_SEND)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    _add(db, study, "gone@acme.example", "Gone Away", "Acme BV").opted_out_at = FIRST_SEND
    erased = _add(db, study, "erased@acme.example", "Erased Person", "Acme BV")
    erased.erased_at, erased.email, erased.name = FIRST_SEND, None, ""
    _add(db, study, "nomail@globex.example", "No Mail", "Globex").email = None
    _add(db, study, "jörg@acme.example", "Jörg Non-ASCII", "Acme BV")  # valid, but not without SMTPUTF8
    _add(db, study, "tab@globex.example", "Tab", "Globex").name = "Tab\tName"
    _add(db, study, "o'brien@globex.example", "Aoife O'Brien", "Globex")
    _add(db, study, "late@supplier.example", "Late Larry", "Acme BV", side=Side.SUPPLIER)
    lead = _add(db, study, "nina@supplier.example", "Nina", "Globex", side=Side.SUPPLIER)
    scope.set_lead(session=db.session, study=study, contact=lead, actor=None)
    lead.name = "Nina\nBcc: someone@example.org"
    db.session.commit()
    return study


def _named(skipped):
    return [(s.contact.email, str(s.reason)) for s in skipped]


def test_send_summary_equals_what_the_send_queues_when_every_skip_reason_occurs(db, fit_study, mail):
    # Arrange
    study = _every_reason(db, fit_study, mail)
    messages_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    tokens_before = db.session.scalar(select(func.count()).select_from(InvitationToken))

    # Act
    summary = send_summary(session=db.session, study=study, now=FIRST_SEND, named=20)
    report = send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()

    # Assert: the page's counts are what the send did, and what the database then holds
    queued = db.session.scalar(select(func.count()).select_from(InvitationToken)) - tokens_before
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage)) - messages_before
    assert dict(summary.by_audience) == dict(report.by_audience) == {"client": 3, "staff": 1}
    assert (summary.invitations, summary.emails, summary.already) == (report.invitations, report.emails, 3)
    assert (report.invitations, report.emails, report.already, queued, messages) == (4, 4, 3, 4, 4)
    assert _named(summary.skipped) == _named(report.skipped) == SKIPPED
    assert summary.skipped_total == len(report.skipped) == 6
    assert summary.notes == report.notes == []


def test_send_summary_names_the_first_skipped_and_counts_them_all(db, fit_study, mail):
    # Arrange
    study = _every_reason(db, fit_study, mail)

    # Act
    summary = send_summary(session=db.session, study=study, now=FIRST_SEND, named=2)

    # Assert
    assert (_named(summary.skipped), summary.skipped_total) == (SKIPPED[:2], 6)


def test_overview_counts_are_what_the_send_button_then_queues(db, fit_study, mail, make_user, login, client):
    # Arrange
    study = _every_reason(db, fit_study, mail)
    erased_id = db.session.scalar(select(Contact.id).where(Contact.erased_at.is_not(None)))
    login(make_user())
    page = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    # Act
    client.post_form(f"/studies/{study.slug}/invitations/send")

    # Assert
    after = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)
    sends = db.session.scalar(
        select(func.count()).select_from(InvitationToken).where(InvitationToken.purpose == "send")
    )
    assert "Ready to send: 4 invitations in 4 emails." in page
    assert "Already queued earlier: 3 invitations (never sent twice)." in page
    assert re.findall(r"<li>([^<]*)</li>", page.split("Not sent to:")[1].split("</ul>")[0]) == [
        "Nina\nBcc: someone@example.org (nina@supplier.example): the name contains a line break or another "
        "control character: correct the name first",
        f"#{erased_id}: the contact&#39;s personal data has been erased",
        "Gone Away (gone@acme.example): opted out of emails from this supplier",
        "Jörg Non-ASCII (jörg@acme.example): jörg@acme.example is not a valid email address",
        "No Mail: no email address",
        "Tab\tName (tab@globex.example): the name contains a line break or another control character: "
        "correct the name first",
    ]
    assert "Invitations: 4 invitations queued in 4 emails." in after
    assert "Nothing to send now: every invitation due in this phase has been queued." in after
    assert "Already queued earlier: 7 invitations (never sent twice)." in after
    assert sends == 8


def test_reminder_summary_equals_what_remind_now_queues_when_every_skip_reason_occurs(db, fit_study, mail):
    # Arrange: everyone was invited and mailed; then some contacts cannot be mailed any more
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()
    deliver_outbox(now=FIRST_SEND)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    for email, name in (
        ("gone@acme.example", "Gone"),
        ("jorg@acme.example", "Jorg"),
        ("tab@acme.example", "Tab"),
    ):
        _add(db, study, email, name, "Acme BV")
    db.session.commit()
    send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()
    deliver_outbox(now=FIRST_SEND)
    contact(db, "gone@acme.example").opted_out_at = FIRST_SEND
    contact(db, "jorg@acme.example").email = "jörg@acme.example"
    contact(db, "tab@acme.example").name = "Tab\u2028Name"
    contact(db, "ben@globex.example").email = "Ben@Globex.example"  # not plain, still valid
    db.session.commit()
    later = FIRST_SEND + timedelta(days=1)

    # Act
    summary = reminder_summary(session=db.session, study=study, now=later)
    report = send_reminders(session=db.session, study=study, mail=mail, manual=True, now=later)
    db.session.commit()

    # Assert
    reminders = db.session.scalar(
        select(func.count()).select_from(InvitationToken).where(InvitationToken.purpose == "reminder")
    )
    assert dict(summary.by_audience) == dict(report.by_audience) == {"brief": 1, "client": 2, "staff": 3}
    assert (summary.invitations, summary.emails) == (report.invitations, report.emails) == (6, 5)
    assert reminders == 6
    assert sorted(_named(report.skipped)) == [
        ("gone@acme.example", "opted out of emails from this supplier"),
        ("jörg@acme.example", "jörg@acme.example is not a valid email address"),
        (
            "tab@acme.example",
            "the name contains a line break or another control character: correct the name first",
        ),
    ]
