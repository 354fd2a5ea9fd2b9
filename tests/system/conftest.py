"""The product as its operators run it: gunicorn with gunicorn.conf.py, PostgreSQL, Redis, an RQ worker and a
mail server, each reached through a `FaultProxy` that a test can cut and restore, and driven over HTTP.

`stack` (one per test session and xdist worker) starts, in this order: a PostgreSQL database of its own next to
the test database, a Redis server of its own (`redis-server` on a free port, nothing on disk), a real SMTP
server (aiosmtpd), a proxy in front of each, then `surveyapp init-db` and `surveyapp demo` (the installed
script), one `surveyapp worker` and gunicorn. The app reaches every service through its proxy only, so a cut
proxy is that service going away.

These tests need PostgreSQL (`SURVEYAPP_TEST_DATABASE_URL`; `make test` runs them in its PostgreSQL pass) and
`redis-server`; without them they skip, except in CI (`CI=true`), where they fail.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL
from tests.mail.smtpserver import Recorder, Server, start_server
from tests.system.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
SECRET = "system-test-secret-" + "s" * 40
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r"https?://[^\s\"'<>]+")
START_TIMEOUT = 300  # a safety net for a hung start on a loaded CI machine, not a timing check


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the system tests need {reason} in CI")
    pytest.skip(f"the system tests need {reason}")


# ---- HTTP ------------------------------------------------------------------------------------------------


@dataclass
class Page:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)

    def csrf(self) -> str:
        found = CSRF_INPUT.search(self.text)
        assert found is not None, f"no form token on the page ({self.status}):\n{self.text[:2000]}"
        return unescape(found.group(1))


@dataclass
class Browser:
    """A minimal browser over plain HTTP: one cookie jar (Secure cookies sent too: the server runs behind a
    TLS proxy in production, here the test is that proxy), no JavaScript, redirects followed on request."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def request(
        self,
        method: str,
        path: str,
        form: Any = None,
        *,
        follow: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Page:
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            received = response.getheaders()
        finally:
            connection.close()
        for name, value in received:
            if name.lower() == "set-cookie":
                cookie, _, rest = value.partition("=")
                value_part = rest.split(";", 1)[0]
                if "expires=thu, 01 jan 1970" in rest.lower() or "max-age=0" in rest.lower():
                    self.cookies.pop(cookie, None)
                else:
                    self.cookies[cookie] = value_part
        page = Page(response.status, data, dict(received))
        if follow and page.status in (301, 302, 303, 307, 308):
            target = urllib.parse.urlsplit(page.header("Location") or "/")
            path = target.path + (f"?{target.query}" if target.query else "")
            return self.request("GET", path, follow=True)
        return page

    def get(self, path: str, **kwargs: Any) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: Any, **kwargs: Any) -> Page:
        return self.request("POST", path, form, **kwargs)

    def submit(self, page_path: str, fields: dict[str, Any] | list[tuple[str, Any]], action: str | None = None,
               **kwargs: Any) -> Page:  # fmt: skip
        """Load `page_path`, take its form token and post `fields` to `action` (default: the same path)."""
        token = self.get(page_path).csrf()
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        return self.post(action or page_path, [("csrf_token", token), *pairs], **kwargs)

    def login(self, email: str, password: str) -> Page:
        page = self.submit("/login", {"email": email, "password": password})
        assert page.status == 302, f"login of {email} gave {page.status}:\n{page.text[:2000]}"
        return page


# ---- the stack --------------------------------------------------------------------------------------------


