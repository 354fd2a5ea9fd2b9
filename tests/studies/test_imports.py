"""CSV imports of a study's accounts and contacts: formats, every kind of bad row, all-or-nothing,
idempotence, dry runs, and bounded memory on a large file."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.audit.models import AuditEvent
from surveyapp.enums import Language, Side
from surveyapp.studies.imports import ImportReport, import_accounts, import_contacts
from surveyapp.studies.imports.report import MAX_LISTED
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount, Supplier

ACCOUNTS_HEADER = "name,segment,annual_revenue,effort_hours,billable_hours,external_id\n"
CONTACTS_HEADER = "account,email,name,role,language,side\n"
BOM = b"\xef\xbb\xbf"


# ---- helpers ---------------------------------------------------------------------------------------------


@pytest.fixture
def supplier(db: Any) -> Supplier:
    supplier = Supplier(name="Northwind Services", report_language=Language.NL)
    db.session.add(supplier)
    db.session.commit()
    return supplier


@pytest.fixture
def study(db: Any, supplier: Supplier) -> Study:
    study = Study(supplier=supplier, slug="wave-1", name="Wave 1")
    db.session.add(study)
    db.session.commit()
    return study


@pytest.fixture
def in_scope(db: Any, study: Study) -> dict[str, Account]:
    """Two accounts in the study's scope (one with an external id) and one of the supplier outside it."""
    accounts = {
        "acme": Account(supplier=study.supplier, name="Acme BV", external_id="A-1"),
        "globex": Account(supplier=study.supplier, name="Globex"),
        "initech": Account(supplier=study.supplier, name="Initech"),
    }
    db.session.add_all(accounts.values())
    db.session.flush()
    db.session.add_all(
        [
            StudyAccount(study_id=study.id, account_id=accounts["acme"].id),
            StudyAccount(study_id=study.id, account_id=accounts["globex"].id),
        ]
    )
    db.session.commit()
    return accounts


def csv_file(tmp_path: Path, text: str, *, bom: bool = False, name: str = "import.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((BOM if bom else b"") + text.encode("utf-8"))
    return path


def problems(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(error.row, str(error.message)) for error in report.errors]


def notices(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(notice.row, str(notice.message)) for notice in report.notices]


def changes(report: ImportReport) -> list[str]:
    return [str(change) for change in report.changes]


def counts(report: ImportReport) -> dict[str, int]:
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "assignments_created": report.assignments_created,
    }


def scope(db: Any, study: Study) -> list[tuple[Any, ...]]:
    """The accounts in scope as the database has them: name, external id, segment and figures."""
    rows = db.session.execute(
        select(
            Account.name,
            Account.external_id,
            Account.segment,
            StudyAccount.annual_revenue,
            StudyAccount.effort_hours,
            StudyAccount.billable_hours,
        )
        .join(StudyAccount, StudyAccount.account_id == Account.id)
        .where(StudyAccount.study_id == study.id)
        .order_by(Account.name)
    )
    return [tuple(row) for row in rows]


def snapshot(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import may touch, read from the database through the test's own session."""

    def rows(*columns: Any) -> list[tuple[Any, ...]]:
        return sorted(tuple(row) for row in db.session.execute(select(*columns)))

    return {
        "accounts": rows(Account.id, Account.name, Account.external_id, Account.segment),
        "scope": rows(
            StudyAccount.study_id,
            StudyAccount.account_id,
            StudyAccount.annual_revenue,
            StudyAccount.effort_hours,
            StudyAccount.billable_hours,
        ),
        "contacts": rows(
            Contact.id, Contact.email, Contact.side, Contact.account_id, Contact.name, Contact.role
        ),
        "assignments": rows(Assignment.study_id, Assignment.contact_id, Assignment.account_id),
        "audit": rows(AuditEvent.id, AuditEvent.action),
    }


def session_is_clean(db: Any) -> bool:
    return not (db.session.new or db.session.dirty or db.session.deleted)


def contacts_state(db: Any) -> list[tuple[Any, ...]]:
    rows = db.session.execute(
        select(Contact.email, Contact.side, Account.name, Contact.name, Contact.role, Contact.language)
        .outerjoin(Account, Account.id == Contact.account_id)
        .order_by(Contact.email)
    )
    return [tuple(row) for row in rows]


def assignments_state(db: Any) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Contact.email, Account.name)
        .select_from(Assignment)
        .join(Contact, Contact.id == Assignment.contact_id)
        .join(Account, Account.id == Assignment.account_id)
        .order_by(Contact.email, Account.name)
    )
    return [tuple(row) for row in rows]


# ---- accounts: formats -----------------------------------------------------------------------------------


