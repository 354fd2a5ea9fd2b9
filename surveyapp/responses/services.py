"""Saving a survey page, submitting and reopening: the respondent's writes. Services flush; the view commits.

Rules the database enforces, so no interleaving of requests can break them:

- one response per invitation (`responses.invitation_id` is unique; the first save creates it inside a
  SAVEPOINT and a loser of that race uses the winner's row);
- a page is saved only while the response is in progress, and submitting is a compare-and-set
  (`UPDATE ... WHERE status = 'in_progress'`): of any number of simultaneous submits exactly one completes the
  response, snapshots its answers and records the invitation's `completed` event; the others change nothing;
- a page's answers are written in one batch: one DELETE for the items that are now empty or hidden, and one
  multi-row INSERT ... ON CONFLICT DO UPDATE for the rest (no round trip per answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Perspective, ResponseMode
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.tokens import ANSWERS_CLOSED_PHASES, closed_for_analysis, deadline_passed
from surveyapp.questionnaires.schema import Questionnaire, items_of
from surveyapp.questionnaires.services import load_version
from surveyapp.questionnaires.types import handler_for, knockouts, score_answers
from surveyapp.responses import journey
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Answer, Response, ResponseSubmission
from surveyapp.responses.modes import interview_completed
from surveyapp.responses.queries import stored_answers
from surveyapp.responses.storage import mark_superseded
from surveyapp.studies.models import Study

REOPENED_DETAIL = "reopened by the respondent to change the answers"


class SurveyError(Exception):
    """A respondent action that cannot be carried out; nothing was written."""


class SurveyClosed(SurveyError):
    """The study's deadline has passed, the invitation expired, the study is being analysed, or the contact
    was interviewed about the same account (rule 19)."""


class AlreadySubmitted(SurveyError):
    """The response is completed: reopen it before changing answers."""


class NotStarted(SurveyError):
    """There is no response to submit yet."""


class Incomplete(SurveyError):
    """A required question is not answered; `section` is the first page that needs it."""

    def __init__(self, section: str) -> None:
        super().__init__(section)
        self.section = section


def is_closed(invitation: Invitation, now: datetime) -> bool:
    """Past the end of the deadline day in the study's time zone, expired by the scheduler, or the study is
    in the analyse or act phase (rule 19)."""
    return (
        invitation.status == InvitationStatus.EXPIRED
        or deadline_passed(invitation.study, now)
        or closed_for_analysis(invitation.study)
    )


def refuse_if_closed(*, session: Session, invitation: Invitation, now: datetime) -> None:
    """SurveyClosed when the survey takes no answers now (`is_closed`, or the contact was interviewed).

    The study's row is then read again with a shared lock held until this transaction ends (PostgreSQL; SQLite
    lets one writer in at a time anyway): a move to analyse waits for answers being written, and answers
    arriving meanwhile wait for it and are then refused — none lands under an analysis already begun. Called
    before the first write of a save, submit or reopen, so that every writer takes the study's lock first.
    """
    if is_closed(invitation, now) or interview_completed(session=session, invitation=invitation):
        raise SurveyClosed()
    still_open = session.scalar(
        select(Study.id)
        .where(Study.id == invitation.study_id, Study.phase.not_in(sorted(ANSWERS_CLOSED_PHASES)))
        .with_for_update(read=True)
    )
    if still_open is None:
        raise SurveyClosed()


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


def _answer_rows(
    questionnaire: Questionnaire, keys: list[str], counted: Mapping[str, str], response_id: int, now: datetime
) -> list[dict[str, Any]]:
    scored = score_answers(questionnaire, counted)
    rows = []
    for key in keys:
        item = questionnaire.item(key)
        raw = counted[key]
        found = scored.get(key)
        rows.append(
            {
                "response_id": response_id,
                "item_key": key,
                "value": raw,
                "not_applicable": raw == "NA" and handler_for(item).na_is_special,
                "score": found.score if found is not None else None,
                "dimension": item.dimension,
                "weight": item.weight,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (response_id, item_key) DO UPDATE, touching a row only when the answer changed.

    Built once per dialect and run with the page's rows as one executemany: one statement, compiled once and
    cached, sent as one batch (sqlite3 in-process, psycopg in a pipeline): no round trip per answer.
    """
    if dialect not in _UPSERTS:
        table = Answer.__table__
        statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        new = statement.excluded
        changed = (
            table.c.value.is_distinct_from(new.value)
            | table.c.not_applicable.is_distinct_from(new.not_applicable)
            | table.c.score.is_distinct_from(new.score)
            | table.c.dimension.is_distinct_from(new.dimension)
            | table.c.weight.is_distinct_from(new.weight)
        )
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[table.c.response_id, table.c.item_key],
            set_={
                "value": new.value,
                "not_applicable": new.not_applicable,
                "score": new.score,
                "dimension": new.dimension,
                "weight": new.weight,
                "version": table.c.version + 1,
                "updated_at": new.updated_at,
            },
            where=changed,
        )
    return _UPSERTS[dialect]


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(_upsert_statement(session.get_bind().dialect.name), rows)


