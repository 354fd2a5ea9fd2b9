"""Building a study's exports: what (answers, analysis, themes) in which format (csv, xlsx, json).

- answers: one row per answer of the responses that count for the analysis (rule 2), in exactly the columns of
  `surveyapp import responses` (`account,respondent,perspective,questionnaire,question,value,mode,
  submitted_at`), so that importing the file into a study with the same accounts and contacts gives the same
  analysis. `account` is the external id where the account has one, else its name; `submitted_at` is ISO 8601
  with the offset of the study's time zone. Answers of erased contacts (no email left) are not exported. Read
  with one SQL query, row by row: CSV and JSON are streamed.
- analysis: JSON is the analysis document exactly; XLSX has a sheet per table (`exports.tables`); CSV is a zip
  with one CSV file per table, because one CSV file cannot hold tables of different shapes.
- themes: one row per tag: theme, account, quadrant, perspective, question, kind (answer or quote), text,
  quotable (named, anonymous or no, as the consent is now) and the attribution — a name only where the
  respondent allowed it.

Services never commit; `record_export` adds the audit event, the caller commits it before sending the file.
A web download of streamed answers (`download`) reads them on a connection of its own, after the request's
session has ended, and records its audit event when the stream ends, with the number of rows sent and whether
the stream completed: an export that failed half-way is never recorded as a complete one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from surveyapp.analysis.disclosure import outside_view
from surveyapp.analysis.service import analysis_document, disclosure_of
from surveyapp.audit.services import record
from surveyapp.coding.consent import permissions
from surveyapp.coding.models import Theme, ThemeTag
from surveyapp.coding.queries import _detailed
from surveyapp.coding.targets import side_of, target_condition, targets_subquery, version_keys
from surveyapp.enums import Quadrant, Role
from surveyapp.exports.tables import analysis_tables
from surveyapp.exports.writers import Table, as_number, csv_chunks, xlsx_bytes, zip_bytes
from surveyapp.i18n import _l
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.responses.models import Answer, Response
from surveyapp.responses.storage import counted_select
from surveyapp.studies.models import Account, Contact, Study

FORMATS = ("csv", "xlsx", "json")
WHATS = ("answers", "analysis", "themes")
ANSWER_COLUMNS = (
    "account",
    "respondent",
    "perspective",
    "questionnaire",
    "question",
    "value",
    "mode",
    "submitted_at",
)
THEME_COLUMNS = (
    "theme",
    "account",
    "quadrant",
    "perspective",
    "question",
    "kind",
    "text",
    "quotable",
    "attribution",
)
#: What account-team users may export: the analysis only, never raw answers or named quotes.
ACCOUNT_TEAM_EXPORTS = ("analysis",)
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
BATCH = 1000
#: Formats of the answers export that are sent while they are read (the others are built whole first).
STREAMED = ("csv", "json")

logger = logging.getLogger(__name__)


class ExportError(ValueError):
    """An export that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Export:
    """A file to send or write: its name, type and content in chunks (a generator for streamed exports)."""

    filename: str
    mimetype: str
    chunks: Iterator[bytes]


#: The research team: every export, as it is.
STAFF_ROLES = (Role.ADMIN, Role.RESEARCHER)


def allowed_exports(user: Any) -> tuple[str, ...]:
    """The kinds of export this user may download (researchers and admins all; account teams the analysis)."""
    if user.role in STAFF_ROLES:
        return WHATS
    if user.role == Role.ACCOUNT_TEAM:
        return ACCOUNT_TEAM_EXPORTS
    return ()


def check_request(*, what: str, fmt: str) -> None:
    if what not in WHATS:
        raise ExportError(_l("Unknown export %(what)s: choose answers, analysis or themes.", what=what))
    if fmt not in FORMATS:
        raise ExportError(_l("Unknown format %(format)s: choose csv, xlsx or json.", format=fmt))