def test_import_accounts_creates_accounts_in_scope_with_figures(db, study, tmp_path):
    path = csv_file(
        tmp_path,
        ACCOUNTS_HEADER + "Acme BV,Retail,250000,120,80.5,A-1\nGlobex,,,,,\n",
    )

    report = import_accounts(session=db.session, study=study, source=path)
    db.session.commit()

    assert report.ok is True
    assert problems(report) == []
    assert counts(report) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert report.rows == 2
    assert changes(report) == []
    assert scope(db, study) == [
        ("Acme BV", "A-1", "Retail", Decimal("250000.00"), Decimal("120.00"), Decimal("80.50")),
        ("Globex", None, "", None, None, None),
    ]


@pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
def test_import_accounts_with_or_without_bom_reads_the_header(db, study, tmp_path, bom):
    path = csv_file(
        tmp_path, "name,segment,annual_revenue,effort_hours,billable_hours\nAcme,Retail,1,2,1\n", bom=bom
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == []
    assert scope(db, study) == [("Acme", None, "Retail", Decimal("1.00"), Decimal("2.00"), Decimal("1.00"))]


def test_import_accounts_with_semicolons_accepts_decimal_commas(db, study, tmp_path):
    path = csv_file(
        tmp_path,
        "name;segment;annual_revenue;effort_hours;billable_hours\n"
        "Acme;Retail;1.234,5;1234,5;12,25\n"
        "Globex;Retail;1.234.567;12.500;0,005\n"
        '"Initech; Holding";Retail;7;7;7\n',
        bom=True,
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == []
    assert scope(db, study) == [
        ("Acme", None, "Retail", Decimal("1234.50"), Decimal("1234.50"), Decimal("12.25")),
        ("Globex", None, "Retail", Decimal("1234567.00"), Decimal("12500.00"), Decimal("0.01")),
        ("Initech; Holding", None, "Retail", Decimal("7.00"), Decimal("7.00"), Decimal("7.00")),
    ]


def test_import_accounts_header_is_case_insensitive_trimmed_and_in_any_order(db, study, tmp_path):
    path = csv_file(
        tmp_path,
        " External_ID , Billable_Hours,EFFORT_HOURS,Annual_Revenue , Segment,Name \n"
        "X-9,5,10,100,Retail,Acme\n",
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == []
    assert scope(db, study) == [
        ("Acme", "X-9", "Retail", Decimal("100.00"), Decimal("10.00"), Decimal("5.00"))
    ]


def test_import_accounts_from_a_file_object_reads_from_its_position(db, study):
    upload = io.BytesIO(b"ignored preamble\n" + (ACCOUNTS_HEADER + "Acme,Retail,1,1,1,\n").encode())
    upload.seek(len(b"ignored preamble\n"))

    report = import_accounts(session=db.session, study=study, source=upload)

    assert problems(report) == []
    assert report.created == 1
    assert upload.closed is False


def test_import_accounts_with_missing_and_unknown_columns_is_a_file_error(db, study, tmp_path):
    path = csv_file(tmp_path, "Name,segment,revenue,effort_hours,notes\nAcme,Retail,1,1,x\n")
    before = snapshot(db)

    report = import_accounts(session=db.session, study=study, source=path)

    expected = "name,segment,annual_revenue,effort_hours,billable_hours[,external_id]"
    assert report.ok is False
    assert problems(report) == [
        (None, f"The file lacks the column(s) annual_revenue, billable_hours. Expected columns: {expected}."),
        (None, f"The file has unknown column(s) revenue, notes. Expected columns: {expected}."),
    ]
    assert snapshot(db) == before


def test_import_accounts_with_a_repeated_column_is_a_file_error(db, study, tmp_path):
    path = csv_file(tmp_path, "name,segment,annual_revenue,effort_hours,billable_hours,NAME\nA,B,1,1,1,C\n")

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [(None, "The header names column(s) name more than once.")]


@pytest.mark.parametrize(
    "content",
    [b"", BOM, b"\n\r\n\n", ACCOUNTS_HEADER.encode(), BOM + ACCOUNTS_HEADER.encode() + b",,,,,\r\n , ,\n\n"],
    ids=["empty", "bom-only", "blank-lines", "header-only", "header-and-blank-rows"],
)
def test_import_accounts_without_rows_says_the_file_has_no_rows(db, study, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (None, "The file has no rows: it needs a header row and at least one row of data.")
    ]


def test_import_accounts_not_utf8_names_the_row(db, study, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (ACCOUNTS_HEADER + "Acme,Retail,1,1,1,\nGlobex,,,,,\n").encode() + "Café,,,,,\n".encode("cp1252")
    )
    before = snapshot(db)

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (
            4,
            "This row is not UTF-8 text, so the file cannot be read from here on. "
            "Save it as “CSV UTF-8” and try again.",
        )
    ]
    assert snapshot(db) == before


def test_import_accounts_with_an_unclosed_quote_names_the_row(db, study, tmp_path):
    path = csv_file(tmp_path, ACCOUNTS_HEADER + 'Acme,Retail,1,1,1,\n"Globex,Retail,1,1,1,\nInitech,,,,,\n')

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (
            3,
            "This row is not valid CSV (a quote that is not closed, or a cell that is too long); "
            "the file cannot be read from here on.",
        )
    ]


# ---- accounts: bad rows ----------------------------------------------------------------------------------


def test_import_accounts_reports_every_bad_row_with_its_number(db, study, tmp_path):
    long_name = "N" * 201
    path = csv_file(
        tmp_path,
        ACCOUNTS_HEADER
        + "Acme,Retail,1000,120,80,A-1\n"  # 2: fine
        + ",Retail,1,1,1,\n"  # 3
        + "Beta,Retail,-5,10,5,\n"  # 4
        + "Gamma,Retail,12abc,10,5,\n"  # 5
        + "Delta,Retail,100,10,12.5,\n"  # 6
        + "ACME,Retail,5,5,5,\n"  # 7
        + "Epsilon,Retail,5,5,5,A-1\n"  # 8
        + 'Zeta,Retail,"1,5",5,5,\n'  # 9
        + "Eta,Retail,100000000000000,10000000000,5,\n"  # 10
        + '"Th\teta",Retail,1,1,1,\n'  # 11
        + f"{long_name},Retail,1,1,1,\n"  # 12
        + "Iota,Retail,1,1,1,,surplus\n"  # 13
        + "Kappa,Retail,x,-1,,\n"  # 14
        + "Lambda,,,,,\n"  # 15: fine
        + "  lambda  ,,,,,\n",  # 16
    )
    before = snapshot(db)

    report = import_accounts(session=db.session, study=study, source=path)

    assert report.ok is False
    assert problems(report) == [
        (3, "name is required."),
        (4, "annual_revenue must be 0 or more, not -5."),
        (5, "annual_revenue must be a number, not 12abc."),
        (6, "billable_hours (12.5) is more than effort_hours (10)."),
        (7, "The account ACME is already on row 2."),
        (8, "External id A-1 is already on row 2."),
        (9, "annual_revenue 1,5: in a file separated by commas, decimals are written with a point (1.5)."),
        (10, "annual_revenue 100000000000000 is too large."),
        (10, "effort_hours 10000000000 is too large."),
        (11, "name contains a control character such as a tab or a line break."),
        (12, "name may have at most 200 characters."),
        (13, "Column 7 has a value but no name in the header row."),
        (14, "annual_revenue must be a number, not x."),
        (14, "effort_hours must be 0 or more, not -1."),
        (16, "The account lambda is already on row 15."),
    ]
    assert report.error_count == 15
    assert snapshot(db) == before
    assert session_is_clean(db)


def test_import_accounts_with_semicolons_refuses_a_decimal_point(db, study, tmp_path):
    path = csv_file(
        tmp_path, "name;segment;annual_revenue;effort_hours;billable_hours\nAcme;Retail;12.5;0.500;1\n"
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (
            2,
            "annual_revenue 12.5: in a file separated by semicolons, "
            "decimals are written with a comma (12,5).",
        ),
        (
            2,
            "effort_hours 0.500: in a file separated by semicolons, "
            "decimals are written with a comma (0,500).",
        ),
    ]


def test_import_accounts_caps_the_error_list(db, study, tmp_path):
    path = csv_file(tmp_path, ACCOUNTS_HEADER + "".join(f"Account {n},,-1,,,\n" for n in range(1, 1_003)))

    report = import_accounts(session=db.session, study=study, source=path)

    assert report.error_count == 1_002
    assert len(report.errors) == MAX_LISTED + 1
    assert problems(report)[MAX_LISTED - 1] == (1_001, "annual_revenue must be 0 or more, not -1.")
    assert problems(report)[-1] == (None, "… and 2 more errors.")


# ---- accounts: text cells --------------------------------------------------------------------------------


def test_import_accounts_stores_formula_like_cells_literally_and_removes_the_export_protection(
    db, study, tmp_path
):
    path = csv_file(
        tmp_path,
        ACCOUNTS_HEADER
        + '"=HYPERLINK(""http://x"",""y"")",Retail,,,,\n'
        + "'=SUM(A1),'+31 segment,,,,'@ext\n"
        + "'s-Hertogenbosch Bakery,'-minus,,,,\n"
        + "  Spaced   Out   Ltd  ,  Retail   Food ,,,,\n",
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == []
    assert scope(db, study) == [
        ("'s-Hertogenbosch Bakery", None, "-minus", None, None, None),
        ('=HYPERLINK("http://x","y")', None, "Retail", None, None, None),
        ("=SUM(A1)", "@ext", "+31 segment", None, None, None),
        ("Spaced Out Ltd", None, "Retail Food", None, None, None),
    ]


# ---- accounts: updates, renames, idempotence -------------------------------------------------------------


def test_import_accounts_twice_changes_nothing_the_second_time(db, study, tmp_path):
    path = csv_file(
        tmp_path, ACCOUNTS_HEADER + "Acme,Retail,1000.5,120,80,A-1\nGlobex,,,,,\nInitech,IT,3,2,1,\n"
    )
    import_accounts(session=db.session, study=study, source=path, actor_label="first")
    db.session.commit()
    before = snapshot(db)

    second = import_accounts(session=db.session, study=study, source=path, actor_label="second")
    db.session.commit()

    assert problems(second) == []
    assert counts(second) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(second) == []
    assert snapshot(db) == before
    assert db.session.scalars(
        select(AuditEvent.actor_label).where(AuditEvent.action == "study.accounts_imported")
    ).all() == ["first"]


def test_import_accounts_records_one_audit_event_with_the_counts(db, study, tmp_path):
    path = csv_file(tmp_path, ACCOUNTS_HEADER + "Acme,Retail,1,1,1,\nGlobex,,,,,\n")

    import_accounts(session=db.session, study=study, source=path, actor_label="cli")
    db.session.commit()

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "study.accounts_imported")).one()
    assert (event.actor_label, event.object_type, event.object_id, event.supplier_id) == (
        "cli",
        "studies",
        study.id,
        study.supplier_id,
    )
    assert event.details == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 0,
    }


