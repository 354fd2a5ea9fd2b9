"""The deal fit check part of the demo (idempotent): a sales user, prospects, checks, a decision, two links.

- Van Dijk Logistiek and Stadsbank Utrecht were prospects once: checked in 2024 (go, and go with conditions),
  offer made, now clients linked to their accounts, measured in the finished wave (match and misfit), so the
  prospects page shows how the checks predicted the later fit.
- Oostpoort Hotels: checked, knocked out (serious risks), offer declined.
- Vermeer Bouwgroep: a new prospect without a check, for trying the check as a sales manager would.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.auth import services as auth_services
from surveyapp.auth.passwords import hasher_from_config
from surveyapp.deals import services
from surveyapp.deals.models import DealCheckInvitation, Prospect
from surveyapp.enums import DealRater, Language, OfferDecision, ProspectStage, Role
from surveyapp.studies.models import Account, Supplier

SALES_EMAIL = "sales@demo.example"
SALES_PASSWORD = "demo-sales-password"  # noqa: S105  (the demo's well-known password, development only)
LABEL = "demo"

GOOD = {
    "dc_need": "core",
    "dc_why_us": "reputation",
    "dc_difference": "4",
    "dc_standard": "small_changes",
    "dc_scope": "mostly_clear",
    "dc_quality": "4",
    "dc_effort": "somewhat_more",
    "dc_budget": "fits",
    "dc_decision": "clear",
    "dc_risk": "none_known",
    "dc_chemistry": "businesslike",
    "dc_energy": "4",
    "dc_horizon": "project",
    "dc_reference": "some",
}
DOUBTFUL = {
    **GOOD,
    "dc_need": "mostly",
    "dc_why_us": "unknown",
    "dc_scope": "unknown",
    "dc_quality": "3",
    "dc_effort": "unknown",
    "dc_budget": "tight",
    "dc_decision": "partly_clear",
    "dc_horizon": "partner",
    "dc_notes": "Procurement wants a fixed price; the facility team keeps adding locations.",
}
RISKY = {**GOOD, "dc_risk": "serious", "dc_budget": "too_low"}

# name, segment, owner, stage, expected value, account to link, answers, checked on, decision, note
PROSPECTS = (
    (
        "Van Dijk Logistiek",
        "Logistics",
        "Pieter Smit",
        ProspectStage.WON,
        400_000,
        "Van Dijk Logistiek",
        GOOD,
        datetime(2024, 9, 12, 9, tzinfo=UTC),
        OfferDecision.OFFER_MADE,
        "Good fit; offer as proposed.",
    ),
    (
        "Stadsbank Utrecht",
        "Finance",
        "Pieter Smit",
        ProspectStage.WON,
        300_000,
        "Stadsbank Utrecht",
        DOUBTFUL,
        datetime(2024, 10, 3, 14, tzinfo=UTC),
        OfferDecision.OFFER_MADE,
        "Signed without fixing the scope first.",
    ),
    (
        "Oostpoort Hotels",
        "Hospitality",
        "Lotte Jansen",
        ProspectStage.LOST,
        180_000,
        None,
        RISKY,
        datetime(2026, 10, 20, 10, tzinfo=UTC),
        OfferDecision.OFFER_DECLINED,
        "Payment history too risky; said no.",
    ),
    (
        "Vermeer Bouwgroep",
        "Construction",
        "Lotte Jansen",
        ProspectStage.QUALIFYING,
        220_000,
        None,
        GOOD,
        datetime(2026, 11, 20, 10, tzinfo=UTC),
        None,
        "",
    ),
    (
        "Kustlijn Zorggroep",
        "Care",
        "Lotte Jansen",
        ProspectStage.QUALIFYING,
        150_000,
        None,
        None,
        None,
        None,
        "",
    ),
)
# The delivery side's view (method.md section 12: a deal needs both), answered through a personal link by the
# person who would lead the work: prospect, name, email, answers, checked on.
CAPACITY_DOUBTS = {
    **GOOD,
    "dc_scope": "unknown",
    "dc_quality": "3",
    "dc_effort": "much_more",
    "dc_energy": "2",
    "dc_notes": "Three sites at once in Q1: we would need to hire before we can start.",
}
DELIVERY_CHECKS = (
    (
        "Vermeer Bouwgroep",
        "Dana de Boer",
        "dana.deboer@demo.example",
        CAPACITY_DOUBTS,
        datetime(2026, 11, 24, 15, tzinfo=UTC),
    ),
)


def _sales_user(session: Session, config: Any, supplier: Supplier) -> Any:
    found = auth_services.find_user(session=session, email=SALES_EMAIL)
    if found is not None:
        return found
    return auth_services.create_user(
        session=session,
        email=SALES_EMAIL,
        name="Pieter Smit",
        role=Role.SALES,
        suppliers=[supplier],
        password=SALES_PASSWORD,
        hasher=hasher_from_config(config),
        actor_label=LABEL,
    )


def load_deals_demo(*, session: Session, config: Any, catalogue: Any, supplier: Supplier) -> list[Any]:
    """Create what is missing of the deal fit check demo; returns the sales login to print."""
    from surveyapp.demo import DemoLogin  # here, not at the top: surveyapp.demo imports this module

    user = _sales_user(session, config, supplier)
    questionnaire = catalogue.get(services.DEAL_CHECK_SLUG)

    def record(prospect: Prospect, answers: dict[str, str], checked: datetime, **who: Any) -> None:
        services.record_check(
            session=session,
            prospect=prospect,
            questionnaire=questionnaire,
            scoring=catalogue.scoring,
            answers=answers,
            now=checked,
            **who,
        )

    for name, segment, owner, stage, value, account_name, answers, checked, decision, note in PROSPECTS:
        prospect = session.scalar(
            select(Prospect).where(Prospect.supplier_id == supplier.id, Prospect.name == name)
        )
        if prospect is not None:
            continue
        prospect = services.create_prospect(
            session=session,
            supplier=supplier,
            name=name,
            segment=segment,
            sales_owner=owner,
            stage=stage,
            expected_value=Decimal(value),
            actor_label=LABEL,
        )
        if answers is not None:
            record(prospect, answers, checked, user=user)
        if decision is not None:
            services.record_decision(
                session=session, prospect=prospect, decision=decision, note=note, actor=user, now=checked
            )
        account = session.scalar(
            select(Account).where(Account.supplier_id == supplier.id, Account.name == account_name)
        )
        if account is not None:
            services.link_account(session=session, prospect=prospect, account_id=account.id, actor=user)
    for prospect_name, name, email, answers, checked in DELIVERY_CHECKS:
        prospect = session.scalar(
            select(Prospect).where(Prospect.supplier_id == supplier.id, Prospect.name == prospect_name)
        )
        if prospect is None or any(check.rater is DealRater.DELIVERY for check in prospect.checks):
            continue
        # A personal link as `services.invite` makes it, without the email: the demo sends nothing.
        invitation = DealCheckInvitation(
            prospect=prospect,
            email=email,
            name=name,
            language=Language.NL,
            rater=DealRater.DELIVERY,
            token_hash=services.token_hash(secrets.token_urlsafe(services.TOKEN_BYTES)),
            created_by_id=user.id,
            created_at=checked - timedelta(days=1),
            expires_at=checked + timedelta(days=services.LINK_DAYS),
        )
        session.add(invitation)
        session.flush()
        record(prospect, answers, checked, invitation=invitation)
    return [DemoLogin("sales", SALES_EMAIL, SALES_PASSWORD)]
