"""Benchmark: the pages of a study with 20,000 accounts (issue 22), each against a bare baseline in the same run.

The study is written straight into the tables by `tests/studies/large_study.py` (the tests' builder): 20,000
accounts in five segments, 40,000 client contacts, 100 staff members assigned to every account, 60,000
invitations (sent, opened, completed, one in 50 failed), 4,500 completed responses with about 130,000 answers
(1,500 accounts with both views, 1,500 with the client's only), 600 decisions and 800 actions. It is served by
gunicorn with the shipped gunicorn.conf.py (2 workers) on 127.0.0.1, and one researcher, logged in over HTTP,
asks for each page one request at a time, alternating with the bare baseline `GET /healthz` (the same server,
app and middleware, one `SELECT 1`, no template), the order swapped every other round.

The study is measured in the interview phase (the study page, accounts, contacts, the invitation pages
with their send and reminder plans over 60,000 invitations, the provisional dashboard), then moved to the act
phase (the act page and the dashboard), and the act phase again with the analysis memo off
(`SURVEYAPP_ANALYSIS_MEMO_ACCOUNTS=0`): every request then costs what the first one after a change does.
PostgreSQL gets `VACUUM ANALYZE` after loading, as autovacuum would
do on a server: without statistics its plans for a table loaded a second ago are no guide.

Reported per page: status, body size, median and spread of the time per request over the rounds, and the ratio
of the medians page/healthz. Targets (issue 22): every page under 5 MB and under 2 s. Also timed, in the
benchmark's own process, what the slowest pages wait for: the analysis of the whole study (dashboard, act page),
the send and reminder counts the invitations page shows, and the full send and reminder plans a send carries out.

Then the two buttons of the invitations page, each pressed once on a fresh copy of the study in the interview
phase (a POST changes the data): "Send" with none of the 40,000 client invitations created yet (the start of
fieldwork: 40,001 emails with the lead's brief), and "Send reminders" to the study's 58,700 non-responders
(39,000 emails). The server delivers to a local SMTP sink (aiosmtpd, its own process). Measured twice: with
`SURVEYAPP_JOBS_MODE=thread` (the default without Redis), where the POST hands the send to a background job and
the benchmark also times that job to its end (the `invitations.*_finished` audit event) and checks that every
invitation was queued exactly once; and with `cron`, where each press queues at most 500 emails itself. Target:
the POST well inside gunicorn's 60 s request budget (aim: under 10 s). Not a test; not in CI.

    .venv/bin/python bench/bench_large_study.py [--repeat 5] [--accounts 20000]
                                                [--postgres URL | --no-postgres] [--no-posts]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_submit  # noqa: E402
from bench_page import stop  # noqa: E402
from stats import spread, table  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench_large"
EMAIL, PASSWORD = "bench-researcher@example.org", "bench researcher password 22"
# A member of the supplier's account team: the pages as rule 18 lets them leave the research team.
TEAM_EMAIL, TEAM_PASSWORD = "bench-team@example.org", "bench team password 23"
SLUG = "large-2026"
MAX_BYTES = 5_000_000
MAX_SECONDS = 2.0
INTERVIEW_PAGES = (
    f"/studies/{SLUG}",
    f"/studies/{SLUG}/accounts",
    f"/studies/{SLUG}/accounts?page=200",
    f"/studies/{SLUG}/accounts?q=account+123",
    f"/studies/{SLUG}/contacts",
    f"/studies/{SLUG}/contacts?page=400&assignments_page=300",
    f"/studies/{SLUG}/invitations",
    f"/studies/{SLUG}/invitations?page=400",
    f"/studies/{SLUG}/invitations/non-responders",
    f"/studies/{SLUG}/invitations/non-responders?page=500",
    f"/studies/{SLUG}/dashboard",
)
ACT_PAGES = (
    f"/studies/{SLUG}",
    f"/studies/{SLUG}/act",
    f"/studies/{SLUG}/act?none_page=300&actions_page=10",
    f"/studies/{SLUG}/dashboard",
    f"/studies/{SLUG}/dashboard?segment=Care&role=decision_maker&page=20",
)
# The account team's pages; {account} is the first account with both views.
TEAM_PAGES = (
    f"/studies/{SLUG}/dashboard",
    f"/studies/{SLUG}/dashboard?segment=Care&role=decision_maker&page=20",
    f"/studies/{SLUG}/dashboard/accounts/{{account}}",
)


def build(url: str, instance: Path, accounts: int) -> float:
    """Create the tables, write the large study and a researcher; seconds it took."""
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import select, text

    from surveyapp.app import create_app
    from surveyapp.auth.passwords import hasher_from_config
    from surveyapp.auth.services import create_user
    from surveyapp.enums import Phase, Role
    from surveyapp.extensions import db
    from surveyapp.studies.models import Study
    from tests.studies.large_study import build_large_study

    app = create_app({"SECRET_KEY": bench_submit.SECRET, "DATABASE_URL": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        build_large_study(
            db.session, accounts=accounts, answered=1_500, client_only=1_500, decisions=600, phase=Phase.ACT
        )
        create_user(
            session=db.session,
            email=EMAIL,
            role=Role.RESEARCHER,
            password=PASSWORD,
            hasher=hasher_from_config(app.config),
        )
        create_user(
            session=db.session,
            email=TEAM_EMAIL,
            role=Role.ACCOUNT_TEAM,
            password=TEAM_PASSWORD,
            hasher=hasher_from_config(app.config),
            suppliers=[db.session.scalars(select(Study).where(Study.slug == SLUG)).one().supplier],
        )
        db.session.commit()
        took = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    del os.environ["SURVEYAPP_INSTANCE_PATH"]
    return took


def first_answered_account(url: str) -> int:
    """The id of the first account whose client and supplier both answered (its page shows every part)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT account_id FROM responses GROUP BY account_id "
                "HAVING COUNT(DISTINCT perspective) = 2 ORDER BY account_id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return int(found)


