"""Rule 11: cost of mismatch — unpaid hours on misfit and customer_swayed accounts in matching clients."""

from surveyapp.analysis.cost import NO_MATCH_ACCOUNT_WITH_EFFORT, CostOfMismatch, cost_of_mismatch
from surveyapp.analysis.inputs import AccountFigures
from surveyapp.enums import Quadrant


def _figures(account_id, effort, billable):
    return AccountFigures(account_id, f"Account {account_id}", effort_hours=effort, billable_hours=billable)


def test_cost_of_mismatch_median_even_count():
    # Arrange
    quadrants = {
        1: Quadrant.MISFIT,  # 300 - 200 = 100 unpaid
        2: Quadrant.CUSTOMER_SWAYED,  # 400 - 100 = 300 unpaid
        3: Quadrant.CUSTOMER_SWAYED,  # 150 - 180 < 0: counts as 0
        4: Quadrant.MISFIT,  # no effort figure: left out
        5: Quadrant.BLIND_SPOT,  # not a mismatch quadrant
        6: Quadrant.INCOMPLETE,
        7: Quadrant.MATCH,  # effort 100
        8: Quadrant.MATCH,  # effort 300
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
        _figures(7, 100, 100),
        _figures(8, 300, 250),
        _figures(9, 0, 0),
        _figures(10, None, 10),
    ]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: unpaid = 100 + 300 + 0 = 400 over 3 accounts; median of (100, 300) = 200; 400 / 200 = 2
    assert cost == CostOfMismatch(
        nonbillable_hours=400.0,
        accounts=3,
        median_match_hours=200.0,
        match_accounts=2,
        equivalent_matching_clients=2.0,
        reason=None,
    )
    assert cost.reason_text is None


def test_cost_of_mismatch_median_odd_count():
    # Arrange
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH, 3: Quadrant.MATCH, 4: Quadrant.MATCH}
    figures = [_figures(1, 90, 0), _figures(2, 10, 0), _figures(3, 60, 0), _figures(4, 30, 0)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: median of (10, 30, 60) = 30; 90 / 30 = 3
    assert (cost.median_match_hours, cost.equivalent_matching_clients) == (30.0, 3.0)


def test_cost_of_mismatch_no_match_account_reason():
    # Arrange: the only match account has no effort above zero
    quadrants = {1: Quadrant.MISFIT, 2: Quadrant.MATCH}
    figures = [_figures(1, 250, 100), _figures(2, 0, 0)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert: the hours are still known (150), the equivalent is not
    assert cost == CostOfMismatch(
        nonbillable_hours=150.0,
        accounts=1,
        median_match_hours=None,
        match_accounts=0,
        equivalent_matching_clients=None,
        reason=NO_MATCH_ACCOUNT_WITH_EFFORT,
    )
    assert cost.reason == "no_match_account_with_effort"
    assert cost.reason_text.startswith("No account in the match quadrant")


def test_cost_of_mismatch_no_mismatch_zero_hours():
    # Arrange
    quadrants = {1: Quadrant.MATCH}
    figures = [_figures(1, 120, 100)]

    # Act
    cost = cost_of_mismatch(quadrants, figures)

    # Assert
    assert (cost.nonbillable_hours, cost.accounts, cost.equivalent_matching_clients) == (0.0, 0, 0.0)
