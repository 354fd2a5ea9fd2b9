"""The analysis memo (issue 22): an earlier analysis is reused only for inputs equal in full, within a budget."""

from __future__ import annotations

from typing import Any

import pytest

from surveyapp.analysis.inputs import AccountFigures, DimensionSpec, FitModel
from surveyapp.analysis.memo import AnalysisMemo
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import StudyAnalysis, analyse_study
from surveyapp.analysis.thresholds import Thresholds


class CountingAnalysis:
    """`analyse_study`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **inputs: Any) -> StudyAnalysis:
        self.calls += 1
        return analyse_study(**inputs)


def inputs(study: str = "fit-2026", accounts: int = 3, name: str = "Alpha") -> dict[str, Any]:
    return {
        "study": study,
        "scoring_version": "v1",
        "provisional": False,
        "fit_model": FitModel((DimensionSpec("trust", 1.0),)),
        "thresholds": Thresholds(quadrant=60.0, gap=15.0, signal=2, min_n=3),
        "accounts": tuple(AccountFigures(number, f"{name} {number}", None) for number in range(accounts)),
        "account_scores": (),
    }


def test_memo_equal_inputs_reuse_the_analysis():
    # Arrange
    memo, analyse = AnalysisMemo(), CountingAnalysis()
    first = memo.analysed(inputs(), analyse)

    # Act
    second = memo.analysed(inputs(), analyse)

    # Assert
    assert second is first
    assert (analyse.calls, memo.hits, memo.misses) == (1, 1, 1)


def test_memo_changed_input_analyses_again():
    # Arrange
    memo, analyse = AnalysisMemo(), CountingAnalysis()
    first = memo.analysed(inputs(), analyse)

    # Act
    renamed = memo.analysed(inputs(name="Beta"), analyse)

    # Assert
    assert renamed is not first
    assert [a.account.name for a in renamed.accounts] == ["Beta 0", "Beta 1", "Beta 2"]
    assert analyse.calls == 2


def test_memo_keeps_one_analysis_per_study_the_newest():
    # Arrange
    memo, analyse = AnalysisMemo(), CountingAnalysis()
    memo.analysed(inputs(), analyse)
    memo.analysed(inputs(name="Beta"), analyse)

    # Act: the first inputs again, after the study changed
    memo.analysed(inputs(), analyse)

    # Assert: the older analysis of the study was let go
    assert analyse.calls == 3


def test_memo_keeps_at_most_size_studies_most_recent_first():
    # Arrange
    memo, analyse = AnalysisMemo(size=2), CountingAnalysis()
    for study in ("a", "b", "c"):
        memo.analysed(inputs(study=study), analyse)

    # Act
    memo.analysed(inputs(study="c"), analyse)
    memo.analysed(inputs(study="b"), analyse)
    memo.analysed(inputs(study="a"), analyse)

    # Assert: c and b were kept, a was not
    assert (analyse.calls, memo.hits) == (4, 2)


def test_memo_does_not_keep_analyses_beyond_its_account_budget():
    # Arrange: room for 5 accounts
    memo, analyse = AnalysisMemo(accounts=5), CountingAnalysis()
    memo.analysed(inputs(study="small", accounts=3), analyse)
    memo.analysed(inputs(study="large", accounts=6), analyse)

    # Act
    memo.analysed(inputs(study="large", accounts=6), analyse)
    memo.analysed(inputs(study="small", accounts=3), analyse)
    memo.analysed(inputs(study="other", accounts=3), analyse)
    memo.analysed(inputs(study="small", accounts=3), analyse)

    # Assert: "large" never kept; "other" pushed "small" out (3 + 3 > 5)
    assert (analyse.calls, memo.hits) == (5, 1)


def test_memo_with_no_budget_keeps_nothing():
    # Arrange
    memo, analyse = AnalysisMemo(accounts=0), CountingAnalysis()
    memo.analysed(inputs(), analyse)

    # Act
    memo.analysed(inputs(), analyse)

    # Assert
    assert (analyse.calls, memo.hits) == (2, 0)


def test_memo_document_is_kept_with_its_analysis():
    # Arrange
    memo = AnalysisMemo()
    result = memo.analysed(inputs(), analyse_study)
    document = memo.document_of(result)

    # Act
    again = memo.document_of(memo.analysed(inputs(), analyse_study))

    # Assert
    assert again is document
    assert document == build_analysis_document(analyse_study(**inputs()))


def test_memo_document_of_another_analysis_is_built_not_kept():
    # Arrange
    memo = AnalysisMemo()
    outside = analyse_study(**inputs())

    # Act
    first, second = memo.document_of(outside), memo.document_of(outside)

    # Assert
    assert first == second
    assert first is not second


def test_memo_size_below_one_is_refused():
    # Act / Assert
    with pytest.raises(ValueError, match="at least one analysis"):
        AnalysisMemo(size=0)
