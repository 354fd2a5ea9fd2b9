"""A real SMTP server on loopback (aiosmtpd) that records what it receives and counts its connections.

Handlers for the bad days: refusing recipients, answering too slowly, dropping the connection mid-batch.
Import the fixtures into a conftest: `from tests.mail.smtpserver import smtp_server, free_port  # noqa: F401`.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def unused_port() -> int:
    """A loopback port nothing listens on (bound and released at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    connection: int

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Recorder:
    """The default handler: accepts everything and keeps it."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: int = 0

    def connected(self) -> int:
        with self.lock:
            self.connections += 1
            return self.connections

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.connection_number
                )
            )
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


class RefusingRecorder(Recorder):
    """Refuses recipients permanently (5xx) or for now (4xx) by their local part."""

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("bounce"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SlowRecorder(Recorder):
    """Answers DATA only after `delay` seconds (longer than the client's timeout in the tests)."""

    delay = 8.0

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class DroppingRecorder(Recorder):
    """Drops the connection when the client starts the message after the first `accept` ones (once)."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept
        self.dropped = False

    async def handle_MAIL(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            drop = not self.dropped and len(self.received) >= self.accept
            if drop:
                self.dropped = True
        if drop:
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        envelope.mail_from = address
        return "250 OK"


class _CountingSMTP(SMTP):
    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.session.connection_number = self.event_handler.connected()


class CountingController(Controller):
    def factory(self) -> SMTP:
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class Server:
    controller: CountingController
    handler: Recorder
    port: int

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def start_server(handler: Recorder, **smtp_kwargs: Any) -> Server:
    port = unused_port()
    controller = CountingController(handler, hostname="127.0.0.1", port=port, **smtp_kwargs)
    controller.start()
    # Controller.start() opens one connection itself to check the server is up: not ours to count.
    with handler.lock:
        handler.connections = 0
    return Server(controller=controller, handler=handler, port=port)


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    server = start_server(Recorder())
    yield server
    server.controller.stop()


@pytest.fixture
def free_port() -> int:
    return unused_port()


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command), used as its own CA."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Authenticator:
    """Accepts exactly one user and password; remembers who logged in."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.logins: list[str] = []

    def __call__(self, server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if user == self.user and password == self.password:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
