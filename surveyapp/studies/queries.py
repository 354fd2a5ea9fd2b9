"""Read-side queries for suppliers and studies, scoped to what a user may see, aggregated in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from surveyapp.auth.permissions import scope_to_suppliers
from surveyapp.core import paging
from surveyapp.core.paging import Page, Wanted
from surveyapp.enums import Perspective, Phase, Role, Side
from surveyapp.responses.models import COMPLETED, Response
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount, Supplier

VISIBLE_TO_ACCOUNT_TEAMS = (Phase.ANALYSE, Phase.ACT)


def visible_suppliers(*, session: Session, user: Any) -> list[Supplier]:
    """The suppliers this user may see, by name."""
    statement = scope_to_suppliers(select(Supplier).order_by(Supplier.name), user, Supplier.id)
    return list(session.scalars(statement))


def get_visible_supplier(*, session: Session, user: Any, supplier_id: int) -> Supplier | None:
    """The supplier if it exists and the user may see it; None otherwise (the caller answers 404)."""
    statement = scope_to_suppliers(select(Supplier).where(Supplier.id == supplier_id), user, Supplier.id)
    return session.scalar(statement)


def _study_scope(statement: Any, user: Any) -> Any:
    statement = scope_to_suppliers(statement, user, Study.supplier_id)
    if user.role == Role.ACCOUNT_TEAM:
        # Account teams see results from the analyse phase on, never the fieldwork before it.
        statement = statement.where(Study.phase.in_(VISIBLE_TO_ACCOUNT_TEAMS))
    elif user.role == Role.SALES:
        statement = statement.where(Study.id.is_(None))
    return statement


def visible_studies(*, session: Session, user: Any, supplier_id: int | None = None) -> list[Study]:
    statement = _study_scope(select(Study).order_by(Study.created_at.desc(), Study.id.desc()), user)
    if supplier_id is not None:
        statement = statement.where(Study.supplier_id == supplier_id)
    return list(session.scalars(statement))


def get_visible_study(*, session: Session, user: Any, slug: str) -> Study | None:
    return session.scalar(_study_scope(select(Study).where(Study.slug == slug), user))


@dataclass(frozen=True, slots=True)
class Coverage:
    accounts: int
    accounts_with_client_voice: int
    revenue: Decimal
    revenue_with_client_voice: Decimal

    @property
    def account_share(self) -> float | None:
        return self.accounts_with_client_voice / self.accounts * 100 if self.accounts else None

    @property
    def revenue_share(self) -> float | None:
        return float(self.revenue_with_client_voice / self.revenue * 100) if self.revenue else None


def _voiced_accounts(study_id: int) -> Any:
    return (
        select(Response.account_id.label("account_id"))
        .where(
            Response.study_id == study_id,
            Response.perspective == Perspective.CLIENT,
            Response.status == COMPLETED,
        )
        .distinct()
        .subquery()
    )


def coverage(*, session: Session, study: Study) -> Coverage:
    """Accounts with at least one completed client voice, and the share of revenue they stand for."""
    voiced = _voiced_accounts(study.id)
    row = session.execute(
        select(
            func.count(StudyAccount.account_id),
            func.count(voiced.c.account_id),
            func.coalesce(func.sum(StudyAccount.annual_revenue), 0),
            func.coalesce(func.sum(StudyAccount.annual_revenue).filter(voiced.c.account_id.is_not(None)), 0),
        )
        .select_from(StudyAccount)
        .outerjoin(voiced, voiced.c.account_id == StudyAccount.account_id)
        .where(StudyAccount.study_id == study.id)
    ).one()
    return Coverage(int(row[0]), int(row[1]), Decimal(row[2]), Decimal(row[3]))


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: Account
    in_scope: StudyAccount
    client_contacts: int
    client_completed: int
    staff_assigned: int
    staff_completed: int


def _matching(statement: Any, search: str, *columns: Any) -> Any:
    """`statement` narrowed to rows where one of `columns` contains `search` (any case; % and _ literal)."""
    needle = search.strip().lower()
    if not needle:
        return statement
    return statement.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns)))


def _account_counts(session: Session, study: Study, account_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """Per account: client contacts, completed client responses, staff assigned, completed staff responses."""
    if not account_ids:
        return {}
    clients = dict(
        session.execute(
            select(Contact.account_id, func.count(Contact.id))
            .where(
                Contact.account_id.in_(account_ids),
                Contact.side == Side.CLIENT,
                Contact.supplier_id == study.supplier_id,
                Contact.erased_at.is_(None),
            )
            .group_by(Contact.account_id)
        ).all()
    )
    staff = dict(
        session.execute(
            select(Assignment.account_id, func.count())
            .where(Assignment.study_id == study.id, Assignment.account_id.in_(account_ids))
            .group_by(Assignment.account_id)
        ).all()
    )
    done = {
        account_id: (client, supplier)
        for account_id, client, supplier in session.execute(
            select(
                Response.account_id,
                func.count(distinct(Response.contact_id)).filter(Response.perspective == Perspective.CLIENT),
                func.count(distinct(Response.contact_id)).filter(
                    Response.perspective == Perspective.SUPPLIER
                ),
            )
            .where(
                Response.study_id == study.id,
                Response.status == COMPLETED,
                Response.account_id.in_(account_ids),
            )
            .group_by(Response.account_id)
        ).all()
    }
    return {
        account_id: (
            int(clients.get(account_id, 0)),
            int(done.get(account_id, (0, 0))[0]),
            int(staff.get(account_id, 0)),
            int(done.get(account_id, (0, 0))[1]),
        )
        for account_id in account_ids
    }


def account_page(*, session: Session, study: Study, page: Wanted, search: str = "") -> Page[AccountRow]:
    """One page of the accounts in scope, by name (any case), with their contacts, assignments and completed
    responses per side; `search` keeps the accounts whose name or external id contains it. The counts are
    aggregated for the page's accounts only."""
    statement = _matching(
        select(Account, StudyAccount)
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .order_by(func.lower(Account.name), Account.id),
        search,
        Account.name,
        Account.external_id,
    )
    total = None if search.strip() else scope_size(session=session, study=study)
    found = paging.fetch(session, statement, page, total=total)
    counts = _account_counts(session, study, [account.id for account, _in_scope in found.items])
    rows = [AccountRow(account, in_scope, *counts[account.id]) for account, in_scope in found.items]
    return Page(items=rows, total=found.total, wanted=found.wanted)


