"""The application factory."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, Response, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp.config import configure
from surveyapp.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LANGUAGES = ("en", "nl")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling defers it wrongly).
    # The busy timeout is the driver's `timeout` (DATABASE_BUSY_TIMEOUT, see config.py).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        # IMMEDIATE takes the write lock up front, so two writers wait on the busy timeout instead of one of
        # them failing at once with SQLITE_BUSY when it upgrades a read transaction. A connection marked
        # `read_only` (a streamed export) takes a plain snapshot instead: in WAL mode it then blocks no writer.
        read_only = conn.get_execution_options().get("read_only")
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def select_locale() -> str:
    """The user's own setting, then the session's choice, then the browser's preference."""
    if not has_request_context():
        return "en"
    user_language = getattr(current_user, "language", None) if current_user else None
    if user_language in SUPPORTED_LANGUAGES:
        return user_language
    chosen = session.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        # Only on HTTPS responses (behind a proxy: with PROXY_FIX x_proto); on plain HTTP browsers ignore it.
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; raises `ConfigError` with a one-line reason when settings are unusable."""
    instance_path = os.environ.get("SURVEYAPP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        "surveyapp",
        instance_path=instance_path,
        root_path=str(Path(__file__).resolve().parent),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).resolve().parent / "static"),
    )
    configure(app, config_overrides)
    if app.config["PROXY_FIX"]:
        # Only behind a reverse proxy that sets these headers: otherwise a client could claim any address.
        counts = {"x_for": 0, "x_proto": 0, "x_host": 0, **app.config["PROXY_FIX"]}
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).resolve().parent / "migrations"), render_as_batch=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    _import_models()
    from surveyapp.questionnaires.runtime import init_catalogue

    init_catalogue(app)
    from surveyapp.analysis.service import MEMO

    MEMO.accounts = app.config["ANALYSIS_MEMO_ACCOUNTS"]
    _register_blueprints(app)
    app.after_request(_security_headers)

    from surveyapp.core.errors import register_error_handlers
    from surveyapp.core.logs import configure_logging
    from surveyapp.core.templating import register_template_helpers

    configure_logging(app)
    register_error_handlers(app)
    register_template_helpers(app)
    from surveyapp.cli import register_commands  # here: surveyapp.cli imports this module

    register_commands(app)
    return app


def _import_models() -> None:
    # Every model module, so relationships resolve and Alembic sees the whole schema.
    import surveyapp.act.models
    import surveyapp.audit.models
    import surveyapp.auth.models
    import surveyapp.coding.models
    import surveyapp.deals.models
    import surveyapp.interviews.models
    import surveyapp.invitations.models
    import surveyapp.mail.models
    import surveyapp.privacy.models
    import surveyapp.questionnaires.models
    import surveyapp.reporting.models
    import surveyapp.responses.models
    import surveyapp.studies.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from surveyapp.auth.admin_views import bp as admin_bp
    from surveyapp.auth.views import bp as auth_bp
    from surveyapp.coding.views import bp as coding_bp
    from surveyapp.core.views import bp as core_bp
    from surveyapp.dashboard.views import bp as dashboard_bp
    from surveyapp.exports.views import bp as exports_bp
    from surveyapp.interviews.views import bp as interviews_bp
    from surveyapp.invitations.public_views import bp as links_bp
    from surveyapp.invitations.views import bp as invitations_bp
    from surveyapp.reporting.views import bp as reporting_bp
    from surveyapp.responses.views import bp as responses_bp
    from surveyapp.studies.views import bp as studies_bp

    blueprints = (
        core_bp,
        auth_bp,
        admin_bp,
        studies_bp,
        invitations_bp,
        links_bp,
        responses_bp,
        reporting_bp,
        coding_bp,
        exports_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.register_blueprint(interviews_bp)
    from surveyapp.privacy.views import bp as privacy_bp

    app.register_blueprint(privacy_bp)
    from surveyapp.act.views import bp as act_bp

    app.register_blueprint(act_bp)
    app.register_blueprint(dashboard_bp)
    from surveyapp.deals.views import bp as deals_bp

    app.register_blueprint(deals_bp)
    from surveyapp.jobs.views import bp as jobs_bp

    app.register_blueprint(jobs_bp)
