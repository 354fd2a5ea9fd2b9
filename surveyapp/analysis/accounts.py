"""Rule 4: an account's score per perspective and dimension, with n and sd — from respondents or SQL sums.

Both entry points return the same rows, so everything downstream (overall fit, gaps, quadrants, portfolio) is
one code path whichever way the numbers were aggregated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from surveyapp.analysis._numeric import mean, sample_sd, sd_from_sums
from surveyapp.analysis._slots import stored_in_slots
from surveyapp.analysis.inputs import AccountDimensionAggregate, RespondentDimensionScore
from surveyapp.enums import Perspective

# A mean computed from SQL sums may sit a float hair outside 0-100; anything further out is a bug upstream.
_SCALE_SLACK = 1e-9

# What `AccountScoreIndex.view` gives an account and perspective without scores (read-only).
_NO_CELLS: Mapping[str, AccountDimensionScore] = MappingProxyType({})


@stored_in_slots
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
    rows = aggregates if isinstance(aggregates, list | tuple) else list(aggregates)
    # The SQL path delivers the rows in order (tens of thousands in a large study): keys that only grow are
    # distinct and need no sort. At the first key that does not, the general path starts over.
    result = []
    add = result.append
    previous: tuple[int, Perspective, str] | None = None
    for row in rows:
        key = (row.account_id, row.perspective, row.dimension)
        if previous is not None and not key > previous:
            return _scores_in_any_order(rows)
        previous = key
        n = row.n
        if n == 0:
            continue
        add(_score_of(key, n, row.sum, row.sum_sq))
    return tuple(result)


def _score_of(
    key: tuple[int, Perspective, str], n: int, total: float, sum_sq: float
) -> AccountDimensionScore:
    value = total / n
    if not 0.0 <= value <= 100.0:
        if not -_SCALE_SLACK <= value <= 100 + _SCALE_SLACK:
            raise ValueError(f"aggregate for {key} gives mean {value!r}, off the 0-100 scale")
        value = min(max(value, 0.0), 100.0)
    return AccountDimensionScore(key[0], key[1], key[2], value, n, sd_from_sums(n, total, sum_sq))


def _scores_in_any_order(rows: Iterable[AccountDimensionAggregate]) -> tuple[AccountDimensionScore, ...]:
    """`account_scores_from_aggregates` for rows in any order: every key checked, the result sorted."""
    result = []
    seen: set[tuple[int, Perspective, str]] = set()
    for row in rows:
        key = (row.account_id, row.perspective, row.dimension)
        if key in seen:
            raise ValueError(f"aggregate for {key} occurs twice")
        seen.add(key)
        if row.n == 0:
            continue
        result.append(_score_of(key, row.n, row.sum, row.sum_sq))
    return tuple(sorted(result, key=_order))


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

    def view(self, account_id: int, perspective: Perspective) -> Mapping[str, AccountDimensionScore]:
        """`for_perspective` without the copy, for the rules that only read it (once per account and
        perspective): a read-only view of the index's own mapping (empty if there are none)."""
        cells = self._by_perspective.get((account_id, perspective))
        return _NO_CELLS if cells is None else MappingProxyType(cells)

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
