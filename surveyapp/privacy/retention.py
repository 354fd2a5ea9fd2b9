"""Retention per study: personal data is deleted `Study.retention_days` after fieldwork ended, by `tick`.

Fieldwork ends at the later of the end of the deadline day (in the study's time zone) and the last submitted
response; a study with neither counts from its creation. `NOTICE_DAYS` before that moment the researchers who
may see the supplier get one notice email (deduplicated per study and researcher, and the study remembers it);
at the moment itself, for every client contact of the study:

- a contact in no other study still holding personal data is erased completely (`erase_contact`, within the
  supplier): the research purpose they were asked for has ended;
- a contact who also takes part in another live study keeps name and email (that study still needs them), but
  loses the free text and interview notes and quotes of this study.

Scores stay anonymous or go with the study's `keep_anonymous_scores`, as for any erasure. Supplier staff are not
erased by retention: they are the supplier's employees, contacted for every wave, and erasable on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, or_, select, union, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.models import User, user_suppliers
from surveyapp.coding.models import ReportQuote, ThemeTag
from surveyapp.db import utcnow
from surveyapp.enums import Role, Side
from surveyapp.i18n import _
from surveyapp.interviews.models import Interview, InterviewNote, InterviewQuote
from surveyapp.invitations.models import Invitation
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.render import absolute_url
from surveyapp.mail.settings import MailSettings
from surveyapp.privacy.services import _free_text_keys, erase_contact
from surveyapp.responses.models import Answer, Response, ResponseDraft, ResponseSubmission
from surveyapp.studies.models import Contact, Study

#: How long before the deletion the researchers are told.
NOTICE_DAYS = 14


@dataclass
class RetentionReport:
    notices: int = 0
    studies: int = 0
    contacts: int = 0

    def line(self) -> str:
        return f"retention: {self.notices} notices queued, {self.contacts} contacts erased in {self.studies} studies"


def fieldwork_end(*, session: Session, study: Study) -> datetime:
    """When the study's fieldwork ended (see the module docstring), in UTC."""
    moments = [study.created_at]
    if study.deadline is not None:
        zone = ZoneInfo(study.time_zone)
        end = datetime.combine(study.deadline + timedelta(days=1), time(0), tzinfo=zone)
        moments.append(end.astimezone(ZoneInfo("UTC")))
    last = session.scalar(select(func.max(Response.submitted_at)).where(Response.study_id == study.id))
    if last is not None:
        moments.append(last)
    return max(moments)


def deletion_due(*, session: Session, study: Study) -> datetime | None:
    """When the study's personal data is deleted, or None when it is kept (no retention period)."""
    if study.retention_days is None:
        return None
    return fieldwork_end(session=session, study=study) + timedelta(days=study.retention_days)


def _researchers(session: Session, study: Study) -> list[User]:
    granted = select(user_suppliers.c.user_id).where(user_suppliers.c.supplier_id == study.supplier_id)
    return list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.RESEARCHER,
                User.is_active_user.is_(True),
                or_(User.all_suppliers.is_(True), User.id.in_(granted)),
            )
            .order_by(User.id)
        )
    )


def _notify(session: Session, study: Study, due: datetime, mail: MailSettings) -> int:
    queued = 0
    day = due.astimezone(ZoneInfo(study.time_zone)).date().isoformat()
    for user in _researchers(session, study):
        language = (user.language or study.supplier.report_language).value
        with force_locale(language):
            subject = _("Personal data of %(study)s will be deleted on %(day)s", study=study.name, day=day)
            text = "\n\n".join(
                (
                    _(
                        "The retention period of the study %(study)s ends on %(day)s. On that day the names, "
                        "email addresses, open answers and interview notes of its client respondents are deleted; "
                        "scores stay only where the study keeps anonymous scores, and reports holding the deleted "
                        "data are withdrawn and made again.",
                        study=study.name,
                        day=day,
                    ),
                    _("Export what you still need before then, or change the study's retention period:"),
                    absolute_url(mail.base_url, "privacy.index"),
                )
            )
        queue_message(
            session=session,
            kind=MailKind.NOTIFICATION,
            dedupe_key=f"retention:{study.id}:{user.id}:{day}",
            recipient=user.email,
            recipient_name=user.name,
            sender=mail.sender,
            draft=Draft(subject=subject, text_body=text + "\n", language=language),
        )
        queued += 1
    study.retention_notified_at = utcnow()
    record(
        session=session,
        action="study.retention_notice",
        actor_label="system",
        obj=study,
        supplier_id=study.supplier_id,
        details={"due": due.isoformat(), "researchers": queued},
    )
    return queued


