"""Rule 4: account score per perspective and dimension — mean, n, sd (n-1) — from respondents or SQL sums."""

import math

import pytest

from surveyapp.analysis.accounts import (
    AccountDimensionScore,
    AccountScoreIndex,
    account_scores_from_aggregates,
    account_scores_from_respondents,
)
from surveyapp.analysis.inputs import AccountDimensionAggregate, RespondentDimensionScore
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER


def test_account_scores_from_respondents_mean_n_and_sample_sd():
    # Arrange
    rows = [
        RespondentDimensionScore(1, 1, CLIENT, "needs", 60.0),
        RespondentDimensionScore(1, 2, CLIENT, "needs", 60.0),
        RespondentDimensionScore(1, 3, CLIENT, "needs", 90.0),
    ]

    # Act
    scores = account_scores_from_respondents(rows)

    # Assert: mean (60+60+90)/3 = 70; deviations -10,-10,20; SS = 100+100+400 = 600; sd = sqrt(600/2)
    assert scores == (AccountDimensionScore(1, CLIENT, "needs", 70.0, 3, math.sqrt(300.0)),)


def test_account_scores_from_respondents_sd_null_at_n_1():
    # Arrange
    rows = [RespondentDimensionScore(1, 1, SUPPLIER, "effort", 25.0)]

    # Act
    scores = account_scores_from_respondents(rows)

    # Assert: one respondent, no sample sd
    assert scores == (AccountDimensionScore(1, SUPPLIER, "effort", 25.0, 1, None),)


def test_account_scores_from_respondents_only_respondents_with_a_score_count():
    # Arrange: respondent 2 skipped every "errors" item, so has no errors score at all (never 0)
    rows = [
        RespondentDimensionScore(1, 1, CLIENT, "errors", 40.0),
        RespondentDimensionScore(1, 1, CLIENT, "needs", 80.0),
        RespondentDimensionScore(1, 2, CLIENT, "needs", 70.0),
    ]

    # Act
    scores = account_scores_from_respondents(rows)

    # Assert: errors n=1 mean 40; needs n=2 mean 75, sd = sqrt((5^2 + 5^2) / 1) = sqrt(50)
    assert scores == (
        AccountDimensionScore(1, CLIENT, "errors", 40.0, 1, None),
        AccountDimensionScore(1, CLIENT, "needs", 75.0, 2, math.sqrt(50.0)),
    )


def test_account_scores_from_respondents_duplicate_respondent_raises():
    # Arrange
    rows = [RespondentDimensionScore(1, 1, CLIENT, "needs", 60.0)] * 2

    # Act / Assert
    with pytest.raises(ValueError, match="two client scores"):
        account_scores_from_respondents(rows)


def test_account_scores_from_aggregates_equal_respondents_path():
    # Arrange: the same three respondents as sums: n=3, Σx = 210, Σx² = 3600+3600+8100 = 15300
    respondents = [
        RespondentDimensionScore(1, 1, CLIENT, "needs", 60.0),
        RespondentDimensionScore(1, 2, CLIENT, "needs", 60.0),
        RespondentDimensionScore(1, 3, CLIENT, "needs", 90.0),
        RespondentDimensionScore(2, 9, SUPPLIER, "effort", 35.0),
    ]
    aggregates = [
        AccountDimensionAggregate(1, CLIENT, "needs", 3, 210.0, 15300.0),
        AccountDimensionAggregate(2, SUPPLIER, "effort", 1, 35.0, 1225.0),
    ]

    # Act
    from_respondents = account_scores_from_respondents(respondents)
    from_aggregates = account_scores_from_aggregates(aggregates)

    # Assert: mean 210/3 = 70; sd = sqrt((15300 - 210²/3) / 2) = sqrt((15300 - 14700) / 2) = sqrt(300)
    assert from_aggregates == from_respondents
    assert from_aggregates[0] == AccountDimensionScore(1, CLIENT, "needs", 70.0, 3, math.sqrt(300.0))


def test_account_scores_from_aggregates_tiny_negative_variance_is_zero():
    # Arrange: three respondents at 250/3 summed in floats: Σx = 250.0, Σx² = 20833.33333333333, so
    # Σx² - (Σx)²/n = -3.6e-12: floating-point noise, not a variance
    value = 250 / 3
    total_sq = value * value + value * value + value * value
    aggregate = AccountDimensionAggregate(1, CLIENT, "needs", 3, value + value + value, total_sq)
    assert aggregate.sum_sq - aggregate.sum**2 / 3 < 0

    # Act
    (score,) = account_scores_from_aggregates([aggregate])

    # Assert
    assert score.sd == 0.0


def test_account_scores_from_aggregates_tiny_positive_noise_is_zero():
    # Arrange: three respondents at 100/3: Σx = 100.0, Σx² = 3333.333333333334; the raw formula leaves
    # 4.5e-13 (an sd of 4.8e-7) although all values are equal
    value = 100 / 3
    total_sq = value * value + value * value + value * value
    aggregate = AccountDimensionAggregate(1, CLIENT, "needs", 3, value + value + value, total_sq)
    assert aggregate.sum_sq - aggregate.sum**2 / 3 > 0

    # Act
    (score,) = account_scores_from_aggregates([aggregate])

    # Assert
    assert score.sd == 0.0


def test_account_scores_from_aggregates_n_zero_skipped_and_n_one_sd_null():
    # Arrange
    aggregates = [
        AccountDimensionAggregate(1, CLIENT, "needs", 0, 0.0, 0.0),
        AccountDimensionAggregate(1, CLIENT, "errors", 1, 42.5, 1806.25),
    ]

    # Act
    scores = account_scores_from_aggregates(aggregates)

    # Assert
    assert scores == (AccountDimensionScore(1, CLIENT, "errors", 42.5, 1, None),)


def test_account_scores_from_aggregates_mean_off_scale_raises():
    # Arrange: Σx / n = 150 cannot come from 0-100 scores
    aggregate = AccountDimensionAggregate(1, CLIENT, "needs", 2, 300.0, 45000.0)

    # Act / Assert
    with pytest.raises(ValueError, match="off the 0-100 scale"):
        account_scores_from_aggregates([aggregate])


def test_account_score_index_lookups():
    # Arrange
    scores = account_scores_from_respondents(
        [
            RespondentDimensionScore(1, 1, CLIENT, "needs", 60.0),
            RespondentDimensionScore(1, 5, SUPPLIER, "effort", 30.0),
            RespondentDimensionScore(2, 2, CLIENT, "errors", 50.0),
        ]
    )

    # Act
    index = AccountScoreIndex(scores)

    # Assert
    assert index.cell(1, CLIENT, "needs") == AccountDimensionScore(1, CLIENT, "needs", 60.0, 1, None)
    assert index.cell(1, SUPPLIER, "needs") is None
    assert set(index.for_perspective(1, CLIENT)) == {"needs"}
    assert index.for_perspective(3, CLIENT) == {}
    assert index.account_ids() == {1, 2}
    assert index.dimensions(CLIENT) == {"needs", "errors"}
    assert index.dimensions(SUPPLIER) == {"effort"}
