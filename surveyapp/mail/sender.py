"""Delivering the outbox: claim due messages atomically, send a batch over one connection, record each result.

Guarantees:

- Two senders never claim the same message (see `claims.claim`); on PostgreSQL they take different batches.
- Results are committed right after the server answered, by a recorder thread while the next message goes
  out (see `results`): alone, or with the few that arrived within the same couple of milliseconds. A crash
  repeats at most the messages whose result was not committed yet (at most `Recorder.HANDOFF`, usually one
  or two); they keep their Message-ID and Date, so a repeat is recognisable.
- A sender that dies leaves its claim behind; it expires after `claim_seconds` and the messages are claimed
  again.
- Temporary failures (4xx, timeouts, dropped connections) are retried with backoff; permanent ones (5xx,
  invalid recipients) and messages that keep failing are marked failed and reported to the hooks.
- When the server cannot be reached at all, nothing counts as an attempt: the batch is put back with a short
  backoff, and nothing is ever given up because of an outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from surveyapp.db import utcnow
from surveyapp.mail.backends import Backend, ConnectError, DeliveryError
from surveyapp.mail.backends import Connection as MailConnection
from surveyapp.mail.claims import ClaimedMessage, claim
from surveyapp.mail.results import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    DeliveryHooks,
    DeliveryReport,
    NoHooks,
    Recorder,
    Results,
    retry_delay,
)

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "ClaimedMessage",
    "DeliveryHooks",
    "DeliveryReport",
    "NoHooks",
    "claim",
    "deliver_due",
    "retry_delay",
]


class RecordingError(RuntimeError):
    """Results could not be written to the database; sending stopped."""


def _send_all(record: Recorder, backend: Backend, messages: list[ClaimedMessage], budget_ends: float) -> bool:
    """Send over one connection (a new one only after a dropped connection).

    Returns False when the server is unreachable, so that no further batch is tried in this run.
    """
    report = record.results.report
    try:
        connection: MailConnection = backend.open()
    except ConnectError as exc:
        for message in messages:
            record("put_back", message, exc.reason, delay=RETRY_DELAYS[0])
        report.errors.append(exc.reason)
        return False
    report.connections += 1
    try:
        for index, message in enumerate(messages):
            if record.error is not None:
                return False
            if index and time.monotonic() > budget_ends:
                for rest in messages[index:]:
                    record("put_back", rest, None, delay=timedelta(0))
                return True
            try:
                connection.send(message, message.content)
            except DeliveryError as exc:
                record("failed" if exc.permanent else "retry", message, exc.reason)
                if exc.connection_lost:
                    connection.close()
                    try:
                        connection = backend.open()
                    except ConnectError as again:
                        for rest in messages[index + 1 :]:
                            record("put_back", rest, again.reason, delay=RETRY_DELAYS[0])
                        report.errors.append(again.reason)
                        return False
                    report.connections += 1
                continue
            record("sent", message)
    finally:
        connection.close()
    return True


def deliver_due(
    *,
    session: Session,
    backend: Backend,
    hooks: DeliveryHooks | None = None,
    now: datetime | None = None,
    batch_size: int = 100,
    claim_seconds: int = 300,
    send_timeout: float = 30.0,
) -> DeliveryReport:
    """Deliver every message that is due, batch by batch, until none is left or the server is unreachable.

    `now` fixes the clock (tests); without it each result is stamped with the current time. Raises
    RecordingError when results cannot be written (the messages concerned are sent again by a later run).
    """
    hooks = hooks or NoHooks()
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DeliveryReport()
    while True:
        started = time.monotonic()
        token, claimed = claim(session=session, now=clock(), limit=batch_size, claim_seconds=claim_seconds)
        if not claimed:
            return report
        vetoed = hooks.vet(session, claimed, clock())
        # The sender's own session holds no transaction while the recorder writes (SQLite has one writer).
        session.commit()
        record = Recorder(Results(Session(bind=session.get_bind()), token, hooks, clock, report))
        reachable = True
        try:
            sendable = []
            for message in claimed:
                if message.id in vetoed:
                    record("cancel", message, vetoed[message.id])
                elif not message.content:
                    record("failed", message, "the message has no content")
                else:
                    sendable.append(message)
            # Stop taking new messages while enough of the claim is left for one more send to time out.
            budget_ends = started + claim_seconds - 2 * send_timeout - 5
            if sendable:
                reachable = _send_all(record, backend, sendable, budget_ends)
        finally:
            record.close()
        if record.error is not None:
            raise RecordingError(f"outbox results could not be recorded: {record.error}") from record.error
        if not reachable:
            return report
