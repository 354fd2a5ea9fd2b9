"""The researcher's invitation pages: access, send and remind, lists and history, corrections, settings, test
send."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.enums import InvitationStatus, Phase, Role
from surveyapp.invitations.models import Invitation, InvitationToken, StudyEmailSettings
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus
from surveyapp.studies.phases import change_phase
from tests.conftest import CSRF_INPUT, PASSWORD
from tests.invitations.conftest import contact, links_in


def pages(slug: str) -> list[str]:
    base = f"/studies/{slug}/invitations"
    return [base, f"{base}/brief", f"{base}/non-responders", f"{base}/email"]


def test_another_suppliers_researcher_gets_404_everywhere(
    db, fit_study, make_supplier, make_user, login, client
):
    study = fit_study()
    other = make_user(suppliers=[make_supplier("Competitor")])
    login(other)

    codes = [client.get(url).status_code for url in pages(study.slug)]
    posts = [
        client.post_form(f"/studies/{study.slug}/invitations/{action}").status_code
        for action in ("send", "remind")
    ]

    assert codes == [404] * 4
    assert posts == [404, 404]
    assert db.session.scalar(select(Invitation.id)) is None


def test_account_team_gets_404(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user(role=Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    assert [client.get(url).status_code for url in pages(study.slug)] == [404] * 4


def test_overview_shows_what_send_would_do(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())

    page = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    assert "Ready to send: 4 invitations in 3 emails." in page
    assert (
        "Supplier staff: 3 invitations, one email per staff member listing a link per account they rate."
        in page
    )
    assert "Send 4 invitations" in page


def test_send_button_queues_and_links_come_from_base_url_not_the_host(
    db, fit_study, make_user, login, client, smtp_server
):
    study = fit_study()
    user = make_user(email="rita@agency.example")
    evil = {"Host": "evil.example"}  # every request of this browser names another host

    def csrf(url: str) -> str:
        return CSRF_INPUT.search(client.get(url, headers=evil).get_data(as_text=True)).group(1)

    client.post(
        "/login", headers=evil, data={"email": user.email, "password": PASSWORD, "csrf_token": csrf("/login")}
    )
    page = f"/studies/{study.slug}/invitations"
    response = client.post(f"{page}/send", headers=evil, data={"csrf_token": csrf(page)})
    queued = list(db.session.scalars(select(OutboxMessage.status)))
    deliver_outbox()

    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.handler.messages()]
    assert response.status_code == 302
    assert response.request.host == "evil.example"
    assert queued == [OutboxStatus.PENDING] * 3
    assert all("evil.example" not in text for text in texts)
    assert sum(len(links_in(text)) for text in texts) == 4
    assert db.session.get(StudyEmailSettings, study.id).reply_to == "rita@agency.example"


def test_send_without_csrf_is_refused(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())

    response = client.post(f"/studies/{study.slug}/invitations/send")

    assert response.status_code == 400
    assert db.session.scalar(select(Invitation.id)) is None


def test_send_in_the_wrong_phase_shows_a_clear_message(db, fit_study, make_user, login, client):
    study = fit_study()
    study.phase = Phase.ACT
    db.session.commit()
    login(make_user())

    response = client.post_form(f"/studies/{study.slug}/invitations/send", follow_redirects=True)

    assert "Invitations are sent in the prepare and interview phases; this study is in the act phase." in (
        response.get_data(as_text=True)
    )


def test_account_page_lists_invitations_with_their_history(db, fit_study, mail, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    globex = contact(db, "ben@globex.example").account_id

    page = client.get(f"/studies/{study.slug}/invitations/accounts/{globex}").get_data(as_text=True)

    assert "Invitations about Globex" in page
    assert "Sam Staff" in page
    assert "Lea Lead" in page
    assert page.count("<summary>History") == 2
    assert "How well do our clients fit us? Your view per account → sam@supplier.example: sent" in page


def test_non_responders_page_lists_delivered_unanswered_invitations(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    done = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))
    done.status = InvitationStatus.COMPLETED
    db.session.commit()

    page = client.get(f"/studies/{study.slug}/invitations/non-responders").get_data(as_text=True)

    assert page.count("Sam Staff (sam@supplier.example): sent") == 2
    assert page.count("Lea Lead (lea@supplier.example): sent") == 1
    assert "The brief" not in page


def test_remind_now_button_queues_reminders(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    for invitation in db.session.scalars(select(Invitation)):
        invitation.last_queued_at = invitation.last_queued_at.replace(year=2000)
    for token in db.session.scalars(select(InvitationToken)):
        token.created_at = token.created_at.replace(year=2000)  # sent long ago, not within the last day
    db.session.commit()

    response = client.post_form(f"/studies/{study.slug}/invitations/remind", follow_redirects=True)

    kinds = list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))
    assert "Reminders: 4 invitations queued in 3 emails." in response.get_data(as_text=True)
    assert kinds == [MailKind.INVITATION] * 3 + [MailKind.REMINDER] * 3


def test_correct_address_page_validates_and_resends(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    brief = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))
    url = f"/studies/{study.slug}/invitations/{brief.id}/address"

    bad = client.post_form(url, {"email": "not an address"})
    good = client.post_form(url, {"email": "lea.lead@supplier.example"})

    assert bad.status_code == 422
    assert "Enter a valid email address." in bad.get_data(as_text=True)
    assert good.status_code == 302
    assert good.headers["Location"] == f"/studies/{study.slug}/invitations/brief"
    assert contact(db, "lea.lead@supplier.example") is not None
    assert (
        db.session.scalar(
            select(OutboxMessage.status)
            .where(OutboxMessage.recipient == "lea.lead@supplier.example")
            .limit(1)
        )
        == OutboxStatus.PENDING
    )


def test_email_settings_refuse_a_line_break_in_the_subject(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())

    response = client.post_form(
        f"/studies/{study.slug}/invitations/email", {"subject_en": "Hello\r\nBcc: everyone@example.org"}
    )

    assert response.status_code == 422
    assert "Line breaks and other control characters are not allowed here." in response.get_data(as_text=True)
    assert db.session.get(StudyEmailSettings, study.id) is None


def test_email_settings_are_saved_and_previewed_in_both_languages(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())
    anna = contact(db, "anna@acme.example")
    anna.name = "Anna <script>alert(1)</script>"
    db.session.commit()

    saved = client.post_form(
        f"/studies/{study.slug}/invitations/email",
        {
            "subject_nl": "Hoe passen wij bij u, {supplier}?",
            "subject_en": "How do we fit you?",
            "intro_en": "First paragraph.\n\nSecond <b>paragraph</b>.",
            "sender_name_en": "Rita at Agency",
            "reply_to": "rita@agency.example",
        },
    )
    page = client.get(f"/studies/{study.slug}/invitations/email?contact={anna.id}").get_data(as_text=True)

    assert saved.status_code == 302
    assert f"Hoe passen wij bij u, {study.supplier.name}?" in page
    assert "How do we fit you?" in page
    assert "<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>" in page
    assert "Rita at Agency" in page
    assert "Beste Anna &lt;script&gt;alert(1)&lt;/script&gt;," in page
    assert "<script>" not in page


def test_test_send_goes_to_the_researcher_marked_test_with_a_dead_link(
    db, fit_study, make_user, login, client, smtp_server
):
    study = fit_study()
    login(make_user(email="rita@agency.example", name="Rita"))
    ben = contact(db, "ben@globex.example")

    response = client.post_form(
        f"/studies/{study.slug}/invitations/email/test", {"contact": ben.id, "language": "en"}
    )
    deliver_outbox()

    message = smtp_server.handler.messages()[0]
    link = links_in(message.get_body(preferencelist=("plain",)).get_content())[0]
    assert response.status_code == 302
    assert str(message["To"]) == "Rita <rita@agency.example>"
    assert str(message["Subject"]) == f"[TEST] Your view on working with {study.supplier.name}"
    assert client.get(f"/s/{link}").status_code == 404
    assert db.session.scalar(select(Invitation.id)) is None


def test_study_page_links_to_the_invitations(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())

    page = client.get(f"/studies/{study.slug}").get_data(as_text=True)

    assert f'href="/studies/{study.slug}/invitations"' in page


def test_interview_phase_overview_counts_clients(db, fit_study, mail, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()

    page = client.get(f"/studies/{study.slug}/invitations").get_data(as_text=True)

    assert "Client contacts: 2 invitations." in page
    assert "Already queued earlier: 4 invitations (never sent twice)." in page


def test_brief_page_and_address_form_render(db, fit_study, make_user, login, client):
    study = fit_study()
    login(make_user())
    client.post_form(f"/studies/{study.slug}/invitations/send")
    deliver_outbox()
    brief = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))

    page = client.get(f"/studies/{study.slug}/invitations/brief").get_data(as_text=True)
    form = client.get(f"/studies/{study.slug}/invitations/{brief.id}/address")

    assert "<h1>The brief</h1>" in page
    assert "Lea Lead" in page
    assert form.status_code == 200
    assert "Correct the address of Lea Lead" in form.get_data(as_text=True)


def test_an_invitation_of_another_study_is_404(db, fit_study, make_user, login, client):
    first, second = fit_study(), fit_study()
    login(make_user())
    client.post_form(f"/studies/{first.slug}/invitations/send")
    invitation = db.session.scalar(select(Invitation.id).limit(1))

    response = client.post_form(f"/studies/{second.slug}/invitations/{invitation}/resend")

    assert response.status_code == 404
