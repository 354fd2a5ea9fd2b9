"""The RQ backend of the jobs interface (`SURVEYAPP_JOBS_MODE=rq`, the default when `SURVEYAPP_REDIS_URL` is set).

A job on the queue is `perform(target, kwargs)`: `target` names one of our job functions ("module:function"),
the worker runs it in an app context of its own (the app built from the environment, like the web app's) and
with its own database session. Every job function is idempotent (the outbox claims messages atomically, a
renderer claims its report with a compare-and-set, queuing steps are deduplicated by unique constraints), so a
job that runs twice, say because its worker was killed after the work and before RQ recorded the result,
sends no email twice and stores no report twice.

Deduplication of enqueuing: work with a `key` (e.g. "deliver_outbox", "render-report:42") is enqueued only when
no job for that key is still waiting. A Redis key `surveyapp:jobs:waiting:<key>` holds the waiting job's id
(set-if-absent, so two ticks at once enqueue one job); the job clears it when it starts, so work that becomes
due while it runs gets a new job.

Queues: `default` (mail, reminders, expiry) and `reports` (renders: each runs in the renderer child process
with its time and memory limits). Failures are retried with backoff (`RETRY_INTERVALS`); what still fails lands
in RQ's failed-job registry, shown to admins at /admin/jobs/failed.
"""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import WatchError
from rq import Queue, Retry, get_current_job
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from surveyapp.extensions import db

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
REPORTS_QUEUE = "reports"
QUEUES = (DEFAULT_QUEUE, REPORTS_QUEUE)
# Seconds between attempts: a mail server or database that is away for a minute or an hour is waited for.
# `SURVEYAPP_JOB_RETRY_INTERVALS` ("30,300,1800"; "" for no retries) overrides it.
RETRY_INTERVALS = (30, 300, 1800)
WAITING_PREFIX = "surveyapp:jobs:waiting:"
# A waiting-marker outlives no job by more than this: if Redis lost the job, the work is enqueued again later.
WAITING_TTL = 6 * 3600
# Between setting a marker and enqueuing its job: a marker this young without a job is not stale.
ENQUEUE_GRACE = 60
# Room beyond the renderer's own time limit for starting the child and recording the outcome.
RENDER_TIMEOUT_MARGIN = 120
DEFAULT_TIMEOUT = 600
WAITING_STATUSES = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


class JobsUnavailable(RuntimeError):
    """The RQ backend was asked for while the app is not in rq mode."""


def redis_connection(config: Mapping[str, Any]) -> Redis:
    url = config.get("REDIS_URL")
    if not url:
        raise JobsUnavailable("SURVEYAPP_REDIS_URL is not set")
    # A bounded wait: a web request that cannot reach Redis leaves the job to the next `tick` instead of
    # hanging (an RQ worker raises the socket timeout to what its blocking reads need).
    wait = float(config.get("REDIS_TIMEOUT") or 2)
    return Redis.from_url(str(url), socket_timeout=wait, socket_connect_timeout=wait)


def queue(name: str, *, connection: Redis) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}: choose from {', '.join(QUEUES)}")
    return Queue(name, connection=connection)


def target_of(job: Callable[..., Any]) -> str:
    """'module:function' of a job function; a worker in another process imports it by that name."""
    qualname = getattr(job, "__qualname__", "")
    if not qualname or "<" in qualname or "." in qualname:
        raise ValueError(f"{job!r} is not a module-level function: an RQ worker could not import it")
    return f"{job.__module__}:{qualname}"


def work_key(job: Callable[..., Any], kwargs: Mapping[str, Any]) -> str:
    """The deduplication key of a piece of work: the function and its arguments."""
    arguments = ",".join(f"{name}={kwargs[name]!r}" for name in sorted(kwargs))
    return f"{target_of(job)}({arguments})"


def resolve(target: str) -> Callable[..., Any]:
    module_name, _, name = target.partition(":")
    if not module_name.startswith("surveyapp.") or not name:
        raise ValueError(f"not a surveyapp job: {target!r}")
    return getattr(importlib.import_module(module_name), name)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Enqueued:
    """What `submit` did: the job's id, and whether it is new or the one already waiting for the same work."""

    job_id: str
    key: str | None
    new: bool


