"""gunicorn settings for serving surveyapp in production: `gunicorn -c gunicorn.conf.py`.

Read by gunicorn itself (not by the app). Everything can be changed with environment variables, so one file
serves both layouts of docs/deployment.md:

- SQLite (one machine): sync workers, one request per process at a time. SQLite takes one writer at a time
  (`BEGIN IMMEDIATE` plus a 15 s busy timeout, see surveyapp/app.py), and separate processes wait on the file
  lock far more predictably than threads of one process sharing a connection pool.
- PostgreSQL (one or many app servers): gthread workers, several threads per process, which keeps memory per
  concurrent request low while requests wait on the database.

Variables (all optional):

    SURVEYAPP_DATABASE_URL   chooses the worker class, as above (the app reads it too)
    SURVEYAPP_BIND           address to listen on (default 127.0.0.1:8000; a reverse proxy sits in front)
    SURVEYAPP_WORKERS        worker processes (default 2 x CPU cores + 1, at most 12)
    SURVEYAPP_THREADS        threads per worker with PostgreSQL (default 4; ignored with SQLite)
    SURVEYAPP_TIMEOUT        seconds before a silent worker is killed and restarted (default 60)
    SURVEYAPP_WORKER_CLASS   overrides the choice (sync or gthread)
"""

from __future__ import annotations

import os
import re
import tempfile

from gunicorn.glogging import Logger


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


def _uses_sqlite() -> bool:
    # The app's own default (no URL) is a SQLite file in instance/.
    url = os.environ.get("SURVEYAPP_DATABASE_URL", "").strip()
    return not url or url.startswith("sqlite")


def _tmp_dir() -> str:
    # The heartbeat file of every worker is touched on each request: keep it in memory (/dev/shm) where
    # there is one, else in systemd's RuntimeDirectory, else the system temporary folder; never $HOME.
    for candidate in ("/dev/shm", os.environ.get("RUNTIME_DIRECTORY", "")):  # noqa: S108 (gunicorn makes a private file)
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return tempfile.gettempdir()


bind = [os.environ.get("SURVEYAPP_BIND", "127.0.0.1:8000")]
workers = _integer("SURVEYAPP_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 12))
worker_class = os.environ.get("SURVEYAPP_WORKER_CLASS") or ("sync" if _uses_sqlite() else "gthread")
if worker_class not in ("sync", "gthread"):
    raise SystemExit(f"SURVEYAPP_WORKER_CLASS must be sync or gthread, not {worker_class!r}")
threads = 1 if worker_class == "sync" else _integer("SURVEYAPP_THREADS", 4)

# A survey page saves in milliseconds; the slowest requests are a 32 MB CSV import and an export of a large
# study (a few seconds). 60 s leaves room for those under load and still frees a worker stuck on a dead
# database. Reports are rendered outside the request (a child process or a worker), so they need no more.
timeout = _integer("SURVEYAPP_TIMEOUT", 60)
graceful_timeout = 30
# The reverse proxy keeps connections to us open; a few seconds is enough between its requests.
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak in any library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Limits on the request line and headers (gunicorn's defaults, stated so they are visible).
limit_request_line = 4094
limit_request_fields = 100

# Not preloaded: each worker builds its own app, so no database connection, pool or background thread is
# ever shared across a fork, and `kill -HUP` (systemctl reload) picks up new code without a restart. The price
# is a second or two of start-up per worker.
preload_app = False

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

# Paths whose last part is a bearer token: whoever reads the log could otherwise answer a survey, opt a
# contact out or set a password.
TOKEN_PATH = re.compile(r"^/(s|opt-out|deal-check|set-password)/[^/]+")


class RedactingLogger(Logger):
    """gunicorn's logger with the tokens of personal links replaced by `…` in the access log."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = TOKEN_PATH.sub(lambda match: f"/{match.group(1)}/…", atoms["U"] or "")
        atoms["r"] = "-"
        return atoms


logger_class = RedactingLogger
