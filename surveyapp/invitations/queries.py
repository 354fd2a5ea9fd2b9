"""Read side of the invitation pages: counts per status and account, histories, non-responders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from surveyapp.core import paging
from surveyapp.core.paging import Page, Wanted
from surveyapp.enums import InvitationStatus
from surveyapp.invitations.lifecycle import NOT_RESPONDED
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.studies.models import Account, Contact, Study, StudyAccount
from surveyapp.studies.queries import scope_size

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


def account_summaries(*, session: Session, study: Study, page: Wanted) -> Page[AccountSummary]:
    """One page of the accounts in scope, by name, each with its invitations delivered, opened, completed,
    failed and waiting (SQL counts over the page's accounts only)."""
    accounts = paging.fetch(
        session,
        select(Account)
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .order_by(func.lower(Account.name), Account.id),
        page,
        total=scope_size(session=session, study=study),
        scalars=True,
    )
    ids = [account.id for account in accounts.items]
    status = Invitation.status
    counts = {
        row[0]: tuple(int(n) for n in row[1:])
        for row in session.execute(
            select(
                Invitation.account_id,
                func.count(Invitation.id),
                func.count(Invitation.id).filter(Invitation.first_sent_at.is_not(None)),
                func.count(Invitation.id).filter(Invitation.opened_at.is_not(None)),
                func.count(Invitation.id).filter(status == S.COMPLETED),
                func.count(Invitation.id).filter(status == S.FAILED),
                func.count(Invitation.id).filter(status.in_(NOT_RESPONDED)),
            )
            .where(Invitation.study_id == study.id, Invitation.account_id.in_(ids))
            .group_by(Invitation.account_id)
        ).all()
    }
    rows = [AccountSummary(account, *counts.get(account.id, (0,) * 6)) for account in accounts.items]
    return Page(items=rows, total=accounts.total, wanted=accounts.wanted)


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


@dataclass(frozen=True, slots=True)
class NonResponderGroup:
    """The non-responders of one account (None: the brief) on a page, and how many the account has in all."""

    account: Account | None
    invitations: list[Invitation]
    total: int


def non_responders(
    *, session: Session, study: Study, page: Wanted
) -> tuple[Page[Invitation], list[NonResponderGroup]]:
    """One page of the invitations delivered but not completed, the brief first, then by account and contact
    name; and the page's invitations grouped per account, with each account's number of non-responders."""
    waiting = paging.fetch(
        session,
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(Account, Account.id == Invitation.account_id)
        .where(Invitation.study_id == study.id, Invitation.status.in_(NOT_RESPONDED))
        .options(selectinload(Invitation.contact), selectinload(Invitation.account))
        .order_by(
            Account.name.is_not(None),
            func.lower(Account.name),
            Invitation.account_id,
            func.lower(Contact.name),
            Invitation.id,
        ),
        page,
        scalars=True,
    )
    grouped: dict[int | None, list[Invitation]] = {}
    for invitation in waiting.items:
        grouped.setdefault(invitation.account_id, []).append(invitation)
    account_ids = [key for key in grouped if key is not None]
    per_account = dict(
        session.execute(
            select(Invitation.account_id, func.count())
            .where(
                Invitation.study_id == study.id,
                Invitation.status.in_(NOT_RESPONDED),
                or_(Invitation.account_id.in_(account_ids), Invitation.account_id.is_(None))
                if None in grouped
                else Invitation.account_id.in_(account_ids),
            )
            .group_by(Invitation.account_id)
        ).all()
    )
    groups = [
        NonResponderGroup(invitations[0].account, invitations, int(per_account.get(account_id, 0)))
        for account_id, invitations in grouped.items()
    ]
    return waiting, groups


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