def test_import_accounts_reports_and_applies_updates(db, study, tmp_path):
    first = csv_file(
        tmp_path, ACCOUNTS_HEADER + "Acme,Retail,1000,120,80,\nGlobex,Energy,5,5,5,\nInitech,,,,,\n"
    )
    import_accounts(session=db.session, study=study, source=first)
    db.session.commit()
    second = csv_file(
        tmp_path,
        ACCOUNTS_HEADER
        + "acme,Retail,1000.00,140,80,A-1\nGlobex,Utilities,5,,5,\nInitech,,,,,\nHooli,Tech,1,1,1,\n",
        name="second.csv",
    )

    report = import_accounts(session=db.session, study=study, source=second)
    db.session.commit()

    assert counts(report) == {
        "created": 1,
        "updated": 2,
        "unchanged": 1,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(report) == [
        "Account acme: name Acme → acme",
        "Account acme: external_id — → A-1",
        "Account acme: effort_hours 120 → 140",
        "Account Globex: segment Energy → Utilities",
        "Account Globex: effort_hours 5 → —",
    ]
    assert scope(db, study) == [
        ("Globex", None, "Utilities", Decimal("5.00"), None, Decimal("5.00")),
        ("Hooli", None, "Tech", Decimal("1.00"), Decimal("1.00"), Decimal("1.00")),
        ("Initech", None, "", None, None, None),
        ("acme", "A-1", "Retail", Decimal("1000.00"), Decimal("140.00"), Decimal("80.00")),
    ]


def test_import_accounts_renames_an_account_found_by_its_external_id(db, study, tmp_path):
    import_accounts(
        session=db.session,
        study=study,
        source=csv_file(tmp_path, ACCOUNTS_HEADER + "Acme,Retail,1,1,1,A-1\n"),
    )
    db.session.commit()
    account_id = db.session.scalar(select(Account.id))

    report = import_accounts(
        session=db.session,
        study=study,
        source=csv_file(tmp_path, ACCOUNTS_HEADER + "Acme Group,Retail,1,1,1,A-1\n", name="renamed.csv"),
    )
    db.session.commit()

    assert counts(report) == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(report) == ["Account Acme Group: name Acme → Acme Group"]
    assert db.session.execute(select(Account.id, Account.name)).all() == [(account_id, "Acme Group")]


def test_import_accounts_puts_a_known_account_of_the_supplier_in_scope(db, study, tmp_path):
    earlier = Study(supplier=study.supplier, slug="wave-0", name="Wave 0")
    db.session.add(earlier)
    db.session.commit()
    import_accounts(
        session=db.session,
        study=earlier,
        source=csv_file(tmp_path, ACCOUNTS_HEADER + "Acme,Retail,9,9,9,A-1\n"),
    )
    db.session.commit()

    report = import_accounts(
        session=db.session,
        study=study,
        source=csv_file(tmp_path, ACCOUNTS_HEADER + "ACME,Food,1,1,1,\n", name="wave1.csv"),
    )
    db.session.commit()

    assert counts(report) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(report) == ["Account ACME: name Acme → ACME", "Account ACME: segment Retail → Food"]
    assert db.session.scalar(select(func.count()).select_from(Account)) == 1
    assert scope(db, study) == [("ACME", "A-1", "Food", Decimal("1.00"), Decimal("1.00"), Decimal("1.00"))]
    assert scope(db, earlier) == [("ACME", "A-1", "Food", Decimal("9.00"), Decimal("9.00"), Decimal("9.00"))]


def test_import_accounts_refuses_external_id_conflicts_with_existing_accounts(db, study, tmp_path):
    db.session.add_all(
        [
            Account(supplier=study.supplier, name="Acme", external_id="A-1"),
            Account(supplier=study.supplier, name="Globex", external_id="G-1"),
            Account(supplier=study.supplier, name="Initech"),
            Account(supplier=study.supplier, name="INITECH"),
        ]
    )
    db.session.commit()
    before = snapshot(db)
    path = csv_file(
        tmp_path,
        ACCOUNTS_HEADER
        + "Globex,Retail,,,,A-1\n"  # 2: renaming Acme onto Globex
        + "Globex,Retail,,,,G-2\n"  # 3: Globex has another external id
        + "initech,Retail,,,,\n"  # 4: two accounts by that name
        + "Hooli,Retail,,,,\n"  # 5: fine
        + "Hooli Inc,Retail,,,,A-1\n",  # 6: renames Acme, fine
    )

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (2, "Cannot rename Acme to Globex (external id A-1): another account already has that name."),
        (3, "The account Globex already has external id G-1, not G-2."),
        (
            4,
            "More than one account is named initech, differing only in upper and lower case; "
            "add the external id to say which one.",
        ),
    ]
    assert snapshot(db) == before


