"""`surveyapp invitations send` and `surveyapp reminders send`: queue, deliver before returning, report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from surveyapp.cli import cli
from surveyapp.db import utcnow
from surveyapp.enums import Phase
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from tests.invitations.conftest import contact


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_invitations_send_queues_and_delivers_before_returning(run, db, fit_study, smtp_server):
    study = fit_study()

    result = run("invitations", "send", "--study", study.slug)

    assert result.exit_code == 0
    assert result.output == (
        "invitations: 4 queued in 3 emails (brief 1, staff 3)\n"
        "outbox: 3 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )
    assert len(smtp_server.received) == 3
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_invitations_send_twice_reports_what_was_already_queued(run, db, fit_study, smtp_server):
    study = fit_study()
    run("invitations", "send", "--study", study.slug)

    result = run("invitations", "send", "--study", study.slug)

    assert result.output == (
        "invitations: 0 queued in 0 emails\n"
        "already queued before: 4\n"
        "outbox: 0 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )
    assert len(smtp_server.received) == 3


def test_invitations_send_reports_skipped_contacts(run, db, fit_study, smtp_server):
    study = fit_study()
    run("invitations", "send", "--study", study.slug)
    study.phase = Phase.INTERVIEW
    contact(db, "ben@globex.example").opted_out_at = utcnow()
    db.session.commit()

    result = run("invitations", "send", "--study", study.slug)

    assert result.output == (
        "invitations: 1 queued in 1 emails (client 1)\n"
        "already queued before: 4\n"
        "skipped ben@globex.example: opted out of emails from this supplier\n"
        "outbox: 1 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )


def test_invitations_send_with_the_server_down_keeps_everything_queued(
    run, make_app, db, fit_study, free_port
):
    slug = fit_study().slug
    db.session.commit()  # end the test's own read transaction: SQLite lets one writer in at a time
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port)
    with app.app_context():
        result = app.test_cli_runner().invoke(cli, ["invitations", "send", "--study", slug])

    assert result.exit_code == 0
    assert result.output.splitlines()[1] == "outbox: 0 sent, 3 to retry, 0 failed, 0 cancelled"
    assert result.output.splitlines()[2].startswith(
        f"  error: cannot reach SMTP server 127.0.0.1:{free_port}: "
    )
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.PENDING}


def test_invitations_send_errors_are_one_line(run, db, fit_study):
    study = fit_study(deadline=date(2020, 1, 31))

    unknown = run("invitations", "send", "--study", "nope")
    late = run("invitations", "send", "--study", study.slug)

    assert (unknown.exit_code, unknown.output) == (1, "Error: unknown study 'nope'\n")
    assert (late.exit_code, late.output) == (
        1,
        "Error: The deadline of this study (January 31, 2020) has passed: "
        "extend it in the study settings first.\n",
    )


def test_reminders_send_reminds_what_is_due(run, db, fit_study, smtp_server):
    study = fit_study(reminder_days=[1])
    run("invitations", "send", "--study", study.slug)
    for invitation in db.session.scalars(select(Invitation)):
        invitation.first_sent_at = utcnow() - timedelta(days=2)
    for token in db.session.scalars(select(InvitationToken)):
        token.created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    result = run("reminders", "send")
    again = run("reminders", "send")

    assert result.output == (
        "reminders: 4 queued in 3 emails (brief 1, staff 3)\n"
        "outbox: 3 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )
    assert (
        again.output == "reminders: 0 queued in 0 emails\noutbox: 0 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )
    assert len(smtp_server.received) == 6
