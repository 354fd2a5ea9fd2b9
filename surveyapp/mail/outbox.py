"""Putting messages in the outbox (in the caller's transaction), and taking them out before they leave."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.db import utcnow
from surveyapp.i18n import _l
from surveyapp.mail.compose import build_email
from surveyapp.mail.headers import (
    MAX_DISPLAY_NAME,
    MAX_SUBJECT,
    HeaderError,
    Sender,
    check_address,
    check_header_text,
)
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus

# Headers a caller may add; everything else (From, To, Subject, ...) is set from the message's own fields.
EXTRA_HEADERS = frozenset(
    {"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Auto-Submitted", "Precedence"}
)
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    def described(self) -> dict[str, object]:
        return {"filename": self.filename, "content_type": self.content_type, "size": len(self.data)}


@dataclass(frozen=True, slots=True)
class Draft:
    """What an email says, before it is queued: bodies rendered, headers not yet checked."""

    subject: str
    text_body: str
    html_body: str | None = None
    sender_name: str = ""
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    language: str = "en"


def _message_id(sender: Sender) -> str:
    domain = sender.address.rpartition("@")[2] or "surveyapp.invalid"
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue_message(
    *,
    session: Session,
    kind: MailKind,
    dedupe_key: str,
    recipient: str,
    recipient_name: str = "",
    sender: Sender,
    draft: Draft,
    sensitive: bool = False,
    attachments: Iterable[Attachment] = (),
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Queue one email (flushes; the caller commits it together with the change that caused it).

    Idempotent: when a message with this `dedupe_key` exists it is returned unchanged. Every header value is
    checked: a line break or other control character in a name, subject or address raises HeaderError.
    """
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    address = check_address(recipient, what=_l("The recipient's address"))
    check_header_text(recipient_name, what=_l("The recipient's name"), limit=MAX_DISPLAY_NAME)
    check_header_text(draft.subject, what=_l("The subject"), limit=MAX_SUBJECT)
    check_header_text(draft.sender_name, what=_l("The sender name"), limit=MAX_DISPLAY_NAME)
    if not draft.subject.strip():
        raise HeaderError(_l("An email needs a subject."))
    # The email's own Reply-To (a study's, a researcher's), else the operator's default for every email.
    chosen = draft.reply_to or sender.reply_to
    reply_to = check_address(chosen, what=_l("The reply-to address")) if chosen else None
    for name, value in draft.headers.items():
        if name not in EXTRA_HEADERS:
            raise ValueError(f"header {name!r} may not be set on a queued message")
        check_header_text(value, what=name, limit=900)
    attached = list(attachments)
    for attachment in attached:
        check_header_text(attachment.filename, what=_l("An attachment's file name"), limit=200)
        if len(attachment.data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(
                f"attachment {attachment.filename!r} is larger than {MAX_ATTACHMENT_BYTES} bytes"
            )
    now = utcnow()
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        message_id=_message_id(sender),
        recipient=address,
        recipient_name=recipient_name,
        sender=sender.address,
        sender_name=draft.sender_name or sender.name,
        reply_to=reply_to,
        subject=draft.subject,
        text_body=draft.text_body,
        html_body=draft.html_body,
        headers=dict(draft.headers),
        attachments=[a.described() for a in attached],
        language=draft.language,
        sensitive=sensitive,
        status=OutboxStatus.PENDING,
        next_attempt_at=not_before or now,
        created_at=now,
    )
    try:
        # Built once, here: every attempt sends exactly these bytes (same Message-ID, same Date).
        message.raw = build_email(message, attached).as_bytes()
    except (ValueError, TypeError) as exc:
        raise HeaderError(_l("The email cannot be built: %(error)s", error=str(exc)[:200])) from None
    session.add(message)
    session.flush()
    return message


def blanked_body() -> dict[str, object]:
    """The column values that remove a sensitive message's bodies (its link must not outlive its use)."""
    return {"text_body": "", "html_body": None, "raw": b""}


def cancel_messages(*, session: Session, message_ids: Iterable[int], reason: str) -> int:
    """Cancel those of the messages that are still pending (flushes); returns how many were cancelled.

    A message a sender has already claimed is checked again by the sender just before it goes out.
    """
    ids = list(message_ids)
    if not ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error=reason[:2000], claim_token=None, claimed_until=None)
    )
    # Sensitive bodies go at once; the others are kept for the history.
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == OutboxStatus.CANCELLED,
            OutboxMessage.sensitive.is_(True),
        )
        .values(**blanked_body())
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_recipient(*, session: Session, address: str) -> int:
    """Erasure: remove an address from the outbox (flushes); returns how many messages carried it.

    Unsent mail to it is cancelled; every message to it loses the address, the name and the content. What
    remains (kind, subject, status, times) carries no personal data of the recipient.
    """
    found = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == address)))
    cancel_messages(session=session, message_ids=found, reason="the recipient's data was erased")
    if found:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(found))
            .values(recipient="", recipient_name="", **blanked_body())
        )
        session.flush()
    return len(found)
