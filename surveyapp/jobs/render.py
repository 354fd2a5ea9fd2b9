"""Rendering reports away from the web process: a child process with a time limit and a memory limit.

The interface (what the web app and the CLI call; the scale-path issue backs `submit_render` with RQ):

- `submit_render(report_id)`: hand a queued report to a renderer and return at once (background mode: a
  thread of this process starts the child and waits for it; inline mode: the caller waits).
- `run_render(report_id)`: render now and wait: start `python -m surveyapp.reporting.worker` with the app's
  settings on stdin, stop it when it exceeds `REPORT_TIME_LIMIT`, let it die when it exceeds its
  `REPORT_MEMORY_LIMIT_MB` address space, and record every failure on the report with a clear code.
- rq mode (`SURVEYAPP_JOBS_MODE=rq`): `submit_render` puts a `render_report` job on the `reports` queue; a
  `surveyapp worker` runs it, still through the renderer child and its limits; `tick` enqueues instead of
  rendering (`enqueue_queued_reports`).
- `render_queued_reports()`: what `surveyapp tick` runs: render the reports that have waited in the queue for
  longer than `QUEUE_GRACE` without a renderer (queued from the command line or the demo, or left behind by a
  web process that stopped). The renderer child claims a report with a compare-and-set, so a report that
  two renderers reach is rendered once; the other finds it claimed and skips it.

The parent never loads the PDF, the report's analysis or WeasyPrint: its memory does not grow with the
report. Callers commit the report row before handing it over (the child reads it from its own database
connection).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.reporting import failures
from surveyapp.reporting.models import Report, ReportStatus
from surveyapp.reporting.services import mark_failed, requeue_stalled
from surveyapp.reporting.settings import report_settings

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
WORKER_MODULE = "surveyapp.reporting.worker"
# The settings the child needs to reach the same database with the same files; REPORT_* are added to them.
PASSED_SETTINGS = (
    "ENV",
    "SECRET_KEY",
    "TESTING",
    "BASE_URL",
    "MAIL_FROM",
    "QUESTIONNAIRE_DIR",
    "BABEL_DEFAULT_TIMEZONE",
    "MAIL_OUTBOX_DIR",
    "MAIL_BACKEND",
)
POLL_SECONDS = 0.02
# How long a queued report is left to the web process that queued it (its renderer thread starts at once)
# before `tick` renders it; and how many reports one tick renders, one after the other.
QUEUE_GRACE = timedelta(minutes=1)
TICK_BATCH = 20
# One thread per numeric library and few malloc arenas: the child needs no parallel maths, and under an
# address-space limit every thread's reserved stack and arena counts.
CHILD_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
}


@dataclass(frozen=True, slots=True)
class RenderLimits:
    seconds: float
    memory_mb: int


@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """How a renderer child ended. `peak_rss_kb` is the child's peak resident memory: its own VmHWM when it
    reports one, else wait4's (which on Linux can include the parent's memory at the time of the fork)."""

    report_id: int
    ok: bool
    code: str | None
    detail: str | None
    seconds: float
    peak_rss_kb: int


def child_request(app: Flask, report_id: int, limits: RenderLimits) -> dict[str, Any]:
    config = {name: app.config[name] for name in PASSED_SETTINGS if name in app.config}
    config.update({name: value for name, value in app.config.items() if name.startswith("REPORT_")})
    config["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    return {
        "report_id": report_id,
        "config": json.loads(json.dumps(config, default=list)),
        "limits": {"seconds": limits.seconds, "memory_mb": limits.memory_mb},
    }


def _wait(process: subprocess.Popen[bytes], deadline: float) -> tuple[int | None, int]:
    """Wait for the child until the deadline; (exit status or None when still running, peak RSS in KB)."""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, int(usage.ru_maxrss)
        if time.monotonic() >= deadline:
            return None, 0
        time.sleep(POLL_SECONDS)


def _classify(
    returncode: int, report: dict[str, Any] | None, limits: RenderLimits, elapsed: float
) -> tuple[str, str | None]:
    if report is not None and not report.get("ok"):
        return str(report.get("code") or failures.ERROR), report.get("detail")
    if returncode == -signal.SIGXCPU or (returncode == -signal.SIGKILL and elapsed >= limits.seconds * 0.9):
        # The CPU-time limit (SIGXCPU, then SIGKILL at the hard limit).
        return failures.TIME_LIMIT, f"{limits.seconds:g} s"
    if returncode == -signal.SIGKILL:
        # Killed early from outside: on Linux, typically the kernel's out-of-memory killer.
        return failures.MEMORY_LIMIT, "SIGKILL before the time limit"
    if returncode < 0:
        # A C library that cannot get memory under RLIMIT_AS often aborts or crashes instead of raising.
        name = signal.Signals(-returncode).name
        if -returncode in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            return failures.MEMORY_LIMIT, f"{name} under a {limits.memory_mb} MB limit"
        return failures.CRASHED, name
    return failures.CRASHED, f"exit status {returncode} without a result"


def run_in_child(request: dict[str, Any], limits: RenderLimits, *, instance_path: str) -> RenderOutcome:
    """Start the renderer child, feed it the request, enforce the time limit; no database access here."""
    report_id = int(request["report_id"])
    environment = {**os.environ, **CHILD_ENVIRONMENT, "SURVEYAPP_INSTANCE_PATH": instance_path}
    started = time.monotonic()
    with (
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
    ):
        stdin.write(json.dumps(request).encode("utf-8"))
        stdin.seek(0)
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and module, no shell)
            [sys.executable, "-m", WORKER_MODULE],
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            cwd=PROJECT_ROOT,
            env=environment,
            start_new_session=True,
        )
        returncode, peak = _wait(process, started + limits.seconds)
        if returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            _returncode, peak = _wait(process, time.monotonic() + 30)
            return RenderOutcome(
                report_id,
                False,
                failures.TIME_LIMIT,
                f"{limits.seconds:g} s",
                time.monotonic() - started,
                peak,
            )
        elapsed = time.monotonic() - started
        stdout.seek(0)
        lines = stdout.read().decode("utf-8", "replace").strip().splitlines()
        report = None
        if lines:
            try:
                report = json.loads(lines[-1])
            except ValueError:
                report = None
        if report is not None and report.get("peak_rss_kb"):
            peak = int(report["peak_rss_kb"])  # the child's own figure, without its parent's memory at fork
        if returncode == 0 and report is not None and report.get("ok"):
            return RenderOutcome(report_id, True, None, None, elapsed, peak)
        stderr.seek(0)
        log.warning(
            "report %s: renderer failed (%s): %s",
            report_id,
            returncode,
            stderr.read()[-4000:].decode("utf-8", "replace"),
        )
        code, detail = _classify(returncode, report, limits, elapsed)
        return RenderOutcome(report_id, False, code, detail, elapsed, peak)


def limits_of(app: Flask) -> RenderLimits:
    settings = report_settings(app.config)
    return RenderLimits(seconds=settings.time_limit, memory_mb=settings.memory_mb)


def run_render(report_id: int, *, app: Flask | None = None) -> RenderOutcome:
    """Render a committed, queued report in a child process and wait; failures are recorded on the report."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    limits = limits_of(app)
    outcome = run_in_child(child_request(app, report_id, limits), limits, instance_path=app.instance_path)
    if not outcome.ok:
        with app.app_context():
            try:
                mark_failed(
                    session=db.session,
                    report_id=report_id,
                    code=outcome.code or failures.ERROR,
                    detail=outcome.detail,
                )
                db.session.commit()
            finally:
                db.session.remove()
    log.info(
        "report %s rendered: ok=%s in %.2f s, child peak %d KB",
        report_id,
        outcome.ok,
        outcome.seconds,
        outcome.peak_rss_kb,
    )
    return outcome


