""" "Send" and "Send reminders" for a large study: queued in the background, in batches, each committed.

Queuing one email takes a few milliseconds: it is rendered, and built once as the exact bytes the sender will
send (`mail.outbox.queue_message`). A send to 40,000 client contacts therefore takes minutes, far beyond a web
request's time budget (gunicorn's `timeout`, 60 s, kills a request still running then). So the invitations
page queues up to `INLINE_EMAILS` emails itself, as before, and hands a larger send to a job
(`queue_study_invitations`, `queue_study_reminders`) through `jobs.runner.enqueue`: a thread of the web
process, or an RQ worker. In `cron` mode nothing runs a job now and `tick` does not know these, so the page
queues the first `INLINE_EMAILS` emails and says how many are left for the next press of the button.

The job takes the contacts that were due when it started, in the plan's order, and queues them
`BATCH_EMAILS` at a time; each batch is planned again from the rules (`rules.send_rows`, `rules.reminder_rows`:
whoever opted out, was erased or was queued by someone else meanwhile is left out) and committed on its own,
so a batch holds SQLite's write lock for about a second and survey respondents keep saving. Nothing is queued
twice, whatever runs at once or again: a token is unique per (invitation, purpose, number), and a batch that
loses that race to another process is rolled back and planned again.

The page shows that a send is under way from the audit log: the request is recorded
(`invitations.send_requested`, `invitations.remind_requested`) and the job records its end
(`invitations.send_finished`, `invitations.remind_finished`). A request without an end whose job has queued
nothing for `STALLED_AFTER` (the worker was stopped, say) is shown as stopped: pressing the button again
queues the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.audit.models import AuditEvent
from surveyapp.audit.services import record as audit
from surveyapp.auth.models import User
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.planning import (
    InvitationError,
    check_can_send,
    due_contacts,
    plan_send,
    send_summary,
)
from surveyapp.invitations.reminders import (
    plan_reminders,
    remind_contacts,
    reminder_summary,
    send_reminders,
)
from surveyapp.invitations.rules import REMINDER, SEND
from surveyapp.invitations.sending import (
    QueueReport,
    email_settings,
    queue_groups,
    reply_to_settings,
    send_invitations,
)
from surveyapp.mail.settings import MailSettings, mail_settings
from surveyapp.studies.models import Study

log = logging.getLogger(__name__)

# At about 5-8 ms an email on a busy 2-core server, what the page queues itself stays within a few seconds.
INLINE_EMAILS = 500
# Emails per committed batch of a background job (about a second of work).
BATCH_EMAILS = 100
# A job that has queued nothing for this long is taken to have stopped (its worker ended).
STALLED_AFTER = timedelta(minutes=10)
# The job asks the sender to start after this many batches, so delivery runs while queuing goes on.
DELIVER_EVERY = 10
# (requested, finished) audit actions per purpose.
ACTIONS = {
    SEND: ("invitations.send_requested", "invitations.send_finished"),
    REMINDER: ("invitations.remind_requested", "invitations.remind_finished"),
}


@dataclass(frozen=True, slots=True)
class Progress:
    """A send handed to the background and not finished: when and by whom it was asked for, how many emails
    it has queued so far, and whether it still moves (False: it stopped; pressing the button again resumes)."""

    requested_at: datetime
    requested_by: str
    emails: int
    active: bool


def progress(*, session: Session, study: Study, purpose: str, now: datetime) -> Progress | None:
    """The background queuing of this study's invitations (`SEND`) or reminders (`REMINDER`) that was asked
    for and has not finished, or None."""
    requested, finished = ACTIONS[purpose]
    latest = session.execute(
        select(AuditEvent.action, AuditEvent.created_at, AuditEvent.actor_label)
        .where(
            AuditEvent.action.in_((requested, finished)),
            AuditEvent.object_type == Study.__tablename__,
            AuditEvent.object_id == study.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.action != requested:
        return None
    emails, last = session.execute(
        select(func.count(distinct(InvitationToken.outbox_message_id)), func.max(InvitationToken.created_at))
        .join(Invitation, Invitation.id == InvitationToken.invitation_id)
        .where(
            Invitation.study_id == study.id,
            InvitationToken.purpose == purpose,
            InvitationToken.created_at >= latest.created_at,
        )
    ).one()
    moved = max(latest.created_at, last) if last is not None else latest.created_at
    return Progress(latest.created_at, latest.actor_label, int(emails), now - moved < STALLED_AFTER)


@dataclass(slots=True)
class Outcome:
    """What pressing "Send" or "Send reminders" did: queued here (`report`, with `remaining` emails left for
    another press when no job can run now), handed `handed_off` emails to a job (the caller enqueues it after
    committing), or nothing because a job is at it already (`running`)."""

    report: QueueReport | None = None
    remaining: int = 0
    handed_off: int = 0
    handed_off_invitations: int = 0
    running: Progress | None = None


def _request(
    *,
    session: Session,
    study: Study,
    purpose: str,
    actor: Any,
    now: datetime,
    emails: int,
    invitations: int,
    background: bool,
    inline_emails: int,
    queue_now: Callable[[list[int] | None], QueueReport],
    contacts: Callable[[], list[int]],
) -> Outcome:
    running = progress(session=session, study=study, purpose=purpose, now=now)
    if running is not None and running.active:
        return Outcome(running=running)
    if emails <= inline_emails:
        return Outcome(report=queue_now(None))
    if not background:
        due = contacts()
        report = queue_now(due[:inline_emails])
        return Outcome(report=report, remaining=max(0, emails - report.emails))
    reply_to_settings(session, study, actor)
    audit(
        session=session,
        action=ACTIONS[purpose][0],
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"invitations": invitations, "emails": emails},
    )
    return Outcome(handed_off=emails, handed_off_invitations=invitations)


def request_send(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    actor: Any,
    background: bool,
    now: datetime | None = None,
    inline_emails: int = INLINE_EMAILS,
) -> Outcome:
    """ "Send" on the invitations page (flushes; the caller commits, then enqueues `queue_study_invitations`
    when `handed_off`). `background`: a job can run now (not in cron mode). InvitationError for the wrong
    phase or a passed deadline."""
    now = now or utcnow()
    summary = send_summary(session=session, study=study, now=now, named=0)
    return _request(
        session=session,
        study=study,
        purpose=SEND,
        actor=actor,
        now=now,
        emails=summary.emails,
        invitations=summary.invitations,
        background=background,
        inline_emails=inline_emails,
        queue_now=lambda contact_ids: send_invitations(
            session=session, study=study, mail=mail, actor=actor, now=now, contact_ids=contact_ids
        ),
        contacts=lambda: due_contacts(session=session, study=study, now=now),
    )


def request_reminders(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    actor: Any,
    background: bool,
    now: datetime | None = None,
    inline_emails: int = INLINE_EMAILS,
) -> Outcome:
    """ "Send reminders" ("remind now") on the invitations page; as `request_send`, with
    `queue_study_reminders` as the job."""
    now = now or utcnow()
    check_can_send(study, now)
    summary = reminder_summary(session=session, study=study, now=now)
    return _request(
        session=session,
        study=study,
        purpose=REMINDER,
        actor=actor,
        now=now,
        emails=summary.emails,
        invitations=summary.invitations,
        background=background,
        inline_emails=inline_emails,
        queue_now=lambda contact_ids: send_reminders(
            session=session,
            study=study,
            mail=mail,
            manual=True,
            actor=actor,
            now=now,
            contact_ids=contact_ids,
        ),
        contacts=lambda: remind_contacts(session=session, study=study, now=now),
    )


def _batch(
    session: Session, study: Study, purpose: str, contact_ids: list[int], mail: MailSettings
) -> QueueReport:
    """Plan one batch afresh from the rules and queue it (flushes)."""
    now = utcnow()
    if purpose == SEND:
        plan = plan_send(session=session, study=study, now=now, contact_ids=contact_ids)
        groups, report = plan.groups, QueueReport(skipped=list(plan.skipped), notes=list(plan.notes))
    else:
        check_can_send(study, now)
        reminders = plan_reminders(
            session=session, study=study, now=now, manual=True, contact_ids=contact_ids
        )
        groups, report = reminders.groups, QueueReport(skipped=list(reminders.skipped))
    queue_groups(
        session=session,
        study=study,
        settings=email_settings(session, study),
        groups=groups,
        purpose=purpose,
        mail=mail,
        now=now,
        report=report,
    )
    return report


def _in_batches(*, study_id: int, purpose: str, actor_id: int | None) -> QueueReport:
    from surveyapp.jobs.runner import enqueue
    from surveyapp.jobs.tasks import deliver_outbox

    session = db.session
    total = QueueReport()
    study = session.get(Study, study_id)
    if study is None:
        return total
    actor = session.get(User, actor_id) if actor_id is not None else None
    mail = mail_settings(current_app.config)
    try:
        now = utcnow()
        if purpose == SEND:
            contacts = due_contacts(session=session, study=study, now=now)
        else:
            check_can_send(study, now)
            contacts = remind_contacts(session=session, study=study, now=now)
        session.commit()
        for number, start in enumerate(range(0, len(contacts), BATCH_EMAILS), start=1):
            batch = contacts[start : start + BATCH_EMAILS]
            for attempt in range(3):
                try:
                    report = _batch(session, study, purpose, batch, mail)
                    session.commit()
                    break
                except IntegrityError:
                    # Another process queued some of these at the same moment: plan the batch again.
                    session.rollback()
                    if attempt == 2:
                        raise
            total.invitations += report.invitations
            total.emails += report.emails
            total.by_audience.update(report.by_audience)
            total.skipped.extend(report.skipped)
            if number % DELIVER_EVERY == 0:
                enqueue(deliver_outbox)
    except InvitationError as exc:
        # The study left the sending phases or its deadline passed meanwhile: what is queued stays queued.
        session.rollback()
        log.info("background queuing for study %s stopped: %s", study_id, exc.message)
    details = {"invitations": total.invitations, "emails": total.emails, "skipped": len(total.skipped)}
    if total.invitations:
        audit(
            session=session,
            action="invitations.queued" if purpose == SEND else "invitations.reminded",
            actor=actor,
            actor_label=None if actor is not None else "system",
            obj=study,
            supplier_id=study.supplier_id,
            details={**details, **total.by_audience} if purpose == SEND else {**details, "manual": True},
        )
    audit(
        session=session,
        action=ACTIONS[purpose][1],
        actor=actor,
        actor_label=None if actor is not None else "system",
        obj=study,
        supplier_id=study.supplier_id,
        details=details,
    )
    session.commit()
    enqueue(deliver_outbox)
    return total


def queue_study_invitations(*, study_id: int, actor_id: int | None = None) -> QueueReport:
    """The job behind a large "Send": queue every invitation that was due when it started, a batch at a time,
    each batch committed; then record the end and ask the sender to deliver. Idempotent: run again, it queues
    only what is still due."""
    return _in_batches(study_id=study_id, purpose=SEND, actor_id=actor_id)


def queue_study_reminders(*, study_id: int, actor_id: int | None = None) -> QueueReport:
    """The job behind a large "Send reminders" (remind now): as `queue_study_invitations`, for the
    non-responders who were due a reminder when it started."""
    return _in_batches(study_id=study_id, purpose=REMINDER, actor_id=actor_id)
