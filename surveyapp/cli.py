"""The `surveyapp` command (also reachable as `flask --app surveyapp`)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from surveyapp.app import create_app
from surveyapp.config import ConfigError
from surveyapp.enums import Language, Role
from surveyapp.extensions import db


@click.group(cls=FlaskGroup, create_app=create_app, load_dotenv=False, add_version_option=False)
def cli() -> None:
    """surveyapp: research on B2B client fit."""


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest version."""
    from flask_migrate import upgrade

    try:
        upgrade()
    except OperationalError as exc:
        raise click.ClickException(f"cannot migrate the database: {exc.orig}") from None
    click.echo("database is at the newest schema version")


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data (idempotent) and print the demo logins."""
    from surveyapp.demo import DemoError, load_demo

    try:
        logins = load_demo(session=db.session, config=current_app.config)
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
@click.option("--link", is_flag=True, help="Print a one-time password-set link instead of reading a password.")
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
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default="nl", show_default=True)
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


def main() -> None:
    """Entry point of the console script: configuration problems are one line on stderr, exit status 1."""
    try:
        cli.main(prog_name="surveyapp")
    except ConfigError as exc:
        click.echo(f"surveyapp: {exc}", err=True)
        sys.exit(1)
