"""The `surveyapp` command: users, suppliers, the demo and init-db, through click's runner."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.auth.models import User
from surveyapp.cli import cli
from surveyapp.studies.models import Supplier


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_suppliers_create_then_duplicate_is_refused(run, db):
    first = run("suppliers", "create", "Brightline", "--language", "en")
    second = run("suppliers", "create", "brightline")

    assert first.exit_code == 0
    assert first.output == "created supplier Brightline (id 1)\n"
    assert second.exit_code == 1
    assert second.output == "Error: A supplier named brightline already exists.\n"
    assert db.session.scalar(select(func.count()).select_from(Supplier)) == 1


def test_users_create_reads_the_password_from_stdin(run, db, make_supplier, client):
    make_supplier("Brightline")

    result = run(
        "users",
        "create",
        "Kim@Example.org",
        "--role",
        "account_team",
        "--supplier",
        "Brightline",
        input="a long enough password\n",
    )

    user = db.session.scalar(select(User))
    assert result.exit_code == 0
    assert result.output == "created account_team kim@example.org\n"
    assert [s.name for s in user.suppliers] == ["Brightline"]
    assert (
        client.post_form(
            "/login", {"email": "kim@example.org", "password": "a long enough password"}
        ).status_code
        == 302
    )


def test_users_create_account_team_without_supplier_is_refused(run, db):
    result = run(
        "users", "create", "kim@example.org", "--role", "account_team", input="a long enough password\n"
    )

    assert result.exit_code == 1
    assert result.output == "Error: A user with role account_team needs exactly one supplier.\n"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_unknown_supplier_is_refused(run):
    result = run(
        "users", "create", "kim@example.org", "--role", "researcher", "--supplier", "Nope", input="x\n"
    )

    assert result.exit_code == 1
    assert result.output == "Error: unknown supplier 'Nope'\n"


def test_users_create_weak_password_is_refused(run):
    result = run("users", "create", "kim@example.org", "--role", "researcher", input="short\n")

    assert result.exit_code == 1
    assert result.output == "Error: The password needs at least 12 characters.\n"


def test_users_create_with_link_prints_a_one_time_link(run):
    result = run("users", "create", "kim@example.org", "--role", "researcher", "--link")

    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert lines[0] == "created researcher kim@example.org"
    assert lines[1].startswith("password link (works once): https://surveys.example.org/set-password/")


def test_demo_loads_twice_without_duplicates(run, db):
    first = run("demo")
    second = run("demo")

    assert first.exit_code == 0
    assert second.output == first.output
    assert (
        db.session.scalar(select(func.count()).select_from(User)) == 4
    )  # admin, researcher, account team, sales
    assert db.session.scalar(select(func.count()).select_from(Supplier)) == 1
    assert "researcher   researcher@demo.example  password: demo-researcher-password" in first.output
