"""Rules 5, 6 and 7: overall fit per perspective over its own dimensions, the like-for-like overall gap, and
the quadrant."""

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
    #   gap      = like for like over needs and errors (rule 6): 70 - (80*2 + 50)/3 = 70 - 70 = 0; the
    #              supplier-only effort and energy are not hidden in it (not 70 - 310/7 = 180/7): the
    #              content client who is a costly one shows in the overalls and the quadrant
    #   n        = one client, one staff member
    assert overall == OverallFit(1, 70.0, 310 / 7, gap=0.0, shared_dimensions=2, client_n=1, supplier_n=1)


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
    assert fit.overall == OverallFit(1, 70.0, 70.0, gap=0.0, shared_dimensions=1, client_n=1, supplier_n=1)
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

    # Assert: mean 80 for the client (2 respondents), no supplier overall, nothing shared: no gap
    assert fit.quadrant is Quadrant.INCOMPLETE
    assert fit.overall == OverallFit(1, 80.0, None, gap=None, shared_dimensions=0, client_n=2, supplier_n=0)
    assert [(row.dimension, row.gap, row.flagged) for row in fit.dimensions] == [("needs", None, False)]
    assert fit.understanding is None


def test_account_overall_like_for_like_gap_with_weights_and_supplier_only_dimensions():
    # Arrange: needs (weight 2) and errors (1) scored by both; effort (3) and energy (1) by the supplier only
    index = _index(
        (1, 1, CLIENT, "needs", 90.0),
        (1, 1, CLIENT, "errors", 60.0),
        (1, 9, SUPPLIER, "needs", 70.0),
        (1, 9, SUPPLIER, "errors", 30.0),
        (1, 9, SUPPLIER, "effort", 20.0),
        (1, 9, SUPPLIER, "energy", 40.0),
    )

    # Act
    overall = account_overall(1, index, MODEL)

    # Assert:
    #   client   = (90*2 + 60) / 3 = 240/3 = 80
    #   supplier = (70*2 + 30 + 20*3 + 40) / 7 = 270/7 = 38.57 (rule 5: its own dimensions)
    #   gap      = 80 - (70*2 + 30)/3 = 80 - 170/3 = 70/3 = 23.33 over 2 shared dimensions, not
    #              80 - 270/7 = 290/7 = 41.43
    assert overall == OverallFit(
        1, 80.0, 270 / 7, gap=80.0 - 170 / 3, shared_dimensions=2, client_n=1, supplier_n=1
    )
    assert overall.gap != overall.client - overall.supplier


def test_account_overall_without_shared_dimension_has_no_gap():
    # Arrange: the client scored needs only, the supplier effort only
    index = _index((1, 1, CLIENT, "needs", 80.0), (1, 9, SUPPLIER, "effort", 30.0))

    # Act
    fit = assess_account(1, index, MODEL, Thresholds())

    # Assert: both overalls exist (the quadrant uses them: 80 fits, 30 does not), nothing to compare
    assert fit.overall == OverallFit(1, 80.0, 30.0, gap=None, shared_dimensions=0, client_n=1, supplier_n=1)
    assert fit.quadrant is Quadrant.CUSTOMER_SWAYED


def test_account_overall_n_is_the_largest_cell_without_respondent_counts():
    # Arrange: clients 1 and 2 scored needs, client 3 errors only; one staff member
    index = _index(
        (1, 1, CLIENT, "needs", 80.0),
        (1, 2, CLIENT, "needs", 60.0),
        (1, 3, CLIENT, "errors", 50.0),
        (1, 9, SUPPLIER, "needs", 70.0),
    )

    # Act
    overall = account_overall(1, index, MODEL)

    # Assert: without the database's counts n is the largest cell n, a lower bound (2, where 3 scored);
    # tests/analysis/test_headline.py gives the counts through analyse_study(scored_respondents=...)
    assert (overall.client_n, overall.supplier_n) == (2, 1)


def test_overall_fit_without_sensitive_dimensions_beside_the_supplier_overall():
    # Arrange: energy is sensitive (rule 18); the supplier scored needs 80 (weight 2), energy 20 (weight 2, as
    # scoring.yaml weighs team energy) and effort 50 (weight 1)
    model = FitModel(
        (DimensionSpec("needs", 2.0), DimensionSpec("energy", 2.0, sensitive=True), DimensionSpec("effort"))
    )
    index = _index(
        (1, 1, SUPPLIER, "needs", 80.0), (1, 1, SUPPLIER, "energy", 20.0), (1, 1, SUPPLIER, "effort", 50.0)
    )

    # Act
    overall = account_overall(1, index, model)

    # Assert: (2*80 + 2*20 + 50) / 5 = 50.0 with energy; (2*80 + 50) / 3 = 70.0 without it
    assert (overall.supplier, overall.supplier_without_sensitive) == (50.0, 70.0)


def test_overall_fit_without_sensitive_dimensions_is_none_when_none_was_scored():
    # Arrange
    model = FitModel((DimensionSpec("needs", 2.0), DimensionSpec("energy", 2.0, sensitive=True)))
    index = _index((1, 1, SUPPLIER, "needs", 80.0))

    # Act
    overall = account_overall(1, index, model)

    # Assert
    assert (overall.supplier, overall.supplier_without_sensitive) == (80.0, None)
