"""What the dashboard reads from the database beyond the analysis JSON: scope, filters, the role breakdown
(SQL aggregation) and the responses behind an account.

The role breakdown counts the same responses as the analysis (rule 2, `responses.storage.counted_select`)
and scores a respondent the same way (rule 3): per counted response and dimension, the weighted mean of the
scored items, Σ(score × weight) / Σ(weight), from the same trigger-kept `response_dimension_sums` as the
engine's `analysis.queries.units._units`. Those respondent scores are then averaged per (role, perspective,
dimension) in the database; only the aggregates leave it. A respondent's role is their answer to the question
tagged `role` in the questionnaire they answered (rule 18: role groups, never free-text job titles); "" when
they did not give one.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from surveyapp.enums import Perspective, ResponseMode
from surveyapp.interviews.models import Interview
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import Answer, Response, ResponseDimensionSums
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Account, Contact, Study, StudyAccount

#: The perspectives the role breakdown shows (the prediction survey is no one's own view).
BREAKDOWN_PERSPECTIVES = (Perspective.CLIENT, Perspective.SUPPLIER)


@dataclass(frozen=True, slots=True)
class RoleCell:
    """The mean of respondent dimension scores of one role (None: all roles together), with n respondents."""

    role: str | None
    perspective: Perspective
    dimension: str
    mean: float
    n: int


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """One response about an account, as the researcher's list shows it."""

    response_id: int
    respondent: str
    perspective: Perspective
    mode: ResponseMode
    status: str
    superseded: bool
    submitted_at: datetime | None
    interview_id: int | None


@dataclass(frozen=True, slots=True)
class ScopeAccount:
    """An account in scope as the dashboard's tables name it."""

    id: int
    name: str
    segment: str


def scope_accounts(*, session: Session, study: Study) -> list[ScopeAccount]:
    """The study's accounts in scope, by name: id, name and segment only (a study may have tens of thousands,
    and the analysis holds everything else about them)."""
    return [
        ScopeAccount(int(account_id), str(name), str(segment or ""))
        for account_id, name, segment in session.execute(
            select(Account.id, Account.name, Account.segment)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
            .order_by(Account.name, Account.id)
        ).all()
    ]


def account_in_scope(*, session: Session, study: Study, account_id: int) -> Account | None:
    if session.get(StudyAccount, (study.id, account_id)) is None:
        return None
    return session.get(Account, account_id)


def segments(*, session: Session, study: Study) -> list[str]:
    """The distinct non-empty segments of the accounts in scope, sorted."""
    return list(
        session.scalars(
            select(Account.segment)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id, Account.segment != "")
            .distinct()
            .order_by(Account.segment)
        )
    )


@dataclass(frozen=True, slots=True)
class RoleGroups:
    """The role question of each questionnaire version the study's responses answered, and the groups' labels."""

    keys: dict[int, str]  # questionnaire version id -> item key of its role question
    labels: dict[
        str, str
    ]  # option key -> label in the language asked for (the first questionnaire's wording)


def role_groups(*, session: Session, study: Study, language: str) -> RoleGroups:
    """The role questions (tagged `role`) of the questionnaires the study's responses answered."""
    versions = session.scalars(
        select(Response.questionnaire_version_id).where(Response.study_id == study.id).distinct()
    ).all()
    keys: dict[int, str] = {}
    labels: dict[str, str] = {}
    for version_id in sorted(versions):
        question = load_version(session=session, version_id=version_id).role_question
        if question is None:
            continue
        keys[version_id] = question.key
        for option in question.options or ():
            labels.setdefault(option.key, option.label.get(language))
    return RoleGroups(keys=keys, labels=labels)


def _role_answer_join(counted: object, groups: RoleGroups) -> ColumnElement[bool]:
    """Joins a counted response to its answer to its own questionnaire's role question."""
    version = counted.c.questionnaire_version_id  # type: ignore[attr-defined]
    matches = [
        and_(version == version_id, Answer.item_key == key) for version_id, key in sorted(groups.keys.items())
    ]
    return and_(Answer.response_id == counted.c.id, or_(*matches) if matches else false())  # type: ignore[attr-defined]


def roles(*, session: Session, study: Study, groups: RoleGroups) -> list[str]:
    """The role groups of the respondents whose responses count ("" for those without an answer), sorted."""
    counted = counted_select(study.id).subquery("counted")
    return sorted(
        {
            value or ""
            for value in session.scalars(
                select(Answer.value)
                .select_from(counted)
                .outerjoin(Answer, _role_answer_join(counted, groups))
                .where(counted.c.perspective.in_(BREAKDOWN_PERSPECTIVES))
                .distinct()
            )
        }
    )