_RESPONSES = Response.__table__.c
# Moves the resume point, only while the response is in progress (and locks its row until the commit).
_RESUME_AT = (
    update(Response.__table__)
    .where(_RESPONSES.id == bindparam("response_id"), _RESPONSES.status == IN_PROGRESS)
    .values(current_section=bindparam("resume_at"), language=bindparam("lang"), updated_at=bindparam("now"))
)


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
    new answers hide — on this page or any other — are removed: hidden questions are never stored.
    Raises SurveyClosed after the deadline and AlreadySubmitted for a completed response.
    """
    refuse_if_closed(session=session, invitation=invitation, now=now)
    response = _response_for(session, invitation, response, language, now)
    guarded = session.execute(
        _RESUME_AT, {"response_id": response.id, "resume_at": resume_at, "lang": language, "now": now}
    )
    if not guarded.rowcount:  # type: ignore[attr-defined]
        raise AlreadySubmitted()
    section_items = {
        item.key for question in questionnaire.section(section_key).questions for item in items_of(question)
    }
    before = stored_answers(session=session, response_id=response.id)
    merged: dict[str, str | None] = {**before}
    for key, raw in page_answers.items():
        if key in section_items:
            merged[key] = raw
    counted = journey.counted_answers(questionnaire, merged)
    gone = sorted(key for key in before if key not in counted)
    if gone:
        session.execute(
            delete(Answer)
            .where(Answer.response_id == response.id, Answer.item_key.in_(gone))
            .execution_options(synchronize_session=False)
        )
    keys = [item.key for item in questionnaire.items if item.key in section_items and item.key in counted]
    if keys:
        _upsert(session, _answer_rows(questionnaire, keys, counted, response.id, now))
    session.expire(response)
    return response


def supersede_earlier(*, session: Session, response: Response) -> None:
    """Mark superseded the completed responses of this one's (study, contact, account, perspective) that do not
    count, this one included when an interview of the group counts over it (rules 2 and 19)."""
    mark_superseded(
        session=session,
        study=session.get_one(Study, response.study_id),
        group=(response.contact_id, response.account_id, Perspective(response.perspective)),
    )


def submit(*, session: Session, invitation: Invitation, questionnaire: Questionnaire, now: datetime) -> bool:
    """Complete the invitation's response; True when this call completed it, False when it already was.

    Raises NotStarted without a response, SurveyClosed after the deadline and Incomplete when a required
    question of a visible page has no answer. Each completion keeps a snapshot of the answers.
    """
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        raise NotStarted()
    if response.status == COMPLETED:
        return False
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
    # The row is ours (locked until commit): read the answers again, as they are now, for the snapshot.
    snapshot = stored_answers(session=session, response_id=response.id)
    number = session.scalar(
        select(func.coalesce(func.max(ResponseSubmission.number), 0)).where(
            ResponseSubmission.response_id == response.id
        )
    )
    session.add(
        ResponseSubmission(
            response_id=response.id,
            number=int(number or 0) + 1,
            submitted_at=now,
            language=response.language,
            answers=snapshot,
        )
    )
    session.expire(response)
    supersede_earlier(session=session, response=response)
    lifecycle.mark_completed(session=session, invitation=invitation, at=now)
    return True


def reopen(*, session: Session, invitation: Invitation, now: datetime) -> bool:
    """Put a submitted response back in progress for changes; True when this call reopened it.

    The submitted answers stay in the response's submission history; submitting again completes the same
    response with a new completion time. Raises SurveyClosed after the deadline, NotStarted without one.
    """
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        raise NotStarted()
    refuse_if_closed(session=session, invitation=invitation, now=now)
    reopened = session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == COMPLETED)
        .values(status=IN_PROGRESS, updated_at=now, current_section=journey.REVIEW)
        .execution_options(synchronize_session=False)
    )
    session.expire(response)
    if not reopened.rowcount:  # type: ignore[attr-defined]
        return False
    lifecycle.record(
        session=session,
        invitation=invitation,
        status=InvitationStatus.STARTED,
        at=now,
        detail=REOPENED_DETAIL,
    )
    return True


RESTORED_DETAIL = "answers closed for analysis: the answers last sent count"


def restore_reopened(*, session: Session, study: Study, now: datetime) -> int:
    """When a study's answers close for analysis (rule 19), every survey reopened for changes and not sent again
    counts as it was last sent: its answers are set back to that submission's, it is completed at that time,
    and its invitation is answered again. A change abandoned half-way changes nothing. Returns how many."""
    reopened = session.scalars(
        select(Response).where(
            Response.study_id == study.id, Response.status == IN_PROGRESS, Response.submissions.any()
        )
    ).all()
    for response in reopened:
        last = max(response.submissions, key=lambda submission: submission.number)
        questionnaire = load_version(session=session, version_id=response.questionnaire_version_id)
        counted = journey.counted_answers(questionnaire, dict(last.answers))
        session.execute(
            delete(Answer)
            .where(Answer.response_id == response.id, Answer.item_key.not_in(sorted(counted)))
            .execution_options(synchronize_session=False)
        )
        keys = [item.key for item in questionnaire.items if item.key in counted]
        if keys:
            _upsert(session, _answer_rows(questionnaire, keys, counted, response.id, now))
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
    return len(reopened)
