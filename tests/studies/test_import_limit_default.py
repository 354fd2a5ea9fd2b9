"""The default cap on rows per imported file: 50,000, checked before any row is."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.audit.models import AuditEvent
from surveyapp.studies.imports import import_accounts
from surveyapp.studies.models import Account, StudyAccount


def test_import_accounts_of_50001_rows_is_refused_by_the_default_cap_before_any_row_is_checked(
    app, db, make_study, tmp_path
):
    # Arrange: 50,001 data rows. Row 2 is wrong, so checking rows would report it; after the last row comes a
    # line that cannot be decoded, so reading on past the cap would report that.
    study = make_study()
    before = _written(db)
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("name,segment,annual_revenue,effort_hours,billable_hours\n")
        handle.write("Wrong,Retail,1,10,20\n")
        for n in range(50_000):
            handle.write(f"Account {n},Retail,{n},10,5\n")
    with path.open("ab") as handle:
        handle.write(b"\xff\xfe not UTF-8\n")

    # Act
    report = import_accounts(session=db.session, study=study, source=path)
    db.session.rollback()

    # Assert
    assert app.config["IMPORT_MAX_ROWS"] == 50_000
    assert [(error.row, str(error.message)) for error in report.errors] == [
        (None, "The file has more than 50,000 rows; split it into files of at most 50,000 rows each.")
    ]
    assert report.rows == 0
    assert _written(db) == before
    assert before[:2] == [0, 0]


def _written(db):
    return [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Account, StudyAccount, AuditEvent)
    ]
