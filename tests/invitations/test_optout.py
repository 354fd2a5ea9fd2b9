"""Opting out: a confirmation page, RFC 8058 one-click, and never another email from that supplier."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.delivery import InvitationDeliveryHooks
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.reminders import send_reminders
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.backends import backend_from_config
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.sender import claim, deliver_due
from surveyapp.studies.phases import change_phase
from tests.invitations.conftest import contact, links_in


def queue_and_deliver(db, study, mail) -> None:
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    deliver_outbox()


def token_for(smtp_server, address: str) -> str:
    messages = [m for m in smtp_server.handler.messages() if m["To"].addresses[0].addr_spec == address]
    return links_in(messages[-1].get_body(preferencelist=("plain",)).get_content())[0]


def clients_invited(db, study, mail) -> None:
    queue_and_deliver(db, study, mail)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()
    queue_and_deliver(db, study, mail)


def test_opt_out_page_asks_for_confirmation_and_changes_nothing(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    clients_invited(db, study, mail)
    token = token_for(smtp_server, "ben@globex.example")

    response = client.get(f"/opt-out/{token}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Do you no longer want to receive emails about research for {study.supplier.name}?" in page
    assert f'<form method="post" action="/opt-out/{token}">' in page
    assert contact(db, "ben@globex.example").opted_out_at is None


def test_opt_out_page_is_in_the_contacts_language(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    clients_invited(db, study, mail)

    page = client.get(f"/opt-out/{token_for(smtp_server, 'anna@acme.example')}").get_data(as_text=True)

    assert '<html lang="nl">' in page


def test_confirming_opts_out_without_csrf_and_is_audited(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    clients_invited(db, study, mail)
    ben = contact(db, "ben@globex.example")

    response = client.post(f"/opt-out/{token_for(smtp_server, 'ben@globex.example')}")

    invitation = db.session.scalar(select(Invitation).where(Invitation.contact_id == ben.id))
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.opted_out"))
    assert response.status_code == 200
    assert "You will not receive any more emails" in response.get_data(as_text=True)
    assert ben.opted_out_at is not None
    assert invitation.status == InvitationStatus.OPTED_OUT
    assert (audit.object_id, audit.details) == (ben.id, {"invitation": invitation.id, "via": "page"})


def test_rfc8058_one_click_post_opts_out(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    clients_invited(db, study, mail)
    ben = contact(db, "ben@globex.example")

    response = client.post(
        f"/opt-out/{token_for(smtp_server, 'ben@globex.example')}", data={"List-Unsubscribe": "One-Click"}
    )

    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.opted_out"))
    assert response.status_code == 200
    assert ben.opted_out_at is not None
    assert audit.details["via"] == "one-click"


def test_opting_out_twice_changes_nothing(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    clients_invited(db, study, mail)
    token = token_for(smtp_server, "ben@globex.example")
    client.post(f"/opt-out/{token}")
    first = contact(db, "ben@globex.example").opted_out_at

    again = client.post(f"/opt-out/{token}")

    assert "You had already unsubscribed" in again.get_data(as_text=True)
    assert contact(db, "ben@globex.example").opted_out_at == first


def test_unknown_opt_out_link_is_404(client):
    assert client.post("/opt-out/not-a-real-token").status_code == 404


def test_opted_out_contact_gets_no_reminder_and_pending_mail_is_cancelled(
    db, fit_study, mail, smtp_server, client
):
    study = fit_study()
    clients_invited(db, study, mail)
    token = token_for(smtp_server, "ben@globex.example")
    send_reminders(
        session=db.session,
        study=study,
        mail=mail,
        manual=True,
        now=db.session.scalar(select(Invitation.first_sent_at)).replace(year=2098),
    )
    db.session.commit()
    pending = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    smtp_server.handler.received.clear()

    client.post(f"/opt-out/{token}")
    deliver_outbox()

    ben_messages = db.session.scalars(
        select(OutboxMessage.status)
        .where(OutboxMessage.recipient == "ben@globex.example")
        .order_by(OutboxMessage.id)
    ).all()
    assert len(pending) == 5
    assert ben_messages == [OutboxStatus.SENT, OutboxStatus.CANCELLED]
    assert "ben@globex.example" not in [
        m["To"].addresses[0].addr_spec for m in smtp_server.handler.messages()
    ]
    assert len(smtp_server.received) == 4


def test_a_message_already_claimed_is_not_sent_after_the_opt_out(app, db, fit_study, mail, smtp_server):
    study = fit_study()
    queue_and_deliver(db, study, mail)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    now = utcnow()
    claim(session=db.session, now=now, limit=10, claim_seconds=60)  # a sender takes them, then stalls
    contact(db, "ben@globex.example").opted_out_at = now
    db.session.commit()
    smtp_server.handler.received.clear()

    report = deliver_due(
        session=db.session,
        backend=backend_from_config(app.config),
        hooks=InvitationDeliveryHooks(),
        now=now + timedelta(minutes=2),
    )

    ben = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "ben@globex.example"))
    assert (report.sent, report.cancelled) == (1, 1)
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.handler.messages()] == ["anna@acme.example"]
    assert (ben.status, ben.last_error, ben.text_body) == (
        OutboxStatus.CANCELLED,
        "the recipient opted out",
        "",
    )
