"""The interview screen without JavaScript: moving between topics (each move saves), the side list of topics,
the questionnaire in the interview's language, the supplier's own guide for staff, erasure of free text."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.enums import Perspective
from surveyapp.interviews.models import Interview, InterviewNote, InterviewQuote
from surveyapp.interviews.services import erase_contact_texts
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.responses.models import Response
from tests.interviews.conftest import answers_of, text_of


def test_topics_buttons_save_and_move(db, client, login, fieldwork, researcher, started, screen):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    for section in ("needs", "risk", "quotes"):
        tab.topic(section)

    # Act
    previous = tab.save_topic("needs", {"q-needs_1": "3"}, action="previous")
    jump = tab.save_topic("needs", {}, action="goto:risk")
    hidden_or_unknown = tab.save_topic("needs", {}, action="goto:nowhere")
    last = tab.save_topic("quotes", {}, action="next")
    finish = tab.save_topic("risk", {"q-risk_1": "5"}, action="finish")

    # Assert
    base = f"/interviews/{interview.id}"
    assert [r.headers["Location"] for r in (previous, jump, hidden_or_unknown, last, finish)] == [
        f"{base}/topics/what_works",
        f"{base}/topics/risk",
        f"{base}/topics/needs",
        f"{base}/complete",
        f"{base}/complete",
    ]
    assert answers_of(db, interview) == {"needs_1": "3", "risk_1": "5"}
    db.session.expire_all()
    assert db.session.get(Response, interview.response_id).current_section == "needs"


def test_topics_side_list_shows_done_and_left(db, client, login, fieldwork, researcher, started, screen):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    tab.autosave("needs", "needs_1", {"q-needs_1": "4"})
    for key, value in (("wow_1", "3"), ("wow_ease", "3"), ("wow_freq", "often"), ("wow_3", "3")):
        assert tab.autosave("ways_of_working", key, {f"q-{key}": value}).status_code == 200

    # Act
    page = text_of(tab.topic("risk"))

    # Assert
    states = dict(re.findall(r'data-topic="(\w+)">.*?data-state-label>([^<]+)<', page, re.S))
    assert states == {
        "opening": "to do",
        "what_works": "to do",
        "needs": "partly done",
        "ways_of_working": "done",
        "scope": "to do",
        "quality": "to do",
        "collaboration": "to do",
        "risk": "to do",
        "value": "to do",
        "future": "to do",
        "change": "to do",
        "quotes": "to do",
    }
    assert 'class="iv-topic iv-topic-todo iv-topic-current" data-topic="risk"' in page


def test_topics_questions_in_the_interview_language(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher, language="nl")

    # Act
    page = text_of(screen(interview).topic("needs"))

    # Assert
    assert (
        f"‘Wat {work.study.supplier.name} aanbiedt, sluit goed aan op wat onze organisatie nodig heeft.’"
        in page
    )
    assert "Read out the scale:" in page  # the screen itself speaks the researcher's language
    assert "5 = Helemaal mee eens" in page


def test_topics_a_staff_member_gets_the_supplier_guide(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    interview = started(work, researcher, contact=work.sam, account_id=work.acme_id)
    page = screen(interview).topic("opening")

    # Assert
    response = db.session.get(Response, interview.response_id)
    slug = db.session.get(QuestionnaireVersion, response.questionnaire_version_id).slug
    assert (interview.perspective, response.perspective, slug) == (
        Perspective.SUPPLIER,
        Perspective.SUPPLIER,
        "interview-guide-supplier",
    )
    assert "How are you involved with Acme BV?" in text_of(page)


def test_topics_before_the_start_lead_to_the_interview_page(db, client, login, fieldwork, researcher, plan):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = plan(work, researcher)

    # Act
    response = client.get(f"/interviews/{interview.id}/topics/needs")

    # Assert
    assert response.status_code == 303
    assert response.headers["Location"] == f"/interviews/{interview.id}"


def test_topics_erasure_blanks_notes_quotes_and_location(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    tab = screen(interview)
    tab.autosave("needs", "needs_1", {"q-needs_1": "4"})
    tab.autosave("needs", "needs_1", {"note-needs_1": "Anna said she hates Mondays."}, kind="note")
    tab.topic("needs")
    tab.save_topic("needs", {"quote-needs_1": "she hates Mondays"}, action="quote:needs_1")

    # Act
    touched = erase_contact_texts(session=db.session, contact_id=work.anna.id)
    db.session.commit()

    # Assert
    assert touched == 1
    assert db.session.scalars(select(InterviewNote.text)).all() == [""]
    assert db.session.scalars(select(InterviewQuote)).all() == []
    assert db.session.scalars(select(Interview.location)).all() == [""]
    assert answers_of(db, interview) == {"needs_1": "4"}
