"""Claiming due outbox messages: a compare-and-set that two senders can never both win."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, undefer

from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """What the sender needs of a claimed message, read once (commits in between do not reload it)."""

    id: int
    kind: MailKind
    sender: str
    recipient: str
    created_at: datetime
    attempts: int
    sensitive: bool
    content: bytes


def due(now: datetime) -> Any:
    """Pending and due, or claimed by a sender whose claim has run out (it died or hangs)."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )


def _snapshot(row: OutboxMessage) -> ClaimedMessage:
    return ClaimedMessage(
        id=row.id,
        kind=row.kind,
        sender=row.sender,
        recipient=row.recipient,
        created_at=row.created_at,
        attempts=row.attempts,
        sensitive=row.sensitive,
        content=row.raw or b"",
    )


def claim(
    *, session: Session, now: datetime, limit: int, claim_seconds: int
) -> tuple[str, list[ClaimedMessage]]:
    """Claim up to `limit` due messages for this sender and commit; returns the claim token and the messages.

    Two steps in one transaction: pick (and on PostgreSQL lock, skipping rows another sender holds) the due
    rows, then move exactly those, repeating the due condition on each row so that a concurrent sender that
    moved it first wins. (A LIMIT inside a sub-select of the UPDATE itself may be evaluated more than once by
    PostgreSQL and claim more than `limit`.) On SQLite the transaction holds the write lock from its start.
    """
    token = secrets.token_hex(16)
    due_ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if due_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due_ids), due(now))
            .values(
                status=OutboxStatus.SENDING,
                claim_token=token,
                claimed_until=now + timedelta(seconds=claim_seconds),
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    session.commit()
    if not due_ids:
        return token, []
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claim_token == token)
        .options(undefer(OutboxMessage.raw))
        .order_by(OutboxMessage.id)
    ).all()
    claimed = [_snapshot(row) for row in rows]
    session.commit()
    return token, claimed
