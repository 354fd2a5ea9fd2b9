"""Rule 8: NPS = % promoters (9-10) - % detractors (0-6); the portfolio pools respondents."""

import pytest

from surveyapp.analysis.inputs import NpsAnswer
from surveyapp.analysis.nps import NpsResult, net_promoter_score, nps_by_account, portfolio_nps


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, -100.0),  # detractor
        (6, -100.0),  # highest detractor
        (7, 0.0),  # passive
        (8, 0.0),  # passive
        (9, 100.0),  # lowest promoter
        (10, 100.0),
    ],
)
def test_net_promoter_score_category_edges(value, expected):
    # Act / Assert
    assert net_promoter_score([value]).score == expected


def test_net_promoter_score_mixed_answers():
    # Arrange: promoters 9, 10; passives 7, 8; detractors 0, 6
    values = [6, 7, 8, 9, 0, 10]

    # Act
    result = net_promoter_score(values)

    # Assert: (2 - 2) / 6 * 100 = 0
    assert result == NpsResult(score=0.0, n=6, promoters=2, passives=2, detractors=2)


def test_net_promoter_score_thirds():
    # Arrange
    values = [10, 10, 3]

    # Act
    result = net_promoter_score(values)

    # Assert: (2 - 1) * 100 / 3 = 33.33...
    assert result.score == 100 / 3


def test_net_promoter_score_no_answers_score_none_n_zero():
    # Act / Assert
    assert net_promoter_score([]) == NpsResult(score=None, n=0, promoters=0, passives=0, detractors=0)


def test_portfolio_nps_pools_respondents_not_account_scores():
    # Arrange: account 1 has one promoter (NPS 100); account 2 has three detractors and one promoter (NPS -50)
    answers = [
        NpsAnswer(1, 1, 10),
        NpsAnswer(2, 2, 0),
        NpsAnswer(2, 3, 5),
        NpsAnswer(2, 4, 6),
        NpsAnswer(2, 5, 9),
    ]

    # Act
    per_account = nps_by_account(answers)
    pooled = portfolio_nps(answers)

    # Assert: per account 100 and (1-3)/4*100 = -50; pooled (2 promoters - 3 detractors) / 5 * 100 = -20,
    # not the mean of account scores (25)
    assert per_account[1].score == 100.0
    assert per_account[2].score == -50.0
    assert pooled.score == -20.0
    assert pooled.n == 5


def test_nps_answer_out_of_range_raises():
    # Act / Assert
    with pytest.raises(ValueError):
        NpsAnswer(1, 1, 11)


def test_nps_by_account_duplicate_respondent_raises():
    # Act / Assert
    with pytest.raises(ValueError, match="twice"):
        nps_by_account([NpsAnswer(1, 1, 10), NpsAnswer(1, 1, 3)])
