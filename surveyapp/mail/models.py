"""The outbox: every email is first a row here, committed with the change that caused it, then delivered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.extensions import db


class MailKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    PASSWORD = "password"  # noqa: S105  (a kind of email, not a secret)
    TEST = "test"
    NOTIFICATION = "notification"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(db.Model):
    """One email to one recipient, stored as it will be sent.

    `dedupe_key` makes queuing idempotent: whatever queues a message names it (e.g. `invitation:12:send:1`),
    so queuing it twice creates nothing twice. `raw` holds the complete RFC 5322 message, built once when
    queued: every attempt sends the same bytes with the same Message-ID and Date. A sender claims a message by
    moving it from `pending` to `sending` with a compare-and-set update (`claim_token`, `claimed_until`); a
    claim whose sender died expires and the message is claimed again. Sensitive content (a personal link, a
    password link) is blanked as soon as the message is sent, failed or cancelled; subject, addresses and
    headers stay for the history.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("status <> 'sending' OR claimed_until IS NOT NULL", name="sending_is_claimed"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(enum_type(MailKind, "outbox_message_kind"))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The RFC 5322 Message-ID, fixed when queued so that a retry after an uncertain send is recognisable.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    sender: Mapped[str] = mapped_column(String(320))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Extra headers as {name: value}, e.g. List-Unsubscribe.
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What was attached, for the history: [{"filename", "content_type", "size"}]; the data itself is in `raw`.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    raw: Mapped[bytes] = mapped_column(LargeBinary, default=b"", deferred=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_message_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status} to={self.recipient!r}>"
