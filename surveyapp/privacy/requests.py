"""Erasure requests: a respondent asks, from their personal link, for their personal data to be erased; the
request waits on the privacy admin page until an admin erases the contact (which closes it) or closes it with
a reason (issue 23: the erasure route the invitation and the survey promise must lead somewhere).

One open request per contact: asking again while one is open adds nothing but the newest note. Asking also
opts the contact out of this supplier's email (no reminder reaches someone waiting to be erased).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.i18n import _l
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.optout import opt_out
from surveyapp.privacy.models import MAX_NOTE, ErasureRequest
from surveyapp.studies.models import Contact, Study

VIA_ERASURE_REQUEST = "erasure-request"


class ErasureRequestError(ValueError):
    """The request cannot be taken as given; the message says why."""


def request_erasure(*, session: Session, invitation: Invitation, note: str, now: datetime) -> ErasureRequest:
    """Record (or renew) the contact's open request to erase their personal data; flushes."""
    clean = note.replace("\r\n", "\n").strip()
    if len(clean) > MAX_NOTE:
        raise ErasureRequestError(_l("The note may have at most %(n)d characters.", n=MAX_NOTE))
    found = session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.contact_id == invitation.contact_id, ErasureRequest.handled_at.is_(None)
        )
    )
    if found is None:
        found = ErasureRequest(
            contact_id=invitation.contact_id, study_id=invitation.study_id, requested_at=now
        )
        session.add(found)
    if clean:
        found.note = clean
    session.flush()
    # Whoever asks to be erased is not mailed again meanwhile: their open invitations end, unsent mail stops.
    token = session.scalar(
        select(InvitationToken).where(InvitationToken.invitation_id == invitation.id).limit(1)
    )
    if token is not None:
        opt_out(session=session, token=token, via=VIA_ERASURE_REQUEST, now=now)
    record(
        session=session,
        action="privacy.erasure_requested",
        actor=None,
        actor_label="respondent",
        obj=found,
        supplier_id=invitation.study.supplier_id,
        details={"contact": invitation.contact_id, "study": invitation.study_id},
    )
    return found


def has_open_request(*, session: Session, contact_id: int) -> bool:
    return (
        session.scalar(
            select(ErasureRequest.id).where(
                ErasureRequest.contact_id == contact_id, ErasureRequest.handled_at.is_(None)
            )
        )
        is not None
    )


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """An open request as the privacy page lists it."""

    id: int
    email: str
    name: str
    supplier: str
    study: str | None
    note: str
    requested_at: datetime


def open_requests(*, session: Session) -> list[OpenRequest]:
    """Every open request, oldest first."""
    from surveyapp.studies.models import Supplier

    rows = session.execute(
        select(ErasureRequest, Contact.email, Contact.name, Supplier.name, Study.name)
        .join(Contact, Contact.id == ErasureRequest.contact_id)
        .join(Supplier, Supplier.id == Contact.supplier_id)
        .outerjoin(Study, Study.id == ErasureRequest.study_id)
        .where(ErasureRequest.handled_at.is_(None))
        .order_by(ErasureRequest.requested_at, ErasureRequest.id)
    ).all()
    return [
        OpenRequest(request.id, email or "", name or "", supplier, study, request.note, request.requested_at)
        for request, email, name, supplier, study in rows
    ]


def close_for_contacts(*, session: Session, contact_ids: list[int], actor_label: str, now: datetime) -> int:
    """Close the open requests of erased contacts and blank their notes (the respondent's own words)."""
    if not contact_ids:
        return 0
    result = session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.contact_id.in_(contact_ids), ErasureRequest.handled_at.is_(None))
        .values(handled_at=now, handled_by_label=actor_label[:254], note="")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def label_of(actor: Any, actor_label: str | None) -> str:
    if actor_label:
        return actor_label
    return str(getattr(actor, "email", "") or "")
