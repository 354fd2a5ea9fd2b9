"""Handing work off from a web request, so that a request never waits for a mail server.

`SURVEYAPP_JOBS_MODE`:

- `thread` (default): the job runs at once in a background thread of this process, with its own app
  context and database session; if it fails, the next `surveyapp tick` does the work (jobs are idempotent).
- `cron`: nothing runs now; the next `surveyapp tick` (cron or a systemd timer) does it (default in tests).
- `inline`: the job runs in the caller, before it returns.
- `rq` (the default when `SURVEYAPP_REDIS_URL` is set): the job goes on an RQ queue for `surveyapp worker`
  (see queue.py); one job per kind of work waits at a time, so a burst of requests enqueues one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError

from surveyapp.extensions import db
from surveyapp.jobs.queue import Enqueued, submit, work_key

log = logging.getLogger(__name__)
MODES = ("thread", "cron", "inline", "rq")


def _run(app: Flask, job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    with app.app_context():
        try:
            job(**kwargs)
        except Exception:
            db.session.rollback()
            log.exception("background job %s failed; the next tick retries it", job.__name__)
        finally:
            db.session.remove()


def enqueue(job: Callable[..., Any], **kwargs: Any) -> threading.Thread | Enqueued | None:
    """Run `job(**kwargs)` as the settings say; returns the thread started, or the RQ job handed the work."""
    mode = current_app.config["JOBS_MODE"]
    if mode == "rq":
        try:
            return submit(job, kwargs, config=current_app.config, key=work_key(job, kwargs))
        except RedisError as exc:
            # The work itself is in the database (the outbox, a queued report): the next tick enqueues it.
            log.warning(
                "cannot enqueue %s: Redis is unavailable (%s); the next tick does it", job.__name__, exc
            )
            return None
    if mode == "inline":
        job(**kwargs)
        return None
    if mode == "cron":
        return None
    thread = threading.Thread(
        target=_run,
        args=(current_app._get_current_object(), job, kwargs),
        name=f"job-{job.__name__}",
        daemon=True,  # type: ignore[attr-defined]
    )
    thread.start()
    return thread
