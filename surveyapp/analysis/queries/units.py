"""Rule 4's account aggregates and alpha's per-width sums from `response_dimension_sums`, merged with the item
sums into `AnswerAggregates`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CTE,
    String,
    and_,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    AlphaAggregate,
    SignalAggregate,
)
from surveyapp.analysis.queries.common import PERSPECTIVES, WORK_MEM, perspective_of
from surveyapp.analysis.queries.items import summed_item_rows
from surveyapp.enums import Perspective
from surveyapp.responses.models import Answer, ResponseDimensionSums
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Study


def _units(counted: CTE) -> CTE:
    """One row per counted response and dimension: its scored items, weighted mean (rule 3), Σx and Σx².

    Read from `response_dimension_sums`, which database triggers keep equal to a GROUP BY of the answers
    (`responses.unit_sums`), so the analysis does not group every answer again."""
    sums = ResponseDimensionSums
    return (
        select(
            counted.c.id.label("unit"),
            counted.c.account_id,
            counted.c.perspective,
            sums.dimension,
            sums.answered,
            (sums.weighted / sums.weights).label("mean"),
            sums.total,
            sums.squares,
        )
        .join(sums, sums.response_id == counted.c.id)
        .cte("units")
    )


def account_aggregates(*, session: Session, study: Study) -> list[AccountDimensionAggregate]:
    """n, Σx and Σx² of the respondents' dimension scores per (account, perspective, dimension) (rules 3, 4).

    A respondent's dimension score is Σ(score × weight) / Σ(weight) over their scored items with a dimension;
    not-applicable, unanswered and hidden items have no score and take no part (rule 1).
    """
    units = _units(counted_select(study.id).cte("counted"))
    rows = session.execute(
        select(
            units.c.account_id,
            units.c.perspective,
            units.c.dimension,
            func.count(),
            func.sum(units.c.mean),
            func.sum(units.c.mean * units.c.mean),
        ).group_by(units.c.account_id, units.c.perspective, units.c.dimension)
    ).all()
    return [
        AccountDimensionAggregate(account_id, perspective_of(perspective), dimension, int(n), total, squares)
        for account_id, perspective, dimension, n, total, squares in rows
    ]


@dataclass
class _AlphaCell:
    width: int = 0
    complete: tuple[int, float, float, float] = (0, 0.0, 0.0, 0.0)
    items: dict[str, tuple[int, float]] = field(default_factory=dict)

    def aggregate(self, perspective: Perspective, dimension: str) -> AlphaAggregate:
        # The responses with the most items are complete only when they hold every item that occurs at all.
        respondents, total, total_sq, squares = self.complete
        if len(self.items) != self.width or respondents == 0:
            return AlphaAggregate(perspective, dimension, len(self.items), 0, (), 0.0, 0.0, 0.0)
        if any(n != respondents for n, _ in self.items.values()):
            raise ValueError(f"alpha sums for {perspective.value} {dimension!r} do not add up")
        sums = tuple(self.items[key][1] for key in sorted(self.items))
        return AlphaAggregate(perspective, dimension, self.width, respondents, sums, total, total_sq, squares)


@dataclass(frozen=True, slots=True)
class AnswerAggregates:
    """Everything `answer_aggregates` reads: the account aggregates, alpha's sums and the signal aggregates."""

    accounts: list[AccountDimensionAggregate]
    alpha: list[AlphaAggregate]
    signals: list[SignalAggregate]