def scope_size(*, session: Session, study: Study) -> int:
    """How many accounts the study has in scope."""
    return int(
        session.scalar(
            select(func.count()).select_from(StudyAccount).where(StudyAccount.study_id == study.id)
        )
        or 0
    )


@dataclass(frozen=True, slots=True)
class AccountChoices:
    """Accounts a form offers: (id, name) by name, and how many accounts match in all (`total` > shown when
    the list was cut at its limit)."""

    choices: list[tuple[int, str]]
    total: int


def account_choices(
    *, session: Session, study: Study, search: str = "", limit: int | None = None, also: Sequence[int] = ()
) -> AccountChoices:
    """The accounts in scope a contact or assignment form offers, by name: those whose name or external id
    contains `search` (all when empty), at most `limit`, plus the accounts in scope among `also` (the ones a
    submitted form chose, so that it validates whatever the list showed)."""
    base = (
        select(Account.id, Account.name)
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .order_by(func.lower(Account.name), Account.id)
    )
    statement = _matching(base, search, Account.name, Account.external_id)
    total = paging.count_of(session, statement)
    rows = session.execute(statement if limit is None else statement.limit(limit)).all()
    chosen = session.execute(base.where(Account.id.in_(sorted(set(also))))).all() if also else []
    found = {int(account_id): str(name) for account_id, name in [*rows, *chosen]}
    ordered = sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))
    return AccountChoices(ordered, total)


@dataclass(frozen=True, slots=True)
class ScopeSummary:
    """What the study page says about the accounts in scope instead of listing them (issue 22)."""

    accounts: int
    without_client_contact: int
    client_contacts: int
    without_staff: int
    staff: int
    assignments: int
    with_supplier_response: int


