"""Saving an interview's answers and notes, one item at a time, with optimistic locking.

Every answer (`Answer.version`) and every note (`InterviewNote.version`) carries a version. A change
names the version it was based on; it is written with a compare-and-set (`UPDATE ... WHERE version = :base`,
`DELETE ... WHERE version = :base`, or `INSERT ... ON CONFLICT DO NOTHING` for a first answer), so of two
people editing the same answer the second gets a `Conflict` with both versions — never a silent overwrite.
Changes to different items never conflict, so two tabs on different topics work side by side. A change whose
value equals what is stored already is no change (two people entering the same score do not conflict).

Answers are stored as the survey stores them (`responses.storage.stored_answer`): the same canonical value,
score, dimension and weight, so an interview scores exactly like a survey. As in the survey, answers of
questions that the new answers hide are removed. After completion every change needs a reason and is audited.
Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.models import User
from surveyapp.i18n import _l
from surveyapp.interviews.errors import InterviewError, InvalidInput, ReasonRequired
from surveyapp.interviews.models import Interview, InterviewNote, InterviewStatus, QuoteConsent
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.types import handler_for, knockouts
from surveyapp.responses import journey
from surveyapp.responses.models import Answer, Response
from surveyapp.responses.storage import stored_answer

MAX_NOTE = 100_000
MAX_REASON = 2000
QUOTE_CONSENT_TAG = "quote_consent"
_ANSWERS = Answer.__table__
_NOTES = InterviewNote.__table__


def digest(value: str | None) -> str:
    """A short fingerprint of a value ("" for no answer), to tell whether a field was changed in the page."""
    return hashlib.sha256((value or "").encode("utf-8")).hexdigest()[:16]


def base_token(version: int, value: str | None) -> str:
    """What a page keeps for each field: the version it shows and the fingerprint of the value it shows."""
    return f"{version}:{digest(value)}"


@dataclass(frozen=True, slots=True)
class Base:
    """A parsed base token; a missing token means "no answer was shown" (version 0)."""

    version: int
    fingerprint: str

    @classmethod
    def parse(cls, token: str | None) -> Base:
        if not token:
            return cls(0, digest(None))
        version, _sep, fingerprint = token.partition(":")
        if not version.isdigit() or len(version) > 9 or len(fingerprint) != 16:
            raise ValueError("not a base token")
        return cls(int(version), fingerprint)

    def shows(self, value: str | None) -> bool:
        """Whether the page showed this value (so an unchanged field is not a change)."""
        return digest(value) == self.fingerprint


@dataclass(frozen=True, slots=True)
class AnswerChange:
    item_key: str
    raw: str | None
    base_version: int


@dataclass(frozen=True, slots=True)
class NoteChange:
    question_key: str
    text: str
    base_version: int


@dataclass(frozen=True, slots=True)
class Stored:
    """An item's or note's value as stored now (version 0: nothing stored)."""

    value: str | None
    version: int
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def token(self) -> str:
        return base_token(self.version, self.value)


NOTHING = Stored(None, 0)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A change based on a version that is no longer current: both versions, for the person to choose."""

    kind: str  # "answer" or "note"
    key: str
    yours: str | None
    theirs: Stored


@dataclass
class SaveResult:
    answers: dict[str, Stored] = field(default_factory=dict)
    notes: dict[str, Stored] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def stored_items(session: Session, response_id: int) -> dict[str, Stored]:
    rows = session.execute(
        select(_ANSWERS.c.item_key, _ANSWERS.c.value, _ANSWERS.c.version, _ANSWERS.c.updated_at).where(
            _ANSWERS.c.response_id == response_id
        )
    )
    return {key: Stored(value, version, at) for key, value, version, at in rows if value is not None}


def stored_notes(session: Session, interview_id: int) -> dict[str, Stored]:
    rows = session.execute(
        select(
            _NOTES.c.question_key, _NOTES.c.text, _NOTES.c.version, _NOTES.c.updated_at, User.name, User.email
        )
        .outerjoin(User, User.id == _NOTES.c.updated_by_id)
        .where(_NOTES.c.interview_id == interview_id)
    )
    return {key: Stored(text, version, at, name or email) for key, text, version, at, name, email in rows}


