"""Property: the SQL-sums path and the respondent path of rule 4 agree, and overall fits stay on 0-100."""

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.analysis.accounts import (
    AccountScoreIndex,
    account_scores_from_aggregates,
    account_scores_from_respondents,
)
from surveyapp.analysis.fit import account_overall
from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    DimensionSpec,
    FitModel,
    ItemScore,
    RespondentDimensionScore,
)
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.enums import Perspective

MODEL = FitModel((DimensionSpec("needs", 2.0), DimensionSpec("errors", 1.0), DimensionSpec("effort", 0.5)))
DIMENSION_OF_ITEM = {"q1": "needs", "q2": "needs", "q3": "errors", "q4": "effort"}

# Item scores as rule 1 makes them: a value v on a 1..k scale scores (v-1)/(k-1)*100 (k = 2..11), or 10*v for
# nps; so the strategy draws realistic scores, including repeating decimals such as 100/3.
scale_scores = st.integers(2, 11).flatmap(lambda k: st.integers(1, k).map(lambda v: (v - 1) / (k - 1) * 100))
nps_scores = st.integers(0, 10).map(lambda v: v * 10.0)
# Repeating decimals that, summed in floats, leave rounding noise in Σx² - (Σx)²/n when respondents agree.
awkward_scores = st.sampled_from([100 / 3, 200 / 3, 250 / 3, 100 / 6, 100 / 7])
item_scores = st.one_of(scale_scores, nps_scores, awkward_scores)

responses = st.dictionaries(
    keys=st.tuples(
        st.integers(1, 2),  # account
        st.integers(1, 5),  # respondent
        st.sampled_from([Perspective.CLIENT, Perspective.SUPPLIER]),
        st.sampled_from(sorted(DIMENSION_OF_ITEM)),
    ),
    values=st.tuples(st.integers(1, 3), item_scores),  # item weight, item score
    max_size=40,
)


def _aggregates_like_sql(respondent_scores):
    # What SQL's COUNT / SUM / SUM(x*x) produce: plain left-to-right float sums.
    sums = defaultdict(lambda: [0, 0.0, 0.0])
    for row in respondent_scores:
        entry = sums[(row.account_id, row.perspective, row.dimension)]
        entry[0] += 1
        entry[1] += row.score
        entry[2] += row.score * row.score
    return [
        AccountDimensionAggregate(account_id, perspective, dimension, n, total, total_sq)
        for (account_id, perspective, dimension), (n, total, total_sq) in sums.items()
    ]


@settings(max_examples=60, deadline=None)
@given(responses)
def test_account_scores_aggregates_path_equals_respondents_path(answers):
    # Arrange
    items = [
        ItemScore(account, respondent, perspective, item, DIMENSION_OF_ITEM[item], weight, score)
        for (account, respondent, perspective, item), (weight, score) in answers.items()
    ]
    respondent_scores = respondent_dimension_scores(items)

    # Act
    from_respondents = account_scores_from_respondents(respondent_scores)
    from_aggregates = account_scores_from_aggregates(_aggregates_like_sql(respondent_scores))

    # Assert: same cells, same n, means and sds within 1e-9
    assert [(s.account_id, s.perspective, s.dimension, s.n) for s in from_respondents] == [
        (s.account_id, s.perspective, s.dimension, s.n) for s in from_aggregates
    ]
    for exact, summed in zip(from_respondents, from_aggregates, strict=True):
        assert abs(exact.mean - summed.mean) <= 1e-9
        assert (exact.sd is None) == (summed.sd is None)
        if exact.sd is not None:
            assert abs(exact.sd - summed.sd) <= 1e-9

    # Assert: overall fits agree and stay on the 0-100 scale (weighted means of 0-100 scores)
    exact_index, summed_index = AccountScoreIndex(from_respondents), AccountScoreIndex(from_aggregates)
    for account_id in exact_index.account_ids():
        exact_fit = account_overall(account_id, exact_index, MODEL)
        summed_fit = account_overall(account_id, summed_index, MODEL)
        for exact_value, summed_value in (
            (exact_fit.client, summed_fit.client),
            (exact_fit.supplier, summed_fit.supplier),
        ):
            assert (exact_value is None) == (summed_value is None)
            if exact_value is not None:
                assert 0.0 <= exact_value <= 100.0
                assert 0.0 <= summed_value <= 100.0
                assert abs(exact_value - summed_value) <= 1e-9


@settings(max_examples=40, deadline=None)
@given(st.one_of(scale_scores, awkward_scores), st.integers(2, 12))
def test_account_scores_agreeing_respondents_sd_zero_in_both_paths(score, n):
    # Arrange: n respondents with the same score; SQL's float sums still leave noise in Σx² - (Σx)²/n
    respondent_scores = [RespondentDimensionScore(1, r, Perspective.CLIENT, "needs", score) for r in range(n)]

    # Act
    (exact,) = account_scores_from_respondents(respondent_scores)
    (summed,) = account_scores_from_aggregates(_aggregates_like_sql(respondent_scores))

    # Assert
    assert exact.sd == 0.0
    assert summed.sd == 0.0
    assert abs(summed.mean - score) <= 1e-9
