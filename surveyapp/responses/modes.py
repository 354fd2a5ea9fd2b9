"""Rule 19, modes: a completed interview ends the contact's survey for that account and perspective.

An interview (held live, or imported in mode `interview`) is the fuller answer: once it is complete, the
contact's survey invitation for the same (study, account, perspective) is closed as answered — no survey
invitation or reminder goes out (one waiting in the outbox is cancelled when nothing else rides on it), the
contact counts as responded in every progress figure, and the personal link shows a page thanking them for the
interview and takes no answers. A survey completed before the interview is kept, superseded
(`storage.ranked_responses` ranks an interview first).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Perspective, Purpose, ResponseMode
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.mail.outbox import cancel_messages
from surveyapp.responses.models import COMPLETED, Response
from surveyapp.responses.storage import Group
from surveyapp.studies.models import Study

#: The detail of the `completed` step an interview gives a survey invitation.
INTERVIEWED = "interviewed"


def interview_completed(*, session: Session, invitation: Invitation) -> bool:
    """Whether the invitation's contact has a completed interview for its account and perspective."""
    perspective = invitation.study_questionnaire.perspective
    same_account = (
        Response.account_id.is_(None)
        if invitation.account_id is None
        else Response.account_id == invitation.account_id
    )
    return bool(
        session.scalar(
            select(
                exists().where(
                    Response.study_id == invitation.study_id,
                    Response.contact_id == invitation.contact_id,
                    same_account,
                    Response.perspective == perspective,
                    Response.mode == ResponseMode.INTERVIEW,
                    Response.status == COMPLETED,
                )
            )
        )
    )


def close_interviewed(*, session: Session, study: Study, at: datetime, group: Group | None = None) -> int:
    """Close the survey invitation of every completed interview of the study, or of one (contact, account,
    perspective) `group` (creating it, already answered, where the contact was never invited) and cancel the
    emails waiting to carry them; idempotent. Returns how many invitations it closed."""
    conditions = [
        Response.study_id == study.id,
        Response.mode == ResponseMode.INTERVIEW,
        Response.status == COMPLETED,
    ]
    if group is not None:
        contact_id, account_id, perspective = group
        conditions += [
            Response.contact_id == contact_id,
            Response.account_id.is_(None) if account_id is None else Response.account_id == account_id,
            Response.perspective == perspective,
        ]
    interviewed = session.execute(
        select(Response.contact_id, Response.account_id, Response.perspective).where(*conditions).distinct()
    ).all()
    closed: list[Invitation] = []
    for contact_id, account_id, perspective in interviewed:
        invitation = _survey_invitation(session, study, contact_id, account_id, Perspective(perspective), at)
        if invitation is None or invitation.status not in lifecycle.OPEN:
            continue
        invitation.completed_at = at
        lifecycle.record(
            session=session,
            invitation=invitation,
            status=InvitationStatus.COMPLETED,
            at=at,
            detail=INTERVIEWED,
        )
        closed.append(invitation)
    if closed:
        session.flush()
        _cancel_unneeded_mail(session, [invitation.id for invitation in closed])
    return len(closed)


def _survey_invitation(
    session: Session,
    study: Study,
    contact_id: int,
    account_id: int | None,
    perspective: Perspective,
    at: datetime,
) -> Invitation | None:
    row = study.questionnaire_for(perspective, Purpose.SURVEY)
    if row is None:
        return None
    same = select(Invitation).where(
        Invitation.study_id == study.id,
        Invitation.contact_id == contact_id,
        Invitation.study_questionnaire_id == row.id,
        Invitation.account_id.is_(None) if account_id is None else Invitation.account_id == account_id,
    )
    found = session.scalar(same)
    if found is not None:
        return found
    created = Invitation(
        study_id=study.id,
        contact_id=contact_id,
        account_id=account_id,
        study_questionnaire_id=row.id,
        status=InvitationStatus.CREATED,
        created_at=at,
    )
    try:
        with session.begin_nested():  # a send creating the same invitation meanwhile wins; use its row
            session.add(created)
            session.flush()
    except IntegrityError:
        return session.scalar(same)
    lifecycle.record(session=session, invitation=created, status=InvitationStatus.CREATED, at=at)
    return created


def _cancel_unneeded_mail(session: Session, invitation_ids: list[int]) -> None:
    """Cancel the pending emails that carry these invitations and no invitation still waiting for an answer
    (a staff member's email also carries the accounts they were not interviewed about)."""
    messages = lifecycle.pending_message_ids(session, invitation_ids)
    if not messages:
        return
    still_needed = set(
        session.scalars(
            select(InvitationToken.outbox_message_id)
            .join(Invitation, Invitation.id == InvitationToken.invitation_id)
            .where(
                and_(
                    InvitationToken.outbox_message_id.in_(messages),
                    Invitation.status.in_(lifecycle.OPEN),
                    Invitation.id.not_in(invitation_ids),
                )
            )
        )
    )
    cancel_messages(
        session=session,
        message_ids=[message for message in messages if message not in still_needed],
        reason="the contact was interviewed",
    )
