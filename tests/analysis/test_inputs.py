"""Input rows validate themselves, so an upstream bug fails loudly instead of becoming a plausible number."""

from decimal import Decimal

import pytest

from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    AccountFigures,
    DimensionSpec,
    FitModel,
    ItemMatrix,
    ResponseCounts,
    SignalAggregate,
)
from surveyapp.enums import Perspective


def test_fit_model_keys_in_order_and_weights():
    # Arrange
    model = FitModel((DimensionSpec("needs", 2), DimensionSpec("effort")))

    # Act / Assert
    assert model.keys == ("needs", "effort")
    assert (model.weight("needs"), model.weight("effort")) == (2.0, 1.0)
    assert model.ordered({"effort", "needs"}) == ("needs", "effort")


def test_fit_model_duplicate_keys_raise():
    # Act / Assert
    with pytest.raises(ValueError, match="duplicate"):
        FitModel((DimensionSpec("needs"), DimensionSpec("needs")))


@pytest.mark.parametrize("weight", [0, -1, float("inf")])
def test_dimension_spec_non_positive_weight_raises(weight):
    # Act / Assert
    with pytest.raises(ValueError, match="weight"):
        DimensionSpec("needs", weight)


def test_fit_model_unknown_dimension_raises():
    # Act / Assert
    with pytest.raises(ValueError, match="not declared"):
        FitModel((DimensionSpec("needs"),)).weight("mystery")


def test_account_figures_decimal_from_sql_becomes_float():
    # Arrange / Act
    figures = AccountFigures(1, "Acme", effort_hours=Decimal("120.5"), billable_hours=Decimal("100"))

    # Assert
    assert (figures.effort_hours, figures.billable_hours, figures.annual_revenue) == (120.5, 100.0, None)


def test_response_counts_completed_sums_modes():
    # Arrange / Act
    counts = ResponseCounts(1, "client", invited=3, survey=2, interview=1, imported=1)

    # Assert: interviews and imports need no invitation, so completed may exceed invited
    assert (counts.perspective, counts.completed) == (Perspective.CLIENT, 4)


@pytest.mark.parametrize(
    "build",
    [
        lambda: AccountDimensionAggregate(1, "client", "needs", -1, 0.0, 0.0),
        lambda: AccountDimensionAggregate(1, "client", "needs", 1, float("nan"), 0.0),
        lambda: SignalAggregate(1, "client", "q", 1, 101.0),
        lambda: ResponseCounts(1, "none"),
        lambda: ItemMatrix(Perspective.CLIENT, "needs", {(1, 1): {"q1": 120.0}}),
    ],
)
def test_input_rows_invalid_values_raise(build):
    # Act / Assert
    with pytest.raises(ValueError):
        build()
