"""The `surveyapp` command (also reachable as `flask --app surveyapp`)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from surveyapp.app import create_app
from surveyapp.config import ConfigError
from surveyapp.enums import Language, Role
from surveyapp.extensions import db


class CommandGroup(FlaskGroup):
    """Flask's command group, whose help lists the commands without a traceback when the app cannot start.

    FlaskGroup starts the app to list the commands it adds (flask-migrate's `db`) and prints a traceback under
    the help when that fails; unusable settings (production without a secret key) are one line instead, and
    the help lists the commands of this group.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()  # kept by ScriptInfo: FlaskGroup does not start it again
        except ConfigError as exc:
            click.echo(f"surveyapp: {exc}", err=True)
            self._load_plugin_commands()
            return sorted(self.commands)
        return super().list_commands(ctx)


@click.group(cls=CommandGroup, create_app=create_app, load_dotenv=False, add_version_option=False)
def cli() -> None:
    """surveyapp: research on B2B client fit."""


# Flask's own commands (run, shell, routes): `flask --app surveyapp` has them already.
_FLASK_COMMANDS = frozenset(cli.commands)


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest version."""
    from flask_migrate import upgrade

    try:
        upgrade()
    except DBAPIError as exc:
        # All revisions run in one transaction (migrations/env.py): a failure anywhere undoes every step.
        raise click.ClickException(
            f"cannot migrate the database (it is left at its previous version): {exc.orig}"
        ) from None
    click.echo("database is at the newest schema version")


@cli.command("backup")
@click.option(
    "--to", "target", required=True, type=click.Path(dir_okay=False, writable=True),
    help="The backup file to write (must not exist yet).",
)  # fmt: skip
@with_appcontext
def backup(target: str) -> None:
    """Back up the database while the app runs: SQLite's online backup, or pg_dump's custom format."""
    from surveyapp.core.backup import BackupError, backup_database

    try:
        written = backup_database(url=current_app.config["SQLALCHEMY_DATABASE_URI"], target=target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {target} ({written:,} bytes)")


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data (idempotent) and print the demo logins."""
    from surveyapp.demo import DemoError, load_demo

    try:
        from surveyapp.questionnaires.runtime import catalogue

        logins = load_demo(session=db.session, config=current_app.config, catalogue=catalogue())
    except DemoError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo("demo data loaded; log in at " + current_app.config["BASE_URL"].rstrip("/") + "/login with:")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email}  password: {login.password}")


