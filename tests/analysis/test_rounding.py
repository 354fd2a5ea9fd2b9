"""Rule 14: half-up (away from zero) display rounding of the number as read at 12 significant digits."""

import pytest
from scipy import stats

from surveyapp.analysis.rounding import round_score, round_statistic


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.05, 0.1),  # half-up
        (0.15, 0.2),  # stored as 0.14999999999999999...; Python's round() gives 0.1, the reader expects 0.2
        (2.25, 2.3),
        (-2.25, -2.3),  # away from zero
        (1.15, 1.2),  # stored as 1.1499999999999999..., read as written
        (0.04, 0.0),
        (-0.04, 0.0),  # never "-0.0"
        (66.66666666666667, 66.7),
        (60, 60.0),
        (43.74999999999999, 43.8),  # a tie whose float sum came out a bit low still rounds up
        (43.75000000000001, 43.8),
        (-6.249999999999993, -6.3),
        (43.7499, 43.7),  # a real difference stays one
    ],
)
def test_round_score_half_up_one_decimal(value, expected):
    # Act
    rounded = round_score(value)

    # Assert
    assert rounded == expected
    assert repr(rounded) == repr(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0005, 0.001), (0.0835, 0.084), (-0.6365, -0.637), (0.8181818181818182, 0.818), (1.0, 1.0)],
)
def test_round_statistic_half_up_three_decimals(value, expected):
    # Act / Assert
    assert round_statistic(value) == expected


def test_round_none_stays_none():
    # Act / Assert
    assert (round_score(None), round_statistic(None)) == (None, None)


def test_round_numpy_scalar_from_scipy_is_plain_float():
    # Arrange: scipy returns numpy float64, whose repr() is "np.float64(...)"
    p_value = stats.norm.sf(0.0) * 2  # 1.0 as numpy.float64

    # Act
    rounded = round_statistic(p_value)

    # Assert
    assert rounded == 1.0
    assert type(rounded) is float


def test_round_non_finite_raises():
    # Act / Assert
    with pytest.raises(ValueError):
        round_score(float("inf"))
