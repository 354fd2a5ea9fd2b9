"""Completing: required items missing are listed with links; completing makes the Response count. After
completion every change needs a reason and is audited with who and when."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.db import utcnow
from surveyapp.interviews import services
from surveyapp.interviews.answers import base_token
from surveyapp.interviews.models import Interview, InterviewQuote, InterviewStatus
from surveyapp.interviews.queries import questionnaire_of
from surveyapp.responses.models import COMPLETED, Response
from tests.interviews.conftest import answers_of, text_of


def _complete(db, interview, researcher, tab):
    tab.autosave("opening", "role", {"q-role": "buyer"})
    tab.autosave("needs", "needs_1", {"q-needs_1": "4"})
    tab.autosave("needs", "needs_1", {"note-needs_1": "Great team."}, kind="note")
    fresh = db.session.get(Interview, interview.id)
    services.complete_interview(
        session=db.session,
        interview=fresh,
        questionnaire=questionnaire_of(session=db.session, interview=fresh),
        actor=researcher,
        now=utcnow(),
    )
    db.session.commit()
    return fresh


def test_completion_with_required_items_missing_lists_them_with_links(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    screen(interview).autosave("needs", "needs_1", {"q-needs_1": "4"})

    # Act
    review = client.get(f"/interviews/{interview.id}/complete")
    refused = client.post_form(f"/interviews/{interview.id}/complete")

    # Assert
    for page in (review, refused):
        html = text_of(page)
        assert "These required questions have no answer yet" in html
        assert (
            f'<a href="/interviews/{interview.id}/topics/opening#question-role">'
            "Opening: you and the relationship: What is your role in working with Supplier 1?</a>"
        ) in html
    assert (review.status_code, refused.status_code) == (200, 422)
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.IN_PROGRESS
    assert db.session.get(Response, interview.response_id).status == "in_progress"


def test_completion_completes_the_response(db, client, login, fieldwork, researcher, started, screen):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)
    screen(interview).autosave("opening", "role", {"q-role": "user"})

    # Act
    done = client.post_form(f"/interviews/{interview.id}/complete")
    again = client.post_form(f"/interviews/{interview.id}/complete")

    # Assert
    assert (done.status_code, again.status_code) == (303, 303)
    db.session.expire_all()
    response = db.session.get(Response, interview.response_id)
    assert (response.status, response.submitted_at is not None) == (COMPLETED, True)
    assert db.session.get(Interview, interview.id).status == InterviewStatus.COMPLETED


def test_completion_changes_afterwards_need_a_reason_and_are_audited(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    interview = _complete(db, db.session.scalars(select(Interview)).one(), researcher, tab)
    tab.topic("needs")

    # Act: without a reason (form and autosave), then with one
    refused = tab.save_topic("needs", {"q-needs_1": "2"})
    refused_json = tab.autosave("needs", "needs_1", {"q-needs_1": "2", "base-q-needs_1": base_token(1, "4")})
    accepted = tab.save_topic("needs", {"q-needs_1": "2", "reason": "Misheard: she said two."})
    note = tab.autosave(
        "needs",
        "needs_1",
        {"note-needs_1": "Great team, slow.", "base-note-needs_1": base_token(1, "Great team.")},
        kind="note",
        reason="Added what she said at the end.",
    )

    # Assert
    assert refused.status_code == 422
    assert (
        "This interview is completed: give a reason for the change (it is kept in the audit log)."
        in text_of(refused)
    )
    assert refused_json.status_code == 422
    assert refused_json.get_json()["errors"] == {
        "reason": "This interview is completed: give a reason for the change (it is kept in the audit log)."
    }
    assert accepted.status_code == 303
    assert note.status_code == 200
    assert answers_of(db, interview) == {"needs_1": "2", "role": "buyer"}
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "interview.changed_after_completion")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.actor_label, e.reason, e.details) for e in events] == [
        (
            researcher.id,
            "rita@agency.example",
            "Misheard: she said two.",
            {"items": ["needs_1"], "notes": [], "removed": []},
        ),
        (
            researcher.id,
            "rita@agency.example",
            "Added what she said at the end.",
            {"items": [], "notes": ["needs_1"], "removed": []},
        ),
    ]
    assert all(e.created_at is not None and e.object_id == interview.id for e in events)
    db.session.expire_all()
    response = db.session.get(Response, interview.response_id)
    assert response.status == COMPLETED


def test_completion_a_required_answer_cannot_be_removed_afterwards(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    interview = _complete(db, db.session.scalars(select(Interview)).one(), researcher, tab)
    tab.topic("opening")

    # Act: the role is required; a tampered request clears it
    response = tab.autosave(
        "opening", "role", {"q-role": "", "base-q-role": base_token(1, "buyer")}, reason="Wrong person."
    )

    # Assert
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "q-role": "A completed interview needs an answer to this question."
    }
    assert answers_of(db, interview)["role"] == "buyer"


def test_completion_quotes_afterwards_need_a_reason(
    db, client, login, fieldwork, researcher, started, screen
):
    # Arrange
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    _complete(db, db.session.scalars(select(Interview)).one(), researcher, tab)
    tab.topic("needs")

    # Act
    refused = tab.save_topic("needs", {"quote-needs_1": "Great team."}, action="quote:needs_1")
    accepted = tab.save_topic(
        "needs", {"quote-needs_1": "Great team.", "reason": "Quote for the report."}, action="quote:needs_1"
    )

    # Assert
    assert refused.status_code == 303
    assert "This interview is completed: give a reason" in text_of(client.get(refused.headers["Location"]))
    assert accepted.status_code == 303
    assert db.session.scalars(select(InterviewQuote.text)).all() == ["Great team."]
    reasons = db.session.scalars(
        select(AuditEvent.reason).where(AuditEvent.action == "interview.quote_marked")
    ).all()
    assert reasons == ["Quote for the report."]