def test_import_accounts_refuses_a_rename_onto_a_name_earlier_in_the_file(db, study, tmp_path):
    db.session.add(Account(supplier=study.supplier, name="Acme", external_id="A-1"))
    db.session.commit()
    path = csv_file(tmp_path, ACCOUNTS_HEADER + "Hooli,,,,,\nHOOLI,,,,,A-1\nAcme Group,,,,,A-1\nAcme,,,,,\n")

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (3, "The account HOOLI is already on row 2."),
        (5, "The account Acme is already on row 4."),
    ]


def test_import_accounts_dry_run_reports_without_writing(db, study, tmp_path):
    import_accounts(
        session=db.session, study=study, source=csv_file(tmp_path, ACCOUNTS_HEADER + "Acme,Retail,1,1,1,\n")
    )
    db.session.commit()
    before = snapshot(db)
    path = csv_file(tmp_path, ACCOUNTS_HEADER + "Acme,Retail,2,1,1,\nGlobex,,,,,\n", name="next.csv")

    preview = import_accounts(session=db.session, study=study, source=path, dry_run=True)

    assert preview.ok is True
    assert preview.dry_run is True
    assert counts(preview) == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(preview) == ["Account Acme: annual_revenue 1 → 2"]
    assert snapshot(db) == before
    assert session_is_clean(db)


