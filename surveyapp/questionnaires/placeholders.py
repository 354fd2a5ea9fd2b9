"""Placeholders in questionnaire texts: `{supplier}` and `{account}`, with `{{` and `}}` for literal braces.

Texts are rendered by this small scanner rather than `str.format`, which would also accept attribute access
and format specs (`{supplier.__class__}`, `{0:>999}`) in files that researchers edit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: The placeholders a questionnaire text may use.
ALLOWED_PLACEHOLDERS: frozenset[str] = frozenset({"supplier", "account"})

_NAME = re.compile(r"[a-z_]+")


class TemplateError(ValueError):
    """A text whose braces do not form valid placeholders."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A `{name}` in a text."""

    name: str


def parse_template(text: str) -> tuple[str | Placeholder, ...]:
    """Split a text into literal parts and placeholders; raises TemplateError for stray braces."""
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "{" and text.startswith("{{", index):
            literal.append("{")
            index += 2
        elif char == "}" and text.startswith("}}", index):
            literal.append("}")
            index += 2
        elif char == "{":
            end = text.find("}", index + 1)
            if end == -1:
                raise TemplateError("has a '{' without a closing '}' (write '{{' for a literal brace)")
            name = text[index + 1 : end]
            if not _NAME.fullmatch(name):
                raise TemplateError(
                    f"has '{{{name}}}', which is not a placeholder "
                    "(write '{{' and '}}' for literal braces)"
                )
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Placeholder(name))
            index = end + 1
        elif char == "}":
            raise TemplateError("has a '}' without an opening '{' (write '}}' for a literal brace)")
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def placeholder_names(text: str) -> tuple[str, ...]:
    """The placeholder names a text uses, in order of appearance; raises TemplateError for stray braces."""
    return tuple(part.name for part in parse_template(text) if isinstance(part, Placeholder))


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Fill in the placeholders; one without a value renders as an empty string.

    An empty string rather than an error, because a questionnaire used without an account (the brief) may
    still mention `{account}`, and a respondent should never see a crash for it.
    """
    return "".join(
        values.get(part.name, "") if isinstance(part, Placeholder) else part for part in parse_template(text)
    )
