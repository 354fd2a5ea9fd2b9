"""Password-set and password-reset links by email, through the same outbox as everything else."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.orm import Session

from surveyapp.auth.models import User
from surveyapp.auth.services import IssuedToken, find_user, issue_password_token
from surveyapp.mail.models import MailKind, OutboxMessage
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.render import absolute_url, render_body
from surveyapp.mail.settings import MailSettings

SUBJECTS = {
    ("set", "en"): "Set your password for surveyapp",
    ("set", "nl"): "Stel uw wachtwoord in voor surveyapp",
    ("reset", "en"): "Choose a new password for surveyapp",
    ("reset", "nl"): "Kies een nieuw wachtwoord voor surveyapp",
}


def queue_password_email(
    *,
    session: Session,
    user_email: str,
    user_name: str,
    language: str | None,
    token: str,
    token_id: int,
    purpose: str,
    expires_at: datetime,
    mail: MailSettings,
) -> OutboxMessage:
    """Queue the email with a one-time password link (flushes). Its body is blanked once it has been sent."""
    lang = language if language in ("nl", "en") else "en"
    context = {
        "subject": SUBJECTS[(purpose, lang)],
        "name": user_name,
        "email": user_email,
        "purpose": purpose,
        "link": absolute_url(mail.base_url, "auth.set_password_link", token=token),
        "expires": format_datetime(expires_at, "long", tzinfo=ZoneInfo(mail.time_zone), locale=lang),
    }
    body = render_body("password", lang, context)
    return queue_message(
        session=session,
        kind=MailKind.PASSWORD,
        dedupe_key=f"password:{token_id}",
        recipient=user_email,
        recipient_name=user_name,
        sender=mail.sender,
        draft=Draft(
            subject=SUBJECTS[(purpose, lang)], text_body=body.text, html_body=body.html, language=lang
        ),
        sensitive=True,
    )


def send_password_link(
    *, session: Session, user: User, purpose: str, hours: int, mail: MailSettings, actor: User | None = None
) -> IssuedToken:
    """Issue a one-time password link (earlier unused ones stop working) and queue the email carrying it."""
    issued = issue_password_token(session=session, user=user, purpose=purpose, hours=hours, actor=actor)
    queue_password_email(
        session=session,
        user_email=user.email,
        user_name=user.name,
        language=user.language.value if user.language else None,
        token=issued.token,
        token_id=issued.record.id,
        purpose=purpose,
        expires_at=issued.record.expires_at,
        mail=mail,
    )
    return issued


def request_password_reset(*, session: Session, email: str, hours: int, mail: MailSettings) -> None:
    """ "Forgot your password?": email a link when an active user has this address, and otherwise do nothing.

    The caller shows the same answer either way, so the page never reveals whether an address has an account.
    """
    user = find_user(session=session, email=email)
    if user is None or not user.is_active_user:
        return
    send_password_link(
        session=session, user=user, purpose="reset" if user.password_hash else "set", hours=hours, mail=mail
    )
