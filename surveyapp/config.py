"""Settings: defaults, then `SURVEYAPP_*` environment variables, then explicit overrides (tests)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_LENGTH = 32
# Values people paste from tutorials; refusing them is cheaper than a forged session.
WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "please-change-me", "test"}


class ConfigError(RuntimeError):
    """A setting that makes starting the app unsafe or impossible; the message is one line for the operator."""


def _defaults() -> dict[str, Any]:
    return {
        "ENV": PRODUCTION,
        "SECRET_KEY": None,
        "DATABASE_URL": None,
        "REDIS_URL": None,
        "BASE_URL": "http://127.0.0.1:5000",
        "MAIL_BACKEND": "file",
        "MAIL_OUTBOX_DIR": None,
        "MAIL_FROM": "surveyapp <noreply@surveyapp.invalid>",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 25,
        "SMTP_USER": None,
        "SMTP_PASSWORD": None,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 30,
        "SMTP_CA_FILE": None,
        "MAIL_BATCH_SIZE": 100,
        "MAIL_CLAIM_SECONDS": 300,
        "JOBS_MODE": None,
        "QUESTIONNAIRE_DIR": str(Path(__file__).resolve().parent.parent / "questionnaires"),
        # 32 MB: a 100k-row contacts CSV fits, a runaway upload does not.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "MAX_FORM_PARTS": 1000,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "surveyapp_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "RATELIMIT_LOGIN_PER_IP": "30 per 15 minutes",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "5 per 15 minutes",
        "RATELIMIT_LINK_PER_IP": "50 per 15 minutes",
        "RATELIMIT_PASSWORD_RESET_PER_IP": "10 per hour",
        "RATELIMIT_PASSWORD_RESET_PER_ADDRESS": "3 per hour",
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "PASSWORD_TOKEN_HOURS": 72,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "PROXY_FIX": 0,
    }


def _normalise_database_url(url: str) -> str:
    # psycopg 3 is the driver we ship; accept the URLs people copy from hosting panels.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def _check_sqlite_location(path: Path) -> None:
    directory = path.parent
    if not directory.is_dir():
        raise ConfigError(
            f"database folder {directory} does not exist: create it or set SURVEYAPP_DATABASE_URL"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ConfigError(f"database file {path} is not readable and writable by this user")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(f"database folder {directory} is not writable by this user")


def _dev_secret(instance: Path) -> str:
    # A development key that survives restarts, so `make run` keeps you logged in.
    key_file = instance / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config` and refuse unsafe or impossible settings with a `ConfigError`."""
    app.config.update(_defaults())
    app.config.from_prefixed_env("SURVEYAPP")
    if overrides:
        app.config.update(overrides)
    config = app.config

    env = str(config["ENV"]).lower()
    if env not in (DEVELOPMENT, PRODUCTION):
        raise ConfigError(f"SURVEYAPP_ENV must be 'production' or 'development', not {config['ENV']!r}")
    config["ENV"] = env

    instance = Path(app.instance_path)
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the instance folder {instance}: {exc.strerror}") from None

    secret = config.get("SECRET_KEY")
    if not secret and env == DEVELOPMENT:
        secret = _dev_secret(instance)
    if not config.get("TESTING") and (
        not secret or str(secret).strip().lower() in WEAK_SECRETS or len(str(secret)) < MIN_SECRET_LENGTH
    ):
        raise ConfigError(
            "SURVEYAPP_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    config["SECRET_KEY"] = secret

    url = config.get("DATABASE_URL") or f"sqlite:///{instance / 'surveyapp.db'}"
    url = _normalise_database_url(str(url))
    sqlite_path = _sqlite_path(url)
    if sqlite_path is not None:
        _check_sqlite_location(sqlite_path)
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": not url.startswith("sqlite")})

    config["SESSION_COOKIE_SECURE"] = env == PRODUCTION and not config.get("TESTING")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_HEADERS_ENABLED"] = True
    if not config.get("MAIL_OUTBOX_DIR"):
        config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    _check_mail(config)


def _check_mail(config: Any) -> None:
    choices = {"MAIL_BACKEND": ("file", "smtp"), "SMTP_SECURITY": ("none", "starttls", "ssl")}
    for name, allowed in choices.items():
        value = str(config[name]).lower()
        if value not in allowed:
            raise ConfigError(f"SURVEYAPP_{name} must be one of {', '.join(allowed)}, not {config[name]!r}")
        config[name] = value
    # Background work from web requests: a thread by default; tests leave it to an explicit `tick`.
    mode = str(config.get("JOBS_MODE") or ("cron" if config.get("TESTING") else "thread")).lower()
    if mode not in ("thread", "cron", "inline"):
        raise ConfigError(f"SURVEYAPP_JOBS_MODE must be thread, cron or inline, not {config['JOBS_MODE']!r}")
    config["JOBS_MODE"] = mode
    from surveyapp.mail.headers import HeaderError, parse_sender

    try:
        parse_sender(str(config["MAIL_FROM"]))
    except HeaderError:
        raise ConfigError(
            "SURVEYAPP_MAIL_FROM needs one address without line breaks, e.g. 'Research <research@example.org>', "
            f"not {config['MAIL_FROM']!r}"
        ) from None
    for name in ("SMTP_PORT", "SMTP_TIMEOUT", "MAIL_BATCH_SIZE", "MAIL_CLAIM_SECONDS"):
        try:
            number = float(config[name])
        except (TypeError, ValueError):
            raise ConfigError(f"SURVEYAPP_{name} must be a number, not {config[name]!r}") from None
        if number <= 0:
            raise ConfigError(f"SURVEYAPP_{name} must be greater than zero")
