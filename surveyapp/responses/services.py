"""Saving a survey page, submitting and reopening: the respondent's writes. Services flush; the view commits.

Rules the database enforces, so no interleaving of requests can break them:

- one response per invitation (`responses.invitation_id` is unique; the first save creates it inside a
  SAVEPOINT and a loser of that race uses the winner's row);
- a page is saved only while the response is in progress, and submitting is a compare-and-set
  (`UPDATE ... WHERE status = 'in_progress'`): of any number of simultaneous submits exactly one completes the
  response, snapshots its answers and records the invitation's `completed` event; the others change nothing;
- "change my answers" opens a draft on top of a completed response (one per response: the draft's primary key
  is the response's); the completed answers count, untouched, until the draft is sent, which deletes the draft
  as its compare-and-set (rule 19);
- a page's answers are written in one batch: one DELETE for the items that are now empty or hidden, and one
  multi-row INSERT ... ON CONFLICT DO UPDATE for the rest (no round trip per answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.enums import ResponseMode
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires.schema import Questionnaire, items_of
from surveyapp.questionnaires.types import knockouts
from surveyapp.responses import journey
from surveyapp.responses.drafts import (
    DISCARDED_DETAIL,
    REOPENED_DETAIL,
    RESENT_DETAIL,
    discard_draft,
    locked_draft,
    reopen,
    restore_reopened,
    send_draft,
)
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Response
from surveyapp.responses.queries import stored_answers
from surveyapp.responses.writes import (
    AlreadySubmitted,
    Incomplete,
    NotStarted,
    SurveyClosed,
    SurveyError,
    add_submission,
    is_closed,
    refuse_if_closed,
    supersede_earlier,
    write_answers,
)

__all__ = [
    "DISCARDED_DETAIL",
    "REOPENED_DETAIL",
    "RESENT_DETAIL",
    "AlreadySubmitted",
    "Incomplete",
    "NotStarted",
    "SurveyClosed",
    "SurveyError",
    "discard_draft",
    "is_closed",
    "refuse_if_closed",
    "reopen",
    "restore_reopened",
    "save_page",
    "submit",
]


def _response_for(
    session: Session, invitation: Invitation, known: Response | None, language: str, now: datetime
) -> Response:
    """The invitation's response, created on first use and pinned to the study's questionnaire version."""
    if known is not None and known.invitation_id == invitation.id:
        return known
    query = select(Response).where(Response.invitation_id == invitation.id)
    found = session.scalar(query)
    if found is not None:
        return found
    questionnaire_row = invitation.study_questionnaire
    response = Response(
        study_id=invitation.study_id,
        contact_id=invitation.contact_id,
        account_id=invitation.account_id,
        perspective=questionnaire_row.perspective,
        mode=ResponseMode.SURVEY,
        questionnaire_version_id=questionnaire_row.version_id,
        invitation_id=invitation.id,
        status=IN_PROGRESS,
        language=language,
        started_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        # Another request (a second tab) created it first: use that one.
        found = session.scalar(query)
        if found is None:
            raise
        return found
    lifecycle.mark_started(session=session, invitation=invitation, at=now)
    return response


_RESPONSES = Response.__table__.c
# Moves the resume point, only while the response is in progress (and locks its row until the commit).
_RESUME_AT = (
    update(Response.__table__)
    .where(_RESPONSES.id == bindparam("response_id"), _RESPONSES.status == IN_PROGRESS)
    .values(current_section=bindparam("resume_at"), language=bindparam("lang"), updated_at=bindparam("now"))
)


def _merged_page(
    questionnaire: Questionnaire,
    section_key: str,
    before: Mapping[str, str],
    page_answers: Mapping[str, str | None],
) -> dict[str, str]:
    """The answers after this page's: only its own items change, and what the new answers hide is dropped."""
    section_items = {
        item.key for question in questionnaire.section(section_key).questions for item in items_of(question)
    }
    merged: dict[str, str | None] = {**before}
    for key, raw in page_answers.items():
        if key in section_items:
            merged[key] = raw
    return journey.counted_answers(questionnaire, merged)


def save_page(
    *,
    session: Session,
    invitation: Invitation,
    response: Response | None = None,
    questionnaire: Questionnaire,
    section_key: str,
    page_answers: Mapping[str, str | None],
    resume_at: str,
    language: str,
    now: datetime,
) -> Response:
    """Store one page's answers (None: no answer) and where the respondent resumes; `response` is the
    invitation's response when the caller already loaded it.

    Creates the response on the first save (the invitation becomes `started`). Answers of questions that the
    new answers hide — on this page or any other — are removed: hidden questions are never stored. A completed
    response with a draft (`reopen`) gets the page in its draft; its counted answers do not change.
    Raises SurveyClosed after the deadline and AlreadySubmitted for a completed response without a draft.
    """
    refuse_if_closed(session=session, invitation=invitation, now=now)
    response = _response_for(session, invitation, response, language, now)
    guarded = session.execute(
        _RESUME_AT, {"response_id": response.id, "resume_at": resume_at, "lang": language, "now": now}
    )
    if not guarded.rowcount:  # type: ignore[attr-defined]
        draft = locked_draft(session, response.id)
        if draft is None:
            raise AlreadySubmitted()
        draft.answers = _merged_page(questionnaire, section_key, dict(draft.answers), page_answers)
        draft.current_section = resume_at
        draft.language = language
        draft.updated_at = now
        session.flush()
        return response
    before = stored_answers(session=session, response_id=response.id)
    counted = _merged_page(questionnaire, section_key, before, page_answers)
    section_items = {
        item.key for question in questionnaire.section(section_key).questions for item in items_of(question)
    }
    write_answers(session, questionnaire, response.id, before, counted, now, only=section_items)
    session.expire(response)
    return response


def submit(*, session: Session, invitation: Invitation, questionnaire: Questionnaire, now: datetime) -> bool:
    """Complete the invitation's response, or send its draft of changes; True when this call did, False when
    there was nothing to send (already completed, no draft).

    Raises NotStarted without a response, SurveyClosed after the deadline and Incomplete when a required
    question of a visible page has no answer (nothing changes then: a draft's earlier answers still count).
    Each completion keeps a snapshot of the answers.
    """
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        raise NotStarted()
    if response.status == COMPLETED:
        return send_draft(session, invitation, response, questionnaire, now)
    refuse_if_closed(session=session, invitation=invitation, now=now)
    answers = stored_answers(session=session, response_id=response.id)
    missing = journey.first_incomplete(questionnaire, answers)
    if missing is not None:
        raise Incomplete(missing)
    won = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == IN_PROGRESS)
        .values(
            status=COMPLETED,
            submitted_at=now,
            updated_at=now,
            current_section=journey.REVIEW,
            knocked_out=bool(knockouts(questionnaire, answers)),
        )
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        return False
    # The row is ours (locked until commit): the snapshot reads the answers again, as they are now.
    add_submission(session, response.id, response.language, now)
    session.expire(response)
    supersede_earlier(session=session, response=response)
    lifecycle.mark_completed(session=session, invitation=invitation, at=now)
    return True
