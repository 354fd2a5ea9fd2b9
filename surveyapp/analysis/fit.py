"""Rules 5, 6, 7 and 10: overall fit per perspective, dimension gaps, quadrant and understanding gap."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from surveyapp.analysis._numeric import weighted_mean
from surveyapp.analysis._slots import stored_in_slots
from surveyapp.analysis.accounts import AccountDimensionScore, AccountScoreIndex
from surveyapp.analysis.inputs import FitModel
from surveyapp.analysis.thresholds import Direction, Thresholds, reaches
from surveyapp.enums import Perspective, Quadrant


@stored_in_slots
@dataclass(frozen=True, slots=True)
class OverallFit:
    """An account's overall fit per perspective (rule 5) and its like-for-like gap (rule 6).

    `client` and `supplier` are rule 5's overalls, each over the dimensions that perspective scored (None
    without any); the quadrant is decided on them. `gap` is rule 6's overall gap, over the `shared_dimensions`
    both perspectives scored: the client's weighted mean of those dimensions minus the supplier's, same
    weights (None when none is shared). `client_n` and `supplier_n` are rule 17's respondents behind each
    overall (those with at least one dimension score).
    """

    account_id: int
    client: float | None
    supplier: float | None
    gap: float | None = None
    shared_dimensions: int = 0
    client_n: int = 0
    supplier_n: int = 0
    #: The supplier's overall without its sensitive dimensions (rule 18: what may be shown in its place while
    #: a sensitive dimension is withheld, as the overall would give it away); None when the supplier has no
    #: sensitive score for the account, or nothing else.
    supplier_without_sensitive: float | None = None

    def indicative(self, thresholds: Thresholds) -> bool:
        """Rule 17: either perspective's overall rests on fewer than `min_n` respondents (none counts)."""
        return thresholds.is_indicative(self.client_n) or thresholds.is_indicative(self.supplier_n)

    def borderline(self, thresholds: Thresholds) -> bool:
        """Rule 17: either overall lies within the borderline band of the quadrant threshold."""
        return thresholds.is_borderline(self.client) or thresholds.is_borderline(self.supplier)


@stored_in_slots
@dataclass(frozen=True, slots=True)
class DimensionGap:
    """One dimension of an account: both perspectives' scores, the gap client − supplier, and its flag."""

    dimension: str
    client: AccountDimensionScore | None
    supplier: AccountDimensionScore | None
    gap: float | None
    flagged: bool


@stored_in_slots
@dataclass(frozen=True, slots=True)
class UnderstandingGap:
    """One dimension of the mirror survey: predicted (supplier_predicts_client) − client, and its flag."""

    dimension: str
    predicted: AccountDimensionScore | None
    client: AccountDimensionScore | None
    gap: float | None
    flagged: bool


@stored_in_slots
@dataclass(frozen=True, slots=True)
class AccountFit:
    """Everything rules 5-7 and 10 say about one account."""

    account_id: int
    overall: OverallFit
    quadrant: Quadrant
    dimensions: tuple[DimensionGap, ...]
    understanding: tuple[UnderstandingGap, ...] | None


def overall_fit(dimension_means: Mapping[str, float], fit_model: FitModel) -> float | None:
    """Weighted mean of a perspective's dimension scores with scoring.yaml weights (rule 5).

    Only the dimensions this perspective has scores for take part, so client and supplier may average over
    different sets (the supplier's includes effort and team energy). None when there are no scores; a
    dimension the model does not declare raises ValueError.
    """
    if not dimension_means:
        return None
    keys = fit_model.ordered(frozenset(dimension_means))
    return weighted_mean([dimension_means[key] for key in keys], [fit_model.weight(key) for key in keys])


def _overall_of(cells: Mapping[str, AccountDimensionScore], fit_model: FitModel) -> float | None:
    """`overall_fit` of the cells' means: the same values and weights in the same order, so the same
    number; without the intermediate mapping (once per account and perspective)."""
    if not cells:
        return None
    keys = [key for key in fit_model.keys if key in cells]
    if len(keys) != len(cells):
        fit_model.ordered(frozenset(cells))  # raises: a dimension the model does not declare
    return weighted_mean([cells[key].mean for key in keys], [fit_model.weight(key) for key in keys])


def gap_between(
    first: AccountDimensionScore | None, second: AccountDimensionScore | None, thresholds: Thresholds
) -> tuple[float | None, bool]:
    """`first.mean − second.mean` when both exist (n ≥ 1), and whether |gap| reaches the gap threshold.

    Rule 6. A missing side gives (None, False): no gap, nothing to flag.
    """
    if first is None or second is None:
        return None, False
    gap = first.mean - second.mean
    return gap, reaches(abs(gap), thresholds.gap, Direction.AT_LEAST)


def quadrant(overall: OverallFit, thresholds: Thresholds) -> Quadrant:
    """The quadrant from both overall fits against the quadrant threshold, the edge counting (rule 7)."""
    if overall.client is None or overall.supplier is None:
        return Quadrant.INCOMPLETE
    client_fits = reaches(overall.client, thresholds.quadrant, Direction.AT_LEAST)
    supplier_fits = reaches(overall.supplier, thresholds.quadrant, Direction.AT_LEAST)
    if client_fits and supplier_fits:
        return Quadrant.MATCH
    if client_fits:
        return Quadrant.CUSTOMER_SWAYED
    if supplier_fits:
        return Quadrant.BLIND_SPOT
    return Quadrant.MISFIT


