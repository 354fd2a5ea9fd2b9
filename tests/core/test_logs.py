"""Log lines never hold the token of a personal link (issue 22): redaction, every token route, a real log line."""

from __future__ import annotations

import logging

import pytest
from werkzeug.routing import Map

from surveyapp.core.logs import TOKEN_ROUTES, redact
from tests.conftest import is_postgres


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("GET /s/abcDEF123_-x HTTP/1.1", "GET /s/… HTTP/1.1"),
        ("/opt-out/tok3n?lang=nl", "/opt-out/…?lang=nl"),
        ("unhandled error on POST /deal-check/secret", "unhandled error on POST /deal-check/…"),
        ("/set-password/x.y.z and /s/second", "/set-password/… and /s/…"),
        ('href="https://surveys.example.org/s/tok"', 'href="https://surveys.example.org/s/…"'),
        ("/survey/12/page/about", "/survey/12/page/about"),
        ("/studies/brightline-2025/exports", "/studies/brightline-2025/exports"),
    ],
)
def test_redact_replaces_exactly_the_tokens_of_personal_links(text, redacted):
    assert redact(text) == redacted


def _token_rules(url_map: Map) -> list[str]:
    return sorted(rule.rule for rule in url_map.iter_rules() if "token" in rule.arguments)


def test_redact_covers_every_route_with_a_token(app):
    rules = _token_rules(app.url_map)

    unredacted = [rule for rule in rules if "SECRET" in redact(rule.replace("<token>", "SECRET"))]

    assert rules == sorted([*(f"/{route}/<token>" for route in TOKEN_ROUTES), "/s/<token>/erasure"])
    assert unredacted == []


def test_log_line_of_a_personal_link_that_failed_holds_no_token(make_app, tmp_path, caplog):
    # An app whose database cannot be reached: the link fails and the app logs the request's address.
    if is_postgres():
        broken_url = "postgresql+psycopg://postgres@127.0.0.1:9/surveyapp_nowhere?connect_timeout=2"
    else:
        (tmp_path / "not-a-database").mkdir()
        broken_url = f"sqlite:///{tmp_path / 'not-a-database'}"
    broken = make_app(DATABASE_URL=broken_url)

    with caplog.at_level(logging.WARNING):
        response = broken.test_client().get("/s/SecretToken0123456789")

    assert response.status_code == 503
    assert "database unavailable on GET /s/…" in caplog.text
    assert "SecretToken0123456789" not in caplog.text


def test_log_traceback_of_an_unexpected_error_holds_no_token(app, caplog):
    # A record logged with the token in its arguments and in the exception's message, as a view's error would be.
    try:
        raise RuntimeError("failed while serving /opt-out/AnotherSecret42")
    except RuntimeError:
        with caplog.at_level(logging.ERROR):
            app.logger.exception("unhandled error on %s %s", "GET", "/opt-out/AnotherSecret42")

    assert "unhandled error on GET /opt-out/…" in caplog.text
    assert "failed while serving /opt-out/…" in caplog.text
    assert "AnotherSecret42" not in caplog.text
