"""Placeholders in texts: parsing, names, rendering, stray braces."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.placeholders import (
    Placeholder,
    TemplateError,
    parse_template,
    placeholder_names,
    render_template,
)


def test_parse_template_splits_literals_and_placeholders() -> None:
    # Act
    parts = parse_template("Hi {supplier}, {{x}} and {account}!")

    # Assert
    assert parts == ("Hi ", Placeholder("supplier"), ", {x} and ", Placeholder("account"), "!")


def test_placeholder_names_in_order() -> None:
    # Act
    names = placeholder_names("{account} {client} {account}")

    # Assert
    assert names == ("account", "client", "account")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a { b", "has a '{' without a closing '}' (write '{{' for a literal brace)"),
        ("a } b", "has a '}' without an opening '{' (write '}}' for a literal brace)"),
        ("{0}", "has '{0}', which is not a placeholder (write '{{' and '}}' for literal braces)"),
        (
            "{supplier.name}",
            "has '{supplier.name}', which is not a placeholder (write '{{' and '}}' for literal braces)",
        ),
        ("{}", "has '{}', which is not a placeholder (write '{{' and '}}' for literal braces)"),
    ],
)
def test_parse_template_stray_brace_raises(text: str, message: str) -> None:
    # Act
    with pytest.raises(TemplateError) as caught:
        parse_template(text)

    # Assert
    assert str(caught.value) == message


def test_render_template_fills_values_and_leaves_literal_braces() -> None:
    # Act
    rendered = render_template("{{{supplier}}}", {"supplier": "Acme"})

    # Assert
    assert rendered == "{Acme}"
