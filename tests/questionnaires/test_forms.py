"""Section forms: conversion to raw values per type, rejection of bad or tampered input, n.a., required only
while visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import Form

from surveyapp.questionnaires import Questionnaire
from surveyapp.questionnaires.forms import build_section_form, section_form_data
from tests.questionnaires.builders import option, question, questionnaire, scale, text


@pytest.fixture
def request_context(web: Flask) -> Iterator[None]:
    with web.test_request_context():
        yield


def submit(built: Questionnaire, section: str, data: list[tuple[str, str]], **kwargs: Any) -> Any:
    form_class = build_section_form(
        built, section, lang="en", placeholders={"supplier": "Acme"}, base=Form, **kwargs
    )
    return form_class(MultiDict(data))


def errors_of(form: Any) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


EVERY_TYPE = questionnaire(
    question("sc", "scale", scale=scale(5), not_applicable=True),
    question("np", "nps"),
    question("si", "single", options=[option("a"), option("b")], not_applicable=True),
    question("mu", "multi", options=[option("a"), option("b"), option("c"), option("x", not_applicable=True)],
             not_applicable=True),
    question("te", "text", max_length=10),
    question("lo", "longtext"),
    question("nu", "number", min=0, max=80, not_applicable=True),
    question("da", "date", not_applicable=True),
    question("ma", "matrix", scale=scale(4), not_applicable=True,
             rows=[{"key": "r1", "text": text("Row 1")}, {"key": "r2", "text": text("Row 2")}]),
)  # fmt: skip


def test_form_every_type_good_data_becomes_raw_values(request_context: None) -> None:
    # Arrange
    data = [
        ("q-sc", "4"), ("q-np", "0"), ("q-si", "b"), ("q-mu", "c"), ("q-mu", "a"), ("q-te", "  Ann  "),
        ("q-lo", "one\r\ntwo\x00"), ("q-nu", "12,5"), ("q-da", "2025-03-31"), ("q-ma-r1", "1"),
        ("q-ma-r2", "NA"),
    ]  # fmt: skip

    # Act
    form = submit(EVERY_TYPE, "s1", data)
    valid = form.validate()

    # Assert
    assert (valid, errors_of(form)) == (True, {})
    assert form.answers() == {
        "sc": "4", "np": "0", "si": "b", "mu": "a|c", "te": "Ann", "lo": "one\ntwo", "nu": "12.5",
        "da": "2025-03-31", "ma.r1": "1", "ma.r2": "NA",
    }  # fmt: skip


def test_form_not_applicable_per_type(request_context: None) -> None:
    # Arrange
    data = [("q-sc", "NA"), ("q-si", "NA"), ("q-mu", "NA"), ("na-nu", "y"), ("na-da", "y"), ("q-np", "10")]

    # Act
    form = submit(EVERY_TYPE, "s1", data)
    valid = form.validate()

    # Assert
    assert valid is True
    assert {key: value for key, value in form.answers().items() if value is not None} == {
        "sc": "NA", "np": "10", "si": "NA", "mu": "NA", "nu": "NA", "da": "NA",
    }  # fmt: skip


def test_form_empty_submission_gives_no_answers(request_context: None) -> None:
    # Act
    form = submit(EVERY_TYPE, "s1", [])
    valid = form.validate()

    # Assert
    assert valid is True
    assert set(form.answers().values()) == {None}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ([("q-sc", "6")], "q-sc", "Choose one of the options shown."),
        ([("q-sc", "0")], "q-sc", "Choose one of the options shown."),
        ([("q-np", "11")], "q-np", "Choose one of the options shown."),
        ([("q-np", "NA")], "q-np", "Choose one of the options shown."),
        ([("q-si", "c")], "q-si", "Choose one of the options shown."),
        ([("q-mu", "a"), ("q-mu", "evil")], "q-mu", "Choose one of the options shown."),
        ([("q-mu", "a"), ("q-mu", "NA")], "q-mu", "'Not applicable' cannot be combined with other options."),
        ([("q-mu", "a"), ("q-mu", "x")], "q-mu", "'Not applicable' cannot be combined with other options."),
        ([("q-te", "x" * 11)], "q-te", "Use at most 10 characters (now 11)."),
        ([("q-nu", "81")], "q-nu", "Enter a number of at most 80."),
        ([("q-nu", "-1")], "q-nu", "Enter a number of at least 0."),
        ([("q-nu", "12 hours")], "q-nu", "Enter a number, such as 12 or 12.5."),
        ([("q-nu", "1e3")], "q-nu", "Enter a number, such as 12 or 12.5."),
        ([("q-nu", "5"), ("na-nu", "y")], "q-nu", "Give an answer or tick 'not applicable', not both."),
        ([("q-da", "31-03-2025")], "q-da", "Enter a date as YYYY-MM-DD, such as 2025-03-31."),
        ([("q-da", "2025-02-30")], "q-da", "Enter a date as YYYY-MM-DD, such as 2025-03-31."),
        ([("q-ma-r1", "5")], "q-ma-r1", "Choose one of the options shown."),
    ],
)
def test_form_bad_or_tampered_input_is_rejected(
    request_context: None, data: list[tuple[str, str]], field: str, message: str
) -> None:
    # Act
    form = submit(EVERY_TYPE, "s1", data)
    valid = form.validate()

    # Assert
    assert valid is False
    assert errors_of(form) == {field: [message]}


def test_form_not_applicable_not_offered_is_tampering(request_context: None) -> None:
    # Arrange
    built = questionnaire(question("q", "scale", scale=scale(5)), question("n", "number"))

    # Act
    form = submit(built, "s1", [("q-q", "NA"), ("na-n", "y")])
    valid = form.validate()

    # Assert
    assert valid is False
    assert errors_of(form) == {"q-q": ["Choose one of the options shown."]}
    assert "na-n" not in form


REQUIRED = questionnaire(
    question("role", "single", required=True, options=[option("buyer"), option("user")]),
    question("volume", "number", required=True, show_if="role == buyer"),
    question("grid", "matrix", required=True, scale=scale(3), show_if="role == user",
             rows=[{"key": "a", "text": text("A")}, {"key": "b", "text": text("B")}]),
)  # fmt: skip


def test_form_required_visible_question_needs_an_answer(request_context: None) -> None:
    # Act
    form = submit(REQUIRED, "s1", [("q-role", "buyer")])
    valid = form.validate()

    # Assert
    assert valid is False
    assert errors_of(form) == {"q-volume": ["Please answer this question."]}


def test_form_required_matrix_needs_every_row(request_context: None) -> None:
    # Act
    form = submit(REQUIRED, "s1", [("q-role", "user"), ("q-grid-a", "2")])
    valid = form.validate()

    # Assert
    assert valid is False
    assert errors_of(form) == {"q-grid-b": ["Please answer this statement."]}


def test_form_hidden_required_question_is_not_required_and_its_answer_is_dropped(
    request_context: None,
) -> None:
    # Act
    form = submit(
        REQUIRED, "s1", [("q-role", "user"), ("q-grid-a", "1"), ("q-grid-b", "3"), ("q-volume", "x")]
    )
    valid = form.validate()

    # Assert
    assert (valid, errors_of(form)) == (True, {})
    assert form.answers() == {"role": "user", "volume": None, "grid.a": "1", "grid.b": "3"}


def test_form_visibility_uses_answers_of_earlier_sections(
    request_context: None, all_types: Questionnaire
) -> None:
    # Arrange: role (page 1) is "other", so the whole fit page is hidden and nothing on it is required
    stored = {"role": "other"}

    # Act
    form = submit(all_types, "fit", [], answers=stored)
    valid = form.validate()

    # Assert
    assert (valid, errors_of(form)) == (True, {})
    assert [view.visible for view in form.views] == [False, False, False, False]


def test_form_earlier_sections_make_a_required_question_visible(
    request_context: None, all_types: Questionnaire
) -> None:
    # Act
    form = submit(all_types, "fit", [], answers={"role": "user"})
    valid = form.validate()

    # Assert
    assert valid is False
    assert errors_of(form) == {"q-needs": ["Please answer this question."]}


def test_form_revealed_lists_questions_this_submission_made_visible(request_context: None) -> None:
    # Act
    form = submit(REQUIRED, "s1", [("q-role", "buyer"), ("q-volume", "")], answers={})
    form.validate()

    # Assert
    assert form.revealed() == ["volume"]


def test_section_form_data_shows_stored_answers_again(request_context: None) -> None:
    # Arrange
    stored = {
        "sc": "NA", "np": "7", "si": "a", "mu": "a|c", "te": "Ann", "lo": "x\ny", "nu": "12.5", "da": "NA",
        "ma.r1": "2", "ma.r2": "NA",
    }  # fmt: skip
    form_class = build_section_form(EVERY_TYPE, "s1", lang="nl", base=Form, answers=stored)

    # Act
    form = form_class(data=section_form_data(EVERY_TYPE, "s1", stored))
    valid = form.validate()

    # Assert
    assert valid is True
    assert form.answers() == stored


def test_form_labels_are_rendered_in_the_language_with_placeholders(request_context: None) -> None:
    # Arrange
    built = questionnaire(
        {"key": "q", "type": "text", "text": {"nl": "Hoe is {supplier}?", "en": "How is {supplier}?"},
         "help": {"nl": "Eerlijk", "en": "Honestly"}}
    )  # fmt: skip

    # Act
    form = build_section_form(built, "s1", lang="nl", placeholders={"supplier": "Acme"}, base=Form)()

    # Assert
    assert (form["q-q"].label.text, form["q-q"].description) == ("Hoe is Acme?", "Eerlijk")
    assert (form.title, form.intro) == ("Section (nl)", None)


def test_form_with_flask_form_base_reads_the_request(web: Flask, all_types: Questionnaire) -> None:
    # Arrange
    with web.test_request_context(method="POST", data={"q-role": "user", "q-name": "Ann", "q-hours": "3"}):
        form_class = build_section_form(all_types, "about", lang="en")

        # Act
        form = form_class()
        valid = form.validate_on_submit()

    # Assert
    assert valid is True
    assert form.answers() == {"role": "user", "since": None, "hours": "3", "name": "Ann"}


def test_build_section_form_unknown_section_raises(all_types: Questionnaire) -> None:
    # Act / Assert
    with pytest.raises(KeyError):
        build_section_form(all_types, "nope", lang="en", base=Form)


def test_form_question_keys_cannot_shadow_form_attributes(request_context: None) -> None:
    # Arrange
    built = questionnaire(question("data", "text"), question("errors", "text"), question("validate", "text"))

    # Act
    form = submit(built, "s1", [("q-data", "a"), ("q-errors", "b"), ("q-validate", "c")])
    valid = form.validate()

    # Assert
    assert valid is True
    assert form.answers() == {"data": "a", "errors": "b", "validate": "c"}