_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(app: Flask) -> threading.BoundedSemaphore:
    """The renderer slots of this process (REPORT_CONCURRENCY), so that a burst of requests cannot start a
    burst of memory-hungry children."""
    with _SLOTS_LOCK:
        if id(app) not in _SLOTS:
            _SLOTS[id(app)] = threading.BoundedSemaphore(report_settings(app.config).concurrency)
        return _SLOTS[id(app)]


def _run_logged(app: Flask, report_id: int) -> None:
    try:
        with _slots(app):
            run_render(report_id, app=app)
    except Exception:
        log.exception("report %s: the render job failed", report_id)


def render_report(*, report_id: int) -> RenderOutcome:
    """The render job of an RQ worker (queue `reports`): `run_render` in the worker's app context.

    A report that fails in its renderer is recorded as failed on the report, not raised: retrying would hit the
    same limit again. Run twice, the second run finds the report claimed or ready and stores nothing."""
    return run_render(report_id)


def render_key(report_id: int) -> str:
    return f"render-report:{report_id}"


def _enqueue_render(app: Flask, report_id: int) -> bool:
    """Put a report's render job on the `reports` queue unless one is waiting; True when a new job was made."""
    from surveyapp.jobs.queue import REPORTS_QUEUE, render_timeout, submit

    return submit(
        render_report,
        {"report_id": report_id},
        config=app.config,
        queue_name=REPORTS_QUEUE,
        key=render_key(report_id),
        timeout=render_timeout(app.config),
    ).new


