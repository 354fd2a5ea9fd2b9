"""The interview screen, on the `interviews` blueprint: one topic at a time, saved as a whole on every topic
change (works without JavaScript), autosaved question by question with JavaScript (a JSON endpoint, CSRF in
a header), completed with a list of what is still required, and changed afterwards only with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_timedelta
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.auth.decorators import staff_required
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.interviews import answers, presence, queries, quotes, services
from surveyapp.interviews.errors import InterviewError, InvalidInput, ReasonRequired
from surveyapp.interviews.forms import ATTRIBUTION_LABELS, CHANNEL_LABELS, STATUS_LABELS
from surveyapp.interviews.models import Interview, InterviewStatus, QuoteConsent
from surveyapp.interviews.screen import (
    answer_changes,
    build_blocks,
    clean_note,
    display_answers,
    note_changes,
    note_field,
    placeholders,
    topic_states,
)
from surveyapp.interviews.views import bp, interview_or_404
from surveyapp.questionnaires.schema import Questionnaire, items_of
from surveyapp.responses import forms as survey_forms
from surveyapp.responses import journey

PageResponse = HttpResponse | tuple[str, int]
STARTED = (InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED)


def _questionnaire(found: Interview) -> Questionnaire:
    return queries.questionnaire_of(session=db.session, interview=found) or abort(404)


def _guard(found: Interview) -> HttpResponse | None:
    if found.status not in STARTED:
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    return None


def presence_lines(found: Interview, now: datetime) -> list[str]:
    """ "Also open by Ann, 1 minute ago" for everyone else who had the interview open lately."""
    locale = str(get_locale() or "en")
    return [
        _(
            "Also open by %(name)s, %(ago)s.",
            name=other.name,
            ago=format_timedelta(other.last_seen_at - now, threshold=1.5, add_direction=True, locale=locale),
        )
        for other in presence.others(
            session=db.session, interview_id=found.id, user_id=current_user.id, now=now
        )
    ]


def _form(
    found: Interview, questionnaire: Questionnaire, section_key: str, values: Any, formdata: Any = None
) -> Any:
    with force_locale(found.language):
        return survey_forms.section_form(
            questionnaire,
            section_key,
            lang=found.language,
            placeholders=placeholders(found),
            answers=values,
            formdata=formdata,
        )


def _render(
    found: Interview,
    questionnaire: Questionnaire,
    section_key: str,
    form: Any,
    *,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    now = utcnow()
    stored = answers.stored_items(db.session, found.response_id or 0)
    notes = answers.stored_notes(db.session, found.id)
    values = placeholders(found)
    lang = found.language
    blocks = build_blocks(
        form=form,
        questionnaire=questionnaire,
        lang=lang,
        values=values,
        stored=stored,
        notes=notes,
        quotes=queries.quotes_of(session=db.session, interview_id=found.id),
        conflicts=extra.pop("conflicts", []),
        problems=extra.pop("problems", None),
        bases=extra.pop("bases", None),
        note_texts=extra.pop("note_texts", None),
    )
    raw = {key: held.value for key, held in stored.items()}
    section = questionnaire.section(section_key)
    shown = [s.key for s in journey.visible_sections(questionnaire, raw)]
    index = shown.index(section_key) if section_key in shown else -1
    return render_template(
        "interviews/topic.html",
        interview=found,
        study=found.study,
        questionnaire=questionnaire,
        section=section,
        form=form,
        blocks=blocks,
        lang=lang,
        values=values,
        title=section.title.render(lang, **values),
        intro=section.intro.render(lang, **values) if section.intro else None,
        probes=[probe.render(lang, **values) for probe in section.probe],
        topics=topic_states(questionnaire, raw, lang=lang, values=values),
        number=index + 1,
        total=len(shown),
        previous_key=shown[index - 1] if index > 0 else None,
        next_key=shown[index + 1] if 0 <= index < len(shown) - 1 else None,
        others=presence_lines(found, now),
        completed=found.status == InterviewStatus.COMPLETED,
        consent=found.consent_quote,
        attribution_labels=ATTRIBUTION_LABELS,
        channel_labels=CHANNEL_LABELS,
        status_labels=STATUS_LABELS,
        reason=extra.pop("reason", ""),
        reason_error=extra.pop("reason_error", None),
        **extra,
    ), status


@bp.get("/interviews/<int:interview_id>/continue")
@staff_required
def resume(interview_id: int) -> HttpResponse:
    found = interview_or_404(interview_id)
    guarded = _guard(found)
    if guarded is not None:
        return guarded
    questionnaire = _questionnaire(found)
    raw = {key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()}
    current = found.response.current_section if found.response else None
    target = journey.resume_point(questionnaire, raw, current)
    if target == journey.REVIEW:
        target = journey.first_section(questionnaire, raw)
    return redirect(url_for("interviews.topic", interview_id=found.id, section_key=target), 303)


@bp.get("/interviews/<int:interview_id>/topics/<section_key>")
@staff_required
def topic(interview_id: int, section_key: str) -> PageResponse:
    found = interview_or_404(interview_id)
    guarded = _guard(found)
    if guarded is not None:
        return guarded
    questionnaire = _questionnaire(found)
    if not journey.has_section(questionnaire, section_key):
        abort(404)
    raw = {key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()}
    if not journey.is_visible_section(questionnaire, raw, section_key):
        flash(_("That topic does not apply after the earlier answers."), "error")
        return redirect(url_for("interviews.resume", interview_id=found.id), 303)
    now = utcnow()
    presence.touch(session=db.session, interview_id=found.id, user_id=current_user.id, now=now)
    if found.status == InterviewStatus.IN_PROGRESS:
        services.set_resume_point(session=db.session, interview=found, section_key=section_key, now=now)
    db.session.commit()
    return _render(found, questionnaire, section_key, _form(found, questionnaire, section_key, raw))


def _submitted_bases(formdata: Any) -> dict[str, str]:
    return {name[len("base-") :]: str(value) for name, value in formdata.items() if name.startswith("base-")}


def _submitted_notes(formdata: Any) -> dict[str, str]:
    return {name: clean_note(str(value)) for name, value in formdata.items() if name.startswith("note-")}


def _target(found: Interview, questionnaire: Questionnaire, section_key: str, action: str) -> str | None:
    """The topic a button leads to (`goto:<topic>`, next, previous, or the same one), or None for "finish"."""
    raw = {key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()}
    shown = [s.key for s in journey.visible_sections(questionnaire, raw)] or [section_key]
    index = shown.index(section_key) if section_key in shown else 0
    goto = action.partition(":")[2] if action.startswith("goto:") else None
    if action == "finish" or (action == "next" and index == len(shown) - 1):
        return None
    if goto in shown:
        return goto
    if action == "next":
        return shown[index + 1]
    if action == "previous":
        return shown[max(index - 1, 0)]
    return shown[index]


def _quote_action(found: Interview, action: str, formdata: Any, reason: str, now: datetime) -> Any | None:
    """Mark or remove a quote as the button asked; returns the problem, if any."""
    kind, _sep, target = action.partition(":")
    try:
        if kind == "quote":
            attribution = formdata.get(f"attribution-{target}") or QuoteConsent.ANONYMOUS.value
            if attribution not in ATTRIBUTION_LABELS:
                return _("Choose how the quote is attributed.")
            quotes.mark_quote(
                session=db.session,
                interview=found,
                question_key=target,
                passage=str(formdata.get(f"quote-{target}") or ""),
                attribution=QuoteConsent(attribution),
                actor=current_user,
                now=now,
                reason=reason,
            )
        elif kind == "unquote" and target.isdigit():
            quotes.remove_quote(
                session=db.session, interview=found, quote_id=int(target), actor=current_user, reason=reason
            )
    except InterviewError as exc:
        return exc.message
    return None


@bp.post("/interviews/<int:interview_id>/topics/<section_key>")
@staff_required
def save_topic(interview_id: int, section_key: str) -> PageResponse:
    found = interview_or_404(interview_id)
    guarded = _guard(found)
    if guarded is not None:
        return guarded
    questionnaire = _questionnaire(found)
    if not journey.has_section(questionnaire, section_key):
        abort(404)
    formdata = request.form
    action = str(formdata.get("action") or "save")
    reason = str(formdata.get("reason") or "")
    raw = {key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()}
    # Read what the page sent, not what is stored: a radio group sent without a choice is no answer.
    questions = list(questionnaire.section(section_key).questions)
    own = {item.key for question in questions for item in items_of(question)}
    form = _form(found, questionnaire, section_key, {k: v for k, v in raw.items() if k not in own}, formdata)
    with force_locale(found.language):
        form.validate()
    survey_forms.refuse_unstorable(form, formdata)
    survey_forms.forget_required(form, [q.key for q in questions])
    echo = {"bases": _submitted_bases(formdata), "note_texts": _submitted_notes(formdata), "reason": reason}
    if survey_forms.has_errors(form, required_blocks=False):
        survey_forms.clip_echo(form)
        return _render(found, questionnaire, section_key, form, status=422, **echo)
    now = utcnow()
    try:
        result = answers.save_changes(
            session=db.session,
            interview=found,
            questionnaire=questionnaire,
            answers=answer_changes(questions, form.answers(), formdata),
            notes=note_changes(questions, formdata),
            actor=current_user,
            now=now,
            reason=reason,
        )
    except ReasonRequired as exc:
        db.session.rollback()
        return _render(found, questionnaire, section_key, form, status=422, reason_error=exc.message, **echo)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(found, questionnaire, section_key, form, status=422, problems=exc.problems, **echo)
    except InterviewError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    problem = _quote_action(found, action, formdata, reason, now) if ":" in action else None
    presence.touch(session=db.session, interview_id=found.id, user_id=current_user.id, now=now)
    target = _target(found, questionnaire, section_key, action)
    if found.status == InterviewStatus.IN_PROGRESS and target is not None:
        services.set_resume_point(session=db.session, interview=found, section_key=target, now=now)
    db.session.commit()
    if result.conflicts:
        stored = answers.stored_items(db.session, found.response_id or 0)
        shown = _form(found, questionnaire, section_key, display_answers(stored, result.conflicts))
        mine = {note_field(c.key): c.yours or "" for c in result.conflicts if c.kind == "note"}
        return _render(
            found,
            questionnaire,
            section_key,
            shown,
            status=409,
            conflicts=result.conflicts,
            note_texts=mine,
            reason=reason,
        )
    if problem is not None:
        flash(str(problem), "error")
        return redirect(url_for("interviews.topic", interview_id=found.id, section_key=section_key), 303)
    if ":" in action and not action.startswith("goto:"):
        flash(_("Quote saved.") if action.startswith("quote:") else _("Quote removed."), "success")
        return redirect(url_for("interviews.topic", interview_id=found.id, section_key=section_key), 303)
    if action in ("next", "save") and form.revealed():
        flash(_("Your answer brought up more questions on this topic."), "success")
        return redirect(url_for("interviews.topic", interview_id=found.id, section_key=section_key), 303)
    if target is None:
        return redirect(url_for("interviews.complete_page", interview_id=found.id), 303)
    return redirect(url_for("interviews.topic", interview_id=found.id, section_key=target), 303)
