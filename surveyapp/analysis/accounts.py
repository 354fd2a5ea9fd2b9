"""Rule 4: an account's score per perspective and dimension, with n and sd — from respondents or SQL sums.

Both entry points return the same rows, so everything downstream (overall fit, gaps, quadrants, portfolio) is
one code path whichever way the numbers were aggregated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from surveyapp.analysis._numeric import mean, sample_sd, sd_from_sums
from surveyapp.analysis.inputs import AccountDimensionAggregate, RespondentDimensionScore
from surveyapp.enums import Perspective

# A mean computed from SQL sums may sit a float hair outside 0-100; anything further out is a bug upstream.
_SCALE_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class AccountDimensionScore:
    """An account's score for one perspective and dimension: mean over its respondents, n, and sd (n-1)."""

    account_id: int
    perspective: Perspective
    dimension: str
    mean: float
    n: int
    sd: float | None


def _order(score: AccountDimensionScore) -> tuple[int, str, str]:
    # Perspective is a StrEnum: it sorts as its value, without the (slow) enum `.value` lookup per row.
    return score.account_id, score.perspective, score.dimension


def account_scores_from_respondents(
    scores: Iterable[RespondentDimensionScore],
) -> tuple[AccountDimensionScore, ...]:
    """Account scores from respondent dimension scores (rule 4): plain mean, n respondents, sample sd.

    Output: one row per (account, perspective, dimension) with at least one respondent score, sorted by
    account id, perspective and dimension. sd is None when n < 2. A respondent with two scores for the same
    (account, perspective, dimension) is an upstream bug (rule 2) and raises ValueError.
    """
    groups: dict[tuple[int, Perspective, str], dict[int, float]] = defaultdict(dict)
    for row in scores:
        group = groups[(row.account_id, row.perspective, row.dimension)]
        if row.respondent_id in group:
            raise ValueError(
                f"respondent {row.respondent_id} has two {row.perspective.value} scores for dimension "
                f"{row.dimension!r} on account {row.account_id}"
            )
        group[row.respondent_id] = row.score
    result = []
    for (account_id, perspective, dimension), by_respondent in groups.items():
        # Sorted by respondent so fsum sees the same order however the rows arrived (bit-for-bit reruns).
        values = [by_respondent[respondent] for respondent in sorted(by_respondent)]
        result.append(
            AccountDimensionScore(
                account_id=account_id,
                perspective=perspective,
                dimension=dimension,
                mean=mean(values),
                n=len(values),
                sd=sample_sd(values),
            )
        )
    return tuple(sorted(result, key=_order))


def account_scores_from_aggregates(
    aggregates: Iterable[AccountDimensionAggregate],
) -> tuple[AccountDimensionScore, ...]:
    """Account scores from SQL aggregates (n, Σx, Σx²) — the large-data path of rule 4 (rule 16).

    mean = Σx / n; sd = sqrt((Σx² − (Σx)²/n) / (n − 1)), with variance inside floating-point noise
    (including a tiny negative one) taken as 0. Rows with n = 0 carry no score and are skipped. Output as
    `account_scores_from_respondents`; a repeated (account, perspective, dimension) or a mean off the 0-100
    scale raises ValueError.
    """
    result = []
    seen: set[tuple[int, Perspective, str]] = set()
    add = seen.add
    # The SQL path delivers the rows in order; then the sort is not needed (a key that is not greater than the
    # one before it, all keys being distinct, means it is).
    ordered = True
    previous: tuple[int, Perspective, str] | None = None
    for row in aggregates:
        account_id, perspective, dimension, n = row.account_id, row.perspective, row.dimension, row.n
        key = (account_id, perspective, dimension)
        if key in seen:
            raise ValueError(f"aggregate for {key} occurs twice")
        add(key)
        if n == 0:
            continue
        total = row.sum
        value = total / n
        if not 0.0 <= value <= 100.0:
            if not -_SCALE_SLACK <= value <= 100 + _SCALE_SLACK:
                raise ValueError(f"aggregate for {key} gives mean {value!r}, off the 0-100 scale")
            value = min(max(value, 0.0), 100.0)
        if ordered and previous is not None and key < previous:
            ordered = False
        previous = key
        result.append(
            AccountDimensionScore(
                account_id, perspective, dimension, value, n, sd_from_sums(n, total, row.sum_sq)
            )
        )
    return tuple(result) if ordered else tuple(sorted(result, key=_order))


class AccountScoreIndex:
    """Lookup over account scores by (account, perspective, dimension); built once, read by every rule."""

    __slots__ = ("_account_ids", "_by_perspective", "_cells")

    def __init__(self, scores: Iterable[AccountDimensionScore]) -> None:
        self._cells: dict[tuple[int, Perspective, str], AccountDimensionScore] = {}
        self._by_perspective: dict[tuple[int, Perspective], dict[str, AccountDimensionScore]] = defaultdict(
            dict
        )
        for score in scores:
            key = (score.account_id, score.perspective, score.dimension)
            if key in self._cells:
                raise ValueError(f"account score for {key} occurs twice")
            self._cells[key] = score
            self._by_perspective[(score.account_id, score.perspective)][score.dimension] = score
        # Asked for by several rules; the index never changes after it is built.
        self._account_ids = frozenset(account_id for account_id, _ in self._by_perspective)

    def __iter__(self) -> Iterator[AccountDimensionScore]:
        return iter(self._cells.values())

    def cell(self, account_id: int, perspective: Perspective, dimension: str) -> AccountDimensionScore | None:
        """The score of one account, perspective and dimension, or None when no respondent scored it."""
        return self._cells.get((account_id, perspective, dimension))

    def for_perspective(self, account_id: int, perspective: Perspective) -> dict[str, AccountDimensionScore]:
        """All dimension scores of one account and perspective, by dimension key (empty if there are none)."""
        return dict(self._by_perspective.get((account_id, perspective), {}))

    def account_ids(self) -> frozenset[int]:
        """Accounts with at least one score in any perspective."""
        return self._account_ids

    def dimensions(self, *perspectives: Perspective) -> frozenset[str]:
        """Dimensions with at least one account score in any of the given perspectives."""
        return frozenset(
            dimension
            for (_, perspective), cells in self._by_perspective.items()
            if perspective in perspectives
            for dimension in cells
        )