def answer_rows(*, session: Session, study_id: int, time_zone: str) -> Iterator[list[Any]]:
    """The counted responses' answers in the import's columns, read from the database in batches.

    Takes plain values, not the study: the rows are read while a response is being sent, when the request's
    objects may be gone.
    """
    counted = counted_select(study_id).subquery("counted")
    statement = (
        select(
            Account.name,
            Account.external_id,
            Contact.email,
            counted.c.perspective,
            QuestionnaireVersion.slug,
            Answer.item_key,
            Answer.value,
            counted.c.mode,
            Response.submitted_at,
        )
        .select_from(Answer)
        .join(counted, Answer.response_id == counted.c.id)
        .join(Response, Response.id == counted.c.id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == counted.c.questionnaire_version_id)
        .join(Account, Account.id == counted.c.account_id)
        .join(Contact, Contact.id == counted.c.contact_id)
        .where(Answer.value.is_not(None), Answer.value != "", Contact.email.is_not(None))
        .order_by(Response.submitted_at, Response.id, Answer.id)
        .execution_options(yield_per=BATCH)
    )
    zone = ZoneInfo(time_zone)
    # Closed with the generator, even when the reader stops early: on PostgreSQL the rows come from a server-side
    # cursor, which must be closed before its connection is.
    with session.execute(statement) as result:
        for name, external_id, email, perspective, slug, key, value, mode, submitted in result:
            yield [
                external_id or name,
                email,
                str(perspective),
                slug,
                key,
                as_number(value),
                str(mode),
                submitted.astimezone(zone).isoformat(),
            ]


def theme_rows(*, session: Session, study: Study) -> list[list[Any]]:
    """One row per tag (see the module docstring), by theme order, account and question."""
    keys = version_keys(session=session, study=study)
    targets = targets_subquery(study, keys)
    statement = (
        _detailed(targets)
        .add_columns(Theme.name.label("theme_name"))
        .join(ThemeTag, target_condition(targets, ThemeTag.answer_id, ThemeTag.quote_id))
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(Theme.study_id == study.id)
        .order_by(Theme.position, Theme.id, Account.name, targets.c.question, targets.c.kind, targets.c.id)
    )
    rows = list(session.execute(statement))
    allowed = permissions(session=session, keys=keys, rows=rows)
    quadrant_of = {
        a["account"]: a["quadrant"] for a in analysis_document(session=session, study=study)["accounts"]
    }
    found = []
    for row in rows:
        permission = allowed[(row.kind, row.id)]
        found.append(
            [
                row.theme_name,
                row.account_name,
                quadrant_of.get(row.account_name, Quadrant.INCOMPLETE.value),
                side_of(row.perspective),
                row.question,
                row.kind,
                row.text,
                permission.consent.value,
                permission.attribution,
            ]
        )
    return found


def _json_array(header: tuple[str, ...], rows: Any) -> Iterator[bytes]:
    yield b"["
    for index, row in enumerate(rows):
        item = dict(
            zip(header, (str(v) if v is not None and not isinstance(v, str) else v for v in row), strict=True)
        )
        yield (b"," if index else b"") + b"\n" + json.dumps(item, ensure_ascii=False).encode("utf-8")
    yield b"\n]\n"


def build_export(*, session: Session, study: Study, what: str, fmt: str, outside: bool = False) -> Export:
    """The export file; CSV and JSON answers are generated row by row while they are sent. `outside`: for a
    reader outside the research team, the analysis as rule 18 lets it leave (`analysis.disclosure`)."""
    check_request(what=what, fmt=fmt)
    base = f"{study.slug}-{what}"
    if what == "analysis":
        document = analysis_document(session=session, study=study)
        if outside:
            document = outside_view(document, disclosure_of(session=session, study=study))
        if fmt == "json":
            content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
            return Export(f"{base}.json", MIMETYPES["json"], iter([content]))
        tables = analysis_tables(document)
        if fmt == "xlsx":
            return Export(f"{base}.xlsx", MIMETYPES["xlsx"], iter([xlsx_bytes(tables)]))
        return Export(f"{base}.zip", MIMETYPES["zip"], iter([zip_bytes(tables)]))
    if what == "answers":
        header, rows = (
            ANSWER_COLUMNS,
            answer_rows(session=session, study_id=study.id, time_zone=study.time_zone),
        )
    else:
        header, rows = THEME_COLUMNS, iter(theme_rows(session=session, study=study))
    if fmt == "json":
        return Export(f"{base}.json", MIMETYPES["json"], _json_array(header, rows))
    if fmt == "xlsx":
        return Export(f"{base}.xlsx", MIMETYPES["xlsx"], iter([xlsx_bytes([Table(what, header, rows)])]))
    return Export(f"{base}.csv", MIMETYPES["csv"], csv_chunks(Table(what, header, rows)))


