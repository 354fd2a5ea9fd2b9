"""End-to-end fixtures: the app served by a real server on 127.0.0.1 (SQLite), a real SMTP server (aiosmtpd)
receiving the invitations, and Debian's Chromium driven by Playwright, launched by path (no browser download).

Without CI a missing Chromium, Playwright or axe-core skips these tests with the reason; with CI=true it fails
them: CI must prove the survey works in a real browser.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import is_postgres
from tests.mail.smtpserver import Server, smtp_server, unused_port  # noqa: F401
from tests.responses.conftest import make_invitation, survey_study  # noqa: F401
from tests.studies.conftest import make_study, ready_study  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
MOBILE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end tests need {reason} in CI (.ci/run installs it)", pytrace=False)
    pytest.skip(f"end-to-end tests skipped: {reason} (CI installs it; see .ci/run)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable("Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright (pip install -e '.[test]')")
    driver = sync_playwright().start()
    launched = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()
    driver.stop()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        _unavailable("axe-core in node_modules (npm ci)")
    return AXE


@pytest.fixture
def port() -> int:
    return unused_port()


@pytest.fixture
def app(make_app: Callable[..., Flask], smtp_server: Server, port: int) -> Iterator[Flask]:  # noqa: F811
    if is_postgres():
        pytest.skip("end-to-end tests run once, on SQLite")
    application = make_app(
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_TIMEOUT=5,
    )
    with application.app_context():
        yield application


@dataclass
class Live:
    url: str
    smtp: Server

    def links_for(self, address: str) -> list[str]:
        """The personal links in the emails the SMTP server received for an address."""
        found = []
        for message in self.smtp.handler.messages():
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain",)).get_content()
                found.extend(re.findall(re.escape(self.url) + r"/s/[A-Za-z0-9_-]+", body))
        return found


@pytest.fixture
def live(app: Flask, port: int, smtp_server: Server) -> Iterator[Live]:  # noqa: F811
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{port}", smtp_server)
    server.shutdown()
    thread.join(timeout=10)
