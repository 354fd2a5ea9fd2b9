"""Who else has an interview open: one row per (interview, user), moved on by page loads and autosaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.auth.models import User
from surveyapp.interviews.models import InterviewPresence

#: Someone counts as having the interview open for this long after their last page load or autosave.
WINDOW = timedelta(minutes=15)
_TABLE = InterviewPresence.__table__


@dataclass(frozen=True, slots=True)
class Present:
    user_id: int
    name: str
    last_seen_at: datetime


def touch(*, session: Session, interview_id: int, user_id: int, now: datetime) -> None:
    """Record that the user has the interview open now (an upsert; flushes nothing else)."""
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_TABLE).values(
        interview_id=interview_id, user_id=user_id, last_seen_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[_TABLE.c.interview_id, _TABLE.c.user_id], set_={"last_seen_at": now}
        )
    )


def others(*, session: Session, interview_id: int, user_id: int, now: datetime) -> list[Present]:
    """The other people who had the interview open in the last 15 minutes, most recent first."""
    rows = session.execute(
        select(User.id, User.name, User.email, _TABLE.c.last_seen_at)
        .join(User, User.id == _TABLE.c.user_id)
        .where(
            _TABLE.c.interview_id == interview_id,
            _TABLE.c.user_id != user_id,
            _TABLE.c.last_seen_at >= now - WINDOW,
        )
        .order_by(_TABLE.c.last_seen_at.desc(), User.id)
    )
    return [Present(uid, name or email, seen) for uid, name, email, seen in rows]
