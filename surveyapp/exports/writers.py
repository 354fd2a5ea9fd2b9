"""Writing tables as CSV, XLSX or a zip of CSV files, safe to open in a spreadsheet.

Formula protection (DESIGN.md, "Interfaces that are contracts"): every text cell that starts with `= + - @`,
a tab or a carriage return gets a leading `'`, so that no spreadsheet runs it as a formula; numbers are written
as numbers. The importers take the `'` off again (`core.csvfiles.clean_text`). In XLSX every text cell is a
string cell (data type `s`), never a formula. JSON is never altered.

CSV files are UTF-8 with a byte order mark (so Excel reads the accents right), comma-separated, with a point
as the decimal separator.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from surveyapp.core.csvfiles import FORMULA_STARTS

BOM = "\ufeff"
ROWS_PER_CHUNK = 500
# A number as text that a spreadsheet may show as a number without losing anything (no leading zeros).
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,10})?")


class Number(str):
    """A text value that is a number: written as a number (never prefixed) in CSV and XLSX."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    header: tuple[str, ...]
    rows: Iterable[Sequence[Any]]


def neutralised(text: str) -> str:
    """A text cell with the formula protection: `'` before a leading `= + - @`, tab or CR."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def as_number(text: str) -> str:
    """The value marked as a number when it is one (so `-5` stays a number and `-5 km` is protected)."""
    return Number(text) if _NUMBER.fullmatch(text) else text


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Number | int | float | Decimal):
        return str(value)
    return neutralised(str(value))


def csv_chunks(table: Table, *, bom: bool = True) -> Iterator[bytes]:
    """The table as CSV, in chunks of encoded rows (a file of any length never sits in memory at once)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    writer.writerow(table.header)
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, Number):
        return Decimal(value) if "." in value else int(value)
    cell = WriteOnlyCell(sheet, value=neutralised(ILLEGAL_CHARACTERS_RE.sub("", str(value))))
    cell.data_type = "s"
    return cell


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, a sheet per table (written row by row: openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.append([_xlsx_cell(sheet, name) for name in table.header])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def zip_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as a zip of CSV files, one `<name>.csv` per table."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.name}.csv", b"".join(csv_chunks(table)))
    return output.getvalue()
