"""Reminders to the owners of action items that are due soon or overdue, queued by `surveyapp tick`.

An open action (open or doing) of a study in the act phase is *due soon* from DUE_SOON_DAYS days before its
due date up to and including that date, and *overdue* from the day after, both in the study's time zone. Each
owner gets one email per action per state and due date: `reminded_soon_for` / `reminded_overdue_for` record
the due date a reminder was queued for, and the outbox's dedupe key says the same, so `tick` never resends;
moving the due date makes the action remindable again. Emails go out in the owner's language (a user's own
setting, else the supplier's report language; a contact's language as entered with the action).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from surveyapp.act.models import ActionItem, Decision
from surveyapp.act.services import study_today
from surveyapp.db import utcnow
from surveyapp.enums import ActionStatus, Phase
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.render import absolute_url
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Study

DUE_SOON_DAYS = 3
LANGUAGES = ("nl", "en")
SOON, OVERDUE = "soon", "overdue"
SUBJECTS = {
    (SOON, "en"): "Action due on {due}: {title}",
    (SOON, "nl"): "Actie af uiterlijk {due}: {title}",
    (OVERDUE, "en"): "Action overdue since {due}: {title}",
    (OVERDUE, "nl"): "Actie over de einddatum ({due}): {title}",
}
SUBJECT_TITLE = 80


@dataclass(frozen=True, slots=True)
class ActionReminderReport:
    soon: int = 0
    overdue: int = 0

    def line(self) -> str:
        return f"action reminders: {self.soon} due soon, {self.overdue} overdue"


def reminder_state(action: ActionItem, today: Any) -> str | None:
    """SOON, OVERDUE or None, for an action on a (local) day, ignoring what was already sent."""
    if not action.is_open:
        return None
    if action.due < today:
        return OVERDUE
    if action.due <= today + timedelta(days=DUE_SOON_DAYS):
        return SOON
    return None


def _recipient(action: ActionItem, study: Study) -> tuple[str, str, str] | None:
    """(address, name, language) of the owner, or None when there is nobody to write to."""
    user = action.owner_user
    if user is not None:
        if not user.is_active:
            return None
        language = (user.language or study.supplier.report_language).value
        return user.email, user.name, language
    if not action.owner_email:
        return None
    return action.owner_email, action.owner_name, action.owner_language.value


def _render(language: str, context: dict[str, Any]) -> tuple[str, str]:
    env = current_app.jinja_env
    text = env.get_template(f"act/email/reminder.{language}.txt").render(**context)
    html = env.get_template("email/_document.html").render(
        body_template=f"act/email/reminder.{language}.html", language=language, **context
    )
    return text.strip() + "\n", html


def _queue(session: Session, action: ActionItem, state: str, mail: MailSettings) -> bool:
    decision = action.decision
    study = decision.study
    recipient = _recipient(action, study)
    if recipient is None:
        return False
    address, name, language = recipient
    language = language if language in LANGUAGES else "en"
    due = format_date(action.due, "long", locale=language)
    title = " ".join(action.title.split())
    short = title if len(title) <= SUBJECT_TITLE else title[: SUBJECT_TITLE - 1] + "…"
    subject = SUBJECTS[(state, language)].format(due=due, title=short)
    context = {
        "subject": subject,
        "state": state,
        "recipient": name or address,
        "title": title,
        "account": decision.account.name,
        "supplier": study.supplier.name,
        "study": study.name,
        "due": due,
        "notes": action.notes,
        "link": absolute_url(mail.base_url, "act.account", slug=study.slug, account_id=decision.account_id)
        if action.owner_user is not None
        else None,
    }
    text, html = _render(language, context)
    queue_message(
        session=session,
        kind=MailKind.NOTIFICATION,
        dedupe_key=f"action:{action.id}:{state}:{action.due.isoformat()}",
        recipient=address,
        recipient_name=name,
        sender=mail.sender,
        draft=Draft(
            subject=subject,
            text_body=text,
            html_body=html,
            language=language,
        ),
    )
    return True


def send_action_reminders(
    *, session: Session, mail: MailSettings, now: datetime | None = None
) -> ActionReminderReport:
    """Queue the due-soon and overdue reminders not sent yet (flushes; the caller commits)."""
    now = now or utcnow()
    actions = session.scalars(
        select(ActionItem)
        .join(Decision, Decision.id == ActionItem.decision_id)
        .join(Study, Study.id == Decision.study_id)
        .where(Study.phase == Phase.ACT, ActionItem.status.in_((ActionStatus.OPEN, ActionStatus.DOING)))
        .options(
            joinedload(ActionItem.decision).joinedload(Decision.study), joinedload(ActionItem.owner_user)
        )
        .order_by(ActionItem.id)
    )
    soon = overdue = 0
    for action in actions:
        state = reminder_state(action, study_today(action.decision.study, now))
        if state == OVERDUE and action.reminded_overdue_for != action.due:
            if _queue(session, action, state, mail):
                overdue += 1
            action.reminded_overdue_for = action.due
        elif state == SOON and action.reminded_soon_for != action.due:
            if _queue(session, action, state, mail):
                soon += 1
            action.reminded_soon_for = action.due
    session.flush()
    return ActionReminderReport(soon=soon, overdue=overdue)