def account_overall(
    account_id: int,
    index: AccountScoreIndex,
    fit_model: FitModel,
    respondents: RespondentCount | None = None,
) -> OverallFit:
    """Both overall fits of one account (rule 5) and the like-for-like gap (rule 6);
    supplier_predicts_client never enters them (rule 10). `respondents` gives rule 17's n per perspective
    (default: `largest_cell_n`)."""
    return _overall(
        account_id,
        index.view(account_id, Perspective.CLIENT),
        index.view(account_id, Perspective.SUPPLIER),
        fit_model,
        respondents or largest_cell_n,
    )


#: Rule 17's respondents behind one account's overall for a perspective: (account id, perspective, its
#: dimension cells) -> n.
RespondentCount = Callable[[int, Perspective, Mapping[str, AccountDimensionScore]], int]


def largest_cell_n(
    account_id: int, perspective: Perspective, cells: Mapping[str, AccountDimensionScore]
) -> int:
    """The largest n among the cells: the respondents behind the overall when every respondent who scored a
    dimension scored the most-answered one too (a lower bound otherwise). For callers without the respondent
    counts (pure tests); the app passes the counts the database gives (`ScoredRespondents`)."""
    return max((cell.n for cell in cells.values()), default=0)


def _overall(
    account_id: int,
    client: Mapping[str, AccountDimensionScore],
    supplier: Mapping[str, AccountDimensionScore],
    fit_model: FitModel,
    respondents: RespondentCount,
) -> OverallFit:
    shared = [key for key in fit_model.keys if key in client and key in supplier]
    gap = None
    if shared:
        weights = [fit_model.weight(key) for key in shared]
        gap = weighted_mean([client[key].mean for key in shared], weights) - weighted_mean(
            [supplier[key].mean for key in shared], weights
        )
    sensitive = fit_model.sensitive
    without = None
    if sensitive and any(key in supplier for key in sensitive):
        rest = [key for key in fit_model.keys if key in supplier and key not in sensitive]
        if rest:
            without = weighted_mean(
                [supplier[key].mean for key in rest], [fit_model.weight(key) for key in rest]
            )
    return OverallFit(
        account_id,
        _overall_of(client, fit_model),
        _overall_of(supplier, fit_model),
        gap,
        len(shared),
        respondents(account_id, Perspective.CLIENT, client) if client else 0,
        respondents(account_id, Perspective.SUPPLIER, supplier) if supplier else 0,
        without,
    )


def empty_dimension_rows(dimension_keys: Sequence[str]) -> tuple[DimensionGap, ...]:
    """The dimension rows of an account without any client or supplier score: no cells, gap None, not
    flagged — what `assess_account` lists for such an account. The rows are frozen and hold nothing of the
    account, so one tuple serves every such account of a study (`unscored_fit`)."""
    return tuple(DimensionGap(key, None, None, None, False) for key in dimension_keys)


def unscored_fit(account_id: int, dimensions: tuple[DimensionGap, ...]) -> AccountFit:
    """`assess_account` of an account that has no score in any perspective (no counted response with a
    scored answer — most accounts of a large study while fieldwork runs): no overall fits, quadrant
    `incomplete`, the empty `dimensions` (`empty_dimension_rows` of the study's dimension keys, shared) and no
    understanding rows. Equal to what `assess_account` gives with those keys; built without looking anything
    up."""
    return AccountFit(account_id, OverallFit(account_id, None, None), Quadrant.INCOMPLETE, dimensions, None)


def assess_account(
    account_id: int,
    index: AccountScoreIndex,
    fit_model: FitModel,
    thresholds: Thresholds,
    *,
    dimension_keys: Sequence[str] | None = None,
    understanding_keys: Sequence[str] | None = None,
    respondents: RespondentCount | None = None,
) -> AccountFit:
    """Overall fits, quadrant, dimension gaps and understanding gaps of one account (rules 5, 6, 7, 10).

    `dimension_keys` are the dimension rows to report (the study passes every dimension with client or
    supplier data anywhere in the study, so all accounts list the same rows); by default, the dimensions this
    account has client or supplier scores for. Rows without data on either side carry None cells, gap None,
    flagged False.

    `understanding` is None when the account has no supplier_predicts_client score at all; otherwise one row
    per `understanding_keys` (default: the dimensions predicted for this account), gap = predicted − client.
    """
    client = index.view(account_id, Perspective.CLIENT)
    supplier = index.view(account_id, Perspective.SUPPLIER)
    predicted = index.view(account_id, Perspective.SUPPLIER_PREDICTS_CLIENT)
    overall = _overall(account_id, client, supplier, fit_model, respondents or largest_cell_n)
    if dimension_keys is None:
        dimension_keys = fit_model.ordered(frozenset(client) | frozenset(supplier))
    dimensions = []
    for key in dimension_keys:
        first, second = client.get(key), supplier.get(key)
        if first is None and second is None:
            dimensions.append(DimensionGap(key, None, None, None, False))
            continue
        gap, flagged = gap_between(first, second, thresholds)
        dimensions.append(DimensionGap(key, first, second, gap, flagged))
    understanding: tuple[UnderstandingGap, ...] | None = None
    if predicted:
        if understanding_keys is None:
            understanding_keys = fit_model.ordered(frozenset(predicted))
        rows = []
        for key in understanding_keys:
            first, second = predicted.get(key), client.get(key)
            gap, flagged = gap_between(first, second, thresholds)
            rows.append(UnderstandingGap(key, first, second, gap, flagged))
        understanding = tuple(rows)
    return AccountFit(
        account_id=account_id,
        overall=overall,
        quadrant=quadrant(overall, thresholds),
        dimensions=tuple(dimensions),
        understanding=understanding,
    )
