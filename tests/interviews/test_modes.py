"""Rule 19: a completed interview ends the contact's survey for that account and perspective — no survey
invitation or reminder, a queued one cancelled, counted as responded — and counts over an earlier survey."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus, Perspective, Purpose
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.invitations.planning import plan_send
from surveyapp.invitations.reminders import plan_reminders
from surveyapp.invitations.sending import send_invitations
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.settings import mail_settings
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.queries import progress
from tests.interviews.test_scores import _interview
from tests.responses.conftest import make_invitation  # noqa: F401


def interview(db, client, work, researcher, started, screen, contact):
    held = started(work, researcher, contact=contact)
    questionnaire = load_version(session=db.session, version_id=held.response.questionnaire_version_id)
    _interview(db, client, screen(held), held, questionnaire)
    db.session.expire_all()


def survey_invitation(db, work, contact):
    row = work.study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    return db.session.scalar(
        select(Invitation).where(
            Invitation.contact_id == contact.id,
            Invitation.account_id == contact.account_id,
            Invitation.study_questionnaire_id == row.id,
        )
    )


def test_modes_interview_closes_the_survey_invitation_and_no_reminder_follows(
    db,
    client,
    login,
    fieldwork,
    researcher,
    started,
    screen,
    make_invitation,  # noqa: F811
):
    # Arrange: Anna was mailed the survey and has not answered
    work = fieldwork()
    login(researcher)
    invitation = make_invitation(work.study, work.anna, work.acme_id)

    # Act
    interview(db, client, work, researcher, started, screen, work.anna)

    # Assert
    closed = db.session.get(Invitation, invitation.id)
    steps = db.session.execute(
        select(InvitationEvent.status, InvitationEvent.detail).where(
            InvitationEvent.invitation_id == invitation.id
        )
    ).all()
    reminded = plan_reminders(session=db.session, study=work.study, now=utcnow(), manual=True)
    assert closed.status is InvitationStatus.COMPLETED
    assert (InvitationStatus.COMPLETED, "interviewed") in steps
    assert work.anna.id not in {group.contact.id for group in reminded.groups}


def test_modes_a_contact_never_invited_is_not_sent_the_survey_after_an_interview(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    interview(db, client, work, researcher, started, screen, work.carl)
    plan = plan_send(session=db.session, study=work.study, now=utcnow())

    # Assert: Carl's survey invitation exists, already answered; the send leaves him out, not Anna
    assert survey_invitation(db, work, work.carl).status is InvitationStatus.COMPLETED
    due = {(group.contact.email, group.audience) for group in plan.groups}
    assert ("carl@acme.example", "client") not in due
    assert ("anna@acme.example", "client") in due


def test_modes_survey_email_waiting_in_the_outbox_is_cancelled(
    db, app, client, login, fieldwork, researcher, started, screen
):
    # Arrange: the client invitations are queued, not delivered yet
    work = fieldwork()
    login(researcher)
    send_invitations(session=db.session, study=work.study, mail=mail_settings(app.config), now=utcnow())
    db.session.commit()

    # Act
    interview(db, client, work, researcher, started, screen, work.carl)

    # Assert: Carl's email is cancelled, Anna's still waits
    statuses = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.status)).all())
    assert statuses["carl@acme.example"] is OutboxStatus.CANCELLED
    assert statuses["anna@acme.example"] is OutboxStatus.PENDING
    assert survey_invitation(db, work, work.carl).status is InvitationStatus.COMPLETED


def test_modes_interviewed_contact_counts_as_completed_in_the_study_progress(
    db,
    client,
    login,
    fieldwork,
    researcher,
    started,
    screen,
    make_invitation,  # noqa: F811
):
    # Arrange: Anna and Carl were mailed the survey; neither answered it
    work = fieldwork()
    login(researcher)
    make_invitation(work.study, work.anna, work.acme_id)
    make_invitation(work.study, work.carl, work.acme_id)

    # Act: Carl is interviewed instead
    interview(db, client, work, researcher, started, screen, work.carl)
    figures = {
        row.questionnaire.perspective: (row.invited, row.in_progress, row.completed)
        for row in progress(session=db.session, study=work.study)
    }

    # Assert
    assert figures[Perspective.CLIENT] == (2, 0, 1)
