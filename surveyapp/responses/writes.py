"""The writes every respondent action shares: whether a survey takes answers, the batched answer upsert, the
submission snapshot and rule 2's superseding. Services flush; the view commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Perspective
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.tokens import ANSWERS_CLOSED_PHASES, closed_for_analysis, deadline_passed
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.types import handler_for, score_answers
from surveyapp.responses.models import Answer, Response, ResponseSubmission
from surveyapp.responses.modes import interview_completed
from surveyapp.responses.queries import stored_answers
from surveyapp.responses.storage import mark_superseded
from surveyapp.studies.models import Study


class SurveyError(Exception):
    """A respondent action that cannot be carried out; nothing was written."""


class SurveyClosed(SurveyError):
    """The study's deadline has passed, the invitation expired, the study is being analysed, or the contact
    was interviewed about the same account (rule 19)."""


class AlreadySubmitted(SurveyError):
    """The response is completed and has no draft: reopen it before changing answers."""


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


def answer_rows(
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


def write_answers(
    session: Session,
    questionnaire: Questionnaire,
    response_id: int,
    before: Mapping[str, str],
    counted: Mapping[str, str],
    now: datetime,
    only: set[str] | None = None,
) -> None:
    """Make a response's stored answers `counted`: one DELETE for those gone, one batched upsert for the rest
    (of `only` when given: the items that can have changed)."""
    gone = sorted(key for key in before if key not in counted)
    if gone:
        session.execute(
            delete(Answer)
            .where(Answer.response_id == response_id, Answer.item_key.in_(gone))
            .execution_options(synchronize_session=False)
        )
    keys = [
        item.key for item in questionnaire.items if item.key in counted and (only is None or item.key in only)
    ]
    if keys:
        _upsert(session, answer_rows(questionnaire, keys, counted, response_id, now))


def supersede_earlier(*, session: Session, response: Response) -> None:
    """Mark superseded the completed responses of this one's (study, contact, account, perspective) that do not
    count, this one included when an interview of the group counts over it (rules 2 and 19)."""
    mark_superseded(
        session=session,
        study=session.get_one(Study, response.study_id),
        group=(response.contact_id, response.account_id, Perspective(response.perspective)),
    )


def add_submission(session: Session, response_id: int, language: str | None, now: datetime) -> None:
    """Keep a snapshot of the response's answers as they are now, numbered after the earlier ones (the response
    row is locked by the caller's compare-and-set, so the number is the next one)."""
    snapshot = stored_answers(session=session, response_id=response_id)
    number = session.scalar(
        select(func.coalesce(func.max(ResponseSubmission.number), 0)).where(
            ResponseSubmission.response_id == response_id
        )
    )
    session.add(
        ResponseSubmission(
            response_id=response_id,
            number=int(number or 0) + 1,
            submitted_at=now,
            language=language,
            answers=snapshot,
        )
    )
