"""What a study covers: accounts in scope with their figures, contacts, staff assignments, the study lead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.services import UserError, normalise_email
from surveyapp.enums import Language, Phase, Side
from surveyapp.i18n import _l
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount
from surveyapp.studies.services import StudyError, clean_name


def _check_figures(effort: Decimal | None, billable: Decimal | None, revenue: Decimal | None) -> None:
    for value in (effort, billable, revenue):
        if value is not None and value < 0:
            raise StudyError(_l("Revenue and hours cannot be negative."))
    if effort is not None and billable is not None and billable > effort:
        raise StudyError(_l("Billable hours cannot be more than the effort hours."))


def add_account(
    *,
    session: Session,
    study: Study,
    name: str,
    segment: str = "",
    external_id: str | None = None,
    annual_revenue: Decimal | None = None,
    effort_hours: Decimal | None = None,
    billable_hours: Decimal | None = None,
    actor: Any,
) -> StudyAccount:
    """Put an account in the study's scope, creating the supplier's account when it does not exist yet."""
    clean = clean_name(name, what=_l("An account"))
    _check_figures(effort_hours, billable_hours, annual_revenue)
    external_id = (external_id or "").strip() or None
    account = None
    if external_id:
        account = session.scalar(
            select(Account).where(
                Account.supplier_id == study.supplier_id, Account.external_id == external_id
            )
        )
    if account is None:
        account = session.scalar(
            select(Account).where(
                Account.supplier_id == study.supplier_id, func.lower(Account.name) == clean.lower()
            )
        )
    if account is None:
        account = Account(
            supplier_id=study.supplier_id, name=clean, segment=segment.strip(), external_id=external_id
        )
        session.add(account)
        session.flush()
    elif session.get(StudyAccount, (study.id, account.id)) is not None:
        raise StudyError(_l("Account %(name)s is already in this study.", name=account.name))
    in_scope = StudyAccount(
        study_id=study.id,
        account_id=account.id,
        annual_revenue=annual_revenue,
        effort_hours=effort_hours,
        billable_hours=billable_hours,
    )
    session.add(in_scope)
    session.flush()
    record(
        session=session,
        action="study.account_added",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"account": account.id},
    )
    return in_scope


def update_account_figures(
    *,
    session: Session,
    in_scope: StudyAccount,
    segment: str,
    annual_revenue: Decimal | None,
    effort_hours: Decimal | None,
    billable_hours: Decimal | None,
    actor: Any,
) -> StudyAccount:
    """Change an account's segment and the period's figures in this study."""
    _check_figures(effort_hours, billable_hours, annual_revenue)
    in_scope.account.segment = " ".join(segment.split())[:100]
    in_scope.annual_revenue = annual_revenue
    in_scope.effort_hours = effort_hours
    in_scope.billable_hours = billable_hours
    session.flush()
    record(
        session=session,
        action="study.account_figures_changed",
        actor=actor,
        object_type="studies",
        object_id=in_scope.study_id,
        supplier_id=in_scope.account.supplier_id,
        details={"account": in_scope.account_id},
    )
    return in_scope


def remove_account(*, session: Session, study: Study, account_id: int, actor: Any) -> None:
    """Take an account out of scope (prepare phase only: later it would change what was measured)."""
    if study.phase != Phase.PREPARE:
        raise StudyError(_l("Accounts can be taken out of scope only in the prepare phase."))
    session.execute(
        delete(Assignment).where(Assignment.study_id == study.id, Assignment.account_id == account_id)
    )
    session.execute(
        delete(StudyAccount).where(StudyAccount.study_id == study.id, StudyAccount.account_id == account_id)
    )
    session.flush()
    record(
        session=session,
        action="study.account_removed",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"account": account_id},
    )


def _valid_email(email: str) -> str:
    try:
        return normalise_email(email)
    except UserError as exc:
        raise StudyError(str(exc)) from None


def add_contact(
    *,
    session: Session,
    study: Study,
    side: Side,
    email: str,
    name: str = "",
    role: str = "",
    language: Language | None = None,
    account_id: int | None = None,
    actor: Any,
) -> Contact:
    """Add a client contact to an account in scope, or a supplier staff member (optionally rating an account)."""
    address = _valid_email(email)
    in_scope_ids = set(
        session.scalars(select(StudyAccount.account_id).where(StudyAccount.study_id == study.id))
    )
    if account_id is not None and account_id not in in_scope_ids:
        raise StudyError(_l("That account is not in this study."))
    if side == Side.CLIENT and account_id is None:
        raise StudyError(_l("A client contact belongs to an account: choose one."))
    contact = session.scalar(
        select(Contact).where(Contact.supplier_id == study.supplier_id, Contact.email == address)
    )
    if contact is None:
        contact = Contact(
            supplier_id=study.supplier_id,
            side=side,
            email=address,
            name=" ".join(name.split())[:200],
            role=" ".join(role.split())[:100],
            language=language or study.supplier.report_language,
            account_id=account_id if side == Side.CLIENT else None,
        )
        session.add(contact)
        session.flush()
    elif contact.side != side:
        raise StudyError(
            _l(
                "%(email)s is already a %(side)s contact of this supplier.",
                email=address,
                side=contact.side.value,
            )
        )
    elif side == Side.CLIENT and contact.account_id != account_id:
        raise StudyError(
            _l(
                "%(email)s is already a contact of account %(account)s; a client contact belongs to one account.",
                email=address,
                account=contact.account.name if contact.account else "?",
            )
        )
    if side == Side.SUPPLIER and account_id is not None:
        assign_staff(session=session, study=study, contact=contact, account_id=account_id, actor=actor)
    record(
        session=session, action="study.contact_added", actor=actor, obj=contact, supplier_id=study.supplier_id
    )
    return contact


def assign_staff(
    *, session: Session, study: Study, contact: Contact, account_id: int, actor: Any
) -> Assignment:
    """Let a supplier staff member rate an account in this study (once)."""
    if contact.side != Side.SUPPLIER or contact.supplier_id != study.supplier_id:
        raise StudyError(_l("Only the supplier's own staff can be assigned to rate accounts."))
    if session.get(StudyAccount, (study.id, account_id)) is None:
        raise StudyError(_l("That account is not in this study."))
    existing = session.get(Assignment, (study.id, contact.id, account_id))
    if existing is not None:
        return existing
    assignment = Assignment(study_id=study.id, contact_id=contact.id, account_id=account_id)
    session.add(assignment)
    session.flush()
    record(
        session=session,
        action="study.staff_assigned",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"contact": contact.id, "account": account_id},
    )
    return assignment


def unassign_staff(*, session: Session, study: Study, contact_id: int, account_id: int, actor: Any) -> None:
    session.execute(
        delete(Assignment).where(
            Assignment.study_id == study.id,
            Assignment.contact_id == contact_id,
            Assignment.account_id == account_id,
        )
    )
    session.flush()
    record(
        session=session,
        action="study.staff_unassigned",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"contact": contact_id, "account": account_id},
    )


def set_lead(*, session: Session, study: Study, contact: Contact, actor: Any) -> None:
    """Mark the supplier staff member who answers the brief and leads the study on the supplier's side."""
    if contact.side != Side.SUPPLIER or contact.supplier_id != study.supplier_id:
        raise StudyError(_l("The study lead is a member of the supplier's own staff."))
    study.lead_contact = contact
    session.flush()
    record(
        session=session,
        action="study.lead_set",
        actor=actor,
        obj=study,
        supplier_id=study.supplier_id,
        details={"contact": contact.id},
    )
