"""Start-up: settings, refusing unsafe configuration with one clear line, SQLite pragmas, headers, health."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from surveyapp.app import create_app
from surveyapp.config import ConfigError
from surveyapp.extensions import db as _db
from tests.conftest import TEST_SECRET

SURVEYAPP = str(Path(sys.executable).parent / "surveyapp")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYAPP_")}
    env["SURVEYAPP_INSTANCE_PATH"] = str(tmp_path / "instance")
    env.update(extra)
    return env


def test_create_app_in_production_without_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError) as error:
        create_app({"ENV": "production"})

    assert str(error.value).startswith(
        "SURVEYAPP_SECRET_KEY must be set to a random value of at least 32 characters"
    )


@pytest.mark.parametrize("secret", ["changeme", "dev", "short-but-random-1234"])
def test_create_app_in_production_with_weak_secret_key_is_refused(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError):
        create_app({"ENV": "production", "SECRET_KEY": secret})


def test_create_app_in_development_keeps_a_generated_secret_across_restarts(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    first = create_app({"ENV": "development"}).config["SECRET_KEY"]
    second = create_app({"ENV": "development"}).config["SECRET_KEY"]

    assert first == second
    assert len(first) >= 32


def test_settings_come_from_prefixed_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SURVEYAPP_BASE_URL", "https://research.example.org")
    monkeypatch.setenv("SURVEYAPP_DATABASE_URL", "postgres://u@db.example.org/research")

    app = create_app()

    assert app.config["BASE_URL"] == "https://research.example.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/research"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(
        ConfigError, match="SURVEYAPP_ENV must be 'production' or 'development', not 'staging'"
    ):
        create_app({"ENV": "staging", "SECRET_KEY": TEST_SECRET})


def test_missing_database_folder_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    missing = tmp_path / "nowhere" / "app.db"

    with pytest.raises(ConfigError) as error:
        create_app({"SECRET_KEY": TEST_SECRET, "DATABASE_URL": f"sqlite:///{missing}"})

    assert str(error.value) == (
        f"database folder {missing.parent} does not exist: create it or set SURVEYAPP_DATABASE_URL"
    )


def test_cli_without_secret_in_production_prints_one_line_and_exits_1(tmp_path):
    result = subprocess.run(
        [SURVEYAPP, "init-db"], env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("surveyapp: SURVEYAPP_SECRET_KEY must be set")


def test_cli_with_unwritable_database_path_prints_one_line_and_exits_1(tmp_path):
    database = tmp_path / "missing-dir" / "x.db"
    env = _env(tmp_path, SURVEYAPP_SECRET_KEY=TEST_SECRET, SURVEYAPP_DATABASE_URL=f"sqlite:///{database}")

    result = subprocess.run(
        [SURVEYAPP, "init-db"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 1
    assert (
        result.stderr
        == f"surveyapp: database folder {database.parent} does not exist: create it or set SURVEYAPP_DATABASE_URL\n"
    )


def test_sqlite_connections_use_wal_and_foreign_keys(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.db'}")
    with app.app_context(), _db.engine.connect() as connection:
        pragmas = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }

    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 15000}


def test_security_headers_on_every_page(client):
    response = client.get("/login")

    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_oversized_body_is_refused_with_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()

    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 5000})

    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_language_follows_the_browser_and_the_switch(client):
    dutch = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    client.post_form("/language", {"lang": "en", "next": "/login"})
    english = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})

    assert '<html lang="nl">' in dutch.get_data(as_text=True)
    assert "Wachtwoord" in dutch.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Password" in english.get_data(as_text=True)


def test_language_switch_refuses_a_foreign_next(client):
    response = client.post_form("/language", {"lang": "nl", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