def test_import_accounts_with_an_error_on_the_last_of_500_rows_writes_nothing(db, study, tmp_path):
    first = csv_file(
        tmp_path, ACCOUNTS_HEADER + "".join(f"Account {n},Old,{n},10,5,E-{n}\n" for n in range(250))
    )
    import_accounts(session=db.session, study=study, source=first)
    db.session.commit()
    before = snapshot(db)
    rows = [f"Account {n},New,{n + 1},10,5,E-{n}\n" for n in range(499)] + ["Last,New,1,10,11,\n"]
    path = csv_file(tmp_path, ACCOUNTS_HEADER + "".join(rows), name="second.csv")

    report = import_accounts(session=db.session, study=study, source=path)

    assert problems(report) == [(501, "billable_hours (11) is more than effort_hours (10).")]
    assert session_is_clean(db)
    assert snapshot(db) == before
    db.session.rollback()
    assert snapshot(db) == before


def test_import_accounts_of_100k_rows_keeps_memory_bounded(db, study, tmp_path):
    # Twice the default cap, as an operator who raised SURVEYAPP_IMPORT_MAX_ROWS may import.
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("name;segment;annual_revenue;effort_hours;billable_hours;external_id\r\n")
        for n in range(100_000):
            handle.write(f"Account {n:06d};Segment {n % 7};{n},50;{n % 997 + 10};{n % 10};EXT-{n:06d}\r\n")

    tracemalloc.start()
    try:
        report = import_accounts(session=db.session, study=study, source=path, max_rows=100_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert problems(report) == []
    assert report.created == 100_000
    assert db.session.scalar(select(func.count()).select_from(StudyAccount)) == 100_000
    assert db.session.execute(
        select(Account.name, StudyAccount.annual_revenue, StudyAccount.effort_hours)
        .join(StudyAccount, StudyAccount.account_id == Account.id)
        .where(Account.external_id == "EXT-099999")
    ).one() == ("Account 099999", Decimal("99999.50"), Decimal("309.00"))
    assert peak < 60 * 1024 * 1024


# ---- contacts --------------------------------------------------------------------------------------------


def test_import_contacts_creates_client_contacts_staff_and_assignments(db, study, in_scope, tmp_path):
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,Anna@Acme.example,Anna de Vries,CFO,en,client\n"
        + "A-1,piet@northwind.example,Piet Jansen,Account manager,,supplier\n"
        + "Globex,piet@northwind.example,Piet Jansen,Account manager,,Supplier\n"
        + "globex,ben@globex.example,,,,CLIENT\n"
        + ",lead@northwind.example,Lea Lead,Director,EN,supplier\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert problems(report) == []
    assert counts(report) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 2,
    }
    assert contacts_state(db) == [
        ("anna@acme.example", Side.CLIENT, "Acme BV", "Anna de Vries", "CFO", Language.EN),
        ("ben@globex.example", Side.CLIENT, "Globex", "", "", Language.NL),
        ("lead@northwind.example", Side.SUPPLIER, None, "Lea Lead", "Director", Language.EN),
        ("piet@northwind.example", Side.SUPPLIER, None, "Piet Jansen", "Account manager", Language.NL),
    ]
    assert assignments_state(db) == [
        ("piet@northwind.example", "Acme BV"),
        ("piet@northwind.example", "Globex"),
    ]


