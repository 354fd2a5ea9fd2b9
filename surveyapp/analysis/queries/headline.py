"""What the method-v2 headlines read beside the aggregates: rule 17's respondents behind each overall, rule 20's
staff advice, and how many respondents agreed with a raised warning signal's statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from surveyapp.analysis.inputs import AdviceAnswer, ScoredRespondents, SignalAgreement
from surveyapp.analysis.queries.common import core_connection, perspective_of
from surveyapp.analysis.queries.tally import answer_values
from surveyapp.enums import Perspective
from surveyapp.responses.item_sums import SCALE_MIDDLE
from surveyapp.responses.models import ResponseDimensionSums
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Study

__all__ = ["SCALE_MIDDLE", "advice_answers", "scored_respondents", "signal_agreement"]


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


def signal_agreement(item_rows: Iterable[Sequence[Any]]) -> list[SignalAgreement]:
    """How many counted respondents agreed with each signal item's statement, per account and perspective,
    from the signal rows of `summed_item_rows` (read with `reversed_items`): an item score above the scale's
    middle, or below it for a reverse-keyed or behaviour item (the problem named or reported). Only the signals
    that may be raised have rows (those read with `signals_at_most`); a raised signal has its count."""
    agreed: dict[tuple[int, Perspective, str], int] = defaultdict(int)
    for item_key, _dimension, perspective, account_id, _n, _total, count in item_rows:
        if account_id is not None and count is not None:
            agreed[(account_id, perspective_of(perspective), item_key)] += int(count)
    return [
        SignalAgreement(account_id, perspective, item_key, count)
        for (account_id, perspective, item_key), count in sorted(agreed.items())
    ]
