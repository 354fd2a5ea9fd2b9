"""Reading CSV files the way spreadsheets write them, one row at a time.

Shared by every importer: UTF-8 with or without a byte order mark, `,` or `;` as the separator (Excel in NL
writes `;`), decimal commas in `;` files, and the exporters' formula protection (a `'` before a leading
`= + - @`, tab or CR) taken off again. Nothing here reads a whole file into memory: rows are decoded line by
line, so a file of any length costs the memory of one row, and a decoding error names its row.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.

A file may have at most `max_rows` rows below its header (SURVEYAPP_IMPORT_MAX_ROWS, 50,000 by default; empty
rows count too, or a file of nothing but line breaks would be read to its end): opening it counts its rows
first and stops reading at the first row beyond the cap, so a file of a million rows is refused after reading
50,001 of them, before a single row is checked against the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, BinaryIO

from babel.numbers import format_decimal
from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel.speaklater import LazyString

from surveyapp.i18n import _l

BOM = b"\xef\xbb\xbf"
# A physical line longer than this is not a spreadsheet row; refusing it keeps memory bounded.
MAX_LINE_BYTES = 1024 * 1024
# How much of a cell's value an error message repeats.
SHOWN_VALUE_LENGTH = 60
# Rows per file outside an app (the app's own cap is its IMPORT_MAX_ROWS setting, with this default).
DEFAULT_MAX_ROWS = 50_000

# Characters the exporters protect with a leading `'` so that spreadsheets do not run them as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 and C1 control characters and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_NEWLINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

# Numbers: ASCII digits only (`\d` would also accept other scripts' digits).
_POINT_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.(?P<fraction>[0-9]+))?")
_COMMA_NUMBER = re.compile(r"[+-]?[0-9]+(?:,(?P<fraction>[0-9]+))?")
# In `;` files a dot is a thousands separator, so it must group digits by three: 1.234 or 12.345.678,9.
_GROUPED_COMMA_NUMBER = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,(?P<fraction>[0-9]+))?")


class CsvFileError(Exception):
    """The file as a whole cannot be read (any further); `row` says where, when that is known."""

    def __init__(self, message: Any, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


class TooManyRowsError(CsvFileError):
    """The file has more rows below its header than one import takes; `limit` is that cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(too_many_rows_message(limit))
        self.limit = limit


class CellError(ValueError):
    """One cell's content is not acceptable; `message` is a translatable sentence that names the column."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


class _UndecodableLine(Exception):
    pass


class _OverlongLine(Exception):
    pass


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its spreadsheet row number and its cells by (normalised) column name, not yet cleaned.

    `stray_column` is the 1-based position of the first non-empty cell that has no column name in the header,
    or None; a cell there would otherwise be dropped silently.
    """

    number: int
    values: dict[str, str]
    stray_column: int | None = None


def _filled(record: list[str]) -> bool:
    return any(map(str.strip, record))


def shown(value: str) -> str:
    """A cell value as an error message repeats it: shortened, so one bad cell cannot flood a report."""
    return value if len(value) <= SHOWN_VALUE_LENGTH else value[: SHOWN_VALUE_LENGTH - 1] + "…"


def normalise_header(cell: str) -> str:
    """Header names are matched case-insensitively and without surrounding spaces."""
    return cell.strip().lower()


