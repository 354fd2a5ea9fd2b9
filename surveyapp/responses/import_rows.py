"""Reading one row of the responses import: its cells checked against the study and its questionnaires.

`RowReader.parse` turns a CSV row into an `ImportRow` (the answer in its stored form, and the key of the
response it belongs to) or an `InvalidRow` with every problem of that row. What needs the whole response
(`show_if`, duplicates) is checked by `responses.imports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.auth.services import UserError, normalise_email
from surveyapp.core.csvfiles import CellError, CsvRow, clean_text, parse_decimal, shown
from surveyapp.db import utcnow
from surveyapp.enums import Perspective, QuestionType, ResponseMode, Side
from surveyapp.i18n import _l
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.questionnaires.types import NA, handler_for
from surveyapp.questionnaires.types.inputs import format_number
from surveyapp.responses.storage import StoredAnswer, stored_answer
from surveyapp.studies.imports.common import AMBIGUOUS, Cells, InvalidRow, name_key
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount

SIDE_PERSPECTIVES = {
    Side.CLIENT: (Perspective.CLIENT,),
    Side.SUPPLIER: (Perspective.SUPPLIER, Perspective.SUPPLIER_PREDICTS_CLIENT),
}
MODES = {mode.value: mode for mode in ResponseMode}
PERSPECTIVES = {perspective.value: perspective for perspective in SIDE_PERSPECTIVES[Side.SUPPLIER]} | {
    Perspective.CLIENT.value: Perspective.CLIENT
}

# (account, contact, perspective, questionnaire slug, submitted_at in UTC, mode): one response.
GroupKey = tuple[int, int, Perspective, str, datetime, ResponseMode]


@dataclass(frozen=True, slots=True)
class ImportedQuestionnaire:
    """A questionnaire the study uses, as the import needs it."""

    slug: str
    version_id: int
    questionnaire: Questionnaire
    index: dict[str, int]  # item key -> position
    tracked: frozenset[str]  # items that a show_if or a knock-out looks at
    conditional: dict[str, str]  # item key -> the show_if (of its section or question) that may hide it

    @classmethod
    def of(cls, slug: str, version_id: int, questionnaire: Questionnaire) -> ImportedQuestionnaire:
        tracked: set[str] = set()
        conditional = {}
        for section in questionnaire.sections:
            for question in section.questions:
                for condition in (section.show_if_condition, question.show_if_condition):
                    if condition is not None:
                        tracked |= condition.keys
                shown_if = " and ".join(f"({text})" for text in (section.show_if, question.show_if) if text)
                items = [item.key for item in questionnaire.items if item.question is question]
                if shown_if:
                    conditional.update(dict.fromkeys(items, shown_if))
                if _knocks_out(question):
                    tracked.update(items)
        index = {item.key: position for position, item in enumerate(questionnaire.items)}
        return cls(slug, version_id, questionnaire, index, frozenset(tracked), conditional)


def _knocks_out(question: Any) -> bool:
    return question.knockout_at_or_below is not None or any(o.knockout for o in question.options or ())


@dataclass(frozen=True, slots=True)
class ImportRow:
    number: int
    key: GroupKey
    email: str
    account: str
    version: ImportedQuestionnaire
    item_key: str
    answer: StoredAnswer


class RowReader:
    """Checks rows against the study: its accounts in scope, the supplier's contacts, the pinned
    questionnaires."""

    def __init__(self, *, session: Session, study: Study, decimal_comma: bool) -> None:
        self.session = session
        self.study = study
        self.decimal_comma = decimal_comma
        self.zone = ZoneInfo(study.time_zone)
        self.by_name: dict[str, int] = {}
        self.by_external_id: dict[str, int] = {}
        self.account_names: dict[int, str] = {}
        in_scope = (
            select(Account.id, Account.name, Account.external_id)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
        )
        for account_id, name, external_id in session.execute(in_scope):
            key = name_key(name)
            self.by_name[key] = AMBIGUOUS if key in self.by_name else account_id
            if external_id is not None:
                self.by_external_id[external_id] = account_id
            self.account_names[account_id] = name
        self.versions = {
            row.slug: ImportedQuestionnaire.of(
                row.slug, row.version_id, load_version(session=session, version_id=row.version_id)
            )
            for row in study.questionnaires
        }
        self.assigned = set(
            session.execute(
                select(Assignment.contact_id, Assignment.account_id).where(Assignment.study_id == study.id)
            )
        )
        self.contacts: dict[str, tuple[int, Side, int | None] | None] = {}
        self.now = utcnow()

    # Rows ---------------------------------------------------------------------------------------------------

    def look_up_contacts(self, emails: list[str]) -> None:
        """The supplier's contacts with these emails (one query per batch), cached across batches."""
        wanted: dict[str, str] = {}
        for email in emails:
            if email and email not in self.contacts:
                try:
                    wanted[email] = normalise_email(email)
                except UserError:
                    self.contacts[email] = None
        if not wanted:
            return
        found = {
            address: (contact_id, side, account_id)
            for address, contact_id, side, account_id in self.session.execute(
                select(Contact.email, Contact.id, Contact.side, Contact.account_id).where(
                    Contact.supplier_id == self.study.supplier_id, Contact.email.in_(set(wanted.values()))
                )
            )
        }
        for email, address in wanted.items():
            self.contacts[email] = found.get(address)

    def parse(self, row: CsvRow) -> ImportRow | InvalidRow:
        """The row's answer and response key, or every problem of the row (`look_up_contacts` first)."""
        cells = Cells(row, decimal_comma=self.decimal_comma)
        account_cell = cells.text("account", required=True, single_spaced=True)
        email = cells.text("respondent", required=True)
        perspective_cell = cells.text("perspective").lower()
        slug = cells.text("questionnaire", required=True)
        item_key = cells.text("question", required=True)
        mode_cell = cells.text("mode").lower()
        submitted_cell = cells.text("submitted_at", required=True)
        try:
            raw = clean_text(row.values.get("value", ""), column="value", allow_newlines=True)
        except CellError as exc:
            cells.problems.append(exc.message)
            raw = ""
        account_id = self._account(account_cell, cells) if account_cell else None
        contact = self._contact(email, cells) if email else None
        version = self._version(slug, cells) if slug else None
        perspective = self._perspective(perspective_cell, version, cells)
        if contact is not None and perspective is not None and account_id is not None:
            self._check_respondent(email, contact, perspective, account_id, cells)
        answer = self._answer(version, item_key, raw, cells) if version is not None and item_key else None
        mode = MODES.get(mode_cell or ResponseMode.IMPORT.value)
        if mode is None:
            cells.problems.append(
                _l("mode must be survey, interview or import, not %(value)s.", value=shown(mode_cell))
            )
        submitted_at = self._submitted_at(submitted_cell, cells) if submitted_cell else None
        if cells.problems:
            return InvalidRow(row.number, cells.problems)
        assert (
            account_id is not None and contact is not None and version is not None and perspective is not None
        )
        assert answer is not None and mode is not None and submitted_at is not None
        key = (account_id, contact[0], perspective, version.slug, submitted_at, mode)
        return ImportRow(row.number, key, email, self.account_names[account_id], version, item_key, answer)

    def _account(self, cell: str, cells: Cells) -> int | None:
        account_id = self.by_external_id.get(cell)
        if account_id is None:
            account_id = self.by_name.get(name_key(cell))
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

    def _contact(self, email: str, cells: Cells) -> tuple[int, Side, int | None] | None:
        contact = self.contacts.get(email)
        if contact is None:
            cells.problems.append(
                _l(
                    "Unknown respondent %(email)s: no contact of this supplier has that email address.",
                    email=shown(email),
                )
            )
        return contact

    def _version(self, slug: str, cells: Cells) -> ImportedQuestionnaire | None:
        version = self.versions.get(slug)
        if version is None:
            cells.problems.append(
                _l(
                    "Unknown questionnaire %(slug)s: this study uses %(slugs)s.",
                    slug=shown(slug),
                    slugs=", ".join(sorted(self.versions)),
                )
            )
        elif version.questionnaire.perspective is Perspective.NONE:
            cells.problems.append(
                _l(
                    "Questionnaire %(slug)s is about no account (the brief); it cannot be imported here.",
                    slug=slug,
                )
            )
            return None
        return version

    def _perspective(
        self, cell: str, version: ImportedQuestionnaire | None, cells: Cells
    ) -> Perspective | None:
        if cell and cell not in PERSPECTIVES:
            cells.problems.append(
                _l(
                    "perspective must be client, supplier or supplier_predicts_client, not %(value)s.",
                    value=shown(cell),
                )
            )
            return None
        if version is None:
            return PERSPECTIVES.get(cell)
        expected = version.questionnaire.perspective
        if cell and PERSPECTIVES[cell] is not expected:
            cells.problems.append(
                _l(
                    "Perspective %(perspective)s does not match questionnaire %(slug)s, which is answered "
                    "from the %(expected)s perspective.",
                    perspective=cell,
                    slug=version.slug,
                    expected=expected.value,
                )
            )
            return None
        return expected

    def _check_respondent(
        self,
        email: str,
        contact: tuple[int, Side, int | None],
        perspective: Perspective,
        account_id: int,
        cells: Cells,
    ) -> None:
        contact_id, side, contact_account = contact
        if perspective not in SIDE_PERSPECTIVES[side]:
            cells.problems.append(
                _l(
                    "%(email)s is a client contact, so the perspective is client, not %(perspective)s.",
                    email=email,
                    perspective=perspective.value,
                )
                if side is Side.CLIENT
                else _l(
                    "%(email)s is supplier staff, so the perspective is supplier or "
                    "supplier_predicts_client, not %(perspective)s.",
                    email=email,
                    perspective=perspective.value,
                )
            )
        elif side is Side.CLIENT and contact_account != account_id:
            cells.problems.append(
                _l(
                    "%(email)s is a client contact of %(account)s, not of %(row_account)s.",
                    email=email,
                    account=self._account_name(contact_account),
                    row_account=self.account_names[account_id],
                )
            )
        elif side is Side.SUPPLIER and (contact_id, account_id) not in self.assigned:
            cells.problems.append(
                _l(
                    "%(email)s is not assigned to rate %(account)s in this study.",
                    email=email,
                    account=self.account_names[account_id],
                )
            )

    def _account_name(self, account_id: int | None) -> str:
        if account_id in self.account_names:
            return self.account_names[account_id]
        return str(self.session.scalar(select(Account.name).where(Account.id == account_id)) or "—")

    def _answer(
        self, version: ImportedQuestionnaire, item_key: str, raw: str, cells: Cells
    ) -> StoredAnswer | None:
        if item_key not in version.index:
            cells.problems.append(
                _l(
                    "Unknown question %(question)s: questionnaire %(slug)s has no such question.",
                    question=shown(item_key),
                    slug=version.slug,
                )
            )
            return None
        item = version.questionnaire.item(item_key)
        if item.type is QuestionType.NUMBER and self.decimal_comma and raw and raw != NA:
            try:
                number = parse_decimal(raw, column="value", decimal_comma=True)
            except CellError as exc:
                cells.problems.append(exc.message)
                return None
            raw = format_number(number or Decimal(0))
        problem = handler_for(item).validate_raw(item, raw)
        if problem is not None:
            cells.problems.append(
                _l("Question %(question)s: %(problem)s.", question=item_key, problem=problem)
            )
            return None
        return stored_answer(item, raw)

    def _submitted_at(self, cell: str, cells: Cells) -> datetime | None:
        try:
            moment = datetime.fromisoformat(cell)
        except ValueError:
            cells.problems.append(
                _l(
                    "submitted_at %(value)s is not a date and time in ISO 8601, such as 2025-10-01T14:30 or "
                    "2025-10-01T14:30:00+02:00.",
                    value=shown(cell),
                )
            )
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC)
