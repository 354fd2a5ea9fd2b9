"""`surveyapp worker [--queues default,reports] [--burst]`: an RQ worker for the jobs `tick` and the web app enqueue.

It runs only in rq mode (`SURVEYAPP_REDIS_URL` set). Each job runs in a forked work horse, in an app context of
its own; report renders still start the renderer child with its time and memory limits. The worker also runs
RQ's scheduler, which puts failed jobs back on their queue after their retry interval.

Losing Redis does not end the service: the command is a small supervisor around one RQ worker process. It
checks Redis every few seconds; when Redis stops answering it stops that RQ worker (which cannot do anything
useful without Redis, and may hang in its own clean-up), says so in one line, waits for Redis to answer
again and starts a new one. Jobs lost with Redis are enqueued again by the next `tick`: the work itself is
in the database. SIGTERM (systemd's stop) is passed on, so a job in progress finishes first. A `--burst` run
has no supervisor: it works in this process and ends with an error if Redis goes away.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from surveyapp.jobs.queue import QUEUES, queue, redis_connection, use_app

#: Seconds between two checks that Redis answers (while working, and while waiting for it to come back).
CHECK_SECONDS = 2.0
#: Checks that must fail in a row before the RQ worker is stopped (one slow answer is not an outage).
FAILED_CHECKS = 2
#: Seconds the RQ worker gets to stop on its own when Redis is gone, before it is killed.
STOP_SECONDS = 10.0


def parse_queues(text: str) -> list[str]:
    """The queue names of `--queues`, checked; a ClickException names the wrong one."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise click.BadParameter(f"name at least one queue: {', '.join(QUEUES)}", param_hint="--queues")
    for name in names:
        if name not in QUEUES:
            raise click.BadParameter(
                f"unknown queue {name!r}: choose from {', '.join(QUEUES)}", param_hint="--queues"
            )
    return list(dict.fromkeys(names))


@click.command("worker")
@click.option(
    "--queues",
    "queue_names",
    default=",".join(QUEUES),
    show_default=True,
    help="Comma-separated queues to work on, in order of priority.",
)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty (for tests and one-off runs).")
@with_appcontext
def worker(queue_names: str, burst: bool) -> None:
    """Run background jobs from the Redis queues (needs SURVEYAPP_REDIS_URL)."""
    names = parse_queues(queue_names)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["JOBS_MODE"] != "rq":
        raise click.ClickException(
            "surveyapp worker needs SURVEYAPP_REDIS_URL (and SURVEYAPP_JOBS_MODE unset or rq); "
            f"the jobs mode is {app.config['JOBS_MODE']!r}"
        )
    connection = redis_connection(app.config)
    try:
        connection.ping()
    except RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {app.config['REDIS_URL']}: {exc}") from None
    use_app(app)  # the work horses forked from this process run their jobs in this app
    if burst:
        _work(app, names, burst=True)
        return
    _supervise(app, names, connection)


def _work(app: Flask, names: list[str], *, burst: bool) -> None:
    """One RQ worker on the named queues, in this process."""
    connection = redis_connection(app.config)
    rq_worker = Worker([queue(name, connection=connection) for name in names], connection=connection)
    try:
        rq_worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    except RedisError as exc:
        raise click.ClickException(f"lost Redis at {app.config['REDIS_URL']}: {exc}") from None


def _child(app: Flask, names: list[str]) -> None:
    # A new process: the default signal handlers (RQ installs its own), and its own connections.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        _work(app, names, burst=False)
    except click.ClickException as exc:
        click.echo(f"surveyapp worker: {exc.message}", err=True)
        os._exit(1)


def _answers(connection: Redis) -> bool:
    try:
        connection.ping()
    except RedisError:
        return False
    return True


def _supervise(app: Flask, names: list[str], connection: Redis) -> None:
    stopping: dict[str, Any] = {"signal": None}
    context = multiprocessing.get_context("fork")
    child: Any = None

    def stop(signum: int, _frame: Any) -> None:
        stopping["signal"] = signum
        # SIGTERM is passed on (RQ's warm shutdown: the job in progress finishes). A terminal's Ctrl+C reaches
        # the RQ worker itself already: a second signal would make RQ abandon the job.
        if signum == signal.SIGTERM and child is not None and child.is_alive():
            os.kill(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while stopping["signal"] is None:
        child = context.Process(target=_child, args=(app, names), name="rq-worker")
        child.start()
        failures = 0
        stopped_here = False
        while child.is_alive() and stopping["signal"] is None:
            child.join(CHECK_SECONDS)
            failures = 0 if _answers(connection) else failures + 1
            if failures >= FAILED_CHECKS:
                click.echo("surveyapp worker: lost Redis; stopping the RQ worker until it is back", err=True)
                _stop(child)
                stopped_here = True
        if stopping["signal"] is not None:
            child.join()
            return
        if not stopped_here:
            # RQ ends its worker itself when Redis goes away in the middle of a job: say so in one line.
            click.echo(f"surveyapp worker: the RQ worker ended (exit status {child.exitcode})", err=True)
        if child.exitcode not in (0, None) and _answers(connection):
            # It failed for another reason than Redis: do not restart it in a tight loop.
            time.sleep(CHECK_SECONDS)
        while not _answers(connection) and stopping["signal"] is None:
            time.sleep(CHECK_SECONDS)
        if stopping["signal"] is None:
            click.echo("surveyapp worker: Redis answers; starting the RQ worker again", err=True)


def _stop(child: Any) -> None:
    os.kill(child.pid, signal.SIGTERM)
    child.join(STOP_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