def _waiting_job(connection: Redis, marker: str) -> str | None:
    raw = connection.get(marker)
    if raw is None:
        return None
    job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
    job = Job.fetch_many([job_id], connection=connection)[0]
    if job is not None and job.get_status(refresh=False) in WAITING_STATUSES:
        return job_id
    if job is None and connection.ttl(marker) > WAITING_TTL - ENQUEUE_GRACE:
        return job_id  # set a moment ago: its process is putting the job on the queue right now
    # The marker outlived its job (Redis evicted it, or it was deleted): clear it only if unchanged.
    _delete_if(connection, marker, raw)
    return None


def _delete_if(connection: Redis, marker: str, expected: bytes) -> None:
    """Delete `marker` if it still holds `expected` (a check-and-delete that another process cannot split)."""
    with connection.pipeline() as pipe:
        try:
            pipe.watch(marker)
            if pipe.get(marker) != expected:
                pipe.unwatch()
                return
            pipe.multi()
            pipe.delete(marker)
            pipe.execute()
        except WatchError:
            pass  # changed meanwhile: it is someone else's marker now


def submit(
    job: Callable[..., Any],
    kwargs: Mapping[str, Any] | None = None,
    *,
    config: Mapping[str, Any],
    queue_name: str = DEFAULT_QUEUE,
    key: str | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    description: str | None = None,
) -> Enqueued:
    """Put `job(**kwargs)` on an RQ queue, with retries; with a `key`, only when no job for it is waiting."""
    target = target_of(job)
    kwargs = dict(kwargs or {})
    connection = redis_connection(config)
    rq_queue = queue(queue_name, connection=connection)
    job_id = uuid.uuid4().hex
    marker = WAITING_PREFIX + key if key else None
    if marker is not None:
        for _attempt in range(2):
            if connection.set(marker, job_id, nx=True, ex=WAITING_TTL):
                break
            waiting = _waiting_job(connection, marker)
            if waiting is not None:
                return Enqueued(job_id=waiting, key=key, new=False)
        else:  # another process set it between our two tries: theirs is the waiting job
            raw = connection.get(marker)
            return Enqueued(job_id=raw.decode() if isinstance(raw, bytes) else str(raw), key=key, new=False)
    rq_queue.enqueue_call(
        perform,
        args=(target, kwargs, marker),
        job_id=job_id,
        timeout=timeout,
        retry=_retry(config),
        description=description or _describe(target, kwargs),
        meta={"target": target, "kwargs": repr(kwargs)},
    )
    return Enqueued(job_id=job_id, key=key, new=True)


def retry_intervals(config: Mapping[str, Any]) -> tuple[int, ...]:
    """The seconds between a failed job's attempts; one attempt more than there are intervals."""
    raw = config.get("JOB_RETRY_INTERVALS", RETRY_INTERVALS)
    if isinstance(raw, int | float):
        raw = (raw,)
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    try:
        intervals = tuple(int(part) for part in raw)
    except (TypeError, ValueError):
        raise ValueError(
            f"SURVEYAPP_JOB_RETRY_INTERVALS must be seconds like 30,300,1800, not {raw!r}"
        ) from None
    if any(seconds < 0 for seconds in intervals):
        raise ValueError("SURVEYAPP_JOB_RETRY_INTERVALS cannot be negative")
    return intervals


def _retry(config: Mapping[str, Any]) -> Retry | None:
    intervals = retry_intervals(config)
    return Retry(max=len(intervals), interval=list(intervals)) if intervals else None


def _describe(target: str, kwargs: Mapping[str, Any]) -> str:
    arguments = ", ".join(f"{name}={value!r}" for name, value in sorted(kwargs.items()))
    return f"{target.rpartition(':')[2]}({arguments})"