def record_export(
    *, session: Session, study: Study, what: str, fmt: str, actor: Any = None, actor_label: str | None = None
) -> None:
    """The audit event of an export (who took which data out of the application, when)."""
    record(
        session=session,
        action="study.export",
        actor=actor,
        actor_label=actor_label,
        obj=study,
        supplier_id=study.supplier_id,
        details={"what": what, "format": fmt},
    )


@dataclass(frozen=True, slots=True)
class _Stream:
    """What a streamed answers export needs once the request's objects are gone: plain values only."""

    bind: Engine
    study_id: int
    supplier_id: int
    time_zone: str
    fmt: str
    actor_id: int | None
    actor_label: str


def download(*, session: Session, study: Study, what: str, fmt: str, actor: Any) -> Export:
    """An export for a web download by `actor`.

    Files built whole (XLSX, the analysis, the themes) are built here and their audit event is added to
    `session`; the caller commits before sending. CSV and JSON answers are streamed: they are read on a
    connection of their own while the response is sent (the request's session is closed by then), and their
    audit event is recorded in that connection when the stream ends (`rows`, and `outcome`: `completed`,
    `interrupted` when the client went away, `failed` when reading failed).
    """
    check_request(what=what, fmt=fmt)
    if what != "answers" or fmt not in STREAMED:
        made = build_export(
            session=session, study=study, what=what, fmt=fmt, outside=actor.role not in STAFF_ROLES
        )
        record_export(session=session, study=study, what=what, fmt=fmt, actor=actor)
        return made
    stream = _Stream(
        bind=session.get_bind(),  # type: ignore[arg-type]
        study_id=study.id,
        supplier_id=study.supplier_id,
        time_zone=study.time_zone,
        fmt=fmt,
        actor_id=actor.id,
        actor_label=actor.email,
    )
    return Export(f"{study.slug}-answers.{fmt}", MIMETYPES[fmt], _streamed_answers(stream))


class _Counted:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterator[list[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row

    def close(self) -> None:
        """Stop reading (a download left early): the rows' generator ends and closes its database result."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def _streamed_answers(stream: _Stream) -> Iterator[bytes]:
    # A read-only connection: on SQLite a plain BEGIN (not the app's BEGIN IMMEDIATE), so a slow download
    # never holds the write lock that respondents' saves wait for.
    with stream.bind.connect().execution_options(read_only=True) as connection:
        session = Session(bind=connection)
        rows = _Counted(answer_rows(session=session, study_id=stream.study_id, time_zone=stream.time_zone))
        chunks = (
            _json_array(ANSWER_COLUMNS, rows)
            if stream.fmt == "json"
            else csv_chunks(Table("answers", ANSWER_COLUMNS, rows))
        )
        outcome = "failed"
        try:
            yield from chunks
            outcome = "completed"
        except GeneratorExit:
            outcome = "interrupted"
            raise
        finally:
            rows.close()
            session.close()
            _record_stream(stream, rows=rows.count, outcome=outcome)


def _record_stream(stream: _Stream, *, rows: int, outcome: str) -> None:
    details = {"what": "answers", "format": stream.fmt, "rows": rows, "outcome": outcome}
    try:
        with Session(bind=stream.bind) as session, session.begin():
            record(
                session=session,
                action="study.export",
                actor_id=stream.actor_id,
                actor_label=stream.actor_label,
                object_type=Study.__tablename__,
                object_id=stream.study_id,
                supplier_id=stream.supplier_id,
                details=details,
            )
    except Exception:
        # The download itself is over; what could not be recorded is said in the log instead.
        logger.exception("could not record the export of study %s: %s", stream.study_id, details)
