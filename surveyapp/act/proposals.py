"""Pure rules of the act phase: the decision the quadrant proposes, and how an account fared after one.

No database, no Flask: the callers pass values of the analysis JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from surveyapp.enums import DecisionKind, Quadrant

EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed decision; `to_be_confirmed` marks one a researcher must look at with extra care (exit)."""

    kind: DecisionKind
    to_be_confirmed: bool = False


PROPOSALS: dict[Quadrant, Proposal | None] = {
    Quadrant.MATCH: Proposal(DecisionKind.CONTINUE),
    Quadrant.CUSTOMER_SWAYED: Proposal(DecisionKind.REALIGN),
    Quadrant.BLIND_SPOT: Proposal(DecisionKind.REALIGN),
    Quadrant.MISFIT: Proposal(DecisionKind.EXIT, to_be_confirmed=True),
    Quadrant.INCOMPLETE: None,
}


def propose(quadrant: Quadrant | str) -> Proposal | None:
    """The default decision for an account in this quadrant; None for an incomplete account."""
    return PROPOSALS[Quadrant(quadrant)]


def is_override(kind: DecisionKind, proposal: Proposal | None) -> bool:
    """Whether a decision departs from the proposal (and so needs a reason)."""
    return proposal is not None and kind != proposal.kind


class Change(StrEnum):
    """How the fit moved between the wave of a decision and the next wave."""

    CLOSER = "closer"
    GROWING_APART = "growing_apart"
    NO_CLEAR_CHANGE = "no_clear_change"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """For an account of a follow-up wave: the previous wave's decision, its actions, and the change in fit."""

    decision: DecisionKind
    actions_done: int
    actions_total: int
    client_change: float | None
    supplier_change: float | None
    gap_change: float | None
    change: Change


def fit_change(drift: Mapping[str, Any] | None, overall_gap: float | None, threshold: float) -> Change:
    """Classify an account's drift (rule 12 values of the analysis JSON) with the gap threshold.

    Growing apart is the document's own flag. "Closer" mirrors it: an overall fit rose, or |overall gap|
    narrowed, by the gap threshold or more (a value at the threshold reaches it). Anything in between is no
    clear change; an account without drift (not in both waves with responses) is not measured.
    """
    if drift is None:
        return Change.NOT_MEASURED
    if drift.get("growing_apart"):
        return Change.GROWING_APART
    rises = [value for value in (drift.get("client"), drift.get("supplier")) if value is not None]
    narrowing = None
    gap_change = drift.get("gap")
    if overall_gap is not None and gap_change is not None:
        narrowing = abs(overall_gap - gap_change) - abs(overall_gap)
    if any(rise >= threshold - EPSILON for rise in rises) or (
        narrowing is not None and narrowing >= threshold - EPSILON
    ):
        return Change.CLOSER
    return Change.NO_CLEAR_CHANGE


def follow_up(
    *,
    decision: DecisionKind,
    statuses: list[str],
    drift: Mapping[str, Any] | None,
    overall_gap: float | None,
    threshold: float,
) -> FollowUp:
    """The follow-up of one account: the previous decision, its actions done of those not dropped, the drift."""
    counted = [status for status in statuses if status != "dropped"]
    return FollowUp(
        decision=decision,
        actions_done=sum(1 for status in counted if status == "done"),
        actions_total=len(counted),
        client_change=None if drift is None else drift.get("client"),
        supplier_change=None if drift is None else drift.get("supplier"),
        gap_change=None if drift is None else drift.get("gap"),
        change=fit_change(drift, overall_gap, threshold),
    )
