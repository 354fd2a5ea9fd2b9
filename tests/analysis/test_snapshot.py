"""`analysis.snapshot.SharedSnapshot`: reading on connections of its own in one snapshot, or on the session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.analysis.service import analysis_document
from surveyapp.analysis.snapshot import SharedSnapshot
from surveyapp.studies.models import Account
from tests.analysis.builders import SCORING, World, make_world
from tests.conftest import is_postgres


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", effort=1000, billable=600)
    built.client("anna", "Acme BV")
    db.session.commit()
    built.respond("anna", "Acme BV", {"role": "user", "recommend": "9"})
    return built


def _names(session: Session) -> list[str]:
    return list(session.scalars(select(Account.name).order_by(Account.name)))


def test_shared_snapshot_without_writes_reads_on_sessions_of_its_own_on_postgresql(db, world):
    # Arrange: a transaction that has only read
    db.session.execute(select(Account.id)).all()
    sessions: list[Session] = []

    def work(reader: Session) -> list[str]:
        sessions.append(reader)
        return _names(reader)

    snapshot = SharedSnapshot(db.session)

    # Act
    started = snapshot.start(work).result()
    here = snapshot.run(work)

    # Assert: the same committed data; sessions of their own on PostgreSQL, this one on SQLite
    assert (started, here) == (["Acme BV"], ["Acme BV"])
    assert snapshot.shared is is_postgres()
    assert [reader is db.session for reader in sessions] == [not is_postgres()] * 2


@pytest.mark.skipif(not is_postgres(), reason="SQLite's transactions see one state anyway")
def test_shared_snapshot_does_not_see_a_commit_made_after_it(db, world):
    # Arrange: the snapshot taken, then another connection renames the account and commits
    db.session.execute(select(Account.id)).all()
    snapshot = SharedSnapshot(db.session)
    with db.engine.begin() as other:
        other.execute(update(Account).values(name="Acme Group"))

    # Act
    seen = snapshot.run(_names)
    seen_beside = snapshot.start(_names).result()

    # Assert
    assert (seen, seen_beside) == (["Acme BV"], ["Acme BV"])


def test_shared_snapshot_after_a_write_works_on_the_session_and_sees_the_write(db, world):
    # Arrange: an uncommitted rename, which no other connection could see
    db.session.execute(update(Account).where(Account.name == "Acme BV").values(name="Acme Group"))
    sessions: list[Session] = []

    def work(reader: Session) -> list[str]:
        sessions.append(reader)
        return _names(reader)

    snapshot = SharedSnapshot(db.session)

    # Act
    names = (snapshot.start(work).result(), snapshot.run(work))

    # Assert
    assert names == (["Acme Group"], ["Acme Group"])
    assert snapshot.shared is False
    assert sessions == [db.session, db.session]


def test_shared_snapshot_hands_the_started_work_s_error_to_result(db, world):
    # Arrange
    def work(reader: Session) -> None:
        raise LookupError("no such item")

    pending = SharedSnapshot(db.session).start(work)

    # Act / Assert
    with pytest.raises(LookupError, match="no such item"):
        pending.result()


def test_analysis_after_an_uncommitted_write_shows_it(db, world):
    # Arrange: the account renamed in this transaction, not committed
    db.session.execute(update(Account).where(Account.name == "Acme BV").values(name="Acme Group"))

    # Act
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert
    assert [account["account"] for account in document["accounts"]] == ["Acme Group"]
