"""The printable interview guide, and a paper interview entered afterwards with the date it took place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import escape

from surveyapp.db import utcnow
from surveyapp.interviews.models import Interview, InterviewChannel, InterviewStatus
from surveyapp.interviews.queries import questionnaire_of
from tests.interviews.conftest import interview_mail, text_of


def test_guide_shows_every_topic_question_probe_and_scale(db, client, login, fieldwork, researcher, plan):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = plan(work, researcher, language="nl")
    questionnaire = questionnaire_of(session=db.session, interview=interview)
    values = {"supplier": work.study.supplier.name, "account": "Acme BV"}

    # Act
    page = client.get(f"/interviews/{interview.id}/guide")

    # Assert
    html = text_of(page)
    assert page.status_code == 200
    assert '<article class="iv-guide" lang="nl">' in html
    for section in questionnaire.sections:
        assert escape(section.title.render("nl", **values)) in html
        for probe in section.probe:
            assert escape(probe.render("nl", **values)) in html
        for question in section.questions:
            assert escape(question.text.render("nl", **values)) in html
            for probe in question.probe:
                assert escape(probe.render("nl", **values)) in html
    assert "5 = Helemaal mee eens" in html
    assert "0 = Helemaal niet waarschijnlijk" in html and "10 = Zeer waarschijnlijk" in html
    assert "Only when: role in [decision_maker, buyer]" in html
    stylesheet = Path(client.application.static_folder or "", "css", "app.css").read_text(encoding="utf-8")
    assert ".iv-guide-question { break-inside: avoid; }" in stylesheet


def test_guide_paper_interview_is_entered_with_the_time_it_took_place(
    db, client, login, fieldwork, researcher, plan
):
    # Arrange
    work = fieldwork()
    login(researcher)
    held = (utcnow() - timedelta(days=2)).replace(second=0, microsecond=0)
    interview = plan(work, researcher, channel=InterviewChannel.PAPER, when=held)
    local = held.astimezone(ZoneInfo("Europe/Amsterdam"))

    # Act
    future = client.post_form(
        f"/interviews/{interview.id}/start",
        {
            "participate": "y",
            "quote": "no",
            "recording": "no",
            "took_day": (local + timedelta(days=5)).date().isoformat(),
            "took_at": local.strftime("%H:%M"),
        },
    )
    started = client.post_form(
        f"/interviews/{interview.id}/start",
        {
            "participate": "y",
            "quote": "no",
            "recording": "no",
            "took_day": local.date().isoformat(),
            "took_at": local.strftime("%H:%M"),
            "duration": "50",
        },
    )
    client.post_form(f"/interviews/{interview.id}/topics/opening", {"q-role": "user", "action": "save"})
    completed = client.post_form(f"/interviews/{interview.id}/complete")

    # Assert
    assert future.status_code == 422
    assert "A paper interview is entered after it took place: the time cannot be in the future." in text_of(
        future
    )
    assert (started.status_code, completed.status_code) == (303, 303)
    db.session.expire_all()
    interview = db.session.get(Interview, interview.id)
    assert (interview.status, interview.started_at, interview.ended_at) == (
        InterviewStatus.COMPLETED,
        held,
        held + timedelta(minutes=50),
    )
    assert interview.duration == timedelta(minutes=50)
    assert interview.response.submitted_at == held + timedelta(minutes=50)
    assert interview_mail(db) == []


def test_guide_start_without_consent_to_take_part_is_refused(db, client, login, fieldwork, researcher, plan):
    # Arrange
    work = fieldwork()
    login(researcher)
    interview = plan(work, researcher)

    # Act
    refused = client.post_form(f"/interviews/{interview.id}/start", {"quote": "named", "recording": "no"})

    # Assert
    assert refused.status_code == 422
    assert (
        "The contact must agree to take part before the interview starts; if they do not, cancel it."
        in text_of(refused)
    )
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.PLANNED