def set_phase(url: str, phase: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE studies SET phase = :phase WHERE slug = :slug"), {"phase": phase, "slug": SLUG}
        )
    engine.dispose()


def serve(
    url: str, instance: Path, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = bench_submit.free_port()
    env = {
        **os.environ,
        "SURVEYAPP_SECRET_KEY": bench_submit.SECRET, "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_INSTANCE_PATH": str(instance), "SURVEYAPP_JOBS_MODE": "cron",
        "SURVEYAPP_BIND": f"127.0.0.1:{port}", "SURVEYAPP_WORKERS": "2", "SURVEYAPP_LOG_LEVEL": "warning",
        # The slowest pages measured here took 20-30 s before issue 22; do not let the worker be killed.
        "SURVEYAPP_TIMEOUT": "300",
        **(settings or {}),
    }  # fmt: skip
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", "/dev/null"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60) as response:
                response.read()
            return process, port
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not start within 300 s")


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Send the production `Secure` session cookie over plain HTTP to 127.0.0.1, where nginx would otherwise
    have ended TLS in front of gunicorn."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return True


class Browser:
    """One logged-in researcher: a cookie jar over urllib (no keep-alive: every request, the baseline's too,
    opens its own connection)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self._jar = http.cookiejar.CookieJar(policy=LoopbackPolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))

    def get(self, path: str) -> tuple[int, int, float]:
        """Status, body bytes and seconds (from sending the request to the last byte of the body)."""
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=600) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        return status, len(body), time.perf_counter() - started

    def login(self, email: str = EMAIL, password: str = PASSWORD) -> None:
        with self.opener.open(self.base + "/login", timeout=60) as response:
            form = response.read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as response:
            response.read()
            if response.url.rstrip("/").endswith("/login"):
                raise SystemExit("the bench researcher could not log in")


def measure(browser: Browser, pages: tuple[str, ...], repeat: int, label: str) -> list[dict[str, Any]]:
    results = []
    for path in pages:
        for _ in range(2):  # each of the two workers renders the page once before it is timed
            browser.get(path)
        page_times, bare_times, status, size = [], [], 0, 0
        for number in range(repeat):
            order = ("page", "bare") if number % 2 == 0 else ("bare", "page")
            for which in order:
                if which == "page":
                    status, size, seconds = browser.get(path)
                    page_times.append(seconds)
                else:
                    bare_times.append(browser.get("/healthz")[2])
        result = {
            "phase": label, "path": path, "status": status, "bytes": size,
            "page_s": page_times, "bare_s": bare_times,
            "ratio": statistics.median(page_times) / statistics.median(bare_times),
        }  # fmt: skip
        print(f"  {label} {path}: {status}, {size / 1e6:.3f} MB, {spread(page_times, 3)} s "
              f"(healthz {spread(bare_times, 4)} s)", flush=True)  # fmt: skip
        results.append(result)
    return results


def parts(url: str, instance: Path, repeat: int) -> dict[str, list[float]]:
    """What the slow pages wait for, timed in this process (medians of `repeat`): the analysis of the whole
    study (dashboard, act page), the send and reminder counts of the invitations page, and the full plans that a
    send and a "remind now" carry out (interview phase)."""
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import select

    from surveyapp.analysis.service import analysis_document
    from surveyapp.app import create_app
    from surveyapp.db import utcnow
    from surveyapp.extensions import db
    from surveyapp.invitations.planning import plan_send, send_summary
    from surveyapp.invitations.reminders import plan_reminders, reminder_summary
    from surveyapp.studies.models import Study

    app = create_app({"SECRET_KEY": bench_submit.SECRET, "DATABASE_URL": url})
    timings: dict[str, list[float]] = {
        "analysis": [], "send counts": [], "reminder counts": [], "send plan": [], "reminder plan": [],
    }  # fmt: skip
    with app.test_request_context():
        study = db.session.scalar(select(Study).where(Study.slug == SLUG))
        work = {
            "analysis": lambda: analysis_document(session=db.session, study=study),
            "send counts": lambda: send_summary(session=db.session, study=study, now=utcnow(), named=20),
            "reminder counts": lambda: reminder_summary(session=db.session, study=study, now=utcnow()),
            "send plan": lambda: plan_send(session=db.session, study=study, now=utcnow()),
            "reminder plan": lambda: plan_reminders(
                session=db.session, study=study, now=utcnow(), manual=True
            ),
        }
        for _ in range(repeat):
            for label, function in work.items():
                db.session.expire_all()
                started = time.perf_counter()
                function()
                timings[label].append(time.perf_counter() - started)
                db.session.rollback()
        db.engine.dispose()
    del os.environ["SURVEYAPP_INSTANCE_PATH"]
    for label, values in timings.items():
        print(f"  in process, interview phase: {label} {spread(values, 3)} s", flush=True)
    return timings


# ---- the buttons: "Send" and "Send reminders" --------------------------------------------------------------

POSTS = (
    # (label, path, audit action that ends its background job, start from a study without client invitations)
    ("send", f"/studies/{SLUG}/invitations/send", "invitations.send_finished", True),
    ("remind", f"/studies/{SLUG}/invitations/remind", "invitations.remind_finished", False),
)
JOB_WAIT = 3600  # seconds a background job may take before the benchmark stops waiting


def copy_study(name: str, url: str, work: Path, label: str) -> str:
    """A fresh copy of the built study (interview phase) for one press of a button; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if name == "sqlite":
        source = Path(make_url(url).database or "")
        target = work / f"copy-{label}.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
        return f"sqlite:///{target}"
    source_url = make_url(url)
    copy = f"{source_url.database}_{label}"
    admin = create_engine(source_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source_url.database}"'))
    admin.dispose()
    return source_url.set(database=copy).render_as_string(hide_password=False)


def drop_copy(name: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    admin.dispose()


def unsend_clients(url: str) -> int:
    """Remove the client invitations (none was ever queued: the builder writes no tokens), as at the start of
    fieldwork; how many."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        removed = connection.execute(
            text(
                "DELETE FROM invitations WHERE study_questionnaire_id IN (SELECT q.id FROM study_questionnaires q"
                " JOIN studies s ON s.id = q.study_id WHERE s.slug = :slug AND q.perspective = 'client'"
                " AND q.purpose = 'survey')"
            ),
            {"slug": SLUG},
        ).rowcount
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE invitations"))  # as autovacuum would after such a change
    engine.dispose()
    return int(removed)


def queued(url: str, action: str) -> dict[str, Any]:
    """What the database holds after a press: emails in the outbox, tokens per purpose, how many invitations
    got more than one token of a purpose (none had any before: so 0, or something was queued twice), and
    whether a background job was asked for and recorded its end."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    # A reader only: on SQLite the app's BEGIN IMMEDIATE would wait for the job's write lock (and fail).
    with engine.connect().execution_options(read_only=True) as connection:
        found = {
            "emails": connection.scalar(text("SELECT count(*) FROM outbox_messages")),
            "tokens": dict(
                connection.execute(
                    text("SELECT purpose, count(*) FROM invitation_tokens GROUP BY purpose")
                ).all()
            ),
            "twice": connection.scalar(
                text(
                    "SELECT count(*) FROM (SELECT invitation_id, purpose FROM invitation_tokens"
                    " GROUP BY invitation_id, purpose HAVING count(*) > 1) AS t"
                )
            ),
            "finished": connection.scalar(
                text("SELECT count(*) FROM audit_events WHERE action = :action"), {"action": action}
            ),
            # A press that queued everything itself (few enough emails) hands nothing to a job.
            "handed_off": connection.scalar(
                text("SELECT count(*) FROM audit_events WHERE action = :action"),
                {"action": action.replace("_finished", "_requested")},
            ),
        }
    engine.dispose()
    return found


class Poster(Browser):
    """A logged-in researcher who also presses buttons: a POST with the page's CSRF token, timed to the
    response (the redirect is not followed: the researcher's wait is this request's)."""

    def press(self, path: str, page: str) -> tuple[int, float]:
        html = self.opener.open(self.base + page, timeout=600).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode({"csrf_token": token}).encode()
        no_redirect = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self._jar), _NoRedirect()
        )
        started = time.perf_counter()
        try:
            with no_redirect.open(self.base + path, data=data, timeout=600) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            error.read()
            status = error.code
        return status, time.perf_counter() - started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def press_buttons(name: str, url: str, work: Path) -> list[dict[str, Any]]:
    """Each button on a fresh copy of the study, with the background job (thread) and without (cron)."""
    from bench_outbox import start_smtp_server

    results = []
    smtp_port = bench_submit.free_port()
    smtp = start_smtp_server(smtp_port)
    try:
        for mode in ("thread", "cron"):
            for label, path, finished, unsent in POSTS:
                copy = copy_study(name, url, work, f"{label}_{mode}")
                removed = unsend_clients(copy) if unsent else 0
                instance = work / f"instance-{name}-{label}-{mode}"
                instance.mkdir()
                server, port = serve(
                    copy,
                    instance,
                    {"SURVEYAPP_JOBS_MODE": mode, "SURVEYAPP_MAIL_BACKEND": "smtp",
                     "SURVEYAPP_SMTP_HOST": "127.0.0.1", "SURVEYAPP_SMTP_PORT": str(smtp_port),
                     "SURVEYAPP_TIMEOUT": "60"},
                )  # fmt: skip
                try:
                    browser = Poster(port)
                    browser.login()
                    page_status, _size, page_seconds = browser.get(f"/studies/{SLUG}/invitations")
                    status, seconds = browser.press(path, f"/studies/{SLUG}/invitations")
                    started = time.monotonic()
                    job_seconds = None
                    if mode == "thread" and queued(copy, finished)["handed_off"]:
                        while time.monotonic() - started < JOB_WAIT:
                            if queued(copy, finished)["finished"]:
                                job_seconds = seconds + time.monotonic() - started
                                break
                            time.sleep(1)
                    after = browser.get(f"/studies/{SLUG}/invitations")
                finally:
                    stop(server)
                found = queued(copy, finished)
                drop_copy(name, copy)
                result = {
                    "button": label, "mode": mode, "status": status, "post_s": seconds, "job_s": job_seconds,
                    "page_before_s": page_seconds, "page_after_s": after[2], "page_status": page_status,
                    "client_invitations_removed": removed, **found,
                }  # fmt: skip
                job = f", job {job_seconds:.1f} s" if job_seconds is not None else ""
                print(
                    f"  {mode} {label}: POST {status} in {seconds:.2f} s{job}; {found['emails']} emails, "
                    f"tokens {found['tokens']}, twice {found['twice']}",
                    flush=True,
                )
                results.append(result)
    finally:
        stop(smtp)
    return results


