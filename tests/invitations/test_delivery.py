"""What delivery results do to invitations: failures in the history, correcting an address, sending again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.addresses import correct_address
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.invitations.planning import InvitationError
from surveyapp.invitations.sending import resend, send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.studies.phases import change_phase
from tests.invitations.conftest import contact, links_in
from tests.mail.smtpserver import RefusingRecorder, start_server


@pytest.fixture
def smtp_server():
    """This module's SMTP server refuses addresses starting with `bounce` (550) and accepts the rest."""
    server = start_server(RefusingRecorder())
    yield server
    server.controller.stop()


def invite_clients(db, study, mail) -> None:
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    deliver_outbox()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    deliver_outbox()


def ben_invitation(db) -> Invitation:
    return db.session.scalar(
        select(Invitation).where(Invitation.contact_id == contact(db, "bounce@globex.example").id)
    )


def test_permanent_failure_is_recorded_on_the_invitation(smtp_server, db, fit_study, mail):
    study = fit_study()
    contact(db, "ben@globex.example").email = "bounce@globex.example"
    db.session.commit()

    invite_clients(db, study, mail)

    invitation = ben_invitation(db)
    events = db.session.execute(
        select(InvitationEvent.status, InvitationEvent.detail)
        .where(InvitationEvent.invitation_id == invitation.id)
        .order_by(InvitationEvent.id)
    ).all()
    token = db.session.scalar(select(InvitationToken).where(InvitationToken.invitation_id == invitation.id))
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.last_error == "recipient refused: 550 5.1.1 No such user here"
    assert [tuple(e) for e in events] == [
        (InvitationStatus.CREATED, None),
        (InvitationStatus.QUEUED, None),
        (InvitationStatus.FAILED, "recipient refused: 550 5.1.1 No such user here"),
    ]
    assert token.revoked_at is not None
    assert invitation.first_sent_at is None


def test_correcting_a_failed_address_sends_again_to_the_new_one(smtp_server, db, fit_study, mail, make_user):
    study = fit_study()
    contact(db, "ben@globex.example").email = "bounce@globex.example"
    db.session.commit()
    invite_clients(db, study, mail)
    invitation = ben_invitation(db)
    researcher = make_user()

    correct_address(
        session=db.session,
        study=study,
        contact=invitation.contact,
        email="Ben@Globex.example",
        mail=mail,
        actor=researcher,
    )
    db.session.commit()
    deliver_outbox()

    db.session.refresh(invitation)
    received = [r for r in smtp_server.received if r.rcpt_tos == ["ben@globex.example"]]
    assert invitation.contact.email == "ben@globex.example"
    assert invitation.status == InvitationStatus.SENT
    assert invitation.last_error is None
    assert len(received) == 1
    assert len(links_in(received[0].message.get_body(preferencelist=("plain",)).get_content())) == 1


def test_correcting_to_another_contacts_address_is_refused(smtp_server, db, fit_study, mail):
    study = fit_study()
    contact(db, "ben@globex.example").email = "bounce@globex.example"
    db.session.commit()
    invite_clients(db, study, mail)

    with pytest.raises(InvitationError) as error:
        correct_address(
            session=db.session,
            study=study,
            contact=ben_invitation(db).contact,
            email="anna@acme.example",
            mail=mail,
            actor=None,
        )

    assert (
        str(error.value.message)
        == "Another contact of this supplier already has the address anna@acme.example."
    )


def test_correcting_to_an_invalid_address_is_refused(smtp_server, db, fit_study, mail):
    study = fit_study()
    contact(db, "ben@globex.example").email = "bounce@globex.example"
    db.session.commit()
    invite_clients(db, study, mail)

    with pytest.raises(InvitationError) as error:
        correct_address(
            session=db.session,
            study=study,
            contact=ben_invitation(db).contact,
            email="ben@@globex",
            mail=mail,
            actor=None,
        )

    assert str(error.value.message) == "ben@@globex is not a valid email address."


def test_correcting_an_address_revokes_the_links_sent_to_the_old_one(
    db, fit_study, mail, smtp_server, client
):
    study = fit_study()
    invite_clients(db, study, mail)
    old = links_in(
        next(
            m
            for m in smtp_server.handler.messages()
            if m["To"].addresses[0].addr_spec == "ben@globex.example"
        )
        .get_body(preferencelist=("plain",))
        .get_content()
    )[0]

    correct_address(
        session=db.session,
        study=study,
        contact=contact(db, "ben@globex.example"),
        email="ben.smith@globex.example",
        mail=mail,
        actor=None,
    )
    db.session.commit()

    assert client.get(f"/s/{old}").status_code == 410


def test_resending_a_completed_invitation_is_refused(db, fit_study, mail, smtp_server):
    study = fit_study()
    invite_clients(db, study, mail)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.contact_id == contact(db, "ben@globex.example").id)
    )
    invitation.status = InvitationStatus.COMPLETED
    db.session.commit()

    with pytest.raises(InvitationError) as error:
        resend(session=db.session, study=study, invitations=[invitation], mail=mail)

    assert str(error.value.message) == "A completed or opted-out invitation is not sent again."


def test_cancelled_mail_for_a_corrected_address_never_leaves(db, fit_study, mail, smtp_server):
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    sam = contact(db, "sam@supplier.example")

    correct_address(
        session=db.session, study=study, contact=sam, email="samuel@supplier.example", mail=mail, actor=None
    )
    db.session.commit()
    deliver_outbox()

    to_sam = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.status)
        .where(OutboxMessage.recipient.like("sam%"))
        .order_by(OutboxMessage.id)
    ).all()
    assert [tuple(r) for r in to_sam] == [
        ("sam@supplier.example", OutboxStatus.CANCELLED),
        ("samuel@supplier.example", OutboxStatus.SENT),
    ]
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "lea@supplier.example",
        "lea@supplier.example",
        "samuel@supplier.example",
    ]
