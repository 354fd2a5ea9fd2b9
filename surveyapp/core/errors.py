"""Error pages: calm, translated, and revealing nothing about what exists."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from surveyapp.core.logs import redact
from surveyapp.extensions import db
from surveyapp.i18n import _l

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Go back, reload the page and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    410: (
        _l("Link no longer valid"),
        _l("This link has expired or is no longer in use. Ask the sender for a new one."),
    ),
    413: (
        _l("Too large"),
        _l("What you sent is larger than this site accepts. Send a smaller file or less text."),
    ),
    422: (_l("Cannot be processed"), _l("Some of what you sent is not valid. Go back and correct it.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing you sent was half-saved; try again later."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is busy or under maintenance. Try again in a minute."),
    ),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _render(
            400, _l("The form had expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if code < 400 or (code == 405 and request.method == "OPTIONS"):
            return error
        return _render(code)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Response:
        # Locked or unreachable: the transaction is rolled back whole, so trying again later is safe.
        db.session.rollback()
        app.logger.warning(
            "database unavailable on %s %s: %s", request.method, redact(request.path), error.orig
        )
        response = make_response(_render(503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _render(500)
