"""Personal-link tokens: 256 random bits per email, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.studies.models import Study

TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours and is not even hashed.
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True, slots=True)
class Resolved:
    state: LinkState
    token: InvitationToken | None = None

    @property
    def invitation(self) -> Invitation | None:
        return self.token.invitation if self.token is not None else None


#: From the analyse phase on, a study's personal links take no answers, changes or reopened surveys (rule 19):
#: the numbers under analysis and the decisions taken on them stay put. Moving the study back reopens them.
ANSWERS_CLOSED_PHASES = frozenset({Phase.ANALYSE, Phase.ACT})


def closed_for_analysis(study: Study) -> bool:
    """The study has moved on to analysing its answers: its personal links take no answers."""
    return study.phase in ANSWERS_CLOSED_PHASES


def deadline_passed(study: Study, now: datetime) -> bool:
    """The deadline is a local date, inclusive: links work until that day ends in the study's time zone."""
    if study.deadline is None:
        return False
    return now.astimezone(ZoneInfo(study.time_zone)).date() > study.deadline


def find_token(*, session: Session, token: str) -> InvitationToken | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(InvitationToken).where(InvitationToken.token_hash == token_hash(token)))


def resolve(*, session: Session, token: str, now: datetime) -> Resolved:
    """What a personal link leads to; only VALID links may be exchanged for access to the survey."""
    found = find_token(session=session, token=token)
    if found is None:
        return Resolved(LinkState.UNKNOWN)
    invitation = found.invitation
    contact = invitation.contact
    if invitation.status == InvitationStatus.OPTED_OUT or contact.opted_out_at is not None:
        return Resolved(LinkState.OPTED_OUT, found)
    if found.revoked_at is not None or contact.erased_at is not None:
        return Resolved(LinkState.REVOKED, found)
    if invitation.status == InvitationStatus.EXPIRED or deadline_passed(invitation.study, now):
        return Resolved(LinkState.EXPIRED, found)
    return Resolved(LinkState.VALID, found)
