"""The whole analysis of one study: every rule applied to the rows the SQL layer hands over."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveyapp.analysis._slots import stored_in_slots
from surveyapp.analysis.accounts import AccountDimensionScore, AccountScoreIndex
from surveyapp.analysis.advice import StaffAdvice, no_advice, staff_advice
from surveyapp.analysis.cost import AccountCost, CostOfMismatch, account_cost, cost_basis, cost_of_mismatch
from surveyapp.analysis.drift import Drift, drift_by_account
from surveyapp.analysis.fit import (
    AccountFit,
    RespondentCount,
    assess_account,
    empty_dimension_rows,
    unscored_fit,
)
from surveyapp.analysis.inputs import (
    SCORED_PERSPECTIVES,
    AccountFigures,
    AdviceAnswer,
    AlphaAggregate,
    FitModel,
    ItemMatrix,
    NpsAnswer,
    ResponseCounts,
    ScoredRespondents,
    SignalAggregate,
    SignalAgreement,
)
from surveyapp.analysis.nps import NpsResult, net_promoter_score, nps_by_account, portfolio_nps
from surveyapp.analysis.portfolio import PortfolioDimension, portfolio_dimensions, quadrant_counts
from surveyapp.analysis.signals import Signal, warning_signals
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, Quadrant, SignalGroup


@dataclass(frozen=True, slots=True)
class PerspectiveResponses:
    """Invitations and counted responses of one account and perspective."""

    invited: int
    completed: int


@dataclass(frozen=True, slots=True)
class AccountResponses:
    """Response counts of one account. The mode counts cover the client and supplier responses shown."""

    client: PerspectiveResponses
    supplier: PerspectiveResponses
    predicted: PerspectiveResponses
    survey: int
    interview: int
    imported: int


@stored_in_slots
@dataclass(frozen=True, slots=True)
class AccountResult:
    """Everything the analysis says about one account in scope."""

    account: AccountFigures
    fit: AccountFit
    nps: NpsResult
    signals: tuple[Signal, ...]
    responses: AccountResponses
    drift: Drift | None
    cost: AccountCost | None = None
    staff_advice: StaffAdvice | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The study across all accounts in scope."""

    quadrants: Mapping[Quadrant, int]
    nps: NpsResult
    cost: CostOfMismatch
    dimensions: tuple[PortfolioDimension, ...]


@dataclass(frozen=True, slots=True)
class StudyAnalysis:
    """The unrounded analysis of a study; `build_analysis_document` turns it into the JSON contract."""

    study: str
    scoring_version: str
    provisional: bool
    thresholds: Thresholds
    fit_model: FitModel
    accounts: tuple[AccountResult, ...]
    portfolio: Portfolio

    def account_fits(self) -> tuple[AccountFit, ...]:
        """The accounts' fits: what the next wave needs for its drift (rule 12)."""
        return tuple(result.fit for result in self.accounts)


def account_sort_key(account: AccountFigures) -> tuple[str, str, int]:
    """Accounts sort by name, case-insensitively (then exact name and id, so the order is total)."""
    return account.name.casefold(), account.name, account.account_id


# What an account and perspective without invitations or counted responses has (shared: they are frozen).
_NO_RESPONSES = {perspective: ResponseCounts(0, perspective) for perspective in SCORED_PERSPECTIVES}
_NO_CLIENT = _NO_RESPONSES[Perspective.CLIENT]
_NO_SUPPLIER = _NO_RESPONSES[Perspective.SUPPLIER]
_NO_PREDICTED = _NO_RESPONSES[Perspective.SUPPLIER_PREDICTS_CLIENT]


class _Responses:
    """Each account's `AccountResponses` from the response counts. The counts of a study take few distinct
    values (most accounts: the same invitations, nothing completed), and an `AccountResponses` holds nothing
    of its account and is frozen, so equal counts share one instance."""

    __slots__ = ("_counts", "_made")

    def __init__(self, counts: Mapping[tuple[int, Perspective], ResponseCounts]) -> None:
        self._counts = counts
        self._made: dict[tuple[int, ...], AccountResponses] = {}

    def of(self, account_id: int) -> AccountResponses:
        get = self._counts.get
        client = get((account_id, Perspective.CLIENT)) or _NO_CLIENT
        supplier = get((account_id, Perspective.SUPPLIER)) or _NO_SUPPLIER
        predicted = get((account_id, Perspective.SUPPLIER_PREDICTS_CLIENT)) or _NO_PREDICTED
        key = (
            client.invited,
            client.survey,
            client.interview,
            client.imported,
            supplier.invited,
            supplier.survey,
            supplier.interview,
            supplier.imported,
            predicted.invited,
            predicted.completed,
        )
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = AccountResponses(
                client=PerspectiveResponses(client.invited, client.completed),
                supplier=PerspectiveResponses(supplier.invited, supplier.completed),
                predicted=PerspectiveResponses(predicted.invited, predicted.completed),
                survey=client.survey + supplier.survey,
                interview=client.interview + supplier.interview,
                imported=client.imported + supplier.imported,
            )
        return made