def run_database(name: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    instance = work / f"instance-{name}"
    instance.mkdir()
    print(f"{name}: building the study ({args.accounts:,} accounts)", flush=True)
    took = build(url, instance, args.accounts)
    print(f"  built in {took:.1f} s", flush=True)
    results = []
    set_phase(url, "interview")
    timed_parts = parts(url, instance, max(3, args.repeat // 2))
    presses = press_buttons(name, url, work) if args.posts else []
    team_pages = tuple(page.format(account=first_answered_account(url)) for page in TEAM_PAGES)
    memo_off = {"SURVEYAPP_ANALYSIS_MEMO_ACCOUNTS": "0"}
    researcher, team = (EMAIL, PASSWORD), (TEAM_EMAIL, TEAM_PASSWORD)
    rounds = (
        ("interview", "interview", INTERVIEW_PAGES, {}, researcher),
        ("act", "act", ACT_PAGES, {}, researcher),
        # Every request as the first one after a change: the analysis memo keeps nothing.
        ("act", "act, memo off", ACT_PAGES[1:], memo_off, researcher),
        ("act", "act, account team", team_pages, {}, team),
        ("act", "act, account team, memo off", team_pages, memo_off, team),
    )
    for phase, label, pages, settings, (email, password) in rounds:
        set_phase(url, phase)
        server, port = serve(url, instance, settings)
        try:
            browser = Browser(port)
            browser.login(email, password)
            results += measure(browser, pages, args.repeat, label)
        finally:
            stop(server)
    return {"build_s": took, "parts_s": timed_parts, "pages": results, "presses": presses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (default 5)")
    parser.add_argument("--accounts", type=int, default=20_000, help="accounts in scope (default 20000)")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help=f"PostgreSQL URL (default {DEFAULT_POSTGRES})"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--no-posts", dest="posts", action="store_false", help="skip the Send and Send reminders buttons"
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-large-") as folder:
        work = Path(folder)
        databases = [] if args.no_sqlite else [("sqlite", f"sqlite:///{work / 'bench.db'}")]
        if not args.no_postgres:
            bench_submit.ensure_postgres(args.postgres)
            databases.append(("postgresql", args.postgres))
        for name, url in databases:
            results[name] = run_database(name, url, args, work)
    print()
    rows = []
    for name, result in results.items():
        for page in result["pages"]:
            median = statistics.median(page["page_s"])
            within = page["bytes"] < MAX_BYTES and median < MAX_SECONDS
            rows.append([
                name, page["phase"], f"`{page['path'].replace(f'/studies/{SLUG}', '')  or '/'}`",
                str(page["status"]), f"{page['bytes'] / 1e6:.3f}", spread(page["page_s"], 3),
                spread(page["bare_s"], 4), f"{page['ratio']:.0f}", "yes" if within else "**no**",
            ])  # fmt: skip
    print(table(
        ["database", "phase", "page", "status", "MB", "page s", "healthz s", "page/healthz",
         "under 5 MB and 2 s"], rows,
    ))  # fmt: skip
    print()
    print(table(
        ["database", "in process (interview phase)", "seconds"],
        [[name, label, spread(values, 3)] for name, result in results.items()
         for label, values in result["parts_s"].items()],
    ))  # fmt: skip
    presses = [
        [
            name, press["button"], press["mode"], str(press["status"]), f"{press['post_s']:.2f}",
            f"{press['job_s']:.1f}" if press["job_s"] is not None else "-", str(press["emails"]),
            ", ".join(f"{purpose} {n}" for purpose, n in sorted(press["tokens"].items())) or "-",
            str(press["twice"]), f"{press['page_after_s']:.3f}",
        ]
        for name, result in results.items()
        for press in result["presses"]
    ]  # fmt: skip
    if presses:
        print()
        print(table(
            ["database", "button", "jobs mode", "POST status", "POST s", "background job s", "emails queued",
             "tokens", "queued twice", "page after s"], presses,
        ))  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_large_study.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
