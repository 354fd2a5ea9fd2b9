"""Benchmark: the survey page under load (GET) versus a bare Flask page rendering a comparable template.

Both apps run under gunicorn with the shipped gunicorn.conf.py settings' worker class (2 sync workers on
SQLite; gthread with 4 threads each on PostgreSQL) on 127.0.0.1 and are loaded by wrk with N concurrent
connections, each one respondent (its own invitation, response and session cookie), for a fixed time:

- survey: `GET /survey/<id>/page/<section>` of the real app: session cookie and access check, the invitation,
  study, response and saved answers read from the database, the section form built from the pinned
  questionnaire and filled with the saved answers, the page rendered in the respondent's language with the
  full layout, CSRF token, security headers;
- bare: a minimal Flask app that renders one Jinja template with the same questions (legend, hint, one radio
  button per scale point, a hidden CSRF field) and nothing else: no session, no database, no form library.

Reported per database: requests per second and p99 latency of each run, the median and spread over the
repeats, and the median of the per-run ratios survey/bare (the two apps of one repetition run back to back).
Not a test; not run in CI.

    .venv/bin/python bench/bench_page.py [--seconds 10] [--repeat 3] [--connections 16]
                                         [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_submit  # noqa: E402
from stats import ratios, spread, table  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench_page"

BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{{ title }}</h1>
<form method="post" action="/save">
<input type="hidden" name="csrf_token" value="{{ token }}">
{% for question in questions %}
<fieldset><legend>{{ question.text }}</legend>{% if question.hint %}<p>{{ question.hint }}</p>{% endif %}
{% for point in question.points %}
<label><input type="radio" name="q-{{ question.key }}" value="{{ point }}"
 {% if point == question.answer %}checked{% endif %}> {{ point }}</label>
{% endfor %}</fieldset>
{% endfor %}
<button type="submit" name="action" value="next">Next</button>
</form></main></body></html>"""


def bare_app() -> Any:
    """Flask and one Jinja template with the same questions as the survey page; nothing else."""
    import secrets

    from flask import Flask, render_template_string

    from surveyapp.questionnaires.runtime import catalogue

    section_key = os.environ["BENCH_SECTION"]
    from surveyapp.app import create_app

    with create_app().app_context():  # only to read the shipped questionnaire once, at start-up
        questionnaire = catalogue().questionnaires["fit-client"]
    section = next(s for s in questionnaire.sections if s.key == section_key)
    questions = []
    for question in section.questions:
        for row in question.rows or [question]:
            text = getattr(row, "text", None) or getattr(question, "text", "")
            questions.append(
                {"key": getattr(row, "key", question.key), "text": str(text), "hint": "",
                 "points": list(range(1, 6)), "answer": 3}
            )  # fmt: skip
    app = Flask("bare")

    @app.get("/page")
    def page() -> str:
        return render_template_string(
            BARE_TEMPLATE, title=section_key, questions=questions, token=secrets.token_hex(20)
        )

    return app


def lua_get(paths: list[str], cookies: list[str]) -> str:
    quoted = [",".join(json.dumps(value) for value in values) for values in (paths, cookies)]
    return f"""
local paths = {{{quoted[0]}}}
local cookies = {{{quoted[1]}}}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("n", counter)
end
function init(args)
  local index = ((n - 1) % #paths) + 1
  request_data = wrk.format("GET", paths[index], {{["Cookie"] = cookies[index]}})
end
function request()
  return request_data
end
"""


