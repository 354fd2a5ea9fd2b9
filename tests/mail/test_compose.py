"""Messages as they leave: RFC 5322 headers from the email package, text and HTML parts, attachments."""

from __future__ import annotations

from email import message_from_bytes, policy

from surveyapp.mail.headers import Sender
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Attachment, Draft, queue_message


def queued(db, **draft):
    values = {
        "subject": "Uw mening — graag",
        "text_body": "Hallo Zoë\nTot ziens",
        "html_body": "<p>Hallo Zoë</p>",
    }
    values.update(draft)
    return queue_message(
        session=db.session,
        kind=MailKind.INVITATION,
        dedupe_key="k",
        recipient="zoe@example.org",
        recipient_name="Zoë de Wit, M.Sc.",
        sender=Sender("research@example.org", "Research"),
        draft=Draft(sender_name="Brightline, Facility", reply_to="rita@agency.example", **values),
        attachments=[Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
    )


def test_headers_are_encoded_and_quoted_by_the_email_package(db):
    message = queued(db, headers={"List-Unsubscribe": "<https://x.example/opt-out/t>"})

    parsed = message_from_bytes(message.raw, policy=policy.default)

    assert str(parsed["From"]) == '"Brightline, Facility" <research@example.org>'
    assert str(parsed["To"]) == '"Zoë de Wit, M.Sc." <zoe@example.org>'
    assert str(parsed["Reply-To"]) == "rita@agency.example"
    assert str(parsed["Subject"]) == "Uw mening — graag"
    assert str(parsed["Message-ID"]) == message.message_id
    assert str(parsed["List-Unsubscribe"]) == "<https://x.example/opt-out/t>"
    assert parsed["Date"].datetime == message.created_at.replace(microsecond=0)
    assert parsed["MIME-Version"] == "1.0"


def test_the_message_is_built_once_when_queued(db):
    message = queued(db)

    parsed = message_from_bytes(message.raw, policy=policy.default)
    assert str(parsed["Message-ID"]) == message.message_id
    assert message.message_id.endswith("@example.org>")
    assert message.attachments == [{"filename": "invite.ics", "content_type": "text/calendar", "size": 32}]


def test_text_and_html_alternatives_and_attachment_are_7bit_clean(db):
    raw = queued(db).raw

    parsed = message_from_bytes(raw, policy=policy.default)
    parts = [(p.get_content_type(), p.get_filename()) for p in parsed.iter_parts()]
    assert max(raw) < 128
    assert b"\r\n" in raw
    assert parts == [("multipart/alternative", None), ("text/calendar", "invite.ics")]
    assert parsed.get_body(preferencelist=("plain",)).get_content() == "Hallo Zoë\r\nTot ziens\r\n"
    assert parsed.get_body(preferencelist=("html",)).get_content() == "<p>Hallo Zoë</p>\r\n"
