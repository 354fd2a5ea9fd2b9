"""Fault: the SMTP server is down, too slow, or drops the connection after DATA, then comes back.

Invitations queued for a study stay in the outbox through every bad run and, once a working server is
there, each recipient gets exactly one message (the servers are aiosmtpd on loopback; the sender's own
behaviour per fault is covered in tests/mail/test_sender.py: this follows one study's invitations through
all of them in turn).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.invitations.delivery import InvitationDeliveryHooks
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.sending import send_invitations
from surveyapp.mail.backends import SmtpBackend
from surveyapp.mail.models import OutboxMessage
from surveyapp.mail.sender import deliver_due
from surveyapp.mail.settings import mail_settings
from tests.mail.smtpserver import Recorder, start_server, unused_port

CLIENT_TIMEOUT = 0.5


class StallingServer(Recorder):
    """Answers MAIL FROM only long after the client's timeout: the client gives up before any DATA."""

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(CLIENT_TIMEOUT * 4)
        envelope.mail_from = address
        return "250 OK"


class DroppingAfterData(Recorder):
    """Reads each message's DATA, then drops the connection without answering (nothing is accepted)."""

    drops = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.drops += 1
        server.transport.close()
        return "421 4.3.2 Shutting down"


def deliver(db: Any, port: int, now: Any) -> Any:
    report = deliver_due(
        session=db.session,
        backend=SmtpBackend(host="127.0.0.1", port=port, timeout=CLIENT_TIMEOUT),
        hooks=InvitationDeliveryHooks(),
        now=now,
        send_timeout=CLIENT_TIMEOUT,
    )
    db.session.commit()
    return report


def test_invitations_survive_a_down_slow_and_dropping_server_and_are_each_sent_once(app, db, fit_study):
    # Arrange: the study's invitations are queued.
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail_settings(app.config))
    db.session.commit()
    recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)))
    stalling, dropping, working = (
        start_server(StallingServer()),
        start_server(DroppingAfterData()),
        start_server(Recorder()),
    )
    start = utcnow()

    # Act: down, then slow, then dropping after DATA, then a working server; each run after the backoff.
    try:
        reports = [
            deliver(db, port, start + timedelta(hours=hours))
            for hours, port in ((0, unused_port()), (2, stalling.port), (4, dropping.port), (6, working.port))
        ]
        again = deliver(db, working.port, start + timedelta(hours=8))
    finally:
        for server in (stalling, dropping, working):
            server.controller.stop()

    # Assert
    received = sorted(address for got in working.received for address in got.rcpt_tos)
    db.session.expire_all()
    assert len(recipients) == 3
    assert [report.sent for report in reports] == [0, 0, 0, 3]
    assert (stalling.received, dropping.received) == ([], [])
    assert (stalling.handler.connections >= 1, dropping.handler.drops >= 1) == (True, True)
    assert received == recipients
    assert len({got.message["Message-ID"] for got in working.received}) == 3
    assert again.sent == 0
    assert sorted(m.status.value for m in db.session.scalars(select(OutboxMessage))) == ["sent"] * 3
    assert {i.status.value for i in db.session.scalars(select(Invitation))} == {"sent"}
