"""templates/questionnaires/_fields.html: accessible markup for every question type, no scripts or styles."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import Form

from surveyapp.questionnaires import Questionnaire
from surveyapp.questionnaires.forms import build_section_form
from tests.questionnaires.builders import questionnaire

PAGE = (
    '{% from "questionnaires/_fields.html" import render_error_summary, render_section %}'
    "{{ render_error_summary(form) }}{{ render_section(form) }}"
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    parents: list[str] = field(default_factory=list)


class Collector(HTMLParser):
    """Every element with its attributes, direct text and the tags that enclose it."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag, {name: value or "" for name, value in attrs}, parents=[e.tag for e in self.stack]
        )
        self.elements.append(element)
        if tag not in ("input", "br", "img"):
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]


def render(
    web: Flask, questionnaire: Questionnaire, section: str, data: list[tuple[str, str]], **kwargs: Any
) -> str:
    with web.test_request_context():
        form_class = build_section_form(
            questionnaire, section, lang="en", placeholders={"supplier": "Acme"}, base=Form, **kwargs
        )
        form = form_class(MultiDict(data))
        if data:
            form.validate()
        return render_template_string(PAGE, form=form)


@pytest.fixture
def pages(web: Flask, all_types: Questionnaire) -> dict[str, Collector]:
    answers = {"role": "buyer", "needs": "4", "recommend": "3", "why": "x"}
    collected = {}
    for section in ("about", "fit", "loyalty"):
        collector = Collector()
        collector.feed(render(web, all_types, section, [], answers=answers))
        collected[section] = collector
    return collected


def test_render_every_input_has_a_label(pages: dict[str, Collector]) -> None:
    # Act
    unlabelled = [
        (section, element.attrs.get("id"))
        for section, page in pages.items()
        for element in page.elements
        if element.tag in ("input", "textarea", "select")
        and not page.find("label", **{"for": element.attrs.get("id", "")})
    ]

    # Assert
    assert unlabelled == []


def test_render_groups_are_fieldsets_with_a_legend(pages: dict[str, Collector]) -> None:
    # Act
    groups = {
        element.attrs["class"].split()[1]: element
        for page in pages.values()
        for element in page.find("fieldset")
        if element.attrs["class"].startswith("q-question")
    }
    legends = [
        element.text.split("\n")[0].strip()
        for element in pages["fit"].find("legend", **{"class": "q-legend"})
    ]

    # Assert
    assert sorted(groups) == ["q-date", "q-matrix", "q-multi", "q-nps", "q-number", "q-scale", "q-single"]
    assert legends[:2] == ["Acme understands what we need. (required)", "We need workarounds."]


def test_render_matrix_rows_are_fieldsets_with_their_statement(pages: dict[str, Collector]) -> None:
    # Act
    rows = [element.text.strip() for element in pages["loyalty"].find("legend", **{"class": "q-row-legend"})]
    radios = pages["loyalty"].find("input", name="q-statements-late")

    # Assert
    assert rows == ["Agreements are clear.", "Delivery is often late."]
    assert [radio.attrs["value"] for radio in radios] == ["1", "2", "3", "4", "NA"]


def test_render_scale_anchors_are_visible_in_the_labels(pages: dict[str, Collector]) -> None:
    # Act
    labels = [" ".join(element.text.split()) for element in pages["fit"].find("label")][:6]

    # Assert
    assert labels == ["1 Strongly disagree", "2", "3", "4", "5 Strongly agree", "Not applicable"]


def test_render_nps_has_default_anchors(pages: dict[str, Collector]) -> None:
    # Act
    labels = [
        " ".join(e.text.split())
        for e in pages["loyalty"].find("label")
        if e.attrs["for"].startswith("q-recommend-")
    ]

    # Assert
    assert labels[0] == "0 Not at all likely"
    assert labels[10] == "10 Extremely likely"


