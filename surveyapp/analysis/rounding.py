"""Rule 14: compute unrounded, round only for display and JSON output."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_ONE_DECIMAL = Decimal("0.1")
_THREE_DECIMALS = Decimal("0.001")


def _round(value: float, step: Decimal) -> float:
    # float() first: numpy scalars (from scipy) repr as "np.float64(...)", which Decimal cannot parse.
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot round a non-finite number: {value!r}")
    # repr() is the shortest string that round-trips, i.e. the number as a person reads it: 1.15 is stored as
    # 1.149999999999999911..., but repr gives "1.15", which rounds half-up to 1.2 as the reader expects.
    rounded = float(Decimal(repr(number)).quantize(step, rounding=ROUND_HALF_UP))
    # -0.04 rounds to -0.0; show it as 0.0 rather than the puzzling "-0.0".
    return 0.0 if rounded == 0 else rounded


def round_score(value: float | None) -> float | None:
    """Round a score, gap, sd, NPS, hour figure or test statistic half-up (away from zero) to one decimal."""
    return None if value is None else _round(value, _ONE_DECIMAL)


def round_statistic(value: float | None) -> float | None:
    """Round a p-value, Cronbach's alpha or rank-biserial r half-up (away from zero) to three decimals."""
    return None if value is None else _round(value, _THREE_DECIMALS)