def answer_aggregates(
    *,
    session: Session,
    study: Study,
    signals: Mapping[int, frozenset[str]],
    uncounted: Collection[int] | None = None,
    item_rows: Callable[[], Sequence[Sequence[Any]]] | None = None,
    signals_at_most: float | None = None,
) -> AnswerAggregates:
    """Rule 4's account aggregates, rule 13's alpha sums and rule 9's signal aggregates.

    Nothing here groups every answer: two summaries kept by database triggers do the per-answer work when the
    answers are written. Statements, each returning aggregates:

    - per (account, perspective, dimension, number of items answered), over `response_dimension_sums` (one
      row per counted response and dimension; rule 3's respondent mean is `weighted / weights`): the units'
      n, Σ and Σ² of the means (rule 4, added up over the few widths a cell has) and ΣT, ΣT² and Σx² for alpha
      (added up over the accounts). Since a response holds an item at most once, the units with the most
      items (the cell's width) are the complete ones exactly when that most equals the number of items that
      occur;
    - `summed_item_rows` (unless the caller reads them: `item_rows` is called once the units are added up;
      they need the accounts with a response that does not count, found unless given as `uncounted`):
      alpha's item sums and the signal aggregates — with `signals_at_most`, only those whose mean may reach
      that threshold. When some units are incomplete (usually few), their answers are read by response and
      subtracted from alpha's item sums.

    On PostgreSQL the statements get `work_mem` for their hash aggregates (SET LOCAL: this transaction only).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    # Core execution: these rows are plain aggregates, and the ORM's row processing costs more than the query.
    connection = session.connection()
    counted = counted_select(study.id).cte("counted")
    units = _units(counted)
    result = AnswerAggregates(accounts=[], alpha=[], signals=[])
    # One pass over the units serves rules 4 and 13: grouped by the number of items answered as well, it gives
    # the accounts' n, Σ and Σ² (added up over the few widths a cell has; mostly one) and alpha's per-width
    # totals (added up over the accounts). Fetched whole (`all()`: iterating pulls one row per call through the
    # driver), perspectives as plain text, sums added in place: this loop meets every account.
    unit_rows = connection.execute(
        select(
            units.c.account_id,
            type_coerce(units.c.perspective, String),
            units.c.dimension,
            units.c.answered,
            func.count(),
            func.sum(units.c.mean),
            func.sum(units.c.mean * units.c.mean),
            func.sum(units.c.total),
            func.sum(units.c.total * units.c.total),
            func.sum(units.c.squares),
        )
        .group_by(units.c.account_id, units.c.perspective, units.c.dimension, units.c.answered)
        # In account order (SQLite's grouping gives it for free): the rules downstream sort and index by
        # account, and the widths of one cell come one after the other.
        .order_by(units.c.account_id, units.c.perspective, units.c.dimension)
    ).all()
    add_account = result.accounts.append
    width_sums: dict[tuple[str, str, int], list[Any]] = {}
    # The cell being added up (account, perspective, dimension) and its n, Σ and Σ² so far.
    cell: tuple[int, str, str] | None = None
    cell_n, cell_sum, cell_sum_sq = 0, 0.0, 0.0
    for (
        account_id,
        perspective,
        dimension,
        answered,
        n,
        means,
        means_sq,
        total,
        total_sq,
        squares,
    ) in unit_rows:
        if cell is not None and account_id == cell[0] and perspective == cell[1] and dimension == cell[2]:
            cell_n += n
            cell_sum += means
            cell_sum_sq += means_sq
        else:
            if cell is not None:
                add_account(
                    AccountDimensionAggregate(
                        cell[0], PERSPECTIVES[cell[1]], cell[2], cell_n, cell_sum, cell_sum_sq
                    )
                )
            cell = (account_id, perspective, dimension)
            cell_n, cell_sum, cell_sum_sq = n, means, means_sq
        sums = width_sums.get((perspective, dimension, answered))
        if sums is None:
            width_sums[(perspective, dimension, answered)] = [n, total, total_sq, squares]
        else:
            sums[0] += n
            sums[1] += total
            sums[2] += total_sq
            sums[3] += squares
    if cell is not None:
        add_account(
            AccountDimensionAggregate(cell[0], PERSPECTIVES[cell[1]], cell[2], cell_n, cell_sum, cell_sum_sq)
        )
    by_width: dict[tuple[Perspective, str], dict[int, tuple[int, float, float, float]]] = defaultdict(dict)
    for (perspective, dimension, answered), (n, total, total_sq, squares) in width_sums.items():
        by_width[(PERSPECTIVES[perspective], dimension)][int(answered)] = (int(n), total, total_sq, squares)
    cells: dict[tuple[Perspective, str], _AlphaCell] = defaultdict(_AlphaCell)
    for key, widths in by_width.items():
        cells[key].width = max(widths)
        cells[key].complete = widths[max(widths)]
    # Alpha's item sums and the signal items: from `account_item_sums` for the accounts whose responses all
    # count, from the answers for the few that have one that does not (in progress, superseded).
    rows = (
        summed_item_rows(
            session=session,
            study=study,
            signals=signals,
            uncounted=uncounted,
            signals_at_most=signals_at_most,
        )
        if item_rows is None
        else item_rows()
    )
    signal_sums: dict[tuple[int, str, str], list[Any]] = {}
    for item_key, dimension, perspective, account_id, n, total, _agreed in rows:
        total = total or 0.0
        if dimension:
            items = cells[(PERSPECTIVES[perspective], dimension)].items
            before = items.get(item_key)
            items[item_key] = (n, total) if before is None else (before[0] + n, before[1] + total)
        if account_id is not None:
            key = (account_id, perspective, item_key)
            sums = signal_sums.get(key)
            if sums is None:
                signal_sums[key] = [n, total]
            else:
                sums[0] += n
                sums[1] += total
    short = {key: cells[key].width for key, widths in by_width.items() if len(widths) > 1}
    if short:
        _leave_out(session=session, counted=counted, short=short, cells=cells)
    result.alpha.extend(
        cell.aggregate(perspective, dimension)
        for (perspective, dimension), cell in sorted(
            cells.items(), key=lambda entry: (entry[0][0].value, entry[0][1])
        )
    )
    result.signals.extend(
        SignalAggregate(account_id, PERSPECTIVES[perspective], key, int(n), total / n)
        for (account_id, perspective, key), (n, total) in signal_sums.items()
    )
    return result


def _leave_out(
    *,
    session: Session,
    counted: CTE,
    short: Mapping[tuple[Perspective, str], int],
    cells: Mapping[tuple[Perspective, str], _AlphaCell],
) -> None:
    """Subtract the answers of incomplete units (fewer items than their cell's width) from alpha's item sums."""
    sums = ResponseDimensionSums
    incomplete = or_(
        *(
            and_(counted.c.perspective == perspective, sums.dimension == dimension, sums.answered < width)
            for (perspective, dimension), width in sorted(short.items())
        )
    )
    rows = session.execute(
        select(counted.c.perspective, Answer.dimension, Answer.item_key, Answer.score)
        .select_from(counted)
        .join(sums, sums.response_id == counted.c.id)
        .join(Answer, and_(Answer.response_id == sums.response_id, Answer.dimension == sums.dimension))
        .where(incomplete, Answer.score.is_not(None))
        .order_by(Answer.response_id, Answer.item_key)
    ).all()
    for perspective, dimension, item_key, score in rows:
        items = cells[(perspective_of(perspective), dimension)].items
        n, total = items[item_key]
        items[item_key] = (n - 1, total - score)
