"""`analyse_study`: one code path for both aggregation routes, and loud failures on inconsistent input."""

from collections import defaultdict

import pytest

from surveyapp.analysis.accounts import account_scores_from_aggregates, account_scores_from_respondents
from surveyapp.analysis.inputs import AccountDimensionAggregate, AccountFigures, NpsAnswer
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.enums import Quadrant


def _aggregates(respondent_scores):
    sums = defaultdict(lambda: [0, 0.0, 0.0])
    for row in respondent_scores:
        entry = sums[(row.account_id, row.perspective, row.dimension)]
        entry[0] += 1
        entry[1] += row.score
        entry[2] += row.score**2
    return [AccountDimensionAggregate(*key, n, total, total_sq) for key, (n, total, total_sq) in sums.items()]


def test_analyse_study_aggregates_path_equals_respondents_path(study_inputs, respondent_scores):
    # Arrange
    from_respondents = account_scores_from_respondents(respondent_scores)
    from_aggregates = account_scores_from_aggregates(_aggregates(respondent_scores))

    # Act
    by_respondents = analyse_study(account_scores=from_respondents, **study_inputs)
    by_aggregates = analyse_study(account_scores=from_aggregates, **study_inputs)

    # Assert: the study's numbers are exact in both routes (e.g. needs 60, 60, 90: Σx 210, Σx² 15300)
    assert from_aggregates == from_respondents
    assert by_aggregates == by_respondents
    assert build_analysis_document(by_aggregates) == build_analysis_document(by_respondents)


def test_analyse_study_results_sorted_and_quadrants(study_inputs, respondent_scores):
    # Act
    analysis = analyse_study(
        account_scores=account_scores_from_respondents(respondent_scores), **study_inputs
    )

    # Assert
    assert [result.account.name for result in analysis.accounts] == ["alpha NV", "Beta BV", "Gamma"]
    assert [result.fit.quadrant for result in analysis.accounts] == [
        Quadrant.CUSTOMER_SWAYED,
        Quadrant.MATCH,
        Quadrant.INCOMPLETE,
    ]
    assert analysis.account_fits()[1].overall.supplier == 60.0


def test_analyse_study_no_previous_study_drift_none(study_inputs, respondent_scores):
    # Arrange
    inputs = {**study_inputs, "previous": None}

    # Act
    analysis = analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)

    # Assert
    assert [result.drift for result in analysis.accounts] == [None, None, None]


def test_analyse_study_scores_outside_scope_raise(study_inputs, respondent_scores):
    # Arrange: account 12 is not in scope any more
    inputs = {**study_inputs, "accounts": study_inputs["accounts"][:2]}

    # Act / Assert
    with pytest.raises(ValueError, match=r"scores for accounts \[12\]"):
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)


def test_analyse_study_nps_outside_scope_raise(study_inputs, respondent_scores):
    # Arrange
    inputs = {**study_inputs, "nps_answers": [NpsAnswer(77, 1, 10)]}

    # Act / Assert
    with pytest.raises(ValueError, match="NPS answers"):
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)


def test_analyse_study_duplicate_account_raises(study_inputs, respondent_scores):
    # Arrange
    inputs = {**study_inputs, "accounts": [*study_inputs["accounts"], AccountFigures(10, "Beta BV again")]}

    # Act / Assert
    with pytest.raises(ValueError, match="twice"):
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)
