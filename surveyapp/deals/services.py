"""Prospects, deal fit checks, offer decisions, account links and personal check links.

Services flush; the caller commits once. They raise DealError with a message for the user and write nothing
before every check has passed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.services import UserError, normalise_email
from surveyapp.db import utcnow
from surveyapp.deals.advice import AdviceInputError, assess
from surveyapp.deals.models import DealCheck, DealCheckInvitation, Prospect, ProspectDecision
from surveyapp.enums import DealRater, Language, OfferDecision, ProspectStage
from surveyapp.i18n import _l
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.render import absolute_url, render_body
from surveyapp.mail.settings import MailSettings
from surveyapp.questionnaires.schema import Questionnaire, ScoringModel
from surveyapp.questionnaires.services import ensure_questionnaire_version, ensure_scoring_version
from surveyapp.studies.models import Account, Supplier
from surveyapp.studies.services import StudyError, clean_name

DEAL_CHECK_SLUG = "deal-fit-check"
MAX_NOTE = 4000
MAX_VALUE = Decimal("99999999999999.99")
LINK_DAYS = 30
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64


class DealError(ValueError):
    """A request about prospects or checks that cannot be carried out; the message says why."""


def _label(value: str, *, limit: int, what: Any) -> str:
    clean = " ".join(value.split())
    if len(clean) > limit:
        raise DealError(_l("%(what)s: at most %(n)d characters.", what=what, n=limit))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        raise DealError(_l("%(what)s may not contain control characters.", what=what))
    return clean


def _prospect_fields(
    session: Session,
    *,
    supplier_id: int,
    name: str,
    segment: str,
    sales_owner: str,
    expected_value: Decimal | None,
    exclude_id: int | None,
) -> dict[str, Any]:
    try:
        clean = clean_name(name, what=_l("A prospect"))
    except StudyError as exc:
        raise DealError(str(exc)) from None
    if expected_value is not None and not Decimal(0) <= expected_value <= MAX_VALUE:
        raise DealError(_l("The expected value must be an amount of 0 or more."))
    duplicate = select(Prospect.id).where(
        Prospect.supplier_id == supplier_id, func.lower(Prospect.name) == clean.lower()
    )
    if exclude_id is not None:
        duplicate = duplicate.where(Prospect.id != exclude_id)
    if session.scalar(duplicate) is not None:
        raise DealError(_l("This supplier already has a prospect named %(name)s.", name=clean))
    return {
        "name": clean,
        "segment": _label(segment, limit=100, what=_l("The segment")),
        "sales_owner": _label(sales_owner, limit=200, what=_l("The sales owner")),
        "expected_value": expected_value,
    }


def create_prospect(
    *,
    session: Session,
    supplier: Supplier,
    name: str,
    segment: str = "",
    sales_owner: str = "",
    stage: ProspectStage = ProspectStage.LEAD,
    expected_value: Decimal | None = None,
    actor: Any = None,
    actor_label: str | None = None,
) -> Prospect:
    fields = _prospect_fields(
        session,
        supplier_id=supplier.id,
        name=name,
        segment=segment,
        sales_owner=sales_owner,
        expected_value=expected_value,
        exclude_id=None,
    )
    prospect = Prospect(supplier_id=supplier.id, stage=stage, **fields)
    session.add(prospect)
    session.flush()
    record(
        session=session,
        action="prospect.created",
        actor=actor,
        actor_label=actor_label,
        obj=prospect,
        supplier_id=supplier.id,
    )
    return prospect


def update_prospect(
    *,
    session: Session,
    prospect: Prospect,
    name: str,
    segment: str,
    sales_owner: str,
    stage: ProspectStage,
    expected_value: Decimal | None,
    actor: Any,
) -> Prospect:
    fields = _prospect_fields(
        session,
        supplier_id=prospect.supplier_id,
        name=name,
        segment=segment,
        sales_owner=sales_owner,
        expected_value=expected_value,
        exclude_id=prospect.id,
    )
    for key, value in fields.items():
        setattr(prospect, key, value)
    prospect.stage = stage
    session.flush()
    record(
        session=session,
        action="prospect.updated",
        actor=actor,
        obj=prospect,
        supplier_id=prospect.supplier_id,
    )
    return prospect


def rater_label(*, user: Any, invitation: DealCheckInvitation | None) -> str:
    """Who answered a check, as the page and the PDF name them: the person's name; their email address only
    when no name is known (the invitation form asks for one)."""
    if user is not None:
        return str(user.name or user.email)
    if invitation is not None:
        return invitation.name or invitation.email
    return ""


def record_check(
    *,
    session: Session,
    prospect: Prospect,
    questionnaire: Questionnaire,
    scoring: ScoringModel,
    answers: Mapping[str, str | None],
    user: Any = None,
    invitation: DealCheckInvitation | None = None,
    rater: DealRater | None = None,
    now: datetime | None = None,
) -> DealCheck:
    """Assess and store a completed check; DealError (nothing written) for missing or invalid answers.
    `rater`: as whom it was answered (sales or delivery); through a personal link, the invitation's."""
    if user is None and invitation is None:
        raise ValueError("a check is answered by a user or through a personal link")
    if questionnaire.slug != DEAL_CHECK_SLUG:
        raise ValueError(f"{questionnaire.slug!r} is not the deal fit check")
    kept = {key: value for key, value in answers.items() if value not in (None, "")}
    try:
        result = assess(questionnaire, scoring, kept)
    except AdviceInputError as exc:
        if exc.invalid:
            raise DealError(
                _l("Some answers are not options of this check; choose from the options shown.")
            ) from None
        raise DealError(
            _l(
                "Answer every question before you ask for advice; still open: %(questions)s.",
                questions=", ".join(exc.missing),
            )
        ) from None
    check = DealCheck(
        prospect_id=prospect.id,
        questionnaire_version_id=ensure_questionnaire_version(
            session=session, questionnaire=questionnaire
        ).id,
        scoring_version_id=ensure_scoring_version(session=session, scoring=scoring).id,
        answers=kept,
        score=result.score,
        advice=result.advice,
        knockouts=list(result.knockouts),
        respondent_user_id=getattr(user, "id", None),
        invitation_id=invitation.id if invitation is not None else None,
        respondent_label=rater_label(user=user, invitation=invitation),
        rater=invitation.rater if invitation is not None else rater or DealRater.SALES,
        completed_at=now or utcnow(),
    )
    session.add(check)
    if invitation is not None:
        invitation.used_at = check.completed_at
    session.flush()
    record(
        session=session,
        action="deal_check.completed",
        actor=user,
        actor_label=None if user is not None else f"link:{invitation.email if invitation else ''}",
        obj=check,
        supplier_id=prospect.supplier_id,
        details={"advice": result.advice.value, "prospect_id": prospect.id},
    )
    return check


