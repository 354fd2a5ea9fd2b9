"""`surveyapp questionnaires check [PATH...]` and `surveyapp questionnaires list`.

Also `python -m surveyapp.questionnaires [PATH...]` (the check), usable without an app or a database.
"""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.questionnaires.errors import QuestionnaireError
from surveyapp.questionnaires.loader import check_paths, default_directory, display_path, load_directory


@click.group("questionnaires")
def questionnaires() -> None:
    """Check and list questionnaire files."""


def run_check(paths: tuple[Path, ...]) -> int:
    """Check the paths (default: the questionnaire folder), print the outcome, return the exit status."""
    result = check_paths(list(paths) or [default_directory()])
    for summary in result.summaries:
        click.echo(summary)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(error, err=True)
    return 0 if result.ok else 1


@questionnaires.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def check(context: click.Context, paths: tuple[Path, ...]) -> None:
    """Check questionnaire files or folders (default: the questionnaire folder).

    Prints one OK line per valid file; every error goes to stderr as PATH:LINE: MESSAGE, and the exit
    status is 1 when there is any. Warnings are printed as `warning: ...` and do not fail the check.
    """
    context.exit(run_check(paths))


@questionnaires.command("list")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_context
def list_questionnaires(context: click.Context, path: Path | None) -> None:
    """List the questionnaires of a folder: slug, phase, purpose, perspective and version."""
    directory = path or default_directory()
    try:
        catalogue = load_directory(directory)
    except QuestionnaireError as error:
        for message in error.messages:
            click.echo(message, err=True)
        context.exit(1)
    rows = [("slug", "phase", "purpose", "perspective", "version")] + [
        (q.slug, q.phase.value, q.purpose.value, q.perspective.value, q.version[:12]) for q in catalogue
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    click.echo(f"scoring v{catalogue.scoring.version[:12]} ({display_path(directory)})")