def submit_render(report_id: int) -> threading.Thread | None:
    """Hand a committed, queued report to a renderer; returns the waiting thread in background mode.

    In rq mode the report goes on the `reports` queue; when Redis is away it stays queued in the database and
    the next `tick` enqueues it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_MODE") == "rq":
        from redis.exceptions import RedisError

        try:
            _enqueue_render(app, report_id)
        except RedisError:
            log.exception("report %s: cannot enqueue the render job; the next tick does", report_id)
        return None
    if report_settings(app.config).mode == "inline":
        run_render(report_id, app=app)
        return None
    thread = threading.Thread(
        target=_run_logged, args=(app, report_id), name=f"report-render-{report_id}", daemon=True
    )
    thread.start()
    return thread


def _waiting_reports(now: datetime | None, limit: int | None) -> list[int]:
    # A report whose renderer died mid-render (restart, killed process) goes back in the queue, and first.
    stalled = requeue_stalled(
        session=db.session, now=now or utcnow(), time_limit=report_settings(current_app.config).time_limit
    )
    waiting_since = (now or utcnow()) - QUEUE_GRACE
    query = (
        select(Report.id)
        .where(Report.status == ReportStatus.QUEUED, Report.created_at < waiting_since)
        .order_by(Report.created_at, Report.id)
    )
    waiting = stalled + [
        report_id
        for report_id in db.session.scalars(query if limit is None else query.limit(limit))
        if report_id not in stalled
    ]
    db.session.commit()  # the children read and claim the reports on their own connections
    return waiting if limit is None else waiting[:limit]


def render_queued_reports(*, now: datetime | None = None, limit: int = TICK_BATCH) -> int:
    """Render, one by one, the reports queued for longer than `QUEUE_GRACE`; the number that became ready."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return sum(1 for report_id in _waiting_reports(now, limit) if run_render(report_id, app=app).ok)


def enqueue_queued_reports(*, now: datetime | None = None) -> tuple[int, int]:
    """rq mode's `render_queued_reports`: a render job for every report queued for longer than `QUEUE_GRACE`
    whose job is not already waiting (lost with a Redis restart, or queued from the command line); returns
    (new jobs, reports whose job was already waiting)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    made = [_enqueue_render(app, report_id) for report_id in _waiting_reports(now, None)]
    return sum(made), len(made) - sum(made)
