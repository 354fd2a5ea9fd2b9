"""Sending an approved report to account-team members through the outbox, recorded on the report.

A report up to `attach_max_bytes` travels as a PDF attachment; a larger one as a link to log in and download
it (SURVEYAPP_BASE_URL is the only source of links in emails). Emails are written per language in
`templates/reporting/email/` and go out in the recipient's language (else the supplier's report language).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.permissions import is_staff
from surveyapp.enums import Role
from surveyapp.i18n import _l
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Attachment, Draft, queue_message
from surveyapp.mail.render import absolute_url
from surveyapp.mail.settings import MailSettings
from surveyapp.reporting.models import DeliveryMethod, Report, ReportDelivery, ReportKind, ReportStatus
from surveyapp.reporting.services import ReportError, refuse_if_outdated

LANGUAGES = ("nl", "en")
# Subjects per kind and language, like the email bodies written per language (not through the catalogue).
SUBJECTS = {
    (ReportKind.ACCOUNT, "en"): "Account report: {name}",
    (ReportKind.ACCOUNT, "nl"): "Klantrapport: {name}",
    (ReportKind.PORTFOLIO, "en"): "Portfolio report: {name}",
    (ReportKind.PORTFOLIO, "nl"): "Portfoliorapport: {name}",
}


def report_filename(report: Report) -> str:
    """An ASCII file name that says what the report is: portfolio-report-demo-2025-en-v2.pdf."""
    parts = [f"{report.kind.value}-report", report.study.slug]
    if report.account is not None:
        parts.append(report.account.name)
    parts += [report.language.value, f"v{report.version}"]
    text = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:150] + ".pdf"


def _render(name: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    env = current_app.jinja_env
    text = env.get_template(f"reporting/email/{name}.{language}.txt").render(**context)
    html = env.get_template("email/_document.html").render(
        body_template=f"reporting/email/{name}.{language}.html", language=language, **context
    )
    return text.strip() + "\n", html


def send_report(
    *,
    session: Session,
    report: Report,
    recipients: Sequence[Any],
    actor: Any,
    mail: MailSettings,
    attach_max_bytes: int,
    providers: Iterable[Callable[..., Any]] | None = None,
) -> list[ReportDelivery]:
    """Queue one email per recipient (flushes; the caller commits) and record each delivery on the report.

    Only an approved report that is not outdated (`reporting.sources`) is sent, only by a researcher, and only to
    active account-team members of the report's supplier. `providers`: the report sections in use (default:
    the built-in ones).
    """
    if actor is None or not is_staff(actor):
        raise ReportError(_l("Only a researcher can send a report."))
    if report.status is not ReportStatus.READY or report.approved_at is None:
        raise ReportError(_l("A report must be approved by a researcher before it can be sent."))
    refuse_if_outdated(session=session, report=report, providers=providers)
    if not recipients:
        raise ReportError(_l("Choose at least one account-team member to send the report to."))
    supplier_id = report.study.supplier_id
    for user in recipients:
        if (
            user.role != Role.ACCOUNT_TEAM
            or not user.is_active
            or supplier_id not in {s.id for s in user.suppliers}
        ):
            raise ReportError(
                _l("%(email)s is not an account-team member of this supplier.", email=user.email)
            )
    attach = report.size is not None and report.size <= attach_max_bytes
    pdf = (report.pdf or b"") if attach else b""  # a deferred column: loaded only when it is attached
    link = absolute_url(mail.base_url, "reporting.download", report_id=report.id)
    deliveries = []
    for user in recipients:
        language = (user.language or report.study.supplier.report_language).value
        language = language if language in LANGUAGES else "en"
        delivery = ReportDelivery(
            report_id=report.id,
            recipient_id=user.id,
            recipient_email=user.email,
            method=DeliveryMethod.ATTACHMENT if attach else DeliveryMethod.LINK,
            sent_by_id=actor.id,
            sent_by_label=actor.email,
        )
        session.add(delivery)
        session.flush()
        name = report.account.name if report.account else report.study.name
        subject = SUBJECTS[(report.kind, language)].format(name=name)
        context = {
            "subject": subject,
            "recipient": user.display_name,
            "supplier": report.study.supplier.name,
            "study": report.study.name,
            "account": report.account.name if report.account else None,
            "portfolio": report.kind is ReportKind.PORTFOLIO,
            "attached": attach,
            "link": link,
            "sender": actor.display_name,
        }
        text, html = _render("report", language, context)
        message = queue_message(
            session=session,
            kind=MailKind.NOTIFICATION,
            dedupe_key=f"report-delivery:{delivery.id}",
            recipient=user.email,
            recipient_name=user.name,
            sender=mail.sender,
            draft=Draft(subject=subject, text_body=text, html_body=html, language=language),
            sensitive=True,
            attachments=[Attachment(report_filename(report), "application/pdf", pdf)] if attach else (),
        )
        delivery.outbox_message_id = message.id
        deliveries.append(delivery)
    session.flush()
    record(
        session=session,
        action="report.sent",
        actor=actor,
        obj=report,
        supplier_id=supplier_id,
        details={"to": [user.email for user in recipients], "attached": attach},
    )
    return deliveries
