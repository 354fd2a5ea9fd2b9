"""Queuing: idempotent by dedupe key, and every header value checked (refused, never cleaned)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.mail.headers import HeaderError, Sender, parse_sender
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus
from surveyapp.mail.outbox import Attachment, Draft, cancel_messages, forget_recipient, queue_message

SENDER = Sender(address="research@example.org", name="Research")


def queue(db, **overrides):
    values = {
        "session": db.session,
        "kind": MailKind.NOTIFICATION,
        "dedupe_key": "k1",
        "recipient": "kim@example.org",
        "recipient_name": "Kim",
        "sender": SENDER,
        "draft": Draft(subject="Hello", text_body="Body"),
    }
    values.update(overrides)
    return queue_message(**values)


def test_queuing_the_same_key_twice_creates_one_message(db):
    first = queue(db)
    second = queue(db, draft=Draft(subject="Other", text_body="Other"))

    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert second.subject == "Hello"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"draft": Draft(subject="Hi\r\nBcc: all@example.org", text_body="x")},
            "The subject may not contain line breaks or other control characters.",
        ),
        (
            {"draft": Draft(subject="Hi\nthere", text_body="x")},
            "The subject may not contain line breaks or other control characters.",
        ),
        (
            {"recipient_name": "Kim\r\nBcc: all@example.org"},
            "The recipient's name may not contain line breaks or other control characters.",
        ),
        (
            {"draft": Draft(subject="Hi", text_body="x", sender_name="Res\u2028earch")},
            "The sender name may not contain line breaks or other control characters.",
        ),
        (
            {"recipient": "kim@example.org\r\nBcc: all@example.org"},
            "The recipient's address is not a valid email address.",
        ),
        ({"recipient": "not-an-address"}, "The recipient's address is not a valid email address."),
        (
            {"draft": Draft(subject="Hi", text_body="x", reply_to="a@b\nc")},
            "The reply-to address is not a valid email address.",
        ),
        ({"draft": Draft(subject=" ", text_body="x")}, "An email needs a subject."),
    ],
)
def test_header_injection_and_bad_addresses_are_refused(db, overrides, message):
    with pytest.raises(HeaderError) as error:
        queue(db, **overrides)

    assert str(error.value.message) == message
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_only_known_extra_headers_may_be_set(db):
    with pytest.raises(ValueError, match="header 'Bcc' may not be set on a queued message"):
        queue(db, draft=Draft(subject="Hi", text_body="x", headers={"Bcc": "all@example.org"}))


def test_attachments_are_part_of_the_stored_message(db):
    message = queue(db, attachments=[Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR")])

    assert message.attachments == [{"filename": "invite.ics", "content_type": "text/calendar", "size": 15}]
    assert b'Content-Disposition: attachment; filename="invite.ics"' in message.raw


def test_cancel_only_touches_pending_messages_and_blanks_sensitive_bodies(db):
    secret = queue(db, dedupe_key="a", sensitive=True)
    sent = queue(db, dedupe_key="b")
    sent.status = OutboxStatus.SENT
    sent.sent_at = sent.created_at
    db.session.commit()

    cancelled = cancel_messages(
        session=db.session, message_ids=[secret.id, sent.id], reason="the recipient opted out"
    )
    db.session.commit()

    assert cancelled == 1
    assert (secret.status, secret.last_error, secret.text_body) == (
        OutboxStatus.CANCELLED,
        "the recipient opted out",
        "",
    )
    assert (sent.status, sent.text_body) == (OutboxStatus.SENT, "Body")


def test_sender_setting_is_parsed_and_reserved_domains_are_allowed():
    assert parse_sender("surveyapp <noreply@surveyapp.invalid>") == Sender(
        "noreply@surveyapp.invalid", "surveyapp"
    )
    assert parse_sender("research@example.org") == Sender("research@example.org", "")
    with pytest.raises(HeaderError):
        parse_sender("Research <research@example.org>\r\nBcc: x@example.org")


def test_forgetting_a_recipient_cancels_unsent_mail_and_removes_the_address(db):
    pending = queue(db, dedupe_key="a", recipient="gone@example.org", recipient_name="Gone")
    other = queue(db, dedupe_key="b")

    forgotten = forget_recipient(session=db.session, address="gone@example.org")
    db.session.commit()

    assert forgotten == 1
    assert (pending.status, pending.recipient, pending.recipient_name, pending.text_body, pending.raw) == (
        OutboxStatus.CANCELLED,
        "",
        "",
        "",
        b"",
    )
    assert (other.status, other.recipient) == (OutboxStatus.PENDING, "kim@example.org")
