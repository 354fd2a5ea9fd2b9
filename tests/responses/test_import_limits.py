"""The cap on data rows per imported file for `import responses`: it counts rows, that is answers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.cli import cli
from surveyapp.responses.imports import import_responses
from surveyapp.responses.models import Answer, Response
from tests.analysis.builders import World, make_world

HEADER = "account,respondent,perspective,questionnaire,question,value,mode,submitted_at\n"
ANNA = "Acme BV,anna@client.example,client,all-types"
AT = "2025-10-01T10:00"
# One response of four answers: four rows.
ROWS = (
    f"{ANNA},role,user,survey,{AT}\n",
    f"{ANNA},needs,4,survey,{AT}\n",
    f"{ANNA},workarounds,2,survey,{AT}\n",
    f"{ANNA},recommend,9,survey,{AT}\n",
)
TOO_MANY = (
    "The file has more than 3 rows; split it into files of at most 3 rows each, "
    "with all rows of one response in the same file."
)


@pytest.fixture
def app(make_app):
    application = make_app(IMPORT_MAX_ROWS=3)
    with application.app_context():
        yield application


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", external_id="A-1")
    built.client("anna", "Acme BV")
    db.session.commit()
    return built


def _stored(db: Any) -> tuple[int, int]:
    return (
        int(db.session.scalar(select(func.count()).select_from(Response)) or 0),
        int(db.session.scalar(select(func.count()).select_from(Answer)) or 0),
    )


def test_import_responses_counts_answer_rows_against_the_cap(db, world):
    # Arrange: one response, but four answers: over a cap of three rows
    source = io.BytesIO((HEADER + "".join(ROWS)).encode())

    # Act
    report = import_responses(session=db.session, study=world.study, source=source)
    db.session.rollback()

    # Assert
    assert [(error.row, str(error.message)) for error in report.errors] == [(None, TOO_MANY)]
    assert _stored(db) == (0, 0)


def test_import_responses_at_the_cap_is_imported(db, world):
    source = io.BytesIO((HEADER + "".join(ROWS[:3])).encode())

    report = import_responses(session=db.session, study=world.study, source=source)
    db.session.commit()

    assert [str(error.message) for error in report.errors] == []
    assert (report.rows, report.created) == (3, 1)
    assert _stored(db) == (1, 3)


def test_import_responses_over_the_cap_on_the_command_line_is_one_line_and_exit_1(app, db, world, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "".join(ROWS))

    result = app.test_cli_runner().invoke(
        cli, ["import", "responses", "--study", world.study.slug, str(path)], catch_exceptions=False
    )

    assert result.exit_code == 1
    assert result.stderr == f"{path}: {TOO_MANY}\n"
    assert _stored(db) == (0, 0)
