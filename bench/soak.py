"""Soak: 2 gunicorn app servers + 2 RQ workers on PostgreSQL and Redis, 1,000 respondents completing a survey
over HTTP while reports render, and one worker killed (SIGKILL) half-way.

What it checks at the end (exit status 1 when any fails): every respondent's response is submitted exactly
once (no lost, no duplicated responses or answers), no response had a 5xx status, every requested report is
ready and stored once, no job is left failed or waiting. It prints the request latencies (p50, p99) and
writes everything to bench/results/soak-<time>.json. Not a test; not run in CI (it takes minutes).

    .venv/bin/python bench/soak.py [--respondents 1000] [--threads 16] [--timeout 900]
                                   [--postgres URL] [--redis URL]

The PostgreSQL database (default `surveyapp_soak` on 127.0.0.1:5432) is created when missing and its tables are
dropped and recreated; the Redis database (default 12) is flushed: never point them at data you need.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

SECRET = "soak-" + "s" * 48
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_soak"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_LINK = re.compile(r'class="button r-start" href="([^"]+)"')
ACCOUNTS = 100
REPORT_EVERY = 10.0  # seconds between two report requests while respondents answer


def environment(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("SURVEYAPP_")},
        "SURVEYAPP_ENV": "development",  # plain-HTTP cookies on 127.0.0.1, and the demo data
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": database_url,
        "SURVEYAPP_REDIS_URL": redis_url,
        "SURVEYAPP_INSTANCE_PATH": str(instance),
        "SURVEYAPP_MAIL_BACKEND": "file",
        "SURVEYAPP_BASE_URL": "http://127.0.0.1",
        # Many respondents share one address here: the per-IP limits are for the internet, not this test.
        "SURVEYAPP_RATELIMIT_LINK_PER_IP": "100000 per minute",
        "SURVEYAPP_RATELIMIT_ENABLED": "false",
    }


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str], respondents: int) -> dict[str, Any]:
    """Empty schema, the demo (its studies have the answers reports need), and the soak study: `respondents`
    client contacts over 100 accounts, each with a sent invitation and a personal link."""
    os.environ.update(env)
    from surveyapp.app import create_app
    from surveyapp.demo import load_demo
    from surveyapp.enums import InvitationStatus, Language, Perspective, Purpose, Side
    from surveyapp.extensions import db
    from surveyapp.invitations.models import Invitation, InvitationToken
    from surveyapp.invitations.tokens import new_token, token_hash
    from surveyapp.questionnaires.runtime import catalogue
    from surveyapp.studies import scope
    from surveyapp.studies.services import create_study, create_supplier, default_questionnaires

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo(session=db.session, config=app.config, catalogue=catalogue())
        db.session.commit()
        supplier = create_supplier(session=db.session, name="Soak Supplier")
        study = create_study(
            session=db.session,
            supplier=supplier,
            slug="soak",
            name="Soak",
            questionnaires=default_questionnaires(catalogue()),
        )
        survey = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
        accounts = [
            scope.add_account(session=db.session, study=study, name=f"Account {n}", actor=None)
            for n in range(ACCOUNTS)
        ]
        tokens = []
        for number in range(respondents):
            account = accounts[number % ACCOUNTS]
            contact = scope.add_contact(
                session=db.session,
                study=study,
                side=Side.CLIENT,
                email=f"r{number}@soak.example",
                language=Language.EN,
                account_id=account.account_id,
                actor=None,
            )
            invitation = Invitation(
                study_id=study.id,
                contact_id=contact.id,
                account_id=account.account_id,
                study_questionnaire_id=survey.id,
                status=InvitationStatus.SENT,
            )
            db.session.add(invitation)
            db.session.flush()
            token = new_token()
            db.session.add(InvitationToken(invitation_id=invitation.id, token_hash=token_hash(token)))
            tokens.append(token)
        db.session.commit()
        study_id = study.id
        db.engine.dispose()
    return {"app": app, "study_id": study_id, "tokens": tokens}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [str(BIN / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["-c", str(ROOT / "gunicorn.conf.py")]
    command += [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
    ]
    command += ["--log-level", "warning", "surveyapp.app:create_app()"]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603
            [str(BIN / "surveyapp"), "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the scheduler and work horse it forks end with it
        )


class Recorder:
    """Latency and status of every request, from all respondent threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.completed = 0

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def respondent(base: str, token: str, answers: Any, recorder: Recorder) -> None:
    """One respondent: the personal link, the start page, every page answered, the review, submit."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )

    def call(path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(base + path, data=data)  # noqa: S310  (http://127.0.0.1 only)
        started = time.monotonic()
        try:
            with opener.open(request, timeout=120) as response:
                status, body, location = response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode("utf-8", "replace")
            location = error.headers.get("Location", "")
        recorder.add(status, time.monotonic() - started)
        if status >= 500:
            raise RuntimeError(f"{status} on {path}")
        return status, body, urllib.parse.urlsplit(location).path if location else ""

    status, _, location = call(f"/s/{token}")
    status, body, _ = call(location)
    path = urllib.parse.unquote(START_LINK.search(body).group(1))  # type: ignore[union-attr]
    for _step in range(40):
        if path.endswith("/review"):
            _, body, _ = call(path)
            status, _, location = call(
                path.rsplit("/", 1)[0] + "/submit", [("csrf_token", CSRF.search(body).group(1))]
            )  # type: ignore[union-attr]
            if location.endswith("/done"):
                with recorder.lock:
                    recorder.completed += 1
                return
            path = location
            continue
        _, body, _ = call(path)
        section = path.rsplit("/", 1)[1]
        token_value = CSRF.search(body).group(1)  # type: ignore[union-attr]
        status, body, location = call(
            path, [*answers[section], ("csrf_token", token_value), ("action", "next")]
        )
        if status == 422:
            raise RuntimeError(f"page {section} refused the answers")
        path = location
    raise RuntimeError("the survey did not end within 40 steps")


def section_answers(app: Any) -> dict[str, list[tuple[str, str]]]:
    """Every question of every page answered, as a browser posts it (the same answers as bench_submit.py)."""
    from bench_submit import answers_for

    from surveyapp.questionnaires.runtime import catalogue

    with app.app_context():
        questionnaire = catalogue().questionnaires["fit-client"]
        return {section.key: answers_for(section) for section in questionnaire.sections}


def request_reports(app: Any, stop: threading.Event, made: list[int], most: int) -> None:
    """While respondents answer: every few seconds (at most `most` in all) a report of a demo study, handed to
    the `reports` queue."""
    from sqlalchemy import select

    from surveyapp.enums import Language
    from surveyapp.extensions import db
    from surveyapp.jobs.render import submit_render
    from surveyapp.reporting.models import ReportKind
    from surveyapp.reporting.services import ReportError, request_report
    from surveyapp.studies.models import Study

    with app.app_context():
        studies = list(db.session.scalars(select(Study).where(Study.slug != "soak").order_by(Study.id)))
        number = 0
        while len(made) < most and not stop.wait(REPORT_EVERY):
            study = studies[number % len(studies)]
            number += 1
            try:
                report = request_report(
                    session=db.session,
                    study=study,
                    kind=ReportKind.PORTFOLIO,
                    account=None,
                    language=Language.EN,
                    actor_label="soak",
                )
            except ReportError:
                db.session.rollback()
                continue
            report_id = report.id
            db.session.commit()
            submit_render(report_id)
            made.append(report_id)
        db.session.remove()


def wait_for_queues(redis_url: str, seconds: float) -> bool:
    from redis import Redis
    from rq import Queue

    from surveyapp.jobs.queue import QUEUES

    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        queues = [Queue(name, connection=connection) for name in QUEUES]
        busy = sum(q.count + q.started_job_registry.count + q.scheduled_job_registry.count for q in queues)
        if not busy:
            return True
        time.sleep(1)
    return False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def check(app: Any, study_id: int, respondents: int, reports: list[int], redis_url: str) -> dict[str, Any]:
    from redis import Redis
    from sqlalchemy import func, select

    from surveyapp.extensions import db
    from surveyapp.invitations.models import Invitation
    from surveyapp.jobs.queue import failed_jobs
    from surveyapp.reporting.models import Report
    from surveyapp.responses.models import Answer, Response

    with app.app_context():
        per_invitation = (
            select(Response.invitation_id, func.count(Response.id).label("n"))
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.study_id == study_id)
            .group_by(Response.invitation_id)
            .subquery()
        )
        responses = db.session.scalar(select(func.coalesce(func.sum(per_invitation.c.n), 0)))
        duplicated = db.session.scalar(
            select(func.count()).select_from(per_invitation).where(per_invitation.c.n > 1)
        )
        submitted = db.session.scalar(
            select(func.count(Response.id))
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.study_id == study_id, Response.submitted_at.is_not(None))
        )
        answers = db.session.scalars(
            select(func.count(Answer.id))
            .join(Response, Response.id == Answer.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.study_id == study_id)
            .group_by(Answer.response_id)
        ).all()
        statuses = Counter(
            str(status) for status in db.session.scalars(select(Report.status).where(Report.id.in_(reports)))
        )
        db.session.remove()
    return {
        "responses": int(responses),
        "submitted": int(submitted),
        "lost": respondents - int(submitted),
        "duplicated_responses": int(duplicated),
        "answers_per_response": sorted(set(answers)),
        "reports_requested": len(reports),
        "report_statuses": dict(statuses),
        "failed_jobs": len(failed_jobs(connection=Redis.from_url(redis_url))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole respondent run")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--reports", type=int, default=12, help="reports requested during the run, at most")
    options = parser.parse_args()
    # `kill` or `timeout` stop the soak through its `finally`, which stops the servers and workers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from redis import Redis

    Redis.from_url(options.redis).flushdb()
    create_database(options.postgres)
    instance = Path(tempfile.mkdtemp(prefix="soak-"))
    env = environment(options.postgres, options.redis, instance)
    started_at = time.monotonic()
    prepared = prepare(env, options.respondents)
    print(f"prepared {options.respondents} invitations in {time.monotonic() - started_at:.0f} s", flush=True)
    answers = section_answers(prepared["app"])
    recorder = Recorder()
    logs = instance / "workers.log"
    servers = [start_server(env, instance / f"server{n}.log") for n in range(2)]
    workers = [start_worker(env, logs) for _ in range(2)]
    stop_reports = threading.Event()
    reports: list[int] = []
    reporter = threading.Thread(
        target=request_reports, args=(prepared["app"], stop_reports, reports, options.reports)
    )
    killed: dict[str, Any] = {}
    retired: list[subprocess.Popen[bytes]] = []
    try:
        reporter.start()
        run_started = time.monotonic()
        with ThreadPoolExecutor(options.threads) as pool:
            futures = [
                pool.submit(respondent, f"http://127.0.0.1:{servers[n % 2][1]}", token, answers, recorder)
                for n, token in enumerate(prepared["tokens"])
            ]
            for number, future in enumerate(futures):
                remaining = options.timeout - (time.monotonic() - run_started)
                try:
                    future.result(timeout=max(remaining, 0.1))
                except Exception as exc:  # counted and reported; the run goes on
                    recorder.errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1
                if number == len(futures) // 2 and not killed:
                    victim = workers[0]
                    victim.send_signal(signal.SIGKILL)
                    victim.wait()
                    killed = {"pid": victim.pid, "after_respondents": number + 1}
                    retired.append(victim)  # its forked children live on; stopped with the rest at the end
                    workers[0] = start_worker(env, logs)  # as systemd's Restart=always would
            run_seconds = time.monotonic() - run_started
        stop_reports.set()
        reporter.join()
        drained = wait_for_queues(options.redis, 600)
        result = check(prepared["app"], prepared["study_id"], options.respondents, reports, options.redis)
    finally:
        stop_reports.set()
        for process in [*workers, *retired]:
            with contextlib.suppress(ProcessLookupError):  # a group whose processes all ended
                os.killpg(process.pid, signal.SIGTERM)
        for process, _port in servers:
            os.killpg(process.pid, signal.SIGTERM)
        for process in [*workers, *(server for server, _ in servers)]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    server_errors = sum(n for status, n in recorder.statuses.items() if status >= 500)
    summary = {
        "respondents": options.respondents,
        "completed": recorder.completed,
        "threads": options.threads,
        "run_seconds": round(run_seconds, 1),
        "requests": len(recorder.latencies),
        "requests_per_second": round(len(recorder.latencies) / run_seconds, 1),
        "p50_ms": round(statistics.median(recorder.latencies) * 1000, 1) if recorder.latencies else None,
        "p99_ms": round(percentile(recorder.latencies, 0.99) * 1000, 1),
        "max_ms": round(max(recorder.latencies, default=0) * 1000, 1),
        "statuses": dict(sorted(recorder.statuses.items())),
        "server_errors": server_errors,
        "errors": dict(recorder.errors),
        "worker_killed": killed,
        "queues_drained": drained,
        **result,
    }
    ok = (
        summary["lost"] == 0
        and summary["duplicated_responses"] == 0
        and server_errors == 0
        and not recorder.errors
        and drained
        and summary["failed_jobs"] == 0
        and set(summary["report_statuses"]) <= {"ready"}
        and len(summary["answers_per_response"]) == 1
    )
    summary["ok"] = ok
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    if ok:
        shutil.rmtree(instance, ignore_errors=True)
    else:
        print(f"server and worker logs kept in {instance}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