def test_render_help_is_linked_with_aria_describedby(pages: dict[str, Collector]) -> None:
    # Act
    help_text = pages["fit"].find("p", id="help-needs")
    fieldset = pages["fit"].find("fieldset", **{"aria-describedby": "help-needs"})

    # Assert
    assert [p.text for p in help_text] == ["Think of the past year."]
    assert len(fieldset) == 1


def test_render_number_unit_and_not_applicable(pages: dict[str, Collector]) -> None:
    # Act
    hours = pages["about"].find("input", id="q-hours")[0]
    unit = pages["about"].find("span", id="unit-hours")[0]
    not_applicable = pages["about"].find("input", id="na-hours")[0]

    # Assert
    assert (hours.attrs["inputmode"], hours.attrs["aria-describedby"]) == ("decimal", "unit-hours")
    assert unit.text == "hours"
    assert not_applicable.attrs["type"] == "checkbox"
    assert [label.text for label in pages["about"].find("label", **{"for": "na-hours"})] == ["Not applicable"]


def test_render_hidden_questions_are_not_sent(pages: dict[str, Collector]) -> None:
    # Act
    names = {
        element.attrs.get("name")
        for page in pages.values()
        for element in page.elements
        if element.tag in ("input", "textarea")
    }

    # Assert: contact needs "not role == buyer"; when needs since/hours/name answers
    assert "q-contact" not in names
    assert "q-when" not in names
    assert {"q-role", "q-hours", "q-needs", "q-channels", "q-why", "q-consent"} <= names


def test_render_errors_are_announced_and_linked(web: Flask, all_types: Questionnaire) -> None:
    # Arrange
    page = Collector()

    # Act
    page.feed(
        render(web, all_types, "about", [("q-hours", "900"), ("q-role", "buyer"), ("q-name", "x" * 25)])
    )

    # Assert
    hours = page.find("input", id="q-hours")[0]
    name = page.find("input", id="q-name")[0]
    assert (hours.attrs["aria-invalid"], hours.attrs["aria-describedby"]) == (
        "true",
        "unit-hours error-hours",
    )
    assert (name.attrs["aria-invalid"], name.attrs["aria-describedby"]) == ("true", "error-name")
    assert (
        " ".join(page.find("p", id="error-hours")[0].text.split()) == "Error: Enter a number of at most 80."
    )
    summary = page.find("div", **{"class": "q-error-summary"})[0]
    assert summary.attrs["role"] == "alert"
    assert [a.attrs["href"] for a in page.find("a")] == ["#q-hours", "#q-name"]


def test_render_radio_group_errors_mark_every_radio(web: Flask, all_types: Questionnaire) -> None:
    # Arrange
    page = Collector()

    # Act
    page.feed(render(web, all_types, "fit", [("q-needs", "9")], answers={"role": "user"}))

    # Assert
    radios = page.find("input", name="q-needs")
    assert {radio.attrs.get("aria-invalid") for radio in radios} == {"true"}
    assert page.find("fieldset", **{"aria-describedby": "help-needs error-needs"})
    assert [a.attrs["href"] for a in page.find("a")] == ["#q-needs-0"]


def test_render_has_no_scripts_styles_or_unprefixed_classes(pages: dict[str, Collector]) -> None:
    # Act
    elements = [element for page in pages.values() for element in page.elements]

    # Assert
    assert [e.tag for e in elements if e.tag in ("script", "style")] == []
    assert [e.tag for e in elements if "style" in e.attrs or any(a.startswith("on") for a in e.attrs)] == []
    assert {
        name for e in elements for name in e.attrs.get("class", "").split() if not name.startswith("q-")
    } == set()


def test_render_escapes_questionnaire_texts(web: Flask) -> None:
    # Arrange
    built = questionnaire(
        {"key": "q", "type": "text", "text": {"nl": "<b>x</b>", "en": "<script>x</script>"}}
    )

    # Act
    html = render(web, built, "s1", [])

    # Assert
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
