"""Benchmark: saving a survey page through the full respondent path versus a bare Flask + Core insert.

Both apps run under gunicorn with 2 sync workers on 127.0.0.1 and are loaded by wrk (Debian's) with 8
connections, each connection one respondent (its own invitation and response), for a fixed time:

- survey: `POST /survey/<id>/page/<section>` of the real app: session cookie and access check, CSRF, the
  section form built from the pinned questionnaire, validation and show_if, scoring, the page's answers
  written in one transaction (one DELETE when needed plus one multi-row upsert), the redirect;
- bare: a minimal Flask app that takes the same form fields and upserts the same rows into the same `answers`
  table with SQLAlchemy Core in one transaction: no session, no CSRF, no validation, no scoring.

The page is the shipped fit-client section with the most items, every question answered. The two apps run
alternately, on SQLite and then on PostgreSQL; reported per database: throughput and p99 latency per run, and
the median over the repeats of the ratios survey/bare (targets: throughput >= 50% of bare, p99 <= 5x bare).
Not a test; not run in CI.

    .venv/bin/python bench/bench_submit.py [--seconds 10] [--repeat 3] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECTIONS = 8
WORKERS = 2
SECRET = "bench-" + "s" * 48
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench_submit"


# The bare baseline, served by gunicorn as `bench_submit:bare_app()`. ----------------------------------------


def bare_app() -> Any:
    """Flask + SQLAlchemy Core: the same answers upserted in one transaction, nothing else."""
    from flask import Flask, request
    from sqlalchemy import create_engine
    from sqlalchemy.dialects import postgresql, sqlite

    import surveyapp.app  # noqa: F401  (the same SQLite pragmas and BEGIN IMMEDIATE as the real app)
    from surveyapp.db import utcnow
    from surveyapp.responses.models import Answer

    url = os.environ["BENCH_DATABASE_URL"]
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    insert = postgresql.insert if url.startswith("postgresql") else sqlite.insert
    table = Answer.__table__
    app = Flask("bare")

    @app.post("/answers/<int:response_id>")
    def answers(response_id: int) -> tuple[str, int]:
        now = utcnow()
        rows = [
            {"response_id": response_id, "item_key": name[2:].replace("-", "."), "value": value,
             "not_applicable": value == "NA", "weight": 1.0, "version": 1, "created_at": now,
             "updated_at": now}
            for name, value in request.form.items(multi=True)
            if name.startswith("q-")
        ]  # fmt: skip
        statement = insert(table).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.response_id, table.c.item_key],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
        with engine.begin() as connection:
            connection.execute(statement)
        return "", 204

    return app


# Set-up: a study, 8 invited respondents whose response exists, their cookies and form tokens. ---------------


def prepare(url: str, instance: Path) -> dict[str, Any]:
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    from itsdangerous import URLSafeTimedSerializer

    from surveyapp.app import create_app
    from surveyapp.enums import InvitationStatus, Language, Perspective, Purpose, Side
    from surveyapp.extensions import db
    from surveyapp.invitations.models import Invitation
    from surveyapp.questionnaires.runtime import catalogue
    from surveyapp.studies import scope
    from surveyapp.studies.services import create_study, create_supplier, default_questionnaires

    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        questionnaire = catalogue().questionnaires["fit-client"]
        section = max(questionnaire.sections, key=lambda s: sum(len(q.rows or [q]) for q in s.questions))
        supplier = create_supplier(session=db.session, name="Bench Supplier")
        study = create_study(
            session=db.session, supplier=supplier, slug="bench", name="Bench",
            questionnaires=default_questionnaires(catalogue()),
        )  # fmt: skip
        sq = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
        people = []
        for number in range(CONNECTIONS):
            account = scope.add_account(session=db.session, study=study, name=f"Account {number}", actor=None)
            contact = scope.add_contact(
                session=db.session, study=study, side=Side.CLIENT, email=f"c{number}@bench.example",
                language=Language.EN, account_id=account.account_id, actor=None,
            )  # fmt: skip
            invitation = Invitation(
                study_id=study.id, contact_id=contact.id, account_id=account.account_id,
                study_questionnaire_id=sq.id, status=InvitationStatus.SENT,
            )  # fmt: skip
            db.session.add(invitation)
            db.session.flush()
            people.append(invitation.id)
        db.session.commit()
        form = answers_for(section)
        cookies, bodies = [], []
        session_serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        for invitation_id in people:
            raw = secrets.token_hex(20)
            cookie = session_serializer.dumps(
                {"invitations": [invitation_id], "csrf_token": raw, "lang": "en"}
            )
            token = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps(raw)
            cookies.append(f"{app.config['SESSION_COOKIE_NAME']}={cookie}")
            bodies.append(urllib.parse.urlencode([*form, ("csrf_token", token), ("action", "next")]))
        db.engine.dispose()
    del os.environ["SURVEYAPP_INSTANCE_PATH"]
    return {"section": section.key, "items": len(form), "invitations": people, "cookies": cookies,
            "bodies": bodies, "bare_body": urllib.parse.urlencode(form)}  # fmt: skip


def answers_for(section: Any) -> list[tuple[str, str]]:
    """Every question of the section answered, as a browser posts it."""
    form: list[tuple[str, str]] = []
    for question in section.questions:
        name, kind = f"q-{question.key}", question.type.value
        if kind == "scale":
            form.append((name, str(max(1, question.scale.points - 1))))
        elif kind == "nps":
            form.append((name, "8"))
        elif kind == "single":
            form.append((name, question.options[0].key))
        elif kind == "multi":
            form.extend((name, option.key) for option in question.options[:2])
        elif kind in ("text", "longtext"):
            form.append((name, "Steady and friendly; replies within a day."))
        elif kind == "number":
            form.append((name, str(int(question.min or 1))))
        elif kind == "date":
            form.append((name, "2024-01-31"))
        elif kind == "matrix":
            form.extend((f"{name}-{row.key}", "3") for row in question.rows)
    return form


# Serving and loading. ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(target: str, url: str, instance: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "SURVEYAPP_SECRET_KEY": SECRET, "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_INSTANCE_PATH": str(instance), "SURVEYAPP_JOBS_MODE": "cron", "BENCH_DATABASE_URL": url,
    }  # fmt: skip
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "--pythonpath", str(ROOT / "bench"), target]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    import http.client

    # The master listens at once; a worker answers only once it has imported the app (slow on a busy machine).
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    process.kill()
    raise SystemExit(f"{target} did not start within 300 s")


def lua(paths: list[str], bodies: list[str], cookies: list[str]) -> str:
    """A wrk script: thread n (one connection each) posts body n to path n with cookie n."""
    quoted = [",".join(json.dumps(value) for value in values) for values in (paths, bodies, cookies)]
    return f"""
