"""Answers in words for the review page and the brief: labels, anchors, "not applicable", local notation."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from surveyapp.responses.display import answer_text, readable_answers
from tests.responses.conftest import ALL_TYPES

PLACES = {"supplier": "Brightline", "account": "Globex"}


@pytest.fixture
def english(app: Flask):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize(
    ("key", "raw", "lang", "expected"),
    [
        ("needs", "5", "en", "5 of 5 (Strongly agree)"),
        ("needs", "3", "nl", "3 of 5"),
        ("workarounds", "4", "nl", "4 of 7 (Soms)"),
        ("recommend", "10", "en", "10 of 10 (Extremely likely)"),
        ("needs", "NA", "en", "Not applicable"),
        ("contact", "unsure", "en", "Not sure"),
        ("channels", "mail|portal", "nl", "E-mail, Portaal"),
        ("hours", "12.5", "nl", "12,5 uur"),
        ("hours", "1234.5", "en", "1,234.5 hours"),
        ("since", "2020-02-29", "en", "February 29, 2020"),
        ("since", "2020-02-29", "nl", "29 februari 2020"),
        ("name", "NA", "en", "NA"),
        ("statements.late", "4", "en", "4 of 4 (Agree)"),
        ("name", None, "en", ""),
    ],
)
def test_display_answer_text(english, key, raw, lang, expected):
    assert answer_text(ALL_TYPES.item(key), raw, lang=lang, placeholders=PLACES) == expected


def test_display_readable_answers_only_visible_with_missing_required_flagged(english):
    shown = readable_answers(ALL_TYPES, {"role": "other", "name": "Ann"}, lang="en", placeholders=PLACES)

    assert [(s.key, s.title, s.missing) for s in shown] == [
        ("about", "About you", False),
        ("loyalty", "Loyalty", True),
    ]
    assert [(q.key, q.answered, q.missing) for q in shown[0].questions] == [
        ("role", True, False), ("since", False, False), ("name", True, False),
    ]  # fmt: skip
    matrix = next(q for q in shown[1].questions if q.key == "statements")
    assert [(p.label, p.text, p.answered) for p in matrix.parts] == [
        ("Agreements are clear.", "", False), ("Delivery is often late.", "", False),
    ]  # fmt: skip
    assert shown[1].questions[0].label == "How likely are you to recommend Brightline?"
