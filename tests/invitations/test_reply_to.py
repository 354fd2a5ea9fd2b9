"""Issue 23: every email has a working Reply-To — the study's reply address, else SURVEYAPP_MAIL_REPLY_TO — and
an invitation tells the recipient to reply only when there is somewhere to reply to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from surveyapp.config import ConfigError
from surveyapp.enums import Role
from surveyapp.invitations.models import StudyEmailSettings
from surveyapp.invitations.sending import send_invitations
from surveyapp.mail.models import MailKind, OutboxMessage
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.settings import mail_settings

SENT = datetime(2030, 6, 1, 9, tzinfo=UTC)
REPLY_HINTS = {"en": "Questions? Simply reply to this email.", "nl": "Vragen? Beantwoord deze e-mail gewoon."}


def test_reply_to_operator_default_on_an_email_without_its_own(db, make_app):
    # Arrange
    app = make_app(MAIL_REPLY_TO="research@agency.example")
    mail = mail_settings(app.config)

    # Act
    message = queue_message(
        session=db.session, kind=MailKind.NOTIFICATION, dedupe_key="k1", recipient="kim@example.org",
        recipient_name="Kim", sender=mail.sender, draft=Draft(subject="Your report", text_body="Attached."),
    )  # fmt: skip

    # Assert
    assert message.reply_to == "research@agency.example"


def test_reply_to_sent_from_the_command_line_uses_the_default_and_invites_replies(db, make_app, fit_study):
    # Arrange: no researcher sends (no actor), so the study has no reply address of its own
    study = fit_study()
    app = make_app(MAIL_REPLY_TO="research@agency.example")

    # Act
    send_invitations(session=db.session, study=study, mail=mail_settings(app.config), now=SENT)
    db.session.commit()

    # Assert
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.reply_to for m in messages} == {"research@agency.example"}
    assert all(REPLY_HINTS[m.language] in m.text_body for m in messages)
    assert db.session.get(StudyEmailSettings, study.id) is None


def test_reply_to_without_any_address_the_invitation_does_not_ask_for_replies(db, app, fit_study):
    # Arrange: neither the study nor the operator gave a reply address
    study = fit_study()

    # Act
    send_invitations(session=db.session, study=study, mail=mail_settings(app.config), now=SENT)
    db.session.commit()

    # Assert
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.reply_to for m in messages} == {None}
    assert not any(REPLY_HINTS[m.language] in m.text_body for m in messages)


@pytest.mark.parametrize("value", ["not an address", "a@b.example\nBcc: x@y.example"])
def test_reply_to_setting_must_be_one_address(make_app, value):
    # Act / Assert
    with pytest.raises(ConfigError) as error:
        make_app(MAIL_REPLY_TO=value)
    assert str(error.value) == (
        f"SURVEYAPP_MAIL_REPLY_TO must be one email address, e.g. research@example.org, not {value!r}"
    )


def test_reply_to_the_suppliers_research_contact_before_the_operator_default(db, make_app, fit_study):
    # Arrange: the study has no reply address of its own; its supplier names a research contact
    study = fit_study()
    study.supplier.research_contact_email = "lisa@agency.example"
    db.session.commit()
    app = make_app(MAIL_REPLY_TO="research@agency.example")

    # Act
    send_invitations(session=db.session, study=study, mail=mail_settings(app.config), now=SENT)
    db.session.commit()

    # Assert
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.reply_to for m in messages} == {"lisa@agency.example"}
    assert all(REPLY_HINTS[m.language] in m.text_body for m in messages)


def test_reply_to_research_contact_set_on_the_supplier_settings_page(db, client, login, make_user, fit_study):
    # Arrange
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    study = fit_study()
    supplier_id = study.supplier.id
    page = f"/suppliers/{supplier_id}/settings"

    # Act
    refused = client.post_form(page, {"report_language": "nl", "research_contact_email": "lisa at agency"})
    saved = client.post_form(
        page, {"report_language": "nl", "research_contact_email": " lisa@agency.example "}
    )

    # Assert: a clear error that keeps what was typed; then the address, trimmed
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "The research contact is not a valid email address." in html
    assert 'value="lisa at agency"' in html
    assert saved.status_code == 302
    db.session.expire_all()
    assert study.supplier.research_contact_email == "lisa@agency.example"
