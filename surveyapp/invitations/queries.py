"""Read side of the invitation pages: counts per status and account, histories, non-responders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from surveyapp.enums import InvitationStatus
from surveyapp.invitations.lifecycle import NOT_RESPONDED
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.studies.models import Account, Contact, Study, StudyAccount

S = InvitationStatus


def status_counts(*, session: Session, study: Study) -> dict[str, int]:
    rows = session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.study_id == study.id)
        .group_by(Invitation.status)
    ).all()
    counts = {status.value: 0 for status in InvitationStatus}
    counts.update({status.value: int(n) for status, n in rows})
    return counts


@dataclass(frozen=True, slots=True)
class AccountSummary:
    account: Account
    invitations: int
    delivered: int
    opened: int
    completed: int
    failed: int
    not_responded: int


def account_summaries(*, session: Session, study: Study) -> list[AccountSummary]:
    """Per account in scope: invitations delivered, opened, completed, failed and waiting (SQL counts)."""
    status = Invitation.status
    counts = (
        select(
            Invitation.account_id,
            func.count(Invitation.id).label("total"),
            func.count(Invitation.id).filter(Invitation.first_sent_at.is_not(None)).label("delivered"),
            func.count(Invitation.id).filter(Invitation.opened_at.is_not(None)).label("opened"),
            func.count(Invitation.id).filter(status == S.COMPLETED).label("completed"),
            func.count(Invitation.id).filter(status == S.FAILED).label("failed"),
            func.count(Invitation.id).filter(status.in_(NOT_RESPONDED)).label("waiting"),
        )
        .where(Invitation.study_id == study.id)
        .group_by(Invitation.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Account,
            func.coalesce(counts.c.total, 0),
            func.coalesce(counts.c.delivered, 0),
            func.coalesce(counts.c.opened, 0),
            func.coalesce(counts.c.completed, 0),
            func.coalesce(counts.c.failed, 0),
            func.coalesce(counts.c.waiting, 0),
        )
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .outerjoin(counts, counts.c.account_id == Account.id)
        .order_by(func.lower(Account.name))
    ).all()
    return [AccountSummary(row[0], *(int(n) for n in row[1:])) for row in rows]


def invitations_of(*, session: Session, study: Study, account_id: int | None) -> list[Invitation]:
    """The invitations about one account (None: the brief), with contact and history loaded."""
    where = Invitation.account_id.is_(None) if account_id is None else Invitation.account_id == account_id
    return list(
        session.scalars(
            select(Invitation)
            .join(Contact, Contact.id == Invitation.contact_id)
            .where(Invitation.study_id == study.id, where)
            .options(selectinload(Invitation.events), selectinload(Invitation.contact))
            .order_by(Contact.side, func.lower(Contact.name), Contact.id, Invitation.id)
        )
    )


def messages_of(*, session: Session, invitation_ids: list[int]) -> dict[int, list[OutboxMessage]]:
    """The emails each invitation went out in, oldest first."""
    if not invitation_ids:
        return {}
    rows = session.execute(
        select(InvitationToken.invitation_id, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == InvitationToken.outbox_message_id)
        .where(InvitationToken.invitation_id.in_(invitation_ids))
        .order_by(OutboxMessage.id)
    ).all()
    found: dict[int, list[OutboxMessage]] = defaultdict(list)
    for invitation_id, message in rows:
        found[invitation_id].append(message)
    return found


def non_responders(*, session: Session, study: Study) -> list[tuple[Account | None, list[Invitation]]]:
    """Invitations delivered but not completed, per account (the brief first, under None)."""
    invitations = session.scalars(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(Account, Account.id == Invitation.account_id)
        .where(Invitation.study_id == study.id, Invitation.status.in_(NOT_RESPONDED))
        .options(selectinload(Invitation.contact), selectinload(Invitation.account))
        .order_by(
            Account.name.is_not(None), func.lower(Account.name), func.lower(Contact.name), Invitation.id
        )
    ).all()
    grouped: dict[int | None, tuple[Account | None, list[Invitation]]] = {}
    for invitation in invitations:
        grouped.setdefault(invitation.account_id, (invitation.account, []))[1].append(invitation)
    return list(grouped.values())


def waiting_emails(*, session: Session, study: Study) -> int:
    """Emails of this study still in the outbox (not yet sent, or being retried)."""
    carried = (
        select(InvitationToken.outbox_message_id)
        .join(Invitation, Invitation.id == InvitationToken.invitation_id)
        .where(Invitation.study_id == study.id)
    )
    return int(
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.id.in_(carried),
                OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
            )
        )
        or 0
    )
