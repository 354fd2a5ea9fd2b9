"""The RQ backend: real Redis, a real `surveyapp worker --burst` process, a real SMTP server on loopback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import current_app
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import func, select

from surveyapp.config import ConfigError
from surveyapp.enums import Language, Role
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.queue import WAITING_PREFIX, Enqueued, failed_jobs, submit, target_of
from surveyapp.jobs.render import submit_render
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import TickEnqueued, deliver_outbox, send_study_invitations, tick
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import request_report
from surveyapp.studies.models import Account
from tests.invitations.conftest import fit_study  # noqa: F401
from tests.reporting.studies import answered_study_factory
from tests.studies.conftest import make_study  # noqa: F401

STEPS = "expire_invitations, queue_reminders, queue_action_reminders, apply_retention_periods, deliver_outbox"


@pytest.fixture
def app(rq_app: Any) -> Any:
    return rq_app


def queue_study(db: Any, fit_study: Any) -> Any:  # noqa: F811
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail_settings(current_app.config))
    db.session.commit()
    return study


def redeliver(redis: Any, job_id: str) -> None:
    """Put a finished job on its queue again, as RQ does when a worker died after the work but before it
    recorded the result (the abandoned job goes back for a retry)."""
    job = Job.fetch(job_id, connection=redis)
    Queue(job.origin, connection=redis).enqueue_job(job)


@pytest.mark.jobs
def test_deliver_outbox_job_run_twice_sends_each_email_once(db, fit_study, smtp_server, redis, run_worker):  # noqa: F811
    # Arrange
    queue_study(db, fit_study)
    enqueued = enqueue(deliver_outbox)
    run_worker(current_app)

    # Act
    redeliver(redis, enqueued.job_id)
    run_worker(current_app)

    # Assert
    job = Job.fetch(enqueued.job_id, connection=redis)
    assert isinstance(enqueued, Enqueued) and enqueued.new
    assert job.get_status() == JobStatus.FINISHED
    assert len(job.results()) == 2
    assert len(smtp_server.received) == 3
    assert sorted(address for mail in smtp_server.received for address in mail.rcpt_tos) == sorted(
        db.session.scalars(select(OutboxMessage.recipient))
    )
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


@pytest.mark.jobs
def test_enqueue_while_a_job_waits_adds_no_second_job(db, redis):
    # Act
    first = enqueue(deliver_outbox)
    second = enqueue(deliver_outbox)

    # Assert
    assert (first.new, second.new, second.job_id) == (True, False, first.job_id)
    assert Queue("default", connection=redis).count == 1


@pytest.mark.jobs
def test_render_job_run_twice_stores_the_report_once(db, make_study, make_supplier, redis, run_worker):  # noqa: F811
    # Arrange
    study = answered_study_factory(db, make_study, make_supplier)()
    account = db.session.scalars(select(Account).where(Account.name == "Noordzee Havenbedrijf")).one()
    report_id = request_report(
        session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account, language=Language.EN
    ).id
    db.session.commit()
    submit_render(report_id)
    submit_render(report_id)  # a second request while the first job waits: no second job
    reports_queue = Queue("reports", connection=redis)
    job_ids = reports_queue.get_job_ids()
    run_worker(current_app, "--queues", "reports")
    first = db.session.get(Report, report_id)
    stored = (first.status, first.sha256, first.finished_at)

    # Act
    redeliver(redis, job_ids[0])
    run_worker(current_app, "--queues", "reports")

    # Assert
    db.session.expire_all()
    again = db.session.get(Report, report_id)
    assert len(job_ids) == 1
    assert stored[0] is ReportStatus.READY
    assert (again.status, again.sha256, again.finished_at) == stored
    assert db.session.scalar(select(func.count(Report.id))) == 1
    assert Job.fetch(job_ids[0], connection=redis).get_status() == JobStatus.FINISHED


@pytest.mark.jobs
def test_tick_in_rq_mode_enqueues_and_a_second_tick_enqueues_nothing_new(
    db,
    fit_study,  # noqa: F811
    smtp_server,
    redis,
    run_worker,
):
    # Arrange
    queue_study(db, fit_study)

    # Act
    first = tick()
    second = tick()
    waiting = Queue("default", connection=redis).count
    run_worker(current_app)
    third = tick()

    # Assert
    assert isinstance(first, TickEnqueued)
    assert first.lines() == [f"enqueued: {STEPS}"]
    assert second.lines() == ["enqueued: nothing", f"already waiting: {STEPS}"]
    assert waiting == 5
    assert len(smtp_server.received) == 3
    assert third.lines() == [f"enqueued: {STEPS}"]


@pytest.mark.jobs
def test_tick_in_rq_mode_enqueues_a_render_for_a_report_left_waiting(db, make_study, make_supplier, redis):  # noqa: F811
    # Arrange
    study = answered_study_factory(db, make_study, make_supplier)()
    report_id = request_report(
        session=db.session, study=study, kind=ReportKind.PORTFOLIO, account=None, language=Language.EN
    ).id
    db.session.commit()
    later = db.session.get(Report, report_id).created_at.replace(microsecond=0)
    later = later.replace(year=later.year + 1)

    # Act
    first = tick(now=later)
    second = tick(now=later)

    # Assert
    assert first.lines()[-1] == "reports: 1 enqueued, 0 already waiting"
    assert second.lines()[-1] == "reports: 0 enqueued, 1 already waiting"
    assert Queue("reports", connection=redis).count == 1


@pytest.mark.jobs
def test_a_failing_job_is_retried_then_kept_as_failed(make_app, redis_url, redis, run_worker):
    # Arrange
    retrying = make_app(REDIS_URL=redis_url, JOB_RETRY_INTERVALS="0")
    with retrying.app_context():
        enqueued = submit(send_study_invitations, {"study_id": 999}, config=retrying.config)

        # Act
        worker = run_worker(retrying)

    # Assert
    job = Job.fetch(enqueued.job_id, connection=redis)
    failed = failed_jobs(connection=redis)
    assert job.get_status() == JobStatus.FAILED
    # The worker logs each attempt's traceback: the first attempt and its one retry.
    assert (worker.stdout + worker.stderr).count("ValueError: no study with id 999") == 2
    assert [(f.id, f.function, f.arguments, f.error) for f in failed] == [
        (enqueued.job_id, "send_study_invitations", "{'study_id': 999}", "ValueError: no study with id 999")
    ]


def failed_job(app: Any, redis: Any, run_worker: Any, actor_label: str = "cli") -> str:
    """A job that failed for good (no retries): send invitations of a study that does not exist."""
    app.config["JOB_RETRY_INTERVALS"] = ""
    enqueued = submit(
        send_study_invitations, {"study_id": 999, "actor_label": actor_label}, config=app.config
    )
    run_worker(app)
    return enqueued.job_id


@pytest.mark.jobs
def test_failed_jobs_page_shows_a_failed_job_escaped_and_requeues_it(
    client, make_user, login, redis, run_worker
):
    # Arrange
    job_id = failed_job(current_app, redis, run_worker, actor_label="<script>alert(1)</script>")
    login(make_user(Role.ADMIN))

    # Act
    page = client.get("/admin/jobs/failed")
    requeued = client.post_form("/admin/jobs/failed/requeue", {"job_id": job_id}, follow_redirects=True)

    # Assert
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&#39;actor_label&#39;: &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;" in html
    assert "ValueError: no study with id 999" in html
    assert "<code>send_study_invitations</code>" in html
    assert len(re.findall(rf'name="job_id" value="{job_id}"', html)) == 2
    assert requeued.status_code == 200
    assert "The job is back in its queue; a worker runs it next." in requeued.get_data(as_text=True)
    assert "No failed jobs." in requeued.get_data(as_text=True)
    assert Queue("default", connection=redis).get_job_ids() == [job_id]
    assert failed_jobs(connection=redis) == []


@pytest.mark.jobs
def test_failed_jobs_page_deletes_a_failed_job_only_with_a_csrf_token(
    client, make_user, login, redis, run_worker
):
    # Arrange
    job_id = failed_job(current_app, redis, run_worker)
    login(make_user(Role.ADMIN))

    # Act
    forged = client.post("/admin/jobs/failed/delete", data={"job_id": job_id})
    kept = [job.id for job in failed_jobs(connection=redis)]
    deleted = client.post_form("/admin/jobs/failed/delete", {"job_id": job_id}, follow_redirects=True)
    again = client.post_form("/admin/jobs/failed/delete", {"job_id": job_id}, follow_redirects=True)

    # Assert
    assert (forged.status_code, kept) == (400, [job_id])
    assert "The failed job was deleted." in deleted.get_data(as_text=True)
    assert "That job is no longer in the list of failed jobs." in again.get_data(as_text=True)
    assert failed_jobs(connection=redis) == []
    assert Job.exists(job_id, connection=redis) is False


@pytest.mark.jobs
@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ACCOUNT_TEAM, Role.SALES])
def test_failed_jobs_page_is_404_for_other_roles(client, make_user, make_supplier, login, redis, role):
    # Arrange
    suppliers = [make_supplier()] if role in (Role.ACCOUNT_TEAM, Role.SALES) else []
    login(make_user(role, suppliers=suppliers) if suppliers else make_user(role))

    # Act
    page = client.get("/admin/jobs/failed")
    action = client.post_form("/admin/jobs/failed/requeue", {"job_id": "x"})

    # Assert
    assert (page.status_code, action.status_code) == (404, 404)


def test_failed_jobs_page_is_404_without_redis(make_app, make_user, login):
    # Arrange
    plain = make_app()
    with plain.app_context():
        client = plain.test_client()
        admin = make_user(Role.ADMIN)
        login(admin, target=client)

        # Act
        response = client.get("/admin/jobs/failed")

    # Assert
    assert (plain.config["JOBS_MODE"], response.status_code) == ("cron", 404)


def test_rq_mode_without_a_redis_url_is_refused(make_app):
    with pytest.raises(ConfigError) as error:
        make_app(JOBS_MODE="rq")

    assert str(error.value) == (
        "SURVEYAPP_JOBS_MODE=rq needs SURVEYAPP_REDIS_URL (e.g. redis://127.0.0.1:6379/0)"
    )


def test_target_of_refuses_a_function_a_worker_cannot_import():
    def local() -> None:
        return None

    with pytest.raises(ValueError) as error:
        target_of(local)

    assert str(error.value).endswith("is not a module-level function: an RQ worker could not import it")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--queues", "default,mail"], "unknown queue 'mail': choose from default, reports"),
        (["--queues", " , "], "name at least one queue: default, reports"),
    ],
)
def test_worker_command_names_a_wrong_queue(make_app, arguments, message):
    from surveyapp.cli import cli

    result = make_app().test_cli_runner().invoke(cli, ["worker", "--burst", *arguments])

    assert result.exit_code == 2
    assert f"Invalid value for --queues: {message}" in result.output


def test_worker_command_needs_rq_mode(make_app):
    from surveyapp.cli import cli

    result = make_app().test_cli_runner().invoke(cli, ["worker", "--burst"])

    assert result.exit_code == 1
    assert result.output == (
        "Error: surveyapp worker needs SURVEYAPP_REDIS_URL (and SURVEYAPP_JOBS_MODE unset or rq); "
        "the jobs mode is 'cron'\n"
    )


def test_waiting_marker_prefix_is_namespaced():
    assert WAITING_PREFIX == "surveyapp:jobs:waiting:"
