"""Faults of the storage: a full disk, an instance folder that cannot be made, a migration that fails halfway.

The full disk is a real child process (`surveyapp suppliers create`) whose files may not grow beyond a few
kilobytes (RLIMIT_FSIZE); the migration runs `init-db` on a database of its own. Each checks that the error is
clear (one line), that the database is not corrupt (SQLite: PRAGMA integrity_check) and that what was there
before is still there. Writing outbox files into a full or unwritable folder: tests/mail/test_backends.py.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from surveyapp.app import create_app
from surveyapp.cli import init_db
from surveyapp.config import ConfigError
from surveyapp.extensions import db as _db
from surveyapp.studies.services import create_supplier
from tests.conftest import TEST_DATABASE_URL, TEST_SECRET, is_postgres

SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))
BASE_REVISION = "40aaf4c7d1e3"  # users, suppliers and the audit log
# The revision that creates (among others) `decisions` and then `themes`: a table `themes` that is already
# there makes it fail halfway, after `decisions` was created.
FAILING_REVISION = "17560d037c22"
SECOND_REVISION = "06097429e198"  # the one before it
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "surveyapp" / "migrations")
FILE_LIMIT_BYTES = 16 * 1024


def run_cli(*args: str, database_url: str, instance: Path, file_limit: int | None = None) -> Any:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SURVEYAPP_")}
    environment.update(
        SURVEYAPP_DATABASE_URL=database_url,
        SURVEYAPP_SECRET_KEY=TEST_SECRET,
        SURVEYAPP_INSTANCE_PATH=str(instance),
        SURVEYAPP_ENV="production",
    )

    def limit_file_size() -> None:  # in the child, before it runs: files may not grow beyond the limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [SURVEYAPP, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=limit_file_size if file_limit else None,
        check=False,
    )


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a PostgreSQL database next to the test database."""
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_faults"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(statement: str) -> list[tuple[Any, ...]]:
    """Rows of one statement, in a transaction of its own on the current app's database."""
    with _db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(statement))]


def test_migration_failing_halfway_leaves_the_database_usable_at_its_previous_version(
    make_app, scratch_database
):
    # Arrange: a database at the first revision, with data, and an obstacle for a later revision.
    app = make_app(DATABASE_URL=scratch_database)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BASE_REVISION)
        with _db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO suppliers (id, name, report_language, created_at) "
                    "VALUES (1, 'Brightline', 'nl', '2026-01-05 10:00:00')"
                )
            )
            connection.execute(text("CREATE TABLE themes (id INTEGER PRIMARY KEY)"))

        # Act
        failed = runner.invoke(init_db)
        version = query("SELECT version_num FROM alembic_version")
        present = set(inspect(_db.engine).get_table_names())
        suppliers = query("SELECT id, name FROM suppliers")
        integrity = query("PRAGMA integrity_check") if not is_postgres() else [("ok",)]
        with _db.engine.begin() as connection:
            connection.execute(text("DROP TABLE themes"))
        repaired = runner.invoke(init_db)
        at_head = set(inspect(_db.engine).get_table_names())
        _db.engine.dispose()

    # Assert
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == (
        "Error: cannot migrate the database (it is left at its previous version): "
        + ('relation "themes" already exists' if is_postgres() else "table themes already exists")
    )
    # Nothing of the failed revision stays: PostgreSQL undoes every revision of the run (one transaction);
    # on SQLite Alembic commits each revision on its own, so the revision before the failed one stays.
    assert ("decisions" in present, "prospects" in present) == (False, False)
    assert version == ([(BASE_REVISION,)] if is_postgres() else [(SECOND_REVISION,)])
    assert (suppliers, integrity) == ([(1, "Brightline")], [("ok",)])
    assert repaired.exit_code == 0, repaired.output
    assert {"decisions", "themes", "prospects"} <= at_head


@pytest.mark.skipif(is_postgres(), reason="a full disk under SQLite: the database file is local")
def test_disk_full_during_a_write_is_one_clear_line_and_the_database_stays_intact(make_app, tmp_path):
    # Arrange: a database with one supplier, held open (its WAL and shared-memory files exist).
    url = f"sqlite:///{tmp_path / 'full.db'}"
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        _db.create_all()
        create_supplier(session=_db.session, name="Before")
        _db.session.commit()
        _db.engine.dispose()
    keeper = sqlite3.connect(tmp_path / "full.db")
    keeper.execute("SELECT count(*) FROM suppliers").fetchall()

    # Act: a write from a process that cannot grow any file beyond a few kilobytes.
    try:
        full = run_cli(
            "suppliers", "create", "During", database_url=url, instance=tmp_path, file_limit=FILE_LIMIT_BYTES
        )
    finally:
        keeper.close()

    # Assert
    assert full.returncode == 1
    assert full.stderr.splitlines() == [full.stderr.strip()]
    assert full.stderr.startswith("surveyapp: database error: ")
    with sqlite3.connect(tmp_path / "full.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("SELECT name FROM suppliers").fetchall() == [("Before",)]


def test_an_instance_folder_that_cannot_be_created_is_a_clear_error_and_nothing_is_written(
    tmp_path, monkeypatch
):
    # Arrange: the instance folder would have to live inside a regular file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    instance = blocker / "instance"
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))

    # Act
    with pytest.raises(ConfigError) as error:
        create_app({"SECRET_KEY": TEST_SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})

    # Assert
    assert str(error.value) == f"cannot create the instance folder {instance}: Not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
