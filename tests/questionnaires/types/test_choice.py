"""single and multi: option scores, not applicable, raw values, knock-outs, conditions, summaries."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.types import NOT_APPLICABLE, MultiType, SingleType
from tests.questionnaires.builders import only_item, only_question, option, question, text

SCORED = [option("a", 100), option("b", 40), option("c", 0, knockout=True), option("na", not_applicable=True)]


@pytest.mark.parametrize(
    ("raw", "expected"), [("a", 100.0), ("b", 40.0), ("c", 0.0), ("na", None), ("NA", None)]
)
def test_single_score_is_the_option_score(raw: str, expected: float | None) -> None:
    # Arrange
    item = only_item(**question("s", "single", dimension="d", options=SCORED, not_applicable=True))

    # Act
    score = SingleType().score(item, raw)

    # Assert
    assert score == expected


def test_single_without_scores_scores_none() -> None:
    # Arrange
    item = only_item(**question("s", "single", options=[option("a"), option("b")]))

    # Act
    score = SingleType().score(item, "a")

    # Assert
    assert score is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a", 100.0), ("a|b", 70.0), ("a|b|c", 140 / 3), ("b|c", 20.0), ("na", None), ("NA", None)],
)
def test_multi_score_is_the_mean_of_chosen_scored_options(raw: str, expected: float | None) -> None:
    # Arrange
    item = only_item(**question("m", "multi", dimension="d", options=SCORED, not_applicable=True))

    # Act
    score = MultiType().score(item, raw)

    # Assert
    assert score == expected


def test_multi_unscored_options_are_left_out_of_the_mean() -> None:
    # Arrange
    item = only_item(**question("m", "multi", options=[option("a", 80), option("b"), option("c", 20)]))

    # Act
    scores = (MultiType().score(item, "a|b|c"), MultiType().score(item, "b"))

    # Assert
    assert scores == (50.0, None)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("a", None),
        ("na", None),
        ("NA", None),
        ("x", "'x' is not an option of this question (options: a, b, c, na)"),
        ("A", "'A' is not an option of this question (options: a, b, c, na)"),
        ("a|b", "'a|b' is not an option of this question (options: a, b, c, na)"),
    ],
)
def test_single_validate_raw(raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("s", "single", options=SCORED, not_applicable=True))

    # Act
    result = SingleType().validate_raw(item, raw)

    # Assert
    assert result == problem


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("a|b", None),
        ("b|a", None),
        ("na", None),
        ("x|a", "'x' is not an option of this question (options: a, b, c, na)"),
        ("a|a", "option 'a' is chosen twice"),
        ("a|na", "'na' (not applicable) cannot be combined with other options"),
        ("a|", "'' is not an option of this question (options: a, b, c, na)"),
        ("NA", "'NA' (not applicable) is not offered for this question"),
    ],
)
def test_multi_validate_raw(raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("m", "multi", options=SCORED))

    # Act
    result = MultiType().validate_raw(item, raw)

    # Assert
    assert result == problem


def test_multi_decode_orders_by_option_and_encode_joins_in_option_order() -> None:
    # Arrange
    item = only_item(**question("m", "multi", options=SCORED, not_applicable=True))
    handler = MultiType()

    # Act
    decoded = handler.decode(item, "c|a")
    encoded = handler.encode(item, {"c", "a"})
    normalised = handler.normalise(item, "b|a")

    # Assert
    assert (decoded, encoded, normalised) == (("a", "c"), "a|c", "a|b")
    assert handler.decode(item, "NA") is NOT_APPLICABLE
    assert handler.encode(item, NOT_APPLICABLE) == "NA"


@pytest.mark.parametrize("value", ["a", ["zz"], [], [1]])
def test_multi_encode_refuses_non_answers(value: object) -> None:
    # Arrange
    item = only_item(**question("m", "multi", options=SCORED))

    # Act / Assert
    with pytest.raises(ValueError):
        MultiType().encode(item, value)


def test_single_decode_and_encode() -> None:
    # Arrange
    item = only_item(**question("s", "single", options=SCORED, not_applicable=True))

    # Act
    values = (SingleType().decode(item, "b"), SingleType().decode(item, "NA"), SingleType().encode(item, "c"))

    # Assert
    assert values == ("b", NOT_APPLICABLE, "c")


def test_choice_knockout_and_conditions() -> None:
    # Arrange
    asked = only_question(
        **question(
            "m",
            "multi",
            options=[option("a", condition=text("Fixed calls")), option("b", knockout=True), option("c")],
        )
    )
    handler = MultiType()

    # Act
    knocked = [handler.is_knocked_out(asked, raw) for raw in ("a", "a|b", "c", None)]
    conditions = handler.conditions(asked, "a|c")

    # Assert
    assert knocked == [False, True, False, False]
    assert [condition.en for condition in conditions] == ["Fixed calls"]


def test_single_summary_counts_per_option() -> None:
    # Arrange
    item = only_item(**question("s", "single", dimension="d", options=SCORED, not_applicable=True))

    # Act
    summary = SingleType().summary(item, ["a", "a", "b", "na", "NA", None])

    # Assert
    assert summary == {
        "n": 4,
        "not_applicable": 1,
        "counts": {"a": 2, "b": 1, "c": 0, "na": 1},
        "mean_score": 80.0,
    }


def test_multi_summary_counts_each_chosen_option() -> None:
    # Arrange
    item = only_item(**question("m", "multi", options=SCORED))

    # Act
    summary = MultiType().summary(item, ["a|b", "b", "c"])

    # Assert
    assert summary == {
        "n": 3,
        "not_applicable": 0,
        "counts": {"a": 1, "b": 2, "c": 1, "na": 0},
        "mean_score": (70 + 40 + 0) / 3,
    }
