"""Log lines without secrets: the bearer tokens in personal links never reach a log.

Four kinds of address carry a secret token right after their first part: personal survey links (`/s/<token>`,
and the erasure request reached from one, `/s/<token>/erasure`), opt-out links, deal-check links and password
links. Whoever reads a log line with one could answer a survey, opt a
contact out or set a password. The app's logger (`surveyapp`, and through it every `surveyapp.*` module logger)
and the library loggers below get one handler of ours whose filter redacts each record *before* any other
handler sees it: the token becomes `…` in the message, its arguments and its traceback. gunicorn's access and
error logs use the same `redact` (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

#: First path segments of the routes whose next segment is a secret token (a test checks every `<token>` route).
TOKEN_ROUTES = ("s", "opt-out", "deal-check", "set-password")
_TOKEN_PATH = re.compile(
    r"(/(?:" + "|".join(re.escape(route) for route in TOKEN_ROUTES) + r")/)[^/\s?#\"'<>]+"
)
FORMAT = "[%(asctime)s] %(levelname)s in %(name)s: %(message)s"
#: Third-party loggers whose lines should look like the app's own and be redacted the same way.
LIBRARY_LOGGERS = ("flask-limiter", "werkzeug")


def redact(text: str) -> str:
    """`text` with the token of every personal-link path replaced by `…`."""
    return _TOKEN_PATH.sub(r"\1…", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose every formatted line (traceback included) has its tokens redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """Rewrites a record in place: its message (arguments merged in) and its traceback text, redacted. The
    record is shared by every handler it reaches afterwards, so they all see the redacted one."""

    _traceback = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours: to the server's error stream inside a request (gunicorn's error log), standard error elsewhere."""


def configure_logging(app: Flask) -> None:
    """Give the app's logger and the library loggers above one redacting handler each (once per process).

    Flask's own default handler is replaced by ours, so that lines are not written twice.
    """
    from flask.logging import default_handler, wsgi_errors_stream

    for name in (app.logger.name, *LIBRARY_LOGGERS):
        logger = logging.getLogger(name)
        if default_handler in logger.handlers:
            logger.removeHandler(default_handler)
        if not any(isinstance(handler, _Handler) for handler in logger.handlers):
            handler = _Handler(wsgi_errors_stream)  # type: ignore[arg-type]
            handler.addFilter(RedactingFilter())
            handler.setFormatter(RedactingFormatter(FORMAT))
            # Ours first: its filter redacts the record for every handler after it (and the root's).
            logger.handlers.insert(0, handler)
