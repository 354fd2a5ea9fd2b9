"""Exports of the prospects page: one row per check, formula protection, numbers as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.deals import services
from surveyapp.enums import OfferDecision
from tests.deals.conftest import ANSWERS_B


def _setup(db: Any, make_supplier: Any, make_prospect: Any, make_check: Any, make_user: Any) -> Any:
    supplier = make_supplier("Brightline")
    user = make_user(email="researcher@example.org")
    prospect = make_prospect(
        supplier, '=HYPERLINK("http://x")', segment="-Care", expected_value=Decimal("1250.50")
    )
    check = make_check(prospect, user, ANSWERS_B)
    services.record_decision(
        session=db.session, prospect=prospect, decision=OfferDecision.OFFER_MADE, note="@agreed", actor=user
    )
    make_prospect(supplier, "'s-Hertogenbosch Zorg")
    db.session.commit()
    return supplier, check


def test_csv_export_has_a_row_per_check_and_protects_formulas(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier, check = _setup(db, make_supplier, make_prospect, make_check, make_user)
    login(make_user())

    response = client.get(f"/suppliers/{supplier.id}/prospects.csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert response.status_code == 200
    assert rows[0][:6] == ["prospect", "segment", "sales_owner", "stage", "expected_value", "account"]
    assert rows[1][:5] == ["'s-Hertogenbosch Zorg", "", "", "lead", ""]
    assert rows[2][:5] == ['\'=HYPERLINK("http://x")', "'-Care", "", "lead", "1250.5"]
    assert rows[2][6] == check.completed_at.isoformat(timespec="seconds")
    assert rows[2][7:13] == [
        "researcher@example.org",
        "sales",
        "go_with_conditions",
        "60.0",
        "",
        "offer_made",
    ]
    assert rows[2][14] == "'@agreed"
    assert len(rows) == 3
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "prospects.exported")
    ).all() == ["prospects.exported"]


def test_xlsx_export_writes_numbers_as_numbers_and_text_as_text(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier, _check = _setup(db, make_supplier, make_prospect, make_check, make_user)
    login(make_user())

    response = client.get(f"/suppliers/{supplier.id}/prospects.xlsx")

    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2][0] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=3, column=1).data_type == "s"
    assert values[2][4] == 1250.5
    assert values[2][10] == 60.0
