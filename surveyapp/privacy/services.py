"""Erasure of a contact (GDPR Art. 17) and the export of everything held about them (Art. 15/20).

A contact is found by email, within one supplier or everywhere (one person is a separate contact per supplier).
Erasure removes, for every such contact:

- the contact's name, email and role (the row stays, blank, with `erased_at`, so that anonymous scores keep a
  respondent and nothing is invited again);
- the free-text answers of their responses (in `answers` and in every submission snapshot), their interview
  notes, quotes, locations and cancellation reasons, and with them the theme tags and report quotes on those;
- their scores too when a study does not keep anonymous scores (`Study.keep_anonymous_scores` false): the
  responses, interviews and their answers are deleted;
- the error texts of their invitations (they may quote the address) and every personal-link token (revoked);
- every email to them, and every email that names them, in the outbox (bodies blanked, unsent ones
  cancelled), and the files of those emails in the file backend's folder;
- ownership of action items (by email), deal-check links to their address, and every mention of their name or
  address in text that researchers wrote (decisions, commentaries, action notes, audit reasons and details);
- stored reports that held their data: the PDF is deleted, the report marked withdrawn and its newest version
  queued again (a report only exists in analyse and act, so it is only queued there);
- their erasure requests (`privacy.requests`): closed, their notes blanked;
- import files waiting to be confirmed (`import_uploads`) that name them, and files of the instance folder's old
  `uploads/` (before import previews were kept in the database) that do.

The erasure itself is audited with ids and counts only. Services never commit; the caller commits once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session, undefer

from surveyapp.act.models import ActionItem, Decision
from surveyapp.audit.models import AuditEvent
from surveyapp.audit.services import record
from surveyapp.auth.models import User
from surveyapp.coding.models import ReportQuote, Theme, ThemeTag
from surveyapp.coding.targets import FREE_TEXT
from surveyapp.db import utcnow
from surveyapp.deals.models import DealCheck, DealCheckInvitation, DealCheckPdf, ProspectDecision
from surveyapp.i18n import _l
from surveyapp.interviews.models import Interview, InterviewNote, InterviewQuote
from surveyapp.interviews.services import erase_contact_texts
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.mail.models import OutboxMessage
from surveyapp.mail.outbox import blanked_body, cancel_messages, forget_recipient
from surveyapp.privacy.requests import close_for_contacts, label_of
from surveyapp.questionnaires.services import load_version
from surveyapp.reporting.models import Report, ReportCommentary, ReportDelivery, ReportKind, ReportStatus
from surveyapp.reporting.services import REPORTING_PHASES, request_report
from surveyapp.responses.models import Answer, Response, ResponseDraft, ResponseSubmission
from surveyapp.studies.models import Account, Contact, Study, Supplier
from surveyapp.studies.uploads import ImportUpload

#: What replaces a mention of an erased person in text someone else wrote.
ERASED = "[erased]"
#: Names shorter than this are not searched for in other people's text: "Jo" would blank half the database.
MIN_NAME = 4
ACTOR_LABEL = "privacy"


class PrivacyError(ValueError):
    """A request that cannot be carried out; the message says why."""


@dataclass
class ErasureSummary:
    """What an erasure removed, as counts (nothing personal): for the CLI, the admin page and the audit log."""

    contacts: list[int] = field(default_factory=list)
    free_text_answers: int = 0
    deleted_responses: int = 0
    interviews: int = 0
    outbox_messages: int = 0
    outbox_files: int = 0
    upload_files: int = 0
    redacted_texts: int = 0
    withdrawn_reports: int = 0
    requeued_reports: int = 0

    def as_details(self) -> dict[str, Any]:
        return {
            "contacts": list(self.contacts),
            "free_text_answers": self.free_text_answers,
            "deleted_responses": self.deleted_responses,
            "interviews": self.interviews,
            "outbox_messages": self.outbox_messages,
            "outbox_files": self.outbox_files,
            "upload_files": self.upload_files,
            "redacted_texts": self.redacted_texts,
            "withdrawn_reports": self.withdrawn_reports,
            "requeued_reports": self.requeued_reports,
        }


# ---- finding ---------------------------------------------------------------------------------------------


def normalised_email(email: str) -> str:
    """The address as contacts store it (trimmed, lower case); raises PrivacyError when it is not one."""
    cleaned = (email or "").strip().lower()
    if not cleaned or "@" not in cleaned or len(cleaned) > 254 or any(c.isspace() for c in cleaned):
        raise PrivacyError(
            str(_l("%(email)s is not a valid email address.", email=(email or "").strip()[:254]))
        )
    return cleaned


def find_contacts(*, session: Session, email: str, supplier: Supplier | None = None) -> list[Contact]:
    """The contacts with this email (in one supplier, or every supplier); raises PrivacyError when none."""
    address = normalised_email(email)
    statement = select(Contact).where(Contact.email == address).order_by(Contact.supplier_id, Contact.id)
    if supplier is not None:
        statement = statement.where(Contact.supplier_id == supplier.id)
    found = list(session.scalars(statement))
    if not found:
        raise PrivacyError(str(_l("No contact has the email address %(email)s.", email=address)))
    return found


def _needles(contacts: Sequence[Contact], address: str) -> list[str]:
    names = {c.name.strip() for c in contacts if len(c.name.strip()) >= MIN_NAME}
    return [address, *sorted(names)]


def _mentions(text: str | None, needles: Iterable[str]) -> bool:
    lowered = (text or "").lower()
    return any(needle.lower() in lowered for needle in needles)


def _redacted(text: str, needles: Iterable[str]) -> str:
    for needle in needles:
        text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
    return text


def _redacted_json(value: Any, needles: Sequence[str]) -> Any:
    if isinstance(value, str):
        return _redacted(value, needles)
    if isinstance(value, list):
        return [_redacted_json(item, needles) for item in value]
    if isinstance(value, dict):
        return {_redacted(str(k), needles): _redacted_json(v, needles) for k, v in value.items()}
    return value


def _text_condition(column: Any, needles: Sequence[str]) -> Any:
    return or_(*(func.lower(column).contains(needle.lower(), autoescape=True) for needle in needles))


def _json_condition(column: Any, needles: Sequence[str]) -> Any:
    # JSON serialisers may escape non-ASCII characters: look for both spellings.
    spellings = {n for needle in needles for n in (needle, json.dumps(needle)[1:-1])}
    return _text_condition(cast(column, Text), sorted(spellings))


# ---- erasure ---------------------------------------------------------------------------------------------

#: Text written by researchers (or the system) that may mention a person: mentions become ERASED.
REDACTED_TEXTS: tuple[tuple[Any, str], ...] = (
    (Decision, "rationale"),
    (Decision, "override_reason"),
    (Decision, "handover_plan"),
    (ActionItem, "title"),
    (ActionItem, "notes"),
    (ActionItem, "owner_name"),
    (ReportCommentary, "text"),
    (Theme, "description"),
    (ProspectDecision, "note"),
    (InvitationEvent, "detail"),
    (Invitation, "last_error"),
    (Interview, "cancel_reason"),
    (InterviewNote, "text"),
    (InterviewQuote, "text"),
    (AuditEvent, "reason"),
    (Report, "failure_detail"),
)


def _free_text_keys(session: Session, version_id: int, cache: dict[int, frozenset[str]]) -> frozenset[str]:
    if version_id not in cache:
        questionnaire = load_version(session=session, version_id=version_id)
        cache[version_id] = frozenset(item.key for item in questionnaire.items if item.type in FREE_TEXT)
    return cache[version_id]


@dataclass
class _Affected:
    """Which reports an erasure touches: (study, account) pairs and the studies whose numbers change."""

    accounts: set[tuple[int, int]] = field(default_factory=set)
    studies_rescored: set[int] = field(default_factory=set)


def _erase_responses(
    session: Session, contact: Contact, summary: ErasureSummary, affected: _Affected
) -> None:
    cache: dict[int, frozenset[str]] = {}
    responses = list(session.scalars(select(Response).where(Response.contact_id == contact.id)))
    studies = {
        s.id: s for s in session.scalars(select(Study).where(Study.id.in_({r.study_id for r in responses})))
    }
    for response in responses:
        study = studies[response.study_id]
        if response.account_id is not None:
            affected.accounts.add((study.id, response.account_id))
        # Changes not sent hold the respondent's words too; they never counted, so they simply go.
        session.execute(delete(ResponseDraft).where(ResponseDraft.response_id == response.id))
        if not study.keep_anonymous_scores:
            answer_ids = select(Answer.id).where(Answer.response_id == response.id)
            session.execute(delete(ThemeTag).where(ThemeTag.answer_id.in_(answer_ids)))
            session.execute(delete(ReportQuote).where(ReportQuote.answer_id.in_(answer_ids)))
            session.execute(delete(Answer).where(Answer.response_id == response.id))
            session.execute(delete(ResponseSubmission).where(ResponseSubmission.response_id == response.id))
            session.execute(
                update(Interview).where(Interview.response_id == response.id).values(response_id=None)
            )
            session.execute(delete(Response).where(Response.id == response.id))
            summary.deleted_responses += 1
            affected.studies_rescored.add(study.id)
            continue
        keys = _free_text_keys(session, response.questionnaire_version_id, cache)
        if not keys:
            continue
        answer_ids = list(
            session.scalars(
                select(Answer.id).where(Answer.response_id == response.id, Answer.item_key.in_(sorted(keys)))
            )
        )
        if answer_ids:
            session.execute(delete(ThemeTag).where(ThemeTag.answer_id.in_(answer_ids)))
            session.execute(delete(ReportQuote).where(ReportQuote.answer_id.in_(answer_ids)))
            session.execute(delete(Answer).where(Answer.id.in_(answer_ids)))
            summary.free_text_answers += len(answer_ids)
        for submission in session.scalars(
            select(ResponseSubmission).where(ResponseSubmission.response_id == response.id)
        ):
            kept = {key: value for key, value in (submission.answers or {}).items() if key not in keys}
            if kept != submission.answers:
                submission.answers = kept
    session.flush()


def _erase_interviews(
    session: Session, contact: Contact, summary: ErasureSummary, affected: _Affected
) -> None:
    interviews = list(session.scalars(select(Interview).where(Interview.contact_id == contact.id)))
    for interview in interviews:
        affected.accounts.add((interview.study_id, interview.account_id))
    quote_ids = select(InterviewQuote.id).join(Interview).where(Interview.contact_id == contact.id)
    session.execute(delete(ThemeTag).where(ThemeTag.quote_id.in_(quote_ids)))
    session.execute(delete(ReportQuote).where(ReportQuote.quote_id.in_(quote_ids)))
    summary.interviews += erase_contact_texts(session=session, contact_id=contact.id)
    gone = [i.id for i in interviews if not session.get(Study, i.study_id).keep_anonymous_scores]  # type: ignore[union-attr]
    if gone:
        # Without anonymous scores the whole conversation goes: its notes, quotes and presence with it.
        session.execute(delete(InterviewNote).where(InterviewNote.interview_id.in_(gone)))
        session.execute(delete(InterviewQuote).where(InterviewQuote.interview_id.in_(gone)))
        session.execute(delete(Interview).where(Interview.id.in_(gone)))
    session.flush()


def _erase_invitations(session: Session, contact: Contact) -> None:
    ids = select(Invitation.id).where(Invitation.contact_id == contact.id)
    session.execute(
        update(InvitationToken)
        .where(InvitationToken.invitation_id.in_(ids), InvitationToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.execute(update(InvitationEvent).where(InvitationEvent.invitation_id.in_(ids)).values(detail=None))
    session.execute(update(Invitation).where(Invitation.contact_id == contact.id).values(last_error=None))
    session.flush()


def _erase_outbox(
    session: Session, address: str, needles: Sequence[str], extra_ids: Iterable[int]
) -> list[str]:
    """Forget the address and blank every message that names the person; returns their Message-IDs."""
    addressed = list(
        session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.recipient == address))
    )
    forget_recipient(session=session, address=address)
    naming = set(
        session.scalars(
            select(OutboxMessage.id).where(
                or_(
                    _text_condition(OutboxMessage.recipient_name, needles),
                    _text_condition(OutboxMessage.subject, needles),
                    _text_condition(OutboxMessage.text_body, needles),
                    _text_condition(OutboxMessage.html_body, needles),
                    _json_condition(OutboxMessage.headers, needles),
                )
            )
        )
    )
    naming.update(extra_ids)
    if not naming:
        return addressed
    cancel_messages(session=session, message_ids=naming, reason="a person named in it was erased")
    found = []
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(naming))):
        found.append(message.message_id)
        message.subject = _redacted(message.subject, needles)
        message.recipient_name = _redacted(message.recipient_name, needles)
        message.headers = _redacted_json(message.headers or {}, needles)
        for column, value in blanked_body().items():
            setattr(message, column, value)
    session.flush()
    return addressed + found


def _redact_texts(session: Session, needles: Sequence[str]) -> int:
    count = 0
    for model, attribute in REDACTED_TEXTS:
        column = getattr(model, attribute)
        for row in session.scalars(select(model).where(_text_condition(column, needles))):
            setattr(row, attribute, _redacted(getattr(row, attribute) or "", needles))
            count += 1
    for event in session.scalars(select(AuditEvent).where(_json_condition(AuditEvent.details, needles))):
        event.details = _redacted_json(event.details or {}, needles)
        count += 1
    for theme in session.scalars(select(Theme).where(_text_condition(Theme.name, needles))):
        theme.name = _redacted(theme.name, needles)[:80]
        theme.name_key = " ".join(theme.name.lower().split())
        count += 1
    session.flush()
    return count


def _erase_owned(session: Session, address: str, needles: Sequence[str]) -> None:
    session.execute(
        update(ActionItem).where(ActionItem.owner_email == address).values(owner_email=None, owner_name="")
    )
    invitations = list(
        session.scalars(select(DealCheckInvitation).where(DealCheckInvitation.email == address))
    )
    # The checks the person answered: through their links (named as the link was, which need not be the
    # contact's name), as a user with this address, or naming them in their label.
    answered = [_text_condition(DealCheck.respondent_label, needles)]
    if invitations:
        answered.append(DealCheck.invitation_id.in_([invitation.id for invitation in invitations]))
    answered.append(
        DealCheck.respondent_user_id.in_(select(User.id).where(func.lower(User.email) == address))
    )
    for invitation in invitations:
        invitation.email = ""
        invitation.name = ""
    prospects = set()
    for check in session.scalars(select(DealCheck).where(or_(*answered))):
        check.respondent_label = ""
        prospects.add(check.prospect_id)
    if prospects:
        # A check's PDF names who answered it and, once sales and delivery both answered, the other rater too:
        # every PDF of those prospects goes; each is rendered again on request.
        session.execute(
            delete(DealCheckPdf).where(
                DealCheckPdf.check_id.in_(select(DealCheck.id).where(DealCheck.prospect_id.in_(prospects)))
            )
        )
    session.flush()


def _withdraw_reports(
    session: Session, affected: _Affected, needles: Sequence[str], summary: ErasureSummary
) -> list[int]:
    """Withdraw every stored report holding the person's data and queue its newest version again.

    Returns the outbox messages that carried a withdrawn report, whose attachment holds the same data."""
    conditions = [_json_condition(Report.analysis, needles), _text_condition(Report.failure_detail, needles)]
    for study_id, account_id in affected.accounts:
        conditions.append((Report.study_id == study_id) & (Report.account_id == account_id))
    for study_id in affected.studies_rescored:
        conditions.append((Report.study_id == study_id) & (Report.kind == ReportKind.PORTFOLIO))
    reports = list(
        session.scalars(
            select(Report)
            .where(or_(*conditions), Report.status != ReportStatus.WITHDRAWN)
            .order_by(Report.id)
        )
    )
    if not reports:
        return []
    now = utcnow()
    requeue: set[tuple[int, ReportKind, int | None, Any]] = set()
    for report in reports:
        if report.status in (ReportStatus.QUEUED, ReportStatus.RENDERING):
            # Not rendered yet: it will be rendered from the erased data, nothing to withdraw.
            continue
        requeue.add((report.study_id, report.kind, report.account_id, report.language))
        report.status = ReportStatus.WITHDRAWN
        report.pdf = None
        report.analysis = None
        report.approved_at = None
        report.approved_by_id = None
        report.failure_code = None
        report.failure_detail = None
        report.finished_at = report.finished_at or now
        summary.withdrawn_reports += 1
    session.flush()
    for study_id, kind, account_id, language in sorted(
        requeue, key=lambda key: (key[0], key[1], key[2] or 0, key[3])
    ):
        study = session.get(Study, study_id)
        if study is None or study.phase not in REPORTING_PHASES:
            continue
        pending = session.scalar(
            select(func.count(Report.id)).where(
                Report.study_id == study_id,
                Report.kind == kind,
                Report.account_id.is_(None) if account_id is None else Report.account_id == account_id,
                Report.language == language,
                Report.status.in_((ReportStatus.QUEUED, ReportStatus.RENDERING)),
            )
        )
        if pending:
            continue
        account = session.get(Account, account_id) if account_id is not None else None
        request_report(
            session=session,
            study=study,
            kind=kind,
            account=account,
            language=language,
            actor_label=ACTOR_LABEL,
        )
        summary.requeued_reports += 1
    withdrawn = [r.id for r in reports if r.status is ReportStatus.WITHDRAWN]
    return [
        message_id
        for message_id in session.scalars(
            select(ReportDelivery.outbox_message_id).where(
                ReportDelivery.report_id.in_(withdrawn), ReportDelivery.outbox_message_id.is_not(None)
            )
        )
        if message_id is not None
    ]


def _email_mentions(content: bytes, needles: Sequence[str], message_ids: set[str]) -> bool:
    parsed = message_from_bytes(content, policy=policy.default)
    if str(parsed.get("Message-ID", "")).strip() in message_ids:
        return True
    headers = " ".join(str(value) for value in parsed.values())
    if _mentions(headers, needles):
        return True
    if not isinstance(parsed, EmailMessage):
        return False
    for part in parsed.walk():
        if part.get_content_maintype() == "text":
            try:
                if _mentions(str(part.get_content()), needles):
                    return True
            except (LookupError, ValueError):
                continue
    return False


def _erase_files(folder: Path, needles: Sequence[str], message_ids: set[str], *, emails: bool) -> int:
    """Delete the files in `folder` (not below it) that name the person; returns how many."""
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        if emails and path.suffix == ".eml":
            named = _email_mentions(content, needles, message_ids)
        else:
            named = _mentions(content.decode("utf-8", errors="replace"), needles)
        if named:
            path.unlink(missing_ok=True)
            count += 1
    return count


def _erase_uploads(session: Session, needles: Sequence[str]) -> int:
    """Delete the import files waiting for confirmation that name the person (at most an hour's worth)."""
    count = 0
    for upload in session.scalars(select(ImportUpload).options(undefer(ImportUpload.content))):
        if _mentions(upload.content.decode("utf-8", errors="replace"), needles):
            session.delete(upload)
            count += 1
    session.flush()
    return count


def erase_contact(
    *,
    session: Session,
    email: str,
    actor: Any = None,
    actor_label: str | None = None,
    supplier: Supplier | None = None,
    outbox_dir: Path | None = None,
    upload_dir: Path | None = None,
    reason: str | None = None,
) -> ErasureSummary:
    """Erase everything personal held about the contact(s) with this email (see the module docstring).

    `supplier` limits it to that supplier's contact; without it, every supplier's. `outbox_dir` (the file mail
    backend's folder) and `upload_dir` (import uploads) are searched for files naming the person. Flushes;
    raises PrivacyError when no contact has the email.
    """
    contacts = find_contacts(session=session, email=email, supplier=supplier)
    address = normalised_email(email)
    needles = _needles(contacts, address)
    summary = ErasureSummary(contacts=[c.id for c in contacts])
    affected = _Affected()
    for contact in contacts:
        _erase_responses(session, contact, summary, affected)
        _erase_interviews(session, contact, summary, affected)
        _erase_invitations(session, contact)
    _erase_owned(session, address, needles)
    summary.redacted_texts = _redact_texts(session, needles)
    report_messages = _withdraw_reports(session, affected, needles, summary)
    message_ids = _erase_outbox(session, address, needles, report_messages)
    summary.outbox_messages = len(message_ids)
    now = utcnow()
    for contact in contacts:
        contact.name = ""
        contact.email = None
        contact.role = ""
        contact.erased_at = now
    session.flush()
    close_for_contacts(
        session=session, contact_ids=summary.contacts, actor_label=label_of(actor, actor_label), now=now
    )
    if outbox_dir is not None:
        summary.outbox_files = _erase_files(outbox_dir, needles, set(message_ids), emails=True)
    summary.upload_files = _erase_uploads(session, needles)
    if upload_dir is not None:
        summary.upload_files += _erase_files(upload_dir, needles, set(), emails=False)
    for supplier_id in sorted({c.supplier_id for c in contacts}):
        record(
            session=session,
            action="contact.erased",
            actor=actor,
            actor_label=actor_label,
            object_type="contacts",
            object_id=next(c.id for c in contacts if c.supplier_id == supplier_id),
            supplier_id=supplier_id,
            reason=reason,
            details=summary.as_details(),
        )
    return summary


# ---- export ----------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def _row(obj: Any, columns: Sequence[str]) -> dict[str, Any]:
    return {column: _plain(getattr(obj, column)) for column in columns}


def _contact_data(session: Session, contact: Contact) -> dict[str, Any]:
    supplier = session.get(Supplier, contact.supplier_id)
    data: dict[str, Any] = {
        "supplier": supplier.name if supplier else None,
        "account": contact.account.name if contact.account else None,
        **_row(
            contact, ("side", "email", "name", "role", "language", "opted_out_at", "erased_at", "created_at")
        ),
    }
    studies = {
        s.id: s.slug for s in session.scalars(select(Study).where(Study.supplier_id == contact.supplier_id))
    }
    accounts = {
        a.id: a.name
        for a in session.scalars(select(Account).where(Account.supplier_id == contact.supplier_id))
    }
    data["invitations"] = [
        {
            "study": studies.get(invitation.study_id),
            "account": accounts.get(invitation.account_id) if invitation.account_id else None,
            "questionnaire": invitation.study_questionnaire.slug,
            **_row(
                invitation,
                (
                    "status",
                    "reminders_sent",
                    "first_sent_at",
                    "last_sent_at",
                    "opened_at",
                    "started_at",
                    "completed_at",
                    "created_at",
                    "last_error",
                ),
            ),
            "history": [
                _row(event, ("status", "at", "purpose", "number", "detail")) for event in invitation.events
            ],
        }
        for invitation in session.scalars(
            select(Invitation).where(Invitation.contact_id == contact.id).order_by(Invitation.id)
        )
    ]
    data["responses"] = [
        {
            "study": studies.get(response.study_id),
            "account": accounts.get(response.account_id) if response.account_id else None,
            **_row(
                response,
                ("perspective", "mode", "status", "superseded", "language", "started_at", "submitted_at"),
            ),
            "answers": [
                _row(
                    answer,
                    ("item_key", "value", "not_applicable", "score", "dimension", "created_at", "updated_at"),
                )
                for answer in response.answers
            ],
            "submissions": [
                _row(s, ("number", "submitted_at", "language", "answers")) for s in response.submissions
            ],
        }
        for response in session.scalars(
            select(Response).where(Response.contact_id == contact.id).order_by(Response.id)
        )
    ]
    interviews = []
    for interview in session.scalars(
        select(Interview).where(Interview.contact_id == contact.id).order_by(Interview.id)
    ):
        notes = session.scalars(
            select(InterviewNote).where(InterviewNote.interview_id == interview.id).order_by(InterviewNote.id)
        )
        quotes = session.scalars(
            select(InterviewQuote)
            .where(InterviewQuote.interview_id == interview.id)
            .order_by(InterviewQuote.id)
        )
        interviews.append(
            {
                "study": studies.get(interview.study_id),
                "account": accounts.get(interview.account_id),
                **_row(
                    interview,
                    (
                        "perspective",
                        "language",
                        "scheduled_at",
                        "planned_minutes",
                        "channel",
                        "location",
                        "status",
                        "consent_participate",
                        "consent_quote",
                        "consent_record",
                        "consent_recorded_at",
                        "started_at",
                        "ended_at",
                        "cancel_reason",
                        "cancelled_at",
                    ),
                ),
                "notes": [_row(note, ("question_key", "text", "updated_at")) for note in notes],
                "quotes": [
                    _row(quote, ("question_key", "text", "attribution", "created_at")) for quote in quotes
                ],
            }
        )
    data["interviews"] = interviews
    return data


def export_contact_data(*, session: Session, email: str, supplier: Supplier | None = None) -> dict[str, Any]:
    """Everything held about the person with this email, as one JSON-ready document (Art. 15 and 20).

    Per contact (one per supplier): the contact's details, invitations with their history, responses with
    every answer and submission snapshot, interviews with notes, quotes and consents; for the address:
    action items it owns, deal-check links sent to it, emails to it (metadata; the bodies were the
    invitations listed) and the audit events about the contacts. Raises PrivacyError when no contact has it.
    """
    contacts = find_contacts(session=session, email=email, supplier=supplier)
    address = normalised_email(email)
    actions = session.scalars(
        select(ActionItem).where(ActionItem.owner_email == address).order_by(ActionItem.id)
    )
    deal_links = session.scalars(
        select(DealCheckInvitation)
        .where(DealCheckInvitation.email == address)
        .order_by(DealCheckInvitation.id)
    )
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    )
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "contacts", AuditEvent.object_id.in_([c.id for c in contacts]))
        .order_by(AuditEvent.id)
    )
    return {
        "email": address,
        "exported_at": utcnow().isoformat(),
        "contacts": [_contact_data(session, contact) for contact in contacts],
        "action_items": [
            _row(a, ("title", "owner_name", "owner_email", "due", "status", "notes", "created_at"))
            for a in actions
        ],
        "deal_check_links": [
            _row(d, ("email", "name", "language", "created_at", "expires_at", "used_at")) for d in deal_links
        ],
        "emails": [
            _row(m, ("kind", "recipient", "recipient_name", "subject", "status", "created_at", "sent_at"))
            for m in messages
        ],
        "audit_events": [
            _row(e, ("created_at", "actor_label", "action", "reason", "details")) for e in events
        ],
    }


def export_json(document: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON bytes (what the CLI writes and the admin page downloads)."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
