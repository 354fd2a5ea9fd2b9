"""What the act page shows: accounts grouped by decision, their proposals, actions, progress and follow-up.

A study may have tens of thousands of accounts (issue 22): the groups are counted in SQL and each is shown a
page at a time, the actions likewise; only the accounts on a page are looked up in the analysis document.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from surveyapp.act.models import ActionItem, Decision
from surveyapp.act.proposals import FollowUp, Proposal, follow_up, propose
from surveyapp.core import paging
from surveyapp.core.paging import Page, Wanted
from surveyapp.enums import ActionStatus, DecisionKind
from surveyapp.studies.models import Account, Study, StudyAccount
from surveyapp.studies.queries import scope_size

GROUP_ORDER = (DecisionKind.CONTINUE, DecisionKind.REALIGN, DecisionKind.EXIT, None)
#: The name of each group in its GET parameter (`continue_page`, ...) and its heading's id (`group-...`).
GROUP_KEYS: dict[DecisionKind | None, str] = {
    DecisionKind.CONTINUE: "continue",
    DecisionKind.REALIGN: "realign",
    DecisionKind.EXIT: "exit",
    None: "none",
}
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.DOING)


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: Account
    quadrant: str | None
    overall: Mapping[str, Any] | None
    drift: Mapping[str, Any] | None
    proposal: Proposal | None
    decision: Decision | None
    follow_up: FollowUp | None
    actions_done: int = 0
    actions_total: int = 0


@dataclass(frozen=True, slots=True)
class Progress:
    accounts: int
    decided: int
    actions: int
    done: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Group:
    """The accounts with one decision (None: none yet): a page of them, and how many there are."""

    kind: DecisionKind | None
    rows: Page[AccountRow]

    @property
    def key(self) -> str:
        return GROUP_KEYS[self.kind]


@dataclass(frozen=True, slots=True)
class ActionRow:
    """An action in the study's list, with the account its decision is about."""

    action: ActionItem
    account_id: int
    account_name: str


@dataclass(frozen=True, slots=True)
class ActPage:
    groups: list[Group]
    actions: Page[ActionRow]
    progress: Progress

    def pages(self) -> list[Page[Any]]:
        """Every paged list of the page (to check that each page asked for exists)."""
        return [group.rows for group in self.groups] + [self.actions]

    def _marked(self, key: str) -> bool:
        return any(
            row.overall is not None and row.quadrant != "incomplete" and row.overall.get(key)
            for group in self.groups
            for row in group.rows.items
        )

    @property
    def indicative(self) -> bool:
        """Whether a quadrant shown on this page is indicative (rule 17), so the page explains the dagger."""
        return self._marked("indicative")

    @property
    def borderline(self) -> bool:
        """Whether a quadrant shown on this page is borderline (rule 17)."""
        return self._marked("borderline")


def group_pages(args: Mapping[str, str]) -> dict[str, Wanted]:
    """The page of each group and of the actions that a request asks for (`<group>_page`, `actions_page`)."""
    wanted = {key: paging.wanted(args, f"{key}_page", anchor=f"group-{key}") for key in GROUP_KEYS.values()}
    wanted["actions"] = paging.wanted(args, "actions_page", anchor="actions-heading")
    return wanted


def decisions_by_account(
    *, session: Session, study: Study, account_ids: Collection[int] | None = None
) -> dict[int, Decision]:
    """The study's decisions (of the given accounts only, when `account_ids` is given), with their actions."""
    statement = (
        select(Decision)
        .where(Decision.study_id == study.id)
        .options(selectinload(Decision.actions).selectinload(ActionItem.owner_user))
    )
    if account_ids is not None:
        statement = statement.where(Decision.account_id.in_(sorted(account_ids)))
    return {decision.account_id: decision for decision in session.scalars(statement)}


