"""Between the sender and the invitations: which emails may still go out, and what became of them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, case, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, joinedload

from surveyapp.db import UTCDateTime
from surveyapp.enums import InvitationStatus
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.invitations.tokens import closed_for_analysis, deadline_passed
from surveyapp.mail.headers import HeaderError, check_address
from surveyapp.mail.models import MailKind
from surveyapp.mail.sender import ClaimedMessage

INVITATION_KINDS = (MailKind.INVITATION, MailKind.REMINDER)
# Statuses that a delivered email moves on to `sent`; later steps (opened, ...) and the two ends stay.
BEFORE_SENT = (InvitationStatus.CREATED.value, InvitationStatus.QUEUED.value, InvitationStatus.FAILED.value)


def _tokens(session: Session, message_ids: list[int]) -> list[InvitationToken]:
    return list(
        session.scalars(
            select(InvitationToken)
            .where(InvitationToken.outbox_message_id.in_(message_ids))
            .options(
                joinedload(InvitationToken.invitation).joinedload(Invitation.contact),
                joinedload(InvitationToken.invitation).joinedload(Invitation.study),
            )
            .order_by(InvitationToken.id)
        )
    )


_invitations = Invitation.__table__
_tokens_table = InvitationToken.__table__
_in_messages = _tokens_table.c.outbox_message_id.in_(bindparam("ids", expanding=True))
_reminder_in_messages = (
    select(func.count())
    .where(
        _in_messages,
        _tokens_table.c.invitation_id == _invitations.c.id,
        _tokens_table.c.purpose == "reminder",
    )
    .scalar_subquery()
)
# Prepared once; the list of message ids expands per call. Set-based: one statement for all emails recorded.
_MARK_INVITATIONS_SENT = (
    update(_invitations)
    .where(_invitations.c.id.in_(select(_tokens_table.c.invitation_id).where(_in_messages)))
    .values(
        first_sent_at=func.coalesce(_invitations.c.first_sent_at, bindparam("now", type_=UTCDateTime())),
        last_sent_at=bindparam("now", type_=UTCDateTime()),
        last_error=None,
        reminders_sent=_invitations.c.reminders_sent + _reminder_in_messages,
        status=case(
            (_invitations.c.status.in_(BEFORE_SENT), InvitationStatus.SENT.value), else_=_invitations.c.status
        ),
    )
)
_RECORD_SENT = insert(InvitationEvent.__table__).from_select(
    ["invitation_id", "status", "at", "purpose", "number"],
    select(
        _tokens_table.c.invitation_id,
        literal(InvitationStatus.SENT.value),
        bindparam("now", type_=UTCDateTime()),
        _tokens_table.c.purpose,
        _tokens_table.c.number,
    )
    .where(_in_messages)
    .order_by(_tokens_table.c.id),
)


class InvitationDeliveryHooks:
    """Refuses mail that must not go out any more; records sent and failed emails in the history."""

    def vet(self, session: Session, messages: list[ClaimedMessage], now: datetime) -> dict[int, str]:
        ids = [m.id for m in messages if m.kind in INVITATION_KINDS]
        if not ids:
            return {}
        by_message: dict[int, list[InvitationToken]] = defaultdict(list)
        for token in _tokens(session, ids):
            by_message[token.outbox_message_id].append(token)  # type: ignore[index]
        refused: dict[int, str] = {}
        for message in messages:
            if message.kind not in INVITATION_KINDS:
                continue
            tokens = by_message.get(message.id, [])
            reason = self._refusal(message, tokens, now)
            if reason is not None:
                refused[message.id] = reason
        return refused

    @staticmethod
    def _refusal(message: ClaimedMessage, tokens: list[InvitationToken], now: datetime) -> str | None:
        if not tokens:
            return "the message carries no invitation any more"
        contact = tokens[0].invitation.contact
        if contact.opted_out_at is not None:
            return "the recipient opted out"
        if contact.erased_at is not None:
            return "the contact was erased"
        try:
            current = check_address(contact.email, what="")
        except HeaderError:
            current = None
        if current != message.recipient:
            return "the contact's address has changed"
        if all(t.revoked_at is not None or t.invitation.status not in lifecycle.OPEN for t in tokens):
            return "none of its invitations is open any more"
        if deadline_passed(tokens[0].invitation.study, now):
            return "the study's deadline has passed"
        if closed_for_analysis(tokens[0].invitation.study):
            return "the study's answers are being analysed"
        return None

    def delivered(self, connection: Connection, message_ids: list[int], now: datetime) -> None:
        """The emails left: their invitations are `sent` (unless further along), with a `sent` step in the
        history. Two prepared statements for all the emails at once: this is the sender's hot path."""
        parameters = {"ids": message_ids, "now": now}
        connection.execute(_MARK_INVITATIONS_SENT, parameters)
        connection.execute(_RECORD_SENT, parameters)

    def failed(self, session: Session, message_id: int, reason: str, now: datetime) -> None:
        for token in _tokens(session, [message_id]):
            invitation = token.invitation
            # The link never reached anyone: it need not keep working.
            token.revoked_at = now
            invitation.last_error = reason
            lifecycle.record(
                session=session,
                invitation=invitation,
                status=InvitationStatus.FAILED,
                at=now,
                purpose=token.purpose,
                number=token.number,
                detail=reason,
            )
