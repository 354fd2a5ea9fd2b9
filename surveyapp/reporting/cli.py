"""`surveyapp report account|portfolio`: make a report and write the PDF to a file.

The rendering still happens in the renderer child with its time and memory limits; the command waits for it.
The report is stored like one requested on the web (a new version, created by "cli"), not approved.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from surveyapp.enums import Language
from surveyapp.extensions import db
from surveyapp.reporting import failures
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import ReportError, request_report
from surveyapp.reporting.settings import report_settings
from surveyapp.studies.models import Account, Study

LANGUAGE = click.Choice([language.value for language in Language])


@click.group("report")
def report() -> None:
    """Make PDF reports (account or portfolio) from the command line."""


def _study(slug: str) -> Study:
    study = db.session.scalar(select(Study).where(Study.slug == slug))
    if study is None:
        raise click.ClickException(f"unknown study {slug!r}")
    return study


def _make(study: Study, kind: ReportKind, account: Account | None, language: str | None, output: str) -> None:
    from flask import current_app

    from surveyapp.jobs.render import run_render

    target = Path(output)
    if not target.parent.is_dir():  # checked first: rendering takes a while, and would be in vain
        raise click.ClickException(f"cannot write {output}: folder {target.parent} does not exist")
    try:
        made = request_report(
            session=db.session,
            study=study,
            kind=kind,
            account=account,
            language=Language(language) if language else None,
            actor_label="cli",
        )
    except ReportError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    report_id = made.id  # before the commit: reading it afterwards would start a transaction (a SQLite lock)
    db.session.commit()
    outcome = run_render(report_id)
    db.session.expire_all()
    stored = db.session.get(Report, report_id)
    if not outcome.ok or stored is None or stored.status is not ReportStatus.READY or stored.pdf is None:
        settings = report_settings(current_app.config)
        code = stored.failure_code if stored is not None else outcome.code
        detail = stored.failure_detail if stored is not None else outcome.detail
        raise click.ClickException(
            failures.describe(code, detail, time_limit=settings.time_limit, memory_mb=settings.memory_mb)
        )
    try:
        target.write_bytes(stored.pdf)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {output}: {exc.strerror} (the report is kept as report {report_id})"
        ) from None
    summary = f"{stored.pages} pages, {stored.size} bytes, sha256 {stored.sha256}"
    click.echo(f"wrote {output}: {summary} (report {report_id})")


@report.command("account")
@click.option("--study", "study_slug", required=True, help="The study's short name (slug).")
@click.option("--account", "account_name", required=True, help="The account's name.")
@click.option("--language", type=LANGUAGE, default=None, help="nl or en (default: the supplier's language).")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="PDF file."
)
@with_appcontext
def report_account(study_slug: str, account_name: str, language: str | None, output: str) -> None:
    """The account report of one account."""
    study = _study(study_slug)
    account = db.session.scalar(
        select(Account).where(
            Account.supplier_id == study.supplier_id, func.lower(Account.name) == account_name.strip().lower()
        )
    )
    if account is None:
        raise click.ClickException(f"unknown account {account_name!r} of {study.supplier.name}")
    _make(study, ReportKind.ACCOUNT, account, language, output)


@report.command("portfolio")
@click.option("--study", "study_slug", required=True, help="The study's short name (slug).")
@click.option("--language", type=LANGUAGE, default=None, help="nl or en (default: the supplier's language).")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="PDF file."
)
@with_appcontext
def report_portfolio(study_slug: str, language: str | None, output: str) -> None:
    """The portfolio report of a study (all accounts)."""
    _make(_study(study_slug), ReportKind.PORTFOLIO, None, language, output)
