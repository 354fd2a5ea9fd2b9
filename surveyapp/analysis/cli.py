"""The `surveyapp analysis` commands: the analysis of a study as JSON or a table, and `rescore`.

This package never imports Flask (DESIGN.md), so these commands cannot say `with_appcontext` themselves:
surveyapp/cli.py registers them with it (`_in_app_context`), for the group and each subcommand. Errors are one
line on stderr with exit status 1 (click's `Error: ...`).
"""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from surveyapp.analysis.rescore import RescoreError, repin, rescore
from surveyapp.analysis.service import AnalysisError, analysis_document, current_scoring
from surveyapp.analysis.table import render_table
from surveyapp.extensions import db
from surveyapp.questionnaires.services import VersionNotFound
from surveyapp.studies.models import Study


def _study(slug: str) -> Study:
    study = db.session.scalar(select(Study).where(Study.slug == slug))
    if study is None:
        raise click.ClickException(f"unknown study {slug!r}")
    return study


@click.group("analysis", invoke_without_command=True)
@click.option("--study", "study_slug", default=None, help="The study's short name.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
    help="json: the analysis document; table: a readable summary.",
)
@click.pass_context
def analysis(ctx: click.Context, study_slug: str | None, output: str) -> None:
    """Analyse a study: fit per account, gaps, quadrants, signals, cost of mismatch, drift."""
    if ctx.invoked_subcommand is not None:
        return
    if study_slug is None:
        raise click.UsageError("Missing option '--study'.")
    study = _study(study_slug)
    try:
        document = analysis_document(session=db.session, study=study, current=current_scoring())
    except (AnalysisError, VersionNotFound) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.session.rollback()
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(document), nl=False)


@analysis.command("rescore")
@click.option("--study", "study_slug", required=True, help="The study's short name.")
@click.option(
    "--repin",
    "repin_first",
    is_flag=True,
    help="First pin the current files' questionnaire and scoring versions (a deliberate, audited change).",
)
def analysis_rescore(study_slug: str, repin_first: bool) -> None:
    """Rebuild every answer's score, dimension and weight from the study's pinned versions."""
    from surveyapp.questionnaires.runtime import catalogue

    study = _study(study_slug)
    try:
        repinned = (
            repin(session=db.session, study=study, catalogue=catalogue(), actor_label="cli")
            if repin_first
            else []
        )
        report = rescore(session=db.session, study=study, actor_label="cli")
    except (RescoreError, VersionNotFound, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    report.repinned = repinned
    for line in report.lines():
        click.echo(line)


@analysis.command("check-sums")
@click.option("--repair", is_flag=True, help="Recompute both summaries from the answers (one transaction).")
def analysis_check_sums(repair: bool) -> None:
    """Compare the answer summaries the analysis reads with a recomputation from the answers.

    `response_dimension_sums` and `account_item_sums` are kept by database triggers; a row can only go wrong
    if someone wrote the tables by hand or disabled the triggers. Exit status 1 when a row differs and
    `--repair` was not given.
    """
    from surveyapp.responses import item_sums, unit_sums

    connection = db.session.connection()
    stale = {
        "response_dimension_sums": len(unit_sums.stale_units(connection)),
        "account_item_sums": len(item_sums.stale_item_sums(connection)),
    }
    for table, count in stale.items():
        click.echo(f"{table}: {count} row(s) differ from the answers" if count else f"{table}: exact")
    if not any(stale.values()):
        db.session.rollback()
        return
    if not repair:
        db.session.rollback()
        raise click.ClickException("run `surveyapp analysis check-sums --repair` to recompute them")
    unit_sums.install(connection, refill=True)
    item_sums.install(connection, refill=True)
    db.session.commit()
    click.echo("recomputed both summaries from the answers")