def test_import_contacts_with_semicolons_and_a_bom(db, study, in_scope, tmp_path):
    path = csv_file(
        tmp_path,
        "side;email;account;name;role;language\r\nclient;anna@acme.example;Acme BV;'=Anna;'-;nl\r\n",
        bom=True,
    )

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == []
    assert contacts_state(db) == [("anna@acme.example", Side.CLIENT, "Acme BV", "=Anna", "-", Language.NL)]


def test_import_contacts_reports_every_bad_row_with_its_number(db, study, in_scope, tmp_path):
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,anna@acme.example,Anna,,,client\n"  # 2: fine
        + "Acme BV,not-an-email,,,,client\n"  # 3
        + "Acme BV,,,,,client\n"  # 4
        + "Umbrella,carl@umbrella.example,,,,client\n"  # 5
        + "Initech,dora@initech.example,,,,client\n"  # 6: outside the study's scope
        + ",erik@acme.example,,,,client\n"  # 7
        + "Acme BV,fay@acme.example,,,,partner\n"  # 8
        + "Acme BV,gus@acme.example,,,,\n"  # 9
        + "Acme BV,hal@acme.example,,,de,client\n"  # 10
        + "Acme BV,ANNA@acme.example,,,,client\n"  # 11: same account again
        + "Globex,anna@acme.example,,,,client\n"  # 12: a second account
        + "Globex,anna@acme.example,,,,supplier\n"  # 13: client before
        + "Acme BV,piet@northwind.example,Piet,,,supplier\n"  # 14: fine
        + "Acme BV,piet@northwind.example,Piet,,,supplier\n"  # 15: same pair again
        + "Acme BV,piet@northwind.example,,,,client\n"  # 16: staff before
        + "Globex,piet@northwind.example,Peter,,,supplier\n"  # 17: other name
        + ",lea@northwind.example,,,,supplier\n"  # 18: fine
        + ",lea@northwind.example,,,,supplier\n",  # 19: same pair again
    )
    before = snapshot(db)

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (3, "not-an-email is not a valid email address."),
        (4, "email is required."),
        (5, "Unknown account Umbrella: no account in this study has that name or external id."),
        (6, "Unknown account Initech: no account in this study has that name or external id."),
        (7, "A client contact needs an account."),
        (8, "side must be client or supplier, not partner."),
        (9, "side is required: client or supplier."),
        (10, "language must be nl or en, not de."),
        (11, "anna@acme.example with account Acme BV is already on row 2."),
        (
            12,
            "anna@acme.example is a client contact of Acme BV on row 2; "
            "a client contact belongs to one account.",
        ),
        (13, "anna@acme.example is a client contact on row 2 and cannot also be supplier staff."),
        (15, "piet@northwind.example with account Acme BV is already on row 14."),
        (16, "piet@northwind.example is supplier staff on row 14 and cannot also be a client contact."),
        (
            17,
            "piet@northwind.example has a different name on row 14; "
            "a staff member's details must be the same on every row.",
        ),
        (19, "lea@northwind.example without an account is already on row 18."),
    ]
    assert snapshot(db) == before
    assert session_is_clean(db)


