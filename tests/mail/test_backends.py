"""Backends: .eml files for development, SMTP with STARTTLS or implicit TLS and login, unreachable servers."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.mail.backends import ConnectError, FileBackend, SmtpBackend, backend_from_config
from surveyapp.mail.headers import Sender
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.sender import deliver_due
from tests.mail.smtpserver import Authenticator, Recorder, server_tls_context, start_server


def queue(db, n: int = 1) -> None:
    for i in range(n):
        queue_message(
            session=db.session,
            kind=MailKind.NOTIFICATION,
            dedupe_key=f"k{i}",
            recipient=f"p{i}@example.org",
            sender=Sender("research@example.org", "Research"),
            draft=Draft(subject=f"Hello {i}", text_body="Body"),
        )
    db.session.commit()


def test_file_backend_writes_one_eml_file_per_message(db, tmp_path):
    queue(db, 2)

    report = deliver_due(session=db.session, backend=FileBackend(tmp_path / "outbox"))

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert report.sent == 2
    assert [f.name[-24:] for f in files] == ["-000001-notification.eml", "-000002-notification.eml"]
    assert [str(m["Subject"]) for m in parsed] == ["Hello 0", "Hello 1"]
    assert list((tmp_path / "outbox").glob(".writing-*")) == []


def test_file_backend_writes_the_same_file_again_on_a_retry(db, tmp_path):
    queue(db, 1)
    message = db.session.scalar(select(OutboxMessage))
    backend = FileBackend(tmp_path)
    connection = backend.open()

    connection.send(message, message.raw)
    connection.send(message, message.raw)

    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_file_backend_that_cannot_write_keeps_the_messages(db, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    queue(db, 1)

    report = deliver_due(session=db.session, backend=FileBackend(blocker / "outbox"))

    assert (report.sent, report.retrying) == (0, 1)
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.PENDING


def test_default_backend_of_the_app_is_the_file_backend(make_app, tmp_path):
    app = make_app()

    assert backend_from_config(app.config) == FileBackend(Path(app.config["MAIL_OUTBOX_DIR"]))


def test_starttls_with_login(db, tls_certificate):
    cert, key = tls_certificate
    auth = Authenticator("mailer", "s3cret")
    server = start_server(
        Recorder(),
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        authenticator=auth,
        auth_required=True,
    )
    queue(db, 2)
    try:
        report = deliver_due(
            session=db.session,
            backend=SmtpBackend(
                host="127.0.0.1",
                port=server.port,
                security="starttls",
                user="mailer",
                password="s3cret",
                ca_file=str(cert),
                timeout=5,
            ),
        )
    finally:
        server.controller.stop()

    assert (report.sent, report.connections) == (2, 1)
    assert auth.logins == ["mailer"]
    assert len(server.received) == 2


def test_wrong_login_keeps_the_messages_pending(db, tls_certificate):
    cert, key = tls_certificate
    server = start_server(
        Recorder(),
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        authenticator=Authenticator("mailer", "s3cret"),
        auth_required=True,
    )
    queue(db, 1)
    try:
        report = deliver_due(
            session=db.session,
            backend=SmtpBackend(
                host="127.0.0.1",
                port=server.port,
                security="starttls",
                user="mailer",
                password="wrong",
                ca_file=str(cert),
                timeout=5,
            ),
        )
    finally:
        server.controller.stop()

    assert (report.sent, report.failed, report.retrying) == (0, 0, 1)
    assert report.errors == ["SMTP login refused: 535 5.7.8 Authentication credentials invalid"]
    assert db.session.scalar(select(OutboxMessage.attempts)) == 0


def test_implicit_tls(db, tls_certificate):
    cert, key = tls_certificate
    server = start_server(Recorder(), ssl_context=server_tls_context(cert, key))
    queue(db, 1)
    try:
        report = deliver_due(
            session=db.session,
            backend=SmtpBackend(
                host="127.0.0.1",
                port=server.port,
                security="ssl",
                ca_file=str(cert),
                timeout=5,
            ),
        )
    finally:
        server.controller.stop()

    assert report.sent == 1


def test_a_certificate_that_cannot_be_verified_is_refused(db, tls_certificate):
    cert, key = tls_certificate
    server = start_server(Recorder(), tls_context=server_tls_context(cert, key), require_starttls=True)
    try:
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpBackend(host="127.0.0.1", port=server.port, security="starttls", timeout=5).open()
    finally:
        server.controller.stop()
    assert server.received == []


def test_unreachable_server_is_a_connect_error(free_port):
    with pytest.raises(ConnectError) as error:
        SmtpBackend(host="127.0.0.1", port=free_port, timeout=2).open()

    assert error.value.reason.startswith(f"cannot reach SMTP server 127.0.0.1:{free_port}: ")
