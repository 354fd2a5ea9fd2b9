"""Choices: `single` (one option key) and `multi` (option keys joined by `|` in option order)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import fmean
from typing import Any

from wtforms import Form, RadioField, SelectMultipleField
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Item, Option, Question, Text
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


class CheckboxesField(SelectMultipleField):
    """A multiple choice as checkboxes (usable without JavaScript, unlike a multi-select box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _option_keys(question: Question) -> list[str]:
    return [option.key for option in question.options or ()]


class _Choice(QuestionTypeHandler):
    """Shared by single and multi."""

    scores = True

    def choices(self, question: Question, context: FieldContext) -> list[tuple[str, Any]]:
        """Values and labels: the options, then 'not applicable' when the question offers it."""
        choices: list[tuple[str, Any]] = [
            (option.key, context.render(option.label)) for option in question.options or ()
        ]
        if question.not_applicable:
            choices.append((NA, messages.NOT_APPLICABLE_LABEL))
        return choices

    def chosen(self, question: Question, raw: str | None) -> list[Option]:
        """The options a valid raw answer chose (none for no answer or `NA`)."""
        if is_unanswered(raw) or raw == NA:
            return []
        assert raw is not None
        keys = set(raw.split("|"))
        return [option for option in question.options or () if option.key in keys]

    def is_knocked_out(self, question: Question, raw: str | None) -> bool:
        return any(option.knockout for option in self.chosen(question, raw))

    def conditions(self, question: Question, raw: str | None) -> tuple[Text, ...]:
        return tuple(
            option.condition for option in self.chosen(question, raw) if option.condition is not None
        )

    def summary(self, item: Item, raw_values: Iterable[str | None]) -> dict[str, Any]:
        real, not_applicable = self._split(raw_values)
        counts = dict.fromkeys(_option_keys(item.question), 0)
        scores = []
        for raw in real:
            self._valid(item, raw)
            for option in self.chosen(item.question, raw):
                counts[option.key] += 1
            score = self._score(item, raw)
            if score is not None:
                scores.append(score)
        return {
            "n": len(real),
            "not_applicable": not_applicable,
            "counts": counts,
            "mean_score": fmean(scores) if scores else None,
        }

    def initial_data(self, question: Question, answers: Mapping[str, str | None]) -> dict[str, Any]:
        raw = answers.get(question.key)
        if is_unanswered(raw):
            return {}
        assert raw is not None
        return {field_name(question.key): self.form_value(raw)}

    def form_value(self, raw: str) -> Any:
        """The field data that shows a raw answer."""
        return raw


class SingleType(_Choice):
    """`single`: one option; scores the option's score (none for a not-applicable option)."""

    type = QuestionType.SINGLE
    widget = "radio"

    def decode(self, item: Item, raw: str) -> Any:
        self._valid(item, raw)
        return NOT_APPLICABLE if raw == NA else raw

    def encode(self, item: Item, value: Any) -> str:
        raw = NA if value is NOT_APPLICABLE else value
        if not isinstance(raw, str):
            raise ValueError(f"item '{item.key}': {value!r} is not an option key")
        self._valid(item, raw)
        return raw

    def check_raw(self, item: Item, raw: str) -> Any:
        keys = _option_keys(item.question)
        return None if raw in keys else messages.not_an_option(clip(raw), ", ".join(keys))

    def _score(self, item: Item, raw: str) -> float | None:
        option = item.question.option(raw)
        assert option is not None
        return None if option.not_applicable else option.score

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        return {
            field_name(question.key): RadioField(
                context.render(question.text),
                choices=field_choices(self.choices(question, context)),
                description=context.render_optional(question.help) or "",
                validate_choice=False,
            )
        }

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        name = field_name(question.key)
        data = form[name].data
        offered = set(_option_keys(question)) | ({NA} if question.not_applicable else set())
        if data is None or data == "":
            reading.values[question.key] = None
        elif data in offered:
            reading.values[question.key] = data
        else:
            reading.values[question.key] = None
            reading.fail(name, messages.CHOOSE_SHOWN)
        return reading


class MultiType(_Choice):
    """`multi`: several options; scores the mean of the chosen scored options."""

    type = QuestionType.MULTI
    widget = "checkbox"

    def decode(self, item: Item, raw: str) -> Any:
        self._valid(item, raw)
        if raw == NA:
            return NOT_APPLICABLE
        return tuple(option.key for option in self.chosen(item.question, raw))

    def encode(self, item: Item, value: Any) -> str:
        if value is NOT_APPLICABLE:
            raw = NA
        elif isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError(f"item '{item.key}': {value!r} is not a collection of option keys")
        else:
            chosen = list(value)
            keys = _option_keys(item.question)
            for key in chosen:
                if key not in keys:
                    raise ValueError(
                        f"item '{item.key}': {messages.not_an_option(clip(str(key)), ', '.join(keys))}"
                    )
            raw = "|".join(key for key in keys if key in chosen)
        self._valid(item, raw)
        return raw

    def check_raw(self, item: Item, raw: str) -> Any:
        keys = _option_keys(item.question)
        chosen = raw.split("|")
        for key in chosen:
            if key not in keys:
                return messages.not_an_option(clip(key), ", ".join(keys))
        for key in chosen:
            if chosen.count(key) > 1:
                return messages.chosen_twice(key)
        if len(chosen) > 1:
            for option in self.chosen(item.question, raw):
                if option.not_applicable:
                    return messages.not_combinable(option.key)
        return None

    def _score(self, item: Item, raw: str) -> float | None:
        scores = [
            option.score
            for option in self.chosen(item.question, raw)
            if option.score is not None and not option.not_applicable
        ]
        return fmean(scores) if scores else None

    def build_fields(self, question: Question, context: FieldContext) -> dict[str, UnboundField]:
        return {
            field_name(question.key): CheckboxesField(
                context.render(question.text),
                choices=field_choices(self.choices(question, context)),
                description=context.render_optional(question.help) or "",
                validate_choice=False,
            )
        }

    def read(self, question: Question, form: Form) -> Reading:
        reading = Reading()
        name = field_name(question.key)
        data = [str(value) for value in form[name].data or []]
        keys = _option_keys(question)
        if not data:
            reading.values[question.key] = None
        elif any(value not in keys and not (value == NA and question.not_applicable) for value in data):
            reading.values[question.key] = None
            reading.fail(name, messages.CHOOSE_SHOWN)
        elif NA in data:
            reading.values[question.key] = NA if len(set(data)) == 1 else None
            if len(set(data)) > 1:
                reading.fail(name, messages.NA_COMBINED)
        else:
            chosen = [option for option in question.options or () if option.key in set(data)]
            if len(chosen) > 1 and any(option.not_applicable for option in chosen):
                reading.values[question.key] = None
                reading.fail(name, messages.NA_COMBINED)
            else:
                reading.values[question.key] = "|".join(option.key for option in chosen)
        return reading

    def form_value(self, raw: str) -> Any:
        return raw.split("|")
