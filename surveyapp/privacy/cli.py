"""`surveyapp erase contact EMAIL [--supplier NAME] [--yes]` and `surveyapp export contact EMAIL`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.privacy.retention import folders
from surveyapp.privacy.services import PrivacyError, erase_contact, export_contact_data, export_json
from surveyapp.studies.models import Supplier


def _supplier(name: str | None) -> Supplier | None:
    if name is None:
        return None
    found = db.session.scalar(select(Supplier).where(Supplier.name == name))
    if found is None:
        raise click.ClickException(f"unknown supplier {name!r}")
    return found


@click.group("erase")
def erase() -> None:
    """Erase personal data (the right to erasure)."""


@erase.command("contact")
@click.argument("email")
@click.option("--supplier", "supplier_name", help="Only this supplier's contact (default: every supplier).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_contact_command(email: str, supplier_name: str | None, yes: bool) -> None:
    """Erase a contact's name, email, free text, notes and quotes (scores stay where the study allows it)."""
    supplier = _supplier(supplier_name)
    try:
        # Checked before asking: a typo is reported, not confirmed.
        export_contact_data(session=db.session, email=email, supplier=supplier)
    except PrivacyError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes and not click.confirm(
        f"Erase every personal detail of {email.strip()}? This cannot be undone"
    ):
        raise click.ClickException("nothing erased")
    outbox_dir, upload_dir = folders(current_app.config)
    summary = erase_contact(
        session=db.session,
        email=email,
        actor_label="cli",
        supplier=supplier,
        outbox_dir=outbox_dir,
        upload_dir=upload_dir,
    )
    db.session.commit()
    click.echo(
        f"erased {len(summary.contacts)} contact(s): {summary.free_text_answers} open answers, "
        f"{summary.deleted_responses} responses deleted, {summary.interviews} interviews, "
        f"{summary.outbox_messages} emails, {summary.outbox_files + summary.upload_files} files, "
        f"{summary.withdrawn_reports} reports withdrawn ({summary.requeued_reports} queued again)"
    )


@click.command("contact")
@click.argument("email")
@click.option("--supplier", "supplier_name", help="Only this supplier's contact (default: every supplier).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="The file (default: stdout)."
)
@with_appcontext
def export_contact_command(email: str, supplier_name: str | None, output: str | None) -> None:
    """Export everything held about one person as JSON (the rights of access and portability)."""
    supplier = _supplier(supplier_name)
    try:
        document = export_contact_data(session=db.session, email=email, supplier=supplier)
    except PrivacyError as exc:
        raise click.ClickException(str(exc)) from None
    content = export_json(document)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        try:
            Path(output).write_bytes(content)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    db.session.rollback()