def _check_in_scope(kind: str, account_ids: Iterable[int], scope: set[int]) -> None:
    stray = sorted(set(account_ids) - scope)
    if stray:
        raise ValueError(f"{kind} for accounts {stray}, which are not in the study's scope")


def _respondent_count(rows: Iterable[ScoredRespondents] | None, scope: set[int]) -> RespondentCount | None:
    """Rule 17's n per account and perspective from the database's counts (None: the fallback)."""
    if rows is None:
        return None
    counts: dict[tuple[int, Perspective], int] = {}
    for row in rows:
        key = (row.account_id, row.perspective)
        if key in counts:
            raise ValueError(
                f"scored respondents for account {row.account_id} ({row.perspective.value}) twice"
            )
        counts[key] = row.n
    _check_in_scope("scored respondents", (account_id for account_id, _ in counts), scope)

    def count(account_id: int, perspective: Perspective, cells: Mapping[str, AccountDimensionScore]) -> int:
        found = counts.get((account_id, perspective))
        if found is None or found < max(cell.n for cell in cells.values()):
            raise ValueError(
                f"scored respondents of account {account_id} ({perspective.value}) do not cover its scores"
            )
        return found

    return count


def analyse_study(
    *,
    study: str,
    scoring_version: str,
    provisional: bool,
    fit_model: FitModel,
    thresholds: Thresholds,
    accounts: Iterable[AccountFigures],
    account_scores: Iterable[AccountDimensionScore],
    nps_answers: Iterable[NpsAnswer] = (),
    signal_aggregates: Iterable[SignalAggregate] = (),
    response_counts: Iterable[ResponseCounts] = (),
    item_matrices: Iterable[ItemMatrix] = (),
    previous: Iterable[AccountFit] | None = None,
    alpha_aggregates: Iterable[AlphaAggregate] = (),
    scored_respondents: Iterable[ScoredRespondents] | None = None,
    signal_groups: Mapping[str, SignalGroup] | None = None,
    signal_agreement: Iterable[SignalAgreement] = (),
    behaviour_signals: Collection[str] = frozenset(),
    advice_answers: Iterable[AdviceAnswer] = (),
    advice_options: Sequence[str] | None = None,
) -> StudyAnalysis:
    """Apply rules 3-13 to one study's rows (rule 14's rounding happens only in `build_analysis_document`).

    - `accounts`: every account in scope, with figures; data for any other account raises ValueError.
    - `account_scores`: from `account_scores_from_respondents` or `account_scores_from_aggregates`.
    - `nps_answers`: client respondents' answers to the `nps` item.
    - `item_matrices` or `alpha_aggregates` (SQL's sums, `queries.answer_aggregates`): alpha's input per
      (perspective, dimension); a cell given both ways raises ValueError.
    - `previous`: the previous wave's account fits (`StudyAnalysis.account_fits()` of that wave, scored with
      its own pinned version), matched by account id; None when the study has no previous study (drift null).
    - `scored_respondents`: rule 17's n behind each account's overall per perspective; without them, the
      largest cell n (`fit.largest_cell_n`).
    - `signal_groups` (item key → the article's group), `signal_agreement` and `behaviour_signals` (the keys
      of items that measure behaviour: how often, how many): what the signals carry beside their score.
    - `advice_answers` and `advice_options` (the advice question's option keys): rule 20's tally per
      account; None options: the study has no advice question (`staff_advice` None everywhere).

    Dimension rows: every dimension of the model with a client or supplier score anywhere in the study, in
    scoring.yaml order — the same rows for every account and for the portfolio; a dimension nobody scored is
    left out. Understanding rows: the dimensions with a supplier_predicts_client score anywhere in the study.
    """
    figures = list(accounts)
    scope = {account.account_id for account in figures}
    if len(scope) != len(figures):
        raise ValueError("an account occurs twice in the study's scope")
    index = AccountScoreIndex(account_scores)
    _check_in_scope("scores", index.account_ids(), scope)
    answers = list(nps_answers)
    _check_in_scope("NPS answers", (answer.account_id for answer in answers), scope)
    aggregates = list(signal_aggregates)
    _check_in_scope("signal aggregates", (row.account_id for row in aggregates), scope)
    signals = warning_signals(
        aggregates, thresholds, groups=signal_groups, agreement=signal_agreement, behaviour=behaviour_signals
    )
    counts: dict[tuple[int, Perspective], ResponseCounts] = {}
    for row in response_counts:
        key = (row.account_id, row.perspective)
        if key in counts:
            raise ValueError(f"response counts for account {row.account_id} ({row.perspective.value}) twice")
        counts[key] = row
    _check_in_scope("response counts", (account_id for account_id, _ in counts), scope)
    matrices = list(item_matrices)
    _check_in_scope(
        "item matrices", (account_id for matrix in matrices for account_id, _ in matrix.responses), scope
    )

    dimension_keys = fit_model.ordered(index.dimensions(Perspective.CLIENT, Perspective.SUPPLIER))
    understanding_keys = fit_model.ordered(index.dimensions(Perspective.SUPPLIER_PREDICTS_CLIENT))
    # An account without any score (no counted response with a scored answer: in a large study most of
    # them while fieldwork runs) has a fit that depends on nothing but its id; its empty rows are shared.
    scored = index.account_ids()
    empty_rows = empty_dimension_rows(dimension_keys)
    respondents = _respondent_count(scored_respondents, scope)
    fits = {
        account.account_id: (
            assess_account(
                account.account_id,
                index,
                fit_model,
                thresholds,
                dimension_keys=dimension_keys,
                understanding_keys=understanding_keys,
                respondents=respondents,
            )
            if account.account_id in scored
            else unscored_fit(account.account_id, empty_rows)
        )
        for account in figures
    }
    drifts = {} if previous is None else drift_by_account(fits.values(), previous, thresholds)
    nps = nps_by_account(answers)
    no_answers = net_promoter_score(())
    signals_of: dict[int, list[Signal]] = defaultdict(list)
    for signal in signals:
        signals_of[signal.account_id].append(signal)
    responses = _Responses(counts).of
    quadrants = {account_id: fit.quadrant for account_id, fit in fits.items()}
    basis = cost_basis(quadrants, figures)
    # Accounts with the same figures have the same (frozen) cost: a large study's accounts share few.
    by_figures: dict[tuple[float | None, float | None], AccountCost | None] = {}
    costs = {}
    for account in figures:
        key = (account.effort_hours, account.billable_hours)
        if key not in by_figures:
            by_figures[key] = account_cost(account, basis)
        cost = by_figures[key]
        if cost is not None:
            costs[account.account_id] = cost
    advice_rows = list(advice_answers)
    _check_in_scope("staff advice", (row.account_id for row in advice_rows), scope)
    advice = {} if advice_options is None else staff_advice(advice_rows, advice_options)
    nobody_advised = None if advice_options is None else no_advice(advice_options)
    results = tuple(
        AccountResult(
            account=account,
            fit=fits[account.account_id],
            nps=nps.get(account.account_id, no_answers),
            signals=tuple(signals_of[account.account_id]) if account.account_id in signals_of else (),
            responses=responses(account.account_id),
            drift=drifts.get(account.account_id),
            cost=costs.get(account.account_id),
            staff_advice=advice.get(account.account_id, nobody_advised),
        )
        for account in sorted(figures, key=account_sort_key)
    )
    portfolio = Portfolio(
        quadrants=quadrant_counts(quadrants.values()),
        nps=portfolio_nps(answers),
        cost=cost_of_mismatch(quadrants, figures, costs),
        dimensions=portfolio_dimensions(index, dimension_keys, matrices, alpha_aggregates),
    )
    return StudyAnalysis(
        study=study,
        scoring_version=scoring_version,
        provisional=provisional,
        thresholds=thresholds,
        fit_model=fit_model,
        accounts=results,
        portfolio=portfolio,
    )
