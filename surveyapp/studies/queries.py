"""Read-side queries for suppliers and studies, scoped to what a user may see, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from surveyapp.auth.permissions import scope_to_suppliers
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


def account_rows(*, session: Session, study: Study) -> list[AccountRow]:
    """Every account in scope with its contacts, assignments and completed responses per side."""
    clients = (
        select(Contact.account_id, func.count(Contact.id).label("n"))
        .where(
            Contact.side == Side.CLIENT, Contact.supplier_id == study.supplier_id, Contact.erased_at.is_(None)
        )
        .group_by(Contact.account_id)
        .subquery()
    )
    staff = (
        select(Assignment.account_id, func.count().label("n"))
        .where(Assignment.study_id == study.id)
        .group_by(Assignment.account_id)
        .subquery()
    )
    done = (
        select(
            Response.account_id,
            func.count(distinct(Response.contact_id))
            .filter(Response.perspective == Perspective.CLIENT)
            .label("client"),
            func.count(distinct(Response.contact_id))
            .filter(Response.perspective == Perspective.SUPPLIER)
            .label("supplier"),
        )
        .where(Response.study_id == study.id, Response.status == COMPLETED)
        .group_by(Response.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Account,
            StudyAccount,
            func.coalesce(clients.c.n, 0),
            func.coalesce(done.c.client, 0),
            func.coalesce(staff.c.n, 0),
            func.coalesce(done.c.supplier, 0),
        )
        .join(StudyAccount, and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == study.id))
        .outerjoin(clients, clients.c.account_id == Account.id)
        .outerjoin(staff, staff.c.account_id == Account.id)
        .outerjoin(done, done.c.account_id == Account.id)
        .order_by(func.lower(Account.name))
    ).all()
    return [AccountRow(*row) for row in rows]


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
