"""May a target be quoted, and how: computed from the consent as it is now, never stored.

- A client's survey answer follows their answer to the question tagged `quote_consent` in the same response
  (named, anonymous or no); no answer means no.
- An answer given in an interview, and an interview quote, follow `Interview.consent_quote` (a quote also its
  own attribution, through `InterviewQuote.effective_attribution`: a narrowed consent narrows the quote).
- Supplier staff are quoted anonymously at most (the supplier questionnaire's privacy text): a staff survey
  answer is anonymous, a staff interview follows its consent but never with a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.coding.targets import ANSWER, SUPPLIER_SIDE, VersionKeys
from surveyapp.enums import Perspective
from surveyapp.interviews.models import Interview, InterviewQuote, QuoteConsent
from surveyapp.responses.models import Answer, Response

_CONSENTS = {consent.value: consent for consent in QuoteConsent}


@dataclass(frozen=True, slots=True)
class Permission:
    """How a target may be quoted now, and the attribution text when it is with a name."""

    consent: QuoteConsent
    attribution: str | None

    @property
    def allowed(self) -> bool:
        return self.consent != QuoteConsent.NO


def _capped(perspective: Perspective, consent: QuoteConsent) -> QuoteConsent:
    if Perspective(perspective) in SUPPLIER_SIDE and consent == QuoteConsent.NAMED:
        return QuoteConsent.ANONYMOUS
    return consent


def attribution_text(name: str, role: str, account: str) -> str:
    """A named quote's attribution: the contact's name, role and account (the parts that are known)."""
    return ", ".join(part for part in (name.strip(), role.strip(), account.strip()) if part)


def permissions(
    *, session: Session, keys: VersionKeys, rows: Iterable[Any]
) -> dict[tuple[str, int], Permission]:
    """The permission of every row (a target row joined with `contact_name`, `contact_role`, `account_name`,
    `erased`), by (kind, id)."""
    rows = list(rows)
    response_ids = {row.response_id for row in rows if row.kind == ANSWER}
    quote_ids = [row.id for row in rows if row.kind != ANSWER]
    interview_consent: dict[int, QuoteConsent | None] = {}
    answered_consent: dict[int, QuoteConsent | None] = {}
    if response_ids:
        for response_id, consent in session.execute(
            select(Interview.response_id, Interview.consent_quote).where(
                Interview.response_id.in_(response_ids)
            )
        ):
            interview_consent[response_id] = consent
        for response_id, version_id, item_key, value in session.execute(
            select(Answer.response_id, Response.questionnaire_version_id, Answer.item_key, Answer.value)
            .join(Response, Answer.response_id == Response.id)
            .where(Answer.response_id.in_(response_ids))
        ):
            if item_key in keys.consent.get(version_id, frozenset()):
                answered_consent[response_id] = _CONSENTS.get(value or "")
    quote_consent: dict[int, QuoteConsent] = {}
    if quote_ids:
        for quote, consent in session.execute(
            select(InterviewQuote, Interview.consent_quote)
            .join(Interview, InterviewQuote.interview_id == Interview.id)
            .where(InterviewQuote.id.in_(quote_ids))
        ):
            quote_consent[quote.id] = quote.effective_attribution(consent)
    found: dict[tuple[str, int], Permission] = {}
    for row in rows:
        if row.kind == ANSWER:
            if row.response_id in interview_consent:
                consent = interview_consent[row.response_id] or QuoteConsent.NO
            elif Perspective(row.perspective) in SUPPLIER_SIDE:
                consent = QuoteConsent.ANONYMOUS
            else:
                consent = answered_consent.get(row.response_id) or QuoteConsent.NO
        else:
            consent = quote_consent.get(row.id, QuoteConsent.NO)
        consent = _capped(row.perspective, consent)
        if row.erased:
            consent = QuoteConsent.NO
        named = attribution_text(row.contact_name, row.contact_role, row.account_name)
        found[(row.kind, row.id)] = Permission(consent, named if consent == QuoteConsent.NAMED else None)
    return found
