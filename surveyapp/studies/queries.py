"""Read-side queries for suppliers, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.auth.permissions import scope_to_suppliers
from surveyapp.studies.models import Supplier


def visible_suppliers(*, session: Session, user: Any) -> list[Supplier]:
    """The suppliers this user may see, by name."""
    statement = scope_to_suppliers(select(Supplier).order_by(Supplier.name), user, Supplier.id)
    return list(session.scalars(statement))


def get_visible_supplier(*, session: Session, user: Any, supplier_id: int) -> Supplier | None:
    """The supplier if it exists and the user may see it; None otherwise (the caller answers 404)."""
    statement = scope_to_suppliers(select(Supplier).where(Supplier.id == supplier_id), user, Supplier.id)
    return session.scalar(statement)
