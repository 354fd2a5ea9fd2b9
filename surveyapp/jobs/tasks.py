"""The jobs: one function per job, idempotent, each committing its own work. `tick` runs the scheduled ones.

Each runs inside an app context (the CLI's, or one a worker pushes) and may run in several processes at
once: the outbox claims messages atomically and every queuing step is deduplicated by unique constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from surveyapp.act.reminders import ActionReminderReport, send_action_reminders
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.invitations.delivery import InvitationDeliveryHooks
from surveyapp.invitations.lifecycle import expire_due
from surveyapp.invitations.reminders import send_due_reminders
from surveyapp.invitations.sending import QueueReport, send_invitations
from surveyapp.jobs.render import enqueue_queued_reports, render_queued_reports
from surveyapp.mail.backends import backend_from_config
from surveyapp.mail.sender import DeliveryReport, deliver_due
from surveyapp.mail.settings import mail_settings
from surveyapp.studies.models import Study


def deliver_outbox(*, now: datetime | None = None) -> DeliveryReport:
    """Send every due message in the outbox (retries included) through the configured backend."""
    config = current_app.config
    return deliver_due(
        session=db.session,
        backend=backend_from_config(config),
        hooks=InvitationDeliveryHooks(),
        now=now,
        batch_size=int(config["MAIL_BATCH_SIZE"]),
        claim_seconds=int(config["MAIL_CLAIM_SECONDS"]),
        send_timeout=float(config["SMTP_TIMEOUT"]),
    )


def send_study_invitations(*, study_id: int, actor_label: str = "cli") -> tuple[QueueReport, DeliveryReport]:
    """Queue the invitations due in the study's phase, commit, and deliver them before returning.

    What `surveyapp invitations send` runs (and the demo). Raises InvitationError (wrong phase, deadline
    passed) with nothing queued; the caller rolls back.
    """
    study = db.session.get(Study, study_id)
    if study is None:
        raise ValueError(f"no study with id {study_id}")
    queued = send_invitations(
        session=db.session, study=study, mail=mail_settings(current_app.config), actor_label=actor_label
    )
    db.session.commit()
    return queued, deliver_outbox()


def expire_invitations(*, now: datetime | None = None) -> int:
    """Mark invitations of studies past their deadline as expired; returns how many."""
    count = expire_due(session=db.session, now=now or utcnow())
    db.session.commit()
    return count


def queue_reminders(*, now: datetime | None = None) -> QueueReport:
    """Queue the scheduled reminders that are due in every study."""
    report = send_due_reminders(
        session=db.session, mail=mail_settings(current_app.config), now=now or utcnow()
    )
    db.session.commit()
    return report


def queue_action_reminders(*, now: datetime | None = None) -> ActionReminderReport:
    """Queue the reminders to owners of action items due soon or overdue."""
    report = send_action_reminders(
        session=db.session, mail=mail_settings(current_app.config), now=now or utcnow()
    )
    db.session.commit()
    return report


@dataclass(frozen=True, slots=True)
class TickReport:
    expired: int
    reminders: QueueReport
    delivery: DeliveryReport
    action_reminders: ActionReminderReport = field(default_factory=ActionReminderReport)
    reports_rendered: int = 0
    retention: str = ""

    def lines(self) -> list[str]:
        actions = self.action_reminders
        return [
            f"expired: {self.expired} invitations",
            f"reminders: {self.reminders.invitations} queued in {self.reminders.emails} emails",
            *([actions.line()] if actions.soon or actions.overdue else []),  # only when it queued any
            self.delivery.line(),
            *([f"reports: {self.reports_rendered} rendered"] if self.reports_rendered else []),
            *([self.retention] if self.retention else []),  # only when it did anything
        ]


@dataclass(frozen=True, slots=True)
class TickEnqueued:
    """What `tick` did in rq mode: the jobs it put on the queues, and those it found already waiting."""

    enqueued: tuple[str, ...]
    waiting: tuple[str, ...]
    renders_enqueued: int = 0
    renders_waiting: int = 0

    def lines(self) -> list[str]:
        return [
            f"enqueued: {', '.join(self.enqueued) or 'nothing'}",
            *([f"already waiting: {', '.join(self.waiting)}"] if self.waiting else []),
            *(
                [f"reports: {self.renders_enqueued} enqueued, {self.renders_waiting} already waiting"]
                if self.renders_enqueued or self.renders_waiting
                else []
            ),
        ]


def apply_retention_periods(*, now: datetime | None = None) -> str:
    """Queue retention notices and erase personal data past its study's retention period, and delete import
    previews nobody confirmed within their hour; the report line ("" when no retention step was due)."""
    from surveyapp.privacy.retention import apply_retention, folders
    from surveyapp.studies.uploads import delete_expired_uploads

    outbox_dir, upload_dir = folders()
    report = apply_retention(
        session=db.session,
        mail=mail_settings(current_app.config),
        now=now,
        outbox_dir=outbox_dir,
        upload_dir=upload_dir,
    )
    delete_expired_uploads(session=db.session, now=now)
    db.session.commit()
    return report.line() if report.notices or report.studies else ""


# The scheduled steps, in the order a tick runs or enqueues them.
SCHEDULED = (
    expire_invitations,
    queue_reminders,
    queue_action_reminders,
    apply_retention_periods,
    deliver_outbox,
)


def enqueue_tick(*, now: datetime | None = None) -> TickEnqueued:
    """rq mode's tick: one job per scheduled step unless one is still waiting (two ticks enqueue each step
    once), and a render job for every report that waited without one."""
    from surveyapp.jobs.queue import submit, work_key

    enqueued: list[str] = []
    waiting: list[str] = []
    for step in SCHEDULED:
        kwargs = {"now": now} if now else {}
        made = submit(step, kwargs, config=current_app.config, key=work_key(step, kwargs))
        (enqueued if made.new else waiting).append(step.__name__)
    renders, renders_waiting = enqueue_queued_reports(now=now)
    return TickEnqueued(tuple(enqueued), tuple(waiting), renders, renders_waiting)


def tick(*, now: datetime | None = None) -> TickReport | TickEnqueued:
    """Everything scheduled that is due: expire, queue reminders (invitations, actions), deliver the outbox,
    then render the reports that waited in the queue without a renderer (the slowest step, so the last).

    In rq mode the steps are enqueued for `surveyapp worker` instead (`enqueue_tick`)."""
    if current_app.config.get("JOBS_MODE") == "rq":
        return enqueue_tick(now=now)
    expired = expire_invitations(now=now)
    reminders = queue_reminders(now=now)
    action_reminders = queue_action_reminders(now=now)
    retention = apply_retention_periods(now=now)
    delivery = deliver_outbox(now=now)
    rendered = render_queued_reports(now=now)
    return TickReport(
        expired=expired,
        reminders=reminders,
        delivery=delivery,
        action_reminders=action_reminders,
        reports_rendered=rendered,
        retention=retention,
    )