local paths = {{{quoted[0]}}}
local bodies = {{{quoted[1]}}}
local cookies = {{{quoted[2]}}}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("n", counter)
end
function init(args)
  local index = ((n - 1) % #paths) + 1
  request_data = wrk.format("POST", paths[index], {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookies[index],
  }}, bodies[index])
end
function request()
  return request_data
end
"""


def units(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(port: int, script: Path, seconds: int) -> dict[str, float]:
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    output = subprocess.run(  # noqa: S603
        # A slow request is latency, not a failure: wrk's own 2 s timeout would abort a run on a busy machine.
        [wrk, f"-t{CONNECTIONS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "--latency",
         "-s", str(script), f"http://127.0.0.1:{port}/"],
        check=True, capture_output=True, text=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if errors or socket_errors:
        raise SystemExit(f"requests failed:\n{output}")
    return {"rate": rate, "p99_ms": units(p99.group(1), p99.group(2))}  # type: ignore[union-attr]


def check_once(port: int, path: str, body: str, cookie: str, expected: int) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    if response.status != expected:
        raise SystemExit(f"{path} answered {response.status}, not {expected}:\n{text[:2000]}")


def run_database(name: str, url: str, seconds: int, repeat: int, work: Path) -> dict[str, Any]:
    instance = work / f"instance-{name}"
    instance.mkdir()
    seeded = prepare(url, instance)
    paths = [f"/survey/{i}/page/{seeded['section']}" for i in seeded["invitations"]]
    survey_script, bare_script = work / f"survey-{name}.lua", work / f"bare-{name}.lua"
    survey_script.write_text(lua(paths, seeded["bodies"], seeded["cookies"]))
    bare_paths = [f"/answers/{n + 1}" for n in range(CONNECTIONS)]
    bare_script.write_text(lua(bare_paths, [seeded["bare_body"]] * CONNECTIONS, ["x=1"] * CONNECTIONS))
    survey, survey_port = serve("surveyapp.app:create_app()", url, instance)
    bare, bare_port = serve("bench_submit:bare_app()", url, instance)
    try:
        for index, path in enumerate(paths):  # the first save creates each response (ids 1..8)
            check_once(survey_port, path, seeded["bodies"][index], seeded["cookies"][index], 303)
        check_once(bare_port, bare_paths[0], seeded["bare_body"], "x=1", 204)
        runs = []
        for number in range(repeat):
            order = [("survey", survey_port, survey_script), ("bare", bare_port, bare_script)]
            if number % 2:
                order.reverse()
            result = {label: load(port, script, seconds) for label, port, script in order}
            runs.append(result)
            print(f"  {name} run {number + 1}: survey {result['survey']['rate']:.0f}/s p99 "
                  f"{result['survey']['p99_ms']:.1f} ms | bare {result['bare']['rate']:.0f}/s p99 "
                  f"{result['bare']['p99_ms']:.1f} ms", flush=True)  # fmt: skip
    finally:
        for process in (survey, bare):
            process.terminate()
            process.wait(timeout=30)
    throughput = statistics.median(r["survey"]["rate"] / r["bare"]["rate"] for r in runs)
    latency = statistics.median(r["survey"]["p99_ms"] / r["bare"]["p99_ms"] for r in runs)
    return {"section": seeded["section"], "items": seeded["items"], "runs": runs,
            "throughput_ratio": throughput, "p99_ratio": latency}  # fmt: skip


def ensure_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per app and database (default 3)")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help=f"PostgreSQL URL (default {DEFAULT_POSTGRES})"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as folder:
        work = Path(folder)
        databases = [("sqlite", f"sqlite:///{work / 'bench.db'}")]
        if not args.no_postgres:
            ensure_postgres(args.postgres)
            databases.append(("postgresql", args.postgres))
        for name, url in databases:
            print(
                f"{name}: {CONNECTIONS} connections, {WORKERS} gunicorn sync workers, {args.seconds} s a run"
            )
            results[name] = run_database(name, url, args.seconds, args.repeat, work)
    print()
    print(f"{'database':<12}{'page':<16}{'throughput survey/bare':>24}{'p99 survey/bare':>18}")
    for name, result in results.items():
        page = f"{result['section']} ({result['items']})"
        print(f"{name:<12}{page:<16}{result['throughput_ratio']:>23.0%}{result['p99_ratio']:>17.1f}x")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_submit.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