def render_timeout(config: Mapping[str, Any]) -> int:
    from surveyapp.reporting.settings import report_settings

    return int(report_settings(config).time_limit) + RENDER_TIMEOUT_MARGIN


# ---- in the worker ---------------------------------------------------------------------------------------

_APP: Flask | None = None
_APP_PID: int | None = None


def use_app(app: Flask) -> None:
    """The app the jobs of this process run in (`surveyapp worker` sets its own before forking work horses)."""
    global _APP, _APP_PID
    _APP, _APP_PID = app, None


def _worker_app() -> Flask:
    global _APP, _APP_PID
    if _APP is None:
        from surveyapp.app import create_app

        _APP = create_app()  # from the SURVEYAPP_* environment, as the web app is built
    if os.getpid() != _APP_PID:
        # A forked work horse must not share the parent's pooled database connections.
        with _APP.app_context():
            db.engine.dispose(close=False)
        _APP_PID = os.getpid()
    return _APP


def perform(target: str, kwargs: dict[str, Any], marker: str | None = None) -> str | None:
    """Run one job function in an app context of its own; what an RQ worker calls. Raises to make RQ retry."""
    current = get_current_job()
    if marker and current is not None:
        # From now on, work that becomes due needs a new job: this one may already have passed it.
        _delete_if(current.connection, marker, current.id.encode())
    function = resolve(target)
    app = _worker_app()
    with app.app_context():
        try:
            result = function(**kwargs)
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    line = getattr(result, "line", None)
    return str(line()) if callable(line) else None


def in_rq_mode() -> bool:
    return bool(current_app.config.get("JOBS_MODE") == "rq")


# ---- failed jobs (the admin page) ------------------------------------------------------------------------

ERROR_EXCERPT = 300


@dataclass(frozen=True, slots=True)
class FailedJob:
    """A job that failed after its retries, as the admin page shows it. Texts are raw: templates escape them."""

    id: str
    queue: str
    function: str
    arguments: str
    error: str
    failed_at: datetime | None


def _error_excerpt(exc_string: str | None) -> str:
    # The traceback's last line names the exception and its message; the rest is for the worker's log.
    lines = [line.strip() for line in (exc_string or "").strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= ERROR_EXCERPT else last[: ERROR_EXCERPT - 1] + "…"


def _failed_job(job: Job, queue_name: str) -> FailedJob:
    result = job.latest_result()
    target = str(job.meta.get("target") or job.func_name)
    return FailedJob(
        id=job.id,
        queue=queue_name,
        function=target.rpartition(":")[2] or target,
        arguments=str(job.meta.get("kwargs") or ""),
        error=_error_excerpt(result.exc_string if result is not None else None),
        failed_at=job.ended_at or (result.created_at if result is not None else None),
    )


def failed_jobs(*, connection: Redis) -> list[FailedJob]:
    """Every job in the failed registries of our queues, the most recent failure first."""
    found: list[FailedJob] = []
    for name in QUEUES:
        registry = queue(name, connection=connection).failed_job_registry
        jobs = Job.fetch_many(registry.get_job_ids(), connection=connection)
        found.extend(_failed_job(job, name) for job in jobs if job is not None)
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda job: job.failed_at or epoch, reverse=True)


def _failed_registry_of(connection: Redis, job_id: str) -> FailedJobRegistry | None:
    for name in QUEUES:
        registry = queue(name, connection=connection).failed_job_registry
        if job_id in registry:
            return registry
    return None


def requeue_failed(*, connection: Redis, job_id: str) -> bool:
    """Put a failed job back on its queue (with its retries anew); False when no such failed job exists."""
    registry = _failed_registry_of(connection, job_id)
    if registry is None:
        return False
    try:
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        return False  # another admin (or a worker) got there first
    return True


def delete_failed(*, connection: Redis, job_id: str) -> bool:
    """Remove a failed job and its record; False when no such failed job exists."""
    registry = _failed_registry_of(connection, job_id)
    if registry is None:
        return False
    try:
        Job.fetch(job_id, connection=connection).delete()
    except NoSuchJobError:
        registry.remove(job_id)
    return True
