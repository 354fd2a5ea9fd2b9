"""Backups of the whole database, taken while the app keeps running; restoring is described in
docs/deployment.md (SQLite: copy the file back; PostgreSQL: `pg_restore` into an empty database)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be written; nothing was left at the target."""


def backup_database(*, url: str, target: str | Path) -> int:
    """Write a consistent copy of the database at `url` to `target` and return its size in bytes.

    SQLite: the online backup API, page by page, so writers are not locked out for the whole copy; the result
    is a database file. PostgreSQL: `pg_dump --format=custom` (one snapshot). The copy is written beside the
    target first and renamed at the end: an interrupted backup never looks like a finished one.
    """
    destination = Path(target)
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new file name")
    if not destination.parent.is_dir():
        raise BackupError(f"folder {destination.parent} does not exist")
    partial = destination.with_name(destination.name + ".partial")
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_backup(parsed.database or "", partial)
        elif parsed.get_backend_name() == "postgresql":
            _pg_dump(url, partial)
        else:
            raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")
        partial.rename(destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination.stat().st_size


def _sqlite_backup(path: str, partial: Path) -> None:
    if not path or path == ":memory:" or not Path(path).is_file():
        raise BackupError(f"no SQLite database file at {path or '(memory)'}")
    source = sqlite3.connect(path)
    copy = sqlite3.connect(partial)
    try:
        # 1,000 pages per step: other connections may write between steps; the copy restarts when they do.
        source.backup(copy, pages=1000)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        copy.close()
        source.close()


def _pg_dump(url: str, partial: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)  # never on the command line, where `ps` shows it
    command = [program, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    if parsed.host:
        command.append(f"--host={parsed.host}")
    if parsed.port:
        command.append(f"--port={parsed.port}")
    if parsed.username:
        command.append(f"--username={parsed.username}")
    command.append(f"--dbname={parsed.database}")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        reason = (
            result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        )
        raise BackupError(f"pg_dump failed: {reason}")
