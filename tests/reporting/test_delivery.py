"""Sending a report: through the outbox to a real SMTP server (aiosmtpd on loopback), attached intact or as a
login link above the size limit, recorded on the report, only to the supplier's account-team members."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from surveyapp.enums import Language, Role
from surveyapp.jobs.render import run_render
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting.delivery import send_report
from surveyapp.reporting.models import DeliveryMethod, Report, ReportDelivery, ReportKind
from surveyapp.reporting.services import ReportError, approve_report, request_report
from surveyapp.studies.models import Account
from tests.reporting.conftest import pdf_text


@pytest.fixture
def smtp_app(make_app, smtp_server):
    return make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5)


@pytest.fixture
def rendered_report(db, answered_study, make_user):
    """An approved, really rendered account report of the answered study, and the researcher who approved."""
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True, name="Sanne de Vries")
    account = db.session.scalar(select(Account).where(Account.name == "Noordzee Havenbedrijf"))
    report_id = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account).id
    db.session.commit()
    assert run_render(report_id).ok
    report = db.session.get(Report, report_id)
    approve_report(session=db.session, report=report, actor=researcher)
    db.session.commit()
    return report, researcher


def test_send_report_delivers_the_pdf_attached_and_intact(
    db, app, smtp_app, smtp_server, rendered_report, make_user
):
    # Arrange
    report, researcher = rendered_report
    member = make_user(
        Role.ACCOUNT_TEAM, suppliers=[report.study.supplier], name="Tom Bakker", language=Language.NL
    )

    # Act
    deliveries = send_report(
        session=db.session,
        report=report,
        recipients=[member],
        actor=researcher,
        mail=mail_settings(app.config),
        attach_max_bytes=2 * 1024 * 1024,
    )
    db.session.commit()
    with smtp_app.app_context():
        delivery_report = deliver_outbox()

    # Assert
    (received,) = smtp_server.handler.messages()
    (attachment,) = list(received.iter_attachments())
    data = attachment.get_payload(decode=True)
    assert delivery_report.sent == 1
    assert received["To"] == "Tom Bakker <" + member.email + ">"
    assert received["Subject"] == "Klantrapport: Noordzee Havenbedrijf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "account-report-fit-2025-noordzee-havenbedrijf-en-v1.pdf"
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert "Noordzee Havenbedrijf" in pdf_text(data)
    assert "U vindt het als pdf in de bijlage" in received.get_body(("plain",)).get_content()
    assert [(d.recipient_email, d.method, d.sent_by_label) for d in deliveries] == [
        (member.email, DeliveryMethod.ATTACHMENT, researcher.email)
    ]
    assert db.session.scalar(select(ReportDelivery.outbox_message_id)) == db.session.scalar(
        select(OutboxMessage.id)
    )


def test_send_report_above_the_size_limit_sends_a_login_link(
    db, app, smtp_app, smtp_server, rendered_report, make_user
):
    # Arrange
    report, researcher = rendered_report
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[report.study.supplier], language=Language.EN)

    # Act
    send_report(
        session=db.session,
        report=report,
        recipients=[member],
        actor=researcher,
        mail=mail_settings(app.config),
        attach_max_bytes=report.size - 1,
    )
    db.session.commit()
    with smtp_app.app_context():
        deliver_outbox()

    # Assert
    (received,) = smtp_server.handler.messages()
    text = received.get_body(("plain",)).get_content()
    assert list(received.iter_attachments()) == []
    assert f"https://surveys.example.org/reports/{report.id}/download" in text
    assert db.session.scalar(select(ReportDelivery.method)) is DeliveryMethod.LINK


def test_send_report_only_to_account_team_members_of_the_supplier(
    db, app, rendered_report, make_user, make_supplier
):
    report, researcher = rendered_report
    outsider = make_user(Role.ACCOUNT_TEAM, suppliers=[make_supplier("Rival Services")])
    colleague = make_user(Role.RESEARCHER, all_suppliers=True)

    for recipient in (outsider, colleague):
        with pytest.raises(ReportError, match="is not an account-team member of this supplier"):
            send_report(
                session=db.session,
                report=report,
                recipients=[recipient],
                actor=researcher,
                mail=mail_settings(app.config),
                attach_max_bytes=2 * 1024 * 1024,
            )

    assert db.session.scalar(select(ReportDelivery)) is None
