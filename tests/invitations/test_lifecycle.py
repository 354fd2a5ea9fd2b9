"""Status rules: the furthest step counts, expiry after the deadline, the respondent pages' steps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from surveyapp.enums import InvitationStatus
from surveyapp.invitations.lifecycle import expire_due, mark_completed, mark_started, record
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.sending import send_invitations
from surveyapp.mail.models import OutboxMessage, OutboxStatus

NOW = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


def queued(db, fit_study, mail, **kwargs) -> list[Invitation]:
    study = fit_study(**kwargs)
    send_invitations(session=db.session, study=study, mail=mail, now=NOW)
    db.session.commit()
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def test_a_later_reminder_failure_does_not_undo_sent(db, fit_study, mail):
    invitation = queued(db, fit_study, mail)[0]
    record(session=db.session, invitation=invitation, status=InvitationStatus.SENT, at=NOW)

    record(session=db.session, invitation=invitation, status=InvitationStatus.FAILED, at=NOW, detail="550")

    assert invitation.status == InvitationStatus.SENT
    assert [e.status for e in invitation.events][-1] == InvitationStatus.FAILED


def test_started_and_completed_are_recorded_for_the_respondent_pages(db, fit_study, mail):
    invitation = queued(db, fit_study, mail)[0]

    first = mark_started(session=db.session, invitation=invitation, at=NOW)
    again = mark_started(session=db.session, invitation=invitation, at=NOW)
    mark_completed(session=db.session, invitation=invitation, at=NOW)

    assert (first, again) == (True, False)
    assert invitation.status == InvitationStatus.COMPLETED
    assert (invitation.started_at, invitation.completed_at) == (NOW, NOW)


def test_expiry_marks_open_invitations_and_cancels_their_unsent_mail(db, fit_study, mail):
    invitations = queued(db, fit_study, mail, deadline=date(2030, 1, 31))
    mark_completed(session=db.session, invitation=invitations[0], at=NOW)

    before = expire_due(session=db.session, now=datetime(2030, 1, 31, 22, 59, tzinfo=UTC))  # 23:59 local
    after = expire_due(session=db.session, now=datetime(2030, 1, 31, 23, 1, tzinfo=UTC))  # 00:01 local
    again = expire_due(session=db.session, now=datetime(2030, 2, 1, 9, 0, tzinfo=UTC))
    db.session.commit()

    assert (before, after, again) == (0, 3, 0)
    assert [i.status for i in invitations] == [InvitationStatus.COMPLETED] + [InvitationStatus.EXPIRED] * 3
    # The completed invitation's email is left to the sender, which refuses mail without an open invitation.
    assert list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))) == [
        OutboxStatus.PENDING,
        OutboxStatus.CANCELLED,
        OutboxStatus.CANCELLED,
    ]
