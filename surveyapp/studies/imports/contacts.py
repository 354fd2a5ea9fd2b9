"""Importing a study's contacts and staff assignments: `account,email,name,role,language,side`.

A client row is a client contact of one account in the study's scope. A supplier row is a staff member of
the supplier; with an account it also assigns them to rate that account in this study, so one staff member
may be on several rows (and on one row without an account, e.g. the study lead). Contacts are matched by
email within the supplier. An empty name, role or language leaves an existing contact's value as it is; a new
contact without a language gets the supplier's report language. Contacts who opted out or were erased are
never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from surveyapp.auth.services import UserError, normalise_email
from surveyapp.core.csvfiles import CsvRow, shown
from surveyapp.enums import Language, Side
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
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount

EMAIL_LIMIT = 254
NAME_LIMIT = 200
ROLE_LIMIT = 100
DETAILS = ("name", "role", "language")
# Core inserts on the tables (see the accounts import): ids come back keyed by email, in no particular order.
CONTACTS = cast(Table, Contact.__table__)
ASSIGNMENTS = cast(Table, Assignment.__table__)
# Cell values, compared as strings: `"x" in Language` raises TypeError on Python 3.11.
LANGUAGES = frozenset(language.value for language in Language)
SIDES = frozenset(side.value for side in Side)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    email: str
    side: Side
    account_id: int | None
    name: str
    role: str
    language: Language | None

    def details(self) -> tuple[str, str, Language | None]:
        return (self.name, self.role, self.language)


class _Known(NamedTuple):
    """An existing contact of the supplier with this email."""

    id: int
    side: Side
    account_id: int | None
    account_name: str | None
    name: str
    role: str
    language: Language
    opted_out_at: datetime | None
    erased_at: datetime | None


class _Seen(NamedTuple):
    """The first row of an email in the file."""

    side: Side
    row: int
    account_id: int | None
    skipped: bool


@dataclass
class _Plan:
    """What one batch writes."""

    new_contacts: dict[str, _Row] = field(default_factory=dict)
    contact_changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    assignments: list[tuple[str, int]] = field(default_factory=list)


class ContactImport(StudyImport):
    action = "study.contacts_imported"
    required_columns = ("account", "email", "name", "role", "language", "side")

    def __init__(self, *, session: Session, study: Study, decimal_comma: bool) -> None:
        super().__init__(session=session, study=study, decimal_comma=decimal_comma)
        self.default_language = study.supplier.report_language
        # The accounts in scope, which a row may name by external id or by name.
        self.scope_by_name: dict[str, int] = {}
        self.scope_by_external_id: dict[str, int] = {}
        self.account_names: dict[int, str] = {}
        in_scope = (
            select(Account.id, Account.name, Account.external_id)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
        )
        for account_id, name, external_id in session.execute(in_scope):
            key = name_key(name)
            self.scope_by_name[key] = AMBIGUOUS if key in self.scope_by_name else account_id
            if external_id is not None:
                self.scope_by_external_id[external_id] = account_id
            self.account_names[account_id] = name

    def begin_pass(self) -> None:
        # Across rows only keys are kept: each email's first row, each staff (email, account) pair, and the
        # details of staff members (who may be on several rows, which must agree).
        self.first_rows: dict[str, _Seen] = {}
        self.staff_rows: dict[tuple[str, int | None], int] = {}
        self.staff_details: dict[str, tuple[str, str, Language | None]] = {}

    def process(self, rows: list[CsvRow], report: ImportReport, *, write: bool) -> None:
        parsed = [self._parse(row) for row in rows]
        known = self._known([row for row in parsed if isinstance(row, _Row)])
        assigned = self._assigned(known)
        plan = _Plan()
        for row in parsed:
            if isinstance(row, InvalidRow):
                row.report(report)
            else:
                self._plan(row, known, assigned, report, plan)
        if write:
            self._write(plan, known)

    def _parse(self, row: CsvRow) -> _Row | InvalidRow:
        cells = Cells(row, decimal_comma=self.decimal_comma)
        # The account, language and side are checked against what they may be, whatever their length.
        account_cell = cells.text("account", single_spaced=True)
        email = cells.text("email", limit=EMAIL_LIMIT, required=True)
        name = cells.text("name", limit=NAME_LIMIT, single_spaced=True)
        role = cells.text("role", limit=ROLE_LIMIT, single_spaced=True)
        language_cell = cells.text("language").lower()
        side_cell = cells.text("side").lower()
        if email and len(email) <= EMAIL_LIMIT:
            try:
                email = normalise_email(email)
            except UserError as exc:
                cells.problems.append(exc.args[0])
        language = None
        if language_cell:
            if language_cell in LANGUAGES:
                language = Language(language_cell)
            else:
                cells.problems.append(
                    _l("language must be nl or en, not %(value)s.", value=shown(language_cell))
                )
        side = None
        if not side_cell:
            cells.problems.append(_l("side is required: client or supplier."))
        elif side_cell in SIDES:
            side = Side(side_cell)
        else:
            cells.problems.append(
                _l("side must be client or supplier, not %(value)s.", value=shown(side_cell))
            )
        account_id = self._account(account_cell, cells) if account_cell else None
        if side is Side.CLIENT and not account_cell:
            cells.problems.append(_l("A client contact needs an account."))
        if cells.problems or side is None:
            return InvalidRow(row.number, cells.problems)
        return _Row(row.number, email, side, account_id, name, role, language)

    def _account(self, cell: str, cells: Cells) -> int | None:
        account_id = self.scope_by_external_id.get(cell)
        if account_id is None:
            account_id = self.scope_by_name.get(name_key(cell))
        if account_id == AMBIGUOUS:
            cells.problems.append(
                _l(
                    "More than one account in this study is named %(account)s, differing only in upper and "
                    "lower case; use its external id.",
                    account=shown(cell),
                )
            )
            return None
        if account_id is None:
            cells.problems.append(
                _l(
                    "Unknown account %(account)s: no account in this study has that name or external id.",
                    account=shown(cell),
                )
            )
        return account_id

    def _known(self, rows: list[_Row]) -> dict[str, _Known]:
        """The supplier's existing contacts with these emails: one query per batch."""
        emails = {row.email for row in rows}
        if not emails:
            return {}
        statement = (
            select(
                Contact.email,
                Contact.id,
                Contact.side,
                Contact.account_id,
                Account.name,
                Contact.name,
                Contact.role,
                Contact.language,
                Contact.opted_out_at,
                Contact.erased_at,
            )
            .outerjoin(Account, Account.id == Contact.account_id)
            .where(Contact.supplier_id == self.study.supplier_id, Contact.email.in_(emails))
        )
        return {email: _Known(*rest) for email, *rest in self.session.execute(statement)}

    def _assigned(self, known: dict[str, _Known]) -> set[tuple[int, int]]:
        """The existing assignments in this study of the staff among these contacts."""
        staff = [contact.id for contact in known.values() if contact.side is Side.SUPPLIER]
        if not staff:
            return set()
        statement = select(Assignment.contact_id, Assignment.account_id).where(
            Assignment.study_id == self.study.id, Assignment.contact_id.in_(staff)
        )
        return {(contact_id, account_id) for contact_id, account_id in self.session.execute(statement)}

    def _plan(
        self,
        row: _Row,
        known: dict[str, _Known],
        assigned: set[tuple[int, int]],
        report: ImportReport,
        plan: _Plan,
    ) -> None:
        seen = self.first_rows.get(row.email)
        if seen is not None:
            self._plan_repeat(row, seen, known, assigned, report, plan)
            return
        current = known.get(row.email)
        skipped = current is not None and (current.erased_at is not None or current.opted_out_at is not None)
        self.first_rows[row.email] = _Seen(row.side, row.number, row.account_id, skipped)
        if row.side is Side.SUPPLIER:
            self.staff_rows[(row.email, row.account_id)] = row.number
            self.staff_details[row.email] = row.details()
        if current is not None and skipped:
            report.skipped += 1
            report.add_notice(row.number, _skipped(row.email, current))
            return
        if current is None:
            plan.new_contacts[row.email] = row
            report.created += 1
        elif not self._compare(row, current, report, plan):
            return
        if row.side is Side.SUPPLIER and row.account_id is not None:
            self._assign(row, current, assigned, report, plan)

    def _plan_repeat(
        self,
        row: _Row,
        seen: _Seen,
        known: dict[str, _Known],
        assigned: set[tuple[int, int]],
        report: ImportReport,
        plan: _Plan,
    ) -> None:
        """A later row of an email already in the file: only a staff member may have more than one."""
        if seen.side is not row.side:
            report.add_error(row.number, _side_in_file(row.email, seen))
            return
        if row.side is Side.CLIENT:
            if seen.account_id == row.account_id:
                report.add_error(row.number, self._duplicate(row, seen.row))
            else:
                report.add_error(
                    row.number,
                    _l(
                        "%(email)s is a client contact of %(account)s on row %(first)d; "
                        "a client contact belongs to one account.",
                        email=row.email,
                        account=self.account_names[seen.account_id],
                        first=seen.row,
                    ),
                )
            return
        if (first := self.staff_rows.get((row.email, row.account_id))) is not None:
            report.add_error(row.number, self._duplicate(row, first))
            return
        first_details = self.staff_details[row.email]
        for column, value, first_value in zip(DETAILS, row.details(), first_details, strict=True):
            if value and value != first_value:
                report.add_error(
                    row.number,
                    _l(
                        "%(email)s has a different %(column)s on row %(first)d; "
                        "a staff member's details must be the same on every row.",
                        email=row.email,
                        column=column,
                        first=seen.row,
                    ),
                )
                return
        self.staff_rows[(row.email, row.account_id)] = row.number
        if seen.skipped:
            report.add_notice(row.number, _skipped(row.email, known[row.email]))
            return
        if row.account_id is not None:
            self._assign(row, known.get(row.email), assigned, report, plan)

    def _compare(self, row: _Row, current: _Known, report: ImportReport, plan: _Plan) -> bool:
        """Plan the changes of an existing contact; False (with an error) when the row contradicts it."""
        if current.side is not row.side:
            report.add_error(row.number, _side_known(row.email, current.side))
            return False
        if row.side is Side.CLIENT and current.account_id != row.account_id:
            report.add_error(
                row.number,
                _l(
                    "%(email)s is already a client contact of %(account)s; "
                    "a client contact belongs to one account.",
                    email=row.email,
                    account=current.account_name,
                ),
            )
            return False
        changes = {
            column: value
            for column, value, old in zip(
                DETAILS, row.details(), (current.name, current.role, current.language), strict=True
            )
            if value and value != old
        }
        if not changes:
            report.unchanged += 1
            return True
        report.updated += 1
        plan.contact_changes[current.id] = changes
        for column, value in changes.items():
            report.add_change(
                _l(
                    "Contact %(email)s: %(field)s %(old)s → %(new)s",
                    email=row.email,
                    field=column,
                    old=shown_value(getattr(current, column)),
                    new=shown_value(value),
                )
            )
        return True

    def _assign(
        self,
        row: _Row,
        current: _Known | None,
        assigned: set[tuple[int, int]],
        report: ImportReport,
        plan: _Plan,
    ) -> None:
        assert row.account_id is not None
        if current is not None and (current.id, row.account_id) in assigned:
            return
        plan.assignments.append((row.email, row.account_id))
        report.assignments_created += 1

    def _duplicate(self, row: _Row, first: int) -> Any:
        if row.account_id is None:
            return _l(
                "%(email)s without an account is already on row %(first)d.", email=row.email, first=first
            )
        return _l(
            "%(email)s with account %(account)s is already on row %(first)d.",
            email=row.email,
            account=self.account_names[row.account_id],
            first=first,
        )

    def _write(self, plan: _Plan, known: dict[str, _Known]) -> None:
        session = self.session
        if plan.contact_changes:
            for contact in session.scalars(select(Contact).where(Contact.id.in_(plan.contact_changes))):
                for attribute, value in plan.contact_changes[contact.id].items():
                    setattr(contact, attribute, value)
            session.flush()
        ids = {email: contact.id for email, contact in known.items()}
        inserted = insert_rows(
            session,
            CONTACTS,
            [
                {
                    "supplier_id": self.study.supplier_id,
                    "side": row.side,
                    "email": row.email,
                    "name": row.name,
                    "role": row.role,
                    "language": row.language or self.default_language,
                    "account_id": row.account_id if row.side is Side.CLIENT else None,
                }
                for row in plan.new_contacts.values()
            ],
            returning=("email", "id"),
        )
        ids.update({email: contact_id for email, contact_id in inserted})
        insert_rows(
            session,
            ASSIGNMENTS,
            [
                {"study_id": self.study.id, "contact_id": ids[email], "account_id": account_id}
                for email, account_id in plan.assignments
            ],
        )


def _skipped(email: str, contact: _Known) -> Any:
    if contact.erased_at is not None:
        return _l("%(email)s has been erased; this row is skipped.", email=email)
    return _l("%(email)s has opted out; this row is skipped and the contact is left as it is.", email=email)


def _side_in_file(email: str, seen: _Seen) -> Any:
    if seen.side is Side.CLIENT:
        return _l(
            "%(email)s is a client contact on row %(first)d and cannot also be supplier staff.",
            email=email,
            first=seen.row,
        )
    return _l(
        "%(email)s is supplier staff on row %(first)d and cannot also be a client contact.",
        email=email,
        first=seen.row,
    )


def _side_known(email: str, side: Side) -> Any:
    if side is Side.CLIENT:
        return _l("%(email)s is already a client contact and cannot also be supplier staff.", email=email)
    return _l("%(email)s is already supplier staff and cannot also be a client contact.", email=email)
