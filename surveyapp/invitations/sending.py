"""Queuing invitation emails: each invitation's status change and its email are written in one transaction.

Services flush; the caller (view, CLI command, job) commits once. Delivery is the sender's job
(`surveyapp.jobs.tasks.deliver_outbox`): nothing here talks to a mail server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus
from surveyapp.i18n import _l
from surveyapp.invitations import lifecycle
from surveyapp.invitations.emails import STAFF, LinkItem, invitation_draft
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken, StudyEmailSettings
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
from surveyapp.invitations.rules import NEVER_QUEUED, REMINDER, SEND, chunks
from surveyapp.invitations.tokens import new_token, token_hash
from surveyapp.mail.headers import HeaderError
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import queue_message
from surveyapp.mail.settings import MailSettings
from surveyapp.questionnaires.services import load_version
from surveyapp.studies.imports.common import insert_rows
from surveyapp.studies.models import Study, StudyQuestionnaire


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


def _insert(
    session: Session, model: Any, rows: list[dict[str, Any]], returning: tuple[str, ...] = ()
) -> list[Any]:
    """Insert rows with one statement per `ID_CHUNK` of them (`insert_rows`: Core, no ORM objects, no flush
    per row); the `returning` columns of each."""
    found: list[Any] = []
    for piece in chunks(rows):
        found += insert_rows(session, model.__table__, piece, returning=returning)
    return found


def _new_invitations(session: Session, study: Study, groups: list[Group], now: datetime) -> dict[Any, int]:
    """Create the invitations the groups' items do not have yet, with their `created` step, in bulk; their
    ids by (contact, account, questionnaire)."""
    rows = [
        {
            "study_id": study.id,
            "contact_id": group.contact.id,
            "account_id": item.account.id if item.account is not None else None,
            "study_questionnaire_id": item.questionnaire.id,
            "status": InvitationStatus.CREATED,
            "reminders_sent": 0,
            "created_at": now,
        }
        for group in groups
        for item in group.items
        if item.invitation is None
    ]
    returned = _insert(
        session, Invitation, rows, returning=("contact_id", "account_id", "study_questionnaire_id", "id")
    )
    ids = {(contact, account, questionnaire): id_ for contact, account, questionnaire, id_ in returned}
    _record(
        session,
        [(invitation_id, InvitationStatus.CREATED, None, None) for invitation_id in ids.values()],
        now,
    )
    return ids


def _record(
    session: Session, steps: list[tuple[int, InvitationStatus, str | None, int | None]], now: datetime
) -> None:
    """Add steps (invitation, status, purpose, number) to the histories in bulk; the statuses are the caller's."""
    rows = [
        {"invitation_id": invitation_id, "status": status, "at": now, "purpose": purpose, "number": number}
        for invitation_id, status, purpose, number in steps
    ]
    _insert(session, InvitationEvent, rows)


