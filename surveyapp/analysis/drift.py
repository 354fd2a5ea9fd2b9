"""Rule 12: drift against the previous wave, per account matched by id (a renamed account keeps its id), for
the overall fits and gap and per dimension."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from surveyapp.analysis.fit import AccountFit, DimensionGap
from surveyapp.analysis.thresholds import Direction, Thresholds, reaches


@dataclass(frozen=True, slots=True)
class DimensionDrift:
    """Current − previous of one dimension: each perspective's score and the gap; None where either wave
    lacks the value. Growing apart on the same test as the overall."""

    dimension: str
    client: float | None
    supplier: float | None
    gap: float | None
    growing_apart: bool


@dataclass(frozen=True, slots=True)
class Drift:
    """Current − previous per overall fit and for the overall gap (rule 6's like-for-like gap in each wave);
    None where either wave lacks the value. `dimensions`: the dimensions scored in both waves by a
    perspective, in scoring.yaml order."""

    client: float | None
    supplier: float | None
    gap: float | None
    growing_apart: bool
    dimensions: tuple[DimensionDrift, ...] = ()


def _change(current: float | None, previous: float | None) -> float | None:
    return None if current is None or previous is None else current - previous


def _growing_apart(
    client: float | None,
    supplier: float | None,
    current_gap: float | None,
    previous_gap: float | None,
    thresholds: Thresholds,
) -> bool:
    """A score falls, or |gap| widens, by more than the gap threshold (the edge counts: rule 7)."""
    falls = [-change for change in (client, supplier) if change is not None]
    if any(reaches(fall, thresholds.gap, Direction.MORE_THAN) for fall in falls):
        return True
    if current_gap is None or previous_gap is None:
        return False
    return reaches(abs(current_gap) - abs(previous_gap), thresholds.gap, Direction.MORE_THAN)


def _mean(row: DimensionGap | None, side: str) -> float | None:
    cell = None if row is None else getattr(row, side)
    return None if cell is None else cell.mean


def dimension_drift(
    current: Iterable[DimensionGap], previous: Iterable[DimensionGap], thresholds: Thresholds
) -> tuple[DimensionDrift, ...]:
    """Per dimension, in the current rows' order: the change of each perspective's score and of the gap; only
    dimensions where at least one perspective has a score in both waves (rule 12)."""
    earlier = {row.dimension: row for row in previous}
    rows = []
    for row in current:
        before = earlier.get(row.dimension)
        client = _change(_mean(row, "client"), _mean(before, "client"))
        supplier = _change(_mean(row, "supplier"), _mean(before, "supplier"))
        if client is None and supplier is None:
            continue
        previous_gap = None if before is None else before.gap
        rows.append(
            DimensionDrift(
                dimension=row.dimension,
                client=client,
                supplier=supplier,
                gap=_change(row.gap, previous_gap),
                growing_apart=_growing_apart(client, supplier, row.gap, previous_gap, thresholds),
            )
        )
    return tuple(rows)


def drift(current: AccountFit, previous: AccountFit, thresholds: Thresholds) -> Drift:
    """Drift of one account; each wave is scored with its own pinned scoring version before it comes here.

    "Growing apart" (rule 12) when the client or the supplier overall fit falls by more than the gap
    threshold, or |overall gap| grows by more than it. Rule 7 lists "growing apart >" among the comparisons
    in which a value exactly at the threshold reaches it, so with the default 15 a fall of exactly 15.0 (or a
    widening of |gap| from 5 to 20) is growing apart, and so is a float-noisy 14.999999999999993; a fall of
    14.9 is not: only float noise (up to 1e-9) below the threshold counts. Each comparison needs its values
    in both waves. A dimension is growing apart on the same test, with its own scores and gap.
    """
    now, before = current.overall, previous.overall
    client = _change(now.client, before.client)
    supplier = _change(now.supplier, before.supplier)
    return Drift(
        client=client,
        supplier=supplier,
        gap=_change(now.gap, before.gap),
        growing_apart=_growing_apart(client, supplier, now.gap, before.gap, thresholds),
        dimensions=dimension_drift(current.dimensions, previous.dimensions, thresholds),
    )


def drift_by_account(
    current: Iterable[AccountFit], previous: Iterable[AccountFit], thresholds: Thresholds
) -> dict[int, Drift]:
    """Drift per account that has at least one overall fit to compare across the two waves.

    Accounts are matched by id, never by name, so a renamed account keeps its history. An account without a
    comparable overall fit (new in scope, no responses in one of the waves, or only the client in one wave and
    only the supplier in the other) has no entry; the caller shows it as null.
    """
    earlier = {fit.account_id: fit for fit in previous}
    result = {}
    for fit in current:
        if fit.overall.client is None and fit.overall.supplier is None:
            continue  # nothing to compare (both changes would be None): most accounts while fieldwork runs
        before = earlier.get(fit.account_id)
        if before is not None:
            change = drift(fit, before, thresholds)
            if change.client is not None or change.supplier is not None:
                result[fit.account_id] = change
    return result
