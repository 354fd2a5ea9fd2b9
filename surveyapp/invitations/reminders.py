"""Reminders to non-responders: on the study's schedule (days after the first send), or now on request.

A reminder goes to an invitation that was delivered and not completed (sent, opened or started), while the
study is in prepare or interview and its deadline has not passed, at most `max_reminders` times, each with a
fresh link. Scheduled: the n-th reminder is due from the local day first send + reminder_days[n-1] in the
study's time zone. On request ("remind now"): any such invitation not mailed in the last MANUAL_GAP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from surveyapp.audit.services import record as audit
from surveyapp.db import utcnow
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.planning import (
    SENDING_PHASES,
    Group,
    Item,
    Skipped,
    audience_of,
    check_can_send,
    contact_problem,
)
from surveyapp.invitations.sending import (
    REMINDER,
    QueueReport,
    email_settings,
    queue_groups,
    reply_to_settings,
)
from surveyapp.invitations.tokens import deadline_passed
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Study

MANUAL_GAP = timedelta(hours=20)


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


def _scheduled_due(study: Study, invitation: Invitation, done: int, now: datetime) -> bool:
    days = sorted(study.reminder_days or [])
    if done >= len(days) or invitation.first_sent_at is None:
        return False
    zone = ZoneInfo(study.time_zone)
    first_day = invitation.first_sent_at.astimezone(zone).date()
    return now.astimezone(zone).date() >= first_day + timedelta(days=days[done])


def plan_reminders(*, session: Session, study: Study, now: datetime, manual: bool = False) -> ReminderPlan:
    """The reminders due (scheduled) or allowed (manual) now, grouped into emails like the invitations."""
    plan = ReminderPlan()
    if study.phase not in SENDING_PHASES or deadline_passed(study, now) or study.max_reminders < 1:
        return plan
    reminded = (
        select(InvitationToken.invitation_id, func.count().label("n"))
        .where(InvitationToken.purpose == REMINDER)
        .group_by(InvitationToken.invitation_id)
        .subquery()
    )
    rows = session.execute(
        select(Invitation, func.coalesce(reminded.c.n, 0))
        .outerjoin(reminded, reminded.c.invitation_id == Invitation.id)
        .where(
            Invitation.study_id == study.id,
            Invitation.status.in_(lifecycle.NOT_RESPONDED),
            Invitation.first_sent_at.is_not(None),
        )
        .options(joinedload(Invitation.contact), joinedload(Invitation.account))
        .order_by(Invitation.contact_id, Invitation.id)
    ).all()
    groups: dict[tuple[int, str], Group] = {}
    refused: set[int] = set()
    for invitation, done in rows:
        if done >= study.max_reminders:
            continue
        if manual:
            if invitation.last_queued_at is not None and invitation.last_queued_at > now - MANUAL_GAP:
                continue
        elif not _scheduled_due(study, invitation, done, now):
            continue
        contact = invitation.contact
        problem = contact_problem(contact)
        if problem is not None:
            if contact.id not in refused:
                refused.add(contact.id)
                plan.skipped.append(Skipped(contact, problem))
            continue
        audience = audience_of(invitation)
        group = groups.get((contact.id, audience))
        if group is None:
            group = groups[(contact.id, audience)] = Group(contact=contact, audience=audience)
            plan.groups.append(group)
        group.items.append(Item(invitation.account, invitation.study_questionnaire, invitation))
    return plan


def send_reminders(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    manual: bool = False,
    actor: Any = None,
    actor_label: str | None = None,
    now: datetime | None = None,
) -> QueueReport:
    """Queue the study's due reminders (flushes). `manual` is the researcher's "remind now"."""
    now = now or utcnow()
    if manual:
        check_can_send(study, now)
    plan = plan_reminders(session=session, study=study, now=now, manual=manual)
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
