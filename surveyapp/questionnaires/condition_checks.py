"""Load-time checks of show_if: it parses, names earlier keys only, and compares with fitting values."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from datetime import date

from surveyapp.enums import QuestionType
from surveyapp.questionnaires.schema import CHOICE_TYPES, Question
from surveyapp.questionnaires.show_if import (
    ORDERING_OPERATORS,
    Answered,
    Comparison,
    Condition,
    Membership,
    ShowIfError,
    Value,
    parse,
)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMERIC_TYPES = frozenset({QuestionType.SCALE, QuestionType.NPS, QuestionType.NUMBER, QuestionType.MATRIX})
_TEXT_TYPES = frozenset({QuestionType.TEXT, QuestionType.LONGTEXT})


def _suggest(word: str, candidates: Collection[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def condition_problems(
    expression: str,
    *,
    available: Mapping[str, Question | None],
    all_keys: Collection[str],
    own_key: str | None,
    section_level: bool,
) -> list[str]:
    """Everything wrong with one show_if, as messages (without the owner prefix).

    `available` holds the questions the condition may name (None for a question that failed its own checks),
    `all_keys` every question key in the file, to tell "later" from "unknown".
    """
    try:
        condition: Condition = parse(expression)
    except ShowIfError as error:
        return [f"show_if: {error}"]
    problems: list[str] = []
    for atom in condition.atoms():
        question_key, _, row_key = atom.key.partition(".")
        if question_key not in available:
            problems.append(_missing_key(question_key, available, all_keys, own_key, section_level))
            continue
        question = available[question_key]
        if question is None:
            continue
        if row_key:
            if question.type is not QuestionType.MATRIX:
                problems.append(f"show_if names '{atom.key}', but '{question_key}' is not a matrix question")
                continue
            row_keys = [row.key for row in question.rows or ()]
            if row_key not in row_keys:
                problems.append(
                    f"show_if names '{atom.key}', but matrix '{question_key}' has no row '{row_key}'"
                    + _suggest(row_key, row_keys)
                )
                continue
        elif question.type is QuestionType.MATRIX:
            problems.append(
                f"show_if names matrix '{question_key}'; name one of its rows, as '{question_key}.<row>'"
            )
            continue
        if not isinstance(atom, Answered):
            problems.extend(_value_problems(atom, question))
    return problems


def _missing_key(
    key: str,
    available: Mapping[str, Question | None],
    all_keys: Collection[str],
    own_key: str | None,
    section_level: bool,
) -> str:
    if key == own_key:
        return f"show_if names the question '{key}' itself"
    if key in all_keys:
        if section_level:
            return f"show_if names '{key}', which is not in an earlier section"
        return f"show_if names '{key}', which comes later in the file"
    return f"show_if names unknown question '{key}'" + _suggest(key, list(available))


def _value_problems(atom: Comparison | Membership, question: Question) -> list[str]:
    operator = atom.operator if isinstance(atom, Comparison) else "in"
    values = (atom.value,) if isinstance(atom, Comparison) else atom.values
    kind = question.type
    problems: list[str] = []
    if kind in _NUMERIC_TYPES:
        problems.extend(_numeric_problems(atom.key, operator, values, question))
    elif kind in CHOICE_TYPES:
        if operator in ORDERING_OPERATORS:
            problems.append(
                f"show_if cannot order the options of '{atom.key}' with '{operator}'; use == or in"
            )
        keys = [option.key for option in question.options or ()]
        for value in values:
            if value.text not in keys:
                problems.append(
                    f"show_if compares '{atom.key}' with '{value.text}', which is not one of its options"
                    + _suggest(value.text, keys)
                )
    elif kind in _TEXT_TYPES:
        if operator in ORDERING_OPERATORS:
            problems.append(f"show_if cannot order the text of '{atom.key}' with '{operator}'; use == or !=")
    elif kind is QuestionType.DATE:
        for value in values:
            if value.kind != "string" or not _is_date(value.text):
                problems.append(
                    f"show_if compares date '{atom.key}' with {value}; "
                    'write a quoted date such as "2025-01-31"'
                )
    return problems


def _numeric_problems(key: str, operator: str, values: tuple[Value, ...], question: Question) -> list[str]:
    problems = []
    for value in values:
        if value.kind != "number":
            problems.append(
                f"show_if compares '{key}' ({question.type.value}) with {value}, which is not a number"
            )
            continue
        if operator in ORDERING_OPERATORS:
            continue
        bounds = _bounds(question)
        number = value.number
        assert number is not None
        if bounds is not None and (
            number != number.to_integral_value() or not bounds[0] <= number <= bounds[1]
        ):
            problems.append(
                f"show_if compares '{key}' with {value}, which is not a value from {bounds[0]} to {bounds[1]}"
            )
    return problems


def _bounds(question: Question) -> tuple[int, int] | None:
    if question.type is QuestionType.NPS:
        return 0, 10
    if question.type in (QuestionType.SCALE, QuestionType.MATRIX) and question.scale is not None:
        return 1, question.scale.points
    return None


def _is_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