def _validate(
    questionnaire: Questionnaire, answers: Sequence[AnswerChange], notes: Sequence[NoteChange]
) -> dict[str, AnswerChange]:
    problems: dict[str, Any] = {}
    normalised: dict[str, AnswerChange] = {}
    for change in answers:
        try:
            item = questionnaire.item(change.item_key)
        except KeyError:
            problems[change.item_key] = _l("This is not a question of the interview guide.")
            continue
        if change.raw is None:
            normalised[change.item_key] = change
            continue
        problem = handler_for(item).validate_raw(item, change.raw)
        if problem is not None:
            problems[change.item_key] = problem
            continue
        value = stored_answer(item, change.raw).value
        normalised[change.item_key] = AnswerChange(change.item_key, value, change.base_version)
    for note in notes:
        key = f"note:{note.question_key}"
        try:
            questionnaire.question(note.question_key)
        except KeyError:
            problems[key] = _l("This is not a question of the interview guide.")
            continue
        if "\x00" in note.text:
            problems[key] = _l("Remove the invisible NUL character from the notes: it cannot be stored.")
        elif len(note.text) > MAX_NOTE:
            problems[key] = _l(
                "Notes on one question may have at most %(n)d characters (now %(length)d).",
                n=MAX_NOTE,
                length=len(note.text),
            )
    if problems:
        raise InvalidInput(problems)
    return normalised


