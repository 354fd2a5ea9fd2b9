"""Rule 11: the cost of mismatch per account and for the portfolio — non-billable hours, the part beyond what a
matching client costs, and what that would buy in matching clients and in revenue."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from surveyapp.analysis.inputs import AccountFigures
from surveyapp.enums import Quadrant

#: The quadrants whose unpaid effort counts as the portfolio's cost of mismatch.
MISMATCH_QUADRANTS = (Quadrant.MISFIT, Quadrant.CUSTOMER_SWAYED)

#: Stable reason codes (reports translate them) and their English texts for a figure that cannot be formed.
NO_MATCH_ACCOUNT_WITH_EFFORT = "no_match_account_with_effort"
NO_MATCH_ACCOUNT_WITH_REVENUE = "no_match_account_with_revenue"
REASON_TEXTS = {
    NO_MATCH_ACCOUNT_WITH_EFFORT: (
        "No account in the match quadrant has effort hours above zero, so there is no typical matching "
        "client to express the hours in."
    ),
    NO_MATCH_ACCOUNT_WITH_REVENUE: (
        "No account in the match quadrant has an annual revenue above zero, so the matching clients cannot "
        "be expressed in revenue."
    ),
}


@dataclass(frozen=True, slots=True)
class CostBasis:
    """What a good client costs and brings, from the study's `match` accounts (rule 11).

    `baseline_share`: the median non-billable share of effort over match accounts with both figures and effort
    > 0 (0 when there is none: then every non-billable hour counts as excess). `median_match_hours` and
    `median_match_revenue`: the median effort (> 0) and annual revenue (> 0) of match accounts, None without
    one. An even count averages the middle two.
    """

    baseline_share: float
    baseline_accounts: int
    median_match_hours: float | None
    match_accounts: int
    median_match_revenue: float | None
    revenue_accounts: int

    def equivalent(self, excess_hours: float) -> float | None:
        """Excess hours expressed in matching clients: excess / median match effort."""
        return None if self.median_match_hours is None else excess_hours / self.median_match_hours

    def revenue(self, equivalent: float | None) -> float | None:
        """Matching clients expressed in revenue: equivalent × median match revenue."""
        if equivalent is None or self.median_match_revenue is None:
            return None
        return equivalent * self.median_match_revenue

    @property
    def reason(self) -> str | None:
        """Why the equivalent (first) or the revenue cannot be formed, as a stable code; None when both can."""
        if self.median_match_hours is None:
            return NO_MATCH_ACCOUNT_WITH_EFFORT
        if self.median_match_revenue is None:
            return NO_MATCH_ACCOUNT_WITH_REVENUE
        return None


@dataclass(frozen=True, slots=True)
class AccountCost:
    """Rule 11 for one account with effort > 0 and billable hours known."""

    effort_hours: float
    billable_hours: float
    nonbillable_hours: float
    excess_hours: float
    equivalent_matching_clients: float | None
    revenue_forgone: float | None


@dataclass(frozen=True, slots=True)
class CostOfMismatch:
    """The portfolio's cost of mismatch: over the misfit and customer_swayed accounts with figures (`accounts`).

    `equivalent_matching_clients` is None exactly when there is no match account with effort, and
    `revenue_forgone` also when there is none with revenue; `reason` (a stable code from this module) says
    which input is missing first, `reason_text` in English.
    """

    nonbillable_hours: float
    excess_hours: float
    accounts: int
    basis: CostBasis
    equivalent_matching_clients: float | None
    revenue_forgone: float | None

    @property
    def baseline_share(self) -> float:
        return self.basis.baseline_share

    @property
    def median_match_hours(self) -> float | None:
        return self.basis.median_match_hours

    @property
    def match_accounts(self) -> int:
        return self.basis.match_accounts

    @property
    def reason(self) -> str | None:
        return self.basis.reason

    @property
    def reason_text(self) -> str | None:
        """English explanation of `reason`, or None when there is none."""
        return None if self.reason is None else REASON_TEXTS[self.reason]


def _costed(account: AccountFigures) -> bool:
    """Rule 11 applies to an account with effort > 0 and billable hours known."""
    return (
        account.effort_hours is not None and account.effort_hours > 0 and account.billable_hours is not None
    )


def _nonbillable(account: AccountFigures) -> float:
    return max(0.0, account.effort_hours - account.billable_hours)  # type: ignore[operator]


def cost_basis(quadrants: Mapping[int, Quadrant], figures: Iterable[AccountFigures]) -> CostBasis:
    """The medians of rule 11 over the accounts in the `match` quadrant."""
    shares: list[float] = []
    efforts: list[float] = []
    revenues: list[float] = []
    for account in figures:
        if quadrants.get(account.account_id) is not Quadrant.MATCH:
            continue
        if account.effort_hours is not None and account.effort_hours > 0:
            efforts.append(account.effort_hours)
            if account.billable_hours is not None:
                shares.append(_nonbillable(account) / account.effort_hours)
        if account.annual_revenue is not None and account.annual_revenue > 0:
            revenues.append(account.annual_revenue)
    return CostBasis(
        baseline_share=statistics.median(shares) if shares else 0.0,
        baseline_accounts=len(shares),
        median_match_hours=statistics.median(efforts) if efforts else None,
        match_accounts=len(efforts),
        median_match_revenue=statistics.median(revenues) if revenues else None,
        revenue_accounts=len(revenues),
    )


def account_cost(account: AccountFigures, basis: CostBasis) -> AccountCost | None:
    """Rule 11 for one account (in any quadrant): None without effort > 0 and billable hours.

    non-billable = max(0, effort − billable); excess = max(0, non-billable − baseline share × effort): what it
    costs beyond what a good client costs; its equivalent in matching clients and in revenue (None without the
    match medians).
    """
    if not _costed(account):
        return None
    effort = account.effort_hours
    nonbillable = _nonbillable(account)
    excess = max(0.0, nonbillable - basis.baseline_share * effort)  # type: ignore[operator]
    equivalent = basis.equivalent(excess)
    return AccountCost(
        effort_hours=effort,  # type: ignore[arg-type]
        billable_hours=account.billable_hours,  # type: ignore[arg-type]
        nonbillable_hours=nonbillable,
        excess_hours=excess,
        equivalent_matching_clients=equivalent,
        revenue_forgone=basis.revenue(equivalent),
    )


def cost_of_mismatch(
    quadrants: Mapping[int, Quadrant],
    figures: Iterable[AccountFigures],
    costs: Mapping[int, AccountCost] | None = None,
) -> CostOfMismatch:
    """Rule 11 over the study's accounts: Σ non-billable and Σ excess over the misfit and customer_swayed
    accounts with figures, the excess in matching clients and in revenue. `costs` are the accounts' own
    (`account_cost`, computed here when not given). Accounts missing from `quadrants` take no part."""
    accounts = list(figures)
    basis = cost_basis(quadrants, accounts)
    if costs is None:
        costs = {
            account.account_id: cost
            for account in accounts
            if (cost := account_cost(account, basis)) is not None
        }
    mismatched = [
        costs[account.account_id]
        for account in accounts
        if quadrants.get(account.account_id) in MISMATCH_QUADRANTS and account.account_id in costs
    ]
    excess = math.fsum(cost.excess_hours for cost in mismatched)
    equivalent = basis.equivalent(excess)
    return CostOfMismatch(
        nonbillable_hours=math.fsum(cost.nonbillable_hours for cost in mismatched),
        excess_hours=excess,
        accounts=len(mismatched),
        basis=basis,
        equivalent_matching_clients=equivalent,
        revenue_forgone=basis.revenue(equivalent),
    )
