"""Changing a completed survey (rule 19): "change my answers" opens a draft on top of the completed response.

The completed answers keep counting, untouched, until the draft is sent; a draft left alone changes nothing and
is dropped when the study's answers close for analysis. One draft per response (its primary key is the
response's); sending deletes the draft as its compare-and-set, so of two simultaneous sends one writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.questionnaires.types import knockouts
from surveyapp.responses import journey
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Response, ResponseDraft
from surveyapp.responses.queries import stored_answers
from surveyapp.responses.writes import (
    Incomplete,
    NotStarted,
    add_submission,
    refuse_if_closed,
    supersede_earlier,
    write_answers,
)
from surveyapp.studies.models import Study

REOPENED_DETAIL = "changes begun by the respondent: the answers sent before count until they send again"
DISCARDED_DETAIL = "changes abandoned by the respondent: the answers sent before stand"
RESENT_DETAIL = "changed answers sent: they replace the answers sent before"


def locked_draft(session: Session, response_id: int) -> ResponseDraft | None:
    """The response's draft, read as it is now and locked until the transaction ends (PostgreSQL), so that two
    tabs saving pages of one draft take turns instead of one overwriting the other's page."""
    return session.scalar(
        select(ResponseDraft)
        .where(ResponseDraft.response_id == response_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def send_draft(
    session: Session, invitation: Invitation, response: Response, questionnaire: Questionnaire, now: datetime
) -> bool:
    """The draft's answers replace the completed ones, in one transaction; deleting the draft is the
    compare-and-set, so of two simultaneous sends one writes and the other finds nothing to send."""
    if (
        session.scalar(select(ResponseDraft.response_id).where(ResponseDraft.response_id == response.id))
        is None
    ):
        return False
    refuse_if_closed(session=session, invitation=invitation, now=now)
    draft = locked_draft(session, response.id)
    if draft is None:
        return False
    changed = journey.counted_answers(questionnaire, dict(draft.answers))
    missing = journey.first_incomplete(questionnaire, changed)
    if missing is not None:
        raise Incomplete(missing)
    language = draft.language or response.language
    taken = session.execute(
        delete(ResponseDraft)
        .where(ResponseDraft.response_id == response.id)
        .execution_options(synchronize_session="evaluate")
    )
    if not taken.rowcount:  # type: ignore[attr-defined]
        return False
    before = stored_answers(session=session, response_id=response.id)
    write_answers(session, questionnaire, response.id, before, changed, now)
    session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(
            submitted_at=now,
            updated_at=now,
            language=language,
            current_section=journey.REVIEW,
            knocked_out=bool(knockouts(questionnaire, changed)),
        )
        .execution_options(synchronize_session=False)
    )
    add_submission(session, response.id, language, now)
    session.expire(response)
    supersede_earlier(session=session, response=response)
    invitation.completed_at = now
    lifecycle.record(
        session=session,
        invitation=invitation,
        status=InvitationStatus.COMPLETED,
        at=now,
        detail=RESENT_DETAIL,
    )
    return True


def reopen(*, session: Session, invitation: Invitation, now: datetime) -> bool:
    """Open a draft of changes on top of a completed response; True when this call opened it.

    The completed answers keep counting until the draft is sent (`submit`); a draft left alone changes nothing
    (`discard_draft`, or dropped when the answers close for analysis). Raises SurveyClosed after the deadline,
    NotStarted without a response.
    """
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        raise NotStarted()
    refuse_if_closed(session=session, invitation=invitation, now=now)
    if response.status != COMPLETED or session.get(ResponseDraft, response.id) is not None:
        return False
    draft = ResponseDraft(
        response_id=response.id,
        answers=stored_answers(session=session, response_id=response.id),
        current_section=journey.REVIEW,
        language=response.language,
        started_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError:
        # A draft was already open (a second tab, a double click): keep that one.
        return False
    session.expire(response)
    lifecycle.record(
        session=session,
        invitation=invitation,
        status=InvitationStatus.STARTED,
        at=now,
        detail=REOPENED_DETAIL,
    )
    return True


def discard_draft(*, session: Session, invitation: Invitation, now: datetime) -> bool:
    """Drop the draft of changes: the answers sent before stand, unchanged. True when there was one."""
    response_id = session.scalar(select(Response.id).where(Response.invitation_id == invitation.id))
    if response_id is None:
        return False
    dropped = session.execute(
        delete(ResponseDraft)
        .where(ResponseDraft.response_id == response_id)
        .execution_options(synchronize_session="evaluate")
    )
    if not dropped.rowcount:  # type: ignore[attr-defined]
        return False
    lifecycle.record(
        session=session,
        invitation=invitation,
        status=InvitationStatus.STARTED,
        at=now,
        detail=DISCARDED_DETAIL,
    )
    return True


RESTORED_DETAIL = "answers closed for analysis: the answers last sent count"


def restore_reopened(*, session: Session, study: Study, now: datetime) -> int:
    """When a study's answers close for analysis (rule 19), changes not sent count for nothing: every draft is
    dropped, and a survey reopened before drafts existed (in progress, with an earlier submission) counts as it
    was last sent: its answers are set back to that submission's, it is completed at that time, and its
    invitation is answered again. Returns how many responses were affected."""
    drafts = session.execute(
        delete(ResponseDraft)
        .where(ResponseDraft.response_id.in_(select(Response.id).where(Response.study_id == study.id)))
        .execution_options(synchronize_session="fetch")
    )
    reopened = session.scalars(
        select(Response).where(
            Response.study_id == study.id, Response.status == IN_PROGRESS, Response.submissions.any()
        )
    ).all()
    for response in reopened:
        last = max(response.submissions, key=lambda submission: submission.number)
        questionnaire = load_version(session=session, version_id=response.questionnaire_version_id)
        counted = journey.counted_answers(questionnaire, dict(last.answers))
        before = stored_answers(session=session, response_id=response.id)
        write_answers(session, questionnaire, response.id, before, counted, now)
        response.status = COMPLETED
        response.submitted_at = last.submitted_at
        response.updated_at = now
        session.flush()
        supersede_earlier(session=session, response=response)
        invitation = session.get(Invitation, response.invitation_id) if response.invitation_id else None
        if invitation is not None:
            invitation.completed_at = last.submitted_at
            lifecycle.record(
                session=session,
                invitation=invitation,
                status=InvitationStatus.COMPLETED,
                at=now,
                detail=RESTORED_DETAIL,
            )
    return len(reopened) + int(drafts.rowcount or 0)  # type: ignore[attr-defined]
