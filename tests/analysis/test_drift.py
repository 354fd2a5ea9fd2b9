"""Rule 12: drift against the previous wave and "growing apart", accounts matched by id, overall and per
dimension."""

import pytest

from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_respondents
from surveyapp.analysis.drift import DimensionDrift, Drift, drift, drift_by_account
from surveyapp.analysis.fit import assess_account
from surveyapp.analysis.inputs import AccountFigures, DimensionSpec, FitModel, RespondentDimensionScore
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
MODEL = FitModel(
    (DimensionSpec("needs", 2.0), DimensionSpec("errors"), DimensionSpec("effort"), DimensionSpec("energy"))
)


def _fit(account_id, **dimensions):
    """An account's fit as a wave's analysis gives it (`StudyAnalysis.account_fits()`): one client and one
    staff member per dimension, `dimension=(client score, supplier score)`, None where that side did not
    score it. With `needs` alone, the overall fits are the needs scores and the gap is client - supplier."""
    rows = []
    for dimension, (client, supplier) in dimensions.items():
        if client is not None:
            rows.append(RespondentDimensionScore(account_id, 1, CLIENT, dimension, client))
        if supplier is not None:
            rows.append(RespondentDimensionScore(account_id, 2, SUPPLIER, dimension, supplier))
    index = AccountScoreIndex(account_scores_from_respondents(rows))
    return assess_account(account_id, index, MODEL, Thresholds())


def test_drift_changes_current_minus_previous():
    # Arrange
    previous = _fit(1, needs=(70.0, 80.0))  # gap -10
    current = _fit(1, needs=(62.5, 75.0))  # gap -12.5

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: client 62.5-70 = -7.5, supplier 75-80 = -5, gap -12.5-(-10) = -2.5; nothing beyond 15; the one
    # dimension moves alike
    assert result == Drift(
        client=-7.5,
        supplier=-5.0,
        gap=-2.5,
        growing_apart=False,
        dimensions=(DimensionDrift("needs", client=-7.5, supplier=-5.0, gap=-2.5, growing_apart=False),),
    )


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ((60.0, 75.0), True),  # client falls exactly 15 (75 -> 60): the edge counts (rule 7)
        ((60.1, 75.0), False),  # falls 14.9
        ((75.0, 60.0), True),  # supplier falls exactly 15
        ((90.0, 90.0), False),  # rising is never growing apart
    ],
)
def test_drift_growing_apart_fall_edge(current, expected):
    # Arrange
    previous = _fit(1, needs=(75.0, 75.0))

    # Act
    result = drift(_fit(1, needs=current), previous, Thresholds())

    # Assert: the one dimension on the same test
    assert (result.growing_apart, result.dimensions[0].growing_apart) == (expected, expected)


def test_drift_growing_apart_float_noisy_fall_counts():
    # Arrange: 64.1 -> 49.1 is a fall of 14.999999999999993 in floats, 15 on paper
    previous, current = _fit(1, needs=(64.1, None)), _fit(1, needs=(49.1, None))

    # Act
    result = drift(current, previous, Thresholds())

    # Assert
    assert result.growing_apart is True
    assert (result.supplier, result.gap) == (None, None)
    assert result.dimensions == (DimensionDrift("needs", 49.1 - 64.1, None, None, True),)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ((70.0, 55.0), True),  # |gap| 0 -> 15: widens by exactly 15 (no fall beyond 5)
        ((69.9, 55.0), False),  # |gap| 0 -> 14.9
        ((50.0, 65.0), True),  # |gap| 0 -> |-15| = 15: direction does not matter
    ],
)
def test_drift_growing_apart_gap_widening_edge(current, expected):
    # Arrange
    previous = _fit(1, needs=(60.0, 60.0))

    # Act
    result = drift(_fit(1, needs=current), previous, Thresholds())

    # Assert
    assert (result.growing_apart, result.dimensions[0].growing_apart) == (expected, expected)


def test_drift_gap_flipping_sign_is_not_widening():
    # Arrange: gap +10 -> -10: |gap| stays 10, the signed gap moves -20
    previous, current = _fit(1, needs=(70.0, 60.0)), _fit(1, needs=(60.0, 70.0))

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: client falls 10, supplier rises 10, |gap| unchanged
    assert result == Drift(
        client=-10.0,
        supplier=10.0,
        gap=-20.0,
        growing_apart=False,
        dimensions=(DimensionDrift("needs", -10.0, 10.0, -20.0, False),),
    )


