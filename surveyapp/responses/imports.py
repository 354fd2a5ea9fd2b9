"""Importing responses in the long format: `account,respondent,perspective,questionnaire,question,value,mode,
submitted_at` (DESIGN.md, "CSV formats"), one answer per row.

Rows group into responses by (account, respondent, perspective, questionnaire, submitted_at, mode); that group
*is* the response's identity, so importing the same file again finds every response and changes nothing. A
group whose response exists already is compared answer by answer: identical, it is left alone; different, its
answers become the file's. Answers are stored exactly as the survey stores them (canonical raw value,
`not_applicable`, and the score, dimension and weight of the study's pinned questionnaire version).

All or nothing, in the two passes of the study imports (`studies.imports.common`): pass 1 validates every row
and, at the end, every response as a whole (a question hidden by `show_if` for that respondent's own answers
is an error); only a file without any error is written, in batches, by pass 2, which flushes but never
commits. Memory stays small per response: only the answers that conditions and knock-outs look at are kept.

The cap on rows per file (IMPORT_MAX_ROWS) counts rows, so answers here, not responses; a file beyond it
is refused before any row is checked, with the advice to keep each response's rows in one file when splitting.
"""

from __future__ import annotations

from array import array
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.core.csvfiles import (
    CsvFileError,
    CsvRow,
    TooManyRowsError,
    column_problems,
    lazy_count,
    max_rows_setting,
    no_rows_message,
    open_table,
)
from surveyapp.db import utcnow
from surveyapp.i18n import _l
from surveyapp.questionnaires.types import knockouts
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses.import_rows import GroupKey, ImportedQuestionnaire, ImportRow, RowReader
from surveyapp.responses.models import COMPLETED, Answer, Response
from surveyapp.responses.modes import close_interviewed
from surveyapp.responses.storage import StoredAnswer, mark_superseded, upsert_answers
from surveyapp.studies.imports.common import BATCH_ROWS, ImportConsistencyError, InvalidRow, insert_rows
from surveyapp.studies.imports.report import ImportReport
from surveyapp.studies.models import Study

REQUIRED = ("account", "respondent", "perspective", "questionnaire", "question", "value", "submitted_at")
OPTIONAL = ("mode",)
ACTION = "study.responses_imported"
RESPONSES = cast(Table, Response.__table__)
ANSWERS = cast(Table, Answer.__table__)


@dataclass
class _Group:
    """One response of the file, as far as the rows read so far tell."""

    key: GroupKey
    version: ImportedQuestionnaire
    email: str
    account: str
    first_row: int
    rows: array[int]  # per item position: the row that answers it, 0 when none does yet
    existing: int | None = None  # the stored response with this identity
    existing_answers: int = 0
    matched: int = 0  # file answers identical to a stored one
    differs: bool = False
    tracked: dict[str, str] = field(default_factory=dict)
    conditional: list[tuple[int, str]] = field(default_factory=list)
    response_id: int | None = None  # written in pass 2


