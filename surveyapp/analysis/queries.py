"""The analysis inputs of one study, aggregated by SQL in the database (DESIGN rule 16).

Every query reads the counted responses (rule 2: `responses.storage.counted_select`, a window function) and
aggregates their answers where they are stored. Only aggregates leave the database, never a row per answer:

- `answer_aggregates`: rule 4's n, Σx and Σx² per account, perspective and dimension (SQLite has no standard
  deviation), the listwise sums Cronbach's alpha needs per (perspective, dimension) (rule 13), and each signal
  item's n and mean (rule 9). They come from two summaries that database triggers keep equal to the answers:
  `response_dimension_sums`, one row per (response, dimension), for the respondents' dimension scores (rule 3;
  `responses.unit_sums`), and `account_item_sums`, one row per (account, perspective, item), for alpha's item
  sums and the signal items (`summed_item_rows`, `responses.item_sums`); only an account with a response that
  does not count has its item sums read from its counted answers;
- `account_aggregates`: rule 4's aggregates alone (for the previous wave's overall fits);
- `nps_answers` (rule 8, one row per client respondent), `response_tally` (the counts, and the accounts
  with a response that does not count), `account_figures`.

Which items are signals and which one is the NPS question comes from the questionnaire version a response is
*scored* on: the study's pinned version of that questionnaire (`scoring_questionnaires`), the same version
`analysis rescore` rebuilds the stored scores from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    String,
    and_,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from surveyapp.analysis.inputs import (
    SIGNAL_TAG,
    AccountDimensionAggregate,
    AccountFigures,
    AlphaAggregate,
    NpsAnswer,
    ResponseCounts,
    SignalAggregate,
)
from surveyapp.enums import InvitationStatus, Perspective, ResponseMode
from surveyapp.interviews.models import Interview, InterviewStatus
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import AccountItemSums, Answer, Response, ResponseDimensionSums
from surveyapp.responses.storage import SCORED_PERSPECTIVES, counted_select, ranked_responses
from surveyapp.studies.models import Account, Study, StudyAccount, StudyQuestionnaire

# Memory for the hash aggregates of `answer_aggregates` on PostgreSQL (its default, 4MB, makes them spill to
# disk from a few thousand respondents on).
WORK_MEM = "64MB"
MODE_FIELDS = {
    ResponseMode.SURVEY: "survey",
    ResponseMode.INTERVIEW: "interview",
    ResponseMode.IMPORT: "imported",
}


def scoring_questionnaires(*, session: Session, study: Study) -> dict[int, Questionnaire]:
    """For every questionnaire version the study's responses were answered on: the version they are scored on.

    That is the study's pinned version of the same questionnaire (slug); normally the very version answered,
    but after `analysis rescore --repin` the newly pinned one. A response whose questionnaire the study no
    longer uses keeps its own version.
    """
    pinned = {row.slug: row.version_id for row in study.questionnaires}
    answered = session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.slug)
        .where(
            QuestionnaireVersion.id.in_(
                select(Response.questionnaire_version_id).where(Response.study_id == study.id).distinct()
            )
        )
        .order_by(QuestionnaireVersion.id)
    ).all()
    loaded: dict[int, Questionnaire] = {}
    result = {}
    for version_id, slug in answered:
        scored_on = pinned.get(slug, version_id)
        if scored_on not in loaded:
            loaded[scored_on] = load_version(session=session, version_id=scored_on)
        result[version_id] = loaded[scored_on]
    return result


@dataclass(frozen=True, slots=True)
class ItemSets:
    """Per answered questionnaire version: the signal item keys and the key of the NPS item (if any)."""

    signals: Mapping[int, frozenset[str]]
    nps: Mapping[int, frozenset[str]]

    @classmethod
    def of(cls, questionnaires: Mapping[int, Questionnaire]) -> ItemSets:
        signals = {}
        nps = {}
        for version_id, questionnaire in questionnaires.items():
            keys = frozenset(item.key for item in questionnaire.items if SIGNAL_TAG in item.tags)
            if keys:
                signals[version_id] = keys
            if questionnaire.nps_item is not None:
                nps[version_id] = frozenset({questionnaire.nps_item.key})
        return cls(signals=signals, nps=nps)


def _perspective(value: object) -> Perspective:
    return value if isinstance(value, Perspective) else Perspective(str(value))


# A perspective by its text (or by itself: a StrEnum member hashes and compares as its value).
_PERSPECTIVES: dict[str, Perspective] = {perspective.value: perspective for perspective in Perspective}


def _answers_to(counted: CTE, keys: Mapping[int, frozenset[str]]) -> ColumnElement[bool]:
    """Answers to the given item keys of the given questionnaire versions (the item keys of all versions
    are repeated on their own, so the database can seek them in the (response, item) index)."""
    return and_(
        Answer.item_key.in_(sorted(frozenset().union(*keys.values()))),
        or_(
            *(
                and_(counted.c.questionnaire_version_id == version_id, Answer.item_key.in_(sorted(item_keys)))
                for version_id, item_keys in sorted(keys.items())
            )
        ),
    )


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
        AccountDimensionAggregate(account_id, _perspective(perspective), dimension, int(n), total, squares)
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


def _tallied(study_id: int) -> Select[Any]:
    """Per account, perspective and mode, the in-scope responses in a scored perspective that count (rule 2)
    and those that do not (in progress, or superseded by a later one), with their number."""
    ranked = ranked_responses(study_id, in_scope_only=True, every_status=True)
    counts = and_(ranked.c.completed, ranked.c.rank == 1)
    return select(ranked.c.account_id, ranked.c.perspective, ranked.c.mode, counts, func.count()).group_by(
        ranked.c.account_id, ranked.c.perspective, ranked.c.mode, counts
    )


def _uncounted_accounts(rows: Iterable[Any]) -> frozenset[int]:
    return frozenset(account_id for account_id, _perspective, _mode, counts, _n in rows if not counts)


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
        )
        .where(*conditions)
        .group_by(sums.item_key, sums.dimension, sums.perspective)
        .order_by(sums.perspective, sums.dimension, sums.item_key)
    )


def _summed_signals(
    study_id: int, dirty: Sequence[int], signals: Mapping[int, frozenset[str]], at_most: float | None
) -> Select[Any]:
    """Per (account, perspective, signal item): n and Σscore from `account_item_sums`, over the accounts in
    scope whose responses all count (rule 9); with `at_most`, only those whose mean may reach it."""
    sums = AccountItemSums
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
        )
        .join(Answer, Answer.response_id == counted.c.id)
        .where(Answer.score.is_not(None), Answer.dimension.is_not(None), counted.c.account_id.in_(dirty))
        .group_by(Answer.item_key, Answer.dimension, counted.c.perspective)
    )


def _counted_signals(
    counted: CTE, dirty: Sequence[int], signals: Mapping[int, frozenset[str]], at_most: float | None
) -> Select[Any]:
    """The same as `_summed_signals`, from the counted answers of the given accounts."""
    statement = (
        select(
            Answer.item_key,
            literal_column("''"),
            counted.c.perspective,
            counted.c.account_id,
            func.count(),
            func.sum(Answer.score),
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
) -> list[Any]:
    """n and Σscore as rows (item_key, dimension or '', perspective, account or None, n, Σscore) for
    `answer_aggregates`: per (item, dimension, perspective) over the accounts for alpha's item sums (items with
    a dimension; account None), and per (account, perspective, signal item) for rule 9 (dimension '').

    With `signals_at_most` (the signal threshold), only the signal aggregates whose mean may reach it: the
    others cannot raise a signal. From `account_item_sums` for the accounts whose responses all count, from the
    counted answers for the few in `uncounted` (accounts with a response in progress or superseded: rule 2;
    found here when None).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    if uncounted is None:
        uncounted = _uncounted_accounts(connection.execute(_tallied(study.id)).all())
    dirty = sorted(uncounted)
    statements = [_summed_items(study.id, dirty), _summed_signals(study.id, dirty, signals, signals_at_most)]
    if dirty:
        counted = counted_select(study.id).cte("counted")
        statements += [
            _counted_items(counted, dirty),
            _counted_signals(counted, dirty, signals, signals_at_most),
        ]
    return [row for statement in statements for row in connection.execute(statement).all()]


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
    accounts: list[list[Any]] = []
    width_sums: dict[tuple[str, str, int], list[Any]] = {}
    last_cell: tuple[int, str, str] | None = None
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
        cell = (account_id, perspective, dimension)
        if cell == last_cell:
            entry = accounts[-1]
            entry[3] += n
            entry[4] += means
            entry[5] += means_sq
        else:
            accounts.append([account_id, perspective, dimension, n, means, means_sq])
            last_cell = cell
        sums = width_sums.get((perspective, dimension, answered))
        if sums is None:
            width_sums[(perspective, dimension, answered)] = [n, total, total_sq, squares]
        else:
            sums[0] += n
            sums[1] += total
            sums[2] += total_sq
            sums[3] += squares
    result.accounts.extend(
        AccountDimensionAggregate(account_id, _PERSPECTIVES[perspective], dimension, n, total, squares)
        for account_id, perspective, dimension, n, total, squares in accounts
    )
    by_width: dict[tuple[Perspective, str], dict[int, tuple[int, float, float, float]]] = defaultdict(dict)
    for (perspective, dimension, answered), (n, total, total_sq, squares) in width_sums.items():
        by_width[(_PERSPECTIVES[perspective], dimension)][int(answered)] = (int(n), total, total_sq, squares)
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
    for item_key, dimension, perspective, account_id, n, total in rows:
        total = total or 0.0
        if dimension:
            items = cells[(_PERSPECTIVES[perspective], dimension)].items
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
        SignalAggregate(account_id, _PERSPECTIVES[perspective], key, int(n), total / n)
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
        items = cells[(_perspective(perspective), dimension)].items
        n, total = items[item_key]
        items[item_key] = (n - 1, total - score)


