"""Rule 14: compute unrounded, round only for display and JSON output."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_ONE_DECIMAL = Decimal("0.1")
_THREE_DECIMALS = Decimal("0.001")


def readable_decimal(value: float | int | Decimal) -> Decimal:
    """A number as a person reads it, for half-up rounding (rule 14): a float at 12 significant digits."""
    if isinstance(value, Decimal):
        return value
    return Decimal(f"{value:.12g}") if isinstance(value, float) else Decimal(str(value))


def _round(value: float, step: Decimal) -> float:
    # float() first: numpy scalars (from scipy) repr as "np.float64(...)", which Decimal cannot parse.
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot round a non-finite number: {value!r}")
    # The number as a person reads it, at 12 significant digits: 1.15 is stored as 1.149999999999999911...,
    # and a mean of 43.75 may come out of a database's SUM as 43.74999999999999 or 43.75000000000001 depending
    # on the order in which it added; all read as 1.15 and 43.75 and round half-up as the reader expects, so a
    # tie is decided by the number, not by the last bit of the float. (Rule 14 says Decimal(repr(x)), which
    # leaves exactly those ties to the order of addition; scores are means of a few hundred values at most, so
    # 12 digits keep every real difference: float noise is 1e-14 of the value.)
    rounded = float(readable_decimal(number).quantize(step, rounding=ROUND_HALF_UP))
    # -0.04 rounds to -0.0; show it as 0.0 rather than the puzzling "-0.0".
    return 0.0 if rounded == 0 else rounded


def round_score(value: float | None) -> float | None:
    """Round a score, gap, sd, NPS, hour figure or test statistic half-up (away from zero) to one decimal."""
    return None if value is None else _round(value, _ONE_DECIMAL)


def round_statistic(value: float | None) -> float | None:
    """Round a p-value, Cronbach's alpha or rank-biserial r half-up (away from zero) to three decimals."""
    return None if value is None else _round(value, _THREE_DECIMALS)


def round_money(value: float | None) -> int | None:
    """Round an amount of money half-up (away from zero) to whole units of the supplier's currency (rule 14)."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot round a non-finite number: {value!r}")
    return int(readable_decimal(number).quantize(Decimal(1), rounding=ROUND_HALF_UP))
