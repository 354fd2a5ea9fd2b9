"""Rule 13's statistics: Wilcoxon signed-rank with rank-biserial r, and Cronbach's alpha (listwise)."""

import math
from statistics import NormalDist

from surveyapp.analysis.inputs import ItemMatrix, ItemScore
from surveyapp.analysis.rounding import round_statistic
from surveyapp.analysis.stats import (
    AlphaResult,
    SignedRanks,
    WilcoxonResult,
    clean_difference,
    cronbach_alpha,
    item_matrices_from_items,
    paired_wilcoxon,
    reliability,
    signed_ranks,
)
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER

# Ten non-zero differences: 1..9 positive, 10 negative. Ranks of |d| are 1..10, so W+ = 1+...+9 = 45 and
# W- = 10. Exact two-sided p = 2 * P(W <= 10) for n = 10: the subsets of {1..10} with sum <= 10 number
# 1+1+1+2+2+3+4+5+6+8+10 = 43 (sums 0..10), out of 2^10 = 1024, so p = 86/1024 = 0.083984375.
TEN_PAIRS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, -10.0]


def test_signed_ranks_ties_get_average_ranks_zeros_excluded():
    # Arrange: non-zero |d| sorted: 1(-), 2(+), 2(-), 5(+) -> ranks 1, 2.5, 2.5, 4
    differences = [2.0, -2.0, 5.0, 0.0, -1.0]

    # Act
    ranks = signed_ranks(differences)

    # Assert: W+ = 2.5 + 4 = 6.5, W- = 1 + 2.5 = 3.5
    assert ranks == SignedRanks(pairs=4, w_plus=6.5, w_minus=3.5)


def test_paired_wilcoxon_nine_nonzero_pairs_none():
    # Arrange: eleven accounts with both perspectives, two without a difference: 9 non-zero pairs
    differences = [*TEN_PAIRS[:9], 0.0, 0.0]

    # Act / Assert
    assert paired_wilcoxon(differences) is None


def test_paired_wilcoxon_ten_nonzero_pairs_exact_values():
    # Arrange: twelve accounts, two zero differences: 10 non-zero pairs
    differences = [*TEN_PAIRS, 0.0, 0.0]

    # Act
    result = paired_wilcoxon(differences)

    # Assert: statistic min(45, 10) = 10; p = 86/1024; r = (45 - 10) / (45 + 10) = 35/55, positive: clients
    # see a better fit
    assert result == WilcoxonResult(
        pairs=10, zeros=2, statistic=10.0, p=86 / 1024, r=35 / 55, w_plus=45.0, w_minus=10.0
    )
    assert round_statistic(result.r) == 0.636


def test_paired_wilcoxon_r_negative_when_supplier_sees_better_fit():
    # Arrange: the same differences, supplier minus client
    differences = [-value for value in TEN_PAIRS]

    # Act
    result = paired_wilcoxon(differences)

    # Assert: W+ = 10, W- = 45: r = (10 - 45) / 55 = -35/55; statistic and p unchanged
    assert (result.w_plus, result.w_minus, result.r) == (10.0, 45.0, -35 / 55)
    assert (result.statistic, result.p) == (10.0, 86 / 1024)


def test_paired_wilcoxon_ties_normal_approximation():
    # Arrange: twenty pairs: fifteen |d| = 1 (ten +, five -) share rank 8; five d = +2 share rank 18
    differences = [1.0] * 10 + [-1.0] * 5 + [2.0] * 5

    # Act
    result = paired_wilcoxon(differences)

    # Assert: W+ = 10*8 + 5*18 = 170, W- = 5*8 = 40, r = 130/210 = 13/21.
    # scipy chooses the normal approximation (ties, n > 13): mean 20*21/4 = 105; variance
    # (20*21*41 - ((15^3-15) + (5^3-5))/2) / 24 = (17220 - 1740) / 24 = 645; z = (170 - 105)/sqrt(645) = 2.559
    assert (result.w_plus, result.w_minus, result.statistic, result.r) == (170.0, 40.0, 40.0, 130 / 210)
    assert math.isclose(result.p, 2 * NormalDist().cdf(-65 / math.sqrt(645)), rel_tol=1e-9)
    assert round_statistic(result.p) == 0.01


def test_clean_difference_float_noise_is_zero_or_tie():
    # Act / Assert: 0.1 + 0.2 - 0.3 = 5.55e-17 is no difference; 0.1 + 0.2 ties with 0.3
    assert clean_difference(0.1 + 0.2 - 0.3) == 0.0
    assert clean_difference(0.1 + 0.2) == clean_difference(0.3)
    assert math.copysign(1.0, clean_difference(-1e-12)) == 1.0


def test_paired_wilcoxon_float_noise_zero_not_a_pair():
    # Arrange: nine real differences plus one that is zero on paper (two means computed differently)
    differences = [*TEN_PAIRS[:9], (0.1 + 0.2) - 0.3]

    # Act / Assert: still only 9 non-zero pairs
    assert paired_wilcoxon(differences) is None


