"""Concurrency: per-answer optimistic locking. Two people on one answer: the second gets 409 with both
versions, never a silent overwrite; two tabs on different topics never conflict; who else has it open."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.enums import Role
from surveyapp.interviews.answers import base_token
from surveyapp.interviews.models import InterviewNote
from tests.interviews.conftest import answers_of, text_of


def _two_researchers(make_app, make_user, login, researcher):
    colleague = make_user(Role.RESEARCHER, email="cas@agency.example", name="Cas Colleague")
    other = make_app().test_client()
    login(colleague, target=other)
    return colleague, other


def test_conflicts_same_answer_stale_version_gets_409_with_both_versions(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    mine, theirs = screen(interview), screen(interview, target=other)
    mine.topic("needs")
    theirs.topic("needs")
    stale = theirs.bases("needs")["q-needs_1"]

    # Act
    first = mine.autosave(
        "needs", "needs_1", {"q-needs_1": "4", "base-q-needs_1": mine.bases("needs")["q-needs_1"]}
    )
    second = theirs.autosave("needs", "needs_1", {"q-needs_1": "2", "base-q-needs_1": stale})

    # Assert
    assert first.status_code == 200
    assert second.status_code == 409
    body = second.get_json()
    assert body["status"] == "conflict"
    [conflict] = body["conflicts"]
    assert conflict["field"] == "q-needs_1"
    assert conflict["yours"] == {"value": "2", "text": "2 of 5 (Disagree)"}
    assert (conflict["theirs"]["value"], conflict["theirs"]["text"], conflict["theirs"]["version"]) == (
        "4",
        "4 of 5 (Agree)",
        1,
    )
    assert conflict["theirs"]["token"] == base_token(1, "4")
    assert conflict["message"] == (
        "Someone else changed this since you opened the page. "
        "Saved now: 4 of 5 (Agree). Yours: 2 of 5 (Disagree)."
    )
    assert "q-needs_1" not in body["bases"]
    assert answers_of(db, interview) == {"needs_1": "4"}


def test_conflicts_choosing_mine_with_the_new_version_replaces_the_answer(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    mine, theirs = screen(interview), screen(interview, target=other)
    mine.autosave("needs", "needs_1", {"q-needs_1": "4"})
    token = theirs.autosave("needs", "needs_1", {"q-needs_1": "2"}).get_json()["conflicts"][0]["theirs"][
        "token"
    ]

    # Act
    replaced = theirs.autosave("needs", "needs_1", {"q-needs_1": "2", "base-q-needs_1": token})

    # Assert
    assert replaced.status_code == 200
    assert answers_of(db, interview) == {"needs_1": "2"}


def test_conflicts_same_value_from_both_is_no_conflict(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    screen(interview).autosave("needs", "needs_1", {"q-needs_1": "4"})

    # Act
    same = screen(interview, target=other).autosave("needs", "needs_1", {"q-needs_1": "4"})

    # Assert
    assert same.status_code == 200
    assert same.get_json()["bases"]["q-needs_1"] == base_token(1, "4")


def test_conflicts_notes_edited_by_two_people_show_both_texts_and_who(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    screen(interview).autosave("needs", "needs_1", {"note-needs_1": "Rita's notes"}, kind="note")

    # Act
    late = screen(interview, target=other).autosave(
        "needs", "needs_1", {"note-needs_1": "Cas's notes"}, kind="note"
    )

    # Assert
    assert late.status_code == 409
    [conflict] = late.get_json()["conflicts"]
    assert (
        conflict["field"],
        conflict["yours"]["text"],
        conflict["theirs"]["text"],
        conflict["theirs"]["by"],
    ) == (
        "note-needs_1",
        "Cas's notes",
        "Rita's notes",
        "Rita Researcher",
    )
    assert db.session.scalars(select(InterviewNote.text)).one() == "Rita's notes"


def test_conflicts_two_tabs_on_different_topics_never_conflict(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange: one researcher, two tabs, each opened on its topic before either saves
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    first, second = screen(interview), screen(interview)
    first.topic("needs")
    second.topic("risk")

    # Act
    one = first.save_topic("needs", {"q-needs_1": "4", "note-needs_1": "first tab"})
    two = second.save_topic("risk", {"q-risk_1": "2", "note-risk_1": "second tab"})
    three = first.autosave("needs", "needs_2", {"q-needs_2": "5"})

    # Assert
    assert (one.status_code, two.status_code, three.status_code) == (303, 303, 200)
    assert answers_of(db, interview) == {"needs_1": "4", "needs_2": "5", "risk_1": "2"}


def test_conflicts_topic_form_shows_both_versions_and_overwrites_nothing(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange: both load the topic; the colleague saves first
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    mine, theirs = screen(interview), screen(interview, target=other)
    mine.topic("needs")
    theirs.topic("needs")
    theirs.save_topic("needs", {"q-needs_1": "4", "q-needs_2": "5"})

    # Act: without JavaScript; needs_1 changed by both, needs_2 untouched here, needs_3 only here
    page = mine.save_topic("needs", {"q-needs_1": "2", "q-needs_3": "3"}, action="next")

    # Assert
    html = text_of(page)
    assert page.status_code == 409
    assert "Someone else changed this topic while you were editing" in html
    assert "4 of 5 (Agree)" in html and "2 of 5 (Disagree)" in html
    assert answers_of(db, interview) == {"needs_1": "4", "needs_2": "5", "needs_3": "3"}
    assert re.search(r'<input checked[^>]*id="q-needs_1-1"', html)  # mine, ready to save on purpose
    assert re.search(r'<input checked[^>]*id="q-needs_2-4"', html)  # theirs, untouched by me
    assert dict(re.findall(r'name="base-([^"]+)" value="([^"]+)"', html))["q-needs_1"] == base_token(1, "4")

    # Act: saving the page again replaces the other version, deliberately
    mine.pages["needs"] = html
    again = mine.save_topic("needs", {"q-needs_1": "2", "q-needs_2": "5", "q-needs_3": "3"})

    # Assert
    assert again.status_code == 303
    assert answers_of(db, interview) == {"needs_1": "2", "needs_2": "5", "needs_3": "3"}


def test_conflicts_presence_shows_who_else_has_it_open(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    screen(interview).topic("needs")

    # Act
    page = text_of(screen(interview, target=other).topic("risk"))
    saved = screen(interview).autosave("needs", "needs_1", {"q-needs_1": "3"})

    # Assert
    assert re.search(r"Also open by Rita Researcher, \d+ seconds? ago\.", page)
    assert len(saved.get_json()["others"]) == 1
    assert saved.get_json()["others"][0].startswith("Also open by Cas Colleague, ")


def test_conflicts_a_field_shown_out_of_date_keeps_its_old_base(
    db, client, make_app, make_user, login, fieldwork, researcher, started, screen
):
    # Arrange: the colleague answers while this page still shows no answer
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    _colleague, other = _two_researchers(make_app, make_user, login, researcher)
    mine = screen(interview)
    mine.topic("needs")
    screen(interview, target=other).autosave("needs", "needs_1", {"q-needs_1": "2"})

    # Act: this page sends the question unchanged (as it shows it), then changes it on its old base
    unchanged = mine.autosave("needs", "needs_1", {"base-q-needs_1": mine.bases("needs")["q-needs_1"]})
    changed = mine.autosave(
        "needs", "needs_1", {"q-needs_1": "5", "base-q-needs_1": mine.bases("needs")["q-needs_1"]}
    )

    # Assert
    assert unchanged.status_code == 200
    assert unchanged.get_json()["bases"] == {}
    assert changed.status_code == 409
    assert answers_of(db, interview) == {"needs_1": "2"}
