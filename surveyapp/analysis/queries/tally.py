"""Which responses count, per account and perspective (rule 2), and the other per-account inputs: the
NPS answers (rule 8) and the accounts' figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    String,
    and_,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from surveyapp.analysis.inputs import (
    AccountFigures,
    NpsAnswer,
    ResponseCounts,
)
from surveyapp.analysis.queries.common import (
    MODE_FIELDS,
    PERSPECTIVES,
    answers_to,
    core_connection,
    perspective_of,
)
from surveyapp.enums import InvitationStatus, Perspective, ResponseMode
from surveyapp.interviews.models import Interview, InterviewStatus
from surveyapp.invitations.models import Invitation
from surveyapp.responses.models import Answer
from surveyapp.responses.storage import SCORED_PERSPECTIVES, counted_select, ranked_responses
from surveyapp.studies.models import Account, Study, StudyAccount, StudyQuestionnaire


def tally_statement(study_id: int) -> Select[Any]:
    """Per account, perspective and mode, the in-scope responses in a scored perspective that count (rule 2)
    and those that do not (in progress, or superseded by a later one), with their number."""
    ranked = ranked_responses(study_id, in_scope_only=True, every_status=True)
    counts = and_(ranked.c.completed, ranked.c.rank == 1)
    return select(ranked.c.account_id, ranked.c.perspective, ranked.c.mode, counts, func.count()).group_by(
        ranked.c.account_id, ranked.c.perspective, ranked.c.mode, counts
    )


def uncounted_accounts(rows: Iterable[Any]) -> frozenset[int]:
    return frozenset(account_id for account_id, _perspective, _mode, counts, _n in rows if not counts)


def answer_values(
    *, session: Session, study: Study, perspective: Perspective, items: Mapping[int, frozenset[str]]
) -> list[tuple[int, int, str]]:
    """(account, contact, value) of the counted respondents of `perspective` who answered one of `items` (per
    questionnaire version); 'not applicable' and empty answers left out."""
    if not items:
        return []
    counted = counted_select(study.id).cte("counted")
    rows = session.execute(
        select(counted.c.account_id, counted.c.contact_id, Answer.value)
        .join(Answer, Answer.response_id == counted.c.id)
        .where(
            counted.c.perspective == perspective,
            Answer.not_applicable.is_(False),
            Answer.value.is_not(None),
            answers_to(counted, items),
        )
    ).all()
    return [(account_id, contact_id, value) for account_id, contact_id, value in rows]


def nps_answers(*, session: Session, study: Study, nps: Mapping[int, frozenset[str]]) -> list[NpsAnswer]:
    """Client respondents' answers to their questionnaire's `nps` item (rule 8); 'not applicable' left out."""
    return [
        NpsAnswer(account_id, contact_id, int(value))
        for account_id, contact_id, value in answer_values(
            session=session, study=study, perspective=Perspective.CLIENT, items=nps
        )
    ]


# A cell of `response_tally`: ResponseCounts' fields after the perspective, in order; where each mode goes.
_CELL_FIELDS = ("invited", "survey", "interview", "imported")
_MODE_INDEX = {mode: _CELL_FIELDS.index(field) for mode, field in MODE_FIELDS.items()}


def _perspective(value: object) -> Perspective:
    """A perspective as SQL returns it (text, or the enum), by dictionary lookup first."""
    found = PERSPECTIVES.get(value)  # type: ignore[call-overload]
    return found if found is not None else perspective_of(value)


@dataclass(frozen=True, slots=True)
class ResponseTally:
    """`counts`: per account and perspective, the invitations and the counted responses by mode;
    `uncounted`: the accounts in scope with a response in a scored perspective that does not count (in
    progress, or superseded: rule 2), whose answers `answer_aggregates` reads one by one."""

    counts: list[ResponseCounts]
    uncounted: frozenset[int]


def response_tally(*, session: Session, study: Study) -> ResponseTally:
    """Per account and perspective: invitations (not opted out) and counted responses by mode; and the
    accounts with a response that does not count.

    Interviews (issue 10) count as invited too, unless cancelled. An import needs no invitation, so
    `completed` may exceed `invited`.
    """
    in_scope = select(StudyAccount.account_id).where(StudyAccount.study_id == study.id)
    # Core execution, perspectives as text, in order: a row per account and perspective invited (every
    # account of a study in fieldwork: 40,000 rows for 20,000 accounts), so the ORM's and the enum's row
    # processing show, and so does sorting them again.
    connection = core_connection(session)
    invited = connection.execute(
        select(Invitation.account_id, type_coerce(StudyQuestionnaire.perspective, String), func.count())
        .join(StudyQuestionnaire, StudyQuestionnaire.id == Invitation.study_questionnaire_id)
        .where(
            Invitation.study_id == study.id,
            Invitation.account_id.in_(in_scope),
            Invitation.status != InvitationStatus.OPTED_OUT,
            StudyQuestionnaire.perspective.in_(SCORED_PERSPECTIVES),
        )
        .group_by(Invitation.account_id, StudyQuestionnaire.perspective)
        .order_by(Invitation.account_id, StudyQuestionnaire.perspective)
    ).all()
    tallied = connection.execute(tally_statement(study.id)).all()
    # The cells (account, perspective) with interviews or counted responses (few), their counts in the order
    # of _CELL_FIELDS, the invitations left out: added below.
    cells: dict[tuple[int, Perspective], list[int]] = {}
    # Interviews (issue 10): planned, started and completed ones count as invited; cancelled ones do not. A
    # contact who also has a survey invitation for the account and perspective is counted once, there (rule
    # 19: a completed interview closes that invitation as answered, creating it where there was none).
    survey_invitation = (
        select(Invitation.id)
        .join(StudyQuestionnaire, StudyQuestionnaire.id == Invitation.study_questionnaire_id)
        .where(
            Invitation.study_id == Interview.study_id,
            Invitation.contact_id == Interview.contact_id,
            Invitation.account_id == Interview.account_id,
            Invitation.status != InvitationStatus.OPTED_OUT,
            StudyQuestionnaire.perspective == Interview.perspective,
        )
        .exists()
    )
    interviews = connection.execute(
        select(Interview.account_id, Interview.perspective, func.count())
        .where(
            Interview.study_id == study.id,
            Interview.account_id.in_(in_scope),
            Interview.status != InterviewStatus.CANCELLED,
            ~survey_invitation,
        )
        .group_by(Interview.account_id, Interview.perspective)
    ).all()
    for account_id, perspective, n in interviews:
        cell = cells.setdefault((account_id, _perspective(perspective)), [0, 0, 0, 0])
        cell[0] += int(n)
    for account_id, perspective, mode, counts, n in tallied:
        if counts:
            cell = cells.setdefault((account_id, _perspective(perspective)), [0, 0, 0, 0])
            cell[_MODE_INDEX[ResponseMode(mode)]] = int(n)
    result = []
    add = result.append
    ordered = True
    previous: tuple[int, Perspective] | None = None
    for account_id, perspective, n in invited:
        key = (account_id, _perspective(perspective))
        if previous is not None and key < previous:
            ordered = False
        previous = key
        cell = cells.pop(key, None)
        if cell is None:
            add(ResponseCounts(account_id, key[1], int(n)))
        else:
            add(ResponseCounts(account_id, key[1], cell[0] + int(n), cell[1], cell[2], cell[3]))
    if cells or not ordered:
        # The cells without invitations (imports), then one order by (account, perspective).
        result.extend(
            ResponseCounts(account_id, perspective, *counts)
            for (account_id, perspective), counts in cells.items()
        )
        result.sort(key=lambda counts: (counts.account_id, counts.perspective))
    return ResponseTally(counts=result, uncounted=uncounted_accounts(tallied))


def response_counts(*, session: Session, study: Study) -> list[ResponseCounts]:
    """`response_tally`'s counts: per account and perspective, invitations and counted responses by mode."""
    return response_tally(session=session, study=study).counts


def account_figures(*, session: Session, study: Study) -> list[AccountFigures]:
    """The accounts in the study's scope with the period's revenue, effort and billable hours."""
    # Core execution: one row per account in scope (20,000 in a large study).
    rows = (
        core_connection(session)
        .execute(
            select(
                Account.id,
                Account.name,
                Account.external_id,
                StudyAccount.annual_revenue,
                StudyAccount.effort_hours,
                StudyAccount.billable_hours,
            )
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
            .order_by(Account.id)
        )
        .all()
    )
    return [AccountFigures(*row) for row in rows]
