"""Recording what happened to each claimed message, and telling the domain that queued it.

Results are recorded by a second thread on its own database session while the sender already sends the next
message. Delivered emails whose results arrive within a couple of milliseconds of each other share one
transaction (at most `Recorder.HANDOFF` of them); so the number of accepted-but-unrecorded messages, the ones
a crash would repeat, stays small and bounded.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, case, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from surveyapp.mail.claims import ClaimedMessage
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.outbox import blanked_body

log = logging.getLogger(__name__)

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 15, 60 minutes, then 60."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


class DeliveryHooks(Protocol):
    """What the domain that queued a message wants to know (invitations record sent and failed steps)."""

    def vet(self, session: Session, messages: list[ClaimedMessage], now: datetime) -> dict[int, str]:
        """Just before sending: the ids of messages that must not go out any more, with the reason."""
        ...

    def delivered(self, connection: Connection, message_ids: list[int], now: datetime) -> None:
        """The emails were accepted; runs in the transaction that marks them sent (plain SQL: hot path)."""
        ...

    def failed(self, session: Session, message_id: int, reason: str, now: datetime) -> None:
        """The email will never be delivered (a permanent refusal, or too many temporary ones)."""
        ...


class NoHooks:
    def vet(self, session: Session, messages: list[ClaimedMessage], now: datetime) -> dict[int, str]:
        return {}

    def delivered(self, connection: Connection, message_ids: list[int], now: datetime) -> None:
        return None

    def failed(self, session: Session, message_id: int, reason: str, now: datetime) -> None:
        return None


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    connections: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"outbox: {self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
            f"{self.cancelled} cancelled"
        )
        return text + "".join(f"\n  error: {error}" for error in self.errors)


_outbox = OutboxMessage.__table__
# Prepared once (the id list expands per call): marking delivered emails sent is the sender's hot path. Bodies
# of sensitive messages are blanked in the same statement.
_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id.in_(bindparam("ids", expanding=True)), _outbox.c.claim_token == bindparam("token"))
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("now"),
        last_error=None,
        claim_token=None,
        claimed_until=None,
        text_body=case((_outbox.c.sensitive, ""), else_=_outbox.c.text_body),
        html_body=case((_outbox.c.sensitive, None), else_=_outbox.c.html_body),
        raw=case((_outbox.c.sensitive, b""), else_=_outbox.c.raw),
    )
)


class Results:
    """Records the results of one claimed batch; every method commits what it records.

    An update only applies while the batch still holds its claim (`claim_token`): when the claim expired and
    another sender took a message over, the result is theirs to record.
    """

    def __init__(
        self,
        session: Session,
        token: str,
        hooks: DeliveryHooks,
        clock: Callable[[], datetime],
        report: DeliveryReport,
    ) -> None:
        self.session = session
        self.token = token
        self.hooks = hooks
        self.clock = clock
        self.report = report

    def _update(self, message: ClaimedMessage, hook: Callable[[], None] | None, **values: object) -> bool:
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == self.token)
            .values(claim_token=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        if not self.session.execute(statement).rowcount:  # type: ignore[attr-defined]
            log.warning("outbox message %s: claim lost before its result was recorded", message.id)
            self.session.rollback()
            return False
        if hook is not None:
            try:
                hook()
            except Exception:
                # The message's own state is recorded even when the follow-up fails, or it would go again.
                log.exception("outbox message %s: recording the result in its domain failed", message.id)
                self.session.rollback()
                self.session.execute(statement)
        self.session.commit()
        return True

    def sent(self, messages: list[ClaimedMessage]) -> None:
        """The hot path: delivered emails recorded together, in one transaction of a few set-based statements.

        Usually one email; more when results arrived in quick succession.
        """
        now = self.clock()
        ids = [m.id for m in messages]
        parameters = {"ids": ids, "token": self.token, "now": now}
        connection = self.session.connection()
        if connection.execute(_MARK_SENT, parameters).rowcount != len(ids):
            # A claim expired under us (rare): record one by one, so that each keeps or loses its own result.
            self.session.rollback()
            if len(messages) > 1:
                for message in messages:
                    self.sent([message])
            else:
                log.warning("outbox message %s: claim lost before its result was recorded", ids[0])
            return
        try:
            self.hooks.delivered(connection, ids, now)
        except Exception:
            log.exception("outbox messages %s: recording the delivery in their domain failed", ids)
            self.session.rollback()
            self.session.connection().execute(_MARK_SENT, parameters)
        self.session.commit()
        self.report.sent += len(messages)

    def failed(self, message: ClaimedMessage, reason: str) -> None:
        now = self.clock()
        values: dict[str, object] = {"status": OutboxStatus.FAILED, "last_error": reason}
        if message.sensitive:
            values.update(blanked_body())
        if self._update(message, lambda: self.hooks.failed(self.session, message.id, reason, now), **values):
            self.report.failed += 1

    def retry(self, message: ClaimedMessage, reason: str) -> None:
        """A temporary failure of this message: back off, or give up after MAX_ATTEMPTS."""
        if message.attempts >= MAX_ATTEMPTS:
            self.failed(message, f"gave up after {message.attempts} attempts: {reason}")
            return
        retry_at = self.clock() + retry_delay(message.attempts)
        if self._update(
            message, None, status=OutboxStatus.PENDING, next_attempt_at=retry_at, last_error=reason
        ):
            self.report.retrying += 1

    def put_back(self, message: ClaimedMessage, reason: str | None, *, delay: timedelta) -> None:
        """Not attempted (server unreachable, or the claim is running out): no attempt is counted."""
        values: dict[str, object] = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": self.clock() + delay,
            "attempts": OutboxMessage.attempts - 1,
        }
        if reason is not None:
            values["last_error"] = reason
        if self._update(message, None, **values) and reason is not None:
            self.report.retrying += 1

    def cancel(self, message: ClaimedMessage, reason: str) -> None:
        values: dict[str, object] = {"status": OutboxStatus.CANCELLED, "last_error": reason}
        if message.sensitive:
            values.update(blanked_body())
        if self._update(message, None, **values):
            self.report.cancelled += 1


class Recorder:
    """Runs a batch's `Results` in a second thread, in the order the results were handed over.

    Delivered emails whose results arrive within LINGER of each other, or that queued up while the database
    was busy, are recorded in one transaction (at most HANDOFF of them, which also bounds how many accepted
    emails can be waiting to be recorded). If recording fails (the database went away), `error` is set, later
    results are dropped and the sender must stop: the messages it still holds keep their claim, which
    expires, and a later run sends them.
    """

    HANDOFF = 8
    LINGER = 0.002

    def __init__(self, results: Results) -> None:
        self.results = results
        self.error: BaseException | None = None
        self._handoff: queue.Queue[tuple[str, tuple[Any, ...], dict[str, Any]] | None] = queue.Queue(
            maxsize=self.HANDOFF
        )
        self._thread = threading.Thread(target=self._run, name="outbox-recorder", daemon=True)
        self._thread.start()

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> None:
        self._handoff.put((method, args, kwargs))

    def _take(self) -> tuple[list[tuple[str, tuple[Any, ...], dict[str, Any]]], bool]:
        """The next result, plus those waiting right behind it; and whether the sender has finished."""
        first = self._handoff.get()
        if first is None:
            return [], True
        taken = [first]
        # Results arriving within LINGER of the first share its transaction; more only when they queued up
        # because the database is slower than the mail server.
        lingers_until = time.monotonic() + self.LINGER
        while len(taken) < self.HANDOFF:
            try:
                item = self._handoff.get(timeout=max(0.0, lingers_until - time.monotonic()))
            except queue.Empty:
                return taken, False
            if item is None:
                return taken, True
            taken.append(item)
        return taken, False

    def _apply(self, items: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
        delivered: list[ClaimedMessage] = []
        for method, args, kwargs in items:
            if method == "sent":
                delivered.append(args[0])
                continue
            if delivered:
                self.results.sent(delivered)
                delivered = []
            getattr(self.results, method)(*args, **kwargs)
        if delivered:
            self.results.sent(delivered)

    def _run(self) -> None:
        finished = False
        while not finished:
            items, finished = self._take()
            if self.error is not None or not items:
                continue
            try:
                self._apply(items)
            except Exception as exc:
                log.exception("recording outbox results failed; the sender stops")
                self.error = exc
                self.results.session.rollback()

    def close(self) -> None:
        """Wait until every result handed over is recorded, then release the session."""
        self._handoff.put(None)
        self._thread.join()
        self.results.session.close()
