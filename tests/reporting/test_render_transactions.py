"""While the renderer child turns a report into a PDF (seconds), it holds no transaction: on SQLite every
transaction takes the write lock, and a survey save waiting for it past the busy timeout would fail."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from typing import Any

import pytest

from surveyapp.jobs.render import run_render
from surveyapp.reporting.models import ReportStatus
from tests.conftest import is_postgres
from tests.faults.test_renderer_killed import WAIT_SECONDS, peek_status, queue_report

pytestmark = pytest.mark.skipif(is_postgres(), reason="the write lock of a transaction is SQLite's")


def _write_lock_free(path: str) -> bool:
    """Whether another connection gets the write lock within 0.2 s (then gives it back at once)."""
    with closing(sqlite3.connect(path, timeout=0.2, isolation_level=None)) as other:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        other.execute("ROLLBACK")
        return True


def test_report_render_leaves_the_write_lock_free_while_it_renders(app, db, answered_study):
    # Arrange: a render running in the background, as the web app's renderer thread runs it.
    study = answered_study()
    report_id = queue_report(db, study)
    outcomes: list[Any] = []
    runner = threading.Thread(target=lambda: outcomes.append(run_render(report_id, app=app)))
    runner.start()

    # Act: while the report is being rendered, try to write as a respondent's save would.
    free_while_rendering: list[bool] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status = peek_status(db, report_id)
        if status is ReportStatus.RENDERING:
            free_while_rendering.append(_write_lock_free(db.engine.url.database))
        elif free_while_rendering or status in (ReportStatus.READY, ReportStatus.FAILED):
            break
        time.sleep(0.05)
    runner.join(WAIT_SECONDS)

    # Assert: the render (about a second of reading, then seconds of WeasyPrint) left the lock free for most of it.
    assert outcomes and outcomes[0].ok, outcomes
    assert peek_status(db, report_id) is ReportStatus.READY
    assert free_while_rendering.count(True) >= 3, free_while_rendering
    assert free_while_rendering.count(True) > free_while_rendering.count(False)
