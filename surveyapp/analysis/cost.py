"""Rule 11: the cost of mismatch, in non-billable hours and in "equivalent matching clients"."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from surveyapp.analysis.inputs import AccountFigures
from surveyapp.enums import Quadrant

#: The quadrants whose unpaid effort counts as the cost of mismatch.
MISMATCH_QUADRANTS = (Quadrant.MISFIT, Quadrant.CUSTOMER_SWAYED)

#: Stable reason code (reports translate it) and its English text for a missing "equivalent matching clients".
NO_MATCH_ACCOUNT_WITH_EFFORT = "no_match_account_with_effort"
REASON_TEXTS = {
    NO_MATCH_ACCOUNT_WITH_EFFORT: (
        "No account in the match quadrant has effort hours above zero, so there is no typical matching "
        "client to express the hours in."
    ),
}


@dataclass(frozen=True, slots=True)
class CostOfMismatch:
    """Non-billable hours on mismatched accounts and what they would buy in matching clients.

    `equivalent_matching_clients` and `median_match_hours` are None exactly when `reason` (a stable code from
    this module) says why; `reason_text` is its English text.
    """

    nonbillable_hours: float
    accounts: int
    median_match_hours: float | None
    match_accounts: int
    equivalent_matching_clients: float | None
    reason: str | None

    @property
    def reason_text(self) -> str | None:
        """English explanation of `reason`, or None when there is none."""
        return None if self.reason is None else REASON_TEXTS[self.reason]


def cost_of_mismatch(quadrants: Mapping[int, Quadrant], figures: Iterable[AccountFigures]) -> CostOfMismatch:
    """Rule 11 over the study's accounts.

    non-billable hours = Σ max(0, effort − billable) over misfit and customer_swayed accounts that have both
    figures (`accounts` counts them; accounts with effort below billable count with 0). The divisor is the
    median effort of match accounts with effort > 0 (an even count averages the middle two). Without such an
    account, the equivalent is None with reason `no_match_account_with_effort`. Accounts missing from
    `quadrants` take no part.
    """
    unpaid: list[float] = []
    match_effort: list[float] = []
    for account in figures:
        account_quadrant = quadrants.get(account.account_id)
        if account_quadrant in MISMATCH_QUADRANTS:
            if account.effort_hours is not None and account.billable_hours is not None:
                unpaid.append(max(0.0, account.effort_hours - account.billable_hours))
        elif (
            account_quadrant is Quadrant.MATCH
            and account.effort_hours is not None
            and account.effort_hours > 0
        ):
            match_effort.append(account.effort_hours)
    nonbillable = math.fsum(unpaid)
    if not match_effort:
        return CostOfMismatch(
            nonbillable_hours=nonbillable,
            accounts=len(unpaid),
            median_match_hours=None,
            match_accounts=0,
            equivalent_matching_clients=None,
            reason=NO_MATCH_ACCOUNT_WITH_EFFORT,
        )
    median = statistics.median(match_effort)
    return CostOfMismatch(
        nonbillable_hours=nonbillable,
        accounts=len(unpaid),
        median_match_hours=median,
        match_accounts=len(match_effort),
        equivalent_matching_clients=nonbillable / median,
        reason=None,
    )
