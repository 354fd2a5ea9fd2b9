"""Mail tests run against a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.mail.smtpserver import free_port, smtp_server, tls_certificate  # noqa: F401


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Iterator[Flask]:  # noqa: F811
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application
