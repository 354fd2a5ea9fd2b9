"""The sender against a real SMTP server: batches over one connection, retries, failures, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.extensions import db as _db
from surveyapp.mail.backends import SmtpBackend
from surveyapp.mail.headers import Sender
from surveyapp.mail.models import MailKind, OutboxMessage, OutboxStatus
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.sender import MAX_ATTEMPTS, NoHooks, claim, deliver_due
from tests.mail.smtpserver import DroppingRecorder, RefusingRecorder, SlowRecorder, start_server

SENDER = Sender(address="research@example.org", name="Research")


def queue(db: Any, n: int, *, to: str = "person{}@example.org", sensitive: bool = False) -> list[int]:
    ids = []
    for i in range(n):
        message = queue_message(
            session=db.session,
            kind=MailKind.NOTIFICATION,
            dedupe_key=f"test-message:{i}",
            recipient=to.format(i),
            sender=SENDER,
            draft=Draft(
                subject=f"Message {i}", text_body=f"Body {i} secret-link-{i}", html_body=f"<p>Body {i}</p>"
            ),
            sensitive=sensitive,
        )
        ids.append(message.id)
    db.session.commit()
    return ids


def backend(port: int, timeout: float = 5.0) -> SmtpBackend:
    return SmtpBackend(host="127.0.0.1", port=port, timeout=timeout)


def statuses(db: Any) -> list[str]:
    db.session.expire_all()
    return [m.status.value for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_deliver_sends_a_batch_of_many_over_one_connection(db, smtp_server):
    queue(db, 60)

    report = deliver_due(session=db.session, backend=backend(smtp_server.port), batch_size=100)

    assert (report.sent, report.retrying, report.failed, report.connections) == (60, 0, 0, 1)
    assert smtp_server.handler.connections == 1
    assert sorted(str(m["Subject"]) for m in smtp_server.handler.messages()) == sorted(
        f"Message {i}" for i in range(60)
    )
    assert statuses(db) == ["sent"] * 60


def test_deliver_uses_one_connection_per_batch(db, smtp_server):
    queue(db, 25)

    report = deliver_due(session=db.session, backend=backend(smtp_server.port), batch_size=10)

    assert (report.sent, report.connections) == (25, 3)
    assert smtp_server.handler.connections == 3


def test_deliver_twice_sends_nothing_twice(db, smtp_server):
    queue(db, 5)

    first = deliver_due(session=db.session, backend=backend(smtp_server.port))
    second = deliver_due(session=db.session, backend=backend(smtp_server.port))

    assert (first.sent, second.sent, second.connections) == (5, 0, 0)
    assert len(smtp_server.received) == 5


def test_server_down_keeps_messages_pending_and_a_later_run_sends_them_once(db, smtp_server, free_port):
    queue(db, 3)
    now = utcnow()

    down = deliver_due(session=db.session, backend=backend(free_port), now=now)
    db.session.expire_all()
    waiting = [
        (m.status.value, m.next_attempt_at, m.attempts, m.last_error, m.message_id)
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    too_early = deliver_due(
        session=db.session, backend=backend(smtp_server.port), now=now + timedelta(seconds=30)
    )
    up = deliver_due(session=db.session, backend=backend(smtp_server.port), now=now + timedelta(minutes=2))

    assert (down.sent, down.retrying, down.failed) == (0, 3, 0)
    assert down.errors[0].startswith(f"cannot reach SMTP server 127.0.0.1:{free_port}: ")
    assert [w[:3] for w in waiting] == [("pending", now + timedelta(minutes=1), 0)] * 3
    assert [w[3] for w in waiting] == [down.errors[0]] * 3
    assert too_early.sent == 0
    assert up.sent == 3
    assert sorted(smtp_server.handler.message_ids()) == sorted(w[4] for w in waiting)
    assert statuses(db) == ["sent"] * 3


def test_permanent_refusal_is_recorded_and_not_retried(db):
    server = start_server(RefusingRecorder())
    try:
        queue(db, 1, to="bounce{}@example.org")
        queue_message(
            session=db.session,
            kind=MailKind.NOTIFICATION,
            dedupe_key="ok",
            recipient="fine@example.org",
            sender=SENDER,
            draft=Draft(subject="Fine", text_body="Fine"),
        )
        db.session.commit()

        report = deliver_due(session=db.session, backend=backend(server.port))
        again = deliver_due(
            session=db.session, backend=backend(server.port), now=utcnow() + timedelta(days=1)
        )
    finally:
        server.controller.stop()

    bounced = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "bounce0@example.org"))
    assert (report.sent, report.failed, report.connections) == (1, 1, 1)
    assert again.sent + again.failed == 0
    assert bounced.status == OutboxStatus.FAILED
    assert bounced.last_error == "recipient refused: 550 5.1.1 No such user here"
    assert [r.rcpt_tos for r in server.received] == [["fine@example.org"]]


def test_temporary_refusal_backs_off_then_gives_up(db):
    server = start_server(RefusingRecorder())
    queue(db, 1, to="busy{}@example.org")
    now = utcnow()
    waits = []
    try:
        for _attempt in range(MAX_ATTEMPTS):
            deliver_due(session=db.session, backend=backend(server.port), now=now)
            db.session.expire_all()
            message = db.session.scalar(select(OutboxMessage))
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    finally:
        server.controller.stop()

    assert waits[:4] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=60),
    ]
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 5
    assert (
        message.last_error
        == "gave up after 5 attempts: recipient refused: 451 4.3.0 Mailbox busy, try again later"
    )


def test_timeout_is_a_temporary_failure(db):
    server = start_server(SlowRecorder())
    try:
        queue(db, 1)
        report = deliver_due(session=db.session, backend=backend(server.port, timeout=2.0))
    finally:
        server.controller.stop()

    message = db.session.scalar(select(OutboxMessage))
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "connection lost: Connection unexpectedly closed: timed out"


def test_dropped_connection_mid_batch_loses_nothing_and_sends_nothing_twice(db):
    server = start_server(DroppingRecorder(accept=4))
    try:
        queue(db, 10)
        now = utcnow()
        first = deliver_due(session=db.session, backend=backend(server.port), now=now)
        later = deliver_due(session=db.session, backend=backend(server.port), now=now + timedelta(minutes=2))
    finally:
        server.controller.stop()

    ids = server.handler.message_ids()
    assert (first.sent, first.retrying, first.connections) == (9, 1, 2)
    assert later.sent == 1
    assert len(ids) == 10
    assert len(set(ids)) == 10
    assert statuses(db) == ["sent"] * 10


def test_two_senders_at_once_never_send_a_message_twice(app, db, smtp_server):
    queue(db, 80)
    reports = []

    def sender() -> None:
        with app.app_context():
            reports.append(deliver_due(session=_db.session, backend=backend(smtp_server.port), batch_size=7))
            _db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = smtp_server.handler.message_ids()
    assert sum(r.sent for r in reports) == 80
    assert len(ids) == 80
    assert len(set(ids)) == 80
    assert statuses(db) == ["sent"] * 80


def test_a_dead_senders_claim_expires_and_the_message_is_sent_once(db, smtp_server):
    queue(db, 2)
    now = utcnow()
    _token, claimed = claim(session=db.session, now=now, limit=10, claim_seconds=300)

    while_claimed = deliver_due(
        session=db.session, backend=backend(smtp_server.port), now=now + timedelta(minutes=4)
    )
    after_expiry = deliver_due(
        session=db.session, backend=backend(smtp_server.port), now=now + timedelta(minutes=6)
    )

    assert len(claimed) == 2
    assert while_claimed.sent == 0
    assert after_expiry.sent == 2
    assert len(smtp_server.received) == 2


def test_sensitive_bodies_are_blanked_once_sent(db, smtp_server):
    queue(db, 1, sensitive=True)

    deliver_due(session=db.session, backend=backend(smtp_server.port))

    message = db.session.scalar(select(OutboxMessage))
    received = smtp_server.handler.messages()[0]
    assert "secret-link-0" in received.get_body(preferencelist=("plain",)).get_content()
    assert (message.text_body, message.html_body, message.raw, message.subject, message.recipient) == (
        "",
        None,
        b"",
        "Message 0",
        "person0@example.org",
    )


def test_ordinary_bodies_are_kept_once_sent(db, smtp_server):
    queue(db, 1)

    deliver_due(session=db.session, backend=backend(smtp_server.port))

    assert db.session.scalar(select(OutboxMessage.text_body)) == "Body 0 secret-link-0"


class BrokenHooks(NoHooks):
    """A domain whose bookkeeping fails after the server accepted the message."""

    def delivered(self, connection, message_ids, now):
        raise RuntimeError("the domain's table is gone")


def test_a_failing_domain_hook_still_records_the_message_as_sent(db, smtp_server, caplog):
    queue(db, 2)

    first = deliver_due(session=db.session, backend=backend(smtp_server.port), hooks=BrokenHooks())
    second = deliver_due(session=db.session, backend=backend(smtp_server.port), hooks=BrokenHooks())

    logged = [r.getMessage() for r in caplog.records]
    assert (first.sent, second.sent) == (2, 0)
    assert len(smtp_server.received) == 2
    assert statuses(db) == ["sent", "sent"]
    assert logged in (
        [
            "outbox messages [1]: recording the delivery in their domain failed",
            "outbox messages [2]: recording the delivery in their domain failed",
        ],
        ["outbox messages [1, 2]: recording the delivery in their domain failed"],
    )