def _highest_numbers(session: Session, invitation_ids: list[int], purpose: str) -> dict[int, int]:
    """The number of each invitation's latest email of this purpose (absent: none yet)."""
    found: dict[int, int] = {}
    for chunk in chunks(invitation_ids):
        found.update(
            session.execute(
                select(InvitationToken.invitation_id, func.max(InvitationToken.number))
                .where(InvitationToken.invitation_id.in_(chunk), InvitationToken.purpose == purpose)
                .group_by(InvitationToken.invitation_id)
            ).all()
        )
    return found


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
    """Queue one email per group, carrying a fresh token for each of the group's invitations (flushes).

    Written in bulk, a statement per kind for all groups: the new invitations, the tokens, the history steps
    and the status changes; each email itself is rendered and put in the outbox by `queue_message` (which
    checks every header). A group whose headers are refused is skipped, its new invitations removed again,
    and reported. The unique (invitation, purpose, number) of the tokens makes a second queuing of the same
    email fail with IntegrityError, whoever tries: nothing goes out twice.
    """
    if not groups:
        return
    created = _new_invitations(session, study, groups, now)
    existing = [item.invitation.id for group in groups for item in group.items if item.invitation is not None]
    highest = _highest_numbers(session, existing, purpose)
    tokens: list[dict[str, Any]] = []
    steps: list[tuple[int, InvitationStatus, str | None, int | None]] = []
    refused: list[int] = []
    # The minutes each pinned questionnaire says it takes: a study has a few, its emails thousands.
    minutes: dict[int, int | None] = {}

    def minutes_of(questionnaire: StudyQuestionnaire) -> int | None:
        if questionnaire.id not in minutes:
            loaded = load_version(session=session, version_id=questionnaire.version_id)
            minutes[questionnaire.id] = loaded.estimated_minutes
        return minutes[questionnaire.id]

    for group in groups:
        entries = []
        for item in sorted(
            group.items, key=lambda i: (i.account.name.lower() if i.account else "", i.questionnaire.id)
        ):
            if item.invitation is None:
                key = (group.contact.id, item.account.id if item.account else None, item.questionnaire.id)
                # A new invitation has had no email yet; an existing one continues its own count.
                invitation_id, number = created[key], 1
            else:
                invitation_id = item.invitation.id
                number = highest.get(invitation_id, 0) + 1
            entries.append((invitation_id, number, new_token(), item))
        first_id, first_number = entries[0][0], entries[0][1]
        try:
            draft = invitation_draft(
                study=study,
                settings=settings,
                contact=group.contact,
                audience=group.audience,
                links=[
                    LinkItem(
                        token=raw,
                        label=item.account.name if group.audience == STAFF and item.account else None,
                        minutes=minutes_of(item.questionnaire),
                    )
                    for _id, _number, raw, item in entries
                ],
                reminder=first_number if purpose == REMINDER else 0,
                mail=mail,
            )
            message = queue_message(
                session=session,
                kind=MailKind.REMINDER if purpose == REMINDER else MailKind.INVITATION,
                dedupe_key=f"invitation:{first_id}:{purpose}:{first_number}",
                recipient=group.contact.email or "",
                recipient_name=group.contact.name,
                sender=mail.sender,
                draft=draft,
                sensitive=True,
            )
        except HeaderError as exc:
            report.skipped.append(Skipped(group.contact, exc.message))
            refused += [invitation_id for invitation_id, _n, _raw, item in entries if item.invitation is None]
            continue
        for invitation_id, number, raw, _item in entries:
            tokens.append(
                {
                    "invitation_id": invitation_id,
                    "token_hash": token_hash(raw),
                    "purpose": purpose,
                    "number": number,
                    "outbox_message_id": message.id,
                    "created_at": now,
                }
            )
            steps.append((invitation_id, InvitationStatus.QUEUED, purpose, number))
        report.emails += 1
        report.invitations += len(group.items)
        report.by_audience[group.audience] += len(group.items)
    _insert(session, InvitationToken, tokens)
    _record(session, steps, now)
    queued = [invitation_id for invitation_id, _status, _purpose, _number in steps]
    for chunk in chunks(queued):
        # Queued moves a new or failed invitation on; one already sent keeps its status (a reminder, a resend).
        session.execute(
            update(Invitation)
            .where(Invitation.id.in_(chunk), Invitation.status.in_(NEVER_QUEUED))
            .values(status=InvitationStatus.QUEUED)
        )
        session.execute(update(Invitation).where(Invitation.id.in_(chunk)).values(last_queued_at=now))
    for chunk in chunks(refused):
        session.execute(delete(InvitationEvent).where(InvitationEvent.invitation_id.in_(chunk)))
        session.execute(delete(Invitation).where(Invitation.id.in_(chunk)))
    session.flush()


def send_invitations(
    *,
    session: Session,
    study: Study,
    mail: MailSettings,
    actor: Any = None,
    actor_label: str | None = None,
    now: datetime | None = None,
    contact_ids: Collection[int] | None = None,
) -> QueueReport:
    """Queue every invitation of the study that is due in its phase (see `planning`), or those of some
    contacts only; flushes."""
    now = now or utcnow()
    plan = plan_send(session=session, study=study, now=now, contact_ids=contact_ids)
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
