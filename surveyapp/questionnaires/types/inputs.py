"""Typed-in answers: `text`, `longtext`, `number` and `date`. Only a number with `bands` scores (a count or
hours: the band the answer falls in gives its score)."""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from statistics import fmean, median
from typing import Any

from wtforms import BooleanField, Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.widgets import DateInput

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Item, Question
from surveyapp.questionnaires.types.base import (
    NA,
    NOT_APPLICABLE,
    FieldContext,
    QuestionTypeHandler,
    Reading,
    clip,
    field_name,
    is_unanswered,
    na_field_name,
)

DEFAULT_TEXT_LENGTH = 200
DEFAULT_LONGTEXT_LENGTH = 5000
_RAW_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")
# Typed in a form: a decimal comma is what Dutch respondents write.
_TYPED_NUMBER = re.compile(r"-?[0-9]{1,15}([.,][0-9]{1,15})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters (other than tab and newline) cannot be typed on purpose; PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def format_number(value: Decimal) -> str:
    """The raw form of a number: plain digits, no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _plain(value: float) -> str:
    return format_number(Decimal(repr(value)))


class TextType(QuestionTypeHandler):
    """`text`: one line, at most `max_length` (default 200) characters."""

    type = QuestionType.TEXT
    widget = "input"
    na_is_special = False
    default_length = DEFAULT_TEXT_LENGTH

    def max_length(self, question: Question) -> int:
        """The longest answer allowed."""
        return question.max_length or self.default_length

    def offers_not_applicable(self, question: Question) -> bool:
        return False

    def decode(self, item: Item, raw: str) -> Any:
        self._valid(item, raw)
        return raw

    def encode(self, item: Item, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"item '{item.key}': {value!r} is not text")
        self._valid(item, value)
        return value

    def check_raw(self, item: Item, raw: str) -> Any:
        if "\x00" in raw:
            return messages.HAS_NUL
        limit = self.max_length(item.question)
        return messages.longer_than(limit) if len(raw) > limit else None

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        return {"n": sum(1 for raw in raw_values if not is_unanswered(raw))}

    def clean(self, data: str) -> str:
        """Typed text without control characters or surrounding space; one line."""
        return _CONTROL.sub("", data.replace("\r\n", "\n").replace("\n", " ")).strip()

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        return {
            field_name(question.key): StringField(
                context.render(question.text),
                description=context.render_optional(question.help) or "",
                render_kw={"maxlength": self.max_length(question)},
            )
        }

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        name = field_name(question.key)
        text = self.clean(str(form[name].data or ""))
        limit = self.max_length(question)
        if len(text) > limit:
            reading.fail(name, messages.too_long(limit, len(text)))
            text = ""
        reading.values[question.key] = text or None
        return reading

    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        raw = answers.get(question.key)
        return {} if is_unanswered(raw) else {field_name(question.key): raw}


class LongtextType(TextType):
    """`longtext`: several lines, at most `max_length` (default 5000) characters."""

    type = QuestionType.LONGTEXT
    widget = "textarea"
    default_length = DEFAULT_LONGTEXT_LENGTH

    def clean(self, data: str) -> str:
        return _CONTROL.sub("", data.replace("\r\n", "\n").replace("\r", "\n")).strip()

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        return {
            field_name(question.key): TextAreaField(
                context.render(question.text),
                description=context.render_optional(question.help) or "",
                render_kw={"maxlength": self.max_length(question), "rows": 6},
            )
        }


class _TypedWithNotApplicable(QuestionTypeHandler):
    """Shared by number and date: a text input plus, when offered, a 'not applicable' checkbox."""

    widget = "input"

    @abstractmethod
    def parse_typed(self, question: Question, text: str) -> tuple[str | None, Any]:
        """(raw value, None) or (None, error message) for typed input."""

    @abstractmethod
    def input_field(self, label: str, help_text: str, question: Question) -> UnboundField:
        """The text input."""

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        help_text = context.render_optional(question.help) or ""
        fields = {
            field_name(question.key): self.input_field(context.render(question.text), help_text, question)
        }
        if question.not_applicable:
            fields[na_field_name(question.key)] = BooleanField(messages.NOT_APPLICABLE_LABEL)
        return fields

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        name = field_name(question.key)
        text = str(form[name].data or "").strip()
        not_applicable = question.not_applicable and bool(form[na_field_name(question.key)].data)
        value: str | None = None
        if not_applicable and text:
            reading.fail(name, messages.NA_WITH_ANSWER)
        elif not_applicable:
            value = NA
        elif text:
            value, problem = self.parse_typed(question, text)
            if problem is not None:
                reading.fail(name, problem)
        reading.values[question.key] = value
        return reading

    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        raw = answers.get(question.key)
        if is_unanswered(raw):
            return {}
        if raw == NA:
            return {na_field_name(question.key): True}
        return {field_name(question.key): raw}


class NumberType(_TypedWithNotApplicable):
    """`number`: optional min, max and unit; stored as plain digits (`12.5`). With `bands`, it scores the score
    of the first band whose `up_to` the answer does not exceed (the last band: any answer above)."""

    type = QuestionType.NUMBER
    scores = True

    def _score(self, item: Item, raw: str) -> float | None:
        bands = item.question.bands
        if not bands:
            return None
        number = Decimal(raw)
        for band in bands:
            if band.up_to is None or number <= Decimal(repr(band.up_to)):
                return float(band.score)
        return None

    def decode(self, item: Item, raw: str) -> Any:
        self._valid(item, raw)
        return NOT_APPLICABLE if raw == NA else Decimal(raw)

    def encode(self, item: Item, value: Any) -> str:
        if value is NOT_APPLICABLE:
            raw = NA
        elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError(f"item '{item.key}': {value!r} is not a number")
        else:
            raw = format_number(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
        self._valid(item, raw)
        return raw

    def check_raw(self, item: Item, raw: str) -> Any:
        if not _RAW_NUMBER.fullmatch(raw):
            return messages.not_a_number(clip(raw))
        return self.range_problem(item.question, Decimal(raw), raw, typed=False)

    def range_problem(self, question: Question, number: Decimal, raw: str, *, typed: bool) -> Any:
        """The message for a number outside min..max, or None."""
        if question.min is not None and number < Decimal(repr(question.min)):
            minimum = _plain(question.min)
            return messages.at_least(minimum) if typed else messages.below_minimum(raw, minimum)
        if question.max is not None and number > Decimal(repr(question.max)):
            maximum = _plain(question.max)
            return messages.at_most(maximum) if typed else messages.above_maximum(raw, maximum)
        return None

    def parse_typed(self, question: Question, text: str) -> tuple[str | None, Any]:
        compact = text.replace(" ", "")
        if not _TYPED_NUMBER.fullmatch(compact):
            return None, messages.ENTER_NUMBER
        number = Decimal(compact.replace(",", "."))
        problem = self.range_problem(question, number, compact, typed=True)
        return (None, problem) if problem is not None else (format_number(number), None)

    def input_field(self, label: str, help_text: str, question: Question) -> UnboundField:
        return StringField(
            label, description=help_text, render_kw={"inputmode": "decimal", "autocomplete": "off"}
        )

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        real, not_applicable = self._split(raw_values)
        for raw in real:
            self._valid(item, raw)
        numbers = [float(raw) for raw in real]
        return {
            "n": len(numbers),
            "not_applicable": not_applicable,
            "mean": fmean(numbers) if numbers else None,
            "median": median(numbers) if numbers else None,
            "min": min(numbers) if numbers else None,
            "max": max(numbers) if numbers else None,
        }


class DateType(_TypedWithNotApplicable):
    """`date`: an ISO date (`2025-03-31`)."""

    type = QuestionType.DATE

    def decode(self, item: Item, raw: str) -> Any:
        self._valid(item, raw)
        return NOT_APPLICABLE if raw == NA else date.fromisoformat(raw)

    def encode(self, item: Item, value: Any) -> str:
        if value is NOT_APPLICABLE:
            raw = NA
        elif not isinstance(value, date):
            raise ValueError(f"item '{item.key}': {value!r} is not a date")
        else:
            raw = date(value.year, value.month, value.day).isoformat()
        self._valid(item, raw)
        return raw

    def check_raw(self, item: Item, raw: str) -> Any:
        return None if _is_date(raw) else messages.not_a_date(clip(raw))

    def parse_typed(self, question: Question, text: str) -> tuple[str | None, Any]:
        return (text, None) if _is_date(text) else (None, messages.ENTER_DATE)

    def input_field(self, label: str, help_text: str, question: Question) -> UnboundField:
        return StringField(label, description=help_text, widget=DateInput())

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        real, not_applicable = self._split(raw_values)
        for raw in real:
            self._valid(item, raw)
        return {
            "n": len(real),
            "not_applicable": not_applicable,
            "min": min(real) if real else None,
            "max": max(real) if real else None,
        }


def _is_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
