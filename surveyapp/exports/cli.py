"""`surveyapp export --study SLUG --format csv|xlsx|json [--what answers|analysis|themes] -o FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from surveyapp.exports.services import FORMATS, WHATS, ExportError, build_export, check_request, record_export
from surveyapp.extensions import db
from surveyapp.studies.models import Study


@click.group("export", invoke_without_command=True)
@click.option("--study", "study_slug", help="The study's short name.")
@click.option("--format", "fmt", help=f"{', '.join(FORMATS)}.")
@click.option("--what", default="answers", show_default=True, help=f"{', '.join(WHATS)}.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="The file.")
@with_appcontext
def export(study_slug: str | None, fmt: str | None, what: str, output: str | None) -> None:
    """Export a study's answers (the responses-import format), analysis tables or coded themes to a file.

    With --format csv, the analysis is a zip with one CSV file per table. `export contact EMAIL` exports what
    is held about one person instead.
    """
    if click.get_current_context().invoked_subcommand is not None:
        if study_slug or fmt or output:
            raise click.UsageError("--study, --format and -o belong to a study export, not to a subcommand")
        return
    for value, option in ((study_slug, "--study"), (fmt, "--format"), (output, "-o")):
        if not value:
            raise click.UsageError(f"Missing option '{option}'.")
    try:
        check_request(what=what, fmt=fmt)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    study = db.session.scalar(select(Study).where(Study.slug == study_slug))
    if study is None:
        raise click.ClickException(f"unknown study {study_slug!r}")
    made = build_export(session=db.session, study=study, what=what, fmt=fmt)
    target = Path(output)
    # Written next to the target and renamed at the end: a failed export leaves no half-written file.
    partial = target.with_name(f".{target.name}.part")
    try:
        with partial.open("wb") as handle:
            for chunk in made.chunks:
                handle.write(chunk)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    record_export(session=db.session, study=study, what=what, fmt=fmt, actor_label="cli")
    db.session.commit()
    click.echo(f"exported {what} of {study.slug} as {fmt} to {output}")
