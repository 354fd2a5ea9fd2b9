"""The prospects of a supplier with their checks over time and the decisions taken, as CSV or XLSX.

One row per check (a prospect without a check: one row with empty check columns). Text cells starting with
`= + - @`, tab or CR get a leading `'` (DESIGN.md "Exports"); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from surveyapp.analysis.rounding import round_score
from surveyapp.audit.services import record
from surveyapp.core.csvfiles import FORMULA_STARTS
from surveyapp.deals.models import Prospect, ProspectDecision
from surveyapp.deals.queries import supplier_prospects
from surveyapp.studies.models import Supplier

COLUMNS = (
    "prospect",
    "segment",
    "sales_owner",
    "stage",
    "expected_value",
    "account",
    "checked_at",
    "answered_by",
    "rater",
    "advice",
    "score",
    "knockouts",
    "decision",
    "decided_at",
    "decision_note",
)
Cell = str | float | int | None


def protect(value: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula gets a leading `'`; other values stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _when(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _decision_for(prospect: Prospect, check_id: int | None) -> ProspectDecision | None:
    decisions = [d for d in prospect.decisions if d.check_id == check_id]
    return decisions[-1] if decisions else None


def prospect_rows(*, session: Session, supplier_id: int) -> list[list[Cell]]:
    """The header and one row per check (or per prospect without checks), protected against formulas."""
    rows: list[list[Cell]] = [list(COLUMNS)]
    for prospect in supplier_prospects(session=session, supplier_id=supplier_id):
        base: list[Cell] = [
            prospect.name,
            prospect.segment,
            prospect.sales_owner,
            prospect.stage.value,
            _money(prospect.expected_value),
            prospect.account.name if prospect.account is not None else "",
        ]
        if not prospect.checks:
            decision = _decision_for(prospect, None)
            rows.append([*base, "", "", "", "", None, "", *_decision_cells(decision)])
        for check in prospect.checks:
            decision = _decision_for(prospect, check.id)
            rows.append(
                [
                    *base,
                    _when(check.completed_at),
                    check.respondent_label,
                    check.rater.value,
                    check.advice.value,
                    round_score(check.score),
                    "|".join(check.knockouts),
                    *_decision_cells(decision),
                ]
            )
    return [[protect(cell) for cell in row] for row in rows]


def exported_rows(*, session: Session, supplier: Supplier, fmt: str, actor: Any) -> list[list[Cell]]:
    """`prospect_rows`, recorded in the audit log as an export (flushes; the caller commits)."""
    rows = prospect_rows(session=session, supplier_id=supplier.id)
    record(
        session=session,
        action="prospects.exported",
        actor=actor,
        obj=supplier,
        supplier_id=supplier.id,
        details={"format": fmt, "rows": len(rows) - 1},
    )
    return rows


def _decision_cells(decision: ProspectDecision | None) -> list[Cell]:
    if decision is None:
        return ["", "", ""]
    return [decision.decision.value, _when(decision.decided_at), decision.note]


def to_csv(rows: list[list[Cell]]) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), comma-separated, numbers with a decimal point."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[Cell]]) -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "prospects"
    for row in rows:
        # XLSX cannot hold control characters (other than tab and line breaks): they are left out there.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(supplier: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", supplier.lower()).strip("-")[:80] or "supplier"
    return f"prospects-{slug}.{fmt}"
