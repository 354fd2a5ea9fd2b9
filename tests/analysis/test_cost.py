"""Rule 11 (method v2): the cost of mismatch — non-billable hours, the excess beyond what a matching client
costs (the baseline share), and that excess in matching clients and in revenue, per account and for the
misfit and customer_swayed accounts of the portfolio."""

import pytest

from surveyapp.analysis.accounts import AccountDimensionScore
from surveyapp.analysis.cost import (
    NO_MATCH_ACCOUNT_WITH_EFFORT,
    NO_MATCH_ACCOUNT_WITH_REVENUE,
    AccountCost,
    CostBasis,
    CostOfMismatch,
    account_cost,
    cost_basis,
    cost_of_mismatch,
)
from surveyapp.analysis.inputs import AccountFigures, DimensionSpec, FitModel
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, Quadrant


def _figures(account_id, effort, billable, revenue=None):
    return AccountFigures(
        account_id,
        f"Account {account_id}",
        annual_revenue=revenue,
        effort_hours=effort,
        billable_hours=billable,
    )


# Overall fits (one dimension, threshold 60) that put an account in a quadrant: client, supplier.
_QUADRANT_SCORES = {
    Quadrant.MATCH: (80.0, 80.0),
    Quadrant.CUSTOMER_SWAYED: (80.0, 20.0),
    Quadrant.BLIND_SPOT: (20.0, 80.0),
    Quadrant.MISFIT: (20.0, 20.0),
}


def _document(accounts):
    """The analysis JSON of a study whose accounts are (figures, quadrant) pairs."""
    scores = []
    for figures, quadrant in accounts:
        client, supplier = _QUADRANT_SCORES[quadrant]
        for perspective, mean in ((Perspective.CLIENT, client), (Perspective.SUPPLIER, supplier)):
            scores.append(AccountDimensionScore(figures.account_id, perspective, "needs", mean, 3, 0.0))
    analysis = analyse_study(
        study="wave",
        scoring_version="v1",
        provisional=False,
        fit_model=FitModel((DimensionSpec("needs"),)),
        thresholds=Thresholds(),
        accounts=[figures for figures, _ in accounts],
        account_scores=scores,
    )
    return build_analysis_document(analysis)


def test_cost_of_mismatch_median_even_count():
    # Arrange
    quadrants = {
        1: Quadrant.MISFIT,  # 300 - 200 = 100 non-billable
        2: Quadrant.CUSTOMER_SWAYED,  # 400 - 100 = 300 non-billable
        3: Quadrant.CUSTOMER_SWAYED,  # 150 - 180 < 0: counts as 0
        4: Quadrant.MISFIT,  # no effort figure: left out
        5: Quadrant.BLIND_SPOT,  # not a mismatch quadrant
        6: Quadrant.INCOMPLETE,
        7: Quadrant.MATCH,  # effort 100, non-billable 0: share 0; revenue 50,000
        8: Quadrant.MATCH,  # effort 300, non-billable 75: share 0.25; revenue 70,000
        9: Quadrant.MATCH,  # effort 0: not a basis for comparison
        10: Quadrant.MATCH,  # effort unknown
    }
    figures = [
        _figures(1, 300, 200),
        _figures(2, 400, 100),
        _figures(3, 150, 180),
        _figures(4, None, 50),
        _figures(5, 900, 0),
        _figures(6, 900, 0),
        _figures(7, 100, 100, 50_000),
        _figures(8, 300, 225, 70_000),
        _figures(9, 0, 0),
        _figures(10, None, 10),
    ]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: baseline b = median(0, 0.25) = 0.125; median effort (100 + 300)/2 = 200; median revenue
    # (50,000 + 70,000)/2 = 60,000.
    # non-billable 100 + 300 + 0 = 400 over 3 accounts; excess (100 - 0.125*300) + (300 - 0.125*400) + 0
    # = 62.5 + 250 = 312.5; 312.5 / 200 = 1.5625 matching clients; x 60,000 = 93,750
    assert cost == CostOfMismatch(
        nonbillable_hours=400.0,
        excess_hours=312.5,
        accounts=3,
        basis=CostBasis(
            baseline_share=0.125,
            baseline_accounts=2,
            median_match_hours=200.0,
            match_accounts=2,
            median_match_revenue=60_000.0,
            revenue_accounts=2,
        ),
        equivalent_matching_clients=1.5625,
        revenue_forgone=93_750.0,
    )
    assert (cost.reason, cost.reason_text) == (None, None)


