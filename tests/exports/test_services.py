"""Exports of answers (round trip through the responses import), the analysis and the coded themes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.analysis.service import analysis_document
from surveyapp.audit.models import AuditEvent
from surveyapp.coding import services as coding
from surveyapp.coding.models import PALETTE
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.enums import Role
from surveyapp.exports.services import ANSWER_COLUMNS, THEME_COLUMNS, build_export
from surveyapp.responses.models import Answer, Response
from surveyapp.responses.storage import counted_select

VAN_DIJK, NOORDZEE, STADSBANK = "Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht"
HOSTILE = {"open_change": "=1+2", "open_leave": "-5 km"}


def _add_hostile_answers(db, coded):
    """Formula-like free text on two respondents' answers, stored as the survey stores text."""
    for email, account, key, value in (
        ("s.visser@noordzee.example", NOORDZEE, "open_change", "=1+2"),
        ("s.visser@noordzee.example", NOORDZEE, "open_leave", "-5 km"),
        ("m.vandijk@vandijk.example", VAN_DIJK, "open_change", "@x"),
        ("m.vandijk@vandijk.example", VAN_DIJK, "open_leave", "\tleading tab"),
        ("l.dekker@stadsbank.example", STADSBANK, "open_change", "'s-Hertogenbosch"),
    ):
        response_id = db.session.get(Answer, coded.answer(email, account)).response_id
        db.session.add(Answer(response_id=response_id, item_key=key, value=value, weight=1.0))
    db.session.commit()


def _answers_of(db, study):
    counted = counted_select(study.id).subquery()
    rows = db.session.execute(
        select(Response.contact_id, Response.account_id, Answer.item_key, Answer.value, Answer.score)
        .join(counted, counted.c.id == Response.id)
        .join(Answer, Answer.response_id == Response.id)
    )
    return Counter(tuple(row) for row in rows)


def _without_study(document):
    return {key: value for key, value in document.items() if key != "study"}


def test_answers_export_then_import_gives_the_identical_analysis(db, coded_study, twin_study, run, tmp_path):
    # Arrange
    coded = coded_study()
    _add_hostile_answers(db, coded)
    twin = twin_study(coded.study)
    path = tmp_path / "answers.csv"

    # Act
    exported = run("export", "--study", "fit-2025", "--format", "csv", "-o", str(path))
    imported = run("import", "responses", "--study", "fit-twin", str(path))

    # Assert
    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert imported.output.splitlines()[0] == "imported responses: 8 new, 0 updated, 0 unchanged"
    db.session.expire_all()
    original, copy = (
        analysis_document(session=db.session, study=coded.study),
        analysis_document(session=db.session, study=twin),
    )
    assert _without_study(copy) == _without_study(original)
    assert _answers_of(db, twin) == _answers_of(db, coded.study)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ANSWER_COLUMNS
    values = {row[5] for row in rows[1:]}
    assert {"'=1+2", "'-5 km", "'@x", "'\tleading tab", "'s-Hertogenbosch"} <= values


