"""Rule 7: threshold comparisons with a 1e-9 tolerance that counts the edge as reached."""

import pytest

from surveyapp.analysis.thresholds import TOLERANCE, Direction, Thresholds, reaches


def test_thresholds_defaults_match_design():
    # Arrange / Act
    thresholds = Thresholds()

    # Assert
    assert (thresholds.quadrant, thresholds.gap) == (60.0, 15.0)
    assert (thresholds.signal, thresholds.min_n) == (40.0, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60.0, True),  # exactly at the threshold reaches it
        (60.0 - TOLERANCE / 2, True),  # float noise below the edge still reaches it
        (59.99, False),
        (60.01, True),
    ],
)
def test_reaches_at_least_counts_edge(value, expected):
    # Act / Assert
    assert reaches(value, 60.0, Direction.AT_LEAST) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(40.0, True), (40.0 + TOLERANCE / 2, True), (40.01, False), (39.9, True)],
)
def test_reaches_at_most_counts_edge(value, expected):
    # Act / Assert
    assert reaches(value, 40.0, Direction.AT_MOST) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (15.0, True),  # "growing apart >": a value exactly at the threshold reaches it (rule 7)
        (14.999999999999993, True),  # 64.1 - 49.1 in floats
        (15.0 - TOLERANCE, False),  # the one point where the comparison stays strict
        (14.9, False),
        (15.1, True),
    ],
)
def test_reaches_more_than_counts_edge(value, expected):
    # Act / Assert
    assert reaches(value, 15.0, Direction.MORE_THAN) is expected


def test_thresholds_is_indicative_below_min_n():
    # Arrange
    thresholds = Thresholds(min_n=3)

    # Act / Assert
    assert [thresholds.is_indicative(n) for n in (0, 1, 2, 3, 4)] == [True, True, True, False, False]


@pytest.mark.parametrize(
    "kwargs",
    [{"quadrant": 101}, {"gap": -1}, {"signal": float("nan")}, {"min_n": 0}],
)
def test_thresholds_invalid_values_raise(kwargs):
    # Act / Assert
    with pytest.raises(ValueError):
        Thresholds(**kwargs)
