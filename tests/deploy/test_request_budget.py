"""The request time budget of gunicorn.conf.py holds for real: a request still running after SURVEYAPP_TIMEOUT
seconds is ended by killing its worker, which is replaced, so a stuck request cannot hold a worker (issue 22:
with threaded workers, gunicorn's timeout bounded nothing)."""

from __future__ import annotations

import http.client
import subprocess
import time

from tests.deploy.conftest import BIN, ROOT, free_port, server_env


def _get(port: int, path: str, timeout: float) -> tuple[int | None, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    except (OSError, http.client.HTTPException):
        return None, ""  # the connection was dropped: no answer
    finally:
        connection.close()


def test_request_past_the_budget_is_stopped_and_its_worker_replaced(tmp_path):
    port = free_port()
    env = server_env(
        tmp_path, tmp_path, "sqlite:///unused.db", SURVEYAPP_WORKERS="1", SURVEYAPP_TIMEOUT="3",
        SURVEYAPP_BIND=f"127.0.0.1:{port}",
    )  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "tests.deploy.slow_app:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        first: tuple[int | None, str] = (None, "")
        while time.monotonic() < deadline and first[0] != 200:
            first = _get(port, "/", timeout=5)
            time.sleep(0.1)

        started = time.monotonic()
        stuck = _get(port, "/slow", timeout=120)
        waited = time.monotonic() - started
        after = _get(port, "/", timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=60)

    text = log.read_text()
    assert first[0] == 200
    assert stuck[0] == 500  # gunicorn aborted the worker mid-request and answered for it
    assert waited < 60  # far sooner than the 600 s the request would have taken (not a timing check)
    assert after[0] == 200
    assert after[1] != first[1]  # served by the replacement worker (another process id)
    assert "WORKER TIMEOUT" in text
