"""Benchmark: delivering invitation emails through the outbox versus bare smtplib, in one run.

Each repetition creates a study with N client contacts in the interview phase and queues their invitations
through the real service (`send_invitations`). Then it sends the same N messages to a local aiosmtpd server
(its own process, the Sink handler) in two ways:

- outbox: `deliver_outbox()`, the production path: claim in batches, vet, send over one SMTP connection per
  batch, record each result with the invitation's `sent` step (committed by the recorder thread);
- bare: the same N messages, taken from the outbox rows beforehand, sent with plain smtplib over one
  connection, without any database work: the baseline.

The order of the two alternates between repetitions. Reported: per-run rates, medians, spread, the ratio of
the median rates and the per-run ratios (target: the outbox reaches at least 50% of the bare rate). Not a
test; not run in CI.

    .venv/bin/python bench/bench_outbox.py [--messages 1000] [--repeat 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select

from surveyapp.app import create_app
from surveyapp.enums import Language, Phase, Side
from surveyapp.extensions import db
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import OutboxMessage, OutboxStatus
from surveyapp.mail.settings import mail_settings
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import scope
from surveyapp.studies.models import Contact
from surveyapp.studies.services import create_study, create_supplier, default_questionnaires

ACCOUNTS = 50


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp_server(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd in its own process, as a real server is: it does not compete with the sender for the GIL."""
    command = [
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-c",
        "aiosmtpd.handlers.Sink",
        "-l",
        f"127.0.0.1:{port}",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"the SMTP server did not start on port {port}")


def make_study(number: int, messages: int) -> Any:
    supplier = create_supplier(session=db.session, name=f"Bench supplier {number}")
    study = create_study(
        session=db.session,
        supplier=supplier,
        slug=f"bench-{number}",
        name=f"Bench {number}",
        questionnaires=default_questionnaires(catalogue()),
    )
    accounts = [
        scope.add_account(
            session=db.session, study=study, name=f"Account {i}", annual_revenue=Decimal(1000), actor=None
        )
        for i in range(ACCOUNTS)
    ]
    db.session.add_all(
        Contact(
            supplier_id=supplier.id,
            side=Side.CLIENT,
            email=f"client{number}-{i}@bench.example",
            name=f"Client {i}",
            language=Language.NL if i % 2 else Language.EN,
            account_id=accounts[i % ACCOUNTS].account_id,
        )
        for i in range(messages)
    )
    study.phase = Phase.INTERVIEW  # straight to client fieldwork: this measures mail, not the phase guards
    db.session.commit()
    return study


def queue(study: Any, app: Flask) -> tuple[float, list[tuple[str, str, bytes]]]:
    """Queue the invitations; returns the time it took and the queued messages for the bare baseline."""
    started = time.perf_counter()
    report = send_invitations(session=db.session, study=study, mail=mail_settings(app.config))
    db.session.commit()
    queued = time.perf_counter() - started
    rows = db.session.execute(
        select(OutboxMessage.sender, OutboxMessage.recipient, OutboxMessage.raw)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
    ).all()
    assert len(rows) == report.emails, (len(rows), report.emails)
    return queued, [(sender, recipient, raw) for sender, recipient, raw in rows]


def run_outbox(expected: int) -> float:
    started = time.perf_counter()
    report = deliver_outbox()
    elapsed = time.perf_counter() - started
    assert report.sent == expected, report.line()
    return elapsed


def run_bare(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for sender, recipient, content in messages:
            smtp.sendmail(sender, [recipient], content)
    return time.perf_counter() - started


def describe(name: str, rates: list[float]) -> str:
    return (
        f"{name:<7} median {statistics.median(rates):7.1f} msg/s   "
        f"spread {min(rates):.1f}–{max(rates):.1f}   "
        f"runs {', '.join(f'{r:.1f}' for r in rates)}"
    )


def measure(
    app: Flask, port: int, messages: int, repeat: int
) -> tuple[list[float], list[float], list[float]]:
    outbox_rates: list[float] = []
    bare_rates: list[float] = []
    queue_rates: list[float] = []
    for number in range(repeat):
        study = make_study(number, messages)
        queued, bare = queue(study, app)
        queue_rates.append(messages / queued)
        order = ("outbox", "bare") if number % 2 == 0 else ("bare", "outbox")
        for path in order:
            if path == "outbox":
                outbox_rates.append(messages / run_outbox(messages))
            else:
                bare_rates.append(messages / run_bare(port, bare))
    return outbox_rates, bare_rates, queue_rates


def main() -> None:
    parser = argparse.ArgumentParser(description="Outbox delivery versus bare smtplib.")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary folder"
    )
    args = parser.parse_args()

    port = free_port()
    server = start_smtp_server(port)
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["SURVEYAPP_INSTANCE_PATH"] = folder
            url = args.database_url or f"sqlite:///{folder}/bench.db"
            app = create_app(
                {
                    "SECRET_KEY": "bench-" + "x" * 40,
                    "DATABASE_URL": url,
                    "BASE_URL": "https://surveys.example.org",
                    "MAIL_BACKEND": "smtp",
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": port,
                    "JOBS_MODE": "cron",
                    "MAIL_FROM": "Research <research@example.org>",
                }
            )
            with app.app_context():
                db.drop_all()
                db.create_all()
                try:
                    outbox_rates, bare_rates, queue_rates = measure(app, port, args.messages, args.repeat)
                finally:
                    db.drop_all()
                    db.engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=10)

    database = url.split(":", 1)[0]
    print(f"{args.messages} invitation emails x {args.repeat} runs, {database}, aiosmtpd (Sink) on loopback")
    print(describe("outbox", outbox_rates))
    print(describe("bare", bare_rates))
    print(describe("queue", queue_rates) + "   (render + tokens + outbox rows; not in the ratio)")
    ratio = statistics.median(outbox_rates) / statistics.median(bare_rates)
    paired = [o / b for o, b in zip(outbox_rates, bare_rates, strict=True)]
    print(f"ratio outbox/bare of the medians: {ratio:.2f}   (target >= 0.50)")
    print(
        f"ratio per run: median {statistics.median(paired):.2f}, spread {min(paired):.2f}–{max(paired):.2f}"
    )


if __name__ == "__main__":
    main()
