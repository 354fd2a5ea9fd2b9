"""The autosave endpoint of the interview screen, on the `interviews` blueprint: JavaScript posts one changed
question (its answer fields or its notes, with their base tokens) and gets JSON back — the new base tokens,
which questions and topics the answers now show, who else has the interview open — or 409 with both
versions when someone else changed the same answer, or 422 with the problem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.auth.decorators import staff_required
from surveyapp.core.templating import local_datetime
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.interviews import answers, presence
from surveyapp.interviews.errors import InterviewError, InvalidInput, ReasonRequired
from surveyapp.interviews.models import Interview
from surveyapp.interviews.screen import (
    answer_changes,
    clean_note,
    conflict_view,
    field_name,
    note_changes,
    note_field,
    placeholders,
    read_question,
    topic_states,
)
from surveyapp.interviews.topic_views import _form, _questionnaire, presence_lines
from surveyapp.interviews.views import bp, interview_or_404
from surveyapp.questionnaires.schema import Questionnaire, items_of
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses import journey


def _json_error(status: int, message: Any, errors: dict[str, Any] | None = None) -> tuple[HttpResponse, int]:
    body = {
        "status": "invalid" if status == 422 else "error",
        "message": str(message),
        "errors": {key: str(value) for key, value in (errors or {}).items()},
    }
    return jsonify(body), status


@bp.post("/interviews/<int:interview_id>/autosave")
@staff_required
def autosave(interview_id: int) -> tuple[HttpResponse, int]:
    found = interview_or_404(interview_id)
    questionnaire = _questionnaire(found)
    formdata = request.form
    section_key, question_key = str(formdata.get("section") or ""), str(formdata.get("question") or "")
    kind = str(formdata.get("kind") or "answer")
    if not journey.has_section(questionnaire, section_key) or kind not in ("answer", "note"):
        return _json_error(400, _("The page sent something this interview does not know; reload it."))
    question = next((q for q in questionnaire.section(section_key).questions if q.key == question_key), None)
    if question is None:
        return _json_error(400, _("The page sent something this interview does not know; reload it."))
    stored = answers.stored_items(db.session, found.response_id or 0)
    changes, notes = [], []
    submitted: dict[str, str | None] = {}
    if kind == "answer":
        # Read what the page sent, not what is stored: a radio group sent without a choice is no answer.
        own = {item.key for item in items_of(question)}
        others = {key: held.value for key, held in stored.items() if key not in own}
        form = _form(found, questionnaire, section_key, others, formdata)
        with force_locale(found.language):
            values, problems = read_question(form, question, formdata)
        if problems:
            fields = {field_name(key): message for key, message in problems.items()}
            return _json_error(422, next(iter(fields.values())), fields)
        changes = answer_changes([question], values, formdata)
        submitted = {field_name(key): value for key, value in values.items()}
    else:
        notes = note_changes([question], formdata)
        submitted = {note_field(question.key): clean_note(str(formdata.get(note_field(question.key)) or ""))}
    now = utcnow()
    try:
        result = answers.save_changes(
            session=db.session,
            interview=found,
            questionnaire=questionnaire,
            answers=changes,
            notes=notes,
            actor=current_user,
            now=now,
            reason=str(formdata.get("reason") or ""),
        )
    except ReasonRequired as exc:
        db.session.rollback()
        return _json_error(422, exc.message, {"reason": exc.message})
    except InvalidInput as exc:
        db.session.rollback()
        fields = {
            (note_field(k[5:]) if k.startswith("note:") else field_name(k)): v
            for k, v in exc.problems.items()
        }
        return _json_error(422, next(iter(fields.values())), fields)
    except InterviewError as exc:
        db.session.rollback()
        return _json_error(409, exc.message)
    presence.touch(session=db.session, interview_id=found.id, user_id=current_user.id, now=now)
    db.session.commit()
    return jsonify(
        _payload(found, questionnaire, section_key, submitted, result, now)
    ), 409 if result.conflicts else 200


def _payload(
    found: Interview,
    questionnaire: Questionnaire,
    section_key: str,
    submitted: dict[str, str | None],
    result: Any,
    now: datetime,
) -> dict[str, Any]:
    """The JSON answer to an autosave. New base tokens go only to fields whose stored value is what the page
    sent: a field the page shows out of date keeps its old base, so changing it later is a conflict, never a
    silent overwrite of someone else's answer."""
    stored = answers.stored_items(db.session, found.response_id or 0)
    notes = answers.stored_notes(db.session, found.id)
    raw = {key: held.value for key, held in stored.items()}
    values = placeholders(found)
    current = {field_name(key): held for key, held in stored.items()}
    current.update({note_field(key): held for key, held in notes.items()})
    bases = {}
    for name, value in submitted.items():
        held = current.get(name, answers.NOTHING)
        if (held.value or "") == (value or ""):
            bases[name] = held.token
    bases.update({field_name(key): answers.NOTHING.token for key in result.removed})
    conflicts = []
    for conflict in result.conflicts:
        _key, view = conflict_view(conflict, questionnaire, found.language, values)
        conflicts.append(
            {
                "field": view.field,
                "label": view.label,
                "yours": {"value": conflict.yours, "text": view.yours},
                "theirs": {
                    "value": view.theirs_value,
                    "text": view.theirs,
                    "version": conflict.theirs.version,
                    "token": view.token,
                    "by": view.by,
                    "at": local_datetime(view.at, found.study.time_zone, "short") if view.at else None,
                },
                "message": _(
                    "Someone else changed this since you opened the page. Saved now: %(theirs)s. Yours: "
                    "%(yours)s.",
                    theirs=view.theirs,
                    yours=view.yours,
                ),
            }
        )
    section_questions = [q.key for q in questionnaire.section(section_key).questions]
    seen = visibility(questionnaire, raw)
    return {
        "status": "conflict" if conflicts else "saved",
        "bases": bases,
        "removed": [field_name(key) for key in result.removed],
        "visible": [key for key in section_questions if key in seen.questions],
        "topics": [
            {"key": t.key, "state": t.state, "label": t.label}
            for t in topic_states(questionnaire, raw, lang=found.language, values=values)
        ],
        "others": presence_lines(found, now),
        "saved_at": local_datetime(now, found.study.time_zone, "short"),
        "conflicts": conflicts,
        "consent": found.consent_quote.value if found.consent_quote else None,
    }
