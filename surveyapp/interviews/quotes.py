"""Quotes: a passage of a question's notes marked as a quote, attributed as far as the contact's consent
allows. After completion, marking or removing one is a change that needs a reason (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.i18n import _l
from surveyapp.interviews.answers import MAX_REASON, stored_notes
from surveyapp.interviews.errors import InterviewError, ReasonRequired
from surveyapp.interviews.models import Interview, InterviewQuote, InterviewStatus, QuoteConsent

MAX_QUOTE = 5000


def _check_quote_change(interview: Interview, reason: str | None) -> str | None:
    if interview.status not in (InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED):
        raise InterviewError(_l("Quotes are marked during or after the interview."))
    cleaned = " ".join((reason or "").split())[:MAX_REASON] or None
    if interview.status == InterviewStatus.COMPLETED and cleaned is None:
        raise ReasonRequired()
    return cleaned


def mark_quote(
    *,
    session: Session,
    interview: Interview,
    question_key: str,
    passage: str,
    attribution: QuoteConsent,
    actor: Any,
    now: datetime,
    reason: str | None = None,
) -> InterviewQuote:
    """Mark a passage of a question's notes as a quote, attributed as far as the consent allows."""
    cleaned_reason = _check_quote_change(interview, reason)
    consent = interview.consent_quote
    if consent is None or consent == QuoteConsent.NO:
        raise InterviewError(_l("%(name)s has not agreed to be quoted.", name=interview.contact.label))
    if attribution == QuoteConsent.NAMED and consent != QuoteConsent.NAMED:
        raise InterviewError(
            _l("%(name)s agreed to be quoted anonymously only.", name=interview.contact.label)
        )
    if attribution == QuoteConsent.NO:
        raise InterviewError(_l("Choose how the quote is attributed."))
    text = passage.replace("\r\n", "\n").strip()
    if not text:
        raise InterviewError(_l("Select or copy the passage of the notes to quote."))
    if len(text) > MAX_QUOTE:
        raise InterviewError(_l("A quote has at most %(n)d characters.", n=MAX_QUOTE))
    note = stored_notes(session, interview.id).get(question_key)
    if note is None or text not in (note.value or ""):
        raise InterviewError(
            _l(
                "A quote is a passage of the notes on its question: "
                "the text must appear in the saved notes exactly."
            )
        )
    quote = InterviewQuote(
        interview_id=interview.id,
        question_key=question_key,
        text=text,
        attribution=attribution,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(quote)
    session.flush()
    record(
        session=session,
        action="interview.quote_marked",
        actor=actor,
        obj=interview,
        reason=cleaned_reason,
        supplier_id=interview.study.supplier_id,
        details={"quote": quote.id, "question": question_key, "attribution": attribution.value},
    )
    return quote


def remove_quote(
    *, session: Session, interview: Interview, quote_id: int, actor: Any, reason: str | None = None
) -> None:
    cleaned_reason = _check_quote_change(interview, reason)
    quote = session.get(InterviewQuote, quote_id)
    if quote is None or quote.interview_id != interview.id:
        raise InterviewError(_l("That quote does not exist."))
    session.delete(quote)
    session.flush()
    record(
        session=session,
        action="interview.quote_removed",
        actor=actor,
        obj=interview,
        reason=cleaned_reason,
        supplier_id=interview.study.supplier_id,
        details={"quote": quote_id},
    )
