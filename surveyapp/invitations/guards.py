"""The invitations' condition for leaving the prepare phase (registered in
`surveyapp.studies.phases.GUARDS`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.enums import Perspective, Purpose
from surveyapp.i18n import _l
from surveyapp.invitations.models import Invitation
from surveyapp.studies.models import Account, Assignment, Contact, Study

SHOWN = 5


def supplier_invitations_sent(session: Session, study: Study) -> Any:
    """Every staff assignment has a supplier-survey invitation that was delivered at least once.

    The supplier's own view is collected before client fieldwork starts, so that client answers cannot
    colour it.
    """
    from surveyapp.studies.phases import Requirement

    label = _l("The supplier staff's invitations sent")
    questionnaire = study.questionnaire_for(Perspective.SUPPLIER, Purpose.SURVEY)
    assignments = session.execute(
        select(Contact.id, Contact.name, Contact.email, Account.id, Account.name)
        .select_from(Assignment)
        .join(Contact, Contact.id == Assignment.contact_id)
        .join(Account, Account.id == Assignment.account_id)
        .where(Assignment.study_id == study.id)
        .order_by(func.lower(Contact.name), func.lower(Account.name))
    ).all()
    if questionnaire is None or not assignments:
        return Requirement("supplier_invitations", True, label, "", 0)
    delivered = set(
        session.execute(
            select(Invitation.contact_id, Invitation.account_id).where(
                Invitation.study_id == study.id,
                Invitation.study_questionnaire_id == questionnaire.id,
                Invitation.first_sent_at.is_not(None),
            )
        ).all()
    )
    missing = [row for row in assignments if (row[0], row[3]) not in delivered]
    which = "; ".join(f"{name or email}: {account}" for _c, name, email, _a, account in missing[:SHOWN])
    if len(missing) > SHOWN:
        which += "; …"
    return Requirement(
        "supplier_invitations",
        not missing,
        label,
        _l(
            "Send the supplier staff's invitations first (Invitations page): %(n)d of %(total)d staff "
            "assignments have no delivered invitation yet (%(which)s).",
            n=len(missing),
            total=len(assignments),
            which=which,
        ),
        len(assignments) - len(missing),
    )
