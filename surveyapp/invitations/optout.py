"""Opting out: one click in any of a contact's emails stops all mail from that supplier to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.enums import InvitationStatus
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.mail.outbox import cancel_messages

VIA_PAGE = "page"
VIA_ONE_CLICK = "one-click"


def opt_out(*, session: Session, token: InvitationToken, via: str, now: datetime) -> bool:
    """Record that the token's contact wants no more email from this supplier (flushes).

    Their open invitations become `opted_out` and unsent mail to them is cancelled; the sender checks again
    just before sending. Returns False when the contact had already opted out (nothing changes).
    """
    contact = token.invitation.contact
    if contact.opted_out_at is not None:
        return False
    contact.opted_out_at = now
    open_invitations = list(
        session.scalars(
            select(Invitation).where(
                Invitation.contact_id == contact.id, Invitation.status.in_(lifecycle.OPEN)
            )
        )
    )
    for invitation in open_invitations:
        lifecycle.record(session=session, invitation=invitation, status=InvitationStatus.OPTED_OUT, at=now)
    every_invitation = list(session.scalars(select(Invitation.id).where(Invitation.contact_id == contact.id)))
    cancel_messages(
        session=session,
        message_ids=lifecycle.pending_message_ids(session, every_invitation),
        reason="the recipient opted out",
    )
    audit(
        session=session,
        action="contact.opted_out",
        actor_label="respondent",
        obj=contact,
        supplier_id=contact.supplier_id,
        details={"invitation": token.invitation_id, "via": via},
    )
    return True
