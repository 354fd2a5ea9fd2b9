"""Storing versions: the full definition on first use, get-or-create, concurrent first use, loading back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from surveyapp.questionnaires import Questionnaire, ScoringModel
from surveyapp.questionnaires.models import QuestionnaireVersion, ScoringVersion
from surveyapp.questionnaires.services import (
    VersionNotFound,
    ensure_questionnaire_version,
    ensure_scoring_version,
    load_scoring_version,
    load_version,
)


def test_ensure_questionnaire_version_stores_the_full_definition_once(
    db: Any, all_types: Questionnaire
) -> None:
    # Act
    first = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
    db.session.commit()
    second = ensure_questionnaire_version(session=db.session, questionnaire=all_types)

    # Assert
    assert second.id == first.id
    assert (first.slug, first.version, first.title) == ("all-types", all_types.version, "All question types")
    assert first.content == all_types.content()
    assert first.created_at.utcoffset() is not None
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1
    assert repr(first) == f"<QuestionnaireVersion {first.id} all-types {all_types.version[:12]}>"


def test_ensure_questionnaire_version_flushes_but_does_not_commit(db: Any, all_types: Questionnaire) -> None:
    # Act
    ensure_questionnaire_version(session=db.session, questionnaire=all_types)
    db.session.rollback()

    # Assert
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0


def test_ensure_questionnaire_version_new_content_is_a_new_version(db: Any, all_types: Questionnaire) -> None:
    # Arrange
    changed = all_types.model_copy(update={"estimated_minutes": 9})

    # Act
    first = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
    second = ensure_questionnaire_version(session=db.session, questionnaire=changed)

    # Assert
    assert first.id != second.id
    assert second.content["estimated_minutes"] == 9


def test_load_version_gives_the_shared_frozen_questionnaire(db: Any, all_types: Questionnaire) -> None:
    # Arrange
    stored = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
    db.session.commit()
    db.session.expire_all()

    # Act
    loaded = load_version(session=db.session, version_id=stored.id)

    # Assert
    assert loaded is all_types


def test_load_version_keeps_an_old_definition_after_the_file_changes(
    db: Any, all_types: Questionnaire
) -> None:
    # Arrange
    old = all_types.model_copy(update={"estimated_minutes": 42})
    stored = ensure_questionnaire_version(session=db.session, questionnaire=old)
    db.session.commit()

    # Act
    loaded = load_version(session=db.session, version_id=stored.id)

    # Assert
    assert loaded.estimated_minutes == 42
    assert loaded.version == stored.version


def test_load_version_of_a_version_loaded_before_reads_no_content(db: Any, all_types: Questionnaire) -> None:
    # Arrange: the version loaded once in this process; then every statement is recorded
    version_id = ensure_questionnaire_version(session=db.session, questionnaire=all_types).id
    db.session.commit()
    load_version(session=db.session, version_id=version_id)
    db.session.expire_all()
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)

    # Act
    try:
        loaded = load_version(session=db.session, version_id=version_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    # Assert: the shared object, found by the stored hash alone
    assert loaded is all_types
    assert [statement for statement in statements if "questionnaire_versions" in statement] != []
    assert [statement for statement in statements if "content" in statement] == []


def test_load_version_unknown_id_raises(db: Any) -> None:
    # Act
    with pytest.raises(VersionNotFound) as caught:
        load_version(session=db.session, version_id=999)

    # Assert
    assert str(caught.value) == "no questionnaire version with id 999"


def test_ensure_scoring_version_stores_once_and_loads_back(db: Any, scoring: ScoringModel) -> None:
    # Act
    first = ensure_scoring_version(session=db.session, scoring=scoring)
    second = ensure_scoring_version(session=db.session, scoring=scoring)
    db.session.commit()
    loaded = load_scoring_version(session=db.session, version_id=first.id)

    # Assert
    assert second.id == first.id
    assert first.content == scoring.content()
    assert loaded is scoring
    assert repr(first) == f"<ScoringVersion {first.id} {scoring.version[:12]}>"


def test_load_scoring_version_unknown_id_raises(db: Any) -> None:
    # Act
    with pytest.raises(VersionNotFound) as caught:
        load_scoring_version(session=db.session, version_id=5)

    # Assert
    assert str(caught.value) == "no scoring version with id 5"


def test_ensure_questionnaire_version_finds_a_row_another_connection_stored(
    db: Any, all_types: Questionnaire
) -> None:
    # Arrange
    with db.engine.connect() as connection:
        connection.execute(
            QuestionnaireVersion.__table__.insert().values(
                slug=all_types.slug,
                version=all_types.version,
                title="stored by another worker",
                content=all_types.content(),
            )
        )
        connection.commit()

    # Act
    found = ensure_questionnaire_version(session=db.session, questionnaire=all_types)

    # Assert
    assert found.title == "stored by another worker"


def test_ensure_questionnaire_version_while_another_transaction_stores_it(
    app: Flask, db: Any, all_types: Questionnaire
) -> None:
    # Arrange: this session has stored the version but not committed; a second worker uses it meanwhile.
    # On PostgreSQL the second insert waits on the unique index, then fails and re-selects inside its
    # SAVEPOINT; on SQLite the second worker waits for the write lock and then finds the row.
    first = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
    outcome: dict[str, Any] = {}

    def second_worker() -> None:
        try:
            with app.app_context():
                row = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
                outcome["id"] = row.id
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below; a thread cannot fail the test itself
            outcome["error"] = error

    worker = threading.Thread(target=second_worker)

    # Act
    worker.start()
    worker.join(timeout=1.0)
    db.session.commit()
    worker.join(timeout=60)

    # Assert
    assert outcome == {"id": first.id}
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1


def test_ensure_questionnaire_version_concurrent_first_use_stores_one_row(
    app: Flask, db: Any, all_types: Questionnaire
) -> None:
    # Arrange
    barrier = threading.Barrier(4)
    ids: list[int] = []
    failures: list[BaseException] = []

    def first_use() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                row = ensure_questionnaire_version(session=db.session, questionnaire=all_types)
                db.session.commit()
                ids.append(row.id)
                db.session.remove()
        except BaseException as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(4)]

    # Act
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Assert
    assert failures == []
    assert len(set(ids)) == 1
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1


def test_ensure_scoring_version_returns_a_row_stored_by_another_session(
    app: Flask, db: Any, scoring: ScoringModel
) -> None:
    # Arrange
    with app.app_context():
        winner = ScoringVersion(version=scoring.version, content=scoring.content())
        db.session.add(winner)
        db.session.commit()
        winner_id = winner.id
        db.session.remove()

    # Act
    found = ensure_scoring_version(session=db.session, scoring=scoring)

    # Assert
    assert found.id == winner_id
