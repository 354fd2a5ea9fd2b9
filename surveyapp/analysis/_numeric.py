"""Small numeric helpers shared by the analysis modules (private: not part of the analysis API)."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence


def _within(value: float, values: Sequence[float]) -> float:
    # A (weighted) mean lies between the smallest and largest value; float rounding can step an ulp outside,
    # which would e.g. turn a mean of 100s into 100.00000000000001. Clamp that noise away.
    return min(max(value, min(values)), max(values))


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean of a non-empty sequence (fsum: no accumulated rounding)."""
    if not values:
        raise ValueError("mean of no values")
    return _within(math.fsum(values) / len(values), values)


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    """Weighted mean sum(w*x)/sum(w) of a non-empty sequence; weights must be > 0."""
    if not values or len(values) != len(weights):
        raise ValueError("weighted mean needs as many weights as values, and at least one")
    total = math.fsum(value * weight for value, weight in zip(values, weights, strict=True))
    return _within(total / math.fsum(weights), values)


def sample_sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation (n-1); None below two values (rule 4)."""
    n = len(values)
    if n < 2:
        return None
    # Two-pass (deviations from the mean): no cancellation, unlike sum-of-squares formulas. The clamped mean
    # makes equal values give exactly 0.
    centre = mean(values)
    return math.sqrt(math.fsum((value - centre) ** 2 for value in values) / (n - 1))


def sd_from_sums(n: int, total: float, total_sq: float) -> float | None:
    """Sample standard deviation from n, sum and sum of squares (SQL aggregates); None when n < 2.

    ``sum_sq - sum**2/n`` subtracts two nearly equal numbers when the values are close, so the result
    carries rounding noise of order ``n * eps * sum_sq`` (from summing in SQL and from squaring the sum; the
    square of the sum is at most ``n * sum_sq``). A result within that noise, including a tiny negative one,
    cannot be told apart from zero and is taken as zero; a negative variance is never real. Genuine variation
    on the 0-100 scale is many orders of magnitude above the bound (4 * n * eps * sum_sq; for 1000
    respondents at 100 it is below 1e-5, i.e. an sd below 1e-4).
    """
    if n < 2:
        return None
    squares = total_sq - total * total / n
    if squares <= 4 * n * sys.float_info.epsilon * abs(total_sq):
        squares = 0.0
    return math.sqrt(squares / (n - 1))
