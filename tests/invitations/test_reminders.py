"""Reminders: on the study's schedule in its time zone, at most the maximum, each with a fresh working
link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.reminders import plan_reminders, send_due_reminders, send_reminders
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.studies.phases import change_phase
from tests.invitations.conftest import contact, links_in

# Sent at 23:30 Amsterdam time on 1 June (21:30 UTC): "4 days after the first send" is 5 June, local.
FIRST_SEND = datetime(2030, 6, 1, 21, 30, tzinfo=UTC)


def invited_clients(db, study, mail) -> None:
    send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()
    deliver_outbox(now=FIRST_SEND)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()
    send_invitations(session=db.session, study=study, mail=mail, now=FIRST_SEND)
    db.session.commit()
    deliver_outbox(now=FIRST_SEND)


def remind_at(db, mail, when: datetime):
    report = send_due_reminders(session=db.session, mail=mail, now=when)
    db.session.commit()
    deliver_outbox(now=when)
    return report


def test_reminders_follow_the_schedule_in_the_study_time_zone(db, fit_study, mail, smtp_server):
    study = fit_study(reminder_days=[4, 9], max_reminders=2)
    invited_clients(db, study, mail)

    day_3 = remind_at(db, mail, datetime(2030, 6, 4, 21, 59, tzinfo=UTC))  # 4 June 23:59 local
    day_4 = remind_at(db, mail, datetime(2030, 6, 4, 22, 1, tzinfo=UTC))  # 5 June 00:01 local
    day_4_again = remind_at(db, mail, datetime(2030, 6, 5, 10, 0, tzinfo=UTC))
    day_9 = remind_at(db, mail, datetime(2030, 6, 10, 8, 0, tzinfo=UTC))
    day_20 = remind_at(db, mail, datetime(2030, 6, 21, 8, 0, tzinfo=UTC))

    assert (
        day_3.invitations,
        day_4.invitations,
        day_4_again.invitations,
        day_9.invitations,
        day_20.invitations,
    ) == (
        0,
        6,
        0,
        6,
        0,
    )
    assert (day_4.emails, day_9.emails) == (5, 5)
    assert set(
        db.session.scalars(select(Invitation.reminders_sent).where(Invitation.account_id.is_not(None)))
    ) == {2}


def test_reminder_email_has_a_fresh_link_and_the_old_one_still_works(
    db, fit_study, mail, smtp_server, client
):
    study = fit_study()
    invited_clients(db, study, mail)
    first = links_in(
        next(
            m
            for m in smtp_server.handler.messages()
            if m["To"].addresses[0].addr_spec == "ben@globex.example"
        )
        .get_body(preferencelist=("plain",))
        .get_content()
    )[0]

    remind_at(db, mail, FIRST_SEND + timedelta(days=5))

    reminder = [
        m for m in smtp_server.handler.messages() if m["To"].addresses[0].addr_spec == "ben@globex.example"
    ][-1]
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    second = links_in(text)[0]
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == contact(db, "ben@globex.example").id)
    )
    assert str(reminder["Subject"]) == f"Reminder: Your view on working with {study.supplier.name}"
    assert "A short reminder: we would still very much like to hear from you." in text
    assert second != first
    assert client.get(f"/s/{first}").headers["Location"] == f"/survey/{invitation.id}"
    assert client.get(f"/s/{second}").headers["Location"] == f"/survey/{invitation.id}"


def test_completed_and_opted_out_invitations_are_not_reminded(db, fit_study, mail, smtp_server):
    study = fit_study()
    invited_clients(db, study, mail)
    anna = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == contact(db, "anna@acme.example").id)
    )
    anna.status = InvitationStatus.COMPLETED
    contact(db, "ben@globex.example").opted_out_at = FIRST_SEND
    db.session.commit()

    plan = plan_reminders(session=db.session, study=study, now=FIRST_SEND + timedelta(days=5))

    assert sorted(g.contact.email for g in plan.groups) == [
        "lea@supplier.example",
        "lea@supplier.example",
        "sam@supplier.example",
    ]
    assert [(s.contact.email, str(s.reason)) for s in plan.skipped] == [
        ("ben@globex.example", "opted out of emails from this supplier")
    ]


def test_staff_reminder_is_one_email_listing_the_open_accounts(db, fit_study, mail, smtp_server):
    study = fit_study()
    invited_clients(db, study, mail)

    remind_at(db, mail, FIRST_SEND + timedelta(days=5))

    sam = [
        m for m in smtp_server.handler.messages() if m["To"].addresses[0].addr_spec == "sam@supplier.example"
    ]
    assert len(sam) == 2
    assert len(links_in(sam[1].get_body(preferencelist=("plain",)).get_content())) == 2
    assert str(sam[1]["Subject"]) == "Reminder: How well do our clients fit us? Your view per account"


def test_remind_now_respects_the_maximum_and_a_day_between_emails(db, fit_study, mail, smtp_server):
    study = fit_study(max_reminders=1)
    invited_clients(db, study, mail)

    too_soon = send_reminders(
        session=db.session, study=study, mail=mail, manual=True, now=FIRST_SEND + timedelta(hours=2)
    )
    first = send_reminders(
        session=db.session, study=study, mail=mail, manual=True, now=FIRST_SEND + timedelta(days=1)
    )
    db.session.commit()
    second = send_reminders(
        session=db.session, study=study, mail=mail, manual=True, now=FIRST_SEND + timedelta(days=3)
    )

    assert (too_soon.invitations, first.invitations, second.invitations) == (0, 6, 0)
    assert (
        db.session.scalar(
            select(InvitationToken.number).where(InvitationToken.purpose == "reminder").limit(1)
        )
        == 1
    )


def test_no_reminders_after_the_deadline_or_in_analyse(db, fit_study, mail, smtp_server):
    study = fit_study()
    invited_clients(db, study, mail)
    study.deadline = (FIRST_SEND + timedelta(days=2)).date()
    db.session.commit()

    after_deadline = plan_reminders(session=db.session, study=study, now=FIRST_SEND + timedelta(days=5))
    study.deadline = None
    study.phase = Phase.ANALYSE
    in_analyse = plan_reminders(session=db.session, study=study, now=FIRST_SEND + timedelta(days=5))

    assert (after_deadline.invitations, in_analyse.invitations) == (0, 0)
