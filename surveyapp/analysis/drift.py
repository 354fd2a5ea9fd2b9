"""Rule 12: drift against the previous wave, per account matched by id (a renamed account keeps its id)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from surveyapp.analysis.fit import OverallFit
from surveyapp.analysis.thresholds import Direction, Thresholds, reaches


@dataclass(frozen=True, slots=True)
class Drift:
    """Current − previous per overall fit and for the overall gap; None where either wave lacks the value."""

    client: float | None
    supplier: float | None
    gap: float | None
    growing_apart: bool


def _change(current: float | None, previous: float | None) -> float | None:
    return None if current is None or previous is None else current - previous


def drift(current: OverallFit, previous: OverallFit, thresholds: Thresholds) -> Drift:
    """Drift of one account; each wave is scored with its own pinned scoring version before it comes here.

    "Growing apart" (rule 12) when the client or the supplier overall fit falls by more than the gap
    threshold, or |overall gap| grows by more than it. Rule 7 lists "growing apart >" among the comparisons
    in which a value exactly at the threshold reaches it, so with the default 15 a fall of exactly 15.0 (or a
    widening of |gap| from 5 to 20) is growing apart, and so is a float-noisy 14.999999999999993; a fall of
    14.9 is not: only float noise (up to 1e-9) below the threshold counts. Each comparison needs its values
    in both waves.
    """
    client = _change(current.client, previous.client)
    supplier = _change(current.supplier, previous.supplier)
    current_gap, previous_gap = current.gap, previous.gap
    gap = _change(current_gap, previous_gap)
    falls = [-change for change in (client, supplier) if change is not None]
    widening = None if current_gap is None or previous_gap is None else abs(current_gap) - abs(previous_gap)
    growing_apart = any(reaches(fall, thresholds.gap, Direction.MORE_THAN) for fall in falls) or (
        widening is not None and reaches(widening, thresholds.gap, Direction.MORE_THAN)
    )
    return Drift(client=client, supplier=supplier, gap=gap, growing_apart=growing_apart)


def drift_by_account(
    current: Iterable[OverallFit], previous: Iterable[OverallFit], thresholds: Thresholds
) -> dict[int, Drift]:
    """Drift per account that has at least one overall fit to compare across the two waves.

    Accounts are matched by id, never by name, so a renamed account keeps its history. An account without a
    comparable overall fit (new in scope, no responses in one of the waves, or only the client in one wave and
    only the supplier in the other) has no entry; the caller shows it as null.
    """
    earlier = {fit.account_id: fit for fit in previous}
    result = {}
    for fit in current:
        if fit.client is None and fit.supplier is None:
            continue  # nothing to compare (both changes would be None): most accounts while fieldwork runs
        if fit.account_id in earlier:
            change = drift(fit, earlier[fit.account_id], thresholds)
            if change.client is not None or change.supplier is not None:
                result[fit.account_id] = change
    return result
