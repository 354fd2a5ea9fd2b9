"""The advice on hand-computed cases (docs/method.md section 12): every threshold edge and every knockout."""

from __future__ import annotations

from typing import Any

import pytest

from surveyapp.deals.advice import AdviceInputError, RatedCheck, ReasonKind, assess, combine, deal_score
from surveyapp.enums import DealAdvice
from tests.deals.conftest import ANSWERS_A, ANSWERS_B, ANSWERS_BEST


def _assess(shipped: Any, answers: dict[str, str]) -> Any:
    return assess(shipped.get("deal-fit-check"), shipped.scoring, answers)


def test_assess_example_a_is_go(shipped: Any) -> None:
    result = _assess(shipped, ANSWERS_A)

    # (2x85 + 2x75 + 70 + 75 + 2x60 + 78.33 + 100 + 75 + 2x75 + 60) / 14
    assert round(result.score, 6) == round(1048.3333333333333 / 14, 6)
    assert result.advice is DealAdvice.GO
    assert result.knockouts == ()
    assert result.conditions == ()


def test_assess_example_a_reasons_leave_out_answers_between_no_go_and_go(shipped: Any) -> None:
    # Act
    result = _assess(shipped, ANSWERS_A)

    # Assert: dc_effort, dc_horizon and dc_reference score 60 ("tight, but feasible"): not weak points; the
    # five strongest answers explain the go
    assert [(r.kind, r.question_key, r.score) for r in result.reasons] == [
        (ReasonKind.STRONG, "dc_need", 100.0),
        (ReasonKind.STRONG, "dc_budget", 100.0),
        (ReasonKind.STRONG, "dc_decision", 100.0),
        (ReasonKind.STRONG, "dc_risk", 100.0),
        (ReasonKind.STRONG, "dc_difference", 75.0),
    ]


def test_assess_reasons_rank_knockouts_then_open_knockout_questions_then_lowest_score(shipped: Any) -> None:
    # Arrange: example B (weak: dc_why_us, dc_scope, dc_effort at 25) with a knockout on dc_standard, dc_risk
    # unknown (a knock-out question still open, 25) and dc_effort "much more" (10)
    answers = {**ANSWERS_B, "dc_standard": "their_way", "dc_risk": "unknown", "dc_effort": "much_more"}

    # Act
    result = _assess(shipped, answers)

    # Assert: the knockout makes it no-go; the reasons in rank order
    assert result.advice is DealAdvice.NO_GO
    assert [(r.kind, r.question_key, r.score, r.unsettled, r.knockout_question) for r in result.reasons] == [
        (ReasonKind.KNOCKOUT, "dc_standard", 0.0, False, True),
        (ReasonKind.WEAK, "dc_risk", 25.0, True, True),
        (ReasonKind.WEAK, "dc_effort", 10.0, False, False),
        (ReasonKind.WEAK, "dc_why_us", 25.0, False, False),
        (ReasonKind.WEAK, "dc_scope", 25.0, False, False),
    ]


def test_assess_weak_point_edge_is_the_no_go_threshold(shipped: Any) -> None:
    # Arrange: dc_quality "3" scores exactly 50 (the no-go line: reached, not weak); dc_difference "2" 25
    answers = {**ANSWERS_BEST, "dc_quality": "3", "dc_difference": "2"}

    # Act
    result = _assess(shipped, answers)

    # Assert
    assert [(r.question_key, r.score) for r in result.reasons if r.kind == ReasonKind.WEAK] == [
        ("dc_difference", 25.0)
    ]


def test_assess_example_b_is_go_with_seven_conditions(shipped: Any) -> None:
    result = _assess(shipped, ANSWERS_B)

    assert result.score == 60.0  # 840 / 14
    assert result.advice is DealAdvice.GO_WITH_CONDITIONS
    assert [c.en for c in result.conditions] == [
        "State in the offer which part falls outside our standard offer and who will do that part.",
        "Ask the prospect why they are talking to us and what they expect from us.",
        "Fix the scope in writing, with a change procedure: who decides and what a change costs.",
        "Agree a start date and schedule that fit our capacity.",
        "Agree with the prospect how much meeting and reporting time the price includes, and what more costs.",
        "Fit the scope to the budget and record what the price does not include.",
        "Have the prospect confirm who decides, who signs and who will be our regular contact.",
    ]


def test_assess_example_c_knockout_overrides_conditional_score(shipped: Any) -> None:
    result = _assess(shipped, {**ANSWERS_A, "dc_standard": "their_way"})

    assert round(result.score, 6) == round(898.3333333333333 / 14, 6)  # 64.2: would be go with conditions
    assert result.advice is DealAdvice.NO_GO
    assert result.knockouts == ("dc_standard",)
    assert (result.reasons[0].kind, result.reasons[0].question_key) == (ReasonKind.KNOCKOUT, "dc_standard")
    assert result.conditions == ()