def detect_delimiter(header_line: str) -> str:
    """`;` when the header line has more semicolons than commas (Excel in NL), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def max_rows_setting() -> int:
    """The cap on rows per imported file: the app's IMPORT_MAX_ROWS, or the default outside an app."""
    if has_app_context():
        return int(current_app.config.get("IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)
    return DEFAULT_MAX_ROWS


class CsvTable:
    """An open CSV source: its separator, its header, and its data rows, which can be read more than once.

    Importers read the rows twice (validate, then write) without keeping them: each call of `rows()` starts
    again from the first data row. With `max_rows`, a file with more rows below its header (empty ones
    included) raises TooManyRowsError here, when it is opened.
    """

    def __init__(self, handle: BinaryIO, start: int, *, max_rows: int | None = None) -> None:
        self._handle = handle
        self._start = start
        self.max_rows = max_rows
        first = self._first_line()
        self.delimiter = detect_delimiter(first)
        self.columns: tuple[str, ...] = tuple(normalise_header(cell) for cell in self._header())
        if max_rows is not None:
            self._check_row_count(max_rows)

    def _check_row_count(self, limit: int) -> None:
        """Count the rows below the header, stopping at the first one beyond `limit` (TooManyRowsError).

        Counting costs one quick read of at most `limit` + 1 rows, without cleaning or checking them; it runs
        before the import checks any row, so that a file that is too long is refused before it costs anything
        more. An unreadable row ends the count: the import itself reports it, at its row.
        """
        records = self._records()
        next(records, None)  # the header
        try:
            # any() stops reading at the first row beyond the cap.
            beyond = any(count > limit for count, _record in enumerate(records, start=1))
        except CsvFileError:
            return
        if beyond:
            raise TooManyRowsError(limit)

    @property
    def decimal_comma(self) -> bool:
        """Numbers in `;` files are written the Dutch way: 1.234,5."""
        return self.delimiter == ";"

    def _lines(self) -> Iterator[str]:
        """The file's decoded lines, line endings kept (the csv module needs them for quoted line breaks).

        Each line is decoded on its own, which is safe for UTF-8: a newline byte never occurs inside a
        multi-byte character.
        """
        self._handle.seek(self._start)
        first = True
        while True:
            raw = self._handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE_BYTES:
                raise _OverlongLine
            if first and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            first = False
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _UndecodableLine from None
            yield line

    def _first_line(self) -> str:
        try:
            for line in self._lines():
                return line
        except _UndecodableLine:
            raise CsvFileError(_not_utf8(), row=1) from None
        except _OverlongLine:
            raise CsvFileError(_overlong(), row=1) from None
        raise CsvFileError(no_rows_message())

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Every record with its spreadsheet row number, the header included (row 1)."""
        reader = csv.reader(
            self._lines(), delimiter=self.delimiter, quotechar='"', doublequote=True, strict=True
        )
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except _UndecodableLine:
                raise CsvFileError(_not_utf8(), row=number + 1) from None
            except _OverlongLine:
                raise CsvFileError(_overlong(), row=number + 1) from None
            except csv.Error:
                # A quote that is never closed swallows the rest of the file up to the csv module's field size
                # limit, so memory stays bounded; the row where the problem started is the useful one to name.
                raise CsvFileError(_not_csv(), row=number + 1) from None
            number += 1
            yield number, record

    def _header(self) -> list[str]:
        """The first record.

        A file of nothing but empty lines has no rows; an empty first line followed by data is returned as it
        is, so that the importer reports the columns it lacks. Looking for that data stops at the row cap.
        """
        records = self._records()
        first = next(records, None)
        if first is None:
            raise CsvFileError(no_rows_message())
        if _filled(first[1]):
            return first[1]
        for number, record in records:
            if _filled(record):
                return first[1]
            if self.max_rows is not None and number > self.max_rows + 1:
                raise TooManyRowsError(self.max_rows)
        raise CsvFileError(no_rows_message())

    def rows(self) -> Iterator[CsvRow]:
        """The data rows; rows whose cells are all empty (spreadsheets write them at the end) are skipped."""
        columns = self.columns
        width = len(columns)
        all_named = all(columns)
        # The count when the file was opened already holds the cap; checking again costs little and keeps it
        # true for any caller. The header is row 1, so row `limit` + 2 is the first one beyond the cap.
        limit = self.max_rows
        records = self._records()
        next(records, None)  # the header
        for number, record in records:
            if limit is not None and number > limit + 1:
                raise TooManyRowsError(limit)
            if not _filled(record):
                continue
            if len(record) == width and all_named:
                # The common case, kept cheap: it runs for every row of files with a hundred thousand of them.
                yield CsvRow(number, dict(zip(columns, record, strict=True)))
                continue
            if len(record) < width:
                # Trailing empty cells are often left out; they mean the same as empty cells.
                record = record + [""] * (width - len(record))
            stray = next(
                (
                    position + 1
                    for position, cell in enumerate(record)
                    if cell.strip() and (position >= width or not columns[position])
                ),
                None,
            )
            values = {name: cell for name, cell in zip(columns, record, strict=False) if name}
            yield CsvRow(number, values, stray)


@contextmanager
def open_table(source: BinaryIO | Path, *, max_rows: int | None = None) -> Iterator[CsvTable]:
    """Open a CSV file by path, or use a binary file object that can seek (an upload in a temporary file).

    A file object is read from its current position and left open; a path is opened and closed here.
    Raises CsvFileError when the file is empty or its first line cannot be read, and TooManyRowsError (a
    CsvFileError) when it has more than `max_rows` rows below its header.
    """
    if isinstance(source, Path):
        with source.open("rb") as handle:
            yield CsvTable(handle, 0, max_rows=max_rows)
    else:
        yield CsvTable(source, source.tell(), max_rows=max_rows)


def column_problems(
    columns: tuple[str, ...], *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[Any]:
    """What is wrong with a header, as file-level messages: missing, unknown and repeated columns."""
    named = [column for column in columns if column]
    # The notation of the documentation: name,segment[,external_id].
    expected = ",".join(required) + "".join(f"[,{column}]" for column in optional)
    problems: list[Any] = []
    missing = [column for column in required if column not in named]
    if missing:
        problems.append(
            _l(
                "The file lacks the column(s) %(missing)s. Expected columns: %(expected)s.",
                missing=", ".join(missing),
                expected=expected,
            )
        )
    known = set(required) | set(optional)
    unknown = [column for column in dict.fromkeys(named) if column not in known]
    if unknown:
        problems.append(
            _l(
                "The file has unknown column(s) %(unknown)s. Expected columns: %(expected)s.",
                unknown=", ".join(shown(column) for column in unknown),
                expected=expected,
            )
        )
    repeated = [column for column in dict.fromkeys(named) if named.count(column) > 1]
    if repeated:
        problems.append(
            _l("The header names column(s) %(columns)s more than once.", columns=", ".join(repeated))
        )
    return problems


def clean_text(value: str, *, column: str, allow_newlines: bool = False) -> str:
    """A text cell as stored: surrounding spaces stripped, the exporters' formula protection taken off.

    Only a `'` followed by one of `= + - @`, tab or CR is taken off, so `'s-Hertogenbosch` stays as it is.
    Whatever remains is stored literally: a formula-like cell is text, never evaluated. Control characters
    (tabs, line breaks unless `allow_newlines`) raise CellError.
    """
    text = value.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]
    pattern = _CONTROL_EXCEPT_NEWLINES if allow_newlines else _CONTROL
    if pattern.search(text):
        raise CellError(
            _l("%(column)s contains a control character such as a tab or a line break.", column=column)
        )
    return text


def parse_decimal(
    value: str, *, column: str, decimal_comma: bool, places: int | None = None
) -> Decimal | None:
    """A number cell (already cleaned); empty is None. With `places`, rounded half up to that many decimals.

    In `,` files the decimal separator is a point (1234.5). In `;` files it is a comma, and a point can only
    group thousands, as Excel in NL writes them: 1234,5 or 1.234,5 or 12.500 (twelve thousand five hundred).
    A point that cannot be a thousands separator (12.5) is refused rather than guessed at.
    """
    if not value:
        return None
    if decimal_comma:
        match = _COMMA_NUMBER.fullmatch(value) or _GROUPED_COMMA_NUMBER.fullmatch(value)
        if match:
            return _rounded(Decimal(value.replace(".", "").replace(",", ".")), match, places)
        if _POINT_NUMBER.fullmatch(value):
            raise CellError(
                _l(
                    "%(column)s %(value)s: in a file separated by semicolons, "
                    "decimals are written with a comma (%(suggestion)s).",
                    column=column,
                    value=value,
                    suggestion=value.replace(".", ","),
                )
            )
    else:
        match = _POINT_NUMBER.fullmatch(value)
        if match:
            return _rounded(Decimal(value), match, places)
        if _COMMA_NUMBER.fullmatch(value):
            raise CellError(
                _l(
                    "%(column)s %(value)s: in a file separated by commas, "
                    "decimals are written with a point (%(suggestion)s).",
                    column=column,
                    value=value,
                    suggestion=value.replace(",", "."),
                )
            )
    raise CellError(_l("%(column)s must be a number, not %(value)s.", column=column, value=shown(value)))


def _rounded(number: Decimal, match: re.Match[str], places: int | None) -> Decimal:
    # Rounding only when there are more decimals than wanted: most cells have few, and this runs for each.
    if places is None or match.end("fraction") - match.start("fraction") <= places:
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _grouped(number: int) -> str:
    return format_decimal(number, locale=get_locale() or "en")


def lazy_count(number: int) -> Any:
    """A count for a lazy message, written as the language it is shown in writes it: 50,000 or 50.000."""
    return LazyString(_grouped, number)


def too_many_rows_message(limit: int) -> Any:
    """The one line that refuses a file over the cap: the cap, and what to do."""
    return _l(
        "The file has more than %(limit)s rows; split it into files of at most %(limit)s rows each.",
        limit=lazy_count(limit),
    )


def no_rows_message() -> Any:
    return _l("The file has no rows: it needs a header row and at least one row of data.")


def _not_utf8() -> Any:
    return _l(
        "This row is not UTF-8 text, so the file cannot be read from here on. "
        "Save it as “CSV UTF-8” and try again."
    )


def _overlong() -> Any:
    return _l(
        "This row is longer than %(limit)d bytes: this is not a spreadsheet file.", limit=MAX_LINE_BYTES
    )


def _not_csv() -> Any:
    return _l(
        "This row is not valid CSV (a quote that is not closed, or a cell that is too long); "
        "the file cannot be read from here on."
    )
