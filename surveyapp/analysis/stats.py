"""Rule 13's statistics: paired Wilcoxon signed-rank test with rank-biserial r, and Cronbach's alpha."""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy import stats as scipy_stats

from surveyapp.analysis.inputs import AlphaAggregate, ItemMatrix, ItemScore
from surveyapp.analysis.items import check_unique_items
from surveyapp.enums import Perspective

#: Rule 13: the paired test is shown only from this many non-zero pairs.
MIN_WILCOXON_PAIRS = 10
#: Rule 13: alpha only from this many respondents (after listwise deletion) and this many items.
MIN_ALPHA_RESPONDENTS = 30
MIN_ALPHA_ITEMS = 2

# Account-score differences are rounded to this many decimals before the test: far below any displayed
# precision, far above float noise. Without it, two differences that are equal on paper could differ in the
# last bit (means of different numbers of respondents), so a real tie would get two different ranks, or a
# real zero would count as a tiny non-zero pair.
DIFFERENCE_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class SignedRanks:
    """Rank sums of the positive and negative differences; `pairs` counts the non-zero differences."""

    pairs: int
    w_plus: float
    w_minus: float


@dataclass(frozen=True, slots=True)
class WilcoxonResult:
    """A paired Wilcoxon signed-rank test of client vs supplier account scores.

    `pairs` = non-zero pairs (the n of the test; zero differences are dropped, zero_method "wilcox"),
    `zeros` = pairs with no difference, `statistic` = scipy's two-sided statistic min(W+, W−), `p` two-sided,
    `r` = rank-biserial (W+ − W−)/(W+ + W−): positive when clients see a better fit than the supplier.
    """

    pairs: int
    zeros: int
    statistic: float
    p: float
    r: float
    w_plus: float
    w_minus: float


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha of one dimension and perspective; None when rule 13's minimums are not met.

    `respondents` are the complete rows left after listwise deletion, `items` the items required of each row.
    """

    alpha: float | None
    respondents: int
    items: int


def clean_difference(value: float) -> float:
    """A difference rounded to `DIFFERENCE_DECIMALS`, with -0.0 made 0.0."""
    rounded = round(value, DIFFERENCE_DECIMALS)
    return 0.0 if rounded == 0 else rounded


def signed_ranks(differences: Iterable[float]) -> SignedRanks:
    """W+ and W− over the non-zero differences, ranking |d| from 1 with average ranks for ties."""
    nonzero = sorted((value for value in differences if value != 0), key=abs)
    w_plus = w_minus = 0.0
    start = 0
    while start < len(nonzero):
        end = start
        while end + 1 < len(nonzero) and abs(nonzero[end + 1]) == abs(nonzero[start]):
            end += 1
        # Positions start..end (0-based) share the mean of ranks start+1..end+1.
        rank = (start + end + 2) / 2
        for value in nonzero[start : end + 1]:
            if value > 0:
                w_plus += rank
            else:
                w_minus += rank
        start = end + 1
    return SignedRanks(pairs=len(nonzero), w_plus=w_plus, w_minus=w_minus)


def paired_wilcoxon(differences: Sequence[float]) -> WilcoxonResult | None:
    """Wilcoxon signed-rank test on client − supplier differences, one per account with both scores.

    Returns None below `MIN_WILCOXON_PAIRS` non-zero pairs (scipy is not called then, so no small-sample
    warnings). scipy gets every difference, zeros included, with zero_method="wilcox" (it drops the zeros),
    correction=False and its default method — so its choice between exact, permutation and normal
    approximation is scipy's own, as rule 13 prescribes. W+ and W− are computed here for r.
    """
    cleaned = [clean_difference(value) for value in differences]
    ranks = signed_ranks(cleaned)
    if ranks.pairs < MIN_WILCOXON_PAIRS:
        return None
    result = scipy_stats.wilcoxon(cleaned, zero_method="wilcox", correction=False)
    return WilcoxonResult(
        pairs=ranks.pairs,
        zeros=len(cleaned) - ranks.pairs,
        statistic=float(result.statistic),
        p=float(result.pvalue),
        r=(ranks.w_plus - ranks.w_minus) / (ranks.w_plus + ranks.w_minus),
        w_plus=ranks.w_plus,
        w_minus=ranks.w_minus,
    )


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of complete rows (respondents × items), without minimums.

    alpha = k/(k−1) · (1 − Σ var(item) / var(total)), computed as k·(SS_total − Σ SS_item) / ((k−1)·SS_total):
    the n−1 of the variances cancels. None for fewer than 2 rows or 2 items, and when total scores do not vary
    (alpha is undefined; "no variation" includes variation within floating-point noise).
    """
    n = len(rows)
    if n < 2:
        return None
    k = len(rows[0])
    if any(len(row) != k for row in rows):
        raise ValueError("cronbach_alpha needs rows of equal length")
    if k < 2:
        return None

    def squares(values: list[float]) -> float:
        centre = math.fsum(values) / len(values)
        return math.fsum((value - centre) ** 2 for value in values)

    totals = [math.fsum(row) for row in rows]
    total_squares = squares(totals)
    if total_squares <= 4 * n * sys.float_info.epsilon * math.fsum(total * total for total in totals):
        return None
    item_squares = math.fsum(squares([row[column] for row in rows]) for column in range(k))
    return k * (total_squares - item_squares) / ((k - 1) * total_squares)