def test_drift_by_account_matches_by_id_only():
    # Arrange: account 2 is new in scope; account 3 had no overall fit last time; account 4 had only a client
    # view last time and only a supplier view now; account 9 left the scope
    previous = [
        _fit(1, needs=(50.0, 50.0)),
        _fit(3),
        _fit(4, needs=(50.0, None)),
        _fit(9, needs=(10.0, 10.0)),
    ]
    current = [
        _fit(1, needs=(55.0, 50.0)),
        _fit(2, needs=(60.0, 60.0)),
        _fit(3, needs=(70.0, 70.0)),
        _fit(4, needs=(None, 60.0)),
    ]

    # Act
    result = drift_by_account(current, previous, Thresholds())

    # Assert
    assert result == {
        1: Drift(
            client=5.0,
            supplier=0.0,
            gap=5.0,
            growing_apart=False,
            dimensions=(DimensionDrift("needs", 5.0, 0.0, 5.0, False),),
        )
    }


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
    document = build_analysis_document(_wave(names, scores, previous=previous_wave.account_fits()))

    # Assert: "Nieuw BV" (id 7): client 60-80 = -20 (falls by more than 15), supplier 72-70 = 2,
    # gap (60-72) - (80-70) = -12 - 10 = -22; the new "Oud BV" (id 8) has no history
    drifts = {account["account"]: account["drift"] for account in document["accounts"]}
    assert drifts == {
        "Nieuw BV": {
            "client": -20.0,
            "supplier": 2.0,
            "gap": -22.0,
            "growing_apart": True,
            "dimensions": [
                {"key": "needs", "client": -20.0, "supplier": 2.0, "gap": -22.0, "growing_apart": True}
            ],
        },
        "Oud BV": None,
    }


def test_drift_dimension_growing_apart_on_one_dimension_only():
    # Arrange: needs (weight 2) stays 70 / 70; errors (weight 1) was 70 / 70 and the client now gives 50
    previous = _fit(1, needs=(70.0, 70.0), errors=(70.0, 70.0))
    current = _fit(1, needs=(70.0, 70.0), errors=(50.0, 70.0))

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: overall client (70*2 + 50)/3 = 190/3 = 63.33, a fall of 6.67; like-for-like gap 190/3 - 70 =
    # -6.67 (was 0): the account is not growing apart. errors: client falls 20 and |gap| widens 0 -> 20:
    # that dimension is.
    assert result == Drift(
        client=190 / 3 - 70,
        supplier=0.0,
        gap=190 / 3 - 70,
        growing_apart=False,
        dimensions=(
            DimensionDrift("needs", client=0.0, supplier=0.0, gap=0.0, growing_apart=False),
            DimensionDrift("errors", client=-20.0, supplier=0.0, gap=-20.0, growing_apart=True),
        ),
    )


def test_drift_dimension_in_one_wave_only_is_left_out():
    # Arrange: effort was scored last time only, energy this time only; errors by the client in both waves
    # but by the supplier this time only
    previous = _fit(1, needs=(70.0, 70.0), errors=(60.0, None), effort=(None, 40.0))
    current = _fit(1, needs=(60.0, 70.0), errors=(55.0, 50.0), energy=(None, 30.0))

    # Act
    result = drift(current, previous, Thresholds())

    # Assert: needs 60 - 70 = -10, 70 - 70 = 0, gap -10 - 0 = -10; errors client 55 - 60 = -5, no supplier
    # and no gap to compare; effort and energy have nothing in both waves
    assert result.dimensions == (
        DimensionDrift("needs", client=-10.0, supplier=0.0, gap=-10.0, growing_apart=False),
        DimensionDrift("errors", client=-5.0, supplier=None, gap=None, growing_apart=False),
    )


def test_drift_dimensions_in_document_leave_out_a_dimension_of_one_wave():
    # Arrange: last wave needs only; this wave needs and a supplier-only effort (weight 1)
    client, supplier = CLIENT, SUPPLIER
    previous_wave = _wave({7: "Acme"}, [(7, 1, client, 80.0), (7, 2, supplier, 80.0)])
    current_wave = analyse_study(
        study="wave",
        scoring_version="v1",
        provisional=False,
        fit_model=FitModel((DimensionSpec("needs"), DimensionSpec("effort"))),
        thresholds=Thresholds(),
        accounts=[AccountFigures(7, "Acme")],
        account_scores=account_scores_from_respondents(
            [
                RespondentDimensionScore(7, 1, client, "needs", 75.0),
                RespondentDimensionScore(7, 2, supplier, "needs", 80.0),
                RespondentDimensionScore(7, 2, supplier, "effort", 20.0),
            ]
        ),
        previous=previous_wave.account_fits(),
    )

    # Act
    (acme,) = build_analysis_document(current_wave)["accounts"]

    # Assert: supplier overall (80 + 20)/2 = 50, a fall of 30: growing apart; like-for-like gap over needs
    # 75 - 80 = -5 (was 0). Per dimension only needs: client -5, supplier 0, gap -5; effort is left out
    assert acme["drift"] == {
        "client": -5.0,
        "supplier": -30.0,
        "gap": -5.0,
        "growing_apart": True,
        "dimensions": [
            {"key": "needs", "client": -5.0, "supplier": 0.0, "gap": -5.0, "growing_apart": False}
        ],
    }
