"""Real gunicorn servers started with the shipped gunicorn.conf.py on a free port, as in production."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
SECRET = "deploy-test-secret-" + "k" * 40
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(home: Path, instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A production environment with nothing of this machine's settings in it."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SURVEYAPP_", "XDG_", "GUNICORN")) and name != "HOME"
    }
    return {
        **env,
        "HOME": str(home),
        "SURVEYAPP_ENV": "production",
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": database_url,
        "SURVEYAPP_INSTANCE_PATH": str(instance),
        "SURVEYAPP_JOBS_MODE": "cron",
        "SURVEYAPP_BASE_URL": "https://surveys.example.org",
        **extra,
    }


def surveyapp(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [str(BIN / "surveyapp"), *args], env=env, cwd=ROOT, input=stdin, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclass
class Server:
    """One gunicorn master with its workers, and a minimal browser: cookies kept by hand, never Secure-only."""

    port: int
    process: subprocess.Popen[str]
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: str = "", cookies: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "surveys.example.org"}
        jar = self.cookies if cookies is None else cookies
        if jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                jar[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text, dict(response.getheaders())


def start_gunicorn(env: dict[str, str], log: Path) -> Server:
    port = free_port()
    env = {**env, "SURVEYAPP_BIND": f"127.0.0.1:{port}"}
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return Server(port=port, process=process)
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    process.kill()
    raise AssertionError(f"gunicorn did not answer within 300 s:\n{log.read_text()}")


def stop(server: Server) -> None:
    server.process.terminate()
    server.process.wait(timeout=120)


@pytest.fixture
def run_gunicorn() -> Iterator[Callable[[dict[str, str], Path], Server]]:
    started: list[Server] = []

    def factory(env: dict[str, str], log: Path) -> Server:
        server = start_gunicorn(env, log)
        started.append(server)
        return server

    yield factory
    for server in started:
        if server.process.poll() is None:
            stop(server)
