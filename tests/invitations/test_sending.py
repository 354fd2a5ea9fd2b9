"""Queuing invitations: who gets what in which phase, the emails' content in both languages, never twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.invitations.planning import InvitationError, plan_send
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage
from surveyapp.studies import scope
from surveyapp.studies.phases import change_phase
from tests.invitations.conftest import contact, links_in

EXPECTED_BEN = """Dear Ben Smith,

{supplier} would like to know how well its services fit your organisation, and where they do not. \
Would you share your view? It takes about ten minutes.

Your personal link:
https://surveys.example.org/s/{token}

You can answer until June 30, 2099 (inclusive).
The link is personal, so please do not forward this email. \
You can stop at any time and continue later with the same link.

Kind regards,
{supplier}

--
Privacy: your answers are used only for this study of how well {supplier} fits its clients. \
{supplier} sees the results without your name, per client organisation and in total, and a group within your \
organisation (such as a role) only from three people. Your answers are stored securely, never used for \
marketing, and removed when you ask: follow your link and choose "Ask for your data to be erased".
No more emails about this? Unsubscribe: https://surveys.example.org/opt-out/{token}
"""


def by_recipient(smtp_server):
    return {str(m["To"].addresses[0].addr_spec): m for m in smtp_server.handler.messages()}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def send_and_deliver(db, study, mail, **kwargs):
    report = send_invitations(session=db.session, study=study, mail=mail, **kwargs)
    db.session.commit()
    deliver_outbox()
    return report


def to_interview(db, study, mail):
    send_and_deliver(db, study, mail)
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()


def test_prepare_phase_queues_staff_and_the_brief_but_no_clients(db, fit_study, mail):
    study = fit_study()

    report = send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()

    rows = db.session.execute(
        select(Invitation.contact_id, Invitation.account_id, Invitation.status).order_by(Invitation.id)
    ).all()
    sam, lea = contact(db, "sam@supplier.example"), contact(db, "lea@supplier.example")
    assert (report.invitations, report.emails, dict(report.by_audience)) == (4, 3, {"staff": 3, "brief": 1})
    assert sorted((c, a is None) for c, a, _s in rows) == sorted(
        [(sam.id, False), (sam.id, False), (lea.id, False), (lea.id, True)]
    )
    assert {s for _c, _a, s in rows} == {InvitationStatus.QUEUED}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_staff_email_lists_one_link_per_rated_account(db, fit_study, mail, smtp_server):
    study = fit_study()

    send_and_deliver(db, study, mail)

    message = by_recipient(smtp_server)["sam@supplier.example"]
    text = text_of(message)
    assert str(message["Subject"]) == "How well do our clients fit us? Your view per account"
    assert len(links_in(text)) == 2
    assert "- Acme BV: https://surveys.example.org/s/" in text
    assert "- Globex: https://surveys.example.org/s/" in text
    assert '<li><a href="https://surveys.example.org/s/' in html_of(message)
    assert len(smtp_server.received) == 3


def test_staff_email_says_the_minutes_per_account_and_for_all_of_them(db, fit_study, mail, smtp_server):
    # Arrange: Sam rates two accounts; fit-supplier states 9 minutes
    study = fit_study()

    # Act
    send_and_deliver(db, study, mail)

    # Assert
    message = by_recipient(smtp_server)["sam@supplier.example"]
    expected = (
        "Each account takes about 9 minutes; all 2 together about 18 minutes. You need not do them in one go."
    )
    assert expected in text_of(message)
    assert f"<p>{expected}</p>" in html_of(message)


def test_staff_email_in_dutch_addresses_colleagues_with_je_and_says_the_minutes(
    db, fit_study, mail, smtp_server
):
    # Arrange: Lea (Dutch) rates one account and leads the study (her brief is another email)
    study = fit_study()

    # Act
    send_and_deliver(db, study, mail)

    # Assert
    staff = [
        m
        for m in smtp_server.handler.messages()
        if str(m["Subject"]).startswith("Hoe goed passen onze klanten")
    ]
    assert [str(m["Subject"]) for m in staff] == [
        "Hoe goed passen onze klanten bij ons? Jouw beeld per klant"
    ]
    text = text_of(staff[0])
    assert "Je persoonlijke links, één voor elke klant die je beoordeelt:" in text
    assert "Per klant kost het ongeveer 9 minuten." in text
    assert (
        "De links zijn persoonlijk; stuur deze e-mail daarom niet door. Je kunt op elk moment stoppen" in text
    )
    assert " u " not in text.split("--")[0]


def test_brief_goes_to_the_lead_in_their_language(db, fit_study, mail, smtp_server):
    study = fit_study(name="Klantfit 2026")

    send_and_deliver(db, study, mail)

    briefs = [m for m in smtp_server.handler.messages() if str(m["Subject"]).startswith("De briefing")]
    assert [str(m["To"]) for m in briefs] == ["Lea Lead <lea@supplier.example>"]
    assert str(briefs[0]["Subject"]) == "De briefing voor ons klantfit-onderzoek Klantfit 2026"
    assert "Uw persoonlijke link naar de briefing:" in text_of(briefs[0])


def test_interview_phase_queues_the_clients_with_their_language(db, fit_study, mail, smtp_server):
    study = fit_study(deadline=date(2099, 6, 30))
    to_interview(db, study, mail)
    smtp_server.handler.received.clear()

    report = send_and_deliver(db, study, mail)

    received = by_recipient(smtp_server)
    anna, ben = received["anna@acme.example"], received["ben@globex.example"]
    assert (report.invitations, dict(report.by_audience)) == (2, {"client": 2})
    assert str(anna["Subject"]) == f"Uw mening over de samenwerking met {study.supplier.name}"
    assert str(ben["Subject"]) == f"Your view on working with {study.supplier.name}"
    assert text_of(anna).startswith("Beste Anna de Vries,\n")
    token = links_in(text_of(ben))[0]
    assert text_of(ben) == EXPECTED_BEN.format(supplier=study.supplier.name, token=token)
    assert "U kunt antwoorden tot en met 30 juni 2099." in text_of(anna)
    assert "You can answer until June 30, 2099 (inclusive)." in text_of(ben)
    assert '<html lang="nl">' in html_of(anna)
    assert "Geef uw mening</a>" in html_of(anna)
    assert len(links_in(text_of(anna))) == 1


def test_client_email_headers_carry_sender_reply_to_and_one_click_unsubscribe(
    db, fit_study, mail, smtp_server, make_user
):
    study = fit_study()
    researcher = make_user(email="res@agency.example", name="Rita Researcher")
    to_interview(db, study, mail)
    smtp_server.handler.received.clear()

    send_and_deliver(db, study, mail, actor=researcher)

    ben = by_recipient(smtp_server)["ben@globex.example"]
    token = links_in(text_of(ben))[0]
    assert str(ben["From"]) == f"{study.supplier.name} <noreply@surveyapp.invalid>"
    assert str(ben["Reply-To"]) == "res@agency.example"
    assert str(ben["List-Unsubscribe"]) == f"<https://surveys.example.org/opt-out/{token}>"
    assert str(ben["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert ben["Message-ID"] is not None
    assert ben["Date"] is not None
    assert ben.get_content_type() == "multipart/alternative"


def test_sending_twice_queues_nothing_twice(db, fit_study, mail, smtp_server):
    study = fit_study()
    send_and_deliver(db, study, mail)

    again = send_and_deliver(db, study, mail)

    assert (again.invitations, again.emails, again.already) == (0, 0, 4)
    assert len(smtp_server.received) == 3
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 4


def test_opted_out_and_erased_contacts_are_reported_not_mailed(db, fit_study, mail, smtp_server):
    study = fit_study()
    to_interview(db, study, mail)
    smtp_server.handler.received.clear()
    contact(db, "anna@acme.example").opted_out_at = utcnow()
    ben = contact(db, "ben@globex.example")
    ben.erased_at = utcnow()
    db.session.commit()

    report = send_and_deliver(db, study, mail)

    assert report.invitations == 0
    assert sorted((s.contact.email, str(s.reason)) for s in report.skipped) == [
        ("anna@acme.example", "opted out of emails from this supplier"),
        ("ben@globex.example", "the contact's personal data has been erased"),
    ]
    assert smtp_server.received == []


def test_a_name_with_a_line_break_is_refused_not_cleaned(db, fit_study, mail, smtp_server):
    study = fit_study()
    to_interview(db, study, mail)
    smtp_server.handler.received.clear()
    contact(db, "ben@globex.example").name = "Ben\r\nBcc: victim@example.org"
    db.session.commit()

    report = send_and_deliver(db, study, mail)

    assert report.invitations == 1
    assert [(s.contact.email, str(s.reason)) for s in report.skipped] == [
        (
            "ben@globex.example",
            "the name contains a line break or another control character: correct the name first",
        )
    ]
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.handler.messages()] == ["anna@acme.example"]


def test_wrong_phase_is_refused_with_a_clear_message(db, fit_study, mail):
    study = fit_study()
    to_interview(db, study, mail)
    study.phase = Phase.ANALYSE
    db.session.commit()

    with pytest.raises(InvitationError) as error:
        send_invitations(session=db.session, study=study, mail=mail)

    assert str(error.value.message) == (
        "Invitations are sent in the prepare and interview phases; this study is in the analyse phase."
    )


def test_deadline_passed_is_refused_with_a_clear_message(db, fit_study, mail):
    study = fit_study(deadline=date(2020, 3, 31))

    with pytest.raises(InvitationError) as error:
        plan_send(session=db.session, study=study, now=utcnow())

    assert str(error.value.message) == (
        "The deadline of this study (March 31, 2020) has passed: extend it in the study settings first."
    )
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_staff_assigned_late_are_invited_in_the_interview_phase(db, fit_study, mail, smtp_server):
    study = fit_study()
    to_interview(db, study, mail)
    acme = contact(db, "anna@acme.example").account_id
    scope.add_contact(
        session=db.session,
        study=study,
        side="supplier",
        email="late@supplier.example",
        name="Late Larry",
        account_id=acme,
        actor=None,
    )
    db.session.commit()

    report = send_invitations(session=db.session, study=study, mail=mail)

    assert dict(report.by_audience) == {"client": 2, "staff": 1}


def test_history_records_created_queued_and_sent(db, fit_study, mail):
    study = fit_study()

    send_and_deliver(db, study, mail)

    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.contact_id == contact(db, "lea@supplier.example").id, Invitation.account_id.is_(None)
        )
    )
    events = db.session.execute(
        select(InvitationEvent.status, InvitationEvent.purpose, InvitationEvent.number)
        .where(InvitationEvent.invitation_id == invitation.id)
        .order_by(InvitationEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        (InvitationStatus.CREATED, None, None),
        (InvitationStatus.QUEUED, "send", 1),
        (InvitationStatus.SENT, "send", 1),
    ]
    assert invitation.status == InvitationStatus.SENT
    assert invitation.first_sent_at is not None
    assert invitation.first_sent_at > utcnow() - timedelta(minutes=1)
