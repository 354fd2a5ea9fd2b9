"""Numbered scales: `scale` (1..points), `nps` (0..10) and `matrix` (rows on one scale, each its own item)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from statistics import fmean
from typing import Any

from wtforms import Form, RadioField
from wtforms.fields.core import UnboundField

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Item, Question, Text
from surveyapp.questionnaires.types.base import (
    NA,
    NOT_APPLICABLE,
    FieldContext,
    QuestionTypeHandler,
    Reading,
    clip,
    field_choices,
    field_name,
    is_unanswered,
)

_INTEGER = re.compile(r"-?[0-9]{1,3}")


def scale_score(value: int, low: int, high: int, *, reverse: bool) -> float:
    """(v - low) / (high - low) * 100, reversed as 100 - score: rule 1 for scale (low 1) and nps (low 0)."""
    score = (value - low) / (high - low) * 100
    return 100 - score if reverse else score


class _NumberedScale(QuestionTypeHandler):
    """Shared by scale, nps and matrix: an integer from `low` to `high`, chosen with radio buttons."""

    widget = "radio"
    scores = True

    def bounds(self, question: Question) -> tuple[int, int]:
        """The lowest and highest value."""
        assert question.scale is not None
        return 1, question.scale.points

    def decode(self, item: Item, raw: str) -> Any:
        if raw == NA and self.offers_not_applicable(item.question):
            return NOT_APPLICABLE
        self._valid(item, raw)
        return int(raw)

    def encode(self, item: Item, value: Any) -> str:
        if value is NOT_APPLICABLE:
            if not self.offers_not_applicable(item.question):
                raise ValueError(f"item '{item.key}': {messages.NA_NOT_OFFERED}")
            return NA
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"item '{item.key}': {value!r} is not a whole number")
        raw = str(value)
        self._valid(item, raw)
        return raw

    def check_raw(self, item: Item, raw: str) -> Any:
        low, high = self.bounds(item.question)
        if not _INTEGER.fullmatch(raw) or not low <= int(raw) <= high:
            return messages.not_on_scale(clip(raw), low, high)
        return None

    def _score(self, item: Item, raw: str) -> float | None:
        low, high = self.bounds(item.question)
        return scale_score(int(raw), low, high, reverse=item.reverse)

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        real, not_applicable = self._split(raw_values)
        for raw in real:
            self._valid(item, raw)
        low, high = self.bounds(item.question)
        values = [int(raw) for raw in real]
        return {
            "n": len(values),
            "not_applicable": not_applicable,
            "counts": {str(value): values.count(value) for value in range(low, high + 1)},
            "mean": fmean(values) if values else None,
            "mean_score": fmean(self._score(item, raw) or 0.0 for raw in real) if real else None,
        }

    def anchors(self, question: Question, context: FieldContext) -> dict[str, str]:
        assert question.scale is not None
        return {str(value): context.render(text) for value, text in sorted(question.scale.anchors.items())}

    def choices(self, question: Question) -> list[tuple[str, Any]]:
        """Radio values and labels: every value, then 'not applicable' when offered."""
        low, high = self.bounds(question)
        choices: list[tuple[str, Any]] = [(str(value), str(value)) for value in range(low, high + 1)]
        if self.offers_not_applicable(question):
            choices.append((NA, messages.NOT_APPLICABLE_LABEL))
        return choices

    def radio(self, label: str, help_text: str | None, question: Question) -> UnboundField:
        """One radio group on the scale; choices are checked in `read`, not by WTForms."""
        return RadioField(
            label,
            choices=field_choices(self.choices(question)),
            description=help_text or "",
            validate_choice=False,
        )

    def read_value(self, question: Question, data: Any, name: str, reading: Reading, item_key: str) -> None:
        """Convert one radio group's data, recording an error for values that were never offered."""
        if data is None or data == "":
            reading.values[item_key] = None
        elif str(data) in {value for value, _ in self.choices(question)}:
            reading.values[item_key] = str(data)
        else:
            reading.values[item_key] = None
            reading.fail(name, messages.CHOOSE_SHOWN)

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        help_text = context.render_optional(question.help)
        return {field_name(question.key): self.radio(context.render(question.text), help_text, question)}

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        name = field_name(question.key)
        self.read_value(question, form[name].data, name, reading, question.key)
        return reading

    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        raw = answers.get(question.key)
        return {} if is_unanswered(raw) else {field_name(question.key): raw}

    def is_knocked_out(self, question: Question, raw: str | None) -> bool:
        if question.knockout_at_or_below is None or is_unanswered(raw) or raw == NA:
            return False
        assert raw is not None
        return _INTEGER.fullmatch(raw) is not None and int(raw) <= question.knockout_at_or_below

    def conditions(self, question: Question, raw: str | None) -> tuple[Text, ...]:
        limit = question.condition_at_or_below
        if limit is None or question.condition is None or is_unanswered(raw) or raw == NA:
            return ()
        assert raw is not None
        return (question.condition,) if _INTEGER.fullmatch(raw) and int(raw) <= limit else ()


class ScaleType(_NumberedScale):
    """`scale`: values 1..points (2..11), score (v-1)/(points-1)*100."""

    type = QuestionType.SCALE


class NpsType(_NumberedScale):
    """`nps`: 0..10, score v*10; the summary adds promoters, passives, detractors and the NPS."""

    type = QuestionType.NPS

    def bounds(self, question: Question) -> tuple[int, int]:
        return 0, 10

    def anchors(self, question: Question, context: FieldContext) -> dict[str, str]:
        return {"0": str(messages.NPS_LOW), "10": str(messages.NPS_HIGH)}

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        summary = super().summary(item, raw_values)
        counts = summary["counts"]
        promoters = counts["9"] + counts["10"]
        detractors = sum(counts[str(value)] for value in range(7))
        summary.update(
            promoters=promoters,
            passives=counts["7"] + counts["8"],
            detractors=detractors,
            nps=(promoters - detractors) / summary["n"] * 100 if summary["n"] else None,
        )
        return summary

    def is_knocked_out(self, question: Question, raw: str | None) -> bool:
        return False

    def conditions(self, question: Question, raw: str | None) -> tuple[Text, ...]:
        return ()


class MatrixType(_NumberedScale):
    """`matrix`: statements on one scale; each row is an item `question.row` scored like a scale item."""

    type = QuestionType.MATRIX
    widget = "matrix"

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        return {
            field_name(f"{question.key}.{row.key}"): self.radio(context.render(row.text), None, question)
            for row in question.rows or ()
        }

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        for row in question.rows or ():
            item_key = f"{question.key}.{row.key}"
            name = field_name(item_key)
            self.read_value(question, form[name].data, name, reading, item_key)
        return reading

    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        data = {}
        for row in question.rows or ():
            item_key = f"{question.key}.{row.key}"
            if not is_unanswered(answers.get(item_key)):
                data[field_name(item_key)] = answers[item_key]
        return data

    def is_knocked_out(self, question: Question, raw: str | None) -> bool:
        return False

    def conditions(self, question: Question, raw: str | None) -> tuple[Text, ...]:
        return ()