@dataclass
class Stack:
    port: int
    env: dict[str, str]
    folder: Path
    database_url: str  # directly to PostgreSQL, for the test's own checks
    postgres: FaultProxy
    redis: FaultProxy
    smtp: FaultProxy
    mail: Server
    gunicorn: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gunicorn_log(self) -> Path:
        return self.folder / "gunicorn.log"

    @property
    def worker_log(self) -> Path:
        return self.folder / "worker.log"

    def log(self) -> str:
        """Everything gunicorn and its workers have written (access log, app log, errors)."""
        return self.gunicorn_log.read_text(errors="replace")

    def browser(self) -> Browser:
        return Browser(self.port)

    def cli(
        self, *args: str, stdin: str = "", check: bool = True, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """The installed `surveyapp` script with the servers' settings."""
        result = subprocess.run(
            [str(BIN / "surveyapp"), *args], env={**self.env, **extra_env}, cwd=self.folder, input=stdin,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if check:
            assert result.returncode == 0, f"surveyapp {' '.join(args)} failed:\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def rows(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of one statement, read directly from PostgreSQL (not through the proxy)."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            return list(connection.execute(statement, params).fetchall())

    def scalar(self, statement: str, *params: Any) -> Any:
        return self.rows(statement, *params)[0][0]

    def execute(self, statement: str, *params: Any) -> int:
        """Run one changing statement directly on PostgreSQL; the number of rows it changed."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            return connection.execute(statement, params).rowcount

    def wait_for_mail(self, count: int, timeout: float = 120) -> list[Any]:
        """The messages received, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.mail.handler.messages()
            if len(messages) >= count:
                return messages
            time.sleep(0.2)
        raise AssertionError(f"{len(self.mail.handler.messages())} emails received, expected {count}")


def _postgres_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _fresh_database(base_url: str, suffix: str) -> str:
    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{suffix}"
    admin = _postgres_conninfo(url.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = _postgres_conninfo(parsed.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("redis-server did not start")


def stack_env(
    folder: Path, *, port: int, database_url: str, redis_port: int, smtp_port: int
) -> dict[str, str]:
    """A production environment with nothing of this machine's settings in it."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SURVEYAPP_", "XDG_", "GUNICORN", "PYTEST", "COV_")) and name != "HOME"
    }
    home = folder / "home"
    home.mkdir(exist_ok=True)
    return {
        **kept,
        "HOME": str(home),
        "SURVEYAPP_ENV": "production",
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": database_url,
        "SURVEYAPP_DATABASE_CONNECT_TIMEOUT": "3",
        "SURVEYAPP_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SURVEYAPP_REDIS_TIMEOUT": "1",
        "SURVEYAPP_INSTANCE_PATH": str(folder / "instance"),
        "SURVEYAPP_BASE_URL": f"http://127.0.0.1:{port}",
        "SURVEYAPP_BIND": f"127.0.0.1:{port}",
        "SURVEYAPP_WORKERS": "2",
        "SURVEYAPP_MAIL_BACKEND": "smtp",
        "SURVEYAPP_SMTP_HOST": "127.0.0.1",
        "SURVEYAPP_SMTP_PORT": str(smtp_port),
        "SURVEYAPP_SMTP_TIMEOUT": "5",
        "SURVEYAPP_MAIL_FROM": "Research <research@agency.example>",
        "SURVEYAPP_JOB_RETRY_INTERVALS": "[1, 1, 1]",
        "SURVEYAPP_ARGON2_TIME_COST": "1",
        "SURVEYAPP_ARGON2_MEMORY_COST": "8",
        "SURVEYAPP_ARGON2_PARALLELISM": "1",
    }


def _wait_for_http(stack: Stack, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"gunicorn exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            if stack.browser().get("/healthz").status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(
        f"gunicorn did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}"
    )


def start_gunicorn(stack: Stack) -> None:
    with stack.gunicorn_log.open("ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT, env=stack.env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    stack.gunicorn = process
    _wait_for_http(stack, process, stack.gunicorn_log)


def stop_gunicorn(stack: Stack) -> None:
    if stack.gunicorn is not None and stack.gunicorn.poll() is None:
        stack.gunicorn.terminate()
        stack.gunicorn.wait(timeout=120)
    stack.gunicorn = None


def start_worker(stack: Stack) -> None:
    with stack.worker_log.open("ab") as output:
        stack.worker = subprocess.Popen(
            [str(BIN / "surveyapp"), "worker"], cwd=stack.folder, env=stack.env, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_worker(stack: Stack) -> None:
    if stack.worker is not None and stack.worker.poll() is None:
        stack.worker.terminate()
        try:
            stack.worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            stack.worker.kill()
            stack.worker.wait(timeout=30)
    stack.worker = None


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not TEST_DATABASE_URL:
        _unavailable("PostgreSQL (SURVEYAPP_TEST_DATABASE_URL)")
    folder = tmp_path_factory.mktemp("stack")
    (folder / "instance").mkdir()
    database_url = _fresh_database(TEST_DATABASE_URL, "stack")
    redis_process, redis_port = _start_redis(folder)
    mail = start_server(Recorder())
    parsed = make_url(database_url)
    postgres_proxy = FaultProxy(parsed.port or 5432, parsed.host or "127.0.0.1")
    redis_proxy = FaultProxy(redis_port)
    smtp_proxy = FaultProxy(mail.port)
    port = free_port()
    app_url = parsed.set(host="127.0.0.1", port=postgres_proxy.port).render_as_string(hide_password=False)
    env = stack_env(
        folder, port=port, database_url=app_url, redis_port=redis_proxy.port, smtp_port=smtp_proxy.port
    )
    running = Stack(
        port=port, env=env, folder=folder, database_url=_postgres_conninfo(database_url),
        postgres=postgres_proxy, redis=redis_proxy, smtp=smtp_proxy, mail=mail,
    )  # fmt: skip
    try:
        running.cli("init-db")
        running.cli("demo", SURVEYAPP_ENV="development")
        start_worker(running)
        start_gunicorn(running)
        yield running
    finally:
        stop_gunicorn(running)
        stop_worker(running)
        for proxy in (postgres_proxy, redis_proxy, smtp_proxy):
            proxy.close()
        mail.controller.stop()
        redis_process.terminate()
        redis_process.wait(timeout=30)
        _drop_database(database_url)


@pytest.fixture
def services_up(stack: Stack) -> Iterator[Stack]:
    """The stack, with every proxy forwarding before and after the test (a failed test leaves none cut)."""
    for proxy in (stack.postgres, stack.redis, stack.smtp):
        proxy.restore()
    yield stack
    for proxy in (stack.postgres, stack.redis, stack.smtp):
        proxy.restore()


DEMO_PASSWORDS = {
    "admin@demo.example": "demo-admin-password",
    "researcher@demo.example": "demo-researcher-password",
    "accountteam@demo.example": "demo-accountteam-password",
    "sales@demo.example": "demo-sales-password",
}


def logged_in(stack: Stack, email: str) -> Browser:
    browser = stack.browser()
    browser.login(email, DEMO_PASSWORDS[email])
    return browser


def links_in(message: Any) -> list[str]:
    """The addresses in an email's plain-text part."""
    body = message.get_body(preferencelist=("plain",))
    return LINK.findall(body.get_content() if body is not None else "")
