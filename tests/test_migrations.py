"""Migrations: empty -> head -> empty on the test database's engine, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from surveyapp.extensions import db as _db
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "surveyapp" / "migrations")


@pytest.fixture
def migration_url(tmp_path):
    """A database of its own: a fresh SQLite file, or a fresh PostgreSQL database beside the test one."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_migrations"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_upgrade_from_empty_and_downgrade_to_empty(make_app, migration_url):
    app = make_app(DATABASE_URL=migration_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables_at_head = set(inspect(_db.engine).get_table_names())

        downgrade(directory=MIGRATIONS, revision="base")
        tables_at_base = set(inspect(_db.engine).get_table_names())
        _db.engine.dispose()

    assert {"users", "suppliers", "audit_events", "alembic_version"} <= tables_at_head
    assert tables_at_base == {"alembic_version"}


def test_models_match_the_migrations(make_app, migration_url):
    app = make_app(DATABASE_URL=migration_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with _db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, _db.metadata)
        _db.engine.dispose()

    assert differences == []