def _respondent_scores(
    study: Study, account_ids: Collection[int] | None, groups: RoleGroups
) -> Select[tuple[object, ...]]:
    """One row per counted response and dimension: its account, the respondent's role group and weighted mean
    (rule 3).

    Read from `response_dimension_sums`, which triggers keep equal to a GROUP BY of the answers, exactly as
    the analysis reads its units (`analysis.queries.units._units`): the same means, without grouping every
    answer of the study again (130,000 answers took most of a second; issue 22)."""
    counted = counted_select(study.id).subquery("counted")
    sums = ResponseDimensionSums
    in_accounts: ColumnElement[bool] = (
        true() if account_ids is None else counted.c.account_id.in_(sorted(account_ids))
    )
    return (
        select(
            counted.c.id.label("unit"),
            counted.c.account_id.label("account_id"),
            func.coalesce(Answer.value, "").label("role"),
            counted.c.perspective.label("perspective"),
            sums.dimension.label("dimension"),
            (sums.weighted / sums.weights).label("mean"),
        )
        .select_from(counted)
        .join(sums, sums.response_id == counted.c.id)
        .outerjoin(Answer, _role_answer_join(counted, groups))
        .where(counted.c.perspective.in_(BREAKDOWN_PERSPECTIVES), in_accounts)
    )


def role_breakdown(
    *, session: Session, study: Study, groups: RoleGroups, account_ids: Collection[int] | None = None
) -> list[RoleCell]:
    """Per (role, perspective, dimension) and per (perspective, dimension) over all roles: the mean of the
    respondent dimension scores and n respondents, over the accounts in `account_ids` (None: all in scope).

    A staff member who rates several accounts counts once per account, as in the analysis.
    """
    units = _respondent_scores(study, account_ids, groups).cte("units")
    # One pass over the units (a large study has tens of thousands): the cells over all roles are the role
    # groups' sums and counts added up.
    by_role = session.execute(
        select(units.c.role, units.c.perspective, units.c.dimension, func.sum(units.c.mean), func.count())
        .group_by(units.c.role, units.c.perspective, units.c.dimension)
        .order_by(units.c.role, units.c.perspective, units.c.dimension)
    ).all()
    sums: dict[tuple[Perspective, str], list[float]] = {}
    counts: dict[tuple[Perspective, str], int] = {}
    cells = []
    for role, perspective, dimension, total, n in by_role:
        key = (Perspective(str(perspective)), str(dimension))
        cells.append(RoleCell(role, key[0], key[1], float(total) / int(n), int(n)))
        sums.setdefault(key, []).append(float(total))
        counts[key] = counts.get(key, 0) + int(n)
    everyone = [
        RoleCell(None, perspective, dimension, math.fsum(sums[(perspective, dimension)]) / n, n)
        for (perspective, dimension), n in counts.items()
    ]
    everyone.sort(key=lambda cell: (cell.perspective.value, cell.dimension))
    return everyone + cells


def smallest_group_per_account(
    *, session: Session, study: Study, groups: RoleGroups, account_ids: Collection[int] | None = None
) -> dict[tuple[str, Perspective, str], int]:
    """Per (role, perspective, dimension): the fewest respondents that role group has in any one account of
    the scope (None: all) where it has any. Rule 18 shows a pooled group only when this reaches the threshold."""
    units = _respondent_scores(study, account_ids, groups).cte("units")
    per_account = (
        select(units.c.role, units.c.perspective, units.c.dimension, func.count().label("n"))
        .group_by(units.c.account_id, units.c.role, units.c.perspective, units.c.dimension)
        .subquery("per_account")
    )
    rows = session.execute(
        select(
            per_account.c.role, per_account.c.perspective, per_account.c.dimension, func.min(per_account.c.n)
        ).group_by(per_account.c.role, per_account.c.perspective, per_account.c.dimension)
    ).all()
    return {
        (str(role), Perspective(str(perspective)), str(dimension)): int(n)
        for role, perspective, dimension, n in rows
    }


def account_responses(*, session: Session, study: Study, account_id: int) -> list[ResponseRow]:
    """Every response of the study about the account (counted or not), newest first, with its interview."""
    rows = session.execute(
        select(Response, Contact, Interview.id)
        .join(Contact, Contact.id == Response.contact_id)
        .outerjoin(Interview, Interview.response_id == Response.id)
        .where(Response.study_id == study.id, Response.account_id == account_id)
        .order_by(Response.submitted_at.desc().nulls_last(), Response.id.desc())
    ).all()
    return [
        ResponseRow(
            response_id=response.id,
            respondent=contact.label,
            perspective=response.perspective,
            mode=response.mode,
            status=response.status,
            superseded=response.superseded,
            submitted_at=response.submitted_at,
            interview_id=interview_id,
        )
        for response, contact, interview_id in rows
    ]