def record_decision(
    *,
    session: Session,
    prospect: Prospect,
    decision: OfferDecision,
    note: str,
    actor: Any,
    now: datetime | None = None,
) -> ProspectDecision:
    """Record the decision taken on the offer, tied to the latest check (if any)."""
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise DealError(_l("A note may have at most %(n)d characters.", n=MAX_NOTE))
    latest = prospect.checks[-1] if prospect.checks else None
    row = ProspectDecision(
        prospect_id=prospect.id,
        check_id=latest.id if latest is not None else None,
        decision=decision,
        note=text,
        decided_by_id=actor.id,
        decided_by_label=actor.email,
        decided_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session=session,
        action="prospect.decided",
        actor=actor,
        obj=prospect,
        supplier_id=prospect.supplier_id,
        details={"decision": decision.value},
    )
    return row


def link_account(*, session: Session, prospect: Prospect, account_id: int, actor: Any) -> Prospect:
    """Link a prospect that became a client to its account (of the same supplier, not linked elsewhere)."""
    account = session.get(Account, account_id)
    if account is None or account.supplier_id != prospect.supplier_id:
        raise DealError(_l("That account is not a client of this prospect's supplier."))
    taken = session.scalar(
        select(Prospect).where(Prospect.account_id == account.id, Prospect.id != prospect.id)
    )
    if taken is not None:
        raise DealError(
            _l(
                "Account %(account)s is already linked to prospect %(prospect)s.",
                account=account.name,
                prospect=taken.name,
            )
        )
    prospect.account_id = account.id
    prospect.linked_at = utcnow()
    prospect.stage = ProspectStage.WON
    session.flush()
    record(
        session=session,
        action="prospect.linked",
        actor=actor,
        obj=prospect,
        supplier_id=prospect.supplier_id,
        details={"account_id": account.id},
    )
    return prospect


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(
    *,
    session: Session,
    prospect: Prospect,
    email: str,
    name: str,
    language: Language,
    actor: Any,
    mail: MailSettings,
    rater: DealRater = DealRater.SALES,
    now: datetime | None = None,
) -> tuple[DealCheckInvitation, str]:
    """A personal link to answer one check for this prospect, emailed through the outbox; (row, token)."""
    try:
        address = normalise_email(email)
    except UserError as exc:
        raise DealError(str(exc)) from None
    clean_name_ = _label(name, limit=200, what=_l("The name"))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    created = now or utcnow()
    invitation = DealCheckInvitation(
        prospect_id=prospect.id,
        email=address,
        name=clean_name_,
        language=language,
        rater=rater,
        token_hash=token_hash(token),
        created_by_id=actor.id,
        created_at=created,
        expires_at=created + timedelta(days=LINK_DAYS),
    )
    session.add(invitation)
    session.flush()
    context = {
        "name": clean_name_,
        "prospect": prospect.name,
        "supplier": prospect.supplier.name,
        "sender": actor.display_name,
        "link": absolute_url(mail.base_url, "deals.public_check", token=token),
        "days": LINK_DAYS,
    }
    body = render_body("deal_check", language.value, context)
    subject = {
        "nl": f"Deal fit check: {prospect.name}",
        "en": f"Deal fit check: {prospect.name}",
    }[language.value]
    message = queue_message(
        session=session,
        kind=MailKind.NOTIFICATION,  # not INVITATION: those are vetted against study invitations
        dedupe_key=f"deal-check-invitation:{invitation.id}",
        recipient=address,
        recipient_name=clean_name_,
        sender=mail.sender,
        draft=Draft(subject=subject, text_body=body.text, html_body=body.html, language=language.value),
        sensitive=True,
    )
    invitation.outbox_message_id = message.id
    session.flush()
    record(
        session=session,
        action="deal_check.invited",
        actor=actor,
        obj=invitation,
        supplier_id=prospect.supplier_id,
    )
    return invitation, token


def find_invitation(*, session: Session, token: str, now: datetime) -> DealCheckInvitation | None:
    """The open invitation behind a personal link: unknown, used and expired links give None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = session.scalar(
        select(DealCheckInvitation).where(DealCheckInvitation.token_hash == token_hash(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    return found
