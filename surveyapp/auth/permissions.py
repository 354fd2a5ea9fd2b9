"""Who may see which supplier. Everything of a supplier a user may not see answers 404, never 403."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import Select

from surveyapp.enums import Role

SCOPED_ROLES = (Role.ACCOUNT_TEAM, Role.SALES)


def visible_supplier_ids(user: Any) -> set[int] | None:
    """The ids of the suppliers the user may see, or None for all of them."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.RESEARCHER and user.all_suppliers:
        return None
    return {supplier.id for supplier in user.suppliers}


def can_see_supplier(user: Any, supplier_id: int) -> bool:
    visible = visible_supplier_ids(user)
    return visible is None or supplier_id in visible


def scope_to_suppliers(statement: Select[Any], user: Any, supplier_column: Any) -> Select[Any]:
    """Limit a select to the suppliers the user may see."""
    visible = visible_supplier_ids(user)
    if visible is None:
        return statement
    return statement.where(supplier_column.in_(visible))


def require_supplier(user: Any, supplier_id: int) -> None:
    if not can_see_supplier(user, supplier_id):
        abort(404)


def is_staff(user: Any) -> bool:
    """Admins and researchers: the people who run studies."""
    return user.role in (Role.ADMIN, Role.RESEARCHER)


def can_create_suppliers(user: Any) -> bool:
    """Admins and researchers who see every supplier. A researcher limited to some suppliers may not: a new
    supplier would widen the scope an admin granted them."""
    return user.role == Role.ADMIN or (user.role == Role.RESEARCHER and bool(user.all_suppliers))
