"""The question-type registry, and scoring and advice for a whole set of answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from surveyapp.enums import QuestionType
from surveyapp.questionnaires.schema import Item, Question, Questionnaire, Text, items_of
from surveyapp.questionnaires.types.base import (
    NA,
    NOT_APPLICABLE,
    FieldContext,
    QuestionTypeHandler,
    Reading,
    field_name,
    is_unanswered,
    na_field_name,
)
from surveyapp.questionnaires.types.choice import MultiType, SingleType
from surveyapp.questionnaires.types.inputs import DateType, LongtextType, NumberType, TextType
from surveyapp.questionnaires.types.scale import MatrixType, NpsType, ScaleType
from surveyapp.questionnaires.visibility import RawAnswers, visibility

#: One handler per question type.
REGISTRY: Mapping[QuestionType, QuestionTypeHandler] = MappingProxyType(
    {
        handler.type: handler
        for handler in (
            ScaleType(),
            NpsType(),
            SingleType(),
            MultiType(),
            TextType(),
            LongtextType(),
            NumberType(),
            DateType(),
            MatrixType(),
        )
    }
)


def handler_for(target: QuestionType | Question | Item) -> QuestionTypeHandler:
    """The handler of a type, or of the type of a question or item."""
    kind = target if isinstance(target, QuestionType) else target.type
    return REGISTRY[kind]


@dataclass(frozen=True)
class ScoredAnswer:
    """An item's score (0..100, unrounded) with what the analysis needs to place it."""

    score: float
    dimension: str | None
    weight: float
    tags: frozenset[str]


def score_answers(questionnaire: Questionnaire, answers: RawAnswers) -> dict[str, ScoredAnswer]:
    """Every item that scores, by item key; hidden, not applicable and unanswered items are left out.

    Items without a dimension are included when they score (a `signal` item need not have a dimension).
    Raises ValueError for an answer that is not valid for its item.
    """
    counted = visibility(questionnaire, answers).answers
    scored = {}
    for item in questionnaire.items:
        raw = counted.get(item.key)
        score = handler_for(item).score(item, raw)
        if score is not None:
            scored[item.key] = ScoredAnswer(score, item.dimension, item.weight, item.tags)
    return scored


def knockouts(questionnaire: Questionnaire, answers: RawAnswers) -> list[str]:
    """The keys of visible questions whose answer knocks the response out, in order."""
    counted = visibility(questionnaire, answers).answers
    return [
        question.key
        for question in questionnaire.questions
        if handler_for(question).is_knocked_out(question, counted.get(question.key))
    ]


def advice_conditions(questionnaire: Questionnaire, answers: RawAnswers) -> list[Text]:
    """The conditions the visible answers add to the advice, in question order."""
    counted = visibility(questionnaire, answers).answers
    return [
        condition
        for question in questionnaire.questions
        for condition in handler_for(question).conditions(question, counted.get(question.key))
    ]


def validate_answers(questionnaire: Questionnaire, answers: RawAnswers) -> dict[str, str]:
    """Problems per key for a set of raw answers (unknown keys included), e.g. for an importer."""
    problems = {}
    for key, raw in answers.items():
        if is_unanswered(raw):
            continue
        try:
            item = questionnaire.item(key)
        except KeyError:
            problems[key] = f"'{key}' is not a question of '{questionnaire.slug}'"
            continue
        assert raw is not None
        problem = handler_for(item).validate_raw(item, raw)
        if problem is not None:
            problems[key] = problem
    return problems


__all__ = [
    "NA",
    "NOT_APPLICABLE",
    "REGISTRY",
    "DateType",
    "FieldContext",
    "LongtextType",
    "MatrixType",
    "MultiType",
    "NpsType",
    "NumberType",
    "QuestionTypeHandler",
    "Reading",
    "ScaleType",
    "ScoredAnswer",
    "SingleType",
    "TextType",
    "advice_conditions",
    "field_name",
    "handler_for",
    "items_of",
    "knockouts",
    "na_field_name",
    "score_answers",
    "validate_answers",
]
