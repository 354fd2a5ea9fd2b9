"""Queuing invitation emails: each invitation's status change and its email are written in one transaction.

Services flush; the caller (view, CLI command, job) commits once. Delivery is the sender's job
(`surveyapp.jobs.tasks.deliver_outbox`): nothing here talks to a mail server.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus
from surveyapp.i18n import _l
from surveyapp.invitations import lifecycle
from surveyapp.invitations.emails import STAFF, LinkItem, invitation_draft
from surveyapp.invitations.models import Invitation, InvitationToken, StudyEmailSettings
from surveyapp.invitations.planning import (
    Group,
    InvitationError,
    Item,
    Skipped,
    audience_of,
    check_can_send,
    contact_problem,
    plan_send,
)
from surveyapp.invitations.tokens import new_token, token_hash
from surveyapp.mail.headers import HeaderError
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import queue_message
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Study

SEND, REMINDER = "send", "reminder"


@dataclass(slots=True)
class QueueReport:
    """What was queued: invitations and emails per audience, and who was left out and why."""

    invitations: int = 0
    emails: int = 0
    already: int = 0
    by_audience: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)


def email_settings(session: Session, study: Study) -> StudyEmailSettings | None:
    return session.get(StudyEmailSettings, study.id)


def reply_to_settings(session: Session, study: Study, actor: Any) -> StudyEmailSettings | None:
    """The study's settings; the first researcher who sends becomes the Reply-To when none is set."""
    settings = email_settings(session, study)
    if actor is not None and getattr(actor, "email", None) and (settings is None or not settings.reply_to):
        if settings is None:
            settings = StudyEmailSettings(study_id=study.id)
            session.add(settings)
        settings.reply_to = actor.email
        session.flush()
    return settings


def _next_number(session: Session, invitation_id: int, purpose: str) -> int:
    highest = session.scalar(
        select(func.max(InvitationToken.number)).where(
            InvitationToken.invitation_id == invitation_id, InvitationToken.purpose == purpose
        )
    )
    return int(highest or 0) + 1


