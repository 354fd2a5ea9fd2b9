"""The cap on rows per imported file (SURVEYAPP_IMPORT_MAX_ROWS): the setting, and the accounts and
contacts imports on the page and on the command line refusing a longer file, whole, with one line.

The app of this module has a cap of 3 rows; tests/studies/test_import_limit_default.py checks the default.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from surveyapp.app import create_app
from surveyapp.audit.models import AuditEvent
from surveyapp.cli import cli
from surveyapp.config import ConfigError
from surveyapp.core.csvfiles import TooManyRowsError, lazy_count, open_table
from surveyapp.enums import Role
from surveyapp.studies.imports import import_accounts, import_contacts
from surveyapp.studies.models import Account, Contact, StudyAccount
from surveyapp.studies.uploads import ImportUpload
from tests.conftest import TEST_SECRET

CAP = 3
ACCOUNTS_HEADER = "name,segment,annual_revenue,effort_hours,billable_hours\n"
CONTACTS_HEADER = "account,email,name,role,language,side\n"
TOO_MANY = "The file has more than 3 rows; split it into files of at most 3 rows each."


@pytest.fixture
def app(make_app):
    application = make_app(IMPORT_MAX_ROWS=CAP)
    with application.app_context():
        yield application


def accounts_csv(rows: int, *, extra: str = "") -> str:
    return ACCOUNTS_HEADER + "".join(f"Account {n},Retail,{n},10,5\n" for n in range(rows)) + extra


def written(db: Any) -> tuple[int, ...]:
    return tuple(
        int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Account, StudyAccount, Contact, AuditEvent)
    )


def problems(report: Any) -> list[tuple[int | None, str]]:
    return [(error.row, str(error.message)) for error in report.errors]


# ---- the setting -----------------------------------------------------------------------------------------


def test_import_max_rows_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEYAPP_IMPORT_MAX_ROWS", "1200")

    configured = create_app({"SECRET_KEY": TEST_SECRET}).config["IMPORT_MAX_ROWS"]

    assert configured == 1200


@pytest.mark.parametrize(
    ("value", "shown"), [("0", "'0'"), ("-5", "'-5'"), ("ten", "'ten'"), ("1.5", "'1.5'"), (True, "True")]
)
def test_import_max_rows_setting_that_is_not_a_positive_whole_number_is_refused(
    tmp_path, monkeypatch, value, shown
):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError) as error:
        create_app({"SECRET_KEY": TEST_SECRET, "IMPORT_MAX_ROWS": value})

    assert str(error.value) == (
        f"SURVEYAPP_IMPORT_MAX_ROWS must be a whole number greater than zero, not {shown}"
    )


def test_import_max_rows_count_is_written_the_way_the_language_writes_numbers(app):
    with force_locale("nl"):
        dutch = str(lazy_count(50_000))
    with force_locale("en"):
        english = str(lazy_count(50_000))

    assert (dutch, english) == ("50.000", "50,000")


# ---- the importers ---------------------------------------------------------------------------------------


def test_import_accounts_over_the_cap_is_refused_whole_with_one_line(db, make_study, tmp_path):
    study = make_study()
    before = written(db)
    path = tmp_path / "accounts.csv"
    path.write_text(accounts_csv(CAP + 1))

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [(None, TOO_MANY)]
    assert report.rows == 0
    db.session.rollback()
    assert written(db) == before


def test_import_accounts_at_the_cap_is_imported(db, make_study, tmp_path):
    study = make_study()
    path = tmp_path / "accounts.csv"
    path.write_text(accounts_csv(CAP))

    report = import_accounts(session=db.session, study=study, source=path)
    db.session.commit()

    assert problems(report) == []
    assert (report.rows, report.created) == (CAP, CAP)


def test_import_accounts_empty_rows_count_against_the_cap(db, make_study):
    # Otherwise a file of nothing but line breaks would be read to its end, three times over.
    study = make_study()
    within = accounts_csv(CAP - 1, extra=",,,,\n").encode()
    beyond = accounts_csv(CAP - 1, extra=",,,,\n\n").encode()

    imported = import_accounts(session=db.session, study=study, source=io.BytesIO(within))
    db.session.rollback()
    refused = import_accounts(session=db.session, study=study, source=io.BytesIO(beyond))
    db.session.rollback()
    only_empty = import_accounts(
        session=db.session, study=study, source=io.BytesIO(b"\n" * (CAP + 2) + ACCOUNTS_HEADER.encode())
    )

    assert (problems(imported), imported.rows) == ([], CAP - 1)
    assert problems(refused) == [(None, TOO_MANY)]
    assert problems(only_empty) == [(None, TOO_MANY)]


def test_import_accounts_cap_given_by_the_caller_overrides_the_setting(db, make_study):
    study = make_study()

    report = import_accounts(
        session=db.session, study=study, source=io.BytesIO(accounts_csv(CAP + 2).encode()), max_rows=CAP + 2
    )

    assert problems(report) == []
    assert report.created == CAP + 2


def test_import_contacts_over_the_cap_is_refused_whole_with_one_line(db, ready_study):
    study = ready_study(send_staff_invitations=False)
    before = written(db)
    rows = "".join(f"Acme BV,person{n}@acme.example,Person {n},,nl,client\n" for n in range(CAP + 1))

    report = import_contacts(
        session=db.session, study=study, source=io.BytesIO((CONTACTS_HEADER + rows).encode())
    )

    assert problems(report) == [(None, TOO_MANY)]
    db.session.rollback()
    assert written(db) == before


def test_import_cap_check_stops_reading_at_the_first_row_over_the_cap(tmp_path):
    # Arrange: what follows the row over the cap cannot even be decoded; reading it would be an error
    path = tmp_path / "accounts.csv"
    path.write_bytes(accounts_csv(CAP + 1).encode() + b"\xff\xfe not UTF-8\n")

    # Act
    with pytest.raises(TooManyRowsError) as refused, open_table(path, max_rows=CAP):
        pass

    # Assert
    assert (refused.value.row, str(refused.value.message)) == (None, TOO_MANY)


# ---- where users run it ----------------------------------------------------------------------------------


def test_import_accounts_over_the_cap_on_the_command_line_is_one_line_and_exit_1(
    app, db, make_study, tmp_path
):
    study = make_study()
    before = written(db)
    path = tmp_path / "big.csv"
    path.write_text(accounts_csv(CAP + 1))

    result = app.test_cli_runner().invoke(
        cli, ["import", "accounts", "--study", study.slug, str(path)], catch_exceptions=False
    )

    assert result.exit_code == 1
    assert result.stderr == f"{path}: {TOO_MANY}\n"
    assert written(db) == before


def test_import_accounts_over_the_cap_on_the_page_names_the_file_and_keeps_nothing(
    client, db, make_user, login, make_study
):
    study = make_study()
    login(make_user(Role.RESEARCHER))
    before = written(db)

    page = client.get(f"/studies/{study.slug}/import")
    preview = client.post_form(
        f"/studies/{study.slug}/import",
        {"kind": "accounts", "file": (io.BytesIO(accounts_csv(CAP + 1).encode()), "accounts.csv")},
        content_type="multipart/form-data",
    )

    body = preview.get_data(as_text=True)
    assert "A file may have at most 3 rows; split a longer one into several files." in page.get_data(
        as_text=True
    )
    assert preview.status_code == 422
    assert f"<li>accounts.csv: {TOO_MANY}</li>" in body
    assert 'name="upload"' not in body
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 0
    assert written(db) == before


def test_import_file_name_shown_is_only_the_last_part_of_the_path(client, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))

    preview = client.post_form(
        f"/studies/{study.slug}/import",
        {"kind": "accounts", "file": (io.BytesIO(accounts_csv(CAP + 1).encode()), "exports/2026/big.csv")},
        content_type="multipart/form-data",
    )

    assert f"<li>big.csv: {TOO_MANY}</li>" in preview.get_data(as_text=True)
