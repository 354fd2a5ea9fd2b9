"""Rule 12: drift against the previous wave and "growing apart", accounts matched by id."""

import pytest

from surveyapp.analysis.accounts import account_scores_from_respondents
from surveyapp.analysis.drift import Drift, drift, drift_by_account
from surveyapp.analysis.fit import OverallFit
from surveyapp.analysis.inputs import AccountFigures, DimensionSpec, FitModel, RespondentDimensionScore
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective


def test_drift_changes_current_minus_previous():
    # Arrange
    previous = OverallFit(1, 70.0, 80.0)  # gap -10
    current = OverallFit(1, 62.5, 75.0)  # gap -12.5

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: client 62.5-70 = -7.5, supplier 75-80 = -5, gap -12.5-(-10) = -2.5; nothing beyond 15
    assert result == Drift(client=-7.5, supplier=-5.0, gap=-2.5, growing_apart=False)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (OverallFit(1, 60.0, 75.0), True),  # client falls exactly 15 (75 -> 60): the edge counts (rule 7)
        (OverallFit(1, 60.1, 75.0), False),  # falls 14.9
        (OverallFit(1, 75.0, 60.0), True),  # supplier falls exactly 15
        (OverallFit(1, 90.0, 90.0), False),  # rising is never growing apart
    ],
)
def test_drift_growing_apart_fall_edge(current, expected):
    # Arrange
    previous = OverallFit(1, 75.0, 75.0)

    # Act / Assert
    assert drift(current, previous, Thresholds()).growing_apart is expected


def test_drift_growing_apart_float_noisy_fall_counts():
    # Arrange: 64.1 -> 49.1 is a fall of 14.999999999999993 in floats, 15 on paper
    previous, current = OverallFit(1, 64.1, None), OverallFit(1, 49.1, None)

    # Act
    result = drift(current, previous, Thresholds())

    # Assert
    assert result.growing_apart is True
    assert (result.supplier, result.gap) == (None, None)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (OverallFit(1, 70.0, 55.0), True),  # |gap| 0 -> 15: widens by exactly 15 (no fall beyond 5)
        (OverallFit(1, 69.9, 55.0), False),  # |gap| 0 -> 14.9
        (OverallFit(1, 50.0, 65.0), True),  # |gap| 0 -> |-15| = 15: direction does not matter
    ],
)
def test_drift_growing_apart_gap_widening_edge(current, expected):
    # Arrange
    previous = OverallFit(1, 60.0, 60.0)

    # Act / Assert
    assert drift(current, previous, Thresholds()).growing_apart is expected


def test_drift_gap_flipping_sign_is_not_widening():
    # Arrange: gap +10 -> -10: |gap| stays 10, the signed gap moves -20
    previous, current = OverallFit(1, 70.0, 60.0), OverallFit(1, 60.0, 70.0)

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: client falls 10, supplier rises 10, |gap| unchanged
    assert result == Drift(client=-10.0, supplier=10.0, gap=-20.0, growing_apart=False)


def test_drift_by_account_matches_by_id_only():
    # Arrange: account 2 is new in scope; account 3 had no overall fit last time; account 4 had only a client
    # view last time and only a supplier view now; account 9 left the scope
    previous = [
        OverallFit(1, 50.0, 50.0),
        OverallFit(3, None, None),
        OverallFit(4, 50.0, None),
        OverallFit(9, 10.0, 10.0),
    ]
    current = [
        OverallFit(1, 55.0, 50.0),
        OverallFit(2, 60.0, 60.0),
        OverallFit(3, 70.0, 70.0),
        OverallFit(4, None, 60.0),
    ]

    # Act
    result = drift_by_account(current, previous, Thresholds())

    # Assert
    assert result == {1: Drift(client=5.0, supplier=0.0, gap=5.0, growing_apart=False)}


def _wave(names, scores, previous=None):
    return analyse_study(
        study="wave",
        scoring_version="v1",
        provisional=False,
        fit_model=FitModel((DimensionSpec("needs"),)),
        thresholds=Thresholds(),
        accounts=[AccountFigures(account_id, name) for account_id, name in names.items()],
        account_scores=account_scores_from_respondents(
            RespondentDimensionScore(account_id, respondent, perspective, "needs", score)
            for account_id, respondent, perspective, score in scores
        ),
        previous=previous,
    )


def test_drift_renamed_account_matched_by_id_in_document():
    # Arrange: last wave, account 7 was "Oud BV"; it has since been renamed "Nieuw BV". Account 8 is a new
    # account that happens to carry the old name "Oud BV".
    client, supplier = Perspective.CLIENT, Perspective.SUPPLIER
    previous_wave = _wave({7: "Oud BV"}, [(7, 1, client, 80.0), (7, 2, supplier, 70.0)])
    names = {7: "Nieuw BV", 8: "Oud BV"}
    scores = [(7, 1, client, 60.0), (7, 2, supplier, 72.0), (8, 3, client, 50.0), (8, 4, supplier, 50.0)]

    # Act
    document = build_analysis_document(_wave(names, scores, previous=previous_wave.overall_fits()))

    # Assert: "Nieuw BV" (id 7): client 60-80 = -20 (falls by more than 15), supplier 72-70 = 2,
    # gap (60-72) - (80-70) = -12 - 10 = -22; the new "Oud BV" (id 8) has no history
    drifts = {account["account"]: account["drift"] for account in document["accounts"]}
    assert drifts == {
        "Nieuw BV": {"client": -20.0, "supplier": 2.0, "gap": -22.0, "growing_apart": True},
        "Oud BV": None,
    }