def scope_summary(*, session: Session, study: Study) -> ScopeSummary:
    """Counts over the accounts in scope, their client contacts, staff assignments and completed responses."""
    in_scope = select(StudyAccount.account_id).where(StudyAccount.study_id == study.id)
    clients = select(Contact.id).where(
        Contact.supplier_id == study.supplier_id,
        Contact.side == Side.CLIENT,
        Contact.erased_at.is_(None),
        Contact.account_id.in_(in_scope),
    )
    # NOT IN a list rather than NOT EXISTS: SQLite would run a correlated EXISTS once per account in scope
    # through the supplier's contact index (minutes at 20,000 accounts); a list is built once.
    client_accounts = select(Contact.account_id).where(
        Contact.supplier_id == study.supplier_id,
        Contact.side == Side.CLIENT,
        Contact.erased_at.is_(None),
        Contact.account_id.is_not(None),
    )
    staffed_accounts = select(Assignment.account_id).where(Assignment.study_id == study.id)

    def responded(perspective: Perspective) -> Any:
        return (
            select(func.count(distinct(Response.account_id)))
            .where(
                Response.study_id == study.id,
                Response.perspective == perspective,
                Response.status == COMPLETED,
                Response.account_id.in_(in_scope),
            )
            .scalar_subquery()
        )

    assignments = select(Assignment.contact_id).where(Assignment.study_id == study.id)
    row = session.execute(
        select(
            select(func.count()).select_from(in_scope.subquery()).scalar_subquery(),
            select(func.count())
            .select_from(StudyAccount)
            .where(StudyAccount.study_id == study.id, StudyAccount.account_id.not_in(client_accounts))
            .scalar_subquery(),
            select(func.count()).select_from(clients.subquery()).scalar_subquery(),
            select(func.count())
            .select_from(StudyAccount)
            .where(StudyAccount.study_id == study.id, StudyAccount.account_id.not_in(staffed_accounts))
            .scalar_subquery(),
            select(func.count(distinct(Assignment.contact_id)))
            .where(Assignment.study_id == study.id)
            .scalar_subquery(),
            select(func.count()).select_from(assignments.subquery()).scalar_subquery(),
            responded(Perspective.SUPPLIER),
        )
    ).one()
    return ScopeSummary(*(int(value or 0) for value in row))


@dataclass(frozen=True, slots=True)
class SegmentCount:
    segment: str
    accounts: int
    with_client_response: int


def segment_counts(*, session: Session, study: Study, limit: int = 12) -> tuple[list[SegmentCount], int]:
    """The largest segments of the accounts in scope (accounts, and those with a completed client response),
    most accounts first, at most `limit`; and how many segments are left out."""
    voiced = _voiced_accounts(study.id)
    rows = session.execute(
        select(Account.segment, func.count(), func.count(voiced.c.account_id))
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .outerjoin(voiced, voiced.c.account_id == Account.id)
        .group_by(Account.segment)
        .order_by(func.count().desc(), Account.segment)
    ).all()
    shown = [SegmentCount(str(segment), int(n), int(done)) for segment, n, done in rows[:limit]]
    return shown, max(0, len(rows) - limit)


def client_contact_page(
    *, session: Session, study: Study, page: Wanted, search: str = ""
) -> Page[tuple[Contact, str]]:
    """One page of the client contacts on accounts in scope, by name and email, with their account's name;
    `search` keeps those whose name, email or account name contains it."""
    statement = _matching(
        select(Contact, Account.name)
        .join(Account, Account.id == Contact.account_id)
        .join(
            StudyAccount,
            and_(StudyAccount.account_id == Contact.account_id, StudyAccount.study_id == study.id),
        )
        .where(Contact.supplier_id == study.supplier_id, Contact.side == Side.CLIENT)
        .order_by(func.lower(Contact.name), Contact.email, Contact.id),
        search,
        Contact.name,
        Contact.email,
        Account.name,
    )
    return paging.fetch(session, statement, page)


def assignment_page(
    *, session: Session, study: Study, page: Wanted
) -> Page[tuple[Assignment, Contact, Account]]:
    """One page of the study's staff assignments, by staff member and then account."""
    statement = (
        select(Assignment, Contact, Account)
        .join(Account, Account.id == Assignment.account_id)
        .join(Contact, Contact.id == Assignment.contact_id)
        .where(Assignment.study_id == study.id)
        .order_by(func.lower(Contact.name), Contact.id, func.lower(Account.name), Account.id)
    )
    total = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.study_id == study.id)
    )
    return paging.fetch(session, statement, page, total=int(total or 0))


def study_contacts(*, session: Session, study: Study, side: Side) -> list[Contact]:
    """Client contacts on accounts in scope, or the supplier's staff (assigned in this study or not)."""
    statement = select(Contact).where(Contact.supplier_id == study.supplier_id, Contact.side == side)
    if side == Side.CLIENT:
        statement = statement.join(
            StudyAccount,
            and_(StudyAccount.account_id == Contact.account_id, StudyAccount.study_id == study.id),
        )
    return list(session.scalars(statement.order_by(func.lower(Contact.name), Contact.email)))


def assignments(*, session: Session, study: Study) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .join(Account, Account.id == Assignment.account_id)
            .join(Contact, Contact.id == Assignment.contact_id)
            .where(Assignment.study_id == study.id)
            .order_by(func.lower(Contact.name), func.lower(Account.name))
        )
    )
