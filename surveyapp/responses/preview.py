"""The researcher's preview: walk any questionnaire of a study as a respondent would, `{account}` filled in.

Staff only, scoped to the suppliers a researcher may see (404 otherwise). The answers live only in the
browser session, never in the database: nothing is stored as a response, no invitation changes. To keep the
session cookie small, the preview keeps at most the first 100 characters of a typed text.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.auth.decorators import staff_required
from surveyapp.auth.permissions import is_staff
from surveyapp.enums import Purpose, QuestionType
from surveyapp.extensions import db
from surveyapp.questionnaires.services import load_version
from surveyapp.responses import journey, pages, queries
from surveyapp.responses.pages import Journey
from surveyapp.responses.views import PageResponse, bp
from surveyapp.studies.queries import get_visible_study

SESSION_KEY = "preview"
TEXT_LIMIT = 100
# Past this many characters of answers the preview forgets typed texts rather than overflow the cookie.
BUDGET = 2500
TEXT_TYPES = (QuestionType.TEXT, QuestionType.LONGTEXT)
BASE = "/studies/<slug>/preview/<questionnaire_slug>"


def _journey(slug: str, questionnaire_slug: str) -> tuple[Journey, dict[str, Any]]:
    study = get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)
    row = next((q for q in study.questionnaires if q.slug == questionnaire_slug), None) or abort(404)
    accounts = queries.study_accounts(session=db.session, study=study)
    wanted = request.args.get("account", type=int)
    account = None
    if wanted is not None:
        account = next((a for a in accounts if a.id == wanted), None) or abort(404)
    elif row.purpose != Purpose.BRIEF and accounts:
        account = accounts[0]
    key = f"{study.id}:{row.slug}:{account.id if account else 0}"
    state = session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("key") != key:
        state = {"key": key, "answers": {}, "current": None, "lang": str(get_locale() or "en")}
    url_args: dict[str, Any] = {"slug": study.slug, "questionnaire_slug": row.slug}
    if account is not None:
        url_args["account"] = account.id
    current = Journey(
        questionnaire=load_version(session=db.session, version_id=row.version_id),
        lang=state["lang"] if state.get("lang") in pages.LANGUAGES else "en",
        placeholders=queries.placeholders_for(study, account),
        answers={str(k): str(v) for k, v in dict(state.get("answers") or {}).items()},
        current=state.get("current"),
        prefix="preview",
        url_args=url_args,
        supplier=study.supplier.name,
        account=account.name if account else None,
        deadline=study.deadline,
        time_zone=study.time_zone,
        started=True,
        preview=True,
        extra={"study": study, "accounts": accounts, "account_id": account.id if account else None},
    )
    return current, state


def _shortened(current: Journey, answers: dict[str, str]) -> dict[str, str]:
    texts = {i.key for i in current.questionnaire.items if i.type in TEXT_TYPES}
    kept = {key: (value[:TEXT_LIMIT] if key in texts else value) for key, value in answers.items()}
    if len(json.dumps(kept)) > BUDGET:
        kept = {key: value for key, value in kept.items() if key not in texts}
    return kept


def _store(state: dict[str, Any], **changes: Any) -> None:
    session[SESSION_KEY] = {**state, **changes}


@bp.get(BASE)
@staff_required
def preview_start(slug: str, questionnaire_slug: str) -> PageResponse:
    current, state = _journey(slug, questionnaire_slug)
    if request.args.get("fresh") == "1":
        state = {**state, "answers": {}, "current": None}
        current.answers, current.current = {}, None
    _store(state)
    with force_locale(current.lang):
        return pages.render(current, "respondent/start.html")


@bp.get(f"{BASE}/page/<section_key>")
@staff_required
def preview_page(slug: str, questionnaire_slug: str, section_key: str) -> PageResponse:
    current, _ = _journey(slug, questionnaire_slug)
    with force_locale(current.lang):
        stop = pages.guard_page(current, section_key)
        if stop is not None:
            return stop
        if not journey.has_section(current.questionnaire, section_key):
            abort(404)
        form = pages.build_form(current, section_key)
        return pages.render_page(current, section_key, form, return_to=request.args.get("return"))


@bp.post(f"{BASE}/page/<section_key>")
@staff_required
def preview_save(slug: str, questionnaire_slug: str, section_key: str) -> PageResponse:
    current, state = _journey(slug, questionnaire_slug)
    with force_locale(current.lang):
        stop = pages.guard_page(current, section_key)
        if stop is not None:
            return stop
        if not journey.has_section(current.questionnaire, section_key):
            abort(404)
        result = pages.evaluate(current, section_key, request.form)
        if result.blocked:
            return pages.render_page(
                current, section_key, result.form, status=422, return_to=request.form.get("return_to")
            )
    merged = {**current.answers, **result.answers}
    counted = journey.counted_answers(current.questionnaire, merged)
    _store(
        state,
        answers=_shortened(current, counted),
        current=result.resume_at,
        lang=result.language or current.lang,
    )
    return pages.after_save(current, result)


@bp.get(f"{BASE}/review")
@staff_required
def preview_review(slug: str, questionnaire_slug: str) -> PageResponse:
    current, _ = _journey(slug, questionnaire_slug)
    with force_locale(current.lang):
        return pages.render(current, "respondent/review.html")


@bp.post(f"{BASE}/submit")
@staff_required
def preview_submit(slug: str, questionnaire_slug: str) -> HttpResponse:
    current, state = _journey(slug, questionnaire_slug)
    missing = journey.first_incomplete(current.questionnaire, current.answers)
    if missing is not None:
        flash(pages.NOTICE_INCOMPLETE, pages.NOTICE_CATEGORY)
        return redirect(current.page_url(missing), 303)
    _store(state, current=journey.REVIEW)
    return redirect(current.url("done"), 303)


@bp.get(f"{BASE}/done")
@staff_required
def preview_done(slug: str, questionnaire_slug: str) -> PageResponse:
    current, _ = _journey(slug, questionnaire_slug)
    with force_locale(current.lang):
        return pages.render(current, "respondent/done.html", others=[])


@bp.get(f"{BASE}/saved")
@staff_required
def preview_saved(slug: str, questionnaire_slug: str) -> PageResponse:
    current, _ = _journey(slug, questionnaire_slug)
    with force_locale(current.lang):
        return pages.render(current, "respondent/saved.html")


@bp.post(f"{BASE}/language")
@staff_required
def preview_language(slug: str, questionnaire_slug: str) -> HttpResponse:
    current, state = _journey(slug, questionnaire_slug)
    chosen = request.form.get("lang")
    _store(state, lang=chosen if chosen in pages.LANGUAGES else current.lang)
    page = request.form.get("page")
    return redirect(current.url(page if page in ("start", "review", "done", "saved") else "start"), 303)


def csrf_expired_preview(args: dict[str, Any]) -> PageResponse:
    """The preview's answer to an expired form token: the page again with what was typed, nothing kept."""
    if not (current_user.is_authenticated and is_staff(current_user)):
        abort(404)
    current, _ = _journey(str(args.get("slug")), str(args.get("questionnaire_slug")))
    section_key = args.get("section_key")
    with force_locale(current.lang):
        if request.endpoint == "responses.preview_save" and isinstance(section_key, str):
            if not journey.has_section(current.questionnaire, section_key):
                abort(404)
            form = pages.build_form(current, section_key, request.form)
            return pages.render_page(
                current,
                section_key,
                form,
                status=400,
                return_to=request.form.get("return_to"),
                notice=pages.NOTICE_EXPIRED,
            )
        return pages.render(current, "respondent/start.html", 400, notice=pages.NOTICE_EXPIRED)
