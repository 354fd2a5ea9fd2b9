"""The jobs: `tick` is idempotent, and work handed off by a web request runs as SURVEYAPP_JOBS_MODE says."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import select

from surveyapp.cli import cli
from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox, tick
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.settings import mail_settings
from tests.invitations.conftest import fit_study  # noqa: F401
from tests.mail.smtpserver import free_port, smtp_server  # noqa: F401
from tests.studies.conftest import make_study  # noqa: F401


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Any:  # noqa: F811
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application


def queue_study(db: Any, fit_study: Any, **kwargs: Any) -> Any:  # noqa: F811
    study = fit_study(**kwargs)
    send_invitations(session=db.session, study=study, mail=mail_settings(current_app.config))
    db.session.commit()
    return study


def test_tick_twice_sends_everything_once(db, fit_study, smtp_server):  # noqa: F811
    queue_study(db, fit_study)

    first = tick()
    second = tick()

    assert first.lines() == [
        "expired: 0 invitations",
        "reminders: 0 queued in 0 emails",
        "outbox: 3 sent, 0 to retry, 0 failed, 0 cancelled",
    ]
    assert second.lines() == [
        "expired: 0 invitations",
        "reminders: 0 queued in 0 emails",
        "outbox: 0 sent, 0 to retry, 0 failed, 0 cancelled",
    ]
    assert len(smtp_server.received) == 3


def test_tick_command_prints_one_line_per_job(app, db, fit_study, smtp_server):  # noqa: F811
    queue_study(db, fit_study)

    result = app.test_cli_runner().invoke(cli, ["tick"], catch_exceptions=False)

    assert result.exit_code == 0
    assert result.output == (
        "expired: 0 invitations\n"
        "reminders: 0 queued in 0 emails\n"
        "outbox: 3 sent, 0 to retry, 0 failed, 0 cancelled\n"
    )


def test_tick_expires_invitations_past_the_deadline_and_cancels_their_mail(db, fit_study, smtp_server):  # noqa: F811
    queue_study(db, fit_study, deadline=date(2030, 1, 31))

    report = tick(now=utcnow().replace(year=2030, month=2, day=2))

    assert report.expired == 4
    assert report.delivery.sent == 0
    assert set(db.session.scalars(select(Invitation.status))) == {InvitationStatus.EXPIRED}
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.CANCELLED}
    assert smtp_server.received == []


def test_enqueue_in_cron_mode_leaves_the_work_to_tick(app, db, fit_study, smtp_server):  # noqa: F811
    queue_study(db, fit_study)

    started = enqueue(deliver_outbox)

    assert app.config["JOBS_MODE"] == "cron"
    assert started is None
    assert smtp_server.received == []


def test_enqueue_in_thread_mode_delivers_in_the_background(make_app, db, fit_study, smtp_server):  # noqa: F811
    threaded: Flask = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, JOBS_MODE="thread"
    )
    queue_study(db, fit_study)

    with threaded.app_context():
        started = enqueue(deliver_outbox)
    assert isinstance(started, threading.Thread)
    started.join(timeout=30)

    assert len(smtp_server.received) == 3


def test_enqueue_inline_runs_before_returning(make_app, db, fit_study, smtp_server):  # noqa: F811
    inline: Flask = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, JOBS_MODE="inline"
    )
    queue_study(db, fit_study)

    with inline.app_context():
        assert enqueue(deliver_outbox) is None

    assert len(smtp_server.received) == 3


def test_a_failing_background_job_is_logged_not_raised(make_app, caplog):
    threaded: Flask = make_app(JOBS_MODE="thread")

    def broken() -> None:
        raise RuntimeError("boom")

    with threaded.app_context():
        started = enqueue(broken)
    started.join(timeout=30)

    assert [r.getMessage() for r in caplog.records] == [
        "background job broken failed; the next tick retries it"
    ]
