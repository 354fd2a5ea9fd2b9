"""Answers as people read them: the review page, the thank-you page and the brief on the study page.

Values are turned into words in the reader's language (option labels, scale anchors, "Not applicable",
dates and numbers in local notation); the templates escape them. Only visible sections and questions are
shown, because the answers of hidden ones do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_decimal

from surveyapp.enums import QuestionType
from surveyapp.i18n import _
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Item, Question, Questionnaire, items_of
from surveyapp.questionnaires.types import NA, handler_for
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses.journey import RawAnswers


@dataclass(frozen=True, slots=True)
class ShownPart:
    """One line of an answer: a matrix row has a label, other questions have one part without."""

    label: str | None
    text: str
    answered: bool


@dataclass(frozen=True, slots=True)
class ShownQuestion:
    key: str
    label: str
    required: bool
    parts: list[ShownPart]

    @property
    def answered(self) -> bool:
        return all(part.answered for part in self.parts)

    @property
    def missing(self) -> bool:
        """A required question that still needs an answer."""
        return self.required and not self.answered


@dataclass(frozen=True, slots=True)
class ShownSection:
    key: str
    title: str
    questions: list[ShownQuestion] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return any(question.missing for question in self.questions)


def _number(raw: str, lang: str) -> str:
    try:
        return format_decimal(Decimal(raw), locale=lang, decimal_quantization=False)
    except (InvalidOperation, ValueError):
        return raw


def _scale_text(item: Item, raw: str, lang: str, placeholders: Mapping[str, str]) -> str:
    question = item.question
    if question.type is QuestionType.NPS:
        high = 10
        anchor = {"0": str(messages.NPS_LOW), "10": str(messages.NPS_HIGH)}.get(raw)
    else:
        assert question.scale is not None
        high = question.scale.points
        text = question.scale.anchors.get(int(raw))
        anchor = text.render(lang, **placeholders) if text is not None else None
    value = _("%(value)s of %(high)d", value=raw, high=high)
    return f"{value} ({anchor})" if anchor else value


def answer_text(item: Item, raw: str | None, *, lang: str, placeholders: Mapping[str, str]) -> str:
    """A stored raw value in words; an empty string for no answer."""
    if raw is None or raw == "":
        return ""
    handler = handler_for(item)
    if raw == NA and handler.na_is_special:
        return str(messages.NOT_APPLICABLE_LABEL)
    question = item.question
    kind = question.type
    if kind in (QuestionType.SCALE, QuestionType.NPS, QuestionType.MATRIX):
        return _scale_text(item, raw, lang, placeholders)
    if kind in (QuestionType.SINGLE, QuestionType.MULTI):
        labels = []
        for key in raw.split("|") if kind is QuestionType.MULTI else [raw]:
            option = question.option(key)
            labels.append(option.label.render(lang, **placeholders) if option is not None else key)
        return ", ".join(labels)
    if kind is QuestionType.NUMBER:
        unit = question.unit.render(lang, **placeholders) if question.unit is not None else ""
        return f"{_number(raw, lang)} {unit}".strip()
    if kind is QuestionType.DATE:
        try:
            return format_date(date.fromisoformat(raw), "long", locale=lang)
        except ValueError:
            return raw
    return raw


def _shown_question(
    question: Question, counted: Mapping[str, str], lang: str, placeholders: Mapping[str, str]
) -> ShownQuestion:
    parts = []
    for item in items_of(question):
        raw = counted.get(item.key)
        label = item.row.text.render(lang, **placeholders) if item.row is not None else None
        text = answer_text(item, raw, lang=lang, placeholders=placeholders)
        parts.append(ShownPart(label, text, raw is not None))
    return ShownQuestion(question.key, question.text.render(lang, **placeholders), question.required, parts)


def readable_answers(
    questionnaire: Questionnaire, answers: RawAnswers, *, lang: str, placeholders: Mapping[str, str]
) -> list[ShownSection]:
    """Every visible section with its visible questions and their answers in words, in file order."""
    seen = visibility(questionnaire, answers)
    shown = []
    for section in questionnaire.sections:
        if section.key not in seen.sections:
            continue
        questions = [
            _shown_question(question, seen.answers, lang, placeholders)
            for question in section.questions
            if question.key in seen.questions
        ]
        shown.append(ShownSection(section.key, section.title.render(lang, **placeholders), questions))
    return shown
