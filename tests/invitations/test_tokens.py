"""Personal links: only hashes stored, the landing records `opened` once and redirects, misses reveal
nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus
from surveyapp.invitations import access
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.invitations.sending import send_invitations
from surveyapp.invitations.tokens import deadline_passed, new_token
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage
from tests.invitations.conftest import links_in


def sent_links(db, study, mail, smtp_server) -> dict[str, list[str]]:
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    deliver_outbox()
    return {
        m["To"].addresses[0].addr_spec: links_in(m.get_body(preferencelist=("plain",)).get_content())
        for m in smtp_server.handler.messages()
    }


def test_token_is_random_enough():
    tokens = {new_token() for _ in range(200)}

    assert len(tokens) == 200
    assert {len(t) for t in tokens} == {43}  # 32 random bytes, base64url


def test_only_the_hash_of_a_token_is_stored(db, fit_study, mail, smtp_server):
    study = fit_study()

    token = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]

    hashes = set(db.session.scalars(select(InvitationToken.token_hash)))
    bodies = db.session.execute(
        select(OutboxMessage.text_body, OutboxMessage.html_body, OutboxMessage.raw)
    ).all()
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes
    assert all(token not in text + (html or "") and token.encode() not in raw for text, html, raw in bodies)


def test_first_visit_records_opened_once_and_redirects_without_the_token(
    db, fit_study, mail, smtp_server, client
):
    study = fit_study()
    token = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]

    first = client.get(f"/s/{token}")
    second = client.get(f"/s/{token}")

    invitation = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))
    opened = db.session.scalar(
        select(func.count())
        .select_from(InvitationEvent)
        .where(
            InvitationEvent.invitation_id == invitation.id, InvitationEvent.status == InvitationStatus.OPENED
        )
    )
    with client.session_transaction() as session:
        granted = access.granted_ids(session)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == f"/survey/{invitation.id}"
    assert token not in first.headers["Location"]
    assert invitation.status == InvitationStatus.OPENED
    assert invitation.opened_at is not None
    assert opened == 1
    assert granted == [invitation.id]


def test_every_email_of_an_invitation_leads_to_it(db, fit_study, mail, smtp_server, client):
    from surveyapp.invitations.sending import resend

    study = fit_study()
    first = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]
    brief = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))
    resend(session=db.session, study=study, invitations=[brief], mail=mail)
    db.session.commit()
    deliver_outbox()
    second = links_in(smtp_server.handler.messages()[-1].get_body(preferencelist=("plain",)).get_content())[0]

    assert first != second
    assert client.get(f"/s/{first}").headers["Location"] == f"/survey/{brief.id}"
    assert client.get(f"/s/{second}").headers["Location"] == f"/survey/{brief.id}"


def test_unknown_link_is_a_friendly_404_that_reveals_nothing(db, fit_study, mail, smtp_server, client):
    study = fit_study(name="Secret Study Name")
    sent_links(db, study, mail, smtp_server)

    response = client.get(f"/s/{new_token()}")

    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Link not found" in page
    assert "Secret Study Name" not in page
    assert study.supplier.name not in page


def test_revoked_link_is_a_friendly_410(db, fit_study, mail, smtp_server, client):
    study = fit_study(name="Secret Study Name")
    token = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]
    for row in db.session.scalars(select(InvitationToken)):
        row.revoked_at = utcnow()
    db.session.commit()

    response = client.get(f"/s/{token}")

    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Link no longer valid" in page
    assert "Secret Study Name" not in page
    assert study.supplier.name not in page


def test_link_after_the_deadline_is_410_and_records_nothing(db, fit_study, mail, smtp_server, client):
    study = fit_study()
    token = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]
    study.deadline = date(2021, 1, 1)
    db.session.commit()

    response = client.get(f"/s/{token}")

    assert response.status_code == 410
    assert (
        db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.opened_at.is_not(None))
        )
        == 0
    )
    with client.session_transaction() as session:
        assert access.granted_ids(session) == []


def test_deadline_is_inclusive_until_the_end_of_the_day_in_the_study_time_zone(db, fit_study):
    study = fit_study(deadline=date(2026, 3, 31), time_zone="Europe/Amsterdam")

    # 23:30 in Amsterdam (CEST, UTC+2) on the deadline is still in time; 00:30 the next day is not.
    assert deadline_passed(study, datetime(2026, 3, 31, 21, 30, tzinfo=UTC)) is False
    assert deadline_passed(study, datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) is True


def test_guessing_is_rate_limited_per_ip_and_counts_only_misses(
    db, fit_study, mail, smtp_server, client, make_user, login
):
    study = fit_study()
    token = sent_links(db, study, mail, smtp_server)["lea@supplier.example"][0]
    user = make_user()

    valid = [client.get(f"/s/{token}").status_code for _ in range(60)]
    misses = [client.get(f"/s/{new_token()}").status_code for _ in range(50)]
    with client.session_transaction() as session:
        session.pop("lang")  # the valid link chose the contact's language; read this page in the browser's
    blocked = client.get(f"/s/{new_token()}")
    blocked_valid = client.get(f"/s/{token}")
    other_ip = client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": "10.0.0.2"})

    assert set(valid) == {302}
    assert set(misses) == {404}
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert blocked_valid.status_code == 429
    assert other_ip.status_code == 302
    assert login(user).status_code == 302