def _live_elsewhere(session: Session, contact: Contact, study: Study) -> bool:
    """Does the contact take part in another study whose personal data is still held?"""
    studies = union(
        select(Response.study_id).where(Response.contact_id == contact.id),
        select(Invitation.study_id).where(Invitation.contact_id == contact.id),
        select(Interview.study_id).where(Interview.contact_id == contact.id),
    ).subquery()
    return bool(
        session.scalar(
            select(func.count(Study.id)).where(
                Study.id.in_(select(studies.c[0])), Study.id != study.id, Study.retention_applied_at.is_(None)
            )
        )
    )


def _strip_study_texts(session: Session, contact: Contact, study: Study) -> None:
    """Remove the free text and interview texts this contact gave in this one study."""
    cache: dict[int, frozenset[str]] = {}
    for response in session.scalars(
        select(Response).where(Response.contact_id == contact.id, Response.study_id == study.id)
    ):
        keys = sorted(_free_text_keys(session, response.questionnaire_version_id, cache))
        session.execute(delete(ResponseDraft).where(ResponseDraft.response_id == response.id))
        ids = select(Answer.id).where(Answer.response_id == response.id, Answer.item_key.in_(keys))
        session.execute(delete(ThemeTag).where(ThemeTag.answer_id.in_(ids)))
        session.execute(delete(ReportQuote).where(ReportQuote.answer_id.in_(ids)))
        session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.item_key.in_(keys)))
        for submission in session.scalars(
            select(ResponseSubmission).where(ResponseSubmission.response_id == response.id)
        ):
            submission.answers = {k: v for k, v in (submission.answers or {}).items() if k not in keys}
    interviews = select(Interview.id).where(
        Interview.contact_id == contact.id, Interview.study_id == study.id
    )
    session.execute(update(InterviewNote).where(InterviewNote.interview_id.in_(interviews)).values(text=""))
    session.execute(delete(InterviewQuote).where(InterviewQuote.interview_id.in_(interviews)))
    session.execute(
        update(Interview)
        .where(Interview.id.in_(interviews))
        .values(location="", cancel_reason=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def _apply(session: Session, study: Study, outbox_dir: Path | None, upload_dir: Path | None) -> int:
    involved = union(
        select(Response.contact_id).where(Response.study_id == study.id),
        select(Invitation.contact_id).where(Invitation.study_id == study.id),
        select(Interview.contact_id).where(Interview.study_id == study.id),
    ).subquery()
    contacts = list(
        session.scalars(
            select(Contact)
            .where(
                Contact.id.in_(select(involved.c[0])),
                Contact.side == Side.CLIENT,
                Contact.erased_at.is_(None),
                Contact.email.is_not(None),
            )
            .order_by(Contact.id)
        )
    )
    erased = 0
    for contact in contacts:
        if _live_elsewhere(session, contact, study):
            _strip_study_texts(session, contact, study)
            continue
        erase_contact(
            session=session,
            email=contact.email or "",
            actor_label="retention",
            supplier=study.supplier,
            outbox_dir=outbox_dir,
            upload_dir=upload_dir,
            reason=f"retention period of study {study.slug} ended",
        )
        erased += 1
    study.retention_applied_at = utcnow()
    record(
        session=session,
        action="study.retention_applied",
        actor_label="system",
        obj=study,
        supplier_id=study.supplier_id,
        details={"erased_contacts": erased, "contacts": len(contacts)},
    )
    return erased


def apply_retention(
    *,
    session: Session,
    mail: MailSettings,
    now: datetime | None = None,
    outbox_dir: Path | None = None,
    upload_dir: Path | None = None,
) -> RetentionReport:
    """Queue the due notices and erase what is past its retention period, in every study (flushes)."""
    now = now or utcnow()
    report = RetentionReport()
    for study in session.scalars(
        select(Study)
        .where(Study.retention_days.is_not(None), Study.retention_applied_at.is_(None))
        .order_by(Study.id)
    ):
        due = deletion_due(session=session, study=study)
        if due is None:
            continue
        if now >= due:
            report.contacts += _apply(session, study, outbox_dir, upload_dir)
            report.studies += 1
        elif now >= due - timedelta(days=NOTICE_DAYS) and study.retention_notified_at is None:
            report.notices += _notify(session, study, due, mail)
    session.flush()
    return report


def folders(config: dict[str, object] | None = None) -> tuple[Path | None, Path | None]:
    """The file-mail outbox folder and the import upload folder of the running app."""
    config = config or current_app.config
    outbox = Path(str(config["MAIL_OUTBOX_DIR"])) if config.get("MAIL_OUTBOX_DIR") else None
    return outbox, Path(current_app.instance_path) / "uploads"
