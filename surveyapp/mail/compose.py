"""Turning a queued message into RFC 5322 bytes with the `email` package (done once, when it is queued)."""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from surveyapp.mail.headers import address_header

if TYPE_CHECKING:
    from surveyapp.mail.models import OutboxMessage
    from surveyapp.mail.outbox import Attachment

# CRLF line endings and strict header folding; bodies are quoted-printable so every hop is 7-bit clean.
POLICY = policy.SMTP


def build_email(message: OutboxMessage, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """The message as it goes out: text part, optional HTML alternative, optional attachments.

    The email package also refuses header values with line breaks (a second line of defence after the outbox's
    own checks) and raises ValueError for them.
    """
    email = EmailMessage(policy=POLICY)
    email["From"] = address_header(message.sender_name, message.sender)
    email["To"] = address_header(message.recipient_name, message.recipient)
    if message.reply_to:
        email["Reply-To"] = address_header("", message.reply_to)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.text_body, subtype="plain", charset="utf-8", cte="quoted-printable")
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _sep, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email
