"""A study's email settings, their preview for a chosen contact, and the test send to oneself."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.i18n import _l
from surveyapp.invitations.emails import CLIENT, Composed, LinkItem, compose, invitation_draft
from surveyapp.invitations.models import StudyEmailSettings
from surveyapp.invitations.planning import InvitationError
from surveyapp.mail.headers import HeaderError, check_address, check_header_text
from surveyapp.mail.models import MailKind, OutboxMessage
from surveyapp.mail.outbox import queue_message
from surveyapp.mail.render import LANGUAGES, render_body
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Contact, Study

MAX_INTRO = 4000
# Line breaks are fine in an intro (it is body text); other control characters are not.
_BODY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
LABELS = {
    "subject": _l("Subject"),
    "sender_name": _l("Sender name"),
    "intro": _l("Introduction"),
}


@dataclass(frozen=True, slots=True)
class EmailTexts:
    subject_nl: str = ""
    subject_en: str = ""
    intro_nl: str = ""
    intro_en: str = ""
    sender_name_nl: str = ""
    sender_name_en: str = ""
    reply_to: str = ""


def _check(texts: EmailTexts) -> dict[str, Any]:
    values: dict[str, Any] = {}
    try:
        for language in LANGUAGES:
            subject = getattr(texts, f"subject_{language}").strip()
            values[f"subject_{language}"] = check_header_text(subject, what=LABELS["subject"], limit=200)
            sender = getattr(texts, f"sender_name_{language}").strip()
            values[f"sender_name_{language}"] = check_header_text(
                sender, what=LABELS["sender_name"], limit=100
            )
            intro = getattr(texts, f"intro_{language}").replace("\r\n", "\n").strip()
            if _BODY_CONTROL.search(intro):
                raise HeaderError(_l("%(what)s may not contain control characters.", what=LABELS["intro"]))
            if len(intro) > MAX_INTRO:
                raise HeaderError(
                    _l("%(what)s may have at most %(n)d characters.", what=LABELS["intro"], n=MAX_INTRO)
                )
            values[f"intro_{language}"] = intro
        reply_to = texts.reply_to.strip()
        values["reply_to"] = check_address(reply_to, what=_l("The reply-to address")) if reply_to else None
    except HeaderError as exc:
        raise InvitationError(exc.message) from None
    return values


def update_email_settings(
    *, session: Session, study: Study, texts: EmailTexts, actor: Any
) -> StudyEmailSettings:
    """Store the study's subject, intro and sender name per language and its Reply-To (flushes).

    A line break or other control character in a subject or sender name is refused, never stripped.
    """
    values = _check(texts)
    settings = session.get(StudyEmailSettings, study.id)
    if settings is None:
        settings = StudyEmailSettings(study_id=study.id)
        session.add(settings)
    changed = sorted(name for name, value in values.items() if getattr(settings, name) != value)
    for name, value in values.items():
        setattr(settings, name, value)
    session.flush()
    audit(
        session=session,
        action="study.email_settings_changed",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"fields": changed},
    )
    return settings


@dataclass(frozen=True, slots=True)
class Preview:
    composed: Composed
    text: str


def preview(
    *, study: Study, settings: StudyEmailSettings | None, contact: Contact, mail: MailSettings
) -> list[Preview]:
    """The client invitation as `contact` would get it, in both languages, with an example link."""
    example = [LinkItem(token="EXAMPLE-PERSONAL-LINK")]  # noqa: S106  (shown, never stored)
    result = []
    for language in LANGUAGES:
        composed = compose(
            study=study,
            settings=settings,
            contact=contact,
            audience=CLIENT,
            links=example,
            reminder=0,
            mail=mail,
            language=language,
        )
        result.append(Preview(composed, render_body("invitation", language, composed.context).text))
    return result


def send_test(
    *,
    session: Session,
    study: Study,
    settings: StudyEmailSettings | None,
    contact: Contact,
    language: str,
    recipient: str,
    recipient_name: str,
    mail: MailSettings,
) -> OutboxMessage:
    """Queue the client invitation, written as for `contact`, to the researcher themself (flushes).

    The subject says TEST and the link is random and stored nowhere: it leads to "link not found".
    """
    if language not in LANGUAGES:
        raise InvitationError(_l("Choose Dutch or English."))
    draft = invitation_draft(
        study=study,
        settings=settings,
        contact=contact,
        audience=CLIENT,
        links=[LinkItem(token=secrets.token_urlsafe(32))],
        reminder=0,
        mail=mail,
        test=True,
        language=language,
    )
    try:
        return queue_message(
            session=session,
            kind=MailKind.TEST,
            dedupe_key=f"test:{study.id}:{secrets.token_hex(8)}",
            recipient=recipient,
            recipient_name=recipient_name,
            sender=mail.sender,
            draft=draft,
        )
    except HeaderError as exc:
        raise InvitationError(exc.message) from None