def test_cost_of_mismatch_median_odd_count():
    # Arrange: the match accounts are fully billable (baseline 0)
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH, 3: Quadrant.MATCH, 4: Quadrant.MATCH}
    figures = [_figures(1, 90, 0), _figures(2, 10, 10), _figures(3, 60, 60), _figures(4, 30, 30)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: median of (10, 30, 60) = 30; excess 90 - 0*90 = 90; 90 / 30 = 3
    assert (cost.baseline_share, cost.median_match_hours) == (0.0, 30.0)
    assert cost.equivalent_matching_clients == 3.0


def test_cost_of_mismatch_no_match_account_reason():
    # Arrange: the only match account has no effort above zero
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH}
    figures = [_figures(1, 250, 100), _figures(2, 0, 0)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: the hours are still known (150, all of it excess: baseline 0), the equivalent is not
    assert cost == CostOfMismatch(
        nonbillable_hours=150.0,
        excess_hours=150.0,
        accounts=1,
        basis=CostBasis(0.0, 0, None, 0, None, 0),
        equivalent_matching_clients=None,
        revenue_forgone=None,
    )
    assert cost.reason == NO_MATCH_ACCOUNT_WITH_EFFORT == "no_match_account_with_effort"
    assert cost.reason_text.startswith("No account in the match quadrant has effort hours")


def test_cost_of_mismatch_no_mismatch_zero_hours():
    # Arrange
    quadrants = {1: Quadrant.MATCH}
    figures = [_figures(1, 120, 100)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert
    assert (cost.nonbillable_hours, cost.accounts, cost.equivalent_matching_clients) == (0.0, 0, 0.0)


def test_cost_of_mismatch_baseline_from_one_match_account():
    # Arrange: one match account, 200 hours of which 150 billable, revenue 80,000
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH}
    figures = [_figures(1, 100, 50), _figures(2, 200, 150, 80_000)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: b = 50/200 = 0.25; misfit non-billable 100 - 50 = 50, excess 50 - 0.25*100 = 25;
    # 25 / 200 = 0.125 matching clients; x 80,000 = 10,000
    assert cost == CostOfMismatch(
        nonbillable_hours=50.0,
        excess_hours=25.0,
        accounts=1,
        basis=CostBasis(0.25, 1, 200.0, 1, 80_000.0, 1),
        equivalent_matching_clients=0.125,
        revenue_forgone=10_000.0,
    )


def test_cost_of_mismatch_without_match_account_baseline_zero_and_no_equivalent():
    # Arrange: no account is in the match quadrant at all
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.CUSTOMER_SWAYED, 3: Quadrant.BLIND_SPOT}
    figures = [_figures(1, 100, 40, 10_000), _figures(2, 50, 50), _figures(3, 80, 0, 20_000)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)
    basis = cost_basis(quadrants, figures)

    # Assert: b = 0, so every non-billable hour is excess: 60 + 0 = 60; nothing to divide by
    assert cost == CostOfMismatch(
        nonbillable_hours=60.0,
        excess_hours=60.0,
        accounts=2,
        basis=CostBasis(0.0, 0, None, 0, None, 0),
        equivalent_matching_clients=None,
        revenue_forgone=None,
    )
    assert cost.reason == NO_MATCH_ACCOUNT_WITH_EFFORT
    assert account_cost(figures[0], basis) == AccountCost(100.0, 40.0, 60.0, 60.0, None, None)


def test_cost_of_mismatch_match_accounts_without_revenue_has_no_revenue_forgone():
    # Arrange: two match accounts with effort, one without a revenue figure and one with revenue 0
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH, 3: Quadrant.MATCH}
    figures = [_figures(1, 400, 100), _figures(2, 100, 80), _figures(3, 300, 240, 0)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: b = median(20/100, 60/300) = 0.2; median effort (100 + 300)/2 = 200; no revenue above 0.
    # Non-billable 300, excess 300 - 0.2*400 = 220, 220 / 200 = 1.1 matching clients; revenue unknown
    assert cost == CostOfMismatch(
        nonbillable_hours=300.0,
        excess_hours=220.0,
        accounts=1,
        basis=CostBasis(0.2, 2, 200.0, 2, None, 0),
        equivalent_matching_clients=220 / 200,
        revenue_forgone=None,
    )
    assert cost.reason == NO_MATCH_ACCOUNT_WITH_REVENUE == "no_match_account_with_revenue"
    assert cost.reason_text.startswith("No account in the match quadrant has an annual revenue")


def test_cost_basis_match_account_without_billable_counts_for_hours_not_for_baseline():
    # Arrange: match account 1 has both figures (share 50/100), match account 2 effort only
    quadrants = {1: Quadrant.MATCH, 2: Quadrant.MATCH}
    figures = [_figures(1, 100, 50), _figures(2, 300, None, 40_000)]

    # Act
    basis = cost_basis(quadrants, figures)

    # Assert: b over account 1 alone = 0.5; median effort (100 + 300)/2 = 200; revenue 40,000 (account 2)
    assert basis == CostBasis(0.5, 1, 200.0, 2, 40_000.0, 1)


@pytest.mark.parametrize(
    ("effort", "billable"),
    [
        (0, 0),  # no effort: nothing to relate the hours to
        (0, None),
        (None, 50),  # effort unknown
        (100, None),  # billable unknown
    ],
)
def test_account_cost_without_effort_or_billable_is_none(effort, billable):
    # Arrange
    basis = CostBasis(0.25, 1, 200.0, 1, 80_000.0, 1)

    # Act / Assert
    assert account_cost(_figures(1, effort, billable, 10_000), basis) is None


def test_account_cost_of_a_match_account_beyond_the_baseline():
    # Arrange: three match accounts of 100 hours with non-billable 0, 50 and 25
    quadrants = {1: Quadrant.MATCH, 2: Quadrant.MATCH, 3: Quadrant.MATCH}
    figures = [_figures(1, 100, 100, 10_000), _figures(2, 100, 50, 20_000), _figures(3, 100, 75, 30_000)]
    basis = cost_basis(quadrants, figures)

    # Act
    own = [account_cost(account, basis) for account in figures]
    portfolio = cost_of_mismatch(quadrants, figures)

    # Assert: b = median(0, 0.5, 0.25) = 0.25; account 2: excess 50 - 0.25*100 = 25, 25 / 100 = 0.25
    # matching clients, x median revenue 20,000 = 5,000; account 1 costs less than the baseline (0) and
    # account 3 exactly the baseline (0). The portfolio sums only misfit and customer_swayed: nothing.
    assert own == [
        AccountCost(100.0, 100.0, 0.0, 0.0, 0.0, 0.0),
        AccountCost(100.0, 50.0, 50.0, 25.0, 0.25, 5_000.0),
        AccountCost(100.0, 75.0, 25.0, 0.0, 0.0, 0.0),
    ]
    assert (portfolio.accounts, portfolio.nonbillable_hours, portfolio.excess_hours) == (0, 0.0, 0.0)


def test_cost_in_document_null_without_effort_or_billable():
    # Arrange: a misfit with effort 0, a misfit without billable hours, a match account with figures
    accounts = [
        (_figures(1, 0, 0, 5_000), Quadrant.MISFIT),
        (_figures(2, 100, None, 5_000), Quadrant.MISFIT),
        (_figures(3, 100, 100, 5_000), Quadrant.MATCH),
    ]

    # Act
    document = _document(accounts)

    # Assert: no cost for accounts 1 and 2, and they count for no portfolio figure
    costs = {entry["account"]: entry["cost"] for entry in document["accounts"]}
    assert costs == {
        "Account 1": None,
        "Account 2": None,
        "Account 3": {
            "effort_hours": 100.0,
            "billable_hours": 100.0,
            "nonbillable_hours": 0.0,
            "excess_hours": 0.0,
            "equivalent_matching_clients": 0.0,
            "revenue_forgone": 0,
        },
    }
    assert document["portfolio"]["cost_of_mismatch"] == {
        "accounts": 0,
        "nonbillable_hours": 0.0,
        "excess_hours": 0.0,
        "baseline_share": 0.0,
        "match_accounts": 1,  # account 3
        "median_match_hours": 100.0,
        "median_match_revenue": 5000,
        "equivalent_matching_clients": 0.0,
        "revenue_forgone": 0,
        "reason": None,
    }


def test_cost_in_document_money_rounds_half_up_to_whole_units():
    # Arrange: two fully billable match accounts of 100 hours with revenue 45,000 and 45,001; one misfit of
    # 300 hours, 200 billable
    accounts = [
        (_figures(1, 100, 100, 45_000), Quadrant.MATCH),
        (_figures(2, 100, 100, 45_001), Quadrant.MATCH),
        (_figures(3, 300, 200), Quadrant.MISFIT),
    ]

    # Act
    document = _document(accounts)

    # Assert: median revenue (45,000 + 45,001)/2 = 45,000.5 -> 45,001 (half-up, not half-even's 45,000);
    # b = 0: the misfit's excess is its 100 non-billable hours, 100 / 100 = 1 matching client, x 45,000.5 =
    # 45,000.5 -> 45,001; money is a whole number (int) in the JSON
    cost = document["portfolio"]["cost_of_mismatch"]
    assert (cost["median_match_revenue"], cost["revenue_forgone"]) == (45_001, 45_001)
    assert type(cost["revenue_forgone"]) is int
    misfit = next(entry for entry in document["accounts"] if entry["account"] == "Account 3")
    assert misfit["cost"] == {
        "effort_hours": 300.0,
        "billable_hours": 200.0,
        "nonbillable_hours": 100.0,
        "excess_hours": 100.0,
        "equivalent_matching_clients": 1.0,
        "revenue_forgone": 45_001,
    }


def test_cost_in_document_baseline_share_has_three_decimals_and_reason_code():
    # Arrange: one match account, 300 hours of which 299 billable (share 1/300), no revenue; a
    # customer_swayed account of 30 hours, 20 billable
    accounts = [
        (_figures(1, 300, 299), Quadrant.MATCH),
        (_figures(2, 30, 20), Quadrant.CUSTOMER_SWAYED),
    ]

    # Act
    cost = _document(accounts)["portfolio"]["cost_of_mismatch"]

    # Assert: b = 1/300 = 0.00333 -> 0.003; excess 10 - 30/300 = 9.9; 9.9 / 300 = 0.033 -> 0.0; no revenue
    assert cost == {
        "accounts": 1,
        "nonbillable_hours": 10.0,
        "excess_hours": 9.9,
        "baseline_share": 0.003,
        "match_accounts": 1,
        "median_match_hours": 300.0,
        "median_match_revenue": None,
        "equivalent_matching_clients": 0.0,
        "revenue_forgone": None,
        "reason": "no_match_account_with_revenue",
    }
