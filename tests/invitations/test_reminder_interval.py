"""Issue 23: never two reminders to one person within the study's minimum interval (default 3 days), never one
within a day of an invitation to them: whatever the schedule, however often reminders run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.reminders import send_reminders
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.studies import scope
from surveyapp.studies.services import StudyError, update_study_settings
from tests.invitations.conftest import contact
from tests.invitations.test_reminders import FIRST_SEND, invited_clients, remind_at


def reminders_of(db, email: str) -> list[tuple[int, object]]:
    """(number, queued at) of every reminder token of one person, in order."""
    return [
        (number, created.replace(tzinfo=None))
        for number, created in db.session.execute(
            select(InvitationToken.number, InvitationToken.created_at)
            .join(Invitation, Invitation.id == InvitationToken.invitation_id)
            .where(Invitation.contact_id == contact(db, email).id, InvitationToken.purpose == "reminder")
            .order_by(InvitationToken.created_at, InvitationToken.id)
        )
    ]


def test_interval_a_schedule_caught_up_late_sends_one_reminder_not_all_overdue(
    db, fit_study, mail, smtp_server
):
    # Arrange: reminders on days 4 and 9, but nothing ran until day 20 (the scheduler was down)
    study = fit_study(reminder_days=[4, 9], max_reminders=2)
    invited_clients(db, study, mail)
    day_20 = FIRST_SEND + timedelta(days=19, hours=10)

    # Act: `reminders send` every few minutes, then three days later
    first = remind_at(db, mail, day_20)
    four_minutes_later = remind_at(db, mail, day_20 + timedelta(minutes=4))
    next_day = remind_at(db, mail, day_20 + timedelta(days=1))
    three_days_later = remind_at(db, mail, day_20 + timedelta(days=3))

    # Assert
    assert (first.invitations, four_minutes_later.invitations, next_day.invitations) == (6, 0, 0)
    assert three_days_later.invitations == 6
    assert [number for number, _ in reminders_of(db, "sam@supplier.example")] == [1, 1, 2, 2]


def test_interval_remind_now_waits_the_study_minimum_between_reminders(db, fit_study, mail, smtp_server):
    # Arrange: a minimum of 5 days between reminders
    study = fit_study(reminder_days=[], max_reminders=3)
    study.reminder_min_interval_days = 5
    invited_clients(db, study, mail)
    start = FIRST_SEND + timedelta(days=2)

    # Act: "Remind now" pressed every day
    pressed = []
    for day in range(7):
        pressed.append(
            send_reminders(
                session=db.session, study=study, mail=mail, manual=True, now=start + timedelta(days=day)
            ).invitations
        )
        db.session.commit()

    # Assert: on the first day and five days later, never between
    assert pressed == [6, 0, 0, 0, 0, 6, 0]


def test_interval_no_reminder_within_a_day_of_an_invitation_to_that_person(db, fit_study, mail, smtp_server):
    # Arrange: Sam is invited for a third account a week after the first send
    study = fit_study(reminder_days=[], max_reminders=2)
    invited_clients(db, study, mail)
    later = FIRST_SEND + timedelta(days=7)
    extra = scope.add_account(session=db.session, study=study, name="Initech", actor=None)
    scope.assign_staff(
        session=db.session, study=study, contact=contact(db, "sam@supplier.example"),
        account_id=extra.account_id, actor=None,
    )  # fmt: skip
    send_invitations(session=db.session, study=study, mail=mail, now=later)
    db.session.commit()
    deliver_outbox(now=later)

    # Act
    same_day = send_reminders(
        session=db.session, study=study, mail=mail, manual=True, now=later + timedelta(hours=3)
    )
    db.session.commit()
    reminded_that_day = {
        email for email in ("anna@acme.example", "sam@supplier.example") if reminders_of(db, email)
    }
    next_day = send_reminders(
        session=db.session, study=study, mail=mail, manual=True, now=later + timedelta(days=1)
    )

    # Assert: everyone else was reminded on the day; Sam only the next day, for all three accounts
    assert "sam@supplier.example" not in reminded_that_day
    assert "anna@acme.example" in reminded_that_day
    assert same_day.invitations == 4
    assert next_day.invitations == 3


def test_interval_setting_refuses_a_schedule_closer_than_the_interval(db, fit_study):
    # Arrange
    study = fit_study()

    # Act / Assert
    with pytest.raises(StudyError) as error:
        update_study_settings(
            session=db.session, study=study, name=study.name, time_zone=study.time_zone, deadline=None,
            reminder_days=[4, 6], max_reminders=2, reminder_min_interval_days=3, actor=None,
        )  # fmt: skip
    assert str(error.value) == (
        "Reminders on days 4 and 6 are closer than the 3 days that must pass between two reminders to one "
        "person: move them apart or lower that number."
    )


def test_interval_setting_is_kept_when_a_script_leaves_it_out(db, fit_study):
    # Arrange
    study = fit_study()
    study.reminder_min_interval_days = 7
    db.session.commit()

    # Act
    update_study_settings(
        session=db.session, study=study, name="Renamed", time_zone=study.time_zone, deadline=None,
        reminder_days=[7, 14], max_reminders=2, actor=None,
    )  # fmt: skip

    # Assert
    assert (study.name, study.reminder_min_interval_days, study.reminder_days) == ("Renamed", 7, [7, 14])


def test_interval_settings_page_shows_and_saves_it(db, fit_study, make_user, login, client):
    # Arrange
    study = fit_study()
    login(make_user())
    page = client.get(f"/studies/{study.slug}/settings").get_data(as_text=True)
    version = study.edit_version

    # Act
    response = client.post_form(
        f"/studies/{study.slug}/settings",
        {
            "name": study.name, "time_zone": study.time_zone, "reminder_days": "4, 9", "max_reminders": "2",
            "reminder_min_interval_days": "5", "edit_version": str(version),
        },
    )  # fmt: skip
    refused = client.post_form(
        f"/studies/{study.slug}/settings",
        {
            "name": study.name, "time_zone": study.time_zone, "reminder_days": "4, 9", "max_reminders": "2",
            "reminder_min_interval_days": "6", "edit_version": str(version + 1),
        },
    )  # fmt: skip

    # Assert
    assert "Days between two reminders to one person, at least" in page
    assert response.status_code == 302
    assert refused.status_code in (200, 422)
    assert "Reminders on days 4 and 9 are closer than the 6 days" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.max(Invitation.id))) is None
    assert study.reminder_min_interval_days == 5
