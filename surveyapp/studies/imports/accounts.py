"""Importing a study's accounts with the period's figures: `name,segment,annual_revenue,effort_hours,
billable_hours[,external_id]`.

An account is matched among the supplier's accounts by external id first, then by name regardless of case,
so a renamed account keeps its history; missing accounts are created; every account in the file is put in the
study's scope with its figures. Accounts in scope that the file does not mention are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from surveyapp.core.csvfiles import CsvRow
from surveyapp.i18n import _l
from surveyapp.studies.imports.common import (
    AMBIGUOUS,
    Cells,
    InvalidRow,
    StudyImport,
    insert_rows,
    name_key,
    shown_value,
)
from surveyapp.studies.imports.report import ImportReport
from surveyapp.studies.models import Account, Study, StudyAccount

FIGURES = ("annual_revenue", "effort_hours", "billable_hours")
# New rows go in with Core inserts on the tables: the ORM's bulk path costs several times more per row, and
# the new rows are not needed as objects.
ACCOUNTS = cast(Table, Account.__table__)
STUDY_ACCOUNTS = cast(Table, StudyAccount.__table__)
# Exclusive upper bounds that fit the columns: MONEY is Numeric(16, 2), HOURS is Numeric(12, 2).
BELOW = {
    "annual_revenue": Decimal(10) ** 14,
    "effort_hours": Decimal(10) ** 10,
    "billable_hours": Decimal(10) ** 10,
}
NAME_LIMIT = 200
SEGMENT_LIMIT = 100
EXTERNAL_ID_LIMIT = 100


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    name: str
    key: str
    segment: str
    external_id: str | None
    figures: tuple[Decimal | None, Decimal | None, Decimal | None]


class _Known(NamedTuple):
    """An existing account of the supplier, with its figures in this study when it is in scope."""

    id: int
    name: str
    external_id: str | None
    segment: str
    in_scope: bool
    figures: tuple[Decimal | None, Decimal | None, Decimal | None]


@dataclass
class _Plan:
    """What one batch writes."""

    new_accounts: list[_Row] = field(default_factory=list)
    account_changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    scope_additions: list[tuple[int, tuple[Decimal | None, ...]]] = field(default_factory=list)
    figure_changes: dict[int, tuple[Decimal | None, ...]] = field(default_factory=dict)


class AccountImport(StudyImport):
    action = "study.accounts_imported"
    required_columns = ("name", "segment", *FIGURES)
    optional_columns = ("external_id",)

    def __init__(self, *, session: Session, study: Study, decimal_comma: bool) -> None:
        super().__init__(session=session, study=study, decimal_comma=decimal_comma)
        # The supplier's accounts by name key and by external id: small keys, one pair per account. Matching
        # in Python rather than with SQL lower() keeps it case-insensitive beyond ASCII on SQLite too.
        self.by_name: dict[str, int] = {}
        self.by_external_id: dict[str, int] = {}
        rows = session.execute(
            select(Account.id, Account.name, Account.external_id).where(
                Account.supplier_id == study.supplier_id
            )
        )
        for account_id, name, external_id in rows:
            key = name_key(name)
            self.by_name[key] = AMBIGUOUS if key in self.by_name else account_id
            if external_id is not None:
                self.by_external_id[external_id] = account_id

    def begin_pass(self) -> None:
        # Across rows only keys are kept: the row that claimed an existing account, a new name, a new id.
        self.claimed: dict[int, int] = {}
        self.new_names: dict[str, int] = {}
        self.new_external_ids: dict[str, int] = {}

    def process(self, rows: list[CsvRow], report: ImportReport, *, write: bool) -> None:
        parsed = [self._parse(row) for row in rows]
        known = self._known([row for row in parsed if isinstance(row, _Row)])
        plan = _Plan()
        for row in parsed:
            if isinstance(row, InvalidRow):
                row.report(report)
            else:
                self._plan(row, known, report, plan)
        if write:
            self._write(plan)

    def _parse(self, row: CsvRow) -> _Row | InvalidRow:
        cells = Cells(row, decimal_comma=self.decimal_comma)
        name = cells.text("name", limit=NAME_LIMIT, required=True, single_spaced=True)
        segment = cells.text("segment", limit=SEGMENT_LIMIT, single_spaced=True)
        external_id = cells.text("external_id", limit=EXTERNAL_ID_LIMIT) or None
        revenue = cells.amount("annual_revenue", below=BELOW["annual_revenue"])
        effort = cells.amount("effort_hours", below=BELOW["effort_hours"])
        billable = cells.amount("billable_hours", below=BELOW["billable_hours"])
        if effort is not None and billable is not None and billable > effort:
            cells.problems.append(
                _l(
                    "billable_hours (%(billable)s) is more than effort_hours (%(effort)s).",
                    billable=shown_value(billable),
                    effort=shown_value(effort),
                )
            )
        if cells.problems:
            return InvalidRow(row.number, cells.problems)
        return _Row(row.number, name, name_key(name), segment, external_id, (revenue, effort, billable))

    def _known(self, rows: list[_Row]) -> dict[int, _Known]:
        """The existing accounts these rows may match, with their figures in this study (one query)."""
        ids = {self.by_external_id.get(row.external_id) for row in rows if row.external_id is not None}
        ids |= {self.by_name.get(row.key) for row in rows}
        ids -= {None, AMBIGUOUS}
        if not ids:
            return {}
        statement = (
            select(
                Account.id,
                Account.name,
                Account.external_id,
                Account.segment,
                StudyAccount.account_id,
                *(getattr(StudyAccount, column) for column in FIGURES),
            )
            .outerjoin(
                StudyAccount,
                and_(StudyAccount.account_id == Account.id, StudyAccount.study_id == self.study.id),
            )
            .where(Account.id.in_(ids))
        )
        return {
            account_id: _Known(account_id, name, external_id, segment, in_scope is not None, tuple(figures))
            for account_id, name, external_id, segment, in_scope, *figures in self.session.execute(statement)
        }

    def _match(self, row: _Row, report: ImportReport) -> tuple[int | None, bool] | None:
        """The existing account this row is about (None: a new one) and whether the external id found it.

        None instead of a pair when the row conflicts with an earlier row or with the existing accounts.
        """
        if row.external_id is not None:
            account_id = self.by_external_id.get(row.external_id)
            if account_id is not None:
                return account_id, True
            if (first := self.new_external_ids.get(row.external_id)) is not None:
                report.add_error(row.number, _duplicate_external_id(row.external_id, first))
                return None
        account_id = self.by_name.get(row.key)
        if account_id == AMBIGUOUS:
            report.add_error(
                row.number,
                _l(
                    "More than one account is named %(name)s, differing only in upper and lower case; "
                    "add the external id to say which one.",
                    name=row.name,
                ),
            )
            return None
        if account_id is None and (first := self.new_names.get(row.key)) is not None:
            report.add_error(row.number, _duplicate_name(row.name, first))
            return None
        return account_id, False

    def _plan(self, row: _Row, known: dict[int, _Known], report: ImportReport, plan: _Plan) -> None:
        match = self._match(row, report)
        if match is None:
            return
        account_id, by_external_id = match
        if account_id is None:
            self.new_names[row.key] = row.number
            if row.external_id is not None:
                self.new_external_ids[row.external_id] = row.number
            plan.new_accounts.append(row)
            report.created += 1
            return
        if (first := self.claimed.get(account_id)) is not None:
            message = (
                _duplicate_external_id(row.external_id, first)
                if by_external_id and row.external_id is not None
                else _duplicate_name(row.name, first)
            )
            report.add_error(row.number, message)
            return
        current = known[account_id]
        if row.external_id is not None and current.external_id not in (None, row.external_id):
            report.add_error(
                row.number,
                _l(
                    "The account %(name)s already has external id %(existing)s, not %(external_id)s.",
                    name=current.name,
                    existing=current.external_id,
                    external_id=row.external_id,
                ),
            )
            return
        if row.key != name_key(current.name):
            # Found by external id under another name: a rename, which must not take another account's name.
            holder = self.by_name.get(row.key)
            if holder is not None:
                report.add_error(
                    row.number,
                    _l(
                        "Cannot rename %(old)s to %(name)s (external id %(external_id)s): "
                        "another account already has that name.",
                        old=current.name,
                        name=row.name,
                        external_id=row.external_id,
                    ),
                )
                return
            if (first := self.new_names.get(row.key)) is not None:
                report.add_error(row.number, _duplicate_name(row.name, first))
                return
            self.new_names[row.key] = row.number
        self.claimed[account_id] = row.number
        if row.external_id is not None and current.external_id is None:
            self.new_external_ids[row.external_id] = row.number
        self._compare(row, current, report, plan)

    def _compare(self, row: _Row, current: _Known, report: ImportReport, plan: _Plan) -> None:
        changes: dict[str, Any] = {}
        olds: dict[str, Any] = {}
        if row.name != current.name:
            changes["name"], olds["name"] = row.name, current.name
        if row.external_id is not None and row.external_id != current.external_id:
            changes["external_id"], olds["external_id"] = row.external_id, current.external_id
        if row.segment != current.segment:
            changes["segment"], olds["segment"] = row.segment, current.segment
        if changes:
            plan.account_changes[current.id] = dict(changes)
        if current.in_scope:
            figure_changed = False
            for column, new, old in zip(FIGURES, row.figures, current.figures, strict=True):
                if new != old:
                    changes[column], olds[column] = new, old
                    figure_changed = True
            if figure_changed:
                plan.figure_changes[current.id] = row.figures
            if changes:
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            # A known account of the supplier, new in this study's scope.
            plan.scope_additions.append((current.id, row.figures))
            report.created += 1
        for column, new in changes.items():
            report.add_change(
                _l(
                    "Account %(account)s: %(field)s %(old)s → %(new)s",
                    account=row.name,
                    field=column,
                    old=shown_value(olds[column]),
                    new=shown_value(new),
                )
            )

    def _write(self, plan: _Plan) -> None:
        session = self.session
        if plan.account_changes:
            for account in session.scalars(select(Account).where(Account.id.in_(plan.account_changes))):
                for attribute, value in plan.account_changes[account.id].items():
                    setattr(account, attribute, value)
        if plan.figure_changes:
            in_scope = select(StudyAccount).where(
                StudyAccount.study_id == self.study.id, StudyAccount.account_id.in_(plan.figure_changes)
            )
            for study_account in session.scalars(in_scope):
                for column, value in zip(FIGURES, plan.figure_changes[study_account.account_id], strict=True):
                    setattr(study_account, column, value)
        session.flush()
        scope_rows = [self._scope_row(account_id, figures) for account_id, figures in plan.scope_additions]
        if plan.new_accounts:
            # The ids come back keyed by name (unique within the supplier): asking for them in parameter order
            # would make SQLite insert one row per statement.
            inserted = insert_rows(
                session,
                ACCOUNTS,
                [
                    {
                        "supplier_id": self.study.supplier_id,
                        "name": row.name,
                        "external_id": row.external_id,
                        "segment": row.segment,
                    }
                    for row in plan.new_accounts
                ],
                returning=("name", "id"),
            )
            new_ids = {name: account_id for name, account_id in inserted}
            scope_rows += [self._scope_row(new_ids[row.name], row.figures) for row in plan.new_accounts]
        insert_rows(session, STUDY_ACCOUNTS, scope_rows)

    def _scope_row(self, account_id: int, figures: tuple[Decimal | None, ...]) -> dict[str, Any]:
        return {
            "study_id": self.study.id,
            "account_id": account_id,
            **dict(zip(FIGURES, figures, strict=True)),
        }


def _duplicate_name(name: str, first: int) -> Any:
    return _l("The account %(name)s is already on row %(first)d.", name=name, first=first)


def _duplicate_external_id(external_id: str, first: int) -> Any:
    return _l(
        "External id %(external_id)s is already on row %(first)d.", external_id=external_id, first=first
    )
