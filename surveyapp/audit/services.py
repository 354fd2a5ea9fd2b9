"""Recording audit events; every capability calls `record` for the changes it makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from surveyapp.audit.models import AuditEvent

SYSTEM = "system"
CLI = "cli"


def record(
    *,
    session: Session,
    action: str,
    actor: Any | None = None,
    actor_id: int | None = None,
    actor_label: str | None = None,
    obj: Any | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    supplier_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the caller's change, committed with it).

    `actor` is a User (or None for the system; `actor_id` with `actor_label` name a user without loading it);
    `obj` any model with an `id`, whose table name becomes the object type unless `object_type` says otherwise.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    label = actor_label or (actor.email if actor is not None else SYSTEM)
    event = AuditEvent(
        actor_id=actor.id if actor is not None else actor_id,
        actor_label=label[:100],
        action=action,
        object_type=object_type,
        object_id=object_id,
        supplier_id=supplier_id,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event
