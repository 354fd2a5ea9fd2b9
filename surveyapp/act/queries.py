"""What the act page shows: accounts grouped by decision, their proposals, actions, progress and follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveyapp.act.models import ActionItem, Decision
from surveyapp.act.proposals import FollowUp, Proposal, follow_up, propose
from surveyapp.act.services import document_entry
from surveyapp.enums import ActionStatus, DecisionKind
from surveyapp.studies.models import Account, Study, StudyAccount

GROUP_ORDER = (DecisionKind.CONTINUE, DecisionKind.REALIGN, DecisionKind.EXIT, None)


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: Account
    quadrant: str | None
    overall: Mapping[str, Any] | None
    drift: Mapping[str, Any] | None
    proposal: Proposal | None
    decision: Decision | None
    follow_up: FollowUp | None


@dataclass(frozen=True, slots=True)
class Progress:
    accounts: int
    decided: int
    actions: int
    done: int
    overdue: int


@dataclass
class ActPage:
    rows: list[AccountRow]
    groups: list[tuple[DecisionKind | None, list[AccountRow]]] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    progress: Progress | None = None


def decisions_by_account(*, session: Session, study: Study) -> dict[int, Decision]:
    rows = session.scalars(
        select(Decision)
        .where(Decision.study_id == study.id)
        .options(selectinload(Decision.actions).selectinload(ActionItem.owner_user))
    )
    return {decision.account_id: decision for decision in rows}


def follow_ups(*, session: Session, study: Study, document: Mapping[str, Any]) -> dict[int, FollowUp]:
    """Per account of a follow-up wave that had a decision in the previous wave: what became of it."""
    previous = study.previous_study
    if previous is None:
        return {}
    earlier = decisions_by_account(session=session, study=previous)
    names = dict(
        session.execute(
            select(Account.name, Account.id).where(Account.supplier_id == study.supplier_id)
        ).all()
    )
    threshold = float(document["thresholds"]["gap"])
    result = {}
    for entry in document["accounts"]:
        account_id = names.get(entry["account"])
        decision = earlier.get(account_id) if account_id is not None else None
        if decision is None:
            continue
        result[decision.account_id] = follow_up(
            decision=decision.kind,
            statuses=[action.status.value for action in decision.actions],
            drift=entry["drift"],
            overall_gap=entry["overall"]["gap"],
            threshold=threshold,
        )
    return result


def act_page(*, session: Session, study: Study, document: Mapping[str, Any], today: date) -> ActPage:
    """Everything the act page lists, from the study's analysis document and its decisions."""
    accounts = list(
        session.scalars(
            select(Account)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
            .order_by(Account.name)
        )
    )
    decisions = decisions_by_account(session=session, study=study)
    followed = follow_ups(session=session, study=study, document=document)
    rows = []
    for account in accounts:
        entry = document_entry(document, account.name)
        rows.append(
            AccountRow(
                account=account,
                quadrant=entry["quadrant"] if entry else None,
                overall=entry["overall"] if entry else None,
                drift=entry["drift"] if entry else None,
                proposal=propose(entry["quadrant"]) if entry else None,
                decision=decisions.get(account.id),
                follow_up=followed.get(account.id),
            )
        )
    page = ActPage(rows=rows)
    for kind in GROUP_ORDER:
        members = [row for row in rows if (row.decision.kind if row.decision else None) == kind]
        if members:
            page.groups.append((kind, members))
    page.actions = sorted(
        (action for decision in decisions.values() for action in decision.actions),
        key=lambda action: (not action.is_overdue(today), action.due, action.id),
    )
    counted = [action for action in page.actions if action.status != ActionStatus.DROPPED]
    page.progress = Progress(
        accounts=len(rows),
        decided=sum(1 for row in rows if row.decision is not None),
        actions=len(counted),
        done=sum(1 for action in counted if action.status == ActionStatus.DONE),
        overdue=sum(1 for action in counted if action.is_overdue(today)),
    )
    return page