def test_answers_export_in_xlsx_has_the_import_columns_strings_and_numbers(db, coded_study):
    coded = coded_study()
    _add_hostile_answers(db, coded)

    made = build_export(session=db.session, study=coded.study, what="answers", fmt="xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(made.chunks)))["answers"]
    rows = list(sheet.iter_rows(values_only=False))
    assert tuple(cell.value for cell in rows[0]) == ANSWER_COLUMNS
    hostile = [row[5] for row in rows[1:] if row[4].value in ("open_change", "open_leave")]
    assert sorted(cell.value for cell in hostile) == sorted(
        ["'=1+2", "'-5 km", "'@x", "'\tleading tab", "'s-Hertogenbosch"]
    )
    assert {cell.data_type for cell in hostile} == {"s"}
    scored = [row[5] for row in rows[1:] if row[4].value == "needs_1"]
    assert {cell.data_type for cell in scored} == {"n"}
    assert made.filename == "fit-2025-answers.xlsx"


def test_answers_export_in_json_is_never_altered(db, coded_study):
    coded = coded_study()
    _add_hostile_answers(db, coded)

    made = build_export(session=db.session, study=coded.study, what="answers", fmt="json")

    rows = json.loads(b"".join(made.chunks))
    assert list(rows[0]) == list(ANSWER_COLUMNS)
    assert {"=1+2", "-5 km", "@x", "\tleading tab", "'s-Hertogenbosch"} <= {row["value"] for row in rows}


def test_analysis_exports(db, coded_study):
    study = coded_study().study

    as_json = build_export(session=db.session, study=study, what="analysis", fmt="json")
    as_xlsx = build_export(session=db.session, study=study, what="analysis", fmt="xlsx")
    as_csv = build_export(session=db.session, study=study, what="analysis", fmt="csv")

    document = analysis_document(session=db.session, study=study)
    assert json.loads(b"".join(as_json.chunks)) == json.loads(json.dumps(document))
    workbook = load_workbook(io.BytesIO(b"".join(as_xlsx.chunks)))
    assert workbook.sheetnames == [
        "accounts",
        "account_dimensions",
        "portfolio_dimensions",
        "signals",
        "drift_dimensions",
        "staff_advice",
        "quadrants",
        "cost_of_mismatch",
    ]
    accounts = list(workbook["accounts"].iter_rows(values_only=True))
    header = accounts[0]
    assert [(row[0], row[2], row[3]) for row in accounts[1:]] == [
        (a["account"], a["quadrant"], a["overall"]["client"]) for a in document["accounts"]
    ]
    # Rule 17's marks and rule 11's cost per account, as the document has them
    columns = ("overall_client_n", "overall_supplier_n", "overall_indicative", "overall_borderline")
    assert [tuple(row[header.index(name)] for name in columns) for row in accounts[1:]] == [
        (
            a["overall"]["client_n"],
            a["overall"]["supplier_n"],
            a["overall"]["indicative"],
            a["overall"]["borderline"],
        )
        for a in document["accounts"]
    ]
    assert [row[header.index("excess_hours")] for row in accounts[1:]] == [
        None if a["cost"] is None else a["cost"]["excess_hours"] for a in document["accounts"]
    ]
    cost = list(workbook["cost_of_mismatch"].iter_rows(values_only=True))
    assert dict(zip(cost[0], cost[1], strict=True)) == document["portfolio"]["cost_of_mismatch"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(as_csv.chunks)))
    assert archive.namelist() == [f"{name}.csv" for name in workbook.sheetnames]
    quadrants = list(csv.reader(io.StringIO(archive.read("quadrants.csv").decode("utf-8-sig"))))
    assert quadrants[1:] == [[q, str(n)] for q, n in document["portfolio"]["quadrants"].items()]
    assert (as_csv.filename, as_xlsx.filename) == ("fit-2025-analysis.zip", "fit-2025-analysis.xlsx")


@pytest.fixture
def researcher(make_user):
    return make_user(Role.RESEARCHER, all_suppliers=True)


def test_themes_export_names_only_where_consent_allows(db, coded_study, researcher):
    coded = coded_study()
    theme = coding.create_theme(
        session=db.session, study=coded.study, name="Speed", colour=PALETTE[0], actor=researcher
    )
    coding.save_tags(
        session=db.session,
        study=coded.study,
        chosen={
            Target(ANSWER, coded.answer(email, account)): frozenset({theme.id})
            for email, account in (
                ("m.vandijk@vandijk.example", VAN_DIJK),
                ("a.meijer@noordzee.example", NOORDZEE),
                ("mark@brightline.example", NOORDZEE),
            )
        },
        actor=researcher,
    )
    db.session.commit()

    made = build_export(session=db.session, study=coded.study, what="themes", fmt="csv")

    rows = list(csv.reader(io.StringIO(b"".join(made.chunks).decode("utf-8-sig"))))
    assert tuple(rows[0]) == THEME_COLUMNS
    assert rows[1:] == [
        [
            "Speed",
            NOORDZEE,
            "customer_swayed",
            "client",
            "open_works",
            "answer",
            "Invoices are late.",
            "no",
            "",
        ],
        [
            "Speed",
            NOORDZEE,
            "customer_swayed",
            "supplier",
            "open_works",
            "answer",
            "The client is demanding.",
            "anonymous",
            "",
        ],
        [
            "Speed",
            VAN_DIJK,
            "match",
            "client",
            "open_works",
            "answer",
            "Fast answers on the phone.",
            "named",
            "Marieke van Dijk, Director, Van Dijk Logistiek",
        ],
    ]


def test_cli_export_writes_an_audit_event(db, coded_study, run, tmp_path):
    coded_study()

    result = run(
        "export",
        "--study",
        "fit-2025",
        "--format",
        "json",
        "--what",
        "analysis",
        "-o",
        str(tmp_path / "a.json"),
    )

    assert result.exit_code == 0
    assert result.output == f"exported analysis of fit-2025 as json to {tmp_path / 'a.json'}\n"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.export"))
    assert (event.actor_label, event.details) == ("cli", {"what": "analysis", "format": "json"})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--study", "nope", "--format", "csv"], "Error: unknown study 'nope'"),
        (["--study", "fit-2025", "--format", "pdf"], "Error: Unknown format pdf: choose csv, xlsx or json."),
        (
            ["--study", "fit-2025", "--format", "csv", "--what", "everything"],
            "Error: Unknown export everything: choose answers, analysis or themes.",
        ),
    ],
)
def test_cli_export_errors_are_one_line_with_exit_status_1(db, coded_study, run, tmp_path, args, message):
    coded_study()

    result = run("export", *args, "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert result.stderr.strip() == message
    assert not (tmp_path / "out").exists()
