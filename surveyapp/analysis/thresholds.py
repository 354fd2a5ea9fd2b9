"""Analysis thresholds (scoring.yaml) and the single way every rule compares a value with them (rule 7)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

#: Rule 7: every threshold comparison is made with this tolerance, in the direction that counts the edge as
#: reached, so that float noise (75.3 - 60.3 == 14.999999999999993) never moves a value off its threshold.
TOLERANCE = 1e-9


class Direction(StrEnum):
    """How a value has to relate to a threshold to reach it."""

    AT_LEAST = "at_least"  # quadrant (overall fit >= threshold), gap flag (|gap| >= threshold)
    AT_MOST = "at_most"  # warning signal (mean <= threshold)
    MORE_THAN = "more_than"  # growing apart (a fall or a widening by more than the threshold)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The thresholds of a scoring version; field names match the keys in scoring.yaml."""

    quadrant: float = 60.0
    gap: float = 15.0
    signal: float = 40.0
    min_n: int = 3
    #: Rule 17: an overall fit closer than this to the quadrant threshold is "borderline".
    borderline_band: float = 5.0

    def __post_init__(self) -> None:
        for name in ("quadrant", "gap", "signal", "borderline_band"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            if not 0 <= value <= 100:
                raise ValueError(f"{name} must lie on the 0-100 score scale, got {value!r}")
            object.__setattr__(self, name, float(value))
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int) or self.min_n < 1:
            raise ValueError(f"min_n must be a whole number >= 1, got {self.min_n!r}")

    def is_indicative(self, n: int) -> bool:
        """Rule 14: a value resting on fewer than `min_n` observations is only indicative."""
        return n < self.min_n

    def is_borderline(self, overall: float | None) -> bool:
        """Rule 17: |overall − quadrant threshold| < borderline band. A value exactly at the band's edge is
        not borderline, with rule 7's tolerance taken so that float noise never makes it one (64.99999999999999
        from a weighted mean that is 65 is not borderline either)."""
        if overall is None:
            return False
        return abs(overall - self.quadrant) < self.borderline_band - TOLERANCE


def reaches(value: float, threshold: float, direction: Direction) -> bool:
    """Whether `value` reaches `threshold` in `direction`; rule 7's tolerance counts the edge as reached.

    - AT_LEAST: ``value >= threshold - 1e-9``
    - AT_MOST: ``value <= threshold + 1e-9``
    - MORE_THAN: ``value > threshold - 1e-9``. Rule 7 lists "growing apart >" among the comparisons in which
      "a value exactly at a threshold reaches it", so a change of exactly the threshold (and one a float hair
      below it) counts. The comparison stays strict only at the single point ``threshold - 1e-9`` itself.
    """
    if direction is Direction.AT_LEAST:
        return value >= threshold - TOLERANCE
    if direction is Direction.AT_MOST:
        return value <= threshold + TOLERANCE
    if direction is Direction.MORE_THAN:
        return value > threshold - TOLERANCE
    raise ValueError(f"unknown direction {direction!r}")
