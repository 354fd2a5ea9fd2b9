"""Rules 6 and 10: dimension gaps (client - supplier) and understanding gaps (predicted - client)."""

import pytest

from surveyapp.analysis.accounts import (
    AccountDimensionScore,
    AccountScoreIndex,
    account_scores_from_respondents,
)
from surveyapp.analysis.fit import DimensionGap, UnderstandingGap, assess_account, gap_between
from surveyapp.analysis.inputs import DimensionSpec, FitModel, RespondentDimensionScore
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT
MODEL = FitModel((DimensionSpec("needs"), DimensionSpec("errors"), DimensionSpec("effort")))


def _cell(perspective, mean, dimension="needs"):
    return AccountDimensionScore(1, perspective, dimension, mean, 1, None)


@pytest.mark.parametrize(
    ("client", "supplier", "expected_gap", "expected_flag"),
    [
        (75.0, 60.0, 15.0, True),  # exactly the gap threshold: flagged
        (60.0, 75.0, -15.0, True),  # |gap| counts: -15 is flagged too
        (64.1, 49.1, 64.1 - 49.1, True),  # 14.999999999999993 in floats: flagged thanks to the tolerance
        (74.9, 60.0, 74.9 - 60.0, False),  # 14.9
        (60.0, 74.9, 60.0 - 74.9, False),
        (50.0, 50.0, 0.0, False),
    ],
)
def test_gap_between_threshold_edges(client, supplier, expected_gap, expected_flag):
    # Act
    gap, flagged = gap_between(_cell(CLIENT, client), _cell(SUPPLIER, supplier), Thresholds())

    # Assert
    assert gap == expected_gap
    assert flagged is expected_flag


@pytest.mark.parametrize("missing", ["client", "supplier"])
def test_gap_between_one_side_missing_none_unflagged(missing):
    # Arrange
    client = None if missing == "client" else _cell(CLIENT, 90.0)
    supplier = None if missing == "supplier" else _cell(SUPPLIER, 10.0)

    # Act / Assert
    assert gap_between(client, supplier, Thresholds()) == (None, False)


def test_assess_account_dimension_rows_in_given_order_with_empty_rows():
    # Arrange
    index = AccountScoreIndex(
        account_scores_from_respondents(
            [
                RespondentDimensionScore(1, 1, CLIENT, "needs", 80.0),
                RespondentDimensionScore(1, 2, CLIENT, "needs", 60.0),
                RespondentDimensionScore(1, 9, SUPPLIER, "needs", 50.0),
                RespondentDimensionScore(1, 9, SUPPLIER, "effort", 30.0),
            ]
        )
    )

    # Act: the study asks for every row it has anywhere, "errors" included
    fit = assess_account(1, index, MODEL, Thresholds(), dimension_keys=("needs", "errors", "effort"))

    # Assert: needs client mean (80+60)/2 = 70, gap 70 - 50 = 20 >= 15 flagged; errors empty; effort one-sided
    needs_client = index.cell(1, CLIENT, "needs")
    assert fit.dimensions == (
        DimensionGap("needs", needs_client, index.cell(1, SUPPLIER, "needs"), 20.0, True),
        DimensionGap("errors", None, None, None, False),
        DimensionGap("effort", None, index.cell(1, SUPPLIER, "effort"), None, False),
    )
    # overall gap like for like over the shared needs (rule 6): 70 - 50 = 20, not 70 - (50 + 30)/2 = 30
    assert (fit.overall.gap, fit.overall.shared_dimensions) == (20.0, 1)


def test_assess_account_understanding_gap_predicted_minus_client():
    # Arrange: staff predict the client's needs 85 (client says 70) and errors 55 (client says 60)
    index = AccountScoreIndex(
        account_scores_from_respondents(
            [
                RespondentDimensionScore(1, 1, CLIENT, "needs", 70.0),
                RespondentDimensionScore(1, 1, CLIENT, "errors", 60.0),
                RespondentDimensionScore(1, 9, PREDICTED, "needs", 85.0),
                RespondentDimensionScore(1, 9, PREDICTED, "errors", 55.0),
                RespondentDimensionScore(1, 9, SUPPLIER, "needs", 70.0),
            ]
        )
    )

    # Act
    fit = assess_account(1, index, MODEL, Thresholds())

    # Assert: needs 85 - 70 = 15 flagged (edge); errors 55 - 60 = -5 not flagged
    assert fit.understanding == (
        UnderstandingGap(
            "needs", index.cell(1, PREDICTED, "needs"), index.cell(1, CLIENT, "needs"), 15.0, True
        ),
        UnderstandingGap(
            "errors", index.cell(1, PREDICTED, "errors"), index.cell(1, CLIENT, "errors"), -5.0, False
        ),
    )
    # ...and never part of the overall fit: client (70+60)/2 = 65, supplier 70
    assert (fit.overall.client, fit.overall.supplier) == (65.0, 70.0)


def test_assess_account_understanding_without_client_gap_none():
    # Arrange: a prediction for a dimension the client did not score
    index = AccountScoreIndex(
        account_scores_from_respondents([RespondentDimensionScore(1, 9, PREDICTED, "effort", 40.0)])
    )

    # Act
    fit = assess_account(1, index, MODEL, Thresholds())

    # Assert
    assert fit.understanding == (
        UnderstandingGap("effort", index.cell(1, PREDICTED, "effort"), None, None, False),
    )