def test_assess_example_d_is_no_go_on_score(shipped: Any) -> None:
    answers = {
        "dc_need": "partly",
        "dc_why_us": "price_or_availability",
        "dc_difference": "2",
        "dc_standard": "large_changes",
        "dc_scope": "shifting",
        "dc_quality": "3",
        "dc_effort": "much_more",
        "dc_budget": "too_low",
        "dc_decision": "unclear",
        "dc_risk": "manageable",
        "dc_chemistry": "stiff",
        "dc_energy": "2",
        "dc_horizon": "cheapest_once",
        "dc_reference": "revenue_only",
    }

    result = _assess(shipped, answers)

    # needs 25x2, ways 25x2, scope 10, quality 50, effort 10x2, risk 40, friction 30, energy 25x2,
    # mutual value (25 + 0 + 30) / 3, relationship 10: 328.33 / 14 = 23.5
    assert round(result.score, 6) == round((280 + 55 / 3 + 30) / 14, 6)
    assert result.advice is DealAdvice.NO_GO
    assert result.knockouts == ()


# Edges with the shipped thresholds (go at 70, no-go below 50); scores computed by hand in the comments.
EXACTLY_70 = {
    **ANSWERS_BEST,
    "dc_standard": "large_changes",
    "dc_scope": "shifting",
    "dc_effort": "much_more",
}
# 200 + 2x25 + 10 + 100 + 2x10 + 100 + 100 + 200 + 100 + 100 = 980; 980 / 14 = 70
EXACTLY_50 = {
    **ANSWERS_BEST,
    "dc_need": "mostly",
    "dc_why_us": "unknown",
    "dc_standard": "large_changes",
    "dc_quality": "2",
    "dc_effort": "much_more",
    "dc_decision": "partly_clear",
    "dc_risk": "manageable",
    "dc_energy": "2",
}
# 2x47.5 + 2x25 + 100 + 25 + 2x10 + 60 + 100 + 2x25 + 100 + 100 = 700; 700 / 14 = 50


@pytest.mark.parametrize(
    ("answers", "score", "advice"),
    [
        (EXACTLY_70, 70.0, DealAdvice.GO),
        # mutual value (100 + 100 + 60) / 3 = 86.67: 966.67 / 14 = 69.05
        ({**EXACTLY_70, "dc_reference": "some"}, (880 + 260 / 3) / 14, DealAdvice.GO_WITH_CONDITIONS),
        (EXACTLY_50, 50.0, DealAdvice.GO_WITH_CONDITIONS),
        # 686.67 / 14 = 49.05
        ({**EXACTLY_50, "dc_reference": "some"}, (600 + 260 / 3) / 14, DealAdvice.NO_GO),
    ],
    ids=["70-go", "69.05-conditions", "50-conditions", "49.05-no-go"],
)
def test_assess_threshold_edges(
    shipped: Any, answers: dict[str, str], score: float, advice: DealAdvice
) -> None:
    result = _assess(shipped, answers)

    assert round(result.score, 9) == round(score, 9)
    assert result.advice is advice


@pytest.mark.parametrize(
    ("key", "value"),
    [("dc_need", "no_match"), ("dc_standard", "their_way"), ("dc_risk", "serious"), ("dc_quality", "1")],
)
def test_assess_each_knockout_is_no_go_with_otherwise_best_answers(
    shipped: Any, key: str, value: str
) -> None:
    result = _assess(shipped, {**ANSWERS_BEST, key: value})

    assert result.advice is DealAdvice.NO_GO
    assert result.knockouts == (key,)
    assert result.score > 70  # the score alone would say go


def test_assess_quality_two_is_not_a_knockout(shipped: Any) -> None:
    result = _assess(shipped, {**ANSWERS_BEST, "dc_quality": "2"})

    assert result.knockouts == ()
    assert result.advice is DealAdvice.GO


def test_assess_knockout_question_answered_unknown_is_an_open_point_not_a_knockout(shipped: Any) -> None:
    result = _assess(shipped, {**ANSWERS_BEST, "dc_risk": "unknown"})

    # one risk item at 25: risk (100 + 25) / 2 = 62.5; 1400 - 37.5 = 1362.5; / 14 = 97.32 -> go
    assert round(result.score, 9) == round(1362.5 / 14, 9)
    assert result.advice is DealAdvice.GO
    assert result.knockouts == ()
    open_points = [
        (r.question_key, r.unsettled, r.answer.en) for r in result.reasons if r.kind == ReasonKind.WEAK
    ]
    assert open_points == [("dc_risk", True, "Don't know (yet)")]


def test_assess_missing_required_answers_are_listed(shipped: Any) -> None:
    answers = {key: value for key, value in ANSWERS_A.items() if key not in ("dc_budget", "dc_need")}

    with pytest.raises(AdviceInputError) as raised:
        _assess(shipped, answers)

    assert raised.value.missing == ["dc_need", "dc_budget"]


def test_assess_value_that_is_not_an_option_is_refused(shipped: Any) -> None:
    with pytest.raises(AdviceInputError) as raised:
        _assess(shipped, {**ANSWERS_A, "dc_quality": "unknown"})

    assert list(raised.value.invalid) == ["dc_quality"]