# Cronbach's alpha by hand, 4 respondents x 3 items:
#   item A: 0, 50, 50, 100   mean 50, SS = 2500 + 0 + 0 + 2500 = 5000
#   item B: 0, 50, 100, 50   mean 50, SS = 5000
#   item C: 50, 50, 100, 100 mean 75, SS = 625 * 4 = 2500
#   totals: 50, 150, 250, 250 mean 175, SS = 15625 + 625 + 5625 + 5625 = 27500
#   alpha = 3/2 * (1 - 12500/27500) = 3/2 * 15000/27500 = 9/11 = 0.818
HAND_MATRIX = [[0.0, 0.0, 50.0], [50.0, 50.0, 50.0], [50.0, 100.0, 100.0], [100.0, 50.0, 100.0]]


def test_cronbach_alpha_hand_matrix():
    # Act
    alpha = cronbach_alpha(HAND_MATRIX)

    # Assert
    assert alpha == 9 / 11
    assert round_statistic(alpha) == 0.818


def test_cronbach_alpha_no_variation_in_totals_none():
    # Arrange: every respondent's total is 100
    rows = [[0.0, 100.0], [50.0, 50.0], [100.0, 0.0]]

    # Act / Assert
    assert cronbach_alpha(rows) is None


# A 3-row pattern, 2 items: (0, 25), (50, 25), (100, 100)
#   item 1 mean 50, SS 2500 + 0 + 2500 = 5000; item 2 mean 50, SS 625 + 625 + 2500 = 3750
#   totals 25, 75, 200: mean 100, SS 5625 + 625 + 10000 = 16250
#   alpha = 2 * (16250 - 8750) / 16250 = 15000/16250 = 12/13; repeating the rows k times multiplies every SS
#   by k, so 30 rows (the pattern ten times) give 12/13 too.
PATTERN = [(0.0, 25.0), (50.0, 25.0), (100.0, 100.0)]


def _matrix(rows, extra=()):
    responses = {(1, index): {"q1": first, "q2": second} for index, (first, second) in enumerate(rows)}
    for index, scores in enumerate(extra, start=len(rows)):
        responses[(2, index)] = scores
    return ItemMatrix(CLIENT, "needs", responses)


def test_reliability_thirty_respondents_alpha():
    # Arrange
    matrix = _matrix(PATTERN * 10)

    # Act
    result = reliability(matrix)

    # Assert
    assert result == AlphaResult(alpha=12 / 13, respondents=30, items=2)
    assert round_statistic(result.alpha) == 0.923


def test_reliability_twenty_nine_respondents_none():
    # Arrange
    matrix = _matrix((PATTERN * 10)[:29])

    # Act / Assert
    assert reliability(matrix) == AlphaResult(alpha=None, respondents=29, items=2)


def test_reliability_listwise_deletion_counts_complete_rows():
    # Arrange: thirty complete rows plus one response that skipped q2 (deleted, not imputed)
    thirty = _matrix(PATTERN * 10, extra=[{"q1": 0.0}])
    # twenty-nine complete rows plus one incomplete: after deletion below 30
    twenty_nine = _matrix((PATTERN * 10)[:29], extra=[{"q2": 100.0}])

    # Act / Assert
    assert reliability(thirty) == AlphaResult(alpha=12 / 13, respondents=30, items=2)
    assert reliability(twenty_nine) == AlphaResult(alpha=None, respondents=29, items=2)


def test_reliability_single_item_none():
    # Arrange: forty respondents, but the dimension has one item
    matrix = ItemMatrix(CLIENT, "needs", {(1, index): {"q1": float(index)} for index in range(40)})

    # Act / Assert
    assert reliability(matrix) == AlphaResult(alpha=None, respondents=40, items=1)


def test_item_matrices_from_items_groups_by_perspective_dimension_and_response():
    # Arrange: staff member 9 rates two accounts: two response units
    items = [
        ItemScore(1, 9, SUPPLIER, "q1", "needs", 1, 10.0),
        ItemScore(2, 9, SUPPLIER, "q1", "needs", 1, 20.0),
        ItemScore(2, 9, SUPPLIER, "q2", "needs", 2, 30.0),
        ItemScore(1, 1, CLIENT, "q1", "needs", 1, 40.0),
        ItemScore(1, 1, CLIENT, "nps", None, 1, 90.0),
    ]

    # Act
    matrices = item_matrices_from_items(items)

    # Assert
    assert matrices == (
        ItemMatrix(CLIENT, "needs", {(1, 1): {"q1": 40.0}}),
        ItemMatrix(SUPPLIER, "needs", {(1, 9): {"q1": 10.0}, (2, 9): {"q1": 20.0, "q2": 30.0}}),
    )
