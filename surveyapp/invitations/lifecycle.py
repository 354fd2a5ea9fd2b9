"""An invitation's status and history: every step is an event; the status is the furthest step reached.

created -> queued -> sent -> opened -> started -> completed, with failed (the email could not be delivered)
between queued and sent, and two ends that stop everything: expired (the deadline passed) and opted out.
A reminder that fails after the first email was delivered is recorded in the history without undoing `sent`.

The respondent pages call `mark_started` and `mark_completed`; the link landing calls `mark_opened`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.invitations.tokens import deadline_passed
from surveyapp.mail.outbox import cancel_messages
from surveyapp.studies.models import Study

S = InvitationStatus
RANK = {S.CREATED: 0, S.QUEUED: 1, S.FAILED: 2, S.SENT: 3, S.OPENED: 4, S.STARTED: 5, S.COMPLETED: 6}
ENDS = (S.EXPIRED, S.OPTED_OUT)
# Statuses in which an invitation still waits for an answer (reminders, expiry and opting out apply).
OPEN = (S.CREATED, S.QUEUED, S.FAILED, S.SENT, S.OPENED, S.STARTED)
# Statuses of an invitation that was delivered at least once and is not answered yet: the non-responders.
NOT_RESPONDED = (S.SENT, S.OPENED, S.STARTED)


def _advance(invitation: Invitation, status: InvitationStatus) -> None:
    if status in ENDS or (invitation.status not in ENDS and RANK[status] > RANK[invitation.status]):
        invitation.status = status


def record(
    *,
    session: Session,
    invitation: Invitation,
    status: InvitationStatus,
    at: datetime,
    purpose: str | None = None,
    number: int | None = None,
    detail: str | None = None,
) -> InvitationEvent:
    """Add a step to the history and move the status forward when the step is further along.

    Added to the session, not flushed: the caller's next query or commit writes it.
    """
    event = InvitationEvent(
        invitation_id=invitation.id, status=status, at=at, purpose=purpose, number=number, detail=detail
    )
    session.add(event)
    _advance(invitation, status)
    return event


def reopen(*, session: Session, invitation: Invitation, at: datetime, detail: str) -> None:
    """Let a failed or expired invitation be sent again (a corrected address, an extended deadline)."""
    invitation.status = S.CREATED
    invitation.last_error = None
    record(session=session, invitation=invitation, status=S.CREATED, at=at, detail=detail)


def _first_time(session: Session, invitation: Invitation, column: str, at: datetime) -> bool:
    """Set a first-time timestamp with a compare-and-set, so two simultaneous requests record it once."""
    attribute = getattr(Invitation, column)
    result = session.execute(
        update(Invitation).where(Invitation.id == invitation.id, attribute.is_(None)).values({column: at})
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_opened(*, session: Session, invitation: Invitation, at: datetime) -> bool:
    """The first visit of a personal link (no tracking pixel: opening the email itself is not observed)."""
    if not _first_time(session, invitation, "opened_at", at):
        return False
    record(session=session, invitation=invitation, status=S.OPENED, at=at)
    return True


def mark_started(*, session: Session, invitation: Invitation, at: datetime) -> bool:
    """The respondent saved a first answer (called by the respondent pages)."""
    if not _first_time(session, invitation, "started_at", at):
        return False
    record(session=session, invitation=invitation, status=S.STARTED, at=at)
    return True


def mark_completed(*, session: Session, invitation: Invitation, at: datetime) -> None:
    """The respondent submitted (called by the respondent pages; a resubmission is recorded again)."""
    invitation.completed_at = at
    record(session=session, invitation=invitation, status=S.COMPLETED, at=at)


def pending_message_ids(session: Session, invitation_ids: list[int]) -> list[int]:
    if not invitation_ids:
        return []
    return [
        message_id
        for message_id in session.scalars(
            select(InvitationToken.outbox_message_id)
            .where(
                InvitationToken.invitation_id.in_(invitation_ids),
                InvitationToken.outbox_message_id.is_not(None),
            )
            .distinct()
        )
        if message_id is not None
    ]


def expire_due(*, session: Session, now: datetime) -> int:
    """Expire the open invitations of studies past their deadline, and cancel their unsent mail."""
    # A deadline is local and inclusive; one day of margin catches every time zone, the exact test is per
    # study.
    candidates = session.scalars(
        select(Study).where(Study.deadline.is_not(None), Study.deadline < (now + timedelta(days=1)).date())
    )
    expired: list[Invitation] = []
    for study in candidates:
        if not deadline_passed(study, now):
            continue
        expired.extend(
            session.scalars(
                select(Invitation).where(Invitation.study_id == study.id, Invitation.status.in_(OPEN))
            )
        )
    for invitation in expired:
        record(session=session, invitation=invitation, status=S.EXPIRED, at=now)
    cancel_messages(
        session=session,
        message_ids=pending_message_ids(session, [i.id for i in expired]),
        reason="the study's deadline has passed",
    )
    return len(expired)