def nps_answers(*, session: Session, study: Study, nps: Mapping[int, frozenset[str]]) -> list[NpsAnswer]:
    """Client respondents' answers to their questionnaire's `nps` item (rule 8); 'not applicable' left out."""
    if not nps:
        return []
    counted = counted_select(study.id).cte("counted")
    rows = session.execute(
        select(counted.c.account_id, counted.c.contact_id, Answer.value)
        .join(Answer, Answer.response_id == counted.c.id)
        .where(
            counted.c.perspective == Perspective.CLIENT,
            Answer.not_applicable.is_(False),
            Answer.value.is_not(None),
            _answers_to(counted, nps),
        )
    ).all()
    return [NpsAnswer(account_id, contact_id, int(value)) for account_id, contact_id, value in rows]


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
    invited = session.execute(
        select(Invitation.account_id, StudyQuestionnaire.perspective, func.count())
        .join(StudyQuestionnaire, StudyQuestionnaire.id == Invitation.study_questionnaire_id)
        .where(
            Invitation.study_id == study.id,
            Invitation.account_id.in_(in_scope),
            Invitation.status != InvitationStatus.OPTED_OUT,
            StudyQuestionnaire.perspective.in_(SCORED_PERSPECTIVES),
        )
        .group_by(Invitation.account_id, StudyQuestionnaire.perspective)
    ).all()
    tallied = session.execute(_tallied(study.id)).all()
    cells: dict[tuple[int, Perspective], dict[str, int]] = defaultdict(dict)
    for account_id, perspective, n in invited:
        cells[(account_id, _perspective(perspective))]["invited"] = int(n)
    # Interviews (issue 10): planned, started and completed ones count as invited; cancelled ones do not.
    interviews = session.execute(
        select(Interview.account_id, Interview.perspective, func.count())
        .where(
            Interview.study_id == study.id,
            Interview.account_id.in_(in_scope),
            Interview.status != InterviewStatus.CANCELLED,
        )
        .group_by(Interview.account_id, Interview.perspective)
    ).all()
    for account_id, perspective, n in interviews:
        cell = cells[(account_id, _perspective(perspective))]
        cell["invited"] = cell.get("invited", 0) + int(n)
    for account_id, perspective, mode, counts, n in tallied:
        if counts:
            cells[(account_id, _perspective(perspective))][MODE_FIELDS[ResponseMode(mode)]] = int(n)
    return ResponseTally(
        counts=[
            ResponseCounts(account_id, perspective, **values)
            for (account_id, perspective), values in sorted(cells.items(), key=lambda entry: entry[0])
        ],
        uncounted=_uncounted_accounts(tallied),
    )


def response_counts(*, session: Session, study: Study) -> list[ResponseCounts]:
    """`response_tally`'s counts: per account and perspective, invitations and counted responses by mode."""
    return response_tally(session=session, study=study).counts


def account_figures(*, session: Session, study: Study) -> list[AccountFigures]:
    """The accounts in the study's scope with the period's revenue, effort and billable hours."""
    rows = session.execute(
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
    ).all()
    return [AccountFigures(*row) for row in rows]