def test_deal_score_ignores_the_unscored_notes(shipped: Any) -> None:
    questionnaire = shipped.get("deal-fit-check")

    with_notes = deal_score(questionnaire, shipped.scoring, {**ANSWERS_A, "dc_notes": "=HYPERLINK()"})

    assert with_notes == deal_score(questionnaire, shipped.scoring, ANSWERS_A)


# Two raters (method.md section 12): the stricter advice, the conditions of both, where they disagree.


def _rated(shipped: Any, answers: dict[str, str]) -> RatedCheck:
    questionnaire = shipped.get("deal-fit-check")
    return RatedCheck(questionnaire, answers, assess(questionnaire, shipped.scoring, answers))


def test_combine_same_answers_agree_without_disagreements(shipped: Any) -> None:
    # Act
    views = combine(_rated(shipped, ANSWERS_A), _rated(shipped, ANSWERS_A))

    # Assert
    assert (views.advice, views.agree, views.conditions, views.disagreements) == (DealAdvice.GO, True, (), ())


def test_combine_go_and_conditions_is_go_with_conditions_listing_the_disagreements_widest_first(
    shipped: Any,
) -> None:
    # Act: sales answers example A (go, 74.9), delivery example B (go with conditions, 60.0)
    views = combine(_rated(shipped, ANSWERS_A), _rated(shipped, ANSWERS_B))

    # Assert: item scores A vs B, 25 points apart or more; ties in questionnaire order. dc_quality "agree" (75)
    # against "neutral" (50) is exactly 25 apart: a disagreement (the edge counts, rule 7)
    assert views.advice is DealAdvice.GO_WITH_CONDITIONS
    assert views.agree is False
    assert len(views.conditions) == 7
    assert [(d.question_key, d.sales_score, d.delivery_score) for d in views.disagreements] == [
        ("dc_why_us", 70.0, 25.0),
        ("dc_scope", 70.0, 25.0),
        ("dc_budget", 100.0, 60.0),
        ("dc_decision", 100.0, 60.0),
        ("dc_horizon", 60.0, 100.0),
        ("dc_effort", 60.0, 25.0),
        ("dc_need", 100.0, 70.0),
        ("dc_quality", 75.0, 50.0),
    ]


def test_combine_exactly_25_points_apart_is_a_disagreement_and_equal_answers_are_not(shipped: Any) -> None:
    # Arrange: dc_quality "5" (100) against "4" (75); every other answer the same
    sales = {**ANSWERS_BEST, "dc_quality": "5"}
    delivery = {**ANSWERS_BEST, "dc_quality": "4"}

    # Act: 100 against 75 is exactly 25: a disagreement; the same answers elsewhere: none
    views = combine(_rated(shipped, sales), _rated(shipped, delivery))

    # Assert
    assert [(d.question_key, d.difference) for d in views.disagreements] == [("dc_quality", 25.0)]
    assert views.advice is DealAdvice.GO


def test_combine_knockout_on_one_side_is_no_go_and_heads_the_disagreements(shipped: Any) -> None:
    # Act: delivery says the prospect insists on working entirely their way (a knockout); sales does not
    views = combine(_rated(shipped, ANSWERS_A), _rated(shipped, {**ANSWERS_A, "dc_standard": "their_way"}))

    # Assert
    assert views.advice is DealAdvice.NO_GO
    assert views.conditions == ()
    assert [(d.question_key, d.knockout, d.sales_score, d.delivery_score) for d in views.disagreements] == [
        ("dc_standard", True, 75.0, 0.0)
    ]


def test_combine_go_needs_both_a_no_go_from_either_stops_the_deal(shipped: Any) -> None:
    # Arrange: example D is a no-go on score
    answers_d = {
        "dc_need": "partly", "dc_why_us": "price_or_availability", "dc_difference": "2",
        "dc_standard": "large_changes", "dc_scope": "shifting", "dc_quality": "3", "dc_effort": "much_more",
        "dc_budget": "too_low", "dc_decision": "unclear", "dc_risk": "manageable", "dc_chemistry": "stiff",
        "dc_energy": "2", "dc_horizon": "cheapest_once", "dc_reference": "revenue_only",
    }  # fmt: skip

    # Act
    either = [
        combine(_rated(shipped, first), _rated(shipped, second)).advice
        for first, second in ((ANSWERS_BEST, answers_d), (answers_d, ANSWERS_BEST))
    ]

    # Assert
    assert either == [DealAdvice.NO_GO, DealAdvice.NO_GO]


def test_combine_conditions_include_those_of_the_rater_who_said_go(shipped: Any) -> None:
    # Arrange: sales says go with a tight budget (an answer with a condition); delivery says go with conditions
    sales = {**ANSWERS_BEST, "dc_budget": "tight"}
    delivery = {**EXACTLY_70, "dc_reference": "some"}

    # Act
    views = combine(_rated(shipped, sales), _rated(shipped, delivery))

    # Assert
    assert (views.sales.advice, views.delivery.advice, views.advice) == (
        DealAdvice.GO,
        DealAdvice.GO_WITH_CONDITIONS,
        DealAdvice.GO_WITH_CONDITIONS,
    )
    assert "Fit the scope to the budget and record what the price does not include." in [
        c.en for c in views.conditions
    ]