def _insert(session: Session, table: Any, values: Mapping[str, Any], keys: list[Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted (RETURNING says so on both databases:
    the rowcount of an insert is not reliable where the driver adds RETURNING for the primary key)."""
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(**values)
    result = session.execute(statement.on_conflict_do_nothing(index_elements=keys).returning(table.c.id))
    return result.first() is not None


def _write_answer(
    session: Session, questionnaire: Questionnaire, response_id: int, change: AnswerChange, now: datetime
) -> bool:
    """Compare-and-set one answer; False when its version moved on meanwhile."""
    where = (_ANSWERS.c.response_id == response_id) & (_ANSWERS.c.item_key == change.item_key)
    if change.raw is None:
        done = session.execute(delete(_ANSWERS).where(where, _ANSWERS.c.version == change.base_version))
        return bool(done.rowcount)  # type: ignore[attr-defined]
    columns = stored_answer(questionnaire.item(change.item_key), change.raw).columns()
    if change.base_version == 0:
        values = {
            "response_id": response_id,
            "item_key": change.item_key,
            **columns,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        return _insert(session, _ANSWERS, values, [_ANSWERS.c.response_id, _ANSWERS.c.item_key])
    done = session.execute(
        update(_ANSWERS)
        .where(where, _ANSWERS.c.version == change.base_version)
        .values(**columns, version=_ANSWERS.c.version + 1, updated_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _write_note(
    session: Session, interview_id: int, change: NoteChange, actor_id: int | None, now: datetime
) -> bool:
    if change.base_version == 0:
        values = {
            "interview_id": interview_id,
            "question_key": change.question_key,
            "text": change.text,
            "version": 1,
            "updated_by_id": actor_id,
            "updated_at": now,
        }
        return _insert(session, _NOTES, values, [_NOTES.c.interview_id, _NOTES.c.question_key])
    done = session.execute(
        update(_NOTES)
        .where(
            _NOTES.c.interview_id == interview_id,
            _NOTES.c.question_key == change.question_key,
            _NOTES.c.version == change.base_version,
        )
        .values(text=change.text, version=_NOTES.c.version + 1, updated_by_id=actor_id, updated_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _check_editable(interview: Interview) -> None:
    if interview.status == InterviewStatus.CANCELLED:
        raise InterviewError(_l("This interview was cancelled; its answers can no longer be changed."))
    if interview.status == InterviewStatus.PLANNED or interview.response_id is None:
        raise InterviewError(_l("Start the interview (and record the consent) before entering answers."))


def _plan(
    current: Mapping[str, Stored], changes: Mapping[str, AnswerChange], result: SaveResult, kind: str
) -> list[Any]:
    """The changes to write; unchanged ones are reported as they are, stale ones as conflicts."""
    writes = []
    for key, change in changes.items():
        now_stored = current.get(key, NOTHING)
        value = change.raw if kind == "answer" else change.text
        stored_value = now_stored.value if kind == "answer" else (now_stored.value or "")
        target = result.answers if kind == "answer" else result.notes
        if stored_value == value:
            target[key] = now_stored
        elif now_stored.version != change.base_version:
            result.conflicts.append(Conflict(kind, key, value, now_stored))
        else:
            writes.append(change)
    return writes


def save_changes(
    *,
    session: Session,
    interview: Interview,
    questionnaire: Questionnaire,
    answers: Sequence[AnswerChange] = (),
    notes: Sequence[NoteChange] = (),
    actor: Any,
    now: datetime,
    reason: str | None = None,
) -> SaveResult:
    """Write the changes that are based on the current versions; report the others as conflicts.

    Raises InvalidInput (nothing written) for a value that is not valid for its question (a score outside the
    scale), an answer to a question the answers hide, overlong notes or a NUL character; InterviewError before
    the interview started or after it was cancelled; ReasonRequired for a change to a completed interview
    without a reason; InvalidInput when such a change would leave a required question unanswered.
    """
    _check_editable(interview)
    assert interview.response_id is not None
    response_id = interview.response_id
    completed = interview.status == InterviewStatus.COMPLETED
    normalised = _validate(questionnaire, answers, notes)
    current = stored_items(session, response_id)
    current_notes = stored_notes(session, interview.id)
    result = SaveResult()
    answer_writes: list[AnswerChange] = _plan(current, normalised, result, "answer")
    note_writes: list[NoteChange] = _plan(
        current_notes, {note.question_key: note for note in notes}, result, "note"
    )
    merged: dict[str, str | None] = {key: stored.value for key, stored in current.items()}
    merged.update({change.item_key: change.raw for change in answer_writes})
    counted = journey.counted_answers(questionnaire, merged)
    hidden = {
        c.item_key: _l("This question does not apply after the earlier answers.")
        for c in answer_writes
        if c.raw is not None and c.item_key not in counted
    }
    if hidden:
        raise InvalidInput(hidden)
    cleaned_reason = " ".join((reason or "").split())[:MAX_REASON]
    if completed and (answer_writes or note_writes):
        if not cleaned_reason:
            raise ReasonRequired()
        missing = journey.missing_required(questionnaire, merged)
        if missing:
            raise InvalidInput(
                {
                    key: _l("A completed interview needs an answer to this question.")
                    for keys in missing.values()
                    for key in keys
                }
            )
    for change in answer_writes:
        if _write_answer(session, questionnaire, response_id, change, now):
            result.written.append(change.item_key)
        else:
            theirs = stored_items(session, response_id).get(change.item_key, NOTHING)
            result.conflicts.append(Conflict("answer", change.item_key, change.raw, theirs))
    written_notes = []
    for note in note_writes:
        if _write_note(session, interview.id, note, getattr(actor, "id", None), now):
            written_notes.append(note.question_key)
        else:
            theirs = stored_notes(session, interview.id).get(note.question_key, NOTHING)
            result.conflicts.append(Conflict("note", note.question_key, note.text, theirs))
    after = stored_items(session, response_id)
    kept = journey.counted_answers(questionnaire, {key: stored.value for key, stored in after.items()})
    result.removed = sorted(key for key in after if key not in kept)
    if result.removed:
        session.execute(
            delete(_ANSWERS).where(
                _ANSWERS.c.response_id == response_id, _ANSWERS.c.item_key.in_(result.removed)
            )
        )
    for key in result.written:
        result.answers[key] = after.get(key, NOTHING) if key not in result.removed else NOTHING
    if written_notes:
        fresh = stored_notes(session, interview.id)
        result.notes.update({key: fresh[key] for key in written_notes})
    if result.written or result.removed:
        _after_answers(session, interview, questionnaire, kept, result, now)
    if completed and (result.written or result.removed or written_notes):
        record(
            session=session,
            action="interview.changed_after_completion",
            actor=actor,
            obj=interview,
            supplier_id=interview.study.supplier_id,
            reason=cleaned_reason,
            details={"items": result.written, "notes": written_notes, "removed": result.removed},
        )
    session.flush()
    return result


def _after_answers(
    session: Session,
    interview: Interview,
    questionnaire: Questionnaire,
    kept: Mapping[str, str],
    result: SaveResult,
    now: datetime,
) -> None:
    """Keep the response's time and knock-out flag, and the interview's quote consent, in step."""
    session.execute(
        update(Response)
        .where(Response.id == interview.response_id)
        .values(updated_at=now, knocked_out=bool(knockouts(questionnaire, kept)))
        .execution_options(synchronize_session=False)
    )
    for key in result.written:
        item = questionnaire.item(key)
        value = kept.get(key)
        if QUOTE_CONSENT_TAG in item.tags and value in {consent.value for consent in QuoteConsent}:
            interview.consent_quote = QuoteConsent(value)
            interview.consent_recorded_at = now
    if interview.response is not None:
        session.expire(interview.response)
