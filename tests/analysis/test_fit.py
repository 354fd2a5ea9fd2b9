"""Rules 5 and 7: overall fit per perspective over its own dimensions, and the quadrant."""

import pytest

from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_respondents
from surveyapp.analysis.fit import OverallFit, account_overall, assess_account, overall_fit, quadrant
from surveyapp.analysis.inputs import DimensionSpec, FitModel, RespondentDimensionScore
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, Quadrant

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT
MODEL = FitModel(
    (
        DimensionSpec("needs", 2.0),
        DimensionSpec("errors"),
        DimensionSpec("effort", 3.0),
        DimensionSpec("energy"),
    )
)


def _index(*rows):
    return AccountScoreIndex(
        account_scores_from_respondents(
            RespondentDimensionScore(account, respondent, perspective, dimension, score)
            for account, respondent, perspective, dimension, score in rows
        )
    )


def test_overall_fit_weighted_mean_of_present_dimensions():
    # Arrange: client scores needs (weight 2) and errors (weight 1) only
    means = {"needs": 80.0, "errors": 50.0}

    # Act
    fit = overall_fit(means, MODEL)

    # Assert: (80*2 + 50*1) / (2 + 1) = 210 / 3 = 70
    assert fit == 70.0


def test_overall_fit_differing_dimension_sets_per_perspective():
    # Arrange: the supplier also judges effort (weight 3) and energy (weight 1); the client cannot
    index = _index(
        (1, 1, CLIENT, "needs", 80.0),
        (1, 1, CLIENT, "errors", 50.0),
        (1, 9, SUPPLIER, "needs", 80.0),
        (1, 9, SUPPLIER, "errors", 50.0),
        (1, 9, SUPPLIER, "effort", 20.0),
        (1, 9, SUPPLIER, "energy", 40.0),
    )

    # Act
    overall = account_overall(1, index, MODEL)

    # Assert:
    #   client   = (80*2 + 50*1) / 3 = 70
    #   supplier = (80*2 + 50*1 + 20*3 + 40*1) / (2+1+3+1) = (160+50+60+40) / 7 = 310 / 7
    #   gap      = 70 - 310/7 = 180/7: the content client who is a costly one
    assert overall == OverallFit(1, 70.0, 310 / 7)
    assert overall.gap == 70.0 - 310 / 7


def test_overall_fit_no_scores_is_none():
    # Act / Assert
    assert overall_fit({}, MODEL) is None


def test_overall_fit_unknown_dimension_raises():
    # Act / Assert
    with pytest.raises(ValueError, match="not declared"):
        overall_fit({"mystery": 50.0}, MODEL)


def test_overall_fit_ignores_supplier_predicts_client():
    # Arrange: predictions never enter overall fit or quadrant (rule 10)
    index = _index(
        (1, 1, CLIENT, "needs", 70.0), (1, 9, SUPPLIER, "needs", 70.0), (1, 9, PREDICTED, "needs", 0.0)
    )

    # Act
    fit = assess_account(1, index, MODEL, Thresholds())

    # Assert
    assert fit.overall == OverallFit(1, 70.0, 70.0)
    assert fit.quadrant is Quadrant.MATCH


@pytest.mark.parametrize(
    ("client", "supplier", "expected"),
    [
        (60.0, 60.0, Quadrant.MATCH),  # exactly at the threshold reaches it
        (60.0, 59.9, Quadrant.CUSTOMER_SWAYED),
        (59.9, 60.0, Quadrant.BLIND_SPOT),
        (59.9, 59.9, Quadrant.MISFIT),
        (100.0, 0.0, Quadrant.CUSTOMER_SWAYED),
        (60.0 - 1e-10, 60.0 - 1e-10, Quadrant.MATCH),  # float noise under the edge
        (60.0, None, Quadrant.INCOMPLETE),
        (None, 80.0, Quadrant.INCOMPLETE),
        (None, None, Quadrant.INCOMPLETE),
    ],
)
def test_quadrants_and_edges(client, supplier, expected):
    # Act / Assert
    assert quadrant(OverallFit(1, client, supplier), Thresholds()) is expected


def test_quadrant_custom_threshold():
    # Arrange
    thresholds = Thresholds(quadrant=70.0)

    # Act / Assert
    assert quadrant(OverallFit(1, 69.0, 71.0), thresholds) is Quadrant.BLIND_SPOT


def test_assess_account_one_perspective_missing_incomplete():
    # Arrange: only clients answered
    index = _index((1, 1, CLIENT, "needs", 90.0), (1, 2, CLIENT, "needs", 70.0))

    # Act
    fit = assess_account(1, index, MODEL, Thresholds())

    # Assert: mean 80 for the client, no supplier overall, no gap
    assert fit.quadrant is Quadrant.INCOMPLETE
    assert fit.overall == OverallFit(1, 80.0, None)
    assert fit.overall.gap is None
    assert [(row.dimension, row.gap, row.flagged) for row in fit.dimensions] == [("needs", None, False)]
    assert fit.understanding is None