def _invitation_for(session: Session, study: Study, group: Group, item: Item, now: datetime) -> Invitation:
    if item.invitation is not None:
        return item.invitation
    invitation = Invitation(
        study_id=study.id,
        contact_id=group.contact.id,
        account_id=item.account.id if item.account is not None else None,
        study_questionnaire_id=item.questionnaire.id,
        status=InvitationStatus.CREATED,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    lifecycle.record(session=session, invitation=invitation, status=InvitationStatus.CREATED, at=now)
    return invitation


def queue_group(
    *,
    session: Session,
    study: Study,
    settings: StudyEmailSettings | None,
    group: Group,
    purpose: str,
    mail: MailSettings,
    now: datetime,
) -> int:
    """Queue one email carrying a fresh token for each of the group's invitations; returns the message id."""
    entries = []
    for item in sorted(
        group.items, key=lambda i: (i.account.name.lower() if i.account else "", i.questionnaire.id)
    ):
        invitation = _invitation_for(session, study, group, item, now)
        raw = new_token()
        token = InvitationToken(
            invitation_id=invitation.id,
            token_hash=token_hash(raw),
            purpose=purpose,
            # A new invitation has had no email yet; an existing one continues its own count.
            number=1 if item.invitation is None else _next_number(session, invitation.id, purpose),
            created_at=now,
        )
        session.add(token)
        entries.append((invitation, token, raw, item))
    session.flush()
    first_invitation, first_token = entries[0][0], entries[0][1]
    draft = invitation_draft(
        study=study,
        settings=settings,
        contact=group.contact,
        audience=group.audience,
        links=[
            LinkItem(token=raw, label=item.account.name if group.audience == STAFF and item.account else None)
            for _invitation, _token, raw, item in entries
        ],
        reminder=first_token.number if purpose == REMINDER else 0,
        mail=mail,
    )
    message = queue_message(
        session=session,
        kind=MailKind.REMINDER if purpose == REMINDER else MailKind.INVITATION,
        dedupe_key=f"invitation:{first_invitation.id}:{purpose}:{first_token.number}",
        recipient=group.contact.email or "",
        recipient_name=group.contact.name,
        sender=mail.sender,
        draft=draft,
        sensitive=True,
    )
    for invitation, token, _raw, _item in entries:
        token.outbox_message_id = message.id
        invitation.last_queued_at = now
        if invitation.status == InvitationStatus.FAILED:
            invitation.status = InvitationStatus.CREATED
        lifecycle.record(
            session=session,
            invitation=invitation,
            status=InvitationStatus.QUEUED,
            at=now,
            purpose=purpose,
            number=token.number,
        )
    return message.id


def queue_groups(
    *,
    session: Session,
    study: Study,
    settings: StudyEmailSettings | None,
    groups: list[Group],
    purpose: str,
    mail: MailSettings,
    now: datetime,
    report: QueueReport,
) -> None:
    """Queue every group; a group whose headers are refused is skipped (savepoint) and reported."""
    for group in groups:
        try:
            with session.begin_nested():
                queue_group(
                    session=session,
                    study=study,
                    settings=settings,
                    group=group,
                    purpose=purpose,
                    mail=mail,
                    now=now,
                )
        except HeaderError as exc:
            report.skipped.append(Skipped(group.contact, exc.message))
            continue
        report.emails += 1
        report.invitations += len(group.items)
        report.by_audience[group.audience] += len(group.items)


def send_invitations(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    actor: Any = None,
    actor_label: str | None = None,
    now: datetime | None = None,
) -> QueueReport:
    """Queue every invitation of the study that is due in its phase (see `planning`); flushes."""
    now = now or utcnow()
    plan = plan_send(session=session, study=study, now=now)
    settings = reply_to_settings(session, study, actor)
    report = QueueReport(already=plan.already, skipped=list(plan.skipped), notes=list(plan.notes))
    queue_groups(
        session=session,
        study=study,
        settings=settings,
        groups=plan.groups,
        purpose=SEND,
        mail=mail,
        now=now,
        report=report,
    )
    if report.invitations:
        audit(
            session=session,
            action="invitations.queued",
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details={"invitations": report.invitations, "emails": report.emails, **report.by_audience},
        )
    return report


RESENDABLE = (
    InvitationStatus.CREATED,
    InvitationStatus.QUEUED,
    InvitationStatus.FAILED,
    InvitationStatus.SENT,
    InvitationStatus.OPENED,
    InvitationStatus.STARTED,
    InvitationStatus.EXPIRED,
)


def resend(
    *,
    session: Session,
    study: Study,
    invitations: list[Invitation],
    mail: MailSettings,
    actor: Any = None,
    reason: str = "resent",
    now: datetime | None = None,
) -> QueueReport:
    """Send invitations of one contact again, in one email with fresh links (earlier links keep working).

    Refused for completed and opted-out invitations; an expired one is reopened when the deadline allows it.
    """
    now = now or utcnow()
    check_can_send(study, now)
    if not invitations:
        raise InvitationError(_l("There is nothing to send again."))
    contact = invitations[0].contact
    if any(i.contact_id != contact.id or i.study_id != study.id for i in invitations):
        raise ValueError("resend takes invitations of one contact in one study")
    problem = contact_problem(contact)
    if problem is not None:
        raise InvitationError(_l("This invitation cannot be sent: %(reason)s.", reason=problem))
    refused = [i for i in invitations if i.status not in RESENDABLE]
    if refused:
        raise InvitationError(_l("A completed or opted-out invitation is not sent again."))
    for invitation in invitations:
        if invitation.status == InvitationStatus.EXPIRED:
            lifecycle.reopen(
                session=session, invitation=invitation, at=now, detail="reopened: the deadline allows it"
            )
    settings = reply_to_settings(session, study, actor)
    groups: dict[str, Group] = {}
    for invitation in invitations:
        audience = audience_of(invitation)
        group = groups.setdefault(audience, Group(contact=contact, audience=audience))
        group.items.append(Item(invitation.account, invitation.study_questionnaire, invitation))
    report = QueueReport()
    queue_groups(
        session=session,
        study=study,
        settings=settings,
        groups=list(groups.values()),
        purpose=SEND,
        mail=mail,
        now=now,
        report=report,
    )
    if report.skipped:
        raise InvitationError(
            _l("This invitation cannot be sent: %(reason)s.", reason=report.skipped[0].reason)
        )
    audit(
        session=session,
        action="invitations.resent",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"invitations": [i.id for i in invitations], "reason": reason},
    )
    return report


def revoke_tokens(session: Session, invitation_ids: list[int], now: datetime) -> None:
    if invitation_ids:
        session.execute(
            update(InvitationToken)
            .where(InvitationToken.invitation_id.in_(invitation_ids), InvitationToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        session.flush()
