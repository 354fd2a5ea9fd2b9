"""Read side of the interview pages: what a user may see, lists, who can be interviewed, and an account's
responses with their scores (aggregated in SQL)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from surveyapp.auth.models import User, user_suppliers
from surveyapp.auth.permissions import is_staff, scope_to_suppliers
from surveyapp.enums import Purpose, Role, Side
from surveyapp.interviews.models import OPEN_STATUSES, Interview, InterviewQuote, InterviewStatus
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import Answer, Response
from surveyapp.responses.storage import ranked_responses
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount

RECENT = 10


def _with_parts(statement: Any) -> Any:
    return statement.options(
        joinedload(Interview.study).joinedload(Study.supplier),
        joinedload(Interview.contact),
        joinedload(Interview.account),
        joinedload(Interview.researcher),
    )


def get_visible_interview(*, session: Session, user: Any, interview_id: int) -> Interview | None:
    """The interview when it exists and the user is staff who may see its supplier; None otherwise (404)."""
    if not is_staff(user):
        return None
    statement = (
        _with_parts(select(Interview))
        .join(Study, Study.id == Interview.study_id)
        .where(Interview.id == interview_id)
    )
    return session.scalar(scope_to_suppliers(statement, user, Study.supplier_id))


def questionnaire_of(*, session: Session, interview: Interview) -> Questionnaire | None:
    """The guide the interview is held with: its response's pinned version once started, else the study's."""
    if interview.response is not None:
        return load_version(session=session, version_id=interview.response.questionnaire_version_id)
    row = interview.study.questionnaire_for(interview.perspective, Purpose.INTERVIEW)
    return load_version(session=session, version_id=row.version_id) if row is not None else None


@dataclass(frozen=True, slots=True)
class MyInterviews:
    upcoming: list[Interview]
    recent: list[Interview]


def my_interviews(*, session: Session, user: Any) -> MyInterviews:
    """The user's planned and unfinished interviews (soonest first) and their last completed ones."""
    base = scope_to_suppliers(
        _with_parts(select(Interview))
        .join(Study, Study.id == Interview.study_id)
        .where(Interview.researcher_id == user.id),
        user,
        Study.supplier_id,
    )
    upcoming = session.scalars(
        base.where(Interview.status.in_(OPEN_STATUSES)).order_by(Interview.scheduled_at, Interview.id)
    ).unique()
    recent = session.scalars(
        base.where(Interview.status == InterviewStatus.COMPLETED)
        .order_by(Interview.ended_at.desc(), Interview.id.desc())
        .limit(RECENT)
    ).unique()
    return MyInterviews(list(upcoming), list(recent))


def study_interviews(*, session: Session, study: Study) -> list[Interview]:
    return list(
        session.scalars(
            _with_parts(select(Interview))
            .options(joinedload(Interview.confirmation_message))
            .where(Interview.study_id == study.id)
            .order_by(Interview.scheduled_at, Interview.id)
        ).unique()
    )


def interview_counts(*, session: Session, study: Study) -> dict[str, int]:
    rows = session.execute(
        select(Interview.status, func.count())
        .where(Interview.study_id == study.id)
        .group_by(Interview.status)
    )
    counts = {status.value: 0 for status in InterviewStatus}
    counts.update({InterviewStatus(status).value: int(n) for status, n in rows})
    return counts


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone who may be interviewed about an account: a client contact, or a staff member assigned to it."""

    contact: Contact
    account: Account

    @property
    def value(self) -> str:
        return f"{self.contact.id}:{self.account.id}"

    @property
    def opted_out(self) -> bool:
        return self.contact.opted_out_at is not None


def candidates(*, session: Session, study: Study) -> list[Candidate]:
    """Client contacts of accounts in scope, then staff with their assigned accounts; erased ones left out."""
    clients = session.execute(
        select(Contact, Account)
        .join(Account, Account.id == Contact.account_id)
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .where(
            Contact.side == Side.CLIENT, Contact.supplier_id == study.supplier_id, Contact.erased_at.is_(None)
        )
        .order_by(func.lower(Account.name), func.lower(Contact.name), Contact.email)
    ).all()
    staff = session.execute(
        select(Contact, Account)
        .join(Assignment, Assignment.contact_id == Contact.id)
        .join(Account, Account.id == Assignment.account_id)
        .where(Assignment.study_id == study.id, Contact.erased_at.is_(None))
        .order_by(func.lower(Contact.name), Contact.email, func.lower(Account.name))
    ).all()
    return [Candidate(contact, account) for contact, account in [*clients, *staff]]


def interviewers(*, session: Session, study: Study) -> list[User]:
    """Active admins and researchers who may see the study's supplier."""
    granted = select(user_suppliers.c.user_id).where(user_suppliers.c.supplier_id == study.supplier_id)
    return list(
        session.scalars(
            select(User)
            .where(
                User.is_active_user.is_(True),
                or_(
                    User.role == Role.ADMIN,
                    and_(
                        User.role == Role.RESEARCHER, or_(User.all_suppliers.is_(True), User.id.in_(granted))
                    ),
                ),
            )
            .order_by(func.lower(User.name), User.email)
        )
    )


def quotes_of(*, session: Session, interview_id: int) -> dict[str, list[InterviewQuote]]:
    found: dict[str, list[InterviewQuote]] = defaultdict(list)
    for quote in session.scalars(
        select(InterviewQuote).where(InterviewQuote.interview_id == interview_id).order_by(InterviewQuote.id)
    ):
        found[quote.question_key].append(quote)
    return dict(found)


@dataclass(frozen=True, slots=True)
class AccountResponse:
    """One response about the account, whatever its mode, with the respondent's dimension scores."""

    response: Response
    interview_id: int | None
    counts: bool
    scores: dict[str, float]


def account_responses(*, session: Session, study: Study, account_id: int) -> list[AccountResponse]:
    """Every response about an account (surveys, interviews, imports), the counted one of each respondent
    marked; dimension scores are weighted means computed in SQL (rule 3)."""
    ranked = ranked_responses(study.id)
    responses = list(
        session.scalars(
            select(Response)
            .options(joinedload(Response.contact))
            .where(Response.study_id == study.id, Response.account_id == account_id)
            .order_by(Response.perspective, Response.submitted_at.desc().nulls_last(), Response.id.desc())
        )
    )
    counted = set(session.scalars(select(ranked.c.id).where(ranked.c.rank == 1)))
    ids = [response.id for response in responses]
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    if ids:
        rows = session.execute(
            select(
                Answer.response_id,
                Answer.dimension,
                (func.sum(Answer.score * Answer.weight) / func.sum(Answer.weight)).label("score"),
            )
            .where(Answer.response_id.in_(ids), Answer.score.is_not(None), Answer.dimension.is_not(None))
            .group_by(Answer.response_id, Answer.dimension)
        )
        for response_id, dimension, score in rows:
            scores[response_id][dimension] = float(score)
    interviews: dict[int | None, int] = {}
    if ids:
        found = session.execute(
            select(Interview.response_id, Interview.id).where(Interview.response_id.in_(ids))
        )
        interviews = {response_id: interview_id for response_id, interview_id in found}
    return [
        AccountResponse(
            response, interviews.get(response.id), response.id in counted, scores.get(response.id, {})
        )
        for response in responses
    ]
