"""Reminders to non-responders: on the study's schedule (days after the first send), or now on request.

A reminder goes to an invitation that was delivered and not completed (sent, opened or started), while the
study is in prepare or interview and its deadline has not passed, at most `max_reminders` times, each with a
fresh link. Scheduled: the n-th reminder is due from the local day first send + reminder_days[n-1] in the
study's time zone. On request ("remind now"): any such invitation not mailed in the last `rules.MANUAL_GAP`.
Never to a person reminded in the last `reminder_min_interval_days` of the study or invited in the last day
(`rules.recently_mailed`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.db import utcnow
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.planning import (
    SENDING_PHASES,
    Group,
    Item,
    Skipped,
    check_can_send,
)
from surveyapp.invitations.rules import (
    CHECK,
    REMINDER,
    check_contacts,
    problem_message,
    reminder_rows,
    scheduled_due,
    skipped_code,
)
from surveyapp.invitations.sending import (
    QueueReport,
    email_settings,
    queue_groups,
    reply_to_settings,
)
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Account, Contact, Study


@dataclass(slots=True)
class ReminderPlan:
    groups: list[Group] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def invitations(self) -> int:
        return sum(len(group.items) for group in self.groups)

    @property
    def emails(self) -> int:
        return len(self.groups)


def plan_reminders(
    *,
    session: Session,
    study: Study,
    now: datetime,
    manual: bool = False,
    contact_ids: Collection[int] | None = None,
) -> ReminderPlan:
    """The reminders due (scheduled) or allowed (manual) now, grouped into emails like the invitations;
    optionally for some contacts only (a background job's batch). The rows come from `rules.reminder_rows`."""
    plan = ReminderPlan()
    statement = reminder_rows(study=study, now=now, manual=manual, contact_ids=contact_ids)
    if statement is None:
        return plan
    rows = statement.order_by(None).subquery("reminder_rows")
    questionnaires = {q.id: q for q in study.questionnaires}
    result = session.execute(
        select(
            rows.c.audience,
            rows.c.problem,
            rows.c.done,
            rows.c.questionnaire_id,
            Invitation,
            Contact,
            Account,
        )
        .join(Invitation, Invitation.id == rows.c.invitation_id)
        .join(Contact, Contact.id == rows.c.contact_id)
        .outerjoin(Account, Account.id == rows.c.account_id)
        .order_by(rows.c.contact_id, rows.c.invitation_id)
    )
    groups: dict[tuple[int, str], Group] = {}
    refused: set[int] = set()
    for audience, code, done, questionnaire_id, invitation, contact, account in result:
        if not manual and not scheduled_due(study, invitation.first_sent_at, int(done), now):
            continue
        problem = skipped_code(code, contact.email, contact.name)
        if problem is not None:
            if contact.id not in refused:
                refused.add(contact.id)
                plan.skipped.append(Skipped(contact, problem_message(problem, contact.email)))
            continue
        group = groups.get((contact.id, audience))
        if group is None:
            group = groups[(contact.id, audience)] = Group(contact=contact, audience=audience)
            plan.groups.append(group)
        group.items.append(Item(account, questionnaires[questionnaire_id], invitation))
    return plan


@dataclass(slots=True)
class ReminderSummary:
    """What "remind now" would queue: invitations and emails (counted in the database)."""

    by_audience: Counter[str] = field(default_factory=Counter)
    emails: int = 0

    @property
    def invitations(self) -> int:
        return sum(self.by_audience.values())


def reminder_summary(*, session: Session, study: Study, now: datetime) -> ReminderSummary:
    """The counts of `plan_reminders(manual=True)` without building it: grouped counts over the same rows
    (`rules.reminder_rows`) and the same reasons to skip a contact."""
    summary = ReminderSummary()
    statement = reminder_rows(study=study, now=now, manual=True)
    if statement is None:
        return summary
    rows = statement.order_by(None).subquery("reminder_rows")
    counted = session.execute(
        select(
            rows.c.audience, rows.c.problem, func.count(), func.count(distinct(rows.c.contact_id))
        ).group_by(rows.c.audience, rows.c.problem)
    )
    to_check = False
    for audience, problem, invitations, contacts in counted:
        if problem is None:
            summary.by_audience[audience] += int(invitations)
            summary.emails += int(contacts)  # one email per contact and audience
        to_check = to_check or problem == CHECK
    if to_check:
        checked = check_contacts(session=session, rows=rows, where=rows.c.invitation_id.is_not(None))
        summary.by_audience.update(checked.by_audience)
        summary.emails += checked.emails
    return summary


def remind_contacts(*, session: Session, study: Study, now: datetime) -> list[int]:
    """The contacts "remind now" would consider (to remind or to skip), each once, in the plan's order: the
    batches of reminders queued in the background."""
    statement = reminder_rows(study=study, now=now, manual=True)
    if statement is None:
        return []
    rows = statement.order_by(None).subquery("reminder_rows")
    return list(session.scalars(select(rows.c.contact_id).distinct().order_by(rows.c.contact_id)))


def send_reminders(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    manual: bool = False,
    actor: Any = None,
    actor_label: str | None = None,
    now: datetime | None = None,
    contact_ids: Collection[int] | None = None,
) -> QueueReport:
    """Queue the study's due reminders (flushes). `manual` is the researcher's "remind now"; `contact_ids`
    limits it to some contacts (a background job's batch)."""
    now = now or utcnow()
    if manual:
        check_can_send(study, now)
    plan = plan_reminders(session=session, study=study, now=now, manual=manual, contact_ids=contact_ids)
    report = QueueReport(skipped=list(plan.skipped))
    if not plan.groups:
        return report
    settings = (
        reply_to_settings(session, study, actor) if actor is not None else email_settings(session, study)
    )
    queue_groups(
        session=session,
        study=study,
        settings=settings,
        groups=plan.groups,
        purpose=REMINDER,
        mail=mail,
        now=now,
        report=report,
    )
    if report.invitations:
        audit(
            session=session,
            action="invitations.reminded",
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details={"invitations": report.invitations, "emails": report.emails, "manual": manual},
        )
    return report


def send_due_reminders(*, session: Session, mail: MailSettings, now: datetime | None = None) -> QueueReport:
    """Every study's scheduled reminders that are due now (what `surveyapp tick` and `reminders send` run)."""
    now = now or utcnow()
    total = QueueReport()
    studies = session.scalars(select(Study).where(Study.phase.in_(SENDING_PHASES)).order_by(Study.id)).all()
    for study in studies:
        report = send_reminders(session=session, study=study, mail=mail, actor_label="system", now=now)
        total.invitations += report.invitations
        total.emails += report.emails
        total.by_audience.update(report.by_audience)
        total.skipped.extend(report.skipped)
    return total
