"""Planning from the study page: who may be interviewed (never an opted-out contact), the confirmation email
with its calendar file through the outbox, the researcher's own list, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.enums import Perspective, Phase, Role
from surveyapp.interviews.models import Interview, InterviewStatus
from surveyapp.mail.models import OutboxMessage
from tests.interviews.conftest import NEXT_WEEK, interview_mail, text_of
from tests.interviews.icsparse import attachment, events

DAY = (NEXT_WEEK + timedelta(days=1)).date()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _form(work, researcher, contact, account_id, **overrides):
    return {
        "who": f"{contact.id}:{account_id}",
        "researcher": str(researcher.id),
        "day": DAY.isoformat(),
        "at": "14:30",
        "minutes": "45",
        "channel": "on_site",
        "location": "Main St 1; room 2, floor \\3",
        "language": "contact",
        "send_email": "y",
        **overrides,
    }


def _plan(client, work, researcher, contact, account_id, **overrides):
    return client.post_form(
        f"/studies/{work.study.slug}/interviews", _form(work, researcher, contact, account_id, **overrides)
    )


def test_planning_several_contacts_of_one_account(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    first = _plan(client, work, researcher, work.anna, work.acme_id)
    second = _plan(client, work, researcher, work.carl, work.acme_id)
    staff = _plan(client, work, researcher, work.sam, work.acme_id)

    # Assert
    assert (first.status_code, second.status_code, staff.status_code) == (303, 303, 303)
    rows = db.session.execute(
        select(
            Interview.contact_id, Interview.account_id, Interview.perspective, Interview.language
        ).order_by(Interview.id)
    ).all()
    assert rows == [
        (work.anna.id, work.acme_id, Perspective.CLIENT, "nl"),
        (work.carl.id, work.acme_id, Perspective.CLIENT, "en"),
        (work.sam.id, work.acme_id, Perspective.SUPPLIER, "nl"),
    ]
    scheduled = db.session.scalars(select(Interview.scheduled_at)).first()
    assert scheduled.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime.combine(DAY, time(14, 30))
    assert scheduled.tzinfo == UTC


def test_planning_an_opted_out_contact_is_refused_with_a_clear_message(
    db, client, login, fieldwork, researcher
):
    # Arrange
    work = fieldwork()
    work.anna.opted_out_at = utcnow()
    db.session.commit()
    login(researcher)

    # Act
    page = client.get(f"/studies/{work.study.slug}/interviews")
    refused = _plan(client, work, researcher, work.anna, work.acme_id)

    # Assert
    assert f'<option disabled value="{work.anna.id}:{work.acme_id}">Anna (opted out)</option>' in text_of(
        page
    )
    assert refused.status_code == 422
    assert (
        f"Anna has opted out of contact from {work.study.supplier.name}: "
        "no interview can be planned with them."
    ) in text_of(refused)
    assert db.session.scalars(select(Interview)).all() == []


def test_planning_refuses_contacts_outside_the_scope(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act: a client on another account than named; staff about an account they do not rate; an open duplicate
    wrong_account = _plan(client, work, researcher, work.anna, work.globex_id)
    unassigned = _plan(client, work, researcher, work.sam, work.globex_id)
    _plan(client, work, researcher, work.ben, work.globex_id)
    duplicate = _plan(client, work, researcher, work.ben, work.globex_id)

    # Assert
    assert "That contact&#39;s account is not in this study&#39;s scope." in text_of(wrong_account)
    assert "Sam Staff is not assigned to rate that account in this study." in text_of(unassigned)
    assert "Ben already has an open interview about this account: finish or cancel it first." in text_of(
        duplicate
    )
    assert (wrong_account.status_code, unassigned.status_code, duplicate.status_code) == (422, 422, 422)
    assert len(db.session.scalars(select(Interview)).all()) == 1


def test_planning_a_time_skipped_by_summer_time_is_refused(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    refused = _plan(client, work, researcher, work.anna, work.acme_id, day="2027-03-28", at="02:30")

    # Assert
    assert refused.status_code == 422
    assert "That time does not exist in Europe/Amsterdam (the clocks go forward)." in text_of(refused)


def test_planning_is_closed_in_the_analyse_phase(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    work.study.phase = Phase.ANALYSE
    db.session.commit()
    login(researcher)

    # Act
    refused = _plan(client, work, researcher, work.anna, work.acme_id)

    # Assert
    assert refused.status_code == 422
    assert (
        "Interviews are held in the prepare and interview phases; this study is in the analyse phase."
        in text_of(refused)
    )


def test_planning_queues_a_confirmation_with_a_calendar_file(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    _plan(client, work, researcher, work.carl, work.acme_id, language="en")

    # Assert
    interview = db.session.scalars(select(Interview)).one()
    message = db.session.get(OutboxMessage, interview.confirmation_message_id)
    assert (message.recipient, message.reply_to, message.language) == (
        "carl@acme.example",
        "rita@agency.example",
        "en",
    )
    when = interview.scheduled_at.astimezone(AMSTERDAM)
    assert (
        message.subject
        == f"Confirmed: Interview about working with {work.study.supplier.name}, {when:%-d %B %Y}, 14:30"
    )
    assert "When: " in message.text_body and "14:30–15:15 (Europe/Amsterdam)" in message.text_body
    assert message.attachments == [
        {"filename": "interview.ics", "content_type": "text/calendar", "size": message.attachments[0]["size"]}
    ]
    content_type, data = attachment(message.raw)
    calendar, [event] = events(data)
    assert content_type == "text/calendar"
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == interview.ics_uid
    assert event["DTSTART"] == interview.scheduled_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"] == (interview.scheduled_at + timedelta(minutes=45)).astimezone(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert len(event["DTSTAMP"]) == 16 and event["DTSTAMP"].endswith("Z")
    assert event["SUMMARY"] == f"Interview about working with {work.study.supplier.name}"
    assert event["LOCATION"] == "Main St 1; room 2, floor \\3"
    assert event["DESCRIPTION"] == "Rita Researcher · in person"


def test_planning_in_the_past_sends_no_email(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    planned = _plan(client, work, researcher, work.carl, work.acme_id, day="2020-01-06")
    page = client.get(planned.headers["Location"])

    # Assert
    assert planned.status_code == 303
    assert "No confirmation email was sent: the appointment is in the past." in text_of(page)
    assert interview_mail(db) == []


def test_planning_cancel_needs_a_reason_and_cancels_the_calendar_event(
    db, client, login, fieldwork, researcher
):
    # Arrange
    work = fieldwork()
    login(researcher)
    _plan(client, work, researcher, work.carl, work.acme_id, language="en")
    interview = db.session.scalars(select(Interview)).one()

    # Act
    refused = client.post_form(f"/interviews/{interview.id}/cancel", {"reason": "  "})
    cancelled = client.post_form(
        f"/interviews/{interview.id}/cancel", {"reason": "Carl is ill.", "notify": "y"}
    )

    # Assert
    assert (refused.status_code, cancelled.status_code) == (303, 303)
    db.session.expire_all()
    interview = db.session.get(Interview, interview.id)
    assert (interview.status, interview.cancel_reason) == (InterviewStatus.CANCELLED, "Carl is ill.")
    messages = interview_mail(db)
    assert [m.subject.split(":")[0] for m in messages] == ["Confirmed", "Cancelled"]
    _calendar, [event] = events(attachment(messages[1].raw)[1])
    assert (event["UID"], event["SEQUENCE"], event["STATUS"]) == (interview.ics_uid, "1", "CANCELLED")


def test_planning_my_interviews_lists_my_upcoming_ones_first(
    db, client, login, make_user, fieldwork, researcher, plan
):
    # Arrange
    work = fieldwork()
    colleague = make_user(Role.RESEARCHER, email="cas@agency.example", name="Cas Colleague")
    later = plan(work, researcher, contact=work.anna, when=NEXT_WEEK + timedelta(days=2))
    sooner = plan(work, researcher, contact=work.ben, when=NEXT_WEEK)
    plan(work, colleague, contact=work.carl)
    login(researcher)

    # Act
    page = text_of(client.get("/interviews"))

    # Assert
    assert page.index(f'href="/interviews/{sooner.id}"') < page.index(f'href="/interviews/{later.id}"')
    assert "Carl Client" not in page
    assert 'href="/interviews">My interviews</a>' in page


def test_planning_confirmation_sent_again_updates_the_same_event(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)
    _plan(client, work, researcher, work.carl, work.acme_id, language="en")
    interview = db.session.scalars(select(Interview)).one()

    # Act
    again = client.post_form(f"/interviews/{interview.id}/confirmation")

    # Assert
    assert again.status_code == 303
    db.session.expire_all()
    messages = interview_mail(db)
    assert len(messages) == 2
    _calendar, [event] = events(attachment(messages[1].raw)[1])
    assert (event["UID"], event["SEQUENCE"], event["STATUS"]) == (interview.ics_uid, "1", "CONFIRMED")
    assert db.session.get(Interview, interview.id).confirmation_message_id == messages[1].id


def test_planning_a_paper_interview_gets_no_email(db, client, login, fieldwork, researcher):
    # Arrange
    work = fieldwork()
    login(researcher)

    # Act
    paper = _plan(client, work, researcher, work.carl, work.acme_id, channel="paper")

    # Assert
    assert paper.status_code == 303
    assert interview_mail(db) == []
    interview = db.session.scalars(select(Interview)).one()
    page = text_of(client.get(f"/interviews/{interview.id}"))
    assert "Enter the paper interview" in page
    assert "Confirmation email" not in page and "Send a confirmation email" not in page


def test_planning_a_contact_who_opts_out_after_planning_cannot_be_interviewed(
    db, client, login, fieldwork, researcher, plan
):
    # Arrange
    work = fieldwork()
    interview = plan(work, researcher, contact=work.anna)
    work.anna.opted_out_at = utcnow()
    db.session.commit()
    login(researcher)

    # Act
    refused = client.post_form(f"/interviews/{interview.id}/start", {"participate": "y", "quote": "no"})

    # Assert
    assert refused.status_code == 422
    assert "Anna has opted out: the interview cannot be held." in text_of(refused)
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.PLANNED