def test_import_contacts_refuses_rows_that_contradict_existing_contacts(db, study, in_scope, tmp_path):
    db.session.add_all(
        [
            Contact(
                supplier_id=study.supplier_id,
                side=Side.CLIENT,
                email="anna@acme.example",
                account=in_scope["initech"],
            ),
            Contact(
                supplier_id=study.supplier_id,
                side=Side.CLIENT,
                email="ben@globex.example",
                account=in_scope["globex"],
            ),
            Contact(supplier_id=study.supplier_id, side=Side.SUPPLIER, email="piet@northwind.example"),
        ]
    )
    db.session.commit()
    before = snapshot(db)
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,anna@acme.example,,,,client\n"
        + "Globex,ben@globex.example,,,,supplier\n"
        + "Globex,piet@northwind.example,,,,client\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (
            2,
            "anna@acme.example is already a client contact of Initech; "
            "a client contact belongs to one account.",
        ),
        (3, "ben@globex.example is already a client contact and cannot also be supplier staff."),
        (4, "piet@northwind.example is already supplier staff and cannot also be a client contact."),
    ]
    assert snapshot(db) == before


def test_import_contacts_updates_changed_details_and_keeps_what_is_left_empty(db, study, in_scope, tmp_path):
    db.session.add_all(
        [
            Contact(
                supplier_id=study.supplier_id,
                side=Side.CLIENT,
                email="anna@acme.example",
                account=in_scope["acme"],
                name="Anna",
                role="CFO",
                language=Language.EN,
            ),
            Contact(
                supplier_id=study.supplier_id, side=Side.SUPPLIER, email="piet@northwind.example", name="Piet"
            ),
        ]
    )
    db.session.commit()
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,anna@acme.example,Anna de Vries,,,client\n"
        + "Acme BV,piet@northwind.example,Piet,Director,en,supplier\n"
        + "Globex,piet@northwind.example,,,,supplier\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert counts(report) == {
        "created": 0,
        "updated": 2,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 2,
    }
    assert changes(report) == [
        "Contact anna@acme.example: name Anna → Anna de Vries",
        "Contact piet@northwind.example: role — → Director",
        "Contact piet@northwind.example: language nl → en",
    ]
    assert contacts_state(db) == [
        ("anna@acme.example", Side.CLIENT, "Acme BV", "Anna de Vries", "CFO", Language.EN),
        ("piet@northwind.example", Side.SUPPLIER, None, "Piet", "Director", Language.EN),
    ]
    assert assignments_state(db) == [
        ("piet@northwind.example", "Acme BV"),
        ("piet@northwind.example", "Globex"),
    ]


def test_import_contacts_skips_opted_out_and_erased_contacts(db, study, in_scope, tmp_path):
    when = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.add_all(
        [
            Contact(
                supplier_id=study.supplier_id,
                side=Side.CLIENT,
                email="anna@acme.example",
                account=in_scope["acme"],
                name="Anna",
                opted_out_at=when,
            ),
            Contact(
                supplier_id=study.supplier_id,
                side=Side.SUPPLIER,
                email="piet@northwind.example",
                erased_at=when,
            ),
        ]
    )
    db.session.commit()
    before = snapshot(db)
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,anna@acme.example,Anna Changed,,,client\n"
        + "Acme BV,piet@northwind.example,Piet,,,supplier\n"
        + "Globex,piet@northwind.example,,,,supplier\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert report.ok is True
    assert counts(report) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "skipped": 2,
        "assignments_created": 0,
    }
    assert notices(report) == [
        (2, "anna@acme.example has opted out; this row is skipped and the contact is left as it is."),
        (3, "piet@northwind.example has been erased; this row is skipped."),
        (4, "piet@northwind.example has been erased; this row is skipped."),
    ]
    assert snapshot(db) == before


def test_import_contacts_twice_changes_nothing_the_second_time(db, study, in_scope, tmp_path):
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,anna@acme.example,Anna,CFO,en,client\n"
        + "Acme BV,piet@northwind.example,Piet,,,supplier\n"
        + "Globex,piet@northwind.example,Piet,,,supplier\n"
        + ",lea@northwind.example,Lea,,,supplier\n",
    )
    first = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()
    before = snapshot(db)

    second = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert counts(first) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 2,
    }
    assert counts(second) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "skipped": 0,
        "assignments_created": 0,
    }
    assert changes(second) == []
    assert snapshot(db) == before
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "study.contacts_imported")
        )
        == 1
    )


