"""The two-pass driver every study import shares, and the cell rules of its rows.

Pass 1 streams the file, validates every row (against the file's earlier rows and the database) and computes
the report; it writes nothing, so a file with any error leaves the session exactly as it was. Only when pass 1
found no error (and this is not a dry run) does pass 2 stream the file again and write, in batches, flushing
but never committing: the caller commits or rolls back. Pass 2 recomputes the report on its own and must
arrive at the same numbers; if it does not (a concurrent change, or a bug), it raises and the caller rolls
back.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from sqlalchemy import Row, Table, bindparam, column, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.core.csvfiles import (
    CellError,
    CsvFileError,
    CsvRow,
    CsvTable,
    clean_text,
    column_problems,
    max_rows_setting,
    no_rows_message,
    open_table,
    parse_decimal,
    shown,
)
from surveyapp.i18n import _l
from surveyapp.studies.imports.report import ImportReport
from surveyapp.studies.models import Study

# Rows validated or written together: one database round trip per batch, and a bounded amount of memory.
BATCH_ROWS = 1000
# An index value for a name that more than one existing account has, differing only in case.
AMBIGUOUS = -1
ZERO = Decimal(0)
EMPTY = "—"


class ImportConsistencyError(RuntimeError):
    """Writing found something else than validating did; nothing may be committed."""


_NOT_SINGLE_SPACED = re.compile(r"\s\s|[^\S ]")


def clean_name(value: str) -> str:
    """Names are compared and stored with single spaces, as the rest of the application stores them."""
    # Most names are single-spaced already; checking first saves splitting and joining every one of them.
    if _NOT_SINGLE_SPACED.search(value) is None and value == value.strip():
        return value
    return " ".join(value.split())


def name_key(name: str) -> str:
    """How names are matched: regardless of case (all of Unicode, not just ASCII) and of repeated spaces."""
    return clean_name(name).casefold()


def shown_value(value: Any) -> str:
    """A value in a change line."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return shown(str(value))


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A row whose cells are wrong on their own; its problems are reported in file order with the others."""

    number: int
    problems: list[Any]

    def report(self, report: ImportReport) -> None:
        for problem in self.problems:
            report.add_error(self.number, problem)


class Cells:
    """The cleaned cells of one row; problems are collected rather than raised, so a row reports them all."""

    def __init__(self, row: CsvRow, *, decimal_comma: bool) -> None:
        self.number = row.number
        self._values = row.values
        self._decimal_comma = decimal_comma
        self.problems: list[Any] = []
        if row.stray_column is not None:
            self.problems.append(
                _l(
                    "Column %(position)d has a value but no name in the header row.",
                    position=row.stray_column,
                )
            )

    def text(
        self, column: str, *, limit: int | None = None, required: bool = False, single_spaced: bool = False
    ) -> str:
        """A text cell; `limit` is the column's length in the database (None: the caller checks the value)."""
        try:
            value = clean_text(self._values.get(column, ""), column=column)
        except CellError as exc:
            self.problems.append(exc.message)
            return ""
        if single_spaced:
            value = clean_name(value)
        if required and not value:
            self.problems.append(_l("%(column)s is required.", column=column))
        elif limit is not None and len(value) > limit:
            self.problems.append(
                _l("%(column)s may have at most %(limit)d characters.", column=column, limit=limit)
            )
        return value

    def amount(self, column: str, *, below: Decimal) -> Decimal | None:
        """A figure: empty is None; else 0 or more and below `below`, in cents as the database stores it."""
        try:
            raw = clean_text(self._values.get(column, ""), column=column)
            value = parse_decimal(raw, column=column, decimal_comma=self._decimal_comma, places=2)
        except CellError as exc:
            self.problems.append(exc.message)
            return None
        if value is None:
            return None
        if value < ZERO:
            self.problems.append(_l("%(column)s must be 0 or more, not %(value)s.", column=column, value=raw))
            return None
        if value >= below:
            self.problems.append(_l("%(column)s %(value)s is too large.", column=column, value=shown(raw)))
            return None
        return value


def insert_rows(
    session: Session, table: Table, rows: list[dict[str, Any]], *, returning: tuple[str, ...] = ()
) -> list[Row[Any]]:
    """Insert a batch of rows (all with the same keys) with one statement; return the `returning` columns.

    On PostgreSQL the rows travel as one array per column and `unnest` turns them back into rows: a multi-row
    VALUES list makes the driver parse thousands of placeholders per batch in Python, several times slower.
    Elsewhere (SQLite) an ordinary executemany is the fast way.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        names = list(rows[0])
        source = (
            func.unnest(
                *(
                    bindparam(f"many_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type))
                    for name in names
                )
            )
            .table_valued(*(column(name, table.c[name].type) for name in names))
            .render_derived()
        )
        statement = insert(table).from_select(names, select(*source.c))
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        result = session.execute(statement)
    else:
        statement = insert(table)
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        result = session.execute(statement, rows)
    return list(result) if returning else []


class StudyImport(ABC):
    """One kind of import into one study. Subclasses validate and plan a batch of rows, and write it."""

    action: ClassVar[str]
    required_columns: ClassVar[tuple[str, ...]]
    optional_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, session: Session, study: Study, decimal_comma: bool) -> None:
        self.session = session
        self.study = study
        self.decimal_comma = decimal_comma

    @abstractmethod
    def begin_pass(self) -> None:
        """Forget what earlier rows said: each pass reads the file from the start."""

    @abstractmethod
    def process(self, rows: list[CsvRow], report: ImportReport, *, write: bool) -> None:
        """Validate a batch of rows in file order, count and describe their changes, write them if asked."""


def _batches(table: CsvTable) -> Iterator[list[CsvRow]]:
    batch: list[CsvRow] = []
    for row in table.rows():
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _pass(table: CsvTable, importer: StudyImport, report: ImportReport, *, write: bool) -> None:
    importer.begin_pass()
    for batch in _batches(table):
        report.rows += len(batch)
        importer.process(batch, report, write=write)


def run_import(
    kind: type[StudyImport],
    *,
    session: Session,
    study: Study,
    source: BinaryIO | Path,
    actor: Any,
    actor_label: str | None,
    dry_run: bool,
    max_rows: int | None = None,
) -> ImportReport:
    """Validate the whole file; then, if it has no error and this is no dry run, write it (flush only).

    A file with more than `max_rows` rows below its header (default: the IMPORT_MAX_ROWS setting) is refused
    with one error before any row is checked.
    """
    report = ImportReport(dry_run=dry_run)
    with ExitStack() as stack:
        try:
            table = stack.enter_context(open_table(source, max_rows=max_rows or max_rows_setting()))
            for problem in column_problems(
                table.columns, required=kind.required_columns, optional=kind.optional_columns
            ):
                report.add_error(None, problem)
            if not report.ok:
                return report.finish()
            importer = kind(session=session, study=study, decimal_comma=table.decimal_comma)
            _pass(table, importer, report, write=False)
        except CsvFileError as exc:
            report.add_error(exc.row, exc.message)
            return report.finish()
        if report.rows == 0:
            report.add_error(None, no_rows_message())
        if not report.ok or dry_run:
            return report.finish()
        written = ImportReport()
        _pass(table, importer, written, write=True)
        if written.counts() != report.counts() or not written.ok:
            raise ImportConsistencyError(
                f"{kind.action}: writing found {written.counts()} but validating found {report.counts()}"
            )
    if report.changed:
        record(
            session=session,
            action=kind.action,
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details=report.counts(),
        )
    return report.finish()
