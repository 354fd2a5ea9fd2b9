"""Read side of the respondent pages and of the study page's response figures (SQL aggregation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from surveyapp.enums import InvitationStatus, Purpose
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import (
    COMPLETED,
    IN_PROGRESS,
    Answer,
    Response,
    ResponseDraft,
    ResponseSubmission,
)
from surveyapp.studies.models import Account, Contact, Study, StudyAccount, StudyQuestionnaire


@dataclass(frozen=True, slots=True)
class Survey:
    """What a respondent page needs: the invitation, its response (None before the first save), the pinned
    questionnaire, the raw answers the respondent sees (those of the draft of changes when there is one) and
    that draft."""

    invitation: Invitation
    response: Response | None
    questionnaire: Questionnaire
    answers: dict[str, str]
    draft: ResponseDraft | None = None

    @property
    def study(self) -> Study:
        return self.invitation.study

    @property
    def placeholders(self) -> dict[str, str]:
        return placeholders_for(self.study, self.invitation.account)


def placeholders_for(study: Study, account: Account | None) -> dict[str, str]:
    return {"supplier": study.supplier.name, "account": account.name if account is not None else ""}


# The statements of every respondent request are built once (Core where possible): building and keying a
# statement costs about as much as running it on SQLite.
_ANSWERS = Answer.__table__.c
_STORED_ANSWERS = select(_ANSWERS.item_key, _ANSWERS.value).where(
    _ANSWERS.response_id == bindparam("response_id")
)


def stored_answers(*, session: Session, response_id: int) -> dict[str, str]:
    """The raw answers of a response, by item key."""
    rows = session.execute(_STORED_ANSWERS, {"response_id": response_id})
    return {key: value for key, value in rows if value is not None}


# Stored versions never change: their frozen questionnaires are kept per (id, content hash), so a request
# reads the small hash instead of the whole definition (the hash also guards against ids reused by a reset).
_QUESTIONNAIRES: dict[tuple[int, str], Questionnaire] = {}
_CACHE_SIZE = 64


def pinned_questionnaire(*, session: Session, version_id: int, version: str) -> Questionnaire:
    """The questionnaire of a stored version whose content hash is known."""
    key = (version_id, version)
    found = _QUESTIONNAIRES.get(key)
    if found is None:
        found = load_version(session=session, version_id=version_id)
        if len(_QUESTIONNAIRES) >= _CACHE_SIZE:
            _QUESTIONNAIRES.clear()
        _QUESTIONNAIRES[key] = found
    return found


_SURVEY: list[Any] = []


def _survey_statement() -> Any:
    if not _SURVEY:
        pinned = func.coalesce(Response.questionnaire_version_id, StudyQuestionnaire.version_id)
        _SURVEY.append(
            select(Invitation, Response, ResponseDraft, QuestionnaireVersion.id, QuestionnaireVersion.version)
            .join(Invitation.study)
            .join(Study.supplier)
            .join(Invitation.contact)
            .join(Invitation.study_questionnaire)
            .outerjoin(Invitation.account)
            .outerjoin(Response, Response.invitation_id == Invitation.id)
            .outerjoin(ResponseDraft, ResponseDraft.response_id == Response.id)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == pinned)
            .options(
                contains_eager(Invitation.study).contains_eager(Study.supplier),
                contains_eager(Invitation.contact),
                contains_eager(Invitation.study_questionnaire),
                contains_eager(Invitation.account),
            )
            .where(Invitation.id == bindparam("invitation_id"))
        )
    return _SURVEY[0]


def load_survey(*, session: Session, invitation_id: int) -> Survey | None:
    """The survey behind an invitation, or None when it does not exist or its contact was erased.

    One query loads the invitation with its study, supplier, contact, account, questionnaire, response and draft (the
    identity map then serves `invitation.study` and the like without more queries); a second the answers.
    """
    row = session.execute(_survey_statement(), {"invitation_id": invitation_id}).one_or_none()
    if row is None:
        return None
    invitation, response, draft, version_id, version = row
    if invitation.contact.erased_at is not None:
        return None
    questionnaire = pinned_questionnaire(session=session, version_id=version_id, version=version)
    if draft is not None:
        answers = {key: value for key, value in draft.answers.items() if value is not None}
    elif response is not None:
        answers = stored_answers(session=session, response_id=response.id)
    else:
        answers = {}
    return Survey(invitation, response, questionnaire, answers, draft)


@dataclass(frozen=True, slots=True)
class OtherSurvey:
    """Another questionnaire this browser may answer (a staff member rates several accounts)."""

    invitation_id: int
    account: str | None
    completed: bool


def other_surveys(*, session: Session, invitation_ids: Sequence[int], current: int) -> list[OtherSurvey]:
    """The other granted invitations of the same contact and study, with whether each was submitted."""
    ids = [i for i in invitation_ids if i != current]
    if not ids:
        return []
    this = session.get(Invitation, current)
    if this is None:
        return []
    rows = session.execute(
        select(Invitation.id, Account.name, Response.status)
        .outerjoin(Account, Account.id == Invitation.account_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(
            Invitation.id.in_(ids),
            Invitation.contact_id == this.contact_id,
            Invitation.study_id == this.study_id,
            Invitation.status.not_in((InvitationStatus.OPTED_OUT, InvitationStatus.EXPIRED)),
        )
        .order_by(func.lower(Account.name), Invitation.id)
    ).all()
    return [OtherSurvey(row[0], row[1], row[2] == COMPLETED) for row in rows]


def study_accounts(*, session: Session, study: Study) -> list[Account]:
    """The accounts in a study's scope, by name (the preview fills `{account}` with one of them)."""
    return list(
        session.scalars(
            select(Account)
            .join(
                StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id)
            )
            .order_by(func.lower(Account.name))
        )
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """Respondents' progress on one questionnaire of a study."""

    questionnaire: StudyQuestionnaire
    invited: int
    opened: int
    in_progress: int
    completed: int


