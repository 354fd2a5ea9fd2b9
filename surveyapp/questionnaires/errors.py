"""Problems found in questionnaire files, as `path:line: message`, and the exception that carries them."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel, ValidationError

from surveyapp.questionnaires.schema import (
    ITEM_KEY_PATTERN,
    KEY_PATTERN,
    OPTION_KEY_PATTERN,
    SLUG_PATTERN,
    TAG_PATTERN,
)

if TYPE_CHECKING:
    from surveyapp.questionnaires.source import LineMap


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error or warning at a line of a file."""

    label: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.label}:{self.line}: {self.message}"


class QuestionnaireError(Exception):
    """Invalid questionnaire or scoring files; `messages` lists every error as `path:line: message`."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def sorted_messages(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """Messages in file order, then line order (stable: equal lines keep the order they were found in)."""
    return [str(diagnostic) for diagnostic in sorted(diagnostics, key=lambda d: (d.label, d.line))]


_OWNERS = {
    "sections": "section",
    "questions": "question",
    "options": "option",
    "rows": "row",
    "dimensions": "dimension",
}

_PATTERN_HELP = {
    KEY_PATTERN: "must start with a lowercase letter and contain only a-z, 0-9 and _",
    OPTION_KEY_PATTERN: "may contain only a-z, 0-9 and _",
    SLUG_PATTERN: "may contain only a-z, 0-9 and -",
    TAG_PATTERN: "may contain only a-z and _",
    ITEM_KEY_PATTERN: "must be a question key, or question.row for a matrix row",
}


def short(value: Any) -> str:
    """A value for a message, shortened."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_location(loc: Sequence[Hashable], data: Any) -> tuple[str, list[str]]:
    """Turn a location into the owner (`question 'q1', option 'o2'`) and the field path below it."""
    owners: list[str] = []
    fields: list[str] = []
    node = data
    index = 0
    while index < len(loc):
        part = loc[index]
        following = loc[index + 1] if index + 1 < len(loc) else None
        if (
            isinstance(part, str)
            and part in _OWNERS
            and isinstance(following, int)
            and isinstance(node, dict)
            and isinstance(node.get(part), list)
        ):
            entries = node[part]
            node = entries[following] if following < len(entries) else None
            key = node.get("key") if isinstance(node, dict) else None
            name = _OWNERS[part]
            owner = f"{name} '{key}'" if isinstance(key, str) and key else f"{name} {following + 1}"
            # Question keys are unique in a file, so the section adds nothing to a question's name.
            owners = [owner] if part == "questions" else [*owners, owner]
            fields = []
            index += 2
            continue
        if isinstance(part, int) and fields:
            fields[-1] = f"{fields[-1]}[{part + 1}]" if isinstance(node, list) else f"{fields[-1]}.{part}"
        else:
            fields.append(str(part))
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        index += 1
    return ", ".join(owners), fields


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel], loc: Sequence[Hashable]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if not isinstance(part, str):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _model_in(current.model_fields[part].annotation)
    return current


def _problem(error: dict[str, Any]) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    value = error.get("input")
    simple = {
        "missing": "is required",
        "string_type": "must be text",
        "string_too_short": "must not be empty",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "finite_number": "must be a finite number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "list_type": "must be a list",
        "tuple_type": "must be a list",
        "dict_type": "must be a mapping (lines of 'field: value')",
        "mapping_type": "must be a mapping (lines of 'field: value')",
        "model_type": "must be a mapping (lines of 'field: value')",
        "model_attributes_type": "must be a mapping (lines of 'field: value')",
    }
    if kind in simple:
        return simple[kind]
    if kind == "string_pattern_mismatch":
        return f"{_PATTERN_HELP.get(context.get('pattern', ''), 'has an invalid form')}, not {short(value)}"
    if kind in ("enum", "literal_error"):
        return f"must be one of {context.get('expected', '?')}, not {short(value)}"
    if kind == "greater_than":
        return f"must be greater than {_number(context.get('gt'))}"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters long"
    if kind == "too_short":
        count = context.get("min_length", 1)
        return f"needs at least {count} {'entry' if count == 1 else 'entries'}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return str(error["msg"])


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def validation_diagnostics(
    error: ValidationError,
    *,
    model: type[BaseModel],
    data: Any,
    lines: LineMap,
    label: str,
    prefix: tuple[Hashable, ...] = (),
) -> list[Diagnostic]:
    """Translate pydantic errors into line-numbered messages in the words of the format."""
    diagnostics = []
    details = error.errors()
    # A list whose entries fail also reports itself as too short (it counts valid entries): say it once.
    failing_parents = {detail["loc"][:end] for detail in details for end in range(len(detail["loc"]))}
    for detail in details:
        if detail["type"] == "too_short" and detail["loc"] in failing_parents:
            continue
        loc = (*prefix, *detail["loc"])
        line = lines.line(loc)
        if loc and loc[-1] == "[key]":
            owner, fields = describe_location(loc[:-2], data)
            body = f"'{'.'.join(fields)}' has the key {short(loc[-2])}, which must be a whole number"
        elif detail["type"] == "extra_forbidden":
            owner, fields = describe_location(loc, data)
            body = f"unknown field '{'.'.join(fields)}'"
            allowed = _model_at(model, loc[len(prefix) : -1])
            if allowed is not None and isinstance(loc[-1], str):
                matches = difflib.get_close_matches(loc[-1], list(allowed.model_fields), n=1)
                if matches:
                    body += f" (did you mean '{matches[0]}'?)"
        else:
            owner, fields = describe_location(loc, data)
            problem = _problem(dict(detail))
            body = f"'{'.'.join(fields)}' {problem}" if fields else f"{owner or 'the file'} {problem}"
            if not fields:
                owner = ""
        diagnostics.append(Diagnostic(label, line, f"{owner}: {body}" if owner else body))
    return diagnostics
