"""Settings: defaults, then `SURVEYAPP_*` environment variables, then explicit overrides (tests)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import click
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
        # The Reply-To of every email that names none of its own (a study's reply address comes first).
        "MAIL_REPLY_TO": None,
        "MAIL_BATCH_SIZE": 100,
        "MAIL_CLAIM_SECONDS": 300,
        "JOBS_MODE": None,
        "QUESTIONNAIRE_DIR": str(Path(__file__).resolve().parent.parent / "questionnaires"),
        # 32 MB: a 100k-row contacts CSV fits, a runaway upload does not.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "MAX_FORM_PARTS": 1000,
        # Rows below the header of an imported CSV file: a longer file is refused before any row is checked.
        "IMPORT_MAX_ROWS": 50_000,
        # Accounts whose analyses a process keeps between requests (about 5.5 kB each; 0: keep none).
        "ANALYSIS_MEMO_ACCOUNTS": 20_000,
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
        # PostgreSQL: the longest one statement of a web request may run (seconds; 0: no limit), and how long
        # to wait for a connection. Commands (`surveyapp ...`, workers) have no statement limit.
        "STATEMENT_TIMEOUT": 30,
        "DATABASE_CONNECT_TIMEOUT": 10,
        # Redis: how long to wait for it before a rate limit falls back to memory or a job is left to `tick`.
        "REDIS_TIMEOUT": 2,
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


PROXY_FIX_HEADERS = ("for", "proto", "host", "port", "prefix")


def parse_proxy_fix(value: Any) -> dict[str, int]:
    """SURVEYAPP_PROXY_FIX as ProxyFix's arguments: how many proxies to trust for each X-Forwarded-* header.

    Either a number of proxies, trusted for X-Forwarded-For, -Proto and -Host (`1`), or a list per header
    (`x_for=1,x_proto=1,x_host=0`; also x_port, x_prefix; a header left out is not trusted). Off: 0 or empty.
    """
    if value is None or value is False or str(value).strip() in ("", "0"):
        return {}
    text = str(value).strip()
    if text.isdigit():
        hops = int(text)
        return {"x_for": hops, "x_proto": hops, "x_host": hops}
    counts: dict[str, int] = {}
    for part in text.split(","):
        name, equals, number = (piece.strip() for piece in part.partition("="))
        if name.removeprefix("x_") not in PROXY_FIX_HEADERS or not equals or not number.isdigit():
            raise ConfigError(
                "SURVEYAPP_PROXY_FIX must be a number of proxies or a list like 'x_for=1,x_proto=1' "
                f"(x_for, x_proto, x_host, x_port, x_prefix), not {value!r}"
            )
        counts["x_" + name.removeprefix("x_")] = int(number)
    return {name: hops for name, hops in counts.items() if hops}


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
    if url.startswith("sqlite"):
        # How long a SQLite writer waits for another one's lock before it fails (sqlite3's busy timeout).
        try:
            busy = float(config.get("DATABASE_BUSY_TIMEOUT") or 15)
        except (TypeError, ValueError):
            raise ConfigError(
                f"SURVEYAPP_DATABASE_BUSY_TIMEOUT must be a number of seconds, not {config['DATABASE_BUSY_TIMEOUT']!r}"
            ) from None
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": busy}})
    else:
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _postgresql_engine_options(config))

    config["SESSION_COOKIE_SECURE"] = env == PRODUCTION and not config.get("TESTING")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["PROXY_FIX"] = parse_proxy_fix(config.get("PROXY_FIX"))
    config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_HEADERS_ENABLED"] = True
    # Redis holds only counters and jobs: when it is unreachable, each process counts in its own memory (a
    # warning in the log says so) instead of refusing logins and survey links, and checks again for Redis.
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    config["RATELIMIT_SWALLOW_ERRORS"] = True
    if config.get("REDIS_URL"):
        wait = _seconds(config, "REDIS_TIMEOUT")
        config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_timeout": wait, "socket_connect_timeout": wait}
    if not config.get("MAIL_OUTBOX_DIR"):
        config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    _check_mail(config)
    _check_whole_number(config, "IMPORT_MAX_ROWS")
    _check_whole_number(config, "ANALYSIS_MEMO_ACCOUNTS", zero=True)


def _check_whole_number(config: Any, name: str, *, zero: bool = False) -> None:
    value = config[name]
    # A whole number, 50000 from the environment or an override; never a fraction, a boolean or 5e4.
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or int(text) < (0 if zero else 1):
        least = "zero or more" if zero else "greater than zero"
        raise ConfigError(f"SURVEYAPP_{name} must be a whole number {least}, not {value!r}")
    config[name] = int(text)


def _seconds(config: Any, name: str, *, zero: bool = False) -> float:
    try:
        value = float(config[name])
    except (TypeError, ValueError):
        raise ConfigError(f"SURVEYAPP_{name} must be a number of seconds, not {config[name]!r}") from None
    if value < 0 or (value == 0 and not zero):
        raise ConfigError(f"SURVEYAPP_{name} must be {'zero or more' if zero else 'greater than zero'}")
    return value


def _postgresql_engine_options(config: Any) -> dict[str, Any]:
    """Pool and connection settings for PostgreSQL: a bounded wait to connect, and in apps that serve
    requests a `statement_timeout`, so that no request holds a worker on a runaway query.

    An app built for a command line (inside a click command: the `surveyapp` script, `flask --app surveyapp`,
    and `surveyapp worker`) has no statement limit: imports, rescoring and renders may legitimately run long.
    """
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, round(_seconds(config, "DATABASE_CONNECT_TIMEOUT")))
    }
    limit = _seconds(config, "STATEMENT_TIMEOUT", zero=True)
    if limit and click.get_current_context(silent=True) is None:
        connect_args["options"] = f"-c statement_timeout={round(limit * 1000)}"
    return {"pool_pre_ping": True, "connect_args": connect_args}


def _check_mail(config: Any) -> None:
    choices = {"MAIL_BACKEND": ("file", "smtp"), "SMTP_SECURITY": ("none", "starttls", "ssl")}
    for name, allowed in choices.items():
        value = str(config[name]).lower()
        if value not in allowed:
            raise ConfigError(f"SURVEYAPP_{name} must be one of {', '.join(allowed)}, not {config[name]!r}")
        config[name] = value
    # Background work from web requests: RQ queues when Redis is configured, else a thread; tests leave it to
    # an explicit `tick`.
    default_mode = "rq" if config.get("REDIS_URL") else ("cron" if config.get("TESTING") else "thread")
    mode = str(config.get("JOBS_MODE") or default_mode).lower()
    if mode not in ("thread", "cron", "inline", "rq"):
        raise ConfigError(
            f"SURVEYAPP_JOBS_MODE must be thread, cron, inline or rq, not {config['JOBS_MODE']!r}"
        )
    if mode == "rq" and not config.get("REDIS_URL"):
        raise ConfigError("SURVEYAPP_JOBS_MODE=rq needs SURVEYAPP_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    config["JOBS_MODE"] = mode
    from surveyapp.mail.headers import HeaderError, parse_sender

    reply_to = str(config.get("MAIL_REPLY_TO") or "").strip()
    if reply_to:
        from surveyapp.mail.headers import check_address

        try:
            config["MAIL_REPLY_TO"] = check_address(reply_to, what="SURVEYAPP_MAIL_REPLY_TO")
        except HeaderError:
            raise ConfigError(
                f"SURVEYAPP_MAIL_REPLY_TO must be one email address, e.g. research@example.org, not {reply_to!r}"
            ) from None
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
