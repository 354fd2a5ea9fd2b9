"""Rule 13: portfolio scores per dimension and perspective (mean of account scores), paired gap and test."""

from surveyapp.analysis.accounts import AccountDimensionScore, AccountScoreIndex
from surveyapp.analysis.portfolio import PortfolioCell, portfolio_dimensions, quadrant_counts
from surveyapp.analysis.stats import AlphaResult
from surveyapp.enums import Perspective, Quadrant

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER


def _score(account_id, perspective, mean, dimension="needs", n=1):
    return AccountDimensionScore(account_id, perspective, dimension, mean, n, None)


def test_portfolio_dimensions_mean_of_account_scores_n_accounts():
    # Arrange: account 1 has ten client respondents, account 2 one; each account weighs the same
    index = AccountScoreIndex(
        [
            _score(1, CLIENT, 80.0, n=10),
            _score(2, CLIENT, 40.0),
            _score(3, CLIENT, 30.0),
            _score(1, SUPPLIER, 60.0),
            _score(2, SUPPLIER, 50.0),
            _score(4, SUPPLIER, 10.0),
        ]
    )

    # Act
    (row,) = portfolio_dimensions(index, ["needs"])

    # Assert: client (80 + 40 + 30) / 3 = 50 over 3 accounts; supplier (60 + 50 + 10) / 3 = 40 over 3.
    # The gap is paired: accounts 1 and 2 have both: ((80-60) + (40-50)) / 2 = 5, not 50 - 40 = 10.
    assert row.client == PortfolioCell(mean=50.0, n=3)
    assert row.supplier == PortfolioCell(mean=40.0, n=3)
    assert (row.gap, row.pairs) == (5.0, 2)
    assert row.wilcoxon is None  # 2 pairs < 10
    assert row.alpha_client == AlphaResult(alpha=None, respondents=0, items=0)


def test_portfolio_dimensions_wilcoxon_from_ten_nonzero_pairs():
    # Arrange: twelve accounts; client = 50 + d, supplier = 50, with d = 1..9, -10, 0, 0
    differences = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, -10.0, 0.0, 0.0]
    scores = []
    for account_id, difference in enumerate(differences, start=1):
        scores += [_score(account_id, CLIENT, 50.0 + difference), _score(account_id, SUPPLIER, 50.0)]

    # Act
    (row,) = portfolio_dimensions(AccountScoreIndex(scores), ["needs"])

    # Assert: gap = (45 - 10 + 0) / 12 = 35/12; W+ 45, W- 10 (see test_stats), p = 86/1024
    assert (row.gap, row.pairs) == (35 / 12, 12)
    assert (row.wilcoxon.pairs, row.wilcoxon.zeros, row.wilcoxon.p) == (10, 2, 86 / 1024)
    assert row.wilcoxon.r == 35 / 55


def test_portfolio_dimensions_one_perspective_only():
    # Arrange: effort is judged by the supplier alone
    index = AccountScoreIndex([_score(1, SUPPLIER, 30.0, "effort"), _score(2, SUPPLIER, 45.0, "effort")])

    # Act
    (row,) = portfolio_dimensions(index, ["effort"])

    # Assert: (30 + 45) / 2 = 37.5
    assert (row.client, row.supplier, row.gap, row.pairs) == (None, PortfolioCell(37.5, 2), None, 0)


def test_quadrant_counts_all_five_present():
    # Act
    counts = quadrant_counts([Quadrant.MATCH, Quadrant.MISFIT, Quadrant.MATCH])

    # Assert
    assert counts == {
        Quadrant.MATCH: 2,
        Quadrant.CUSTOMER_SWAYED: 0,
        Quadrant.BLIND_SPOT: 0,
        Quadrant.MISFIT: 1,
        Quadrant.INCOMPLETE: 0,
    }
