"""Where a respondent is in a questionnaire: visible pages, next and previous, what is still required.

Pure functions of a questionnaire and a set of raw answers (no Flask, no database): the survey, the preview
and the submit service all decide the same way. Visibility comes from the engine, so a page whose `show_if`
is false is skipped, and the page count follows the answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from surveyapp.questionnaires.schema import Questionnaire, Section, items_of
from surveyapp.questionnaires.visibility import visibility

#: The resume point of a respondent who reached the check-your-answers page (no section key starts with `_`).
REVIEW = "_review"

RawAnswers = Mapping[str, str | None]


def visible_sections(questionnaire: Questionnaire, answers: RawAnswers) -> list[Section]:
    """The pages these answers show, in order."""
    shown = visibility(questionnaire, answers).sections
    return [section for section in questionnaire.sections if section.key in shown]


def is_visible_section(questionnaire: Questionnaire, answers: RawAnswers, section_key: str) -> bool:
    return section_key in visibility(questionnaire, answers).sections


def has_section(questionnaire: Questionnaire, section_key: str) -> bool:
    return any(section.key == section_key for section in questionnaire.sections)


def _index(questionnaire: Questionnaire, section_key: str) -> int:
    for index, section in enumerate(questionnaire.sections):
        if section.key == section_key:
            return index
    raise KeyError(section_key)


def first_section(questionnaire: Questionnaire, answers: RawAnswers) -> str:
    """The first page (the first section never depends on answers, but a file could make it conditional)."""
    sections = visible_sections(questionnaire, answers)
    return sections[0].key if sections else questionnaire.sections[0].key


def next_section(questionnaire: Questionnaire, answers: RawAnswers, after: str) -> str | None:
    """The first visible page after `after` in file order, or None when the review page comes next."""
    start = _index(questionnaire, after)
    shown = visibility(questionnaire, answers).sections
    return next((s.key for s in questionnaire.sections[start + 1 :] if s.key in shown), None)


def previous_section(questionnaire: Questionnaire, answers: RawAnswers, before: str) -> str | None:
    """The last visible page before `before`, or None when the start page comes before it."""
    end = _index(questionnaire, before)
    shown = visibility(questionnaire, answers).sections
    return next((s.key for s in reversed(questionnaire.sections[:end]) if s.key in shown), None)


def position(questionnaire: Questionnaire, answers: RawAnswers, section_key: str) -> tuple[int, int]:
    """(page number, number of pages) of a visible section, for "Page 3 of 9"."""
    keys = [section.key for section in visible_sections(questionnaire, answers)]
    total = len(keys)
    if section_key not in keys:
        return (min(total, _index(questionnaire, section_key) + 1), total)
    return (keys.index(section_key) + 1, total)


def missing_required(questionnaire: Questionnaire, answers: RawAnswers) -> dict[str, list[str]]:
    """Per visible section, the visible required questions with an item that has no answer ("not applicable"
    counts as an answer)."""
    seen = visibility(questionnaire, answers)
    missing: dict[str, list[str]] = {}
    for section in questionnaire.sections:
        if section.key not in seen.sections:
            continue
        for question in section.questions:
            if not question.required or question.key not in seen.questions:
                continue
            if any(item.key not in seen.answers for item in items_of(question)):
                missing.setdefault(section.key, []).append(question.key)
    return missing


def first_incomplete(questionnaire: Questionnaire, answers: RawAnswers) -> str | None:
    """The first page with a required question still to answer, or None when the response can be submitted."""
    missing = missing_required(questionnaire, answers)
    return next((s.key for s in questionnaire.sections if s.key in missing), None)


def resume_point(questionnaire: Questionnaire, answers: RawAnswers, current: str | None) -> str:
    """Where a returning respondent continues: the remembered page while it is still shown, else the review
    page (when they had reached it), else the first page."""
    if current == REVIEW:
        return REVIEW
    if (
        current
        and has_section(questionnaire, current)
        and is_visible_section(questionnaire, answers, current)
    ):
        return current
    return first_section(questionnaire, answers)


def counted_answers(questionnaire: Questionnaire, answers: RawAnswers) -> dict[str, str]:
    """The answers that are stored: those of visible items, without empty ones."""
    return dict(visibility(questionnaire, answers).answers)
