"""Alpha's item sums (rule 13) and the signal items (rule 9) from `account_item_sums`, or from the
counted answers for an account with a response that does not count."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from surveyapp.analysis.queries.common import WORK_MEM
from surveyapp.analysis.queries.tally import tally_statement, uncounted_accounts
from surveyapp.responses.item_sums import SCALE_MIDDLE
from surveyapp.responses.models import AccountItemSums, Answer
from surveyapp.responses.storage import SCORED_PERSPECTIVES, counted_select
from surveyapp.studies.models import Study, StudyAccount


def _is_signal(version: Any, item_key: Any, signals: Mapping[int, frozenset[str]]) -> ColumnElement[bool]:
    """Whether (questionnaire version, item) is a signal item of that version."""
    if not signals:
        return false()
    return or_(
        *(
            and_(version == version_id, item_key.in_(sorted(item_keys)))
            for version_id, item_keys in sorted(signals.items())
        )
    )


# Signal aggregates are read only when their mean may reach the signal threshold: up to this far above it, a
# margin far wider than rule 7's tolerance and the rounding of a SQL sum, so rule 9 itself (in Python) still
# decides on every aggregate that could raise a signal.
SIGNAL_MARGIN = 1e-6


def _summed_items(study_id: int, dirty: Sequence[int]) -> Select[Any]:
    """Per (item, dimension, perspective): n and Σscore from `account_item_sums`, over the accounts in scope
    whose responses all count; items with a dimension only (alpha's input)."""
    sums = AccountItemSums
    conditions = [
        sums.study_id == study_id,
        sums.account_id.in_(select(StudyAccount.account_id).where(StudyAccount.study_id == study_id)),
        sums.perspective.in_(SCORED_PERSPECTIVES),
        sums.dimension != "",
    ]
    if dirty:
        conditions.append(sums.account_id.not_in(dirty))
    return (
        select(
            sums.item_key,
            sums.dimension,
            sums.perspective,
            null(),
            func.sum(sums.answered),
            func.sum(sums.total),
            null(),
        )
        .where(*conditions)
        .group_by(sums.item_key, sums.dimension, sums.perspective)
        .order_by(sums.perspective, sums.dimension, sums.item_key)
    )


def _summed_signals(
    study_id: int,
    dirty: Sequence[int],
    signals: Mapping[int, frozenset[str]],
    at_most: float | None,
    reversed_items: Mapping[int, frozenset[str]] | None,
) -> Select[Any]:
    """Per (account, perspective, signal item): n, Σscore and how many agreed from `account_item_sums`, over
    the accounts in scope whose responses all count (rule 9); with `at_most`, only those whose mean may reach
    it."""
    sums = AccountItemSums
    agreed = (
        null()
        if reversed_items is None
        else func.sum(
            case(
                (_is_signal(sums.questionnaire_version_id, sums.item_key, reversed_items), sums.below),
                else_=sums.above,
            )
        )
    )
    conditions = [
        sums.study_id == study_id,
        sums.account_id.in_(select(StudyAccount.account_id).where(StudyAccount.study_id == study_id)),
        sums.perspective.in_(SCORED_PERSPECTIVES),
        _is_signal(sums.questionnaire_version_id, sums.item_key, signals),
    ]
    if dirty:
        conditions.append(sums.account_id.not_in(dirty))
    statement = (
        select(
            sums.item_key,
            literal_column("''"),
            sums.perspective,
            sums.account_id,
            func.sum(sums.answered),
            func.sum(sums.total),
            agreed,
        )
        .where(*conditions)
        .group_by(sums.account_id, sums.perspective, sums.item_key)
        .order_by(sums.account_id, sums.perspective, sums.item_key)
    )
    if at_most is not None:
        statement = statement.having(
            func.sum(sums.total) <= (at_most + SIGNAL_MARGIN) * func.sum(sums.answered)
        )
    return statement


def _counted_items(counted: CTE, dirty: Sequence[int]) -> Select[Any]:
    """The same as `_summed_items`, from the counted answers of the given accounts."""
    return (
        select(
            Answer.item_key,
            Answer.dimension,
            counted.c.perspective,
            null(),
            func.count(),
            func.sum(Answer.score),
            null(),
        )
        .join(Answer, Answer.response_id == counted.c.id)
        .where(Answer.score.is_not(None), Answer.dimension.is_not(None), counted.c.account_id.in_(dirty))
        .group_by(Answer.item_key, Answer.dimension, counted.c.perspective)
    )


def _counted_signals(
    counted: CTE,
    dirty: Sequence[int],
    signals: Mapping[int, frozenset[str]],
    at_most: float | None,
    reversed_items: Mapping[int, frozenset[str]] | None,
) -> Select[Any]:
    """The same as `_summed_signals`, from the counted answers of the given accounts."""
    agreed = (
        null()
        if reversed_items is None
        else func.sum(
            case(
                (
                    _is_signal(counted.c.questionnaire_version_id, Answer.item_key, reversed_items),
                    case((Answer.score < SCALE_MIDDLE, 1), else_=0),
                ),
                else_=case((Answer.score > SCALE_MIDDLE, 1), else_=0),
            )
        )
    )
    statement = (
        select(
            Answer.item_key,
            literal_column("''"),
            counted.c.perspective,
            counted.c.account_id,
            func.count(),
            func.sum(Answer.score),
            agreed,
        )
        .join(Answer, Answer.response_id == counted.c.id)
        .where(
            Answer.score.is_not(None),
            counted.c.account_id.in_(dirty),
            _is_signal(counted.c.questionnaire_version_id, Answer.item_key, signals),
        )
        .group_by(counted.c.account_id, counted.c.perspective, Answer.item_key)
    )
    if at_most is not None:
        statement = statement.having(func.sum(Answer.score) <= (at_most + SIGNAL_MARGIN) * func.count())
    return statement


def summed_item_rows(
    *,
    session: Session,
    study: Study,
    signals: Mapping[int, frozenset[str]],
    uncounted: Collection[int] | None = None,
    signals_at_most: float | None = None,
    reversed_items: Mapping[int, frozenset[str]] | None = None,
) -> list[Any]:
    """n and Σscore as rows (item_key, dimension or '', perspective, account or None, n, Σscore, agreed) for
    `answer_aggregates`: per (item, dimension, perspective) over the accounts for alpha's item sums (items with
    a dimension; account None; agreed None), and per (account, perspective, signal item) for rule 9 (dimension
    ''), with how many respondents agreed with the item's statement when `reversed_items` is given (per
    questionnaire version, the signal items agreed with below the middle: reverse-keyed statements, which name
    the problem, and behaviour items, `ItemSets.of`): an item score above the scale's middle, or below it for
    those.

    With `signals_at_most` (the signal threshold), only the signal aggregates whose mean may reach it: the
    others cannot raise a signal. From `account_item_sums` for the accounts whose responses all count, from the
    counted answers for the few in `uncounted` (accounts with a response in progress or superseded: rule 2;
    found here when None).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    if uncounted is None:
        uncounted = uncounted_accounts(connection.execute(tally_statement(study.id)).all())
    dirty = sorted(uncounted)
    statements = [
        _summed_items(study.id, dirty),
        _summed_signals(study.id, dirty, signals, signals_at_most, reversed_items),
    ]
    if dirty:
        counted = counted_select(study.id).cte("counted")
        statements += [
            _counted_items(counted, dirty),
            _counted_signals(counted, dirty, signals, signals_at_most, reversed_items),
        ]
    return [row for statement in statements for row in connection.execute(statement).all()]
