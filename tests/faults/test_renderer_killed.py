"""Fault: the report renderer (its child process) is killed with SIGKILL in the middle of a render.

The parent records the report as failed (no PDF, no half-written row); asking for the report again renders
the next version, and exactly one PDF is stored. The child path of surveyapp/jobs/render.py is used as it
runs under the web app and `tick`; how a renderer death is classified is tested in tests/jobs/test_render.py.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from surveyapp.jobs.render import WORKER_MODULE, run_render
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import request_report
from surveyapp.studies.models import Account
from tests.reporting.conftest import pdf_text

ACCOUNT = "Noordzee Havenbedrijf"
WAIT_SECONDS = 120


def queue_report(db: Any, study: Any) -> int:
    account = db.session.scalar(select(Account).where(Account.name == ACCOUNT))
    report_id = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account).id
    db.session.commit()
    return report_id


def peek_status(db: Any, report_id: int) -> ReportStatus:
    """The report's status, read without waiting on the renderer.

    On SQLite every transaction of the app takes the write lock (BEGIN IMMEDIATE), and the renderer holds it
    from its claim until the PDF is stored: a poll through the app's engine waited out the very state it was
    looking for (seen as queued, then ready). A plain WAL reader never waits.
    """
    if db.engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(db.engine.url.database)) as reader:
            (value,) = reader.execute("SELECT status FROM reports WHERE id = ?", (report_id,)).fetchone()
        return ReportStatus(value)
    status = db.session.scalar(select(Report.status).where(Report.id == report_id))
    db.session.rollback()
    return status


def renderer_children() -> list[int]:
    """The renderer processes this test process started (python -m surveyapp.reporting.worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if parent == os.getpid() and WORKER_MODULE.encode() in command:
            found.append(int(entry.name))
    return found


def test_renderer_killed_mid_render_fails_the_report_and_the_next_request_stores_exactly_one_pdf(
    app, db, answered_study
):
    # Arrange: a render running in the background, as the web app's renderer thread runs it.
    study = answered_study()
    report_id = queue_report(db, study)
    outcomes: list[Any] = []
    runner = threading.Thread(target=lambda: outcomes.append(run_render(report_id, app=app)))
    runner.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while peek_status(db, report_id) is not ReportStatus.RENDERING and time.monotonic() < deadline:
        time.sleep(0.02)
    children = renderer_children()

    # Act: kill the renderer while the report is claimed and rendering.
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    runner.join(WAIT_SECONDS)
    killed = db.session.get(Report, report_id)
    killed_state = (killed.status, killed.pdf)
    db.session.rollback()
    retry_id = queue_report(db, study)
    retried = run_render(retry_id, app=app)

    # Assert
    db.session.expire_all()
    pdfs = db.session.scalars(select(Report.pdf).where(Report.pdf.is_not(None))).all()
    assert len(children) == 1
    assert outcomes[0].ok is False
    assert killed_state == (ReportStatus.FAILED, None)
    assert retried.ok is True
    assert db.session.scalar(select(func.count()).select_from(Report)) == 2
    assert len(pdfs) == 1
    assert ACCOUNT in pdf_text(pdfs[0])
    assert db.session.get(Report, retry_id).status is ReportStatus.READY
