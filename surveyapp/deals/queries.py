"""Read side of the deal fit check: prospects a user may see, a check as the pages show it, the prediction for
an account, and how well the checks predicted the fit measured later in studies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.analysis.rounding import round_score
from surveyapp.analysis.service import AnalysisError, analysis_document
from surveyapp.auth.permissions import can_see_supplier
from surveyapp.deals.advice import STRICTNESS, Advice, RatedCheck, TwoViews, assess, combine
from surveyapp.deals.models import DealCheck, Prospect
from surveyapp.enums import DealAdvice, DealRater, Phase, Quadrant, Role
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_scoring_version, load_version
from surveyapp.studies.models import Account, Study

#: The roles that work with prospects (account teams do not; sales users only for their own supplier).
PROSPECT_ROLES = (Role.ADMIN, Role.RESEARCHER, Role.SALES)
#: The measured quadrants a prediction is compared with (an incomplete account measured nothing).
MEASURED = (Quadrant.MATCH, Quadrant.CUSTOMER_SWAYED, Quadrant.BLIND_SPOT, Quadrant.MISFIT)
ADVICE_ORDER = (DealAdvice.GO, DealAdvice.GO_WITH_CONDITIONS, DealAdvice.NO_GO)


def may_use_prospects(user: Any) -> bool:
    return user.role in PROSPECT_ROLES


def visible_prospect(*, session: Session, user: Any, prospect_id: int) -> Prospect | None:
    """The prospect if it exists and the user may see it; None otherwise (the caller answers 404)."""
    prospect = session.get(Prospect, prospect_id)
    if prospect is None or not may_use_prospects(user) or not can_see_supplier(user, prospect.supplier_id):
        return None
    return prospect


def visible_check(*, session: Session, user: Any, check_id: int) -> DealCheck | None:
    check = session.get(DealCheck, check_id)
    if check is None or visible_prospect(session=session, user=user, prospect_id=check.prospect_id) is None:
        return None
    return check


def supplier_prospects(*, session: Session, supplier_id: int) -> list[Prospect]:
    return list(
        session.scalars(
            select(Prospect).where(Prospect.supplier_id == supplier_id).order_by(func.lower(Prospect.name))
        )
    )


def supplier_accounts(*, session: Session, supplier_id: int) -> list[Account]:
    return list(
        session.scalars(
            select(Account).where(Account.supplier_id == supplier_id).order_by(func.lower(Account.name))
        )
    )


@dataclass(frozen=True, slots=True)
class CheckView:
    check: DealCheck
    questionnaire: Questionnaire
    result: Advice


def check_view(*, session: Session, check: DealCheck) -> CheckView:
    """A stored check with its advice, reasons and conditions, derived again from its pinned versions."""
    questionnaire = load_version(session=session, version_id=check.questionnaire_version_id)
    scoring = load_scoring_version(session=session, version_id=check.scoring_version_id)
    return CheckView(check, questionnaire, assess(questionnaire, scoring, check.answers))


@dataclass(frozen=True, slots=True)
class BothRaters:
    """The latest check of each rater of a prospect and what they say together (`advice.combine`)."""

    sales: CheckView
    delivery: CheckView
    views: TwoViews


def both_raters(*, session: Session, prospect: Prospect, check: DealCheck | None = None) -> BothRaters | None:
    """Sales' and delivery's latest checks of a prospect, combined; None until both have answered one. With
    `check`: that check with the other rater's latest one completed at or before it — what the two said at
    the time, as the check's page and PDF show it (a later check does not rewrite an earlier one's verdict)."""
    if check is None:
        latest = {rater: latest_check(prospect, rater=rater) for rater in DealRater}
    else:
        other = DealRater.DELIVERY if check.rater is DealRater.SALES else DealRater.SALES
        earlier = [c for c in prospect.checks if c.rater is other and c.completed_at <= check.completed_at]
        latest = {check.rater: check, other: max(earlier, key=lambda c: (c.completed_at, c.id), default=None)}
    sales, delivery = latest[DealRater.SALES], latest[DealRater.DELIVERY]
    if sales is None or delivery is None:
        return None
    sales_view = check_view(session=session, check=sales)
    delivery_view = check_view(session=session, check=delivery)
    views = combine(
        RatedCheck(sales_view.questionnaire, sales.answers, sales_view.result),
        RatedCheck(delivery_view.questionnaire, delivery.answers, delivery_view.result),
    )
    return BothRaters(sales_view, delivery_view, views)


def latest_check(
    prospect: Prospect, before: datetime | None = None, *, rater: DealRater | None = None
) -> DealCheck | None:
    """The prospect's latest completed check (optionally: completed before a moment, by one rater)."""
    checks = [
        c
        for c in prospect.checks
        if (before is None or c.completed_at < before) and (rater is None or c.rater is rater)
    ]
    return max(checks, key=lambda c: (c.completed_at, c.id), default=None)


