"""The shipped gunicorn.conf.py serves the app and writes nothing to the service user's home folder."""

from __future__ import annotations

import json
import runpy
import subprocess

import pytest

from tests.deploy.conftest import BIN, ROOT, server_env, stop, surveyapp


def test_gunicorn_conf_serves_healthz_and_leaves_home_empty(tmp_path, run_gunicorn):
    home, instance = tmp_path / "home", tmp_path / "instance"
    home.mkdir()
    instance.mkdir()
    env = server_env(home, instance, f"sqlite:///{tmp_path / 'app.db'}", SURVEYAPP_WORKERS="2")
    surveyapp(env, "init-db")
    server = run_gunicorn(env, tmp_path / "gunicorn.log")

    status, body, _ = server.request("GET", "/healthz")
    login_status, _, _ = server.request("GET", "/login")
    link_status, _, _ = server.request("GET", "/s/secret-token-abc?x=secret-query")
    stop(server)
    log = (tmp_path / "gunicorn.log").read_text()

    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    assert login_status == 200
    assert link_status == 404
    assert '"GET /s/… HTTP/1.1" 404' in log
    assert "secret-token-abc" not in log
    assert "secret-query" not in log
    assert sorted(path.name for path in home.rglob("*")) == []


def _printed(env: dict[str, str], *names: str) -> dict[str, str]:
    output = subprocess.run(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--print-config"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,  # exits 1 after printing
    ).stdout  # fmt: skip
    settings = dict(
        (part.strip() for part in line.split("=", 1)) for line in output.splitlines() if " = " in line
    )
    return {name: settings[name] for name in names}


@pytest.mark.parametrize(
    "database_url", ["sqlite:////srv/surveyapp/surveyapp.db", "postgresql://app@db.internal/surveyapp"]
)
def test_gunicorn_conf_uses_preloaded_sync_workers_on_every_database(tmp_path, database_url):
    env = server_env(tmp_path, tmp_path, database_url, SURVEYAPP_WORKERS="3")

    printed = _printed(
        env,
        "worker_class",
        "workers",
        "threads",
        "preload_app",
        "timeout",
        "max_requests",
        "control_socket_disable",
    )

    assert printed == {
        "worker_class": "sync",
        "workers": "3",
        "threads": "1",
        "preload_app": "True",
        "timeout": "60",
        "max_requests": "0",
        "control_socket_disable": "True",
    }


def test_gunicorn_conf_request_budget_and_recycling_come_from_the_environment(tmp_path):
    env = server_env(
        tmp_path, tmp_path, "sqlite:///x.db", SURVEYAPP_TIMEOUT="45", SURVEYAPP_MAX_REQUESTS="3000"
    )

    printed = _printed(env, "timeout", "max_requests", "max_requests_jitter")

    assert printed == {"timeout": "45", "max_requests": "3000", "max_requests_jitter": "0"}


def test_gunicorn_conf_recycling_limits_are_spread_over_the_workers():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    limits = [settings["staggered"](1000, age, 4) for age in range(1, 9)]

    assert limits == [1250, 1500, 1750, 1000, 1250, 1500, 1750, 1000]


def test_gunicorn_conf_bad_worker_count_is_refused(tmp_path):
    env = server_env(tmp_path, tmp_path, "sqlite:///x.db", SURVEYAPP_WORKERS="many")

    result = subprocess.run(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--print-config"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode != 0
    assert "SURVEYAPP_WORKERS must be a whole number, not 'many'" in result.stderr
