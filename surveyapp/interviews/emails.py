"""The email to the contact that confirms (or cancels) an interview, with an .ics calendar file, through the
outbox. Written per language in `templates/interviews/email/`; times in the study's time zone, the calendar
file in UTC. Replies go to the researcher."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from flask import current_app
from sqlalchemy.orm import Session

from surveyapp.i18n import _l
from surveyapp.interviews.errors import InterviewError
from surveyapp.interviews.ics import Event, calendar
from surveyapp.interviews.models import Interview, InterviewChannel, InterviewStatus
from surveyapp.invitations.planning import contact_problem
from surveyapp.mail.headers import HeaderError
from surveyapp.mail.models import MailKind, OutboxMessage
from surveyapp.mail.outbox import Attachment, Draft, queue_message
from surveyapp.mail.settings import MailSettings

LANGUAGES = ("nl", "en")
ICS_FILENAME = "interview.ics"
CHANNELS = {
    "en": {"on_site": "in person", "phone": "by phone", "video": "by video call", "paper": "in person"},
    "nl": {
        "on_site": "op locatie",
        "phone": "telefonisch",
        "video": "via een videogesprek",
        "paper": "op locatie",
    },
}
SUMMARIES = {
    ("en", "client"): "Interview about working with {supplier}",
    ("nl", "client"): "Gesprek over de samenwerking met {supplier}",
    ("en", "supplier"): "Interview about {account}",
    ("nl", "supplier"): "Gesprek over {account}",
}
SUBJECTS = {
    ("en", False): "Confirmed: {summary}, {when}",
    ("nl", False): "Bevestiging: {summary}, {when}",
    ("en", True): "Cancelled: {summary}, {when}",
    ("nl", True): "Geannuleerd: {summary}, {when}",
}


def _render(language: str, context: dict[str, Any]) -> tuple[str, str]:
    env = current_app.jinja_env
    text = env.get_template(f"interviews/email/confirmation.{language}.txt").render(**context)
    html = env.get_template("email/_document.html").render(
        body_template=f"interviews/email/confirmation.{language}.html", language=language, **context
    )
    return text.strip() + "\n", html


def can_email(interview: Interview) -> Any | None:
    """Why the contact cannot be emailed about this interview, or None."""
    if interview.is_paper:
        return _l("a paper interview needs no appointment email")
    return contact_problem(interview.contact)


def queue_appointment_email(
    *, session: Session, interview: Interview, mail: MailSettings, now: datetime
) -> OutboxMessage:
    """Queue the confirmation (or, for a cancelled interview, the cancellation) with its .ics file (flushes).

    Idempotent per calendar sequence. Raises InterviewError when the contact cannot be emailed.
    """
    problem = can_email(interview)
    if problem is not None:
        raise InterviewError(_l("No email was sent: %(reason)s.", reason=problem))
    cancelled = interview.status == InterviewStatus.CANCELLED
    study = interview.study
    contact = interview.contact
    language = interview.language if interview.language in LANGUAGES else "en"
    zone = ZoneInfo(study.time_zone)
    researcher = interview.researcher
    researcher_name = researcher.display_name if researcher is not None else study.supplier.name
    summary = SUMMARIES[(language, interview.perspective.value)].format(
        supplier=study.supplier.name, account=interview.account.name
    )
    when = format_datetime(interview.scheduled_at, "d MMMM y, HH:mm", tzinfo=zone, locale=language)
    context = {
        "name": contact.name,
        "summary": summary,
        "cancelled": cancelled,
        "date": format_datetime(interview.scheduled_at, "EEEE d MMMM y", tzinfo=zone, locale=language),
        "start": format_time(interview.scheduled_at, "HH:mm", tzinfo=zone, locale=language),
        "end": format_time(interview.scheduled_end, "HH:mm", tzinfo=zone, locale=language),
        "time_zone": study.time_zone,
        "channel": CHANNELS[language][interview.channel.value],
        "video": interview.channel == InterviewChannel.VIDEO,
        "location": interview.location,
        "researcher": researcher_name,
        "minutes": interview.planned_minutes,
        "filename": ICS_FILENAME,
    }
    subject = SUBJECTS[(language, cancelled)].format(summary=summary, when=when)
    text, html = _render(language, {**context, "subject": subject})
    event = Event(
        uid=interview.ics_uid,
        sequence=interview.ics_sequence,
        start=interview.scheduled_at,
        end=interview.scheduled_end,
        summary=summary,
        description=f"{researcher_name} · {context['channel']}",
        location=interview.location,
        cancelled=cancelled,
    )
    reply_to = researcher.email if researcher is not None else None
    kind = "cancel" if cancelled else "confirm"
    try:
        message = queue_message(
            session=session,
            kind=MailKind.NOTIFICATION,
            dedupe_key=f"interview:{interview.id}:{kind}:{interview.ics_sequence}",
            recipient=contact.email or "",
            recipient_name=contact.name,
            sender=mail.sender,
            draft=Draft(
                subject=subject, text_body=text, html_body=html, reply_to=reply_to, language=language
            ),
            attachments=[Attachment(ICS_FILENAME, "text/calendar", calendar(event, stamp=now))],
        )
    except HeaderError as exc:
        raise InterviewError(_l("No email was sent: %(reason)s", reason=exc.message)) from None
    if not cancelled:
        interview.confirmation_message_id = message.id
        session.flush()
    return message
