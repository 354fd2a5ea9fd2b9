"""Correcting a contact's address after a failed delivery, and sending their invitations again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record as audit
from surveyapp.auth.services import UserError, normalise_email
from surveyapp.db import utcnow
from surveyapp.i18n import _l
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.planning import InvitationError, check_can_send
from surveyapp.invitations.sending import QueueReport, resend, revoke_tokens
from surveyapp.mail.outbox import cancel_messages
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Contact, Study


def correct_address(
    *,
    session: Session,
    study: Study,
    contact: Contact,
    email: str,
    mail: MailSettings,
    actor: Any,
    now: datetime | None = None,
) -> QueueReport:
    """Give the contact a corrected address and send their open invitations in this study to it (flushes).

    Links already sent went to the old address, so they stop working; unsent mail to it is cancelled.
    """
    now = now or utcnow()
    check_can_send(study, now)
    if contact.supplier_id != study.supplier_id:
        raise ValueError("the contact belongs to another supplier")
    try:
        address = normalise_email(email)
    except UserError as exc:
        raise InvitationError(str(exc)) from None
    if address == contact.email:
        raise InvitationError(
            _l("That is the address the invitation already went to. Enter the corrected address.")
        )
    taken = session.scalar(
        select(Contact.id).where(Contact.supplier_id == contact.supplier_id, Contact.email == address)
    )
    if taken is not None:
        raise InvitationError(
            _l("Another contact of this supplier already has the address %(email)s.", email=address)
        )
    invitations = list(
        session.scalars(
            select(Invitation)
            .where(Invitation.study_id == study.id, Invitation.contact_id == contact.id)
            .order_by(Invitation.id)
        )
    )
    all_ids = [i.id for i in invitations]
    revoke_tokens(session, all_ids, now)
    cancel_messages(
        session=session,
        message_ids=lifecycle.pending_message_ids(session, all_ids),
        reason="the contact's address was corrected",
    )
    contact.email = address
    session.flush()
    audit(
        session=session,
        action="contact.address_corrected",
        actor=actor,
        obj=contact,
        supplier_id=contact.supplier_id,
        details={"study": study.id},
    )
    open_ones = [i for i in invitations if i.status in lifecycle.OPEN]
    for invitation in open_ones:
        lifecycle.record(
            session=session,
            invitation=invitation,
            status=invitation.status,
            at=now,
            detail="address corrected",
        )
    if not open_ones:
        return QueueReport()
    return resend(
        session=session,
        study=study,
        invitations=open_ones,
        mail=mail,
        actor=actor,
        reason="address corrected",
        now=now,
    )