class ResponseImport:
    """The responses import of one study (see the module's docstring)."""

    def __init__(self, *, session: Session, study: Study, decimal_comma: bool) -> None:
        self.session = session
        self.study = study
        self.reader = RowReader(session=session, study=study, decimal_comma=decimal_comma)
        self.versions = self.reader.versions
        self.now = self.reader.now

    def run_pass(self, rows: Any, report: ImportReport, *, write: bool) -> None:
        self.groups: dict[GroupKey, _Group] = {}
        batch: list[CsvRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_ROWS:
                self._process(batch, report, write=write)
                batch = []
        if batch:
            self._process(batch, report, write=write)
        self._finish(report, write=write)

    def _process(self, batch: list[CsvRow], report: ImportReport, *, write: bool) -> None:
        report.rows += len(batch)
        self.reader.look_up_contacts([row.values.get("respondent", "").strip() for row in batch])
        parsed = [self.reader.parse(row) for row in batch]
        rows = [row for row in parsed if isinstance(row, ImportRow)]
        new_groups = self._groups_of(rows)
        stored = self._stored_answers(rows)
        inserts: list[dict[str, Any]] = []
        upserts: list[dict[str, Any]] = []
        for row in parsed:
            if isinstance(row, InvalidRow):
                row.report(report)
                continue
            group = self.groups[row.key]
            position = row.version.index[row.item_key]
            if group.rows[position]:
                report.add_error(
                    row.number,
                    _l(
                        "Question %(question)s is already on row %(first)d for this response.",
                        question=row.item_key,
                        first=group.rows[position],
                    ),
                )
                continue
            group.rows[position] = row.number
            if row.item_key in row.version.tracked:
                group.tracked[row.item_key] = row.answer.value
            if row.item_key in row.version.conditional:
                group.conditional.append((row.number, row.item_key))
            if group.existing is None:
                inserts.append({"group": group, "item_key": row.item_key, **row.answer.columns()})
            elif stored.get((group.existing, row.item_key)) == row.answer:
                group.matched += 1
            else:
                group.differs = True
                upserts.append(
                    {"response_id": group.existing, "item_key": row.item_key, **row.answer.columns()}
                )
        if write:
            self._write(new_groups, inserts, upserts)

    def _finish(self, report: ImportReport, *, write: bool) -> None:
        for group in sorted(self.groups.values(), key=lambda group: group.first_row):
            questionnaire = group.version.questionnaire
            visible = visibility(questionnaire, group.tracked).questions
            hidden = False
            for number, item_key in group.conditional:
                if questionnaire.item(item_key).question.key not in visible:
                    hidden = True
                    report.add_error(
                        number,
                        _l(
                            "Question %(question)s is hidden for this respondent by its condition "
                            "(%(condition)s), so it cannot have an answer.",
                            question=item_key,
                            condition=group.version.conditional[item_key],
                        ),
                    )
            if hidden:
                continue
            knocked_out = bool(knockouts(questionnaire, group.tracked))
            if group.existing is None:
                report.created += 1
            elif group.differs or group.matched != group.existing_answers:
                report.updated += 1
                report.add_change(
                    _l(
                        "Response of %(email)s about %(account)s (%(questionnaire)s, %(submitted)s): "
                        "the answers change.",
                        email=group.email,
                        account=group.account,
                        questionnaire=group.version.slug,
                        submitted=group.key[4].isoformat(),
                    )
                )
                if write:
                    self._replace_rest(group)
            else:
                report.unchanged += 1
                continue
            if write and (knocked_out or group.existing is not None):
                self.session.execute(
                    update(Response)
                    .where(Response.id == (group.existing or group.response_id))
                    .values(knocked_out=knocked_out, updated_at=self.now)
                    .execution_options(synchronize_session=False)
                )

    # Rows ---------------------------------------------------------------------------------------------------
    # Stored responses ---------------------------------------------------------------------------------------

    def _groups_of(self, rows: list[ImportRow]) -> list[_Group]:
        """Create the groups first seen in this batch, each with its stored response if it has one."""
        new: dict[GroupKey, _Group] = {}
        for row in rows:
            if row.key not in self.groups and row.key not in new:
                size = len(row.version.index)
                new[row.key] = _Group(
                    row.key, row.version, row.email, row.account, row.number, array("I", [0]) * size
                )
        if not new:
            return []
        slug_of = {version.version_id: slug for slug, version in self.versions.items()}
        candidates = self.session.execute(
            select(
                Response.id,
                Response.account_id,
                Response.contact_id,
                Response.perspective,
                Response.questionnaire_version_id,
                Response.submitted_at,
                Response.mode,
            )
            .where(
                Response.study_id == self.study.id,
                Response.status == COMPLETED,
                Response.contact_id.in_({key[1] for key in new}),
                Response.submitted_at.in_({key[4] for key in new}),
            )
            .order_by(Response.id)
        )
        for response_id, account_id, contact_id, perspective, version_id, submitted_at, mode in candidates:
            key = (account_id, contact_id, perspective, slug_of.get(version_id, ""), submitted_at, mode)
            if key in new:
                new[key].existing = response_id
        existing = {group.existing: group for group in new.values() if group.existing is not None}
        if existing:
            counts = self.session.execute(
                select(Answer.response_id, func.count())
                .where(Answer.response_id.in_(existing))
                .group_by(Answer.response_id)
            )
            for response_id, n in counts:
                existing[response_id].existing_answers = int(n)
        self.groups.update(new)
        return [group for group in new.values() if group.existing is None]

    def _stored_answers(self, rows: list[ImportRow]) -> dict[tuple[int, str], StoredAnswer]:
        """The stored answers of this batch's rows that belong to existing responses."""
        wanted = {
            (self.groups[row.key].existing, row.item_key) for row in rows if self.groups[row.key].existing
        }
        if not wanted:
            return {}
        statement = select(
            Answer.response_id,
            Answer.item_key,
            Answer.value,
            Answer.not_applicable,
            Answer.score,
            Answer.dimension,
            Answer.weight,
        ).where(
            Answer.response_id.in_({response_id for response_id, _ in wanted}),
            Answer.item_key.in_({item_key for _, item_key in wanted}),
        )
        return {
            (response_id, item_key): StoredAnswer(*values)
            for response_id, item_key, *values in self.session.execute(statement)
            if (response_id, item_key) in wanted
        }

    def _write(
        self, new_groups: list[_Group], inserts: list[dict[str, Any]], upserts: list[dict[str, Any]]
    ) -> None:
        if new_groups:
            by_key = {
                (g.key[0], g.key[1], g.key[2], g.version.version_id, g.key[4], g.key[5]): g
                for g in new_groups
            }
            returned = insert_rows(
                self.session,
                RESPONSES,
                [
                    {
                        "study_id": self.study.id,
                        "account_id": group.key[0],
                        "contact_id": group.key[1],
                        "perspective": group.key[2],
                        "questionnaire_version_id": group.version.version_id,
                        "submitted_at": group.key[4],
                        "mode": group.key[5],
                        "status": COMPLETED,
                        "superseded": False,
                        "knocked_out": False,
                        "started_at": group.key[4],
                        "updated_at": self.now,
                    }
                    for group in new_groups
                ],
                returning=(
                    "account_id",
                    "contact_id",
                    "perspective",
                    "questionnaire_version_id",
                    "submitted_at",
                    "mode",
                    "id",
                ),
            )
            for *key, response_id in returned:
                by_key[tuple(key)].response_id = response_id  # type: ignore[index]
        timestamps = {"version": 1, "created_at": self.now, "updated_at": self.now}
        if inserts:
            rows = []
            for entry in inserts:
                group = entry.pop("group")
                rows.append({"response_id": group.response_id, **entry, **timestamps})
            insert_rows(self.session, ANSWERS, rows)
        if upserts:
            upsert_answers(self.session, [{**entry, **timestamps} for entry in upserts])

    def _replace_rest(self, group: _Group) -> None:
        """Remove the stored answers of an updated response that the file no longer has."""
        items = group.version.questionnaire.items
        kept = [items[position].key for position, number in enumerate(group.rows) if number]
        self.session.execute(
            delete(Answer)
            .where(Answer.response_id == group.existing, Answer.item_key.not_in(kept))
            .execution_options(synchronize_session=False)
        )


def import_responses(
    *,
    session: Session,
    study: Study,
    source: BinaryIO | Path,
    actor: Any = None,
    actor_label: str | None = None,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Import responses in the long format into the study (all or nothing; flushes, never commits).

    The report counts responses: `created` new ones, `updated` stored ones whose answers change, `unchanged`
    stored ones the file repeats exactly. `source` is a path, or a binary file object that can seek. The cap
    counts rows, that is answers: a file with more than `max_rows` (default: the IMPORT_MAX_ROWS setting) is
    refused before any row is checked.
    """
    report = ImportReport(dry_run=dry_run)
    with ExitStack() as stack:
        try:
            table = stack.enter_context(open_table(source, max_rows=max_rows or max_rows_setting()))
            for problem in column_problems(table.columns, required=REQUIRED, optional=OPTIONAL):
                report.add_error(None, problem)
            if not report.ok:
                return report.finish()
            importer = ResponseImport(session=session, study=study, decimal_comma=table.decimal_comma)
            importer.run_pass(table.rows(), report, write=False)
        except TooManyRowsError as exc:
            report.add_error(None, _too_many_answers(exc.limit))
            return report.finish()
        except CsvFileError as exc:
            report.add_error(exc.row, exc.message)
            return report.finish()
        if report.rows == 0:
            report.add_error(None, no_rows_message())
        if not report.ok or dry_run:
            return report.finish()
        written = ImportReport()
        importer.run_pass(table.rows(), written, write=True)
        if written.counts() != report.counts() or not written.ok:
            raise ImportConsistencyError(
                f"{ACTION}: writing found {written.counts()} but validating found {report.counts()}"
            )
    if report.changed:
        mark_superseded(session=session, study=study)
        close_interviewed(session=session, study=study, at=utcnow())
        record(
            session=session,
            action=ACTION,
            actor=actor,
            actor_label=actor_label,
            obj=study,
            supplier_id=study.supplier_id,
            details=report.counts(),
        )
    return report.finish()


def _too_many_answers(limit: int) -> Any:
    # A response split over two files would lose answers: importing the second part replaces the first's.
    return _l(
        "The file has more than %(limit)s rows; split it into files of at most %(limit)s rows each, "
        "with all rows of one response in the same file.",
        limit=lazy_count(limit),
    )
