"""Scripted set-up: `surveyapp studies create|phase` and `surveyapp import accounts|contacts`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.cli import cli
from surveyapp.enums import Phase
from surveyapp.studies.models import Account, Study, StudyAccount


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_studies_create_with_defaults_and_previous_wave(run, db, make_supplier):
    make_supplier("Brightline")

    first = run("studies", "create", "bl-2025", "--supplier", "Brightline", "--name", "Klantfit 2025")
    second = run(
        "studies",
        "create",
        "bl-2026",
        "--supplier",
        "Brightline",
        "--name",
        "Klantfit 2026",
        "--previous",
        "bl-2025",
        "--deadline",
        "2026-12-18",
    )

    study = db.session.scalar(select(Study).where(Study.slug == "bl-2026"))
    assert first.exit_code == 0
    assert first.output == (
        "created study bl-2025 for Brightline "
        "(fit-client, interview-guide, fit-supplier, interview-guide-supplier, intake)\n"
    )
    assert second.exit_code == 0
    assert (study.previous_study.slug, str(study.deadline)) == ("bl-2025", "2026-12-18")


def test_studies_create_with_chosen_questionnaires(run, db, make_supplier):
    make_supplier("Brightline")

    result = run(
        "studies",
        "create",
        "bl",
        "--supplier",
        "Brightline",
        "--name",
        "Pilot",
        "--questionnaire",
        "fit-client",
        "--questionnaire",
        "fit-supplier",
    )

    assert result.output == "created study bl for Brightline (fit-client, fit-supplier)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--supplier", "Nobody", "--name", "X"), "Error: unknown supplier 'Nobody'\n"),
        (
            ("--supplier", "Brightline", "--name", "X", "--questionnaire", "nope"),
            "Error: Unknown questionnaire nope.\n",
        ),
        (
            ("--supplier", "Brightline", "--name", "X", "--previous", "ghost"),
            "Error: unknown study 'ghost'\n",
        ),
        (("--supplier", "Brightline", "--name", "   "), "Error: A study needs a name.\n"),
    ],
)
def test_studies_create_with_bad_input_is_one_line_and_writes_nothing(run, db, make_supplier, args, message):
    make_supplier("Brightline")

    result = run("studies", "create", "bl", *args)

    assert result.exit_code == 1
    assert result.output == message
    assert db.session.scalar(select(func.count()).select_from(Study)) == 0


def test_studies_phase_without_prerequisites_says_what_is_missing(run, db, make_study):
    study = make_study(slug="bl")

    result = run("studies", "phase", "bl", "interview")

    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: The study cannot move to Interview yet. Add at least one account to the study."
    )
    assert db.session.get(Study, study.id).phase == Phase.PREPARE


def test_import_accounts_from_the_command_line_is_idempotent(run, db, make_study, tmp_path):
    study = make_study(slug="bl")
    path = tmp_path / "accounts.csv"
    path.write_text(
        "name,segment,annual_revenue,effort_hours,billable_hours,external_id\nAcme,Retail,100,10,5,A1\n"
    )

    first = run("import", "accounts", "--study", "bl", str(path))
    second = run("import", "accounts", "--study", "bl", str(path))

    assert first.exit_code == 0
    assert first.output.startswith("imported accounts: 1 new, 0 updated, 0 unchanged")
    assert second.output.startswith("imported accounts: 0 new, 0 updated, 1 unchanged")
    assert (
        db.session.scalar(
            select(func.count()).select_from(StudyAccount).where(StudyAccount.study_id == study.id)
        )
        == 1
    )


def test_import_accounts_with_a_bad_row_names_file_and_row_and_writes_nothing(run, db, make_study, tmp_path):
    make_study(slug="bl")
    path = tmp_path / "accounts.csv"
    path.write_text(
        "name,segment,annual_revenue,effort_hours,billable_hours\nAcme,Retail,100,10,5\nGlobex,Retail,-1,10,5\n"
    )

    result = run("import", "accounts", "--study", "bl", str(path))

    assert result.exit_code == 1
    assert result.output.startswith(f"{path}:3: ")
    assert db.session.scalar(select(func.count()).select_from(Account)) == 0


def test_demo_loads_twice_with_two_linked_waves(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(cli, ["demo"], catch_exceptions=False)
    counts_after_first = _counts(db)
    second = runner.invoke(cli, ["demo"], catch_exceptions=False)

    waves = db.session.scalars(select(Study).order_by(Study.slug)).all()
    assert first.exit_code == 0
    assert second.exit_code == 0
    assert _counts(db) == counts_after_first
    assert [w.slug for w in waves] == ["brightline-2025", "brightline-2026"]
    assert waves[1].previous_study_id == waves[0].id
    assert counts_after_first["accounts"] == 8


def _counts(db) -> dict[str, int]:
    from surveyapp.studies.models import Assignment, Contact

    return {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("accounts", Account),
            ("contacts", Contact),
            ("assignments", Assignment),
            ("studies", Study),
        )
    }
