"""`surveyapp backup --to FILE`, restored as docs/deployment.md says, gives back the same database."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from surveyapp.cli import cli
from surveyapp.demo import load_demo
from surveyapp.questionnaires.runtime import catalogue
from tests.conftest import is_postgres

STUDY = "brightline-2025"


def _row_counts(app) -> dict[str, int]:
    from surveyapp.extensions import db

    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.rollback()
    return counts


def _analysis(app) -> dict:
    result = app.test_cli_runner().invoke(cli, ["analysis", "--study", STUDY, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _restore(backup: Path, source_url: str, tmp_path: Path) -> str:
    """Restore as the deployment guide says, into a fresh database; returns its URL."""
    if not is_postgres():
        restored = tmp_path / "restored.db"
        shutil.copyfile(backup, restored)
        return f"sqlite:///{restored}"
    url = make_url(source_url)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    command = ["pg_restore", "--no-owner", "--no-privileges", f"--dbname={name}"]
    command += [f"--host={url.host}", f"--port={url.port or 5432}", f"--username={url.username}", str(backup)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_restored(url: str) -> None:
    if not is_postgres():
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def test_backup_restored_into_a_fresh_database_is_identical(app, db, make_app, database_url, tmp_path):
    load_demo(session=db.session, config=app.config, catalogue=catalogue())
    db.session.commit()
    backup = tmp_path / "surveyapp.backup"

    result = app.test_cli_runner().invoke(cli, ["backup", "--to", str(backup)])

    assert result.exit_code == 0, result.output
    assert result.output == f"backup written to {backup} ({backup.stat().st_size:,} bytes)\n"
    assert not backup.with_name("surveyapp.backup.partial").exists()
    restored_url = _restore(backup, database_url, tmp_path)
    try:
        restored = make_app(DATABASE_URL=restored_url)
        original_counts, restored_counts = _row_counts(app), _row_counts(restored)
        assert original_counts["responses"] > 0
        assert restored_counts == original_counts
        assert _analysis(restored) == _analysis(app)
    finally:
        from surveyapp.extensions import db as extension

        with restored.app_context():
            extension.engine.dispose()
        _drop_restored(restored_url)


def test_backup_to_an_existing_file_is_refused_and_leaves_it(app, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"yesterday")

    result = app.test_cli_runner().invoke(cli, ["backup", "--to", str(existing)])

    assert result.exit_code == 1
    assert result.output == f"Error: {existing} already exists: choose a new file name\n"
    assert existing.read_bytes() == b"yesterday"


@pytest.mark.skipif(is_postgres(), reason="the missing-file case is SQLite's")
def test_backup_without_a_database_file_writes_nothing(make_app, tmp_path):
    (tmp_path / "empty").mkdir()
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty' / 'none.db'}")
    target = tmp_path / "x.backup"

    result = app.test_cli_runner().invoke(cli, ["backup", "--to", str(target)])

    assert result.exit_code == 1
    assert result.output == f"Error: no SQLite database file at {tmp_path / 'empty' / 'none.db'}\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".backup", ".partial")) == []
