""" "Send" and "Send reminders" beyond what a web request may take (issue 22): handed to a job that queues in
committed batches, or in `cron` mode queued a slice per press; never anything twice, never to whoever opted out
meanwhile, and the page says what is under way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update

from surveyapp.audit.models import AuditEvent
from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus, Perspective, Phase, Purpose
from surveyapp.invitations.background import INLINE_EMAILS, queue_study_invitations, request_send
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.sending import send_invitations
from surveyapp.mail.models import OutboxMessage
from surveyapp.mail.settings import mail_settings
from surveyapp.studies.models import Contact
from tests.studies.large_study import build_large_study


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    # Jobs run where they are enqueued, so a request's background job has finished when the response comes.
    application = make_app(JOBS_MODE="inline")
    with application.app_context():
        yield application


def _unsent_study(db: Any, accounts: int) -> Any:
    """The large study in the interview phase with none of its client invitations created yet: `2 x accounts`
    client invitations and the lead's brief are due (the staff's were sent)."""
    study = build_large_study(
        db.session, accounts=accounts, phase=Phase.INTERVIEW, answered=0, client_only=0, decisions=0
    ).study
    client_survey = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    db.session.execute(delete(Invitation).where(Invitation.study_questionnaire_id == client_survey.id))
    db.session.commit()
    return study


def _tokens_per_invitation(db: Any, purpose: str) -> dict[int, int]:
    """{n: how many invitations have exactly n tokens of this purpose} ({1: 601}: 601 invitations, once each)."""
    rows = db.session.execute(
        select(InvitationToken.invitation_id, func.count())
        .where(InvitationToken.purpose == purpose)
        .group_by(InvitationToken.invitation_id)
    )
    found: dict[int, int] = {}
    for _invitation_id, count in rows:
        found[count] = found.get(count, 0) + 1
    return found


def _count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


def _actions(db: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("invitations.%")).order_by(AuditEvent.id)
        )
    )


def test_send_button_hands_a_large_send_to_a_job_that_queues_each_invitation_once(
    db, make_user, login, client
):
    # Arrange: 601 emails, more than the page queues itself
    study = _unsent_study(db, 300)
    login(make_user(email="rita@agency.example"))
    before = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    # Act: two clicks
    first = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)
    second = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)

    # Assert
    first_page, second_page = first.get_data(as_text=True), second.get_data(as_text=True)
    assert "Ready to send: 601 invitations in 601 emails." in before
    assert (
        "Invitations: 601 invitations in 601 emails are being queued in the background. "
        "This page shows how far it has got." in first_page
    )
    assert "Invitations: nothing to send." in second_page
    assert "Nothing to send now: every invitation due in this phase has been queued." in second_page
    assert "Being queued in the background" not in second_page
    assert _tokens_per_invitation(db, "send") == {1: 601}
    assert _count(db, OutboxMessage) == 601
    assert _count(db, Invitation, Invitation.study_id == study.id, Invitation.last_queued_at.is_(None)) == 300
    assert _actions(db) == [
        "invitations.send_requested",
        "invitations.queued",
        "invitations.send_finished",
    ]


def test_send_job_run_twice_and_a_send_after_it_queue_each_invitation_once(app, db):
    # Arrange: 1,000 accounts (2,001 emails, 21 batches); the request recorded, the job not yet run (and the
    # sender left to a tick)
    app.config["JOBS_MODE"] = "cron"
    study = _unsent_study(db, 1_000)
    outcome = request_send(
        session=db.session, study=study, mail=mail_settings(app.config), actor=None, background=True
    )
    db.session.commit()

    # Act: the job, the same job again (a retry), and the command line's send
    first = queue_study_invitations(study_id=study.id)
    again = queue_study_invitations(study_id=study.id)
    cli = send_invitations(session=db.session, study=study, mail=mail_settings(app.config))
    db.session.commit()

    # Assert
    assert (outcome.handed_off, outcome.handed_off_invitations) == (2_001, 2_001)
    assert (first.invitations, first.emails, dict(first.by_audience)) == (
        2_001,
        2_001,
        {"brief": 1, "client": 2_000},
    )
    assert (again.invitations, cli.invitations, cli.already) == (0, 0, 2_001)
    assert _tokens_per_invitation(db, "send") == {1: 2_001}
    assert _count(db, OutboxMessage) == 2_001


def test_send_job_leaves_out_whoever_opted_out_after_the_request(app, db):
    # Arrange
    app.config["JOBS_MODE"] = "cron"
    study = _unsent_study(db, 300)
    request_send(session=db.session, study=study, mail=mail_settings(app.config), actor=None, background=True)
    db.session.commit()
    gone = db.session.scalar(select(Contact).where(Contact.email == "client1-00150@client00150.example"))
    gone.opted_out_at = utcnow()
    db.session.commit()

    # Act
    report = queue_study_invitations(study_id=study.id)

    # Assert
    assert (report.invitations, [s.contact.email for s in report.skipped]) == (
        600,
        ["client1-00150@client00150.example"],
    )
    assert _count(db, OutboxMessage, OutboxMessage.recipient == "client1-00150@client00150.example") == 0


def test_send_in_cron_mode_queues_a_slice_per_press(app, db, make_user, login, client):
    # Arrange: no job runs now in cron mode, so each press queues at most INLINE_EMAILS emails
    app.config["JOBS_MODE"] = "cron"
    study = _unsent_study(db, 300)
    login(make_user())

    # Act
    first = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)
    second = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)

    # Assert
    first_page, second_page = first.get_data(as_text=True), second.get_data(as_text=True)
    assert INLINE_EMAILS == 500
    assert "Invitations: 500 invitations queued in 500 emails." in first_page
    assert (
        "101 more emails are still to be queued: press the button again to queue the next ones." in first_page
    )
    assert "Ready to send: 101 invitations in 101 emails." in first_page
    assert "Invitations: 101 invitations queued in 101 emails." in second_page
    assert "still to be queued" not in second_page
    assert _tokens_per_invitation(db, "send") == {1: 601}
    assert _actions(db) == ["invitations.queued", "invitations.queued"]


def test_overview_shows_a_send_under_way_then_stopped(app, db, make_user, login, client):
    # Arrange: a send handed off whose job has not run (yet)
    study = _unsent_study(db, 300)
    user = make_user(email="rita@agency.example")
    request_send(session=db.session, study=study, mail=mail_settings(app.config), actor=user, background=True)
    db.session.commit()
    login(user)

    # Act
    under_way = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)
    pressed = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.action == "invitations.send_requested")
        .values(created_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    stopped = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    # Assert
    assert re.search(
        r"Being queued in the background since [^()]+ \(asked for by rita@agency\.example\): 0 emails so far\. "
        r"Reload the page to follow it\.",
        under_way,
    )
    assert "Send 601 invitations" not in under_way
    assert (
        "Invitations: already being queued in the background. This page shows how far it has got."
        in pressed.get_data(as_text=True)
    )
    assert re.search(
        r"Queuing stopped before it finished \(0 emails queued since [^()]+\)\. Press the button again to queue "
        r"the rest: nothing is ever queued twice\.",
        stopped,
    )
    assert "Send 601 invitations" in stopped
    assert _count(db, OutboxMessage) == 0


def test_remind_button_hands_a_large_reminder_round_to_a_job_once(db, make_user, login, client):
    # Arrange: the large study's non-responders (sent or opened) were mailed long ago
    study = build_large_study(
        db.session, accounts=300, phase=Phase.INTERVIEW, answered=0, client_only=0, decisions=0
    ).study
    non_responders = _count(
        db, Invitation, Invitation.status.in_((InvitationStatus.SENT, InvitationStatus.OPENED))
    )
    login(make_user())
    before = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    # Act: two clicks
    first = client.post_form(f"/studies/{study.slug}/invitations/remind", follow_redirects=True)
    second = client.post_form(f"/studies/{study.slug}/invitations/remind", follow_redirects=True)

    # Assert: one email per client contact, one per staff member listing their accounts
    emails = 588 + 100
    assert non_responders == 888
    assert f"Remind {non_responders} non-responders now ({emails} emails)" in before
    assert (
        f"Reminders: {non_responders} invitations in {emails} emails are being queued in the background. "
        "This page shows how far it has got." in first.get_data(as_text=True)
    )
    assert "Reminders: nothing to send." in second.get_data(as_text=True)
    assert _tokens_per_invitation(db, "reminder") == {1: non_responders}
    assert _count(db, OutboxMessage) == emails