def reliability(matrix: ItemMatrix) -> AlphaResult:
    """Cronbach's alpha for one (perspective, dimension), listwise, with rule 13's minimums.

    The item set is every item that occurs in the matrix; a response missing any of them is deleted. Alpha is
    None below `MIN_ALPHA_ITEMS` items or `MIN_ALPHA_RESPONDENTS` complete responses.
    """
    items = matrix.item_keys
    complete = [
        [scores[item] for item in items]
        for _, scores in sorted(matrix.responses.items())
        if all(item in scores for item in items)
    ]
    if len(items) < MIN_ALPHA_ITEMS or len(complete) < MIN_ALPHA_RESPONDENTS:
        return AlphaResult(alpha=None, respondents=len(complete), items=len(items))
    return AlphaResult(alpha=cronbach_alpha(complete), respondents=len(complete), items=len(items))


def item_matrices_from_items(item_scores: Iterable[ItemScore]) -> tuple[ItemMatrix, ...]:
    """Group scored items into one ItemMatrix per (perspective, dimension); items without a dimension skipped.

    Sorted by perspective and dimension. Survey and interview answers pool: the interview guide uses the
    survey's item keys (rule 13).
    """
    groups: dict[tuple[Perspective, str], dict[tuple[int, int], dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in check_unique_items(item_scores):
        if row.dimension is not None:
            groups[(row.perspective, row.dimension)][(row.account_id, row.respondent_id)][row.item_key] = (
                row.score
            )
    return tuple(
        ItemMatrix(
            perspective=perspective, dimension=dimension, responses={k: dict(v) for k, v in rows.items()}
        )
        for (perspective, dimension), rows in sorted(
            groups.items(), key=lambda entry: (entry[0][0].value, entry[0][1])
        )
    )


def alpha_from_aggregate(aggregate: AlphaAggregate) -> AlphaResult:
    """Cronbach's alpha of one (perspective, dimension) from SQL sums, with rule 13's minimums.

    The same alpha as `reliability` on the item rows: with SS = Σx² − (Σx)²/n, alpha = k·(SS_T − Σ SS_i) /
    ((k−1)·SS_T), where Σ SS_i = Σx² − Σ_i (Σx_i)²/n. Totals that do not vary beyond floating-point noise give
    None, as in `cronbach_alpha`.
    """
    k, n = aggregate.items, aggregate.respondents
    if k < MIN_ALPHA_ITEMS or n < MIN_ALPHA_RESPONDENTS:
        return AlphaResult(alpha=None, respondents=n, items=k)
    total_squares = aggregate.total_sum_sq - aggregate.total_sum * aggregate.total_sum / n
    if total_squares <= 4 * n * sys.float_info.epsilon * abs(aggregate.total_sum_sq):
        return AlphaResult(alpha=None, respondents=n, items=k)
    item_squares = aggregate.square_sum - math.fsum(total * total for total in aggregate.item_sums) / n
    return AlphaResult(
        alpha=k * (total_squares - item_squares) / ((k - 1) * total_squares), respondents=n, items=k
    )


def alpha_aggregates_from_items(item_scores: Iterable[ItemScore]) -> tuple[AlphaAggregate, ...]:
    """The pure twin of the SQL sums for alpha: one AlphaAggregate per (perspective, dimension), listwise.

    Sorted by perspective and dimension; items without a dimension are skipped.
    """
    result = []
    for matrix in item_matrices_from_items(item_scores):
        keys = matrix.item_keys
        complete = [
            [scores[key] for key in keys]
            for _, scores in sorted(matrix.responses.items())
            if all(key in scores for key in keys)
        ]
        result.append(
            AlphaAggregate(
                perspective=matrix.perspective,
                dimension=matrix.dimension,
                items=len(keys),
                respondents=len(complete),
                item_sums=tuple(math.fsum(row[column] for row in complete) for column in range(len(keys)))
                if complete
                else (),
                total_sum=math.fsum(math.fsum(row) for row in complete),
                total_sum_sq=math.fsum(math.fsum(row) ** 2 for row in complete),
                square_sum=math.fsum(value * value for row in complete for value in row),
            )
        )
    return tuple(result)
