"""Interviews from plan to completion: planning, cancelling, starting with consent, quotes, completing.

Services take keyword arguments, never the request or the session cookie; they flush, the caller commits.
Saving answers and notes (with optimistic locking) is in `answers.py`; the emails in `emails.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.permissions import can_see_supplier, is_staff
from surveyapp.enums import Perspective, Phase, Purpose, ResponseMode, Side
from surveyapp.i18n import _l
from surveyapp.interviews.answers import MAX_REASON
from surveyapp.interviews.errors import InterviewError, MissingRequired
from surveyapp.interviews.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    OPEN_STATUSES,
    Interview,
    InterviewChannel,
    InterviewNote,
    InterviewQuote,
    InterviewStatus,
    QuoteConsent,
)
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.types import knockouts
from surveyapp.responses import journey
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Response
from surveyapp.responses.modes import close_interviewed
from surveyapp.responses.queries import stored_answers
from surveyapp.responses.storage import mark_superseded
from surveyapp.responses.writes import add_submission
from surveyapp.studies.models import Assignment, Contact, Study, StudyAccount

PLANNING_PHASES = (Phase.PREPARE, Phase.INTERVIEW)
MAX_LOCATION = 500
LANGUAGES = ("nl", "en")


def perspective_of(contact: Contact) -> Perspective:
    """A client contact gives the client's view, a staff member the supplier's."""
    return Perspective.CLIENT if contact.side == Side.CLIENT else Perspective.SUPPLIER


def _one_line(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def _check_contact(session: Session, study: Study, contact: Contact, account_id: int) -> None:
    if contact.supplier_id != study.supplier_id or contact.erased_at is not None:
        raise InterviewError(_l("That contact is not part of this study."))
    if contact.opted_out_at is not None:
        raise InterviewError(
            _l(
                "%(name)s has opted out of contact from %(supplier)s: no interview can be planned with them.",
                name=contact.label,
                supplier=study.supplier.name,
            )
        )
    in_scope = session.get(StudyAccount, (study.id, account_id)) is not None
    if contact.side == Side.CLIENT:
        if contact.account_id != account_id or not in_scope:
            raise InterviewError(_l("That contact's account is not in this study's scope."))
    elif session.get(Assignment, (study.id, contact.id, account_id)) is None:
        raise InterviewError(
            _l("%(name)s is not assigned to rate that account in this study.", name=contact.label)
        )


def _check_researcher(study: Study, researcher: Any) -> None:
    if researcher is None or not is_staff(researcher) or not researcher.is_active:
        raise InterviewError(_l("Choose a researcher to conduct the interview."))
    if not can_see_supplier(researcher, study.supplier_id):
        raise InterviewError(
            _l(
                "%(name)s does not work for %(supplier)s.",
                name=researcher.display_name,
                supplier=study.supplier.name,
            )
        )


def plan_interview(
    *,
    session: Session,
    study: Study,
    contact: Contact,
    account_id: int,
    researcher: Any,
    scheduled_at: datetime,
    planned_minutes: int,
    channel: InterviewChannel,
    location: str,
    language: str,
    actor: Any,
) -> Interview:
    """Plan an interview with a client contact of an account in scope, or with a staff member about an account
    they are assigned to rate. Never with an opted-out or erased contact; one open interview per contact and
    account at a time (several contacts of one account may each have one)."""
    if study.phase not in PLANNING_PHASES:
        raise InterviewError(
            _l(
                "Interviews are held in the prepare and interview phases; "
                "this study is in the %(phase)s phase.",
                phase=study.phase.value,
            )
        )
    _check_contact(session, study, contact, account_id)
    perspective = perspective_of(contact)
    if study.questionnaire_for(perspective, Purpose.INTERVIEW) is None:
        raise InterviewError(
            _l("This study has no interview guide for client contacts.")
            if perspective == Perspective.CLIENT
            else _l("This study has no interview guide for supplier staff.")
        )
    _check_researcher(study, researcher)
    if not MIN_MINUTES <= planned_minutes <= MAX_MINUTES:
        raise InterviewError(
            _l("An interview lasts from %(low)d to %(high)d minutes.", low=MIN_MINUTES, high=MAX_MINUTES)
        )
    if language not in LANGUAGES:
        raise InterviewError(_l("Choose Dutch or English as the interview's language."))
    existing = session.scalar(
        select(Interview).where(
            Interview.study_id == study.id,
            Interview.contact_id == contact.id,
            Interview.account_id == account_id,
            Interview.status.in_(OPEN_STATUSES),
        )
    )
    if existing is not None:
        raise InterviewError(
            _l(
                "%(name)s already has an open interview about this account: finish or cancel it first.",
                name=contact.label,
            )
        )
    interview = Interview(
        study_id=study.id,
        contact_id=contact.id,
        account_id=account_id,
        perspective=perspective,
        researcher_id=researcher.id,
        language=language,
        scheduled_at=scheduled_at,
        planned_minutes=planned_minutes,
        channel=channel,
        location=_one_line(location, MAX_LOCATION),
        status=InterviewStatus.PLANNED,
        ics_uid=f"interview-{uuid.uuid4().hex}@surveyapp",
        created_by_id=getattr(actor, "id", None),
    )
    session.add(interview)
    session.flush()
    record(
        session=session,
        action="interview.planned",
        actor=actor,
        obj=interview,
        supplier_id=study.supplier_id,
        details={
            "contact": contact.id,
            "account": account_id,
            "researcher": researcher.id,
            "channel": channel.value,
        },
    )
    return interview


def cancel_interview(
    *, session: Session, interview: Interview, reason: str, actor: Any, now: datetime
) -> None:
    """Cancel a planned interview (or one that started but will not be finished); a reason is required."""
    if not interview.is_open:
        raise InterviewError(_l("Only a planned or unfinished interview can be cancelled."))
    cleaned = " ".join(reason.split())[:MAX_REASON]
    if not cleaned:
        raise InterviewError(_l("Give a reason for cancelling."))
    interview.status = InterviewStatus.CANCELLED
    interview.cancel_reason = cleaned
    interview.cancelled_at = now
    interview.ics_sequence += 1
    session.flush()
    record(
        session=session,
        action="interview.cancelled",
        actor=actor,
        obj=interview,
        supplier_id=interview.study.supplier_id,
        reason=cleaned,
    )


def _paper_times(
    took_place_at: datetime | None, minutes: int | None, now: datetime
) -> tuple[datetime, datetime | None]:
    if took_place_at is None:
        raise InterviewError(_l("Enter the date and time the paper interview took place."))
    if took_place_at > now:
        raise InterviewError(
            _l("A paper interview is entered after it took place: the time cannot be in the future.")
        )
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise InterviewError(_l("The duration is from 1 to %(high)d minutes.", high=MAX_MINUTES))
    return took_place_at, (took_place_at + timedelta(minutes=minutes) if minutes else None)


def start_interview(
    *,
    session: Session,
    interview: Interview,
    participate: bool,
    quote: QuoteConsent | None,
    recording: bool,
    actor: Any,
    now: datetime,
    took_place_at: datetime | None = None,
    duration_minutes: int | None = None,
) -> bool:
    """Record the consent and start: the interview's Response (mode interview) is created, pinned to the
    study's interview questionnaire for the contact's perspective. True when this call started it, False when
    it had started already. A paper interview records when it took place instead of the current time."""
    if interview.status == InterviewStatus.CANCELLED:
        raise InterviewError(_l("This interview was cancelled."))
    if interview.status != InterviewStatus.PLANNED:
        return False
    if not participate:
        raise InterviewError(
            _l("The contact must agree to take part before the interview starts; if they do not, cancel it.")
        )
    if interview.contact.opted_out_at is not None or interview.contact.erased_at is not None:
        raise InterviewError(
            _l("%(name)s has opted out: the interview cannot be held.", name=interview.contact.label)
        )
    started, ended = (now, None)
    if interview.is_paper:
        started, ended = _paper_times(took_place_at, duration_minutes, now)
    row = interview.study.questionnaire_for(interview.perspective, Purpose.INTERVIEW)
    if row is None:
        raise InterviewError(_l("This study no longer has an interview guide for this contact."))
    response = Response(
        study_id=interview.study_id,
        contact_id=interview.contact_id,
        account_id=interview.account_id,
        perspective=row.perspective,
        mode=ResponseMode.INTERVIEW,
        questionnaire_version_id=row.version_id,
        status=IN_PROGRESS,
        language=interview.language,
        started_at=started,
        updated_at=now,
    )
    session.add(response)
    session.flush()
    won = session.execute(
        update(Interview)
        .where(Interview.id == interview.id, Interview.status == InterviewStatus.PLANNED)
        .values(
            status=InterviewStatus.IN_PROGRESS,
            response_id=response.id,
            started_at=started,
            ended_at=ended,
            consent_participate=True,
            consent_quote=quote,
            consent_record=recording,
            consent_recorded_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        session.delete(response)
        session.flush()
        session.expire(interview)
        return False
    session.expire(interview)
    record(
        session=session,
        action="interview.started",
        actor=actor,
        obj=interview,
        supplier_id=interview.study.supplier_id,
        details={"quote": quote.value if quote else None, "record": recording, "paper": interview.is_paper},
    )
    return True


def set_resume_point(*, session: Session, interview: Interview, section_key: str, now: datetime) -> None:
    """Remember the topic the interview is at, so reopening it continues there."""
    if interview.response_id is None:
        return
    session.execute(
        update(Response)
        .where(Response.id == interview.response_id)
        .values(current_section=section_key[:100])
        .execution_options(synchronize_session=False)
    )


def complete_interview(
    *, session: Session, interview: Interview, questionnaire: Questionnaire, actor: Any, now: datetime
) -> bool:
    """Complete the interview and its Response, scored like a survey; True when this call completed it.

    Raises MissingRequired (with the questions per topic) while a required question has no answer. The
    interview counts over the contact's surveys about the account (rule 19: `mark_superseded` marks the others)
    and ends their survey invitation (`close_interviewed`).
    """
    if interview.status == InterviewStatus.COMPLETED:
        return False
    if interview.status != InterviewStatus.IN_PROGRESS or interview.response_id is None:
        raise InterviewError(_l("Only an interview in progress can be completed."))
    answers = stored_answers(session=session, response_id=interview.response_id)
    missing = journey.missing_required(questionnaire, answers)
    if missing:
        raise MissingRequired(missing)
    assert interview.started_at is not None
    ended = interview.ended_at or (interview.started_at if interview.is_paper else now)
    won = session.execute(
        update(Response)
        .where(Response.id == interview.response_id, Response.status == IN_PROGRESS)
        .values(
            status=COMPLETED,
            submitted_at=ended,
            updated_at=now,
            knocked_out=bool(knockouts(questionnaire, answers)),
        )
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        return False
    add_submission(session, interview.response_id, interview.language, ended)
    interview.status = InterviewStatus.COMPLETED
    interview.ended_at = ended
    session.flush()
    response = session.get_one(Response, interview.response_id)
    group = (response.contact_id, response.account_id, Perspective(response.perspective))
    mark_superseded(session=session, study=interview.study, group=group)
    close_interviewed(session=session, study=interview.study, at=now, group=group)
    if interview.response is not None:
        session.expire(interview.response)
    record(
        session=session,
        action="interview.completed",
        actor=actor,
        obj=interview,
        supplier_id=interview.study.supplier_id,
        details={"response": interview.response_id},
    )
    return True


def erase_contact_texts(*, session: Session, contact_id: int) -> int:
    """Erasure: blank the notes, quotes and locations of a contact's interviews; answers and scores stay.
    Returns the number of interviews touched."""
    ids = list(session.scalars(select(Interview.id).where(Interview.contact_id == contact_id)))
    if not ids:
        return 0
    session.execute(
        update(InterviewNote)
        .where(InterviewNote.interview_id.in_(ids))
        .values(text="", version=InterviewNote.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(InterviewQuote).where(InterviewQuote.interview_id.in_(ids)))
    session.execute(
        update(Interview)
        .where(Interview.id.in_(ids))
        .values(location="", cancel_reason=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(ids)