def test_import_contacts_assigns_known_staff_to_new_accounts(db, study, in_scope, tmp_path):
    staff = Contact(
        supplier_id=study.supplier_id, side=Side.SUPPLIER, email="piet@northwind.example", name="Piet"
    )
    db.session.add(staff)
    db.session.flush()
    db.session.add(Assignment(study_id=study.id, contact_id=staff.id, account_id=in_scope["acme"].id))
    db.session.commit()
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,piet@northwind.example,,,,supplier\nGlobex,piet@northwind.example,,,,supplier\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert counts(report) == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "skipped": 0,
        "assignments_created": 1,
    }
    assert assignments_state(db) == [
        ("piet@northwind.example", "Acme BV"),
        ("piet@northwind.example", "Globex"),
    ]


def test_import_contacts_dry_run_reports_without_writing(db, study, in_scope, tmp_path):
    before = snapshot(db)
    path = csv_file(
        tmp_path, CONTACTS_HEADER + "Acme BV,anna@acme.example,,,,client\nGlobex,piet@n.example,,,,supplier\n"
    )

    preview = import_contacts(session=db.session, study=study, source=path, dry_run=True)

    assert counts(preview) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 1,
    }
    assert snapshot(db) == before
    assert session_is_clean(db)


def test_import_contacts_with_an_error_on_the_last_row_writes_nothing(db, study, in_scope, tmp_path):
    before = snapshot(db)
    rows = [f"Acme BV,client{n}@acme.example,,,,client\n" for n in range(1_200)]
    rows += [f"Globex,staff{n % 3}@northwind.example,,,,supplier\n" for n in range(3)]
    rows += ["Globex,staff0@northwind.example,,,,supplier\n"]
    path = csv_file(tmp_path, CONTACTS_HEADER + "".join(rows))

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (1_205, "staff0@northwind.example with account Globex is already on row 1202.")
    ]
    assert snapshot(db) == before
    assert session_is_clean(db)


def test_import_contacts_across_batches_creates_each_staff_member_once(db, study, in_scope, tmp_path):
    rows = [f"Acme BV,client{n}@acme.example,,,,client\n" for n in range(1_500)]
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER
        + "Acme BV,piet@northwind.example,Piet,,,supplier\n"
        + "".join(rows)
        + "Globex,piet@northwind.example,Piet,,,supplier\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)
    db.session.commit()

    assert counts(report) == {
        "created": 1_501,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "assignments_created": 2,
    }
    assert assignments_state(db) == [
        ("piet@northwind.example", "Acme BV"),
        ("piet@northwind.example", "Globex"),
    ]


def test_import_contacts_with_a_wrong_header_is_a_file_error(db, study, tmp_path):
    path = csv_file(tmp_path, "account,e-mail,name,side\nAcme,anna@acme.example,Anna,client\n")

    report = import_contacts(session=db.session, study=study, source=path)

    expected = "account,email,name,role,language,side"
    assert problems(report) == [
        (None, f"The file lacks the column(s) email, role, language. Expected columns: {expected}."),
        (None, f"The file has unknown column(s) e-mail. Expected columns: {expected}."),
    ]


def test_import_contacts_with_only_a_header_says_the_file_has_no_rows(db, study, tmp_path):
    path = csv_file(tmp_path, CONTACTS_HEADER, bom=True)

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (None, "The file has no rows: it needs a header row and at least one row of data.")
    ]


def test_import_contacts_refuses_an_account_name_shared_by_two_accounts_in_scope(db, study, tmp_path):
    first = Account(supplier=study.supplier, name="Umbrella", external_id="U-1")
    second = Account(supplier=study.supplier, name="UMBRELLA")
    db.session.add_all([first, second])
    db.session.flush()
    db.session.add_all(
        [
            StudyAccount(study_id=study.id, account_id=first.id),
            StudyAccount(study_id=study.id, account_id=second.id),
        ]
    )
    db.session.commit()
    path = csv_file(
        tmp_path,
        CONTACTS_HEADER + "umbrella,anna@umbrella.example,,,,client\nU-1,ben@umbrella.example,,,,client\n",
    )

    report = import_contacts(session=db.session, study=study, source=path)

    assert problems(report) == [
        (
            2,
            "More than one account in this study is named umbrella, differing only in upper and lower case; "
            "use its external id.",
        )
    ]
