"""Autosave (the JSON endpoint) and resuming: answers and notes saved question by question, the page showing
them again; bad input refused with a clear message and nothing stored; show_if applied as in the survey."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from surveyapp.interviews.answers import MAX_NOTE, base_token
from surveyapp.interviews.models import InterviewNote
from tests.interviews.conftest import answers_of, text_of

SCRIPT = "<script>alert('x')</script> & <b>bold</b>"


def test_autosave_answer_returns_new_base_and_topic_states(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    tab.topic("needs")

    # Act
    response = tab.autosave(
        "needs", "needs_1", {"q-needs_1": "4", "base-q-needs_1": tab.bases("needs")["q-needs_1"]}
    )

    # Assert
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "saved"
    assert body["bases"] == {"q-needs_1": base_token(1, "4")}
    assert body["removed"] == [] and body["conflicts"] == []
    assert body["visible"] == ["needs_1", "needs_2", "needs_3"]
    assert {t["key"]: t["state"] for t in body["topics"]}["needs"] == "partly"
    assert answers_of(db, tab_interview(db)) == {"needs_1": "4"}


def tab_interview(db):
    from surveyapp.interviews.models import Interview

    return db.session.scalars(select(Interview)).one()


def test_autosave_then_reload_shows_answers_and_notes(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    tab.topic("needs")
    tab.autosave("needs", "needs_2", {"q-needs_2": "2", "base-q-needs_2": tab.bases("needs")["q-needs_2"]})
    tab.autosave(
        "needs",
        "needs_2",
        {"note-needs_2": "Line one\nline two", "base-note-needs_2": "0:e3b0c44298fc1c14"},
        kind="note",
    )

    # Act
    page = text_of(tab.topic("needs"))

    # Assert
    assert re.search(r'<input checked[^>]*id="q-needs_2-1"', page)
    assert (
        '<textarea id="note-needs_2" name="note-needs_2" rows="4" class="iv-note-text" '
        'data-note-field="needs_2">\nLine one\nline two</textarea>' in page
    )
    assert tab.bases("needs")["note-needs_2"] == base_token(1, "Line one\nline two")


def test_autosave_score_outside_the_scale_is_refused(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    tab.topic("needs")

    # Act
    response = tab.autosave(
        "needs", "needs_1", {"q-needs_1": "7", "base-q-needs_1": tab.bases("needs")["q-needs_1"]}
    )
    form = tab.save_topic("needs", {"q-needs_1": "0"})

    # Assert
    assert response.status_code == 422
    assert response.get_json() == {
        "status": "invalid",
        "message": "A score on this scale runs from 1 to 5.",
        "errors": {"q-needs_1": "A score on this scale runs from 1 to 5."},
    }
    assert form.status_code == 422
    assert "Choose one of the options shown." in text_of(form)
    assert answers_of(db, interview) == {}


def test_autosave_nps_outside_0_to_10_is_refused(db, client, login, fieldwork, researcher, started, screen):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))

    # Act
    response = tab.autosave("future", "rel_nps", {"q-rel_nps": "11"})

    # Assert
    assert response.status_code == 422
    assert response.get_json()["message"] == "A score on this scale runs from 0 to 10."


def test_autosave_notes_with_html_are_stored_exactly_and_shown_escaped(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    long_notes = SCRIPT + "\n" + ("Très lang verhaal, 'quoted' \"twice\". " * 2_400) + "\n\n  trailing  "

    # Act
    saved = tab.autosave("needs", "needs_1", {"note-needs_1": long_notes}, kind="note")
    page = text_of(tab.topic("needs"))

    # Assert
    assert saved.status_code == 200
    stored = db.session.scalars(select(InterviewNote.text)).one()
    assert stored == long_notes
    assert len(stored) > 80_000
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_autosave_notes_too_long_or_with_nul_are_refused(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))

    # Act
    too_long = tab.autosave("needs", "needs_1", {"note-needs_1": "x" * (MAX_NOTE + 1)}, kind="note")
    nul = tab.autosave("needs", "needs_1", {"note-needs_1": "a\x00b"}, kind="note")

    # Assert
    assert too_long.status_code == 422
    assert too_long.get_json()["errors"] == {
        "note-needs_1": "Notes on one question may have at most 100000 characters (now 100001)."
    }
    assert nul.status_code == 422
    assert (
        nul.get_json()["message"] == "Remove the invisible NUL character from the notes: it cannot be stored."
    )
    assert db.session.scalars(select(InterviewNote)).all() == []


def test_autosave_applies_show_if_and_removes_hidden_answers(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    tab.autosave("opening", "role", {"q-role": "buyer"})
    tab.autosave("value", "value_2", {"q-value_2": "3"})

    # Act: a user does not judge the price (value_2 shows only for decision makers and buyers)
    changed = tab.autosave("opening", "role", {"q-role": "user", "base-q-role": base_token(1, "buyer")})
    hidden = tab.autosave("value", "value_2", {"q-value_2": "4"})
    page = text_of(tab.topic("value"))

    # Assert
    assert changed.status_code == 200
    assert changed.get_json()["removed"] == ["q-value_2"]
    assert hidden.status_code == 422
    assert hidden.get_json()["message"] == "This question does not apply after the earlier answers."
    assert answers_of(db, interview) == {"role": "user"}
    assert re.search(r'id="question-value_2" data-question="value_2" aria-label="[^"]*" hidden>', page)


def test_autosave_reports_visible_questions_of_the_topic(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    tab.autosave("opening", "role", {"q-role": "user"})

    # Act
    response = tab.autosave("value", "value_1", {"q-value_1": "4"})

    # Assert
    assert response.get_json()["visible"] == ["value_1", "value_3", "value_4"]


def test_autosave_before_the_interview_started_is_refused(
    db, client, login, fieldwork, researcher, plan, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(plan(work, researcher))

    # Act
    response = tab.autosave("needs", "needs_1", {"q-needs_1": "4"})

    # Assert
    assert response.status_code == 409
    assert (
        response.get_json()["message"]
        == "Start the interview (and record the consent) before entering answers."
    )


def test_autosave_without_the_csrf_header_is_refused(db, client, login, fieldwork, researcher, started):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)

    # Act
    response = client.post(
        f"/interviews/{interview.id}/autosave",
        data={"section": "needs", "question": "needs_1", "q-needs_1": "4"},
    )

    # Assert
    assert response.status_code == 400
    assert answers_of(db, interview) == {}


def test_autosave_unknown_question_is_a_bad_request(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))

    # Act
    response = tab.autosave("needs", "wow_1", {"q-wow_1": "4"})

    # Assert
    assert response.status_code == 400
    assert json.loads(response.get_data(as_text=True))["message"] == (
        "The page sent something this interview does not know; reload it."
    )
