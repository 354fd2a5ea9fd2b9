"""Section forms for respondents: built by the engine in the respondent's language, plus the checks the
respondent pages add (characters that cannot be stored) and the sorting of errors into blocking or not.

Build and validate inside `flask_babel.force_locale(lang)` so the engine's messages follow the respondent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import Field

from surveyapp.i18n import _l
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.forms import SectionForm, build_section_form
from surveyapp.questionnaires.schema import Question, Questionnaire, items_of
from surveyapp.questionnaires.types import field_name, na_field_name

# The required-answer messages: a Back, a language switch or "finish later" saves without them.
REQUIRED_MESSAGES = (messages.REQUIRED, messages.REQUIRED_ROW)
HAS_NUL = _l("Remove the invisible NUL character from your answer: it cannot be stored.")
UNREADABLE = _l(
    "Your answer contains a character that could not be read (shown as �). Retype that part of your answer."
)
# Undecodable bytes: browsers turn a lone surrogate into U+FFFD; werkzeug keeps invalid UTF-8 of a surrogate
# (ED A0..BF 80..BF) as its percent escapes; a surrogate itself can only come from a non-browser client.
_UNREADABLE = re.compile(r"[\ufffd\ud800-\udfff]|%ED%[AB][0-9A-F]%[89AB][0-9A-F]")
# Keep at most this much of an over-long typed text when a page is shown again (a 1 MB paste helps nobody).
ECHO_LIMIT = 100_000


# Built form classes per (questionnaire version, section, language, placeholders): building renders every
# text and creates the fields, the same for every respondent of an account. Each request subclasses one with
# its own stored answers.
_FORM_CLASSES: dict[tuple[Any, ...], type[Any]] = {}
_CACHE_SIZE = 256


def _form_class(
    questionnaire: Questionnaire, section_key: str, lang: str, placeholders: Mapping[str, str]
) -> type[Any]:
    key = (questionnaire.slug, questionnaire.version, section_key, lang, tuple(sorted(placeholders.items())))
    found = _FORM_CLASSES.get(key)
    if found is None:
        found = build_section_form(questionnaire, section_key, lang=lang, placeholders=placeholders)
        if len(_FORM_CLASSES) >= _CACHE_SIZE:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = found
    return found


def section_form(
    questionnaire: Questionnaire,
    section_key: str,
    *,
    lang: str,
    placeholders: Mapping[str, str],
    answers: Mapping[str, str | None],
    formdata: Any = None,
) -> Any:
    """A bound section form (built by the engine): the stored answers when `formdata` is None, else the
    submitted data. Raises KeyError for an unknown section."""
    base = _form_class(questionnaire, section_key, lang, placeholders)
    form_class = type(base.__name__, (base,), {"stored_answers": dict(answers)})
    return form_class(formdata=formdata)


def question_fields(form: SectionForm, question: Question) -> list[Field]:
    """The form fields of a question: one per item, and the "not applicable" checkbox where there is one."""
    fields = form._fields  # type: ignore[attr-defined]
    names = [field_name(item.key) for item in items_of(question)] + [na_field_name(question.key)]
    return [fields[name] for name in names if name in fields]


def _questions(form: SectionForm) -> Iterable[Question]:
    return form.section.questions


def refuse_unstorable(form: SectionForm, formdata: Any) -> None:
    """Add an error to every question field whose submitted text holds a NUL or an unreadable character."""
    for question in _questions(form):
        for bound in question_fields(form, question):
            values = [str(value) for value in formdata.getlist(bound.name)]
            if any("\x00" in value for value in values):
                bound.errors = [*(bound.errors or []), HAS_NUL]
            elif any(_UNREADABLE.search(value) for value in values):
                bound.errors = [*(bound.errors or []), UNREADABLE]


def _is_required_message(message: Any) -> bool:
    return any(message is known for known in REQUIRED_MESSAGES)


def forget_required(form: SectionForm, question_keys: Iterable[str]) -> None:
    """Drop the "please answer" errors of questions the respondent has not seen yet (revealed by this
    submission); a value that was never offered stays an error."""
    keys = set(question_keys)
    for question in _questions(form):
        if question.key in keys:
            for bound in question_fields(form, question):
                bound.errors = [
                    message for message in bound.errors or [] if not _is_required_message(message)
                ]


def has_errors(form: SectionForm, *, required_blocks: bool) -> bool:
    """Whether a question field has an error; with `required_blocks=False` a missing answer does not count."""
    for question in _questions(form):
        for bound in question_fields(form, question):
            for message in bound.errors or []:
                if required_blocks or not _is_required_message(message):
                    return True
    return False


def clip_echo(form: SectionForm) -> None:
    """Shorten very long typed input before the page is shown again with its errors."""
    for question in _questions(form):
        for bound in question_fields(form, question):
            if isinstance(bound.data, str) and len(bound.data) > ECHO_LIMIT:
                bound.data = bound.data[:ECHO_LIMIT]
                bound.raw_data = [bound.data]
