"""Rule 20: the staff's continue / realign / exit advice, tallied per account (the database side is in
test_headline.py)."""

import pytest

from surveyapp.analysis.accounts import AccountDimensionScore
from surveyapp.analysis.advice import StaffAdvice, no_advice, staff_advice
from surveyapp.analysis.inputs import AccountFigures, AdviceAnswer, DimensionSpec, FitModel
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective

OPTIONS = ("continue", "realign", "exit", "unsure")


def _analysis(answers, options):
    """A study of accounts 1 (scored by both sides) and 2 (no scores) with the given advice."""
    scores = [
        AccountDimensionScore(1, Perspective.CLIENT, "needs", 70.0, 1, None),
        AccountDimensionScore(1, Perspective.SUPPLIER, "needs", 50.0, 3, 0.0),
    ]
    return analyse_study(
        study="wave",
        scoring_version="v1",
        provisional=False,
        fit_model=FitModel((DimensionSpec("needs"),)),
        thresholds=Thresholds(),
        accounts=[AccountFigures(1, "Acme"), AccountFigures(2, "Globex")],
        account_scores=scores,
        advice_answers=answers,
        advice_options=options,
    )


def test_staff_advice_counts_every_option_with_zeros_and_unsure():
    # Arrange: account 1: continue, realign, unsure, realign; account 2: exit
    answers = [
        AdviceAnswer(1, 11, "continue"),
        AdviceAnswer(1, 12, "realign"),
        AdviceAnswer(2, 11, "exit"),
        AdviceAnswer(1, 13, "unsure"),
        AdviceAnswer(1, 14, "realign"),
    ]

    # Act
    tally = staff_advice(answers, OPTIONS)

    # Assert: in the question's order, an option nobody chose counted 0; n = the staff who answered
    assert tally == {
        1: StaffAdvice((("continue", 1), ("realign", 2), ("exit", 0), ("unsure", 1)), n=4),
        2: StaffAdvice((("continue", 0), ("realign", 0), ("exit", 1), ("unsure", 0)), n=1),
    }
    assert (tally[1].count("realign"), tally[1].count("exit"), tally[1].count("pause")) == (2, 0, 0)


def test_staff_advice_option_the_question_does_not_list_is_counted_after_it():
    # Arrange: "pause" from another version of the question
    answers = [AdviceAnswer(1, 11, "pause"), AdviceAnswer(1, 12, "exit")]

    # Act
    tally = staff_advice(answers, ("continue", "realign", "exit"))

    # Assert
    assert tally == {1: StaffAdvice((("continue", 0), ("realign", 0), ("exit", 1), ("pause", 1)), n=2)}


def test_staff_advice_twice_by_one_respondent_raises():
    # Arrange
    answers = [AdviceAnswer(1, 11, "continue"), AdviceAnswer(1, 11, "exit")]

    # Act / Assert
    with pytest.raises(ValueError, match="respondent 11 gave staff advice twice for account 1"):
        staff_advice(answers, OPTIONS)


def test_no_advice_has_every_option_zero():
    # Act / Assert
    assert no_advice(OPTIONS) == StaffAdvice(
        (("continue", 0), ("realign", 0), ("exit", 0), ("unsure", 0)), n=0
    )


def test_staff_advice_in_document_counts_per_option_and_n():
    # Arrange: three staff members advise on Acme; nobody on Globex
    answers = [AdviceAnswer(1, 11, "exit"), AdviceAnswer(1, 12, "unsure"), AdviceAnswer(1, 13, "exit")]

    # Act
    document = build_analysis_document(_analysis(answers, OPTIONS))

    # Assert
    assert {account["account"]: account["staff_advice"] for account in document["accounts"]} == {
        "Acme": {"counts": {"continue": 0, "realign": 0, "exit": 2, "unsure": 1}, "n": 3},
        "Globex": {"counts": {"continue": 0, "realign": 0, "exit": 0, "unsure": 0}, "n": 0},
    }
    assert list(document["accounts"][0]["staff_advice"]["counts"]) == list(OPTIONS)


def test_staff_advice_in_document_null_without_advice_question():
    # Act
    document = build_analysis_document(_analysis([], None))

    # Assert
    assert [account["staff_advice"] for account in document["accounts"]] == [None, None]


def test_staff_advice_outside_scope_raises():
    # Arrange: account 9 is not in the study's scope
    answers = [AdviceAnswer(9, 11, "exit")]

    # Act / Assert
    with pytest.raises(ValueError, match=r"staff advice for accounts \[9\]"):
        _analysis(answers, OPTIONS)
