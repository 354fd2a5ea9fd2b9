"""`surveyapp worker [--queues default,reports] [--burst]`: an RQ worker for the jobs `tick` and the web app enqueue.

It runs only in rq mode (`SURVEYAPP_REDIS_URL` set). Each job runs in a forked work horse, in an app context of
its own; report renders still start the renderer child with its time and memory limits. The worker also runs
RQ's scheduler, which puts failed jobs back on their queue after their retry interval.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError
from rq import Worker

from surveyapp.jobs.queue import QUEUES, queue, redis_connection, use_app


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
    rq_worker = Worker([queue(name, connection=connection) for name in names], connection=connection)
    rq_worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
