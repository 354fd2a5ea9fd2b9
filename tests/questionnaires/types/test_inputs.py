"""text, longtext, number and date: only a number with bands scores; raw values, validation for importers,
summaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from surveyapp.questionnaires.types import NOT_APPLICABLE, DateType, LongtextType, NumberType, TextType
from tests.questionnaires.builders import only_item, question, text


@pytest.mark.parametrize(
    ("handler", "fields", "raw"),
    [
        (TextType(), {}, "hello"),
        (LongtextType(), {}, "line one\nline two"),
        (NumberType(), {}, "12.5"),
        (DateType(), {}, "2025-03-31"),
    ],
)
def test_typed_answers_without_bands_never_score(
    handler: object, fields: dict[str, object], raw: str
) -> None:
    # Arrange
    kind = handler.type.value  # type: ignore[attr-defined]
    item = only_item(**question("x", kind, **fields))

    # Act
    score = handler.score(item, raw)  # type: ignore[attr-defined]

    # Assert
    assert score is None


# Workarounds in the last three months: none 100, 1-2 75, 3-5 50, 6-10 25, more 0.
BANDS = [
    {"up_to": 0, "score": 100},
    {"up_to": 2, "score": 75},
    {"up_to": 5, "score": 50},
    {"up_to": 10, "score": 25},
    {"score": 0},
]


@pytest.mark.parametrize(
    ("raw", "score"),
    [
        ("0", 100.0),
        ("1", 75.0),
        ("2", 75.0),
        ("2.5", 50.0),
        ("5", 50.0),
        ("10", 25.0),
        ("10.01", 0.0),
        ("400", 0.0),
    ],
)
def test_number_with_bands_scores_the_first_band_it_does_not_exceed(raw: str, score: float) -> None:
    # Arrange
    item = only_item(**question("workarounds", "number", min=0, bands=BANDS))

    # Act / Assert: each band's up_to is inclusive; the last band holds everything above
    assert NumberType().score(item, raw) == score


def test_number_with_bands_answered_not_applicable_does_not_score() -> None:
    # Arrange
    item = only_item(**question("workarounds", "number", min=0, bands=BANDS, not_applicable=True))

    # Act / Assert
    assert NumberType().score(item, "NA") is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("12", None),
        ("-3", None),
        ("12.5", None),
        ("NA", None),
        ("12,5", "'12,5' is not a number (write it like 12 or 12.5)"),
        ("1e3", "'1e3' is not a number (write it like 12 or 12.5)"),
        ("1" * 16, f"'{'1' * 16}' is not a number (write it like 12 or 12.5)"),
        ("-1", "-1 is below the minimum 0"),
        ("80.5", "80.5 is above the maximum 80"),
    ],
)
def test_number_validate_raw(raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("h", "number", min=0, max=80, not_applicable=True, unit=text("hours")))
    if raw == "-3":
        item = only_item(**question("h", "number"))

    # Act
    result = NumberType().validate_raw(item, raw)

    # Assert
    assert result == problem


def test_number_decode_encode_and_normalise() -> None:
    # Arrange
    item = only_item(**question("h", "number", not_applicable=True))
    handler = NumberType()

    # Act
    values = (
        handler.decode(item, "12.50"),
        handler.encode(item, Decimal("12.50")),
        handler.encode(item, 12.0),
        handler.encode(item, 100),
        handler.normalise(item, "007"),
        handler.decode(item, "NA"),
    )

    # Assert
    assert values == (Decimal("12.50"), "12.5", "12", "100", "7", NOT_APPLICABLE)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2025-02-28", None),
        ("2025-02-30", "'2025-02-30' is not a date (write it as YYYY-MM-DD)"),
        ("31-01-2025", "'31-01-2025' is not a date (write it as YYYY-MM-DD)"),
        ("2025-1-5", "'2025-1-5' is not a date (write it as YYYY-MM-DD)"),
        ("NA", "'NA' (not applicable) is not offered for this question"),
    ],
)
def test_date_validate_raw(raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("d", "date"))

    # Act
    result = DateType().validate_raw(item, raw)

    # Assert
    assert result == problem


def test_date_decode_and_encode() -> None:
    # Arrange
    item = only_item(**question("d", "date"))

    # Act
    values = (DateType().decode(item, "2025-03-31"), DateType().encode(item, date(2025, 3, 31)))

    # Assert
    assert values == (date(2025, 3, 31), "2025-03-31")


@pytest.mark.parametrize(
    ("kind", "fields", "raw", "problem"),
    [
        ("text", {}, "x" * 200, None),
        ("text", {}, "x" * 201, "the text is longer than 200 characters"),
        ("text", {"max_length": 5}, "abcdef", "the text is longer than 5 characters"),
        ("longtext", {}, "x" * 5000, None),
        ("longtext", {}, "x" * 5001, "the text is longer than 5000 characters"),
        ("text", {}, "a\x00b", "contains a NUL character"),
        ("text", {}, "NA", None),
    ],
)
def test_text_validate_raw(kind: str, fields: dict[str, object], raw: str, problem: str | None) -> None:
    # Arrange
    item = only_item(**question("t", kind, **fields))
    handler = TextType() if kind == "text" else LongtextType()

    # Act
    result = handler.validate_raw(item, raw)

    # Assert
    assert result == problem


def test_text_na_is_just_text() -> None:
    # Arrange
    item = only_item(**question("t", "text"))

    # Act
    decoded = TextType().decode(item, "NA")

    # Assert
    assert decoded == "NA"


def test_number_summary() -> None:
    # Arrange
    item = only_item(**question("h", "number", not_applicable=True))

    # Act
    summary = NumberType().summary(item, ["1", "2.5", "10", "NA", None])

    # Assert
    assert summary == {"n": 3, "not_applicable": 1, "mean": 13.5 / 3, "median": 2.5, "min": 1.0, "max": 10.0}


def test_date_summary() -> None:
    # Arrange
    item = only_item(**question("d", "date", not_applicable=True))

    # Act
    summary = DateType().summary(item, ["2025-03-01", "2024-12-31", "NA"])

    # Assert
    assert summary == {"n": 2, "not_applicable": 1, "min": "2024-12-31", "max": "2025-03-01"}


def test_text_summary_counts_answers() -> None:
    # Arrange
    item = only_item(**question("t", "longtext"))

    # Act
    summary = LongtextType().summary(item, ["a", "", None, "b"])

    # Assert
    assert summary == {"n": 2}