def follow_ups(
    *,
    session: Session,
    study: Study,
    document: Mapping[str, Any],
    account_ids: Collection[int] | None = None,
) -> dict[int, FollowUp]:
    """Per account of a follow-up wave that had a decision in the previous wave: what became of it (of the
    given accounts only, when `account_ids` is given)."""
    previous = study.previous_study
    if previous is None:
        return {}
    earlier = decisions_by_account(session=session, study=previous, account_ids=account_ids)
    if not earlier:
        return {}
    names = dict(
        session.execute(
            select(Account.name, Account.id).where(
                Account.supplier_id == study.supplier_id, Account.id.in_(sorted(earlier))
            )
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


def _in_scope(study: Study) -> Any:
    return and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id)


def _group_counts(session: Session, study: Study) -> dict[DecisionKind | None, int]:
    decided = dict(
        session.execute(
            select(Decision.kind, func.count())
            .join(
                StudyAccount,
                and_(StudyAccount.account_id == Decision.account_id, StudyAccount.study_id == study.id),
            )
            .where(Decision.study_id == study.id)
            .group_by(Decision.kind)
        ).all()
    )
    counts: dict[DecisionKind | None, int] = {DecisionKind(kind): int(n) for kind, n in decided.items()}
    counts[None] = scope_size(session=session, study=study) - sum(counts.values())
    return counts


def _group_rows(
    session: Session, study: Study, kind: DecisionKind | None, page: Wanted, total: int
) -> Page[tuple[Account, Decision | None]]:
    if kind is None:
        statement = (
            select(Account)
            .join(StudyAccount, _in_scope(study))
            .where(Account.id.not_in(select(Decision.account_id).where(Decision.study_id == study.id)))
            .order_by(Account.name, Account.id)
        )
        found = paging.fetch(session, statement, page, total=total, scalars=True)
        return Page(items=[(account, None) for account in found.items], total=total, wanted=page)
    statement = (
        select(Account, Decision)
        .join(StudyAccount, _in_scope(study))
        .join(Decision, and_(Decision.account_id == Account.id, Decision.study_id == study.id))
        .where(Decision.kind == kind)
        .order_by(Account.name, Account.id)
    )
    found = paging.fetch(session, statement, page, total=total)
    return Page(items=[(account, decision) for account, decision in found.items], total=total, wanted=page)


def _action_counts(session: Session, decision_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per decision: its actions done, and those not dropped."""
    if not decision_ids:
        return {}
    return {
        decision_id: (int(done), int(total))
        for decision_id, done, total in session.execute(
            select(
                ActionItem.decision_id,
                func.count().filter(ActionItem.status == ActionStatus.DONE),
                func.count().filter(ActionItem.status != ActionStatus.DROPPED),
            )
            .where(ActionItem.decision_id.in_(decision_ids))
            .group_by(ActionItem.decision_id)
        ).all()
    }


def _progress(
    session: Session, study: Study, counts: Mapping[DecisionKind | None, int], today: date
) -> Progress:
    overdue = and_(ActionItem.status.in_(OPEN_STATUSES), ActionItem.due < today)
    actions, done, late = session.execute(
        select(
            func.count(),
            func.count().filter(ActionItem.status == ActionStatus.DONE),
            func.count().filter(overdue),
        )
        .join(Decision, Decision.id == ActionItem.decision_id)
        .where(Decision.study_id == study.id, ActionItem.status != ActionStatus.DROPPED)
    ).one()
    return Progress(
        accounts=sum(counts.values()),
        decided=sum(n for kind, n in counts.items() if kind is not None),
        actions=int(actions),
        done=int(done),
        overdue=int(late),
    )


def action_page(*, session: Session, study: Study, page: Wanted, today: date) -> Page[ActionRow]:
    """One page of the study's actions: overdue ones first, then by due date."""
    overdue = case((and_(ActionItem.status.in_(OPEN_STATUSES), ActionItem.due < today), 0), else_=1)
    statement = (
        select(ActionItem, Account.id, Account.name)
        .join(Decision, Decision.id == ActionItem.decision_id)
        .join(Account, Account.id == Decision.account_id)
        .where(Decision.study_id == study.id)
        .options(joinedload(ActionItem.owner_user))
        .order_by(overdue, ActionItem.due, ActionItem.id)
    )
    found = paging.fetch(session, statement, page)
    return Page(
        items=[ActionRow(action, int(account_id), str(name)) for action, account_id, name in found.items],
        total=found.total,
        wanted=page,
    )


def act_page(
    *,
    session: Session,
    study: Study,
    document: Mapping[str, Any],
    today: date,
    pages: Mapping[str, Wanted] | None = None,
) -> ActPage:
    """What the act page lists, from the study's analysis document and its decisions: per decision group
    (the groups with accounts, in GROUP_ORDER) the page `pages[key]` asks for, and the page of actions."""
    wanted = pages or {}
    counts = _group_counts(session, study)
    entries = {entry["account"]: entry for entry in document["accounts"]}
    groups = []
    for kind in GROUP_ORDER:
        if not counts.get(kind):
            continue
        found = _group_rows(session, study, kind, wanted.get(GROUP_KEYS[kind], Wanted()), counts[kind])
        ids = [account.id for account, _decision in found.items]
        followed = follow_ups(session=session, study=study, document=document, account_ids=ids) if ids else {}
        actions = _action_counts(session, [decision.id for _account, decision in found.items if decision])
        rows = []
        for account, decision in found.items:
            entry = entries.get(account.name)
            done, total = actions.get(decision.id, (0, 0)) if decision else (0, 0)
            rows.append(
                AccountRow(
                    account=account,
                    quadrant=entry["quadrant"] if entry else None,
                    overall=entry["overall"] if entry else None,
                    drift=entry["drift"] if entry else None,
                    proposal=propose(entry["quadrant"]) if entry else None,
                    decision=decision,
                    follow_up=followed.get(account.id),
                    actions_done=done,
                    actions_total=total,
                )
            )
        groups.append(Group(kind, Page(items=rows, total=found.total, wanted=found.wanted)))
    return ActPage(
        groups=groups,
        actions=action_page(session=session, study=study, page=wanted.get("actions", Wanted()), today=today),
        progress=_progress(session, study, counts, today),
    )
