"""The `interviews` blueprint: planning from the study, a researcher's own list, an interview's page (consent,
start, cancel, confirmation email), the printable guide and an account's responses. The interview screen
itself is in `topic_views.py` (topics), `autosave_views.py` and `completion_views.py`, on the same blueprint.

Staff only; an interview of a supplier the user may not see answers 404. Views parse, call one service,
commit, redirect.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.db import utcnow
from surveyapp.enums import Side
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.interviews import emails, queries, services
from surveyapp.interviews.errors import InterviewError
from surveyapp.interviews.forms import (
    ATTRIBUTION_LABELS,
    CHANNEL_LABELS,
    CONTACT_LANGUAGE,
    QUOTE_LABELS,
    STATUS_LABELS,
    ActionForm,
    CancelForm,
    LocalTimeError,
    PlanForm,
    StartForm,
    researcher_choices,
    to_local,
    to_utc,
)
from surveyapp.interviews.models import Interview, InterviewChannel, InterviewStatus
from surveyapp.interviews.screen import placeholders, read_out_scale
from surveyapp.invitations.forms import MESSAGE_STATUS_LABELS
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.settings import mail_settings
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies.models import Account, Contact, Study, StudyAccount
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("interviews", __name__)
LABELS = {
    "status_labels": STATUS_LABELS,
    "channel_labels": CHANNEL_LABELS,
    "quote_labels": QUOTE_LABELS,
    "attribution_labels": ATTRIBUTION_LABELS,
    "message_labels": MESSAGE_STATUS_LABELS,
}
PageResponse = HttpResponse | tuple[str, int] | str


def study_or_404(slug: str) -> Study:
    return get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


def interview_or_404(interview_id: int) -> Interview:
    return queries.get_visible_interview(
        session=db.session, user=current_user, interview_id=interview_id
    ) or abort(404)


def _deliver() -> None:
    db.session.commit()
    enqueue(deliver_outbox)


@bp.app_template_global()
def interview_counts(study: Study) -> dict[str, int]:
    """Interviews per status, for the study page."""
    return queries.interview_counts(session=db.session, study=study)


@bp.get("/interviews")
@staff_required
def mine() -> str:
    found = queries.my_interviews(session=db.session, user=current_user)
    return render_template("interviews/mine.html", upcoming=found.upcoming, recent=found.recent, **LABELS)


def _plan_form(study: Study) -> tuple[PlanForm, list[queries.Candidate]]:
    form = PlanForm()
    people = queries.candidates(session=db.session, study=study)
    form.who.choices = [
        SelectChoice(
            candidate.value,
            _("%(name)s (opted out)", name=candidate.contact.label)
            if candidate.opted_out
            else candidate.contact.label,
            render_kw={"disabled": True} if candidate.opted_out else {},
            optgroup=candidate.account.name
            if candidate.contact.side == Side.CLIENT
            else _("Supplier staff rating %(account)s", account=candidate.account.name),
        )
        for candidate in people
    ]
    form.researcher.choices = researcher_choices(queries.interviewers(session=db.session, study=study))
    if not form.is_submitted():
        form.researcher.data = current_user.id
    return form, people


def _render_study(
    study: Study, form: PlanForm, people: list[queries.Candidate], status: int = 200
) -> tuple[str, int]:
    interviews = queries.study_interviews(session=db.session, study=study)
    accounts = sorted(
        {i.account for i in interviews} | {c.account for c in people}, key=lambda a: a.name.lower()
    )
    return render_template(
        "interviews/study.html",
        study=study,
        form=form,
        interviews=interviews,
        accounts=accounts,
        opted_out=[c for c in people if c.opted_out],
        cancel_form=ActionForm(),
        **LABELS,
    ), status


@bp.get("/studies/<slug>/interviews")
@staff_required
def study_interviews(slug: str) -> tuple[str, int]:
    study = study_or_404(slug)
    form, people = _plan_form(study)
    return _render_study(study, form, people)


def _chosen(study: Study, value: str) -> tuple[Contact, int] | None:
    contact_id, _sep, account_id = value.partition(":")
    if not contact_id.isdigit() or not account_id.isdigit():
        return None
    contact = db.session.get(Contact, int(contact_id))
    return (
        (contact, int(account_id))
        if contact is not None and contact.supplier_id == study.supplier_id
        else None
    )


@bp.post("/studies/<slug>/interviews")
@staff_required
def plan(slug: str) -> PageResponse:
    study = study_or_404(slug)
    form, people = _plan_form(study)
    if not form.validate_on_submit():
        return _render_study(study, form, people, 422)
    chosen = _chosen(study, form.who.data or "")
    researcher = next(
        (u for u in queries.interviewers(session=db.session, study=study) if u.id == form.researcher.data),
        None,
    )
    try:
        if chosen is None:
            raise InterviewError(_("Choose who is interviewed."))
        assert form.day.data is not None and form.at.data is not None
        scheduled = to_utc(form.day.data, form.at.data, study.time_zone)
        contact, account_id = chosen
        language = (
            contact.language.value if form.language.data == CONTACT_LANGUAGE else str(form.language.data)
        )
        interview = services.plan_interview(
            session=db.session,
            study=study,
            contact=contact,
            account_id=account_id,
            researcher=researcher,
            scheduled_at=scheduled,
            planned_minutes=int(form.minutes.data or 0),
            channel=InterviewChannel(form.channel.data),
            location=form.location.data or "",
            language=language,
            actor=current_user,
        )
    except LocalTimeError:
        db.session.rollback()
        form.at.errors = [
            _("That time does not exist in %(zone)s (the clocks go forward).", zone=study.time_zone)
        ]
        return _render_study(study, form, people, 422)
    except InterviewError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return _render_study(study, form, people, 422)
    _maybe_confirm(interview, wanted=bool(form.send_email.data))
    _deliver()
    flash(_("Interview with %(name)s planned.", name=interview.contact.label), "success")
    return redirect(url_for("interviews.study_interviews", slug=study.slug), 303)


def _maybe_confirm(interview: Interview, *, wanted: bool) -> None:
    now = utcnow()
    if not wanted or interview.is_paper:
        return
    if interview.scheduled_at <= now:
        flash(_("No confirmation email was sent: the appointment is in the past."), "error")
        return
    try:
        with db.session.begin_nested():
            emails.queue_appointment_email(
                session=db.session, interview=interview, mail=mail_settings(current_app.config), now=now
            )
    except InterviewError as exc:
        flash(str(exc.message), "error")


@bp.get("/studies/<slug>/interviews/accounts/<int:account_id>")
@staff_required
def account_responses(slug: str, account_id: int) -> str:
    study = study_or_404(slug)
    if db.session.get(StudyAccount, (study.id, account_id)) is None:
        abort(404)
    account = db.session.get(Account, account_id)
    rows = queries.account_responses(session=db.session, study=study, account_id=account_id)
    dimensions = [d for d in catalogue().scoring.dimensions if any(d.key in row.scores for row in rows)]
    return render_template(
        "interviews/account_responses.html",
        study=study,
        account=account,
        rows=rows,
        dimensions=dimensions,
        **LABELS,
    )


def _render_interview(
    interview: Interview, start_form: StartForm | None = None, status: int = 200
) -> tuple[str, int]:
    form = start_form or StartForm()
    if start_form is None and interview.is_paper:
        local = to_local(interview.scheduled_at, interview.study.time_zone)
        form.took_day.data, form.took_at.data = local.date(), local.time()
    questionnaire = queries.questionnaire_of(session=db.session, interview=interview)
    quotes = queries.quotes_of(session=db.session, interview_id=interview.id)
    return render_template(
        "interviews/interview.html",
        interview=interview,
        study=interview.study,
        start_form=form,
        cancel_form=CancelForm(),
        action_form=ActionForm(),
        questionnaire=questionnaire,
        quotes=quotes,
        email_problem=emails.can_email(interview),
        values=placeholders(interview),
        **LABELS,
    ), status


@bp.get("/interviews/<int:interview_id>")
@staff_required
def interview(interview_id: int) -> tuple[str, int]:
    return _render_interview(interview_or_404(interview_id))


@bp.post("/interviews/<int:interview_id>/start")
@staff_required
def start(interview_id: int) -> PageResponse:
    found = interview_or_404(interview_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _render_interview(found, form, 422)
    try:
        took = None
        if found.is_paper and form.took_day.data and form.took_at.data:
            took = to_utc(form.took_day.data, form.took_at.data, found.study.time_zone)
        services.start_interview(
            session=db.session,
            interview=found,
            participate=bool(form.participate.data),
            quote=form.quote_consent(),
            recording=form.recording.data == "yes",
            actor=current_user,
            now=utcnow(),
            took_place_at=took,
            duration_minutes=form.duration.data,
        )
    except LocalTimeError:
        db.session.rollback()
        form.took_at.errors = [
            _("That time does not exist in %(zone)s (the clocks go forward).", zone=found.study.time_zone)
        ]
        return _render_interview(found, form, 422)
    except InterviewError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return _render_interview(found, form, 422)
    db.session.commit()
    return redirect(url_for("interviews.resume", interview_id=found.id), 303)


@bp.post("/interviews/<int:interview_id>/cancel")
@staff_required
def cancel(interview_id: int) -> PageResponse:
    found = interview_or_404(interview_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for cancelling."), "error")
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    try:
        services.cancel_interview(
            session=db.session,
            interview=found,
            reason=form.reason.data or "",
            actor=current_user,
            now=utcnow(),
        )
    except InterviewError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("interviews.interview", interview_id=found.id), 303)
    if form.notify.data and found.confirmation_message_id is not None and found.scheduled_at > utcnow():
        _maybe_confirm(found, wanted=True)
    _deliver()
    flash(_("The interview with %(name)s is cancelled.", name=found.contact.label), "success")
    return redirect(url_for("interviews.interview", interview_id=found.id), 303)


@bp.post("/interviews/<int:interview_id>/confirmation")
@staff_required
def confirm(interview_id: int) -> HttpResponse:
    found = interview_or_404(interview_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if found.status != InterviewStatus.PLANNED:
        flash(_("Only a planned interview is confirmed by email."), "error")
    else:
        found.ics_sequence += 1 if found.confirmation_message_id is not None else 0
        _maybe_confirm(found, wanted=True)
        _deliver()
        if found.confirmation_message_id is not None:
            flash(_("The confirmation email is on its way to %(name)s.", name=found.contact.label), "success")
    return redirect(url_for("interviews.interview", interview_id=found.id), 303)


@bp.get("/interviews/<int:interview_id>/guide")
@staff_required
def guide(interview_id: int) -> str:
    found = interview_or_404(interview_id)
    questionnaire = queries.questionnaire_of(session=db.session, interview=found) or abort(404)
    values = placeholders(found)
    with force_locale(found.language):
        na_label = str(messages.NOT_APPLICABLE_LABEL)
    return render_template(
        "interviews/guide.html",
        interview=found,
        questionnaire=questionnaire,
        lang=found.language,
        values=values,
        scales={q.key: read_out_scale(q, found.language, values) for q in questionnaire.questions},
        na_label=na_label,
        **LABELS,
    )


# The interview screen, its autosave and its completion register their routes on this blueprint.
from surveyapp.interviews import autosave_views, completion_views, topic_views  # noqa: E402,F401
