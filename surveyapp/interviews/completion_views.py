"""Completing an interview, on the `interviews` blueprint: what is still required, listed with links to
its topic and question; completing makes the Response count like a survey's."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.auth.decorators import staff_required
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.interviews import answers, services
from surveyapp.interviews.errors import InterviewError, MissingRequired
from surveyapp.interviews.forms import ActionForm
from surveyapp.interviews.models import Interview, InterviewStatus
from surveyapp.interviews.screen import placeholders, topic_states
from surveyapp.interviews.topic_views import _questionnaire
from surveyapp.interviews.views import bp, interview_or_404
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.responses import journey

PageResponse = HttpResponse | tuple[str, int]


def _missing(
    found: Interview, questionnaire: Questionnaire, missing: dict[str, list[str]]
) -> list[dict[str, Any]]:
    values = placeholders(found)
    listed = []
    for section in questionnaire.sections:
        for key in missing.get(section.key, []):
            listed.append(
                {
                    "section": section.key,
                    "topic": section.title.render(found.language, **values),
                    "question": key,
                    "text": questionnaire.question(key).text.render(found.language, **values),
                }
            )
    return listed


@bp.get("/interviews/<int:interview_id>/complete")
@staff_required
def complete_page(interview_id: int) -> PageResponse:
    found = interview_or_404(interview_id)
    if found.status != InterviewStatus.IN_PROGRESS:
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    questionnaire = _questionnaire(found)
    raw = {key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()}
    return _render_complete(found, questionnaire, journey.missing_required(questionnaire, raw), raw)


def _render_complete(
    found: Interview,
    questionnaire: Questionnaire,
    missing: dict[str, list[str]],
    raw: dict[str, str | None],
    status: int = 200,
) -> tuple[str, int]:
    values = placeholders(found)
    return render_template(
        "interviews/complete.html",
        interview=found,
        study=found.study,
        form=ActionForm(),
        missing=_missing(found, questionnaire, missing),
        topics=topic_states(questionnaire, raw, lang=found.language, values=values),
    ), status


@bp.post("/interviews/<int:interview_id>/complete")
@staff_required
def complete(interview_id: int) -> PageResponse:
    found = interview_or_404(interview_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    questionnaire = _questionnaire(found)
    try:
        done = services.complete_interview(
            session=db.session, interview=found, questionnaire=questionnaire, actor=current_user, now=utcnow()
        )
    except MissingRequired as exc:
        db.session.rollback()
        raw = {
            key: held.value for key, held in answers.stored_items(db.session, found.response_id or 0).items()
        }
        return _render_complete(found, questionnaire, exc.missing, raw, 422)
    except InterviewError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    db.session.commit()
    if done:
        flash(_("The interview is completed and its answers count in the analysis."), "success")
    return redirect(url_for("interviews.interview", interview_id=found.id), 303)
