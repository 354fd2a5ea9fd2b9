"""A WTForms form for one section (one page), built at run time from the questionnaire.

Not applicable: scale, nps, single and matrix rows offer a radio value `NA`; multi offers an `NA` checkbox
that cannot be combined with options; number and date get a separate checkbox `na-<key>`. Questions are
required only while visible: visibility is decided on the server from the answers of earlier pages plus the
data submitted on this one, and answers of hidden questions come back as None (no answer).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, Form

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.schema import Question, Questionnaire, Section, items_of
from surveyapp.questionnaires.types import FieldContext, Reading, field_name, handler_for, na_field_name
from surveyapp.questionnaires.visibility import visibility


@dataclass
class RowView:
    """A matrix row as the templates render it."""

    key: str
    item_key: str
    label: str
    field: Field

    @property
    def error_id(self) -> str:
        """The id of the row's error message."""
        return "error-" + self.item_key.replace(".", "-")

    @property
    def errors(self) -> list[Any]:
        """The row's error messages."""
        return list(self.field.errors or [])


@dataclass
class QuestionView:
    """A question as the templates render it (see templates/questionnaires/_fields.html)."""

    question: Question
    widget: str
    label: str
    help: str | None
    required: bool
    visible: bool
    field: Field | None = None
    na_field: Field | None = None
    rows: list[RowView] = dataclass_field(default_factory=list)
    anchors: dict[str, str] = dataclass_field(default_factory=dict)
    unit: str | None = None

    @property
    def key(self) -> str:
        """The question key."""
        return self.question.key

    @property
    def type(self) -> str:
        """The question type, for CSS classes."""
        return self.question.type.value

    @property
    def help_id(self) -> str:
        """The id of the help text."""
        return f"help-{self.key}"

    @property
    def unit_id(self) -> str:
        """The id of the unit shown after a number input."""
        return f"unit-{self.key}"

    @property
    def error_id(self) -> str:
        """The id of the question's error message."""
        return f"error-{self.key}"

    @property
    def errors(self) -> list[Any]:
        """The question's own error messages (matrix rows carry theirs)."""
        found: list[Any] = []
        for bound in (self.field, self.na_field):
            if bound is not None:
                found.extend(bound.errors or [])
        return found

    @property
    def first_error(self) -> Any:
        """The first error message of the question or its rows (for an error summary), or None."""
        found = [*self.errors, *(message for row in self.rows for message in row.errors)]
        return found[0] if found else None

    @property
    def has_errors(self) -> bool:
        """True when the question or one of its rows has an error."""
        return bool(self.errors) or any(row.errors for row in self.rows)

    def describedby(self, *extra: str) -> str:
        """Ids for aria-describedby: help, unit and error, where present."""
        ids = [self.help_id] if self.help else []
        if self.unit:
            ids.append(self.unit_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join([*ids, *extra])

    @property
    def first_input_id(self) -> str:
        """Where an error summary link points."""
        if self.rows:
            row = next((row for row in self.rows if row.errors), self.rows[0])
            return f"{row.field.id}-0"
        assert self.field is not None
        return f"{self.field.id}-0" if self.widget in ("radio", "checkbox") else str(self.field.id)


class SectionForm:
    """Behaviour shared by every built section form (mixed in before FlaskForm or wtforms.Form)."""

    questionnaire: Questionnaire
    section: Section
    context: FieldContext
    #: Every stored answer of the response when the form was built (this page's included).
    stored_answers: Mapping[str, str | None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Without explicit data the page shows its stored answers: a radio group that is not submitted keeps
        # its stored value, as the respondent saw it checked.
        if "data" not in kwargs and "obj" not in kwargs:
            kwargs["data"] = section_form_data(self.questionnaire, self.section.key, self.stored_answers)
        super().__init__(*args, **kwargs)

    def _readings(self) -> dict[str, Reading]:
        form: Form = self  # type: ignore[assignment]
        return {
            question.key: handler_for(question).read(question, form) for question in self.section.questions
        }

    def _current_answers(self, readings: Mapping[str, Reading]) -> dict[str, str | None]:
        own = {item.key for question in self.section.questions for item in items_of(question)}
        current = {key: raw for key, raw in self.stored_answers.items() if key not in own}
        for reading in readings.values():
            current.update(reading.values)
        return current

    def _visible(self, readings: Mapping[str, Reading]) -> frozenset[str]:
        return visibility(self.questionnaire, self._current_answers(readings)).questions

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Base validation (CSRF), then per visible question: conversion errors and required answers."""
        valid = super().validate(extra_validators)  # type: ignore[misc]
        readings = self._readings()
        visible = self._visible(readings)
        form: Form = self  # type: ignore[assignment]
        for question in self.section.questions:
            if question.key not in visible:
                continue
            reading = readings[question.key]
            for name, problems in reading.errors.items():
                form[name].errors = [*(form[name].errors or []), *problems]
            if not question.required:
                continue
            for item in items_of(question):
                name = field_name(item.key)
                if reading.values.get(item.key) is None and not reading.errors.get(name):
                    message = messages.REQUIRED_ROW if item.row is not None else messages.REQUIRED
                    form[name].errors = [*(form[name].errors or []), message]
        return valid and not any(bound.errors for bound in form)

    def answers(self) -> dict[str, str | None]:
        """Raw value per item of this section (None: no answer, or hidden); use after `validate()` passed."""
        readings = self._readings()
        visible = self._visible(readings)
        return {
            item.key: readings[question.key].values.get(item.key) if question.key in visible else None
            for question in self.section.questions
            for item in items_of(question)
        }

    def revealed(self) -> list[str]:
        """Questions this submission made visible that were hidden when the page was shown, still unanswered.

        Without JavaScript a page cannot show them while the respondent types; show the page again instead.
        """
        readings = self._readings()
        before = visibility(self.questionnaire, self.stored_answers).questions
        now = self._visible(readings)
        return [
            question.key
            for question in self.section.questions
            if question.key in now
            and question.key not in before
            and all(readings[question.key].values.get(item.key) is None for item in items_of(question))
        ]

    @property
    def views(self) -> list[QuestionView]:
        """Every question of the section, ready for the templates, with its current visibility."""
        form: Form = self  # type: ignore[assignment]
        visible = self._visible(self._readings())
        context = self.context
        result = []
        for question in self.section.questions:
            handler = handler_for(question)
            view = QuestionView(
                question=question,
                widget=handler.widget,
                label=context.render(question.text),
                help=context.render_optional(question.help),
                required=question.required,
                visible=question.key in visible,
                anchors=handler.anchors(question, context) if handler.widget in ("radio", "matrix") else {},
                unit=context.render_optional(question.unit),
            )
            if question.type is QuestionType.MATRIX:
                view.rows = [
                    RowView(row.key, item.key, context.render(row.text), form[field_name(item.key)])
                    for item, row in ((item, item.row) for item in items_of(question))
                    if row is not None
                ]
            else:
                view.field = form[field_name(question.key)]
                na_name = na_field_name(question.key)
                view.na_field = form._fields.get(na_name)
            result.append(view)
        return result

    @property
    def title(self) -> str:
        """The section title in the form's language."""
        return self.context.render(self.section.title)

    @property
    def intro(self) -> str | None:
        """The section intro in the form's language."""
        return self.context.render_optional(self.section.intro)


def build_section_form(
    questionnaire: Questionnaire,
    section_key: str,
    *,
    lang: str,
    placeholders: Mapping[str, str] | None = None,
    base: type[Form] | None = None,
    answers: Mapping[str, str | None] | None = None,
) -> type[Form]:
    """A form class for one section, in one language, with `{supplier}`/`{account}` filled in.

    `answers` are the response's stored raw answers (all pages): they decide which questions are visible and
    are replaced, for this page, by what is submitted. `base` defaults to FlaskForm (CSRF); pass
    `wtforms.Form` where there is no request. Raises KeyError for an unknown section.
    """
    section = questionnaire.section(section_key)
    context = FieldContext(lang, dict(placeholders or {}))
    attributes: dict[str, Any] = {
        "questionnaire": questionnaire,
        "section": section,
        "context": context,
        "stored_answers": dict(answers or {}),
    }
    for question in section.questions:
        attributes.update(handler_for(question).build_fields(question, context))
    name = f"SectionForm[{questionnaire.slug}:{section.key}]"
    return types.new_class(
        name, (SectionForm, base or FlaskForm), exec_body=lambda namespace: namespace.update(attributes)
    )


def section_form_data(
    questionnaire: Questionnaire, section_key: str, answers: Mapping[str, str | None]
) -> dict[str, Any]:
    """Form data (by field name) that shows a section's stored answers again: pass as `data=`."""
    data: dict[str, Any] = {}
    for question in questionnaire.section(section_key).questions:
        data.update(handler_for(question).initial_data(question, answers))
    return data
