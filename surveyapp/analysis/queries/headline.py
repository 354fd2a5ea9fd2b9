"""What the method-v2 headlines read beside the aggregates: rule 17's respondents behind each overall, rule 20's
staff advice, and how many respondents agreed with a raised warning signal's statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from surveyapp.analysis.inputs import AdviceAnswer, ScoredRespondents, SignalAgreement
from surveyapp.analysis.queries.common import answers_to, core_connection, perspective_of
from surveyapp.analysis.queries.tally import answer_values
from surveyapp.enums import Perspective
from surveyapp.responses.models import Answer, ResponseDimensionSums
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Study

#: The middle of the 0-100 item scale: an answer above it agrees with a statement, below it disagrees.
SCALE_MIDDLE = 50.0

# Accounts per statement of `signal_agreement`: each statement evaluates rule 2's window function again, so few
# statements; the bound parameters stay well below every supported database's limit (SQLite >= 3.32: 32,766).
_CHUNK = 10_000


def scored_respondents(*, session: Session, study: Study) -> list[ScoredRespondents]:
    """Per account and perspective: the counted responses with at least one dimension score (rule 17)."""
    counted = counted_select(study.id).cte("counted")
    scored = exists().where(ResponseDimensionSums.response_id == counted.c.id)
    rows = (
        core_connection(session)
        .execute(
            select(counted.c.account_id, counted.c.perspective, func.count())
            .where(scored)
            .group_by(counted.c.account_id, counted.c.perspective)
        )
        .all()
    )
    return [
        ScoredRespondents(account_id, perspective_of(perspective), n) for account_id, perspective, n in rows
    ]


def advice_answers(
    *, session: Session, study: Study, advice: Mapping[int, frozenset[str]]
) -> list[AdviceAnswer]:
    """Staff raters' answers to their questionnaire's `advice` question (rule 20), one per counted supplier
    response that answered it."""
    return [
        AdviceAnswer(account_id, contact_id, str(value))
        for account_id, contact_id, value in answer_values(
            session=session, study=study, perspective=Perspective.SUPPLIER, items=advice
        )
    ]


def signal_agreement(
    *,
    session: Session,
    study: Study,
    signals: Mapping[int, frozenset[str]],
    reversed_items: Mapping[int, frozenset[str]],
    accounts: Collection[int],
) -> list[SignalAgreement]:
    """For the signal items of the given accounts (those whose signals may be raised: few), how many counted
    respondents agreed with each statement: an item score above the scale's middle, or below it for a
    reverse-keyed item (`reversed_items`, per questionnaire version), whose statement names the problem."""
    if not signals or not accounts:
        return []
    counted = counted_select(study.id).cte("counted")
    above = func.sum(case((Answer.score > SCALE_MIDDLE, 1), else_=0))
    below = func.sum(case((Answer.score < SCALE_MIDDLE, 1), else_=0))
    connection = core_connection(session)
    agreed: dict[tuple[int, Perspective, str], int] = defaultdict(int)
    ordered = sorted(accounts)
    for start in range(0, len(ordered), _CHUNK):
        rows = connection.execute(
            select(
                counted.c.account_id,
                counted.c.perspective,
                counted.c.questionnaire_version_id,
                Answer.item_key,
                above,
                below,
            )
            .join(Answer, Answer.response_id == counted.c.id)
            .where(
                counted.c.account_id.in_(ordered[start : start + _CHUNK]),
                Answer.score.is_not(None),
                answers_to(counted, signals),
            )
            .group_by(
                counted.c.account_id,
                counted.c.perspective,
                counted.c.questionnaire_version_id,
                Answer.item_key,
            )
        ).all()
        for account_id, perspective, version_id, item_key, high, low in rows:
            reverse = item_key in reversed_items.get(version_id, frozenset())
            agreed[(account_id, perspective_of(perspective), item_key)] += int(low if reverse else high)
    return [
        SignalAgreement(account_id, perspective, item_key, count)
        for (account_id, perspective, item_key), count in sorted(agreed.items())
    ]
