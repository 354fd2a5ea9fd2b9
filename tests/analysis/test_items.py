"""Rule 3: a respondent's dimension score is the weighted mean of their item scores in it."""

import pytest

from surveyapp.analysis.inputs import ItemScore, RespondentDimensionScore
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.enums import Perspective

CLIENT = Perspective.CLIENT


def _item(key, score, *, dimension="needs", weight=1.0, respondent=1, account=1, perspective=CLIENT):
    return ItemScore(account, respondent, perspective, key, dimension, weight, score, frozenset())


def test_respondent_dimension_scores_reverse_keys_and_weights_weighted_mean():
    # Arrange: scores as stored by rule 1 on scales of different sizes:
    #   q1 scale 1..5, answered 2, reverse: 100 - (2-1)/(5-1)*100 = 100 - 25 = 75, weight 1
    #   q2 scale 1..3, answered 3:         (3-1)/(3-1)*100 = 100,            weight 2
    #   q3 scale 1..11, answered 6:        (6-1)/(11-1)*100 = 50,            weight 1
    items = [_item("q1", 75.0), _item("q2", 100.0, weight=2), _item("q3", 50.0)]

    # Act
    scores = respondent_dimension_scores(items)

    # Assert: (75*1 + 100*2 + 50*1) / (1 + 2 + 1) = 325 / 4 = 81.25
    assert scores == (RespondentDimensionScore(1, 1, CLIENT, "needs", 81.25),)


def test_respondent_dimension_scores_separate_dimensions_respondents_and_perspectives():
    # Arrange
    items = [
        _item("q1", 20.0, dimension="needs"),
        _item("q2", 40.0, dimension="errors"),
        _item("q1", 90.0, respondent=2),
        _item("q1", 10.0, perspective=Perspective.SUPPLIER, respondent=7),
    ]

    # Act
    scores = respondent_dimension_scores(items)

    # Assert: one item each, so each score is that item's score; sorted by account, respondent, perspective
    assert scores == (
        RespondentDimensionScore(1, 1, CLIENT, "errors", 40.0),
        RespondentDimensionScore(1, 1, CLIENT, "needs", 20.0),
        RespondentDimensionScore(1, 2, CLIENT, "needs", 90.0),
        RespondentDimensionScore(1, 7, Perspective.SUPPLIER, "needs", 10.0),
    )


def test_respondent_dimension_scores_items_without_dimension_skipped():
    # Arrange: an nps item without a dimension scores only for NPS (rule 8)
    items = [_item("nps", 90.0, dimension=None), _item("q1", 30.0)]

    # Act
    scores = respondent_dimension_scores(items)

    # Assert
    assert scores == (RespondentDimensionScore(1, 1, CLIENT, "needs", 30.0),)


def test_respondent_dimension_scores_repeated_item_raises():
    # Arrange: two answers to one item in one response means a superseded response leaked through (rule 2)
    items = [_item("q1", 30.0), _item("q1", 40.0)]

    # Act / Assert
    with pytest.raises(ValueError, match="twice"):
        respondent_dimension_scores(items)


@pytest.mark.parametrize("weight", [0, -1.0])
def test_item_score_non_positive_weight_raises(weight):
    # Act / Assert
    with pytest.raises(ValueError, match="weight"):
        _item("q1", 30.0, weight=weight)


@pytest.mark.parametrize("score", [-0.5, 100.5, float("nan")])
def test_item_score_off_scale_raises(score):
    # Act / Assert
    with pytest.raises(ValueError, match="0-100"):
        _item("q1", score)


def test_item_score_perspective_text_coerced_and_none_rejected():
    # Act
    item = ItemScore(1, 1, "supplier", "q1", "needs", 1, 50, frozenset({"signal"}))

    # Assert
    assert item.perspective is Perspective.SUPPLIER
    with pytest.raises(ValueError, match="carries no scores"):
        ItemScore(1, 1, Perspective.NONE, "q1", "needs", 1, 50)