@cli.group("users")
def users() -> None:
    """Manage users."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--supplier", "supplier_names", multiple=True, help="Supplier the user may see (repeatable).")
@click.option("--name", default="", help="Display name.")
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default=None)
@click.option(
    "--link", is_flag=True, help="Print a one-time password-set link instead of reading a password."
)
@with_appcontext
def users_create(
    email: str, role: str, supplier_names: tuple[str, ...], name: str, language: str | None, link: bool
) -> None:
    """Create a user; the password is read from a prompt, or from stdin when it is not a terminal."""
    from flask import url_for

    from surveyapp.auth import services
    from surveyapp.auth.passwords import hasher_from_config
    from surveyapp.studies.models import Supplier

    suppliers = []
    for supplier_name in supplier_names:
        supplier = db.session.scalar(select(Supplier).where(Supplier.name == supplier_name))
        if supplier is None:
            raise click.ClickException(f"unknown supplier {supplier_name!r}")
        suppliers.append(supplier)
    password = None if link else _read_password()
    try:
        user = services.create_user(
            session=db.session,
            email=email,
            role=Role(role),
            name=name,
            suppliers=suppliers,
            language=Language(language) if language else None,
            password=password,
            hasher=hasher_from_config(current_app.config),
            actor_label="cli",
        )
        issued = (
            services.issue_password_token(
                session=db.session, user=user, purpose="set", hours=current_app.config["PASSWORD_TOKEN_HOURS"]
            )
            if link
            else None
        )
    except services.UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")
    if issued is not None:
        with current_app.test_request_context():
            path = url_for("auth.set_password_link", token=issued.token)
        click.echo("password link (works once): " + current_app.config["BASE_URL"].rstrip("/") + path)


@cli.group("suppliers")
def suppliers() -> None:
    """Manage suppliers."""


@suppliers.command("create")
@click.argument("name")
@click.option(
    "--language", type=click.Choice([lang.value for lang in Language]), default="nl", show_default=True
)
@with_appcontext
def suppliers_create(name: str, language: str) -> None:
    """Create a supplier."""
    from surveyapp.studies.services import StudyError, create_supplier

    try:
        supplier = create_supplier(
            session=db.session, name=name, report_language=Language(language), actor_label="cli"
        )
    except StudyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created supplier {supplier.name} (id {supplier.id})")


@cli.group("studies")
def studies() -> None:
    """Set up studies and move them through their phases."""


def _study(slug: str):  # type: ignore[no-untyped-def]
    from surveyapp.studies.models import Study

    study = db.session.scalar(select(Study).where(Study.slug == slug))
    if study is None:
        raise click.ClickException(f"unknown study {slug!r}")
    return study


@studies.command("create")
@click.argument("slug")
@click.option("--supplier", "supplier_name", required=True, help="The supplier's name.")
@click.option("--name", required=True, help="The study's name.")
@click.option(
    "--questionnaire",
    "questionnaires",
    multiple=True,
    help="Questionnaire slug (repeatable); default: the standard set.",
)
@click.option("--previous", default=None, help="Slug of the previous wave.")
@click.option(
    "--deadline",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day to answer (YYYY-MM-DD).",
)
@click.option("--time-zone", default="Europe/Amsterdam", show_default=True)
@with_appcontext
def studies_create(
    slug: str,
    supplier_name: str,
    name: str,
    questionnaires: tuple[str, ...],
    previous: str | None,
    deadline,
    time_zone: str,  # type: ignore[no-untyped-def]
) -> None:
    """Create a study in the prepare phase."""
    from surveyapp.questionnaires.runtime import catalogue
    from surveyapp.studies.models import Supplier
    from surveyapp.studies.services import StudyError, create_study, default_questionnaires

    supplier = db.session.scalar(select(Supplier).where(Supplier.name == supplier_name))
    if supplier is None:
        raise click.ClickException(f"unknown supplier {supplier_name!r}")
    try:
        study = create_study(
            session=db.session,
            supplier=supplier,
            slug=slug,
            name=name,
            questionnaires=default_questionnaires(catalogue(), questionnaires),
            previous=_study(previous) if previous else None,
            deadline=deadline.date() if deadline else None,
            time_zone=time_zone,
            actor_label="cli",
        )
    except StudyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"created study {study.slug} for {supplier.name} ({', '.join(q.slug for q in study.questionnaires)})"
    )


@studies.command("phase")
@click.argument("slug")
@click.argument("phase", type=click.Choice(["prepare", "interview", "analyse", "act"]))
@click.option("--reason", default="", help="Why (required when moving back).")
@with_appcontext
def studies_phase(slug: str, phase: str, reason: str) -> None:
    """Move a study to another phase, with the same guards as the web pages."""
    from surveyapp.enums import Phase
    from surveyapp.studies.phases import PhaseError, change_phase

    study = _study(slug)
    try:
        change_phase(
            session=db.session, study=study, target=Phase(phase), actor=None, actor_label="cli", reason=reason
        )
    except PhaseError as exc:
        db.session.rollback()
        raise click.ClickException(" ".join([str(exc.message), *(str(m) for m in exc.missing)])) from None
    db.session.commit()
    click.echo(f"study {study.slug} is now in the {phase} phase")


@cli.group("import")
def import_group() -> None:
    """Import accounts, contacts or responses from CSV files (all or nothing)."""


def _run_import(kind: str, study_slug: str, path: str) -> None:
    from pathlib import Path

    from surveyapp.responses.imports import import_responses
    from surveyapp.studies import imports

    importer = {
        "accounts": imports.import_accounts,
        "contacts": imports.import_contacts,
        "responses": import_responses,
    }[kind]
    study = _study(study_slug)
    report = importer(session=db.session, study=study, source=Path(path), actor_label="cli")
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(
                f"{path}:{error.row}: {error.message}" if error.row else f"{path}: {error.message}", err=True
            )
        raise SystemExit(1)
    db.session.commit()
    summary = f"imported {kind}: {report.created} new, {report.updated} updated, {report.unchanged} unchanged"
    if kind == "contacts":
        summary += f", {report.assignments_created} new staff assignments"
    click.echo(summary)
    for change in report.changes:
        click.echo(f"  {change}")
    for notice in report.notices:
        click.echo(
            f"  {path}:{notice.row}: {notice.message}" if notice.row else f"  {path}: {notice.message}"
        )


@import_group.command("accounts")
@click.option("--study", "study_slug", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_accounts(study_slug: str, file: str) -> None:
    """Import accounts with their figures: name,segment,annual_revenue,effort_hours,billable_hours[,external_id]."""
    _run_import("accounts", study_slug, file)


@import_group.command("contacts")
@click.option("--study", "study_slug", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_contacts(study_slug: str, file: str) -> None:
    """Import contacts and staff assignments: account,email,name,role,language,side."""
    _run_import("contacts", study_slug, file)


@import_group.command("responses")
@click.option("--study", "study_slug", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_responses(study_slug: str, file: str) -> None:
    """Import answers: account,respondent,perspective,questionnaire,question,value,mode,submitted_at."""
    _run_import("responses", study_slug, file)


from surveyapp.analysis.cli import analysis as _analysis  # noqa: E402
from surveyapp.exports.cli import export as _export  # noqa: E402
from surveyapp.invitations.cli import COMMANDS as _invitation_commands  # noqa: E402
from surveyapp.jobs.cli import worker as _worker  # noqa: E402
from surveyapp.privacy.cli import erase as _erase  # noqa: E402
from surveyapp.privacy.cli import export_contact_command as _export_contact  # noqa: E402
from surveyapp.questionnaires.cli import questionnaires as _questionnaires  # noqa: E402
from surveyapp.reporting.cli import report as _report  # noqa: E402


def _in_app_context(group: click.Group) -> click.Group:
    """Run a group's callback and each of its subcommands in the app context.

    For command modules that may not import Flask themselves (surveyapp/analysis/ never does, DESIGN.md):
    without it the console script has no app context (click's test runner pushes one, so only a
    subprocess shows the difference).
    """
    for command in (group, *group.commands.values()):
        if command.callback is not None:
            command.callback = with_appcontext(command.callback)
    return group


# Checking questionnaire files needs no app: it works even when the app refuses to start over a bad file.
cli.add_command(_questionnaires)
cli.add_command(_in_app_context(_analysis))
cli.add_command(_export)
cli.add_command(_report)
cli.add_command(_erase)
_export.add_command(_export_contact)
cli.add_command(_worker)

for _command in _invitation_commands:
    cli.add_command(_command)


def register_commands(app: Flask) -> None:
    """Put the project's commands on the app's own `app.cli`, so `flask --app surveyapp` lists and runs them.

    Called from `create_app`; the same command objects as on `cli`, so both ways behave alike.
    """
    for name, command in cli.commands.items():
        if name not in _FLASK_COMMANDS:
            app.cli.add_command(command, name)


# click >= 8.2 raises it (a UsageError) for a group named without a command; older versions print the help.
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main() -> None:
    """Entry point of the console script: every error is one line on stderr, exit status 1.

    Click's standalone mode would print a usage error (a bad option, a missing file) as usage, hint and
    error on three lines with exit status 2; here it is the error and the hint on one line, like the rest.
    """
    try:
        status = cli.main(prog_name="surveyapp", standalone_mode=False)
    except _NO_ARGS_IS_HELP as exc:  # a group named without a command: its help, as click shows it
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except ConfigError as exc:
        click.echo(f"surveyapp: {exc}", err=True)
        sys.exit(1)
    except OperationalError as exc:
        # Locked, full or unreachable: the transaction that failed was rolled back, so nothing half-written.
        click.echo(f"surveyapp: database error: {exc.orig}", err=True)
        sys.exit(1)
    # Without standalone mode click returns the exit status of `ctx.exit(...)` (or a command's value).
    sys.exit(status if isinstance(status, int) else 0)
