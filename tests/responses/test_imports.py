"""`import_responses`: the long format, stored exactly as the survey stores answers, row-numbered errors,
all-or-nothing, idempotence, dry runs, and the command line."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.analysis.service import analysis_document
from surveyapp.audit.models import AuditEvent
from surveyapp.cli import cli
from surveyapp.enums import Perspective, ResponseMode
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses.imports import import_responses
from surveyapp.responses.models import Answer, Response
from tests.analysis.builders import SCORING, World, make_world

HEADER = "account,respondent,perspective,questionnaire,question,value,mode,submitted_at\n"
ANNA = "Acme BV,anna@client.example,client,all-types"
SAM = "A-1,sam@supplier.example,supplier,all-types-supplier"
AT = "2025-10-01T10:00"  # Europe/Amsterdam, summer time: 08:00 UTC


def csv(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(row + "\n" for row in rows)).encode("utf-8"))


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"), extra=(catalogue().get("intake"),))
    built.account("Acme BV", external_id="A-1")
    built.account("Globex")
    built.client("anna", "Acme BV")
    built.client("ben", "Globex")
    built.staff("sam", "Acme BV")
    db.session.commit()
    return built


def _import(db: Any, world: World, source: io.BytesIO, **kwargs: Any) -> Any:
    report = import_responses(session=db.session, study=world.study, source=source, **kwargs)
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def _answers(db: Any) -> dict[tuple[str, str], tuple[Any, ...]]:
    rows = db.session.execute(
        select(
            Response.perspective,
            Answer.item_key,
            Answer.value,
            Answer.not_applicable,
            Answer.score,
            Answer.dimension,
            Answer.weight,
        ).join(Response, Response.id == Answer.response_id)
    ).all()
    return {(perspective.value, key): tuple(rest) for perspective, key, *rest in rows}


def _count(db: Any, model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


GOOD = (
    f"{ANNA},role,user,survey,{AT}",
    f"{ANNA},needs,NA,survey,{AT}",
    f"{ANNA},workarounds,2,survey,{AT}",
    f"{ANNA},channels,portal|mail,survey,{AT}",
    f"{ANNA},hours,12.50,survey,{AT}",
    f"{ANNA},name,'=cmd,survey,{AT}",
    f"{ANNA},recommend,9,survey,{AT}",
    f"{ANNA},statements.late,4,survey,{AT}",
    f"{SAM},needs,5,,2025-09-20T09:30:00+02:00",
    f"{SAM},effort_hours,4,,2025-09-20T09:30:00+02:00",
)


def test_import_stores_answers_as_the_survey_does(db, world):
    # Act
    report = _import(db, world, csv(*GOOD))

    # Assert: two responses; raw values canonical (multi keys in option order, plain numbers), formula
    # protection taken off, NA flagged, scores, dimensions and weights from the pinned versions
    assert (report.ok, report.rows, report.created, report.updated, report.unchanged) == (True, 10, 2, 0, 0)
    answers = _answers(db)
    assert answers[("client", "channels")] == ("mail|portal", False, 65.0, "ways_of_working", 1.0)
    assert answers[("client", "hours")] == ("12.5", False, None, None, 1.0)
    assert answers[("client", "name")] == ("=cmd", False, None, None, 1.0)
    assert answers[("client", "needs")] == ("NA", True, None, "needs_match", 2.0)
    assert answers[("client", "workarounds")][2] == pytest.approx(500 / 6, abs=1e-12)
    assert answers[("client", "statements.late")] == ("4", False, 0.0, "ways_of_working", 3.0)
    assert answers[("supplier", "effort_hours")] == ("4", False, 25.0, "effort", 1.0)
    responses = {r.perspective: r for r in db.session.scalars(select(Response))}
    assert responses[Perspective.CLIENT].submitted_at == datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
    assert responses[Perspective.CLIENT].mode is ResponseMode.SURVEY
    assert responses[Perspective.SUPPLIER].mode is ResponseMode.IMPORT
    assert responses[Perspective.SUPPLIER].submitted_at == datetime(2025, 9, 20, 7, 30, tzinfo=UTC)
    assert db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "study.responses_imported")
    ) == {"rows": 10, "created": 2, "updated": 0, "unchanged": 0, "skipped": 0, "assignments_created": 0}


def test_import_same_file_again_changes_nothing(db, world):
    # Arrange
    _import(db, world, csv(*GOOD))
    before = (_answers(db), _count(db, Response), _count(db, AuditEvent))

    # Act
    report = _import(db, world, csv(*GOOD))

    # Assert
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert (_answers(db), _count(db, Response), _count(db, AuditEvent)) == before


def test_import_changed_file_replaces_the_answers_of_that_response(db, world):
    # Arrange
    _import(db, world, csv(*GOOD))
    changed = [row.replace("recommend,9", "recommend,3") for row in GOOD if ",hours," not in row]

    # Act
    report = _import(db, world, csv(*changed))

    # Assert: anna's response changes (recommend 3, no hours any more); sam's is unchanged
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert [str(line) for line in report.changes] == [
        "Response of anna@client.example about Acme BV (all-types, 2025-10-01T08:00:00+00:00): "
        "the answers change."
    ]
    answers = _answers(db)
    assert answers[("client", "recommend")][:3] == ("3", False, 30.0)
    assert ("client", "hours") not in answers
    assert _count(db, Response) == 2


def test_import_semicolon_file_reads_decimal_commas(db, world):
    # Act
    report = _import(
        db,
        world,
        csv(
            f"Acme BV;anna@client.example;client;all-types;role;buyer;;{AT}",
            f"Acme BV;anna@client.example;client;all-types;hours;12,5;;{AT}",
            header=HEADER.replace(",", ";"),
        ),
    )

    # Assert
    assert report.ok
    assert _answers(db)[("client", "hours")][0] == "12.5"


def test_import_errors_are_row_numbered_and_nothing_is_written(db, world):
    # Act
    report = _import(
        db,
        world,
        csv(
            f"Initech,anna@client.example,client,all-types,role,user,,{AT}",
            f"Acme BV,nobody@client.example,client,all-types,role,user,,{AT}",
            f"Acme BV,anna@client.example,client,intake,role,user,,{AT}",
            f"Acme BV,anna@client.example,client,fit-client,role,user,,{AT}",
            f"{ANNA},nope,1,,{AT}",
            f"{ANNA},needs,6,,{AT}",
            f"Acme BV,anna@client.example,supplier,all-types-supplier,needs,3,,{AT}",
            f"Acme BV,sam@supplier.example,client,all-types-supplier,needs,3,,{AT}",
            f"Globex,anna@client.example,client,all-types,role,user,,{AT}",
            f"Globex,sam@supplier.example,supplier,all-types-supplier,needs,3,,{AT}",
            f"{ANNA},role,user,paper,{AT}",
            f"{ANNA},role,user,,yesterday",
        ),
    )

    # Assert
    assert [(error.row, str(error.message)) for error in report.errors] == [
        (2, "Unknown account Initech: no account in this study has that name or external id."),
        (3, "Unknown respondent nobody@client.example: no contact of this supplier has that email address."),
        (4, "Questionnaire intake is about no account (the brief); it cannot be imported here."),
        (5, "Unknown questionnaire fit-client: this study uses all-types, all-types-supplier, intake."),
        (6, "Unknown question nope: questionnaire all-types has no such question."),
        (7, "Question needs: '6' is not a value from 1 to 5."),
        (8, "anna@client.example is a client contact, so the perspective is client, not supplier."),
        (
            9,
            "Perspective client does not match questionnaire all-types-supplier, which is answered from the "
            "supplier perspective.",
        ),
        (10, "anna@client.example is a client contact of Acme BV, not of Globex."),
        (11, "sam@supplier.example is not assigned to rate Globex in this study."),
        (12, "mode must be survey, interview or import, not paper."),
        (
            13,
            "submitted_at yesterday is not a date and time in ISO 8601, such as 2025-10-01T14:30 or "
            "2025-10-01T14:30:00+02:00.",
        ),
    ]
    assert (_count(db, Response), _count(db, Answer)) == (0, 0)


def test_import_hidden_question_and_duplicate_are_errors(db, world):
    # Act: a buyer does not see `contact` (show_if: needs >= 3 and not (role == buyer)); recommend twice
    report = _import(
        db,
        world,
        csv(
            f"{ANNA},role,buyer,,{AT}",
            f"{ANNA},needs,4,,{AT}",
            f"{ANNA},recommend,8,,{AT}",
            f"{ANNA},contact,weekly,,{AT}",
            f"{ANNA},recommend,9,,{AT}",
        ),
    )

    # Assert
    assert [(error.row, str(error.message)) for error in report.errors] == [
        (6, "Question recommend is already on row 4 for this response."),
        (
            5,
            "Question contact is hidden for this respondent by its condition ((role != other) and "
            "(needs >= 3 and not (role == buyer))), so it cannot have an answer.",
        ),
    ]
    assert _count(db, Response) == 0


def test_import_rows_of_one_response_may_be_spread_over_the_file(db, world):
    # Act: the show_if of `contact` depends on answers further down the file
    report = _import(
        db,
        world,
        csv(
            f"{ANNA},contact,weekly,,{AT}",
            f"{SAM},needs,2,,{AT}",
            f"{ANNA},role,user,,{AT}",
            f"{ANNA},needs,4,,{AT}",
        ),
    )

    # Assert
    assert (report.ok, report.created) == (True, 2)
    assert _answers(db)[("client", "contact")][2] == 100.0


def test_import_dry_run_reports_without_writing(db, world):
    # Act
    report = _import(db, world, csv(*GOOD), dry_run=True)

    # Assert
    assert (report.dry_run, report.created) == (True, 2)
    assert _count(db, Response) == 0


def test_import_older_response_is_superseded_by_a_newer_one(db, world):
    # Arrange / Act: two responses of anna, the later one first in the file
    _import(
        db,
        world,
        csv(f"{ANNA},recommend,10,,2025-10-05T10:00", f"{ANNA},recommend,0,,2025-10-02T10:00"),
    )
    world.pin()

    # Assert: the import is analysed like any response: only 5 October counts
    flags = sorted(db.session.execute(select(Response.submitted_at, Response.superseded)).all())
    assert [superseded for _at, superseded in flags] == [True, False]
    document = analysis_document(session=db.session, study=world.study, current=SCORING)
    acme = document["accounts"][0]
    assert (acme["nps"]["score"], acme["responses"]["by_mode"]["import"]) == (100.0, 1)


def test_import_file_level_problems(db, world):
    # Act
    missing = _import(db, world, csv("x,y", header="account,respondent\n"))
    empty = _import(db, world, csv(header=HEADER))

    # Assert
    assert [str(error.message) for error in missing.errors] == [
        "The file lacks the column(s) perspective, questionnaire, question, value, submitted_at. Expected "
        "columns: account,respondent,perspective,questionnaire,question,value,submitted_at[,mode]."
    ]
    assert [str(error.message) for error in empty.errors] == [
        "The file has no rows: it needs a header row and at least one row of data."
    ]


def test_cli_import_responses_prints_counts_and_row_errors(app, db, world, tmp_path):
    # Arrange
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv(*GOOD).getvalue())
    bad.write_bytes(csv(f"{ANNA},needs,9,,{AT}").getvalue())
    runner = app.test_cli_runner()

    # Act
    first = runner.invoke(
        cli, ["import", "responses", "--study", "wave-1", str(good)], catch_exceptions=False
    )
    failed = runner.invoke(
        cli, ["import", "responses", "--study", "wave-1", str(bad)], catch_exceptions=False
    )

    # Assert
    assert (first.exit_code, first.output) == (0, "imported responses: 2 new, 0 updated, 0 unchanged\n")
    assert failed.exit_code == 1
    assert failed.stderr == f"{bad}:2: Question needs: '9' is not a value from 1 to 5.\n"


def test_import_in_small_batches_gives_the_same_result(db, world, monkeypatch):
    # Arrange: three rows per batch, so every response spans batches in both passes
    monkeypatch.setattr("surveyapp.responses.imports.BATCH_ROWS", 3)
    spread = (GOOD[8], *GOOD[:4], GOOD[9], *GOOD[4:8])

    # Act
    first = _import(db, world, csv(*spread))
    stored = _answers(db)
    again = _import(db, world, csv(*spread))
    changed = _import(db, world, csv(*(row.replace("needs,5", "needs,1") for row in spread)))

    # Assert
    assert (first.created, again.unchanged, changed.updated, changed.unchanged) == (2, 2, 1, 1)
    assert len(stored) == 10
    assert _answers(db)[("supplier", "needs")][:3] == ("1", False, 0.0)
