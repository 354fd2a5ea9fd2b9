"""Password-set and password-reset emails go through the outbox; "forgot your password" reveals nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.enums import Language, Role
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus

LINK = re.compile(r"https://surveys\.example\.org/set-password/([A-Za-z0-9_-]+)")


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_admin_password_link_is_also_emailed_and_works(db, client, make_user, login, smtp_server):
    admin = make_user(role=Role.ADMIN)
    newcomer = make_user(email="new@example.org", password=None, name="Nina", language=Language.NL)
    login(admin)

    page = client.post_form(f"/admin/users/{newcomer.id}/password-link")
    queued = db.session.scalar(select(OutboxMessage))
    queued_as = (queued.kind, queued.status)
    deliver_outbox()

    message = smtp_server.handler.messages()[0]
    token = LINK.search(text_of(message)).group(1)
    assert "The link has also been emailed to new@example.org." in page.get_data(as_text=True)
    assert queued_as == (MailKind.PASSWORD, OutboxStatus.PENDING)
    assert str(message["Subject"]) == "Stel uw wachtwoord in voor surveyapp"
    assert text_of(message).startswith(
        "Beste Nina,\n\nEr is een account voor u aangemaakt op surveyapp (new@example.org)."
    )
    assert client.get(f"/set-password/{token}").status_code == 302
    db.session.refresh(queued)
    assert (queued.status, queued.text_body, queued.html_body) == (OutboxStatus.SENT, "", None)


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(
    db, client, make_user, smtp_server
):
    make_user(email="known@example.org")

    known = client.post_form("/forgot-password", {"email": "known@example.org"}, follow_redirects=True)
    unknown = client.post_form("/forgot-password", {"email": "unknown@example.org"}, follow_redirects=True)
    deliver_outbox()

    def answer(response, email):
        # CSRF tokens (the page's form and the header's language switch) carry a timestamp, so two pages a
        # second apart differ there and nowhere else.
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "CSRF", page)

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert answer(known, "known@example.org") == answer(unknown, "unknown@example.org")
    assert "If EMAIL belongs to an account, a link to choose a new password is on its way." in answer(
        known, "known@example.org"
    )
    assert [r.rcpt_tos for r in smtp_server.received] == [["known@example.org"]]
    message = smtp_server.handler.messages()[0]
    assert str(message["Subject"]) == "Choose a new password for surveyapp"
    assert LINK.search(text_of(message)) is not None


def test_forgot_password_ignores_inactive_users(db, client, make_user, smtp_server):
    user = make_user(email="gone@example.org")
    user.is_active_user = False
    db.session.commit()

    client.post_form("/forgot-password", {"email": "gone@example.org"})
    deliver_outbox()

    assert smtp_server.received == []


def test_forgot_password_is_rate_limited_per_address(db, client, make_user, smtp_server):
    make_user(email="known@example.org")

    codes = [
        client.post_form("/forgot-password", {"email": "known@example.org"}).status_code for _ in range(4)
    ]
    other = client.post_form("/forgot-password", {"email": "other@example.org"})

    assert codes == [302, 302, 302, 429]
    assert other.status_code == 302


def test_login_page_links_to_forgot_password(client):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)