def serve(target: str, url: str, instance: Path, section: str) -> tuple[subprocess.Popen[bytes], int]:
    port = bench_submit.free_port()
    env = {
        **os.environ,
        "SURVEYAPP_SECRET_KEY": bench_submit.SECRET, "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_INSTANCE_PATH": str(instance), "SURVEYAPP_JOBS_MODE": "cron", "BENCH_SECTION": section,
        "SURVEYAPP_BIND": f"127.0.0.1:{port}", "SURVEYAPP_WORKERS": "2", "SURVEYAPP_LOG_LEVEL": "warning",
    }  # fmt: skip
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", "/dev/null",
               "--pythonpath", str(ROOT / "bench"), target]  # fmt: skip
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
    stop(process)
    raise SystemExit(f"{target} did not start within 300 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # a loaded machine: do not leave a server behind
        process.kill()
        process.wait(timeout=30)


def get_once(port: int, path: str, cookie: str) -> None:
    import http.client

    for _ in range(300):  # the workers may still be importing
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except OSError:
            time.sleep(0.2)
            continue
        finally:
            connection.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}, not 200:\n{text[:2000]}")
        return
    raise SystemExit(f"{path} did not answer")


def run_database(name: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    bench_submit.CONNECTIONS = args.connections
    instance = work / f"instance-{name}"
    instance.mkdir()
    seeded = bench_submit.prepare(url, instance)
    section = seeded["section"]
    paths = [f"/survey/{i}/page/{section}" for i in seeded["invitations"]]
    survey, survey_port = serve("surveyapp.app:create_app()", url, instance, section)
    bare, bare_port = serve("bench_page:bare_app()", url, instance, section)
    try:
        # Every respondent has saved this page once: the GET shows their answers, as on a return visit.
        for index, path in enumerate(paths):
            bench_submit.check_once(survey_port, path, seeded["bodies"][index], seeded["cookies"][index], 303)
            get_once(survey_port, path, seeded["cookies"][index])
        get_once(bare_port, "/page", "x=1")
        survey_script, bare_script = work / f"page-{name}.lua", work / f"bare-page-{name}.lua"
        survey_script.write_text(lua_get(paths, seeded["cookies"]))
        bare_script.write_text(lua_get(["/page"], ["x=1"]))
        runs = []
        for number in range(args.repeat):
            order = [("survey", survey_port, survey_script), ("bare", bare_port, bare_script)]
            if number % 2:
                order.reverse()
            result = {label: bench_submit.load(port, script, args.seconds) for label, port, script in order}
            runs.append(result)
            print(f"  {name} run {number + 1}: survey {result['survey']['rate']:.0f}/s p99 "
                  f"{result['survey']['p99_ms']:.1f} ms | bare {result['bare']['rate']:.0f}/s p99 "
                  f"{result['bare']['p99_ms']:.1f} ms", flush=True)  # fmt: skip
    finally:
        for process in (survey, bare):
            stop(process)
    series = {
        f"{label}_{metric}": [run[label][metric] for run in runs]
        for label in ("survey", "bare")
        for metric in ("rate", "p99_ms")
    }
    return {
        "section": section, "items": seeded["items"], "runs": runs, **series,
        "throughput_ratios": ratios(series["survey_rate"], series["bare_rate"]),
        "p99_ratios": ratios(series["survey_p99_ms"], series["bare_p99_ms"]),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per app and database (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help=f"PostgreSQL URL (default {DEFAULT_POSTGRES})"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-page-") as folder:
        work = Path(folder)
        databases = [("sqlite", f"sqlite:///{work / 'bench.db'}")]
        if not args.no_postgres:
            bench_submit.ensure_postgres(args.postgres)
            databases.append(("postgresql", args.postgres))
        for name, url in databases:
            print(f"{name}: {args.connections} connections, gunicorn.conf.py workers, {args.seconds} s a run")
            results[name] = run_database(name, url, args, work)
    print()
    rows = []
    for name, result in results.items():
        rows.append([
            name, f"{result['section']} ({result['items']})",
            spread(result["survey_rate"], 0), spread(result["bare_rate"], 0),
            f"{statistics.median(result['throughput_ratios']):.0%}", spread(result["survey_p99_ms"], 1),
            spread(result["bare_p99_ms"], 1), f"{statistics.median(result['p99_ratios']):.1f}x",
        ])  # fmt: skip
    print(table(
        ["database", "page (fields)", "survey req/s", "bare req/s", "throughput survey/bare",
         "survey p99 ms", "bare p99 ms", "p99 survey/bare"], rows,
    ))  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_page.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
