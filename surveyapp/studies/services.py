"""Creating and changing suppliers (the studies issue adds accounts, contacts and studies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.enums import Language, Role
from surveyapp.i18n import _l
from surveyapp.studies.models import Supplier

MAX_NAME = 200


class StudyError(ValueError):
    """A set-up request that cannot be carried out; the message says what is wrong."""


def create_supplier(
    *, session: Session, name: str, report_language: Language = Language.NL, actor: Any = None, actor_label: str | None = None
) -> Supplier:
    """Create a supplier; names are unique regardless of case and surrounding spaces."""
    clean = " ".join(name.split())
    if not clean:
        raise StudyError(_l("A supplier needs a name."))
    if len(clean) > MAX_NAME:
        raise StudyError(_l("A supplier name may have at most %(n)d characters.", n=MAX_NAME))
    if any(ord(ch) < 32 for ch in clean):
        raise StudyError(_l("A supplier name may not contain control characters."))
    exists = session.scalar(select(Supplier.id).where(func.lower(Supplier.name) == clean.lower()))
    if exists is not None:
        raise StudyError(_l("A supplier named %(name)s already exists.", name=clean))
    supplier = Supplier(name=clean, report_language=report_language)
    session.add(supplier)
    if actor is not None and actor.role == Role.RESEARCHER and not actor.all_suppliers:
        # A researcher with limited access keeps access to what they create.
        actor.suppliers.append(supplier)
    session.flush()
    record(
        session=session,
        action="supplier.created",
        actor=actor,
        actor_label=actor_label,
        obj=supplier,
        supplier_id=supplier.id,
    )
    return supplier