def deciding_check(prospect: Prospect, before: datetime | None = None) -> DealCheck | None:
    """The check that carries the deal's advice (optionally: as it stood before a moment): of sales' and
    delivery's latest checks, the one with the stricter advice (a deal needs both: method.md section 12), on
    equal advice the lower score; with one rater only, that one's latest."""
    candidates = [check for rater in DealRater if (check := latest_check(prospect, before, rater=rater))]
    return max(
        candidates,
        key=lambda check: (STRICTNESS[check.advice], -check.score, check.completed_at, check.id),
        default=None,
    )


def _prediction(check: DealCheck) -> dict[str, Any]:
    return {
        "check_id": check.id,
        "advice": check.advice.value,
        "score": round_score(check.score),
        "knocked_out": bool(check.knockouts),
        "checked_at": check.completed_at,
    }


def account_prediction(*, session: Session, account_id: int) -> dict[str, Any] | None:
    """What the deal fit check of the account's linked prospect advised (`deciding_check`): advice, score, date;
    or None."""
    prospect = session.scalar(select(Prospect).where(Prospect.account_id == account_id))
    check = deciding_check(prospect) if prospect is not None else None
    if prospect is None or check is None:
        return None
    return {"prospect_id": prospect.id, "prospect": prospect.name, **_prediction(check)}


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    prospect: str
    account: str
    advice: DealAdvice
    score: float
    checked_at: datetime
    study: str
    quadrant: Quadrant
    client: float | None
    supplier: float | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Advice (rows) against the measured quadrant (columns), with the pairs behind it."""

    rows: tuple[ComparisonRow, ...]
    counts: dict[str, dict[str, int]]

    @property
    def n(self) -> int:
        return len(self.rows)

    def row_total(self, advice: str) -> int:
        return sum(self.counts[advice].values())


def confusion(rows: Iterable[ComparisonRow]) -> Comparison:
    kept = tuple(rows)
    counts = {a.value: {q.value: 0 for q in MEASURED} for a in ADVICE_ORDER}
    for row in kept:
        counts[row.advice.value][row.quadrant.value] += 1
    return Comparison(kept, counts)


def _measured(study: Study, document: dict[str, Any], linked: dict[str, Prospect]) -> list[ComparisonRow]:
    rows = []
    for account in document["accounts"]:
        prospect = linked.get(account["account"])
        quadrant = Quadrant(account["quadrant"])
        if prospect is None or quadrant not in MEASURED:
            continue
        check = deciding_check(prospect, before=study.created_at)
        if check is None:
            continue
        rows.append(
            ComparisonRow(
                prospect=prospect.name,
                account=account["account"],
                advice=check.advice,
                score=check.score,
                checked_at=check.completed_at,
                study=study.slug,
                quadrant=quadrant,
                client=account["overall"]["client"],
                supplier=account["overall"]["supplier"],
            )
        )
    return rows


def _linked_by_account_name(session: Session, supplier_id: int) -> dict[str, Prospect]:
    rows = session.execute(
        select(Account.name, Prospect)
        .join(Prospect, Prospect.account_id == Account.id)
        .where(Prospect.supplier_id == supplier_id)
    ).all()
    return {name: prospect for name, prospect in rows}


def study_comparison(*, session: Session, study: Study, document: dict[str, Any] | None = None) -> Comparison:
    """How the checks made before this study predicted the quadrants it measured (linked accounts only)."""
    linked = _linked_by_account_name(session, study.supplier_id)
    if not linked:
        return confusion(())
    document = document if document is not None else analysis_document(session=session, study=study)
    return confusion(_measured(study, document, linked))


def supplier_comparison(*, session: Session, supplier_id: int) -> Comparison:
    """Per linked prospect, its latest check before the most recent study (analyse or act phase) that
    measured its account's quadrant, against that quadrant. A study whose analysis fails is skipped."""
    linked = _linked_by_account_name(session, supplier_id)
    if not linked:
        return confusion(())
    studies = session.scalars(
        select(Study)
        .where(Study.supplier_id == supplier_id, Study.phase.in_((Phase.ANALYSE, Phase.ACT)))
        .order_by(Study.created_at.desc(), Study.id.desc())
    )
    found: dict[str, ComparisonRow] = {}
    for study in studies:
        pending = {name: p for name, p in linked.items() if name not in found}
        if not pending:
            break
        try:
            document = analysis_document(session=session, study=study)
        except AnalysisError:
            continue  # the study's answers and scoring version disagree: it measures nothing until rescored
        for row in _measured(study, document, pending):
            found[row.account] = row
    return confusion(sorted(found.values(), key=lambda row: row.prospect.lower()))
