"""gunicorn settings for serving surveyapp in production: `gunicorn -c gunicorn.conf.py`.

Read by gunicorn itself (not by the app). Everything can be changed with environment variables, so one file
serves both layouts of docs/deployment.md (one machine with SQLite, several app servers with PostgreSQL):

- sync workers, one request per process at a time, behind nginx (which buffers slow clients). The request time
  budget is `timeout`: a sync worker that has not finished its request by then is killed and replaced, so no
  request can hold a worker for longer (with threads, gunicorn's timeout only watches the worker's main loop
  and bounds nothing). On PostgreSQL every statement of a request also stops at SURVEYAPP_STATEMENT_TIMEOUT
  (30 s), well inside the budget, so a runaway query ends with a clean error page first.
- The app is built once in the master (`preload_app`), its objects frozen out of the garbage collector's
  reach (`gc.freeze()`) and its templates compiled, then forked: workers share that memory and a new worker
  starts in milliseconds instead of re-importing the app.

Variables (all optional):

    SURVEYAPP_BIND           address to listen on (default 127.0.0.1:8000; a reverse proxy sits in front)
    SURVEYAPP_WORKERS        worker processes (default 2 x CPU cores + 1, at most 12)
    SURVEYAPP_TIMEOUT        the request time budget in seconds (default 60)
    SURVEYAPP_MAX_REQUESTS   recycle a worker after about this many requests (default 0: never; see below)
"""

from __future__ import annotations

import gc
import os
import tempfile
from typing import Any

from gunicorn.glogging import Logger

from surveyapp.core.logs import RedactingFormatter, redact


def _integer(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


def _tmp_dir() -> str:
    # The heartbeat file of every worker is touched on each request: keep it in memory (/dev/shm) where
    # there is one, else in systemd's RuntimeDirectory, else the system temporary folder; never $HOME.
    for candidate in ("/dev/shm", os.environ.get("RUNTIME_DIRECTORY", "")):  # noqa: S108 (gunicorn makes a private file)
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return tempfile.gettempdir()


bind = [os.environ.get("SURVEYAPP_BIND", "127.0.0.1:8000")]
workers = _integer("SURVEYAPP_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 12))
worker_class = "sync"

# The request time budget. A survey page saves in milliseconds; the slowest requests are a CSV import at the
# row cap and a streamed export of a large study (seconds). Reports are rendered outside the request (a child
# process or an RQ worker), so they need no more.
timeout = _integer("SURVEYAPP_TIMEOUT", 60)
graceful_timeout = 30
# The reverse proxy keeps connections to us open; a few seconds is enough between its requests.
keepalive = 5
# Limits on the request line and headers (gunicorn's defaults, stated so they are visible).
limit_request_line = 4094
limit_request_fields = 100

preload_app = True
# Recycling: off by default, because a worker's memory stays flat (bench/README.md, "Serving": a soak of
# 20,000 requests). When it is on, each worker's limit is spread over [n, 2n) by its slot, so that workers
# never all restart within the same minute (gunicorn's own jitter draws them close together).
max_requests = _integer("SURVEYAPP_MAX_REQUESTS", 0)
max_requests_jitter = 0

worker_tmp_dir = _tmp_dir()
# gunicorn 24+ opens a control socket under $XDG_RUNTIME_DIR or $HOME/.gunicorn by default; we do not use it,
# and the service user's home folder stays untouched (older versions ignore this setting).
control_socket_disable = True

# Logs to stdout/stderr: journald (systemd) or the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("SURVEYAPP_LOG_LEVEL", "info")
# No query strings in the access log, and no secret tokens: they are part of the path of personal survey
# links, opt-out links, deal-check links and password links (see RedactingLogger below).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# gunicorn would itself turn X-Forwarded-Proto from 127.0.0.1 into the request scheme; SURVEYAPP_PROXY_FIX is the
# one place that decides which forwarded headers are believed, so gunicorn believes none by default.
forwarded_allow_ips = os.environ.get("SURVEYAPP_FORWARDED_ALLOW_IPS", "")
wsgi_app = "surveyapp.app:create_app()"


class RedactingLogger(Logger):
    """gunicorn's logger with the tokens of personal links replaced by `…`: in the access log's path, and in
    every line of the error log (gunicorn writes the request's address there when a request fails)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            formatter = handler.formatter
            handler.setFormatter(
                RedactingFormatter(formatter._fmt, formatter.datefmt) if formatter else RedactingFormatter()
            )

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact(atoms["U"] or "")
        atoms["r"] = "-"
        return atoms


logger_class = RedactingLogger


def _app(server: Any) -> Any:
    return server.app.wsgi()  # the preloaded app (gunicorn keeps the one it built)


def when_ready(server: Any) -> None:
    """In the master, after the app is built and before the first worker is forked."""
    from surveyapp.extensions import db

    app = _app(server)
    if "sqlalchemy" in getattr(app, "extensions", {}):  # (the benchmarks' bare apps have none)
        with app.app_context():
            db.engine.dispose()  # no connection of the master's may be shared by the forked workers
    if hasattr(app, "jinja_env"):
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)  # compiled once here, shared by every worker
    # Everything built so far lives as long as the master: keep the collector from scanning it in every
    # worker (and from touching its pages, which would then be copied into each worker).
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: a database pool of its own, and its share of the recycling window."""
    from surveyapp.extensions import db

    app = _app(server)
    if "sqlalchemy" in getattr(app, "extensions", {}):
        with app.app_context():
            db.engine.dispose(close=False)  # drop (without closing) anything inherited from the master
    if server.cfg.max_requests:
        worker.max_requests = staggered(server.cfg.max_requests, worker.age, server.num_workers)


def staggered(limit: int, age: int, count: int) -> int:
    """A worker's recycling limit: slots 0..count-1 (by the order workers were started) spread evenly over
    [limit, 2 x limit), so that workers sharing the load evenly reach their limits one at a time."""
    return limit + limit * (age % count) // count
