"""The whole interview through the Flask client: plan from the study page, start with consent, walk the
topics with scores, notes and a quote, leave and resume elsewhere, complete; the response counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.enums import Perspective, ResponseMode
from surveyapp.interviews.models import (
    Interview,
    InterviewNote,
    InterviewQuote,
    InterviewStatus,
    QuoteConsent,
)
from surveyapp.responses.models import COMPLETED, Response, ResponseSubmission
from tests.interviews.conftest import NEXT_WEEK, answers_of, text_of

# One topic after another, as a researcher fills them in (value_2 shows: the role decides).
TOPICS = [
    (
        "opening",
        {"q-role": "decision_maker", "q-intro_story": "They run our buildings.", "note-role": "Head of FM."},
    ),
    (
        "what_works",
        {"q-open_works": "Quick response.", "note-open_works": 'She said: "They never let us down."'},
    ),
    ("needs", {"q-needs_1": "4", "q-needs_2": "5", "q-needs_3": "2"}),
    ("ways_of_working", {"q-wow_1": "4", "q-wow_ease": "4", "q-wow_freq": "rarely", "q-wow_3": "3"}),
    ("scope", {"q-scope_1": "5", "q-scope_2": "1", "q-scope_3": "NA"}),
    ("quality", {"q-quality_1": "4", "q-quality_freq": "sometimes", "q-quality_3": "4"}),
    ("collaboration", {"q-friction_1": "4", "q-friction_2": "2", "q-friction_3": "4"}),
    ("risk", {"q-risk_1": "4", "q-risk_2": "2", "q-risk_3": "3"}),
    ("value", {"q-value_1": "4", "q-value_2": "3", "q-value_3": "4", "q-value_4": "4"}),
    (
        "future",
        {
            "q-rel_1": "5",
            "q-rel_trust": "4",
            "q-rel_commit": "5",
            "q-rel_2": "5",
            "q-rel_3": "1",
            "q-rel_nps": "9",
            "q-open_leave": "Price.",
        },
    ),
    ("change", {"q-open_change": "Report monthly.", "q-open_other": "No."}),
]


def _plan_form(work, researcher):
    return {
        "who": f"{work.anna.id}:{work.acme_id}",
        "researcher": str(researcher.id),
        "day": NEXT_WEEK.date().isoformat(),
        "at": "14:30",
        "minutes": "45",
        "channel": "video",
        "location": "https://meet.example/abc",
        "language": "en",
        "send_email": "y",
    }


def test_flow_interview_from_plan_to_completion(db, client, make_app, login, fieldwork, researcher, screen):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act: plan, start with consent, answer topic by topic
    planned = client.post_form(f"/studies/{work.study.slug}/interviews", _plan_form(work, researcher))
    interview = db.session.scalars(select(Interview)).one()
    started = client.post_form(
        f"/interviews/{interview.id}/start", {"participate": "y", "quote": "named", "recording": "no"}
    )
    tab = screen(interview)
    locations = []
    for section, data in TOPICS[:5]:
        tab.topic(section)
        locations.append(tab.save_topic(section, data, action="next").headers["Location"])

    # Assert
    assert planned.status_code == 303, text_of(planned)
    assert started.status_code == 303
    assert locations == [
        f"/interviews/{interview.id}/topics/{key}"
        for key in ("what_works", "needs", "ways_of_working", "scope", "quality")
    ]
    assert answers_of(db, interview)["scope_3"] == "NA"

    # Act: mark a passage of the notes as a quote (named: the consent allows it)
    tab.topic("what_works")
    quoted = tab.save_topic(
        "what_works",
        {"quote-open_works": "They never let us down.", "attribution-open_works": "named"},
        action="quote:open_works",
    )

    # Assert
    assert quoted.status_code == 303
    quote = db.session.scalars(select(InterviewQuote)).one()
    assert (quote.question_key, quote.text, quote.attribution) == (
        "open_works",
        "They never let us down.",
        QuoteConsent.NAMED,
    )

    # Act: "close the browser halfway": another browser logs in and continues where it stopped
    other = make_app().test_client()
    login(researcher, target=other)
    resumed = other.get(f"/interviews/{interview.id}/continue")

    # Assert
    assert resumed.status_code == 303
    assert resumed.headers["Location"].endswith(f"/interviews/{interview.id}/topics/what_works")

    # Act: the rest of the topics in the other browser, then complete
    second = screen(interview, target=other)
    for section, data in TOPICS[5:]:
        second.topic(section)
        assert second.save_topic(section, data, action="next").status_code == 303
    second.topic("quotes")
    assert second.save_topic("quotes", {"q-quote_consent": "anonymous"}, action="finish").status_code == 303
    review = other.get(f"/interviews/{interview.id}/complete")
    completed = other.post_form(f"/interviews/{interview.id}/complete")

    # Assert
    assert review.status_code == 200
    assert "These required questions have no answer yet" not in text_of(review)
    assert completed.status_code == 303
    db.session.expire_all()
    interview = db.session.get(Interview, interview.id)
    response = db.session.get(Response, interview.response_id)
    assert (interview.status, response.status, response.mode, response.perspective, response.superseded) == (
        InterviewStatus.COMPLETED,
        COMPLETED,
        ResponseMode.INTERVIEW,
        Perspective.CLIENT,
        False,
    )
    assert response.submitted_at == interview.ended_at
    assert interview.duration is not None and interview.duration < timedelta(minutes=5)
    assert interview.consent_quote == QuoteConsent.ANONYMOUS  # the guide's own consent question decides
    assert quote.effective_attribution(interview.consent_quote) == QuoteConsent.ANONYMOUS
    snapshot = db.session.scalars(select(ResponseSubmission)).one()
    assert snapshot.answers == answers_of(db, interview)
    assert (
        len(snapshot.answers) == 36
    )  # every question of the guide (wow_ease, rel_trust and rel_commit since v2)
    notes = dict(db.session.execute(select(InterviewNote.question_key, InterviewNote.text)).all())
    assert notes == {"role": "Head of FM.", "open_works": 'She said: "They never let us down."'}
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "interviews"))
    )
    assert actions == [
        "interview.planned",
        "interview.started",
        "interview.quote_marked",
        "interview.completed",
    ]


def test_flow_interview_page_shows_the_result_beside_the_account(
    db, client, login, fieldwork, researcher, started
):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = started(work, researcher)

    # Act
    page = client.get(f"/interviews/{interview.id}")

    # Assert
    assert page.status_code == 200
    assert f"/interviews/{interview.id}/continue" in text_of(page)
    assert f"/interviews/{interview.id}/guide" in text_of(page)
