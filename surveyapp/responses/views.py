"""The respondent survey at `/survey/<invitation_id>`: start page, one page per section, check your answers,
submit, thank you; reopening until the deadline; a language switch that saves first.

Reached through the personal link (`GET /s/<token>`, see invitations.public_views), which grants this browser
session access; without that every page answers 404. Views parse, call one service, commit, redirect.
The researcher's preview of the same pages lives in `preview.py`, on this blueprint.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.auth.permissions import is_staff
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.invitations import access
from surveyapp.invitations.emails import reply_address
from surveyapp.invitations.tokens import closed_for_analysis
from surveyapp.privacy.forms import ErasureRequestForm
from surveyapp.privacy.requests import ErasureRequestError, has_open_request, request_erasure
from surveyapp.responses import journey, pages, queries, services
from surveyapp.responses.display import ShownSection, readable_answers
from surveyapp.responses.modes import interview_completed
from surveyapp.responses.pages import Journey
from surveyapp.studies.models import Study
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("responses", __name__)

PageResponse = HttpResponse | tuple[str, int]
# Pages a language switch outside a section may return to.
SWITCH_PAGES = ("start", "review", "done", "saved")


def _language(survey: queries.Survey) -> str:
    chosen = session.get("lang")
    return chosen if chosen in pages.LANGUAGES else survey.invitation.contact.language.value


def _can_reply(study: Study) -> bool:
    """Whether the study's emails carry a Reply-To: its own reply address, or the operator's default."""
    return (
        reply_address(session=db.session, study=study, default=current_app.config.get("MAIL_REPLY_TO"))
        is not None
    )


def _journey(survey: queries.Survey) -> Journey:
    response = survey.response
    study = survey.study
    interviewed = interview_completed(session=db.session, invitation=survey.invitation)
    closed = services.is_closed(survey.invitation, utcnow()) or interviewed
    # A draft left open when the survey closed can no longer be sent: the answers sent stand, and the
    # respondent is shown them as sent (rule 19).
    revising = survey.draft is not None and not closed
    return Journey(
        questionnaire=survey.questionnaire,
        lang=_language(survey),
        placeholders=survey.placeholders,
        answers=survey.answers,
        current=survey.draft.current_section
        if survey.draft
        else response.current_section
        if response
        else None,
        prefix="survey",
        url_args={"invitation_id": survey.invitation.id},
        supplier=study.supplier.name,
        account=survey.invitation.account.name if survey.invitation.account else None,
        deadline=study.deadline,
        time_zone=study.time_zone,
        closed=closed,
        analysing=closed_for_analysis(study),
        interviewed=interviewed,
        keeps_scores=study.keep_anonymous_scores,
        can_reply=_can_reply(study),
        completed=bool(response and response.completed and not revising),
        revising=revising,
        started=response is not None,
        submitted_at=response.submitted_at if response else None,
    )


def _survey(invitation_id: int) -> queries.Survey:
    if not access.may_answer(session, invitation_id):
        abort(404)
    return queries.load_survey(session=db.session, invitation_id=invitation_id) or abort(404)


def _load(invitation_id: int) -> tuple[queries.Survey, Journey]:
    survey = _survey(invitation_id)
    return survey, _journey(survey)


def _staff_preview(invitation_id: int) -> HttpResponse | None:
    """A researcher without a grant who opens a survey address is shown the preview of that questionnaire."""
    if not (current_user.is_authenticated and is_staff(current_user)):
        return None
    found = queries.load_survey(session=db.session, invitation_id=invitation_id)
    if (
        found is None
        or get_visible_study(session=db.session, user=current_user, slug=found.study.slug) is None
    ):
        return None
    return redirect(
        url_for(
            "responses.preview_start",
            slug=found.study.slug,
            questionnaire_slug=found.invitation.study_questionnaire.slug,
            account=found.invitation.account_id,
        )
    )


@bp.get("/survey/<int:invitation_id>")
def survey_start(invitation_id: int) -> PageResponse:
    if not access.may_answer(session, invitation_id):
        return _staff_preview(invitation_id) or abort(404)
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        if current.interviewed:
            return pages.closed_page(current)
        if current.completed:
            return redirect(current.url("done"), 303)
        if current.closed:
            return pages.closed_page(current)
        return pages.render(current, "respondent/start.html")


@bp.get("/survey/<int:invitation_id>/page/<section_key>")
def survey_page(invitation_id: int, section_key: str) -> PageResponse:
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        stop = pages.guard_page(current, section_key)
        if stop is not None:
            return stop
        if not journey.has_section(current.questionnaire, section_key):
            abort(404)
        form = pages.build_form(current, section_key)
        return pages.render_page(current, section_key, form, return_to=request.args.get("return"))


@bp.post("/survey/<int:invitation_id>/page/<section_key>")
def survey_save(invitation_id: int, section_key: str) -> PageResponse:
    survey, current = _load(invitation_id)
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
        try:
            services.save_page(
                session=db.session,
                invitation=survey.invitation,
                response=survey.response,
                questionnaire=current.questionnaire,
                section_key=section_key,
                page_answers=result.answers,
                resume_at=result.resume_at,
                language=result.language or current.lang,
                now=utcnow(),
            )
        except services.SurveyClosed:
            db.session.rollback()
            return pages.closed_page(current)
        except services.AlreadySubmitted:
            db.session.rollback()
            return redirect(current.url("done"), 303)
        db.session.commit()
    if result.language:
        session["lang"] = result.language
    return pages.after_save(current, result)


@bp.get("/survey/<int:invitation_id>/review")
def survey_review(invitation_id: int) -> PageResponse:
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        if current.interviewed:
            return pages.closed_page(current)
        if current.completed:
            return redirect(current.url("done"), 303)
        if current.closed:
            return pages.closed_page(current)
        if not current.started:
            return redirect(current.url("start"), 303)
        return pages.render(current, "respondent/review.html")


@bp.post("/survey/<int:invitation_id>/submit")
def survey_submit(invitation_id: int) -> PageResponse:
    survey, current = _load(invitation_id)
    with force_locale(current.lang):
        try:
            services.submit(
                session=db.session,
                invitation=survey.invitation,
                questionnaire=current.questionnaire,
                now=utcnow(),
            )
        except services.SurveyClosed:
            db.session.rollback()
            return pages.closed_page(current)
        except services.NotStarted:
            db.session.rollback()
            return redirect(current.url("start"), 303)
        except services.Incomplete as missing:
            db.session.rollback()
            flash(pages.NOTICE_INCOMPLETE, pages.NOTICE_CATEGORY)
            return redirect(current.page_url(missing.section), 303)
        db.session.commit()
    return redirect(current.url("done"), 303)


@bp.get("/survey/<int:invitation_id>/done")
def survey_done(invitation_id: int) -> PageResponse:
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        if current.interviewed:
            return pages.closed_page(current)
        if current.revising:
            return redirect(current.url("review"), 303)
        if not current.completed:
            return redirect(current.url("start"), 303)
        others = queries.other_surveys(
            session=db.session, invitation_ids=access.granted_ids(session), current=invitation_id
        )
        return pages.render(current, "respondent/done.html", others=others)


@bp.post("/survey/<int:invitation_id>/reopen")
def survey_reopen(invitation_id: int) -> PageResponse:
    survey, current = _load(invitation_id)
    with force_locale(current.lang):
        try:
            changed = services.reopen(session=db.session, invitation=survey.invitation, now=utcnow())
        except services.SurveyClosed:
            db.session.rollback()
            return pages.closed_page(current)
        except services.NotStarted:
            db.session.rollback()
            return redirect(current.url("start"), 303)
        db.session.commit()
        if changed:
            flash(pages.NOTICE_REOPENED, pages.NOTICE_CATEGORY)
    return redirect(current.url("review"), 303)


@bp.post("/survey/<int:invitation_id>/keep")
def survey_keep(invitation_id: int) -> PageResponse:
    """Leave the answers as they were sent: the draft of changes is dropped."""
    survey, current = _load(invitation_id)
    with force_locale(current.lang):
        if services.discard_draft(session=db.session, invitation=survey.invitation, now=utcnow()):
            flash(pages.NOTICE_KEPT, pages.NOTICE_CATEGORY)
        db.session.commit()
    return redirect(current.url("done"), 303)


@bp.route("/survey/<int:invitation_id>/erasure", methods=["GET", "POST"])
def survey_erasure(invitation_id: int) -> PageResponse:
    """Ask for one's personal data to be erased (also once the survey has closed): the request waits on the
    privacy admin page (`privacy.requests`)."""
    survey, current = _load(invitation_id)
    form = ErasureRequestForm()
    page = {"action": current.url("erasure"), "keeps_scores": current.keeps_scores}
    with force_locale(current.lang):
        if form.validate_on_submit():
            try:
                request_erasure(
                    session=db.session, invitation=survey.invitation, note=form.note.data or "", now=utcnow()
                )
            except ErasureRequestError as exc:
                db.session.rollback()
                form.note.errors = [str(exc)]
                return pages.render(
                    current, "respondent/erasure.html", 422, form=form, requested=False, **page
                )
            db.session.commit()
            return pages.render(current, "respondent/erasure.html", form=None, requested=True, **page)
        requested = has_open_request(session=db.session, contact_id=survey.invitation.contact_id)
        status = 422 if form.errors else 200
        return pages.render(
            current, "respondent/erasure.html", status, form=form, requested=requested, **page
        )


@bp.get("/survey/<int:invitation_id>/saved")
def survey_saved(invitation_id: int) -> PageResponse:
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        return pages.render(current, "respondent/saved.html")


@bp.post("/survey/<int:invitation_id>/language")
def survey_language(invitation_id: int) -> HttpResponse:
    _, current = _load(invitation_id)
    chosen = request.form.get("lang")
    if chosen in pages.LANGUAGES:
        session["lang"] = chosen
    page = request.form.get("page")
    return redirect(current.url(page if page in SWITCH_PAGES else "start"), 303)


# Errors on the respondent pages: the respondent's own layout and language, and typed answers kept. ----------


def _error_page(code: int) -> tuple[str, int]:
    chosen = session.get("lang")
    lang = (
        chosen if chosen in pages.LANGUAGES else request.accept_languages.best_match(pages.LANGUAGES) or "en"
    )
    with force_locale(lang):
        return render_template("respondent/problem.html", code=code, lang=lang), code


@bp.errorhandler(CSRFError)
def csrf_expired(error: CSRFError) -> PageResponse:
    """An expired (or missing) form token: nothing is saved; the page comes back with what was typed."""
    try:
        return _csrf_expired()
    except HTTPException as problem:
        db.session.rollback()
        return _error_page(problem.code or 400)
    except OperationalError as unavailable:
        return database_unavailable(unavailable)


def _csrf_expired() -> PageResponse:
    args = request.view_args or {}
    endpoint = request.endpoint or ""
    if endpoint.startswith("responses.preview_"):
        return preview.csrf_expired_preview(args)
    invitation_id = args.get("invitation_id")
    if not isinstance(invitation_id, int) or not access.may_answer(session, invitation_id):
        return _error_page(404)
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        section_key = args.get("section_key")
        if endpoint == "responses.survey_save" and isinstance(section_key, str):
            stop = pages.guard_page(current, section_key)
            if stop is not None or not journey.has_section(current.questionnaire, section_key):
                return stop or _error_page(404)
            return _page_again(current, section_key, status=400, notice=pages.NOTICE_EXPIRED)
        if endpoint == "responses.survey_submit" and current.started and not current.completed:
            return pages.render(current, "respondent/review.html", 400, notice=pages.NOTICE_EXPIRED)
        if endpoint == "responses.survey_reopen" and current.completed:
            return pages.render(current, "respondent/done.html", 400, notice=pages.NOTICE_EXPIRED, others=[])
        return pages.render(current, "respondent/start.html", 400, notice=pages.NOTICE_EXPIRED)


# Seconds a respondent is asked to wait when the database is locked or unreachable.
RETRY_AFTER = 30


@bp.errorhandler(OperationalError)
def database_unavailable(error: OperationalError) -> HttpResponse:
    """The database is locked (busy timeout, lock timeout) or unreachable: nothing was saved (the transaction
    is rolled back whole). On every respondent route the answer is 503 with Retry-After, so that nothing
    mistakes it for a final answer: a saved page comes back with what was typed and a calm "please try
    again"; anything else gets a page that sends the same request again (what was sent kept in hidden
    fields) or, for a page that was only asked for, a link to ask again."""
    db.session.rollback()
    try:
        body = _unavailable_page()
    except OperationalError:
        # Not even the survey can be read: a page without it that sends the same answers again.
        db.session.rollback()
        body = _retry_form()
    response = make_response(body, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _unavailable_page() -> str:
    args = request.view_args or {}
    invitation_id = args.get("invitation_id")
    section_key = args.get("section_key")
    if (
        request.endpoint != "responses.survey_save"
        or not isinstance(invitation_id, int)
        or not isinstance(section_key, str)
        or not access.may_answer(session, invitation_id)
    ):
        return _retry_form()
    _, current = _load(invitation_id)
    with force_locale(current.lang):
        if pages.guard_page(current, section_key) is not None or not journey.has_section(
            current.questionnaire, section_key
        ):
            return _retry_form()
        body, _status = _page_again(current, section_key, status=503, notice=pages.NOTICE_UNAVAILABLE)
        return body


def _page_again(current: Journey, section_key: str, *, status: int, notice: str) -> PageResponse:
    """The survey page that was sent, again with what the respondent typed and a notice (nothing saved)."""
    form = pages.build_form(current, section_key, request.form)
    return pages.render_page(
        current, section_key, form, status=status, return_to=request.form.get("return_to"), notice=notice
    )


def _retry_form() -> str:
    """The fallback page: what was sent, in hidden fields, with one button that sends it again (a GET is
    offered a link to reload)."""
    chosen = session.get("lang")
    lang = (
        chosen if chosen in pages.LANGUAGES else request.accept_languages.best_match(pages.LANGUAGES) or "en"
    )
    fields = [
        (name, value) for name, values in request.form.lists() if name != "csrf_token" for value in values
    ]
    with force_locale(lang):
        return render_template(
            "respondent/unavailable.html",
            lang=lang,
            fields=fields if request.method == "POST" else None,
            target=request.path,
        )


@bp.errorhandler(404)
@bp.errorhandler(413)
def respondent_problem(error: HTTPException) -> PageResponse:
    return _error_page(error.code or 500)


# The study page shows the brief and the respondents' progress (templates/studies/study.html). ---------------


@dataclass(frozen=True, slots=True)
class BriefView:
    brief: queries.Brief
    sections: list[ShownSection]


@bp.app_template_global()
def survey_progress(study: Study) -> list[queries.Progress]:
    """Per survey and brief questionnaire of the study: invited, opened, in progress, completed."""
    return queries.progress(session=db.session, study=study)


@bp.app_template_global()
def study_brief(study: Study) -> BriefView | None:
    """The brief as last submitted, in the reader's language; None when nobody started it."""
    found = queries.brief(session=db.session, study=study)
    if found is None:
        return None
    lang = str(get_locale() or "en")
    sections = readable_answers(
        found.questionnaire, found.answers, lang=lang, placeholders=queries.placeholders_for(study, None)
    )
    return BriefView(found, sections)


from surveyapp.responses import preview  # noqa: E402  (registers the preview routes on this blueprint)
