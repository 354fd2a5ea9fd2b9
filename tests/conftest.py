"""Shared fixtures: a real database (SQLite file, or PostgreSQL when SURVEYAPP_TEST_DATABASE_URL is set),
an app per test, a client that can send CSRF tokens, and factories.

Isolation: the schema is created once per run; after each test every table is emptied, which works the same
on both databases and with code that opens its own connections or threads.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.engine import make_url

# The machine's own settings must not leak into tests; remember only where the PostgreSQL test database is.
TEST_DATABASE_URL = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
# Under pytest-xdist (`make test` runs the suite on every core) each worker process has a database of its own
# next to the named one (`surveyapp_test_gw0`, ...), created when missing; the tests that make scratch databases
# name them after this one, so those are per worker too.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
# ...and the Redis database of the tests marked `jobs` (tests/jobs/conftest.py).
TEST_REDIS_URL = os.environ.get("SURVEYAPP_TEST_REDIS_URL")
# The SURVEYAPP_TEST_* variables stay: under pytest-xdist this module is first imported by the controlling
# process, whose environment the worker processes inherit, and each worker needs them again.
for _name in list(os.environ):
    if _name.startswith("SURVEYAPP_") and not _name.startswith("SURVEYAPP_TEST_"):
        del os.environ[_name]


def _worker_database(url: str, worker: str) -> str:
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


if TEST_DATABASE_URL and XDIST_WORKER:
    TEST_DATABASE_URL = _worker_database(TEST_DATABASE_URL, XDIST_WORKER)

from surveyapp.app import create_app  # noqa: E402
from surveyapp.extensions import db as _db  # noqa: E402
from surveyapp.extensions import limiter  # noqa: E402
from surveyapp.responses.item_sums import stale_item_sums  # noqa: E402
from surveyapp.responses.unit_sums import stale_units  # noqa: E402

TEST_SECRET = "test-secret-key-" + "x" * 40
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


# Words in a test module that say it reaches a database of its own making (not through the `database_url`
# fixture), or a stack that does.
_OWN_DATABASE = ("TEST_DATABASE_URL", "is_postgres", "postgres", "stack", "create_app")
_ALWAYS_DATABASE = ("tests/system/", "tests/deploy/", "tests/faults/", "tests/jobs/")


def _uses_no_database(item: pytest.Item, sources: dict[Path, str]) -> bool:
    if "database_url" in getattr(item, "fixturenames", ()) or item.nodeid.startswith(_ALWAYS_DATABASE):
        return False
    path = Path(str(item.fspath))
    if path not in sources:
        sources[path] = path.read_text(encoding="utf-8")
    return not any(word in sources[path] for word in _OWN_DATABASE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in tests/jobs is marked `jobs`: they all empty the one Redis database of those tests, and some
    start real worker processes, so `make test` runs them on their own, one at a time (the other tests run in
    parallel, a test file per pytest-xdist worker: `--dist loadfile`, so its module fixtures are set up once).

    A test that uses no database (no `database_url` fixture, directly or through `app`, `db`, `client` and the
    factories; no database of its own) is marked `no_database`: it does the same on SQLite and PostgreSQL, so
    `make test` runs it in the SQLite pass only."""
    sources: dict[Path, str] = {}
    for item in items:
        if item.nodeid.startswith("tests/jobs/"):
            item.add_marker(pytest.mark.jobs)
        if _uses_no_database(item, sources):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def base_config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "BASE_URL": "https://surveys.example.org",
        "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        **FAST_ARGON2,
    }


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    instance = tmp_path_factory.mktemp("schema-instance")
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    app = create_app(base_config(database_url, instance))
    del os.environ["SURVEYAPP_INSTANCE_PATH"]
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    yield
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [table.name for table in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        # Whatever a test wrote, the triggers must have kept the answers' summaries exact (issue 8).
        stale = stale_units(connection)
        stale_items = stale_item_sums(connection)
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
    assert stale == [], f"response_dimension_sums differs from a recomputation for {stale}"
    assert stale_items == [], f"account_item_sums differs from a recomputation for {stale_items}"


def _normalised(url: str) -> str:
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    )


class Client(FlaskClient):
    """A test client that can send a valid CSRF token, as a browser that loaded the form would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = secrets.token_hex(20)
                session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Each request gets its own app context (own `g`, own database session), as in production; the test's
        # session ends its transaction first so that it holds no SQLite lock the request would wait on.
        outer = has_app_context()
        if outer:
            _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer:
            _db.session.expire_all()
        return response

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def make_app(
    database_url: str, _schema: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra settings; the tables are emptied afterwards."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    built: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({**base_config(database_url, tmp_path / "instance"), **overrides})
        app.test_client_class = Client
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            _db.session.remove()
            if app.config["SQLALCHEMY_DATABASE_URI"] == _normalised(database_url):
                _empty_all_tables()
            _db.engine.dispose()
    limiter.reset()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()  # type: ignore[return-value]


# ---- factories -------------------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_supplier(db: Any) -> Callable[..., Any]:
    from surveyapp.studies.services import create_supplier

    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, **kwargs: Any) -> Any:
        supplier = create_supplier(session=db.session, name=name or f"Supplier {next(counter)}", **kwargs)
        db.session.commit()
        return supplier

    return factory


@pytest.fixture
def make_user(db: Any, app: Flask) -> Callable[..., Any]:
    from surveyapp.auth.passwords import hasher_from_config
    from surveyapp.auth.services import create_user
    from surveyapp.enums import Role

    counter = iter(range(1, 10_000))

    def factory(
        role: str | Role = Role.RESEARCHER,
        email: str | None = None,
        password: str | None = PASSWORD,
        **kwargs: Any,
    ) -> Any:
        user = create_user(
            session=db.session,
            email=email or f"user{next(counter)}@example.org",
            role=Role(role),
            password=password,
            hasher=hasher_from_config(app.config),
            **kwargs,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client: Client) -> Callable[..., Any]:
    def do_login(user: Any, password: str = PASSWORD, target: Client | None = None) -> Any:
        used = target or client
        response = used.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
