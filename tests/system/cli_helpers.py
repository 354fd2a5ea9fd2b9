"""Running the installed `surveyapp` console script the way its users run it, for test_readme_commands.py.

A `Step` is one command line run in a subprocess against an *instance* (a folder of its own for
`SURVEYAPP_INSTANCE_PATH`, and a PostgreSQL database of its own when the suite runs on PostgreSQL). The steps
of one instance run in *stages*, one after the other; the steps of a stage marked side by side may run at the
same time (they only read, or change nothing the others look at). Two instances run at the same time. That
keeps the file's run time near the sum of the commands' CPU time over two cores: each command starts a fresh
Python that imports the app (about four seconds), and the README shows about thirty of them.

Nothing here knows about the README: the table of steps is in the test module.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psycopg
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
PROJECT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 300  # a safety net for a hung command on a loaded machine, not a timing check
SIDE_BY_SIDE = 2  # commands of one side-by-side stage run at once (the machine has two cores)
# How a documented line names the console script: the README's venv path, the Makefile's, or the bare name.
SCRIPTS = {".venv/bin/surveyapp": BIN / "surveyapp", "$(BIN)/surveyapp": BIN / "surveyapp"}
PROGRAMS = {"surveyapp": BIN / "surveyapp", "flask": BIN / "flask"}
# A server is stopped with Ctrl+C (SIGINT), as its user would. A shell that starts the test run in the background
# (`cmd &`, as CI may) makes every process it starts ignore SIGINT, and Python keeps an ignored SIGINT ignored:
# so the server's command is exec'ed with SIGINT back at its default, as in a terminal.
WITH_CTRL_C = (
    "import os, signal as s, sys; s.signal(s.SIGINT, s.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
)


@dataclass(frozen=True)
class Outcome:
    """What a command did: exit status, output, and (for a server) the answer to the request made to it."""

    status: int
    stdout: str
    stderr: str
    cwd: Path
    postgres: bool
    seconds: float
    served: tuple[int, str] | None = None
    skipped: str | None = None

    def file(self, name: str) -> Path:
        return self.cwd / name


Check = Callable[[Outcome, Mapping[str, Outcome]], None]


@dataclass(frozen=True)
class Step:
    """One command line and what it must do.

    `shown` is the line exactly as the README (or the Makefile) shows it, None for a command the README only
    describes; `also_shown`, other documented lines this same run covers; `run` is what runs instead when it
    differs (default: `shown`). `substitute` replaces text of the
    line before it is split like a shell would; the placeholders `{cwd}` (the instance's working folder),
    `{today}`, `{next_year}` (today + 365 days, ISO dates) and `{port}` (a free TCP port) are filled in then.
    `files` are written to the working folder first. `serve` is a path to GET while the command keeps running
    (a server), which is then stopped with SIGINT, like Ctrl+C. `redis` runs it with SURVEYAPP_REDIS_URL set.
    Expected: `status`; `stdout` exactly (a str) or matching as a whole (a compiled pattern); `stderr` exactly
    (when not None); `check` for anything else (files written, JSON, another step's output).
    """

    id: str
    stage: str
    shown: str | None
    also_shown: tuple[str, ...] = ()
    run: str | None = None
    substitute: tuple[tuple[str, str], ...] = ()
    stdin: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    serve: str | None = None
    redis: bool = False
    status: int = 0
    stdout: str | re.Pattern[str] | None = None
    stderr: str | None = None
    check: Check | None = None

    def line(self, placeholders: Mapping[str, str]) -> str:
        line = self.run if self.run is not None else self.shown
        assert line is not None, f"step {self.id} has nothing to run"
        for old, new in self.substitute:
            assert old in line, f"step {self.id}: {old!r} is not in {line!r}"
            line = line.replace(old, new)
        return fill(line, placeholders)

    def argv(self, placeholders: Mapping[str, str]) -> list[str]:
        words = shlex.split(self.line(placeholders))
        program = SCRIPTS.get(words[0]) or PROGRAMS.get(words[0])
        assert program is not None, f"step {self.id}: {words[0]!r} is not a program these tests run"
        return [str(program), *words[1:]]


def fill(text: str, placeholders: Mapping[str, str]) -> str:
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", value)
    return text


@dataclass(frozen=True)
class Lane:
    """One instance and its stages, in order; the stages in `side_by_side` run their steps concurrently."""

    name: str
    stages: tuple[str, ...]
    side_by_side: frozenset[str] = frozenset()


@dataclass
class Instance:
    name: str
    folder: Path
    database_url: str | None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def cwd(self) -> Path:
        return self.folder / "work"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_environment(instance: Instance) -> dict[str, str]:
    """The caller's environment without any SURVEYAPP_ or FLASK_ setting, plus the instance's, as `make run` has it."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("SURVEYAPP_", "FLASK_"))
    }
    environment["SURVEYAPP_ENV"] = "development"
    environment["SURVEYAPP_INSTANCE_PATH"] = str(instance.folder / "instance")
    if instance.database_url:
        environment["SURVEYAPP_DATABASE_URL"] = instance.database_url
    return environment


# ---- PostgreSQL: a database of its own per instance, next to the test database -------------------------------


def _admin_conninfo(url: str) -> str:
    return (
        make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    )


def fresh_postgres_database(test_database_url: str, suffix: str) -> str:
    url = make_url(test_database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{suffix}"
    with psycopg.connect(_admin_conninfo(test_database_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


# ---- Redis ---------------------------------------------------------------------------------------------------


def redis_reachable(url: str) -> str | None:
    """None when Redis answers at `url`, else why not."""
    connection = Redis.from_url(url, socket_connect_timeout=5)
    try:
        connection.ping()
    except RedisError as exc:
        return f"no Redis at {url}: {exc}"
    finally:
        connection.close()
    return None


def flush_redis(url: str) -> None:
    connection = Redis.from_url(url)
    try:
        connection.flushdb()
    finally:
        connection.close()


# ---- running ---------------------------------------------------------------------------------------------------


def _placeholders(instance: Instance) -> dict[str, str]:
    today = date.today()
    return {
        "cwd": str(instance.cwd),
        "today": today.isoformat(),
        "next_year": (today + timedelta(days=365)).isoformat(),
        "port": str(free_port()),
    }


def _get(url: str, deadline: float, process: subprocess.Popen[str]) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a loopback URL we made)
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode("utf-8", "replace")
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                return 0, "no answer"
            time.sleep(0.2)


@dataclass(frozen=True)
class RedisAccess:
    """The Redis database the steps marked `redis` use, or why there is none."""

    url: str
    unreachable: str | None


def run_step(step: Step, instance: Instance, redis: RedisAccess) -> Outcome:
    """Run one step in its instance and return what it did (or why it was skipped)."""
    placeholders = _placeholders(instance)
    postgres = instance.database_url is not None
    if step.redis and redis.unreachable:
        return Outcome(0, "", "", instance.cwd, postgres, 0.0, skipped=redis.unreachable)
    for name, content in step.files:
        (instance.cwd / name).write_text(content, encoding="utf-8")
    environment = base_environment(instance)
    environment.update({name: fill(value, placeholders) for name, value in step.env})
    if step.redis:
        environment["SURVEYAPP_REDIS_URL"] = redis.url
    argv = step.argv(placeholders)
    started = time.monotonic()
    if step.serve is None:
        try:
            finished = subprocess.run(
                argv,
                cwd=instance.cwd,
                env=environment,
                input=step.stdin if step.stdin is not None else "",
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = [
                text if isinstance(text, str) else (text or b"").decode("utf-8", "replace")
                for text in (exc.stdout, exc.stderr)
            ]
            message = f"\n(killed after {COMMAND_TIMEOUT} seconds)"
            return Outcome(-9, output[0], output[1] + message, instance.cwd, postgres, COMMAND_TIMEOUT)
        return Outcome(
            finished.returncode,
            finished.stdout,
            finished.stderr,
            instance.cwd,
            postgres,
            time.monotonic() - started,
        )
    process = subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, *argv],
        cwd=instance.cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        served = _get(
            f"http://127.0.0.1:{placeholders['port']}{step.serve}", started + COMMAND_TIMEOUT, process
        )
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl+C, as under `make run`
        stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return Outcome(
        process.returncode, stdout, stderr, instance.cwd, postgres, time.monotonic() - started, served
    )


def run_lanes(
    lanes: Sequence[tuple[Lane, Instance]], steps: Sequence[Step], redis: RedisAccess
) -> dict[str, Outcome]:
    """Run every step of every lane: the lanes at the same time, each lane's stages in order."""
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()

    def run_one(step: Step, instance: Instance) -> None:
        outcome = run_step(step, instance, redis)
        with lock:
            outcomes[step.id] = outcome

    def run_lane(lane: Lane, instance: Instance) -> None:
        instance.cwd.mkdir(parents=True, exist_ok=True)
        for stage in lane.stages:
            staged = [step for step in steps if step.stage == stage]
            if stage in lane.side_by_side:
                with ThreadPoolExecutor(SIDE_BY_SIDE, thread_name_prefix=stage) as pool:
                    for future in [pool.submit(run_one, step, instance) for step in staged]:
                        future.result()
            else:
                for step in staged:
                    run_one(step, instance)

    with ThreadPoolExecutor(len(lanes), thread_name_prefix="lane") as pool:
        for future in [pool.submit(run_lane, lane, instance) for lane, instance in lanes]:
            future.result()
    return outcomes
