"""Fault fixtures: another connection that holds the database's write lock, and the respondent fixtures.

The lock is taken the way another busy process would take it: on SQLite a second connection in
`BEGIN IMMEDIATE` (the app's writers then wait for their busy timeout and fail with "database is locked"); on
PostgreSQL a second connection holding EXCLUSIVE locks on the survey's tables (plain reads still work, writes
wait for the test app's `lock_timeout` and fail).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.act.conftest import act_study  # noqa: F401
from tests.conftest import is_postgres
from tests.interviews.conftest import fieldwork, plan, researcher, started  # noqa: F401
from tests.invitations.conftest import fit_study  # noqa: F401
from tests.reporting.studies import answered_study  # noqa: F401
from tests.responses.conftest import make_invitation, respondent, survey_study  # noqa: F401
from tests.studies.conftest import make_study, ready_study  # noqa: F401

# How long the faulty app waits for a lock before it gives up (SQLite busy timeout / PostgreSQL lock_timeout).
LOCK_WAIT_SECONDS = 0.3
LOCKED_TABLES = ("responses", "answers", "invitation_events", "invitations")


def impatient_settings() -> dict[str, Any]:
    """Settings for an app that waits only briefly for a lock, so that a held lock fails a request at once."""
    if is_postgres():
        return {
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"options": f"-c lock_timeout={int(LOCK_WAIT_SECONDS * 1000)}"},
            }
        }
    return {"DATABASE_BUSY_TIMEOUT": LOCK_WAIT_SECONDS}


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another connection holding the write lock on the survey's tables until the block ends."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        other = sqlite3.connect(str(parsed.database), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            yield
            other.execute("ROLLBACK")
        finally:
            other.close()
        return
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as other:
        other.execute("LOCK TABLE " + ", ".join(LOCKED_TABLES) + " IN EXCLUSIVE MODE")
        yield
        other.rollback()


@pytest.fixture
def locked(database_url: str) -> Callable[[], Any]:
    return lambda: write_lock_held(database_url)
