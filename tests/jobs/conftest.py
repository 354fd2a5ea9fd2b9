"""Fixtures for the tests marked `jobs`: a real Redis database (flushed before and after each test) and a real
`surveyapp worker --burst` process, started with the test app's settings in its environment.

Redis: SURVEYAPP_TEST_REDIS_URL (read by tests/conftest.py before the environment is scrubbed), else
database 15 of the local server. Without a reachable server these tests skip, except in CI (CI=true): there
they fail, so that a missing Redis cannot pass unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from redis import Redis
from redis.exceptions import RedisError

from surveyapp.extensions import db as _db
from tests.conftest import TEST_REDIS_URL
from tests.mail.smtpserver import free_port, smtp_server  # noqa: F401

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WORKER_TIMEOUT = 600  # a safety net for a hung worker, not a timing check: loaded CI machines are slow
SURVEYAPP = Path(sys.executable).parent / "surveyapp"
# The app settings a worker process needs to reach the same database, Redis, mail server and files.
WORKER_SETTINGS = (
    "ENV",
    "TESTING",
    "SECRET_KEY",
    "BASE_URL",
    "REDIS_URL",
    "JOBS_MODE",
    "JOB_RETRY_INTERVALS",
    "MAIL_BACKEND",
    "MAIL_OUTBOX_DIR",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_TIMEOUT",
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_COST",
    "ARGON2_PARALLELISM",
)


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = TEST_REDIS_URL or DEFAULT_REDIS_URL
    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {url} is required in CI: {exc}")
        pytest.skip(f"no Redis at {url}: {exc}")
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


def worker_environment(app: Flask) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SURVEYAPP_")}
    for name in WORKER_SETTINGS:
        if name in app.config and app.config[name] is not None:
            value = app.config[name]
            environment[f"SURVEYAPP_{name}"] = value if isinstance(value, str) else json.dumps(value)
    environment["SURVEYAPP_DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    environment["SURVEYAPP_INSTANCE_PATH"] = app.instance_path
    return environment


@pytest.fixture
def run_worker() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `surveyapp worker --burst` for an app until its queues are empty; returns the finished process."""

    def run(app: Flask, *arguments: str) -> subprocess.CompletedProcess[str]:
        if has_app_context():
            _db.session.commit()  # end the test's transaction: on SQLite it would hold the write lock
        finished = subprocess.run(
            [str(SURVEYAPP), "worker", "--burst", *arguments],
            env=worker_environment(app),
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
            check=False,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        if has_app_context():
            _db.session.expire_all()
        return finished

    return run


@pytest.fixture
def rq_app(make_app: Callable[..., Flask], redis_url: str, smtp_server: Any) -> Iterator[Flask]:  # noqa: F811
    """The test app in rq mode, mailing through the loopback SMTP server; its context is pushed."""
    application = make_app(
        REDIS_URL=redis_url,
        JOBS_MODE="rq",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_TIMEOUT=5,
    )
    with application.app_context():
        yield application
