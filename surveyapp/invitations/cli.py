"""Commands: `surveyapp tick`, `surveyapp invitations send --study SLUG`, `surveyapp reminders send`.

Output is one line per fact, so cron mail and logs stay readable; an error is one line on stderr, exit 1.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.invitations.planning import InvitationError
from surveyapp.invitations.sending import QueueReport


def _echo_queue(report: QueueReport, what: str) -> None:
    audiences = ", ".join(f"{name} {n}" for name, n in sorted(report.by_audience.items()))
    click.echo(
        f"{what}: {report.invitations} queued in {report.emails} emails"
        + (f" ({audiences})" if audiences else "")
    )
    if report.already:
        click.echo(f"already queued before: {report.already}")
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.contact.email or skipped.contact.label}: {skipped.reason}")
    for note in report.notes:
        click.echo(f"note: {note}")


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Do the scheduled work that is due (for cron): expire invitations, queue reminders, deliver mail."""
    from surveyapp.jobs.tasks import tick as run_tick

    for line in run_tick().lines():
        click.echo(line)


@click.group("invitations")
def invitations() -> None:
    """Send a study's invitations."""


@invitations.command("send")
@click.option("--study", "study_slug", required=True, help="The study's short name.")
@with_appcontext
def invitations_send(study_slug: str) -> None:
    """Queue the invitations that are due in the study's phase, then deliver them before returning."""
    from surveyapp.jobs.tasks import send_study_invitations
    from surveyapp.studies.models import Study

    study_id = db.session.scalar(select(Study.id).where(Study.slug == study_slug))
    if study_id is None:
        raise click.ClickException(f"unknown study {study_slug!r}")
    try:
        queued, delivered = send_study_invitations(study_id=study_id, actor_label="cli")
    except InvitationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(
            "another process is sending this study's invitations right now; try again"
        ) from None
    _echo_queue(queued, "invitations")
    click.echo(delivered.line())


@click.group("reminders")
def reminders() -> None:
    """Remind non-responders."""


@reminders.command("send")
@with_appcontext
def reminders_send() -> None:
    """Queue every study's reminders that are due on its schedule, then deliver them before returning."""
    from surveyapp.jobs.tasks import deliver_outbox, queue_reminders

    try:
        report = queue_reminders()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("another process is queuing reminders right now; try again") from None
    _echo_queue(report, "reminders")
    click.echo(deliver_outbox().line())


COMMANDS = (tick, invitations, reminders)
