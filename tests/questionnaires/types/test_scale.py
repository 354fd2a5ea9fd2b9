"""scale, nps and matrix: scores per DESIGN rule 1, raw values, knock-outs, conditions, summaries."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.types import NOT_APPLICABLE, MatrixType, NpsType, ScaleType
from tests.questionnaires.builders import only_item, only_question, question, questionnaire, scale, text


@pytest.mark.parametrize(
    ("points", "raw", "expected"),
    [
        (5, "1", 0.0),
        (5, "2", 25.0),
        (5, "3", 50.0),
        (5, "4", 75.0),
        (5, "5", 100.0),
        (7, "1", 0.0),
        (7, "2", 1 / 6 * 100),  # the DESIGN formula, in its order: 16.666666666666664
        (7, "4", 50.0),
        (7, "6", 5 / 6 * 100),
        (7, "7", 100.0),
        (11, "1", 0.0),
        (11, "2", 10.0),
        (11, "6", 50.0),
        (11, "11", 100.0),
        (2, "1", 0.0),
        (2, "2", 100.0),
    ],
)
def test_scale_score_is_v_minus_1_over_k_minus_1(points: int, raw: str, expected: float) -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(points)))

    # Act
    score = ScaleType().score(item, raw)

    # Assert
    assert score == expected


@pytest.mark.parametrize(
    ("points", "raw", "expected"), [(5, "2", 75.0), (7, "2", 100 - 1 / 6 * 100), (11, "11", 0.0)]
)
def test_scale_reverse_score_is_100_minus_score(points: int, raw: str, expected: float) -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(points), reverse=True))

    # Act
    score = ScaleType().score(item, raw)

    # Assert
    assert score == expected


@pytest.mark.parametrize(("raw", "expected"), [("0", 0.0), ("6", 60.0), ("7", 70.0), ("10", 100.0)])
def test_nps_score_is_v_times_10(raw: str, expected: float) -> None:
    # Arrange
    item = only_item(**question("n", "nps"))

    # Act
    score = NpsType().score(item, raw)

    # Assert
    assert score == expected


def test_nps_reverse_score_is_100_minus_score() -> None:
    # Arrange
    item = only_item(**question("n", "nps", reverse=True))

    # Act
    score = NpsType().score(item, "7")

    # Assert
    assert score == 30.0


@pytest.mark.parametrize("raw", [None, "", "NA"])
def test_scale_no_answer_or_not_applicable_scores_none(raw: str | None) -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5), not_applicable=True))

    # Act
    score = ScaleType().score(item, raw)

    # Assert
    assert score is None


def test_matrix_rows_score_with_inherited_or_own_reverse() -> None:
    # Arrange
    built = questionnaire(
        question(
            "m",
            "matrix",
            scale=scale(4),
            reverse=True,
            rows=[{"key": "a", "text": text("A")}, {"key": "b", "text": text("B"), "reverse": False}],
        )
    )
    row_a, row_b = built.items

    # Act
    scores = (MatrixType().score(row_a, "2"), MatrixType().score(row_b, "2"))

    # Assert
    assert scores == (100 - 1 / 3 * 100, 1 / 3 * 100)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("3", None),
        ("0", "'0' is not a value from 1 to 5"),
        ("6", "'6' is not a value from 1 to 5"),
        ("3.0", "'3.0' is not a value from 1 to 5"),
        (" 3", "' 3' is not a value from 1 to 5"),
        ("x", "'x' is not a value from 1 to 5"),
        ("NA", "'NA' (not applicable) is not offered for this question"),
        ("", "an empty value is no answer; leave it out"),
    ],
)
def test_scale_validate_raw(raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5)))

    # Act
    result = ScaleType().validate_raw(item, raw)

    # Assert
    assert result == problem


def test_nps_validate_raw_outside_0_to_10() -> None:
    # Arrange
    item = only_item(**question("n", "nps", not_applicable=True))

    # Act
    problems = [NpsType().validate_raw(item, raw) for raw in ("0", "10", "11", "-1", "NA")]

    # Assert
    assert problems == [
        None,
        None,
        "'11' is not a value from 0 to 10",
        "'-1' is not a value from 0 to 10",
        None,
    ]


def test_scale_invalid_raw_score_raises() -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5)))

    # Act
    with pytest.raises(ValueError) as caught:
        ScaleType().score(item, "9")

    # Assert
    assert str(caught.value) == "item 'q': '9' is not a value from 1 to 5"


def test_scale_decode_and_encode_round_trip() -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5), not_applicable=True))
    handler = ScaleType()

    # Act
    decoded = (handler.decode(item, "4"), handler.decode(item, "NA"))
    encoded = (handler.encode(item, 4), handler.encode(item, NOT_APPLICABLE))

    # Assert
    assert decoded == (4, NOT_APPLICABLE)
    assert encoded == ("4", "NA")


@pytest.mark.parametrize("value", [True, 4.0, "4", 9])
def test_scale_encode_refuses_non_answers(value: object) -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5)))

    # Act / Assert
    with pytest.raises(ValueError):
        ScaleType().encode(item, value)


def test_scale_knockout_at_or_below() -> None:
    # Arrange
    knocked = only_question(
        **question("q", "scale", scale=scale(5), knockout_at_or_below=2, not_applicable=True)
    )

    # Act
    results = [ScaleType().is_knocked_out(knocked, raw) for raw in ("1", "2", "3", "NA", None)]

    # Assert
    assert results == [True, True, False, False, False]


def test_scale_condition_at_or_below() -> None:
    # Arrange
    asked = only_question(
        **question("q", "scale", scale=scale(5), condition_at_or_below=3, condition=text("Agree on scope"))
    )

    # Act
    results = [ScaleType().conditions(asked, raw) for raw in ("3", "4")]

    # Assert
    assert results == [(asked.condition,), ()]


def test_scale_summary_counts_means_and_not_applicable() -> None:
    # Arrange
    item = only_item(**question("q", "scale", scale=scale(5), not_applicable=True, reverse=True))

    # Act
    summary = ScaleType().summary(item, ["1", "2", "5", "NA", None, ""])

    # Assert
    assert summary == {
        "n": 3,
        "not_applicable": 1,
        "counts": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1},
        "mean": 8 / 3,
        "mean_score": (100 + 75 + 0) / 3,
    }


def test_nps_summary_has_promoters_passives_detractors_and_nps() -> None:
    # Arrange
    item = only_item(**question("n", "nps"))

    # Act
    summary = NpsType().summary(item, ["0", "6", "7", "8", "9", "10", "10"])

    # Assert
    assert (summary["n"], summary["promoters"], summary["passives"], summary["detractors"]) == (7, 3, 2, 2)
    assert summary["nps"] == (3 - 2) / 7 * 100
    assert summary["mean_score"] == 500 / 7


def test_nps_summary_without_answers_has_no_nps() -> None:
    # Arrange
    item = only_item(**question("n", "nps"))

    # Act
    summary = NpsType().summary(item, [])

    # Assert
    assert (summary["n"], summary["nps"], summary["mean"], summary["mean_score"]) == (0, None, None, None)
