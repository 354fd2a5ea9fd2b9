"""The deal fit advice: answers + questionnaire + scoring model -> advice, score, reasons and conditions.

Pure (no Flask, no database). The rule is docs/method.md section 12:

- the deal fit score is the fit score of this one response: item scores (DESIGN rule 1), a weighted mean per
  dimension (rule 3) and the weighted mean over dimensions with scoring.yaml's weights (rule 5);
- any knockout answer -> no_go, whatever the score;
- otherwise score >= deal_fit_go -> go; score < deal_fit_no_go -> no_go; in between go_with_conditions, whose
  conditions are the `condition` texts of the answers given, in questionnaire order.

Threshold comparisons use rule 7's tolerance: a score exactly at a threshold reaches it.
Reasons are the answers that drove the advice, ranked: every knockout answer first, then the weak points —
the answers scoring below the no-go threshold, an open knock-out question first, then the lowest score first
(questionnaire order breaks a tie) — and for a go the strongest answers. An answer between the no-go and the
go threshold ("tight, but feasible") is not a weak point: what it needs is in the conditions. A knock-out
question answered "Don't know (yet)" is not a knockout (method.md: an unknown can be settled by asking) but is
marked `unsettled`, so the advice always says plainly that a knock-out question is still open; every reason on
a question that can knock out is marked `knockout_question`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveyapp.analysis.fit import overall_fit
from surveyapp.analysis.inputs import ItemScore
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.analysis.service import fit_model_of
from surveyapp.analysis.thresholds import Direction, reaches
from surveyapp.enums import DealAdvice, Perspective, QuestionType
from surveyapp.questionnaires.schema import Question, Questionnaire, ScoringModel, Text
from surveyapp.questionnaires.types import (
    advice_conditions,
    handler_for,
    knockouts,
    score_answers,
    validate_answers,
)
from surveyapp.questionnaires.types.base import is_unanswered
from surveyapp.questionnaires.visibility import visibility

#: The option key of "Don't know (yet)" in the deal fit check.
UNKNOWN_OPTION = "unknown"
#: How many strong answers a go lists as its reasons.
MAX_STRENGTHS = 5


class ReasonKind:
    KNOCKOUT = "knockout"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class Reason:
    """One answer that drove the advice, with its item score (None for a scale answer outside scoring)."""

    kind: str
    question_key: str
    question: Text
    answer: Text
    score: float | None
    unsettled: bool = False
    #: The question can knock the deal out (some answer to it is a knockout).
    knockout_question: bool = False


@dataclass(frozen=True, slots=True)
class Advice:
    advice: DealAdvice
    score: float
    knockouts: tuple[str, ...]
    reasons: tuple[Reason, ...]
    conditions: tuple[Text, ...]


class AdviceInputError(ValueError):
    """Answers that cannot be assessed: `missing` lists unanswered required questions, `invalid` bad values."""

    def __init__(self, missing: list[str], invalid: dict[str, str]) -> None:
        super().__init__(f"missing: {missing}; invalid: {invalid}")
        self.missing = missing
        self.invalid = invalid


def missing_required(questionnaire: Questionnaire, answers: Mapping[str, str | None]) -> list[str]:
    """The keys of visible required questions without an answer, in questionnaire order."""
    visible = visibility(questionnaire, answers).questions
    return [
        question.key
        for question in questionnaire.questions
        if question.required and question.key in visible and is_unanswered(answers.get(question.key))
    ]


def answer_text(question: Question, raw: str) -> Text:
    """What an answer says, in both languages: the option label, or the scale value with its anchor."""
    if question.type is QuestionType.SINGLE:
        option = question.option(raw)
        if option is not None:
            return option.label
    if question.type is QuestionType.SCALE and question.scale is not None and raw.isdigit():
        anchor = question.scale.anchors.get(int(raw))
        if anchor is not None:
            return Text(nl=f"{raw} – {anchor.nl}", en=f"{raw} – {anchor.en}")
    return Text(nl=raw, en=raw)


def _can_knock_out(question: Question) -> bool:
    return question.knockout_at_or_below is not None or any(o.knockout for o in question.options or ())


def deal_score(
    questionnaire: Questionnaire, scoring: ScoringModel, answers: Mapping[str, str | None]
) -> float:
    """Rules 1, 3 and 5 on one response; ValueError when nothing scores."""
    scored = score_answers(questionnaire, answers)
    rows = [
        ItemScore(0, 0, Perspective.SUPPLIER, key, item.dimension, item.weight, item.score)
        for key, item in scored.items()
    ]
    means = {row.dimension: row.score for row in respondent_dimension_scores(rows)}
    overall = overall_fit(means, fit_model_of(scoring))
    if overall is None:
        raise ValueError("no answer of the deal fit check scores")
    return overall


def assess(questionnaire: Questionnaire, scoring: ScoringModel, answers: Mapping[str, str | None]) -> Advice:
    """The advice for a complete set of answers; AdviceInputError for missing or invalid answers."""
    invalid = validate_answers(questionnaire, dict(answers))
    missing = missing_required(questionnaire, answers)
    if missing or invalid:
        raise AdviceInputError(missing, invalid)
    thresholds = scoring.thresholds
    score = deal_score(questionnaire, scoring, answers)
    knocked = tuple(knockouts(questionnaire, answers))
    if knocked or not reaches(score, thresholds.deal_fit_no_go, Direction.AT_LEAST):
        advice = DealAdvice.NO_GO
    elif reaches(score, thresholds.deal_fit_go, Direction.AT_LEAST):
        advice = DealAdvice.GO
    else:
        advice = DealAdvice.GO_WITH_CONDITIONS
    conditions: list[Text] = []
    for condition in advice_conditions(questionnaire, answers):
        if condition not in conditions:
            conditions.append(condition)
    return Advice(
        advice=advice,
        score=score,
        knockouts=knocked,
        reasons=_reasons(
            questionnaire,
            answers,
            knocked,
            advice,
            go_threshold=thresholds.deal_fit_go,
            weak_below=thresholds.deal_fit_no_go,
        ),
        conditions=tuple(conditions) if advice is DealAdvice.GO_WITH_CONDITIONS else (),
    )


def _reasons(
    questionnaire: Questionnaire,
    answers: Mapping[str, str | None],
    knocked: tuple[str, ...],
    advice: DealAdvice,
    *,
    go_threshold: float,
    weak_below: float,
) -> tuple[Reason, ...]:
    scored = score_answers(questionnaire, answers)
    order = {question.key: index for index, question in enumerate(questionnaire.questions)}
    knockout_reasons, weak, strong = [], [], []
    for question in questionnaire.questions:
        raw = answers.get(question.key)
        if is_unanswered(raw) or handler_for(question).scores is False:
            continue
        assert raw is not None
        item = scored.get(question.key)
        score = item.score if item is not None else None
        text = answer_text(question, raw)
        can_knock_out = _can_knock_out(question)
        if question.key in knocked:
            knockout_reasons.append(
                Reason(ReasonKind.KNOCKOUT, question.key, question.text, text, score, knockout_question=True)
            )
        elif score is not None and not reaches(score, weak_below, Direction.AT_LEAST):
            unsettled = can_knock_out and raw == UNKNOWN_OPTION
            weak.append(
                Reason(ReasonKind.WEAK, question.key, question.text, text, score, unsettled, can_knock_out)
            )
        elif score is not None and reaches(score, go_threshold, Direction.AT_LEAST):
            strong.append(
                Reason(
                    ReasonKind.STRONG,
                    question.key,
                    question.text,
                    text,
                    score,
                    knockout_question=can_knock_out,
                )
            )
    # Unsettled knock-out questions first among the weak points: they are what a "no" may still hang on.
    weak.sort(key=lambda reason: (not reason.unsettled, reason.score, order[reason.question_key]))
    chosen = [*knockout_reasons, *weak]
    if advice is DealAdvice.GO:
        strong.sort(key=lambda reason: (-(reason.score or 0.0), order[reason.question_key]))
        chosen += strong[:MAX_STRENGTHS]
    return tuple(chosen)


# Two raters (docs/method.md section 12): a deal needs both the seller and the people who will deliver it. -----

#: Two answers to one question disagree when their item scores lie this far apart or more: one step of a
#: five-option answer (100, 75, 50, 25, 0), or when one of them knocks the deal out and the other does not.
DISAGREE_POINTS = 25.0
#: How strict an advice is: the combined advice of two raters is the stricter one.
STRICTNESS = {DealAdvice.GO: 0, DealAdvice.GO_WITH_CONDITIONS: 1, DealAdvice.NO_GO: 2}


@dataclass(frozen=True, slots=True)
class RatedCheck:
    """One rater's check: the questionnaire it was answered on, the answers and their advice."""

    questionnaire: Questionnaire
    answers: Mapping[str, str | None]
    advice: Advice


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A question the two raters answered far apart (`DISAGREE_POINTS`) or with a knockout on one side."""

    question_key: str
    question: Text
    sales_answer: Text
    sales_score: float | None
    delivery_answer: Text
    delivery_score: float | None
    knockout: bool

    @property
    def difference(self) -> float:
        if self.sales_score is None or self.delivery_score is None:
            return 0.0
        return abs(self.sales_score - self.delivery_score)


@dataclass(frozen=True, slots=True)
class TwoViews:
    """Sales' and delivery's advice side by side, the stricter of the two as the deal's advice, the conditions
    of both when that advice is go with conditions, and where they disagree (knockouts first, then the widest
    difference first)."""

    advice: DealAdvice
    sales: Advice
    delivery: Advice
    conditions: tuple[Text, ...]
    disagreements: tuple[Disagreement, ...]

    @property
    def agree(self) -> bool:
        return self.sales.advice is self.delivery.advice

    @property
    def points(self) -> float:
        """How far apart two answers must lie to disagree (`DISAGREE_POINTS`), for the pages that say so."""
        return DISAGREE_POINTS


def combine(sales: RatedCheck, delivery: RatedCheck) -> TwoViews:
    """The deal's advice from a sales and a delivery check: the stricter advice (a no-go from either is a
    no-go; a go needs both), with the questions they disagree on."""
    advice = max(sales.advice.advice, delivery.advice.advice, key=STRICTNESS.__getitem__)
    conditions: list[Text] = []
    if advice is DealAdvice.GO_WITH_CONDITIONS:
        # From the answers of both: a rater who said go may still have given an answer with a condition.
        for side in (sales, delivery):
            for condition in advice_conditions(side.questionnaire, side.answers):
                if condition not in conditions:
                    conditions.append(condition)
    sales_scores = score_answers(sales.questionnaire, sales.answers)
    delivery_scores = score_answers(delivery.questionnaire, delivery.answers)
    order = {question.key: index for index, question in enumerate(sales.questionnaire.questions)}
    found = []
    for question in sales.questionnaire.questions:
        key = question.key
        sales_raw, delivery_raw = sales.answers.get(key), delivery.answers.get(key)
        # Both must have answered and scored it (a later version may have dropped the question).
        if key not in sales_scores or key not in delivery_scores or sales_raw is None or delivery_raw is None:
            continue
        knocked = (key in sales.advice.knockouts) != (key in delivery.advice.knockouts)
        sales_score, delivery_score = sales_scores[key].score, delivery_scores[key].score
        apart = abs(sales_score - delivery_score)
        if knocked or reaches(apart, DISAGREE_POINTS, Direction.AT_LEAST):
            other = delivery.questionnaire.question(key)
            found.append(
                Disagreement(
                    key,
                    question.text,
                    answer_text(question, sales_raw),
                    sales_score,
                    answer_text(other, delivery_raw),
                    delivery_score,
                    knocked,
                )
            )
    found.sort(key=lambda row: (not row.knockout, -row.difference, order[row.question_key]))
    return TwoViews(advice, sales.advice, delivery.advice, tuple(conditions), tuple(found))