def progress(*, session: Session, study: Study) -> list[Progress]:
    """Per survey and brief questionnaire: invitations, links opened, responses in progress and completed."""
    counts = (
        select(
            Invitation.study_questionnaire_id.label("sq_id"),
            func.count(Invitation.id).label("invited"),
            func.count(Invitation.opened_at).label("opened"),
            # An invitation answered otherwise (rule 19: its contact was interviewed) counts as completed.
            func.sum(
                case(
                    (
                        and_(Response.status == IN_PROGRESS, Invitation.status != InvitationStatus.COMPLETED),
                        1,
                    ),
                    else_=0,
                )
            ).label("in_progress"),
            func.sum(
                case(
                    (or_(Response.status == COMPLETED, Invitation.status == InvitationStatus.COMPLETED), 1),
                    else_=0,
                )
            ).label("completed"),
        )
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.study_id == study.id)
        .group_by(Invitation.study_questionnaire_id)
        .subquery()
    )
    rows = session.execute(
        select(
            StudyQuestionnaire,
            func.coalesce(counts.c.invited, 0),
            func.coalesce(counts.c.opened, 0),
            func.coalesce(counts.c.in_progress, 0),
            func.coalesce(counts.c.completed, 0),
        )
        .outerjoin(counts, counts.c.sq_id == StudyQuestionnaire.id)
        .where(
            StudyQuestionnaire.study_id == study.id,
            StudyQuestionnaire.purpose.in_((Purpose.SURVEY, Purpose.BRIEF)),
        )
        .order_by(StudyQuestionnaire.id)
    ).all()
    return [Progress(row[0], *(int(n) for n in row[1:])) for row in rows]


@dataclass(frozen=True, slots=True)
class Brief:
    """The study's brief: the last submitted answers to its brief questionnaire, and the response's status.

    `answers` is empty and `submitted_at` None until the brief was first submitted; a brief reopened for
    changes keeps showing what was last submitted.
    """

    contact: Contact
    questionnaire: Questionnaire
    answers: dict[str, str]
    status: str
    submitted_at: datetime | None


def brief(*, session: Session, study: Study) -> Brief | None:
    """The brief response (the lead's first, then the latest submitted), or None when nobody started it."""
    row = next((q for q in study.questionnaires if q.purpose == Purpose.BRIEF), None)
    if row is None:
        return None
    response = session.scalar(
        select(Response)
        .options(joinedload(Response.contact))
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.study_questionnaire_id == row.id)
        .order_by(
            case((Response.contact_id == study.lead_contact_id, 0), else_=1),
            Response.submitted_at.desc().nulls_last(),
            Response.id.desc(),
        )
        .limit(1)
    )
    if response is None:
        return None
    last = session.scalar(
        select(ResponseSubmission)
        .where(ResponseSubmission.response_id == response.id)
        .order_by(ResponseSubmission.number.desc())
        .limit(1)
    )
    questionnaire = load_version(session=session, version_id=response.questionnaire_version_id)
    answers = {
        str(key): str(value) for key, value in (last.answers if last else {}).items() if value is not None
    }
    return Brief(
        response.contact, questionnaire, answers, response.status, last.submitted_at if last else None
    )
