"""The researcher's invitation pages: send and remind with counts, per-account lists with history,
non-responders,
resending and correcting a failed address. Staff only; another supplier's study answers 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from surveyapp.auth.decorators import staff_required
from surveyapp.core import paging
from surveyapp.core.templating import number
from surveyapp.db import utcnow
from surveyapp.extensions import db
from surveyapp.i18n import _, ngettext
from surveyapp.invitations import queries
from surveyapp.invitations.addresses import correct_address
from surveyapp.invitations.background import (
    Outcome,
    progress,
    queue_study_invitations,
    queue_study_reminders,
    request_reminders,
    request_send,
)
from surveyapp.invitations.forms import MESSAGE_STATUS_LABELS, STATUS_LABELS, ActionForm, AddressForm
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.planning import InvitationError, send_summary
from surveyapp.invitations.reminders import reminder_summary
from surveyapp.invitations.rules import REMINDER, SEND
from surveyapp.invitations.sending import QueueReport, resend
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.settings import mail_settings
from surveyapp.studies.models import Account, Study, StudyAccount
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("invitations", __name__, url_prefix="/studies/<slug>/invitations")
LABELS = {"status_labels": STATUS_LABELS, "message_labels": MESSAGE_STATUS_LABELS}
#: Contacts the send panel names as skipped (opted out, erased, a bad address); the rest are counted.
MAX_SKIPPED = 20


def study_or_404(slug: str) -> Study:
    return get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


def invitation_or_404(study: Study, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.study_id != study.id:
        abort(404)
    return invitation


def _flash_queued(report: QueueReport, what: str) -> None:
    if report.invitations:
        flash(
            _(
                "%(what)s: %(n)d invitations queued in %(emails)d emails.",
                what=what,
                n=report.invitations,
                emails=report.emails,
            ),
            "success",
        )
    else:
        flash(_("%(what)s: nothing to send.", what=what), "success")
    # Named up to the page's limit: every flash message travels in the session cookie.
    for skipped in report.skipped[:MAX_SKIPPED]:
        flash(
            _("Not sent to %(contact)s: %(reason)s.", contact=skipped.contact.label, reason=skipped.reason),
            "error",
        )
    if len(report.skipped) > MAX_SKIPPED:
        more = len(report.skipped) - MAX_SKIPPED
        flash(
            ngettext("And %(num)s more contact.", "And %(num)s more contacts.", more, num=number(more, 0)),
            "error",
        )
    for note in report.notes:
        flash(str(note), "error")


def _after_press(study: Study, outcome: Outcome, job: Callable[..., Any], what: str) -> None:
    """Commit what the button did, then hand the rest to the job or the sender, and say what happened."""
    db.session.commit()
    if outcome.running is not None:
        flash(
            _(
                "%(what)s: already being queued in the background. This page shows how far it has got.",
                what=what,
            ),
            "error",
        )
    elif outcome.handed_off:
        enqueue(job, study_id=study.id, actor_id=current_user.id)
        flash(
            _(
                "%(what)s: %(n)s invitations in %(emails)s emails are being queued in the background. "
                "This page shows how far it has got.",
                what=what,
                n=number(outcome.handed_off_invitations, 0),
                emails=number(outcome.handed_off, 0),
            ),
            "success",
        )
    elif outcome.report is not None:
        enqueue(deliver_outbox)
        _flash_queued(outcome.report, what)
        if outcome.remaining:
            flash(
                _(
                    "%(n)s more emails are still to be queued: press the button again to queue the next ones.",
                    n=number(outcome.remaining, 0),
                ),
                "success",
            )


def _jobs_run_now() -> bool:
    """Whether a job handed off now runs now: in `cron` mode it would wait for a `tick` that does not know it."""
    return bool(current_app.config["JOBS_MODE"] != "cron")


def _commit_and_deliver() -> None:
    db.session.commit()
    enqueue(deliver_outbox)


@bp.get("")
@staff_required
def overview(slug: str) -> str | tuple[str, int]:
    study = study_or_404(slug)
    accounts = queries.account_summaries(
        session=db.session, study=study, page=paging.wanted(request.args, anchor="accounts-heading")
    )
    if (missing := paging.beyond_end(accounts)) is not None:
        return missing
    now = utcnow()
    try:
        plan, problem = send_summary(session=db.session, study=study, now=now, named=MAX_SKIPPED), None
    except InvitationError as exc:
        plan, problem = None, exc.message
    return render_template(
        "invitations/overview.html",
        study=study,
        plan=plan,
        problem=problem,
        reminders=reminder_summary(session=db.session, study=study, now=now),
        sending=progress(session=db.session, study=study, purpose=SEND, now=now),
        reminding=progress(session=db.session, study=study, purpose=REMINDER, now=now),
        counts=queries.status_counts(session=db.session, study=study),
        accounts=accounts,
        brief=queries.invitations_of(session=db.session, study=study, account_id=None),
        waiting=queries.waiting_emails(session=db.session, study=study),
        form=ActionForm(),
        max_skipped=MAX_SKIPPED,
        **LABELS,
    )


@bp.post("/send")
@staff_required
def send(slug: str) -> Response:
    study = study_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outcome = request_send(
            session=db.session,
            study=study,
            mail=mail_settings(current_app.config),
            actor=current_user,
            background=_jobs_run_now(),
        )
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except IntegrityError:
        db.session.rollback()
        flash(
            _(
                "Someone else is sending this study's invitations right now. "
                "Reload the page to see the result."
            ),
            "error",
        )
    else:
        _after_press(study, outcome, queue_study_invitations, _("Invitations"))
    return redirect(url_for("invitations.overview", slug=study.slug))


@bp.post("/remind")
@staff_required
def remind(slug: str) -> Response:
    study = study_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outcome = request_reminders(
            session=db.session,
            study=study,
            mail=mail_settings(current_app.config),
            actor=current_user,
            background=_jobs_run_now(),
        )
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except IntegrityError:
        db.session.rollback()
        flash(
            _(
                "Someone else is sending reminders for this study right now. "
                "Reload the page to see the result."
            ),
            "error",
        )
    else:
        _after_press(study, outcome, queue_study_reminders, _("Reminders"))
    return redirect(url_for("invitations.overview", slug=study.slug))


@bp.get("/accounts/<int:account_id>")
@staff_required
def account(slug: str, account_id: int) -> str:
    study = study_or_404(slug)
    in_scope = db.session.get(StudyAccount, (study.id, account_id)) or abort(404)
    return _invitation_list(study, in_scope.account)


@bp.get("/brief")
@staff_required
def brief(slug: str) -> str:
    return _invitation_list(study_or_404(slug), None)


def _invitation_list(study: Study, account: Account | None) -> str:
    invitations = queries.invitations_of(
        session=db.session, study=study, account_id=account.id if account else None
    )
    messages = queries.messages_of(session=db.session, invitation_ids=[i.id for i in invitations])
    return render_template(
        "invitations/account.html",
        study=study,
        account=account,
        invitations=invitations,
        messages=messages,
        form=ActionForm(),
        **LABELS,
    )


@bp.get("/non-responders")
@staff_required
def non_responders(slug: str) -> str | tuple[str, int]:
    study = study_or_404(slug)
    page, groups = queries.non_responders(session=db.session, study=study, page=paging.wanted(request.args))
    return paging.beyond_end(page) or render_template(
        "invitations/non_responders.html", study=study, page=page, groups=groups, **LABELS
    )


@bp.post("/<int:invitation_id>/resend")
@staff_required
def resend_one(slug: str, invitation_id: int) -> Response:
    study = study_or_404(slug)
    invitation = invitation_or_404(study, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        resend(
            session=db.session,
            study=study,
            invitations=[invitation],
            mail=mail_settings(current_app.config),
            actor=current_user,
        )
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        _commit_and_deliver()
        flash(
            _(
                "The invitation to %(contact)s is being sent again, with a new link.",
                contact=invitation.contact.label,
            ),
            "success",
        )
    return redirect(_list_url(study, invitation))


def _list_url(study: Study, invitation: Invitation) -> str:
    if invitation.account_id is None:
        return url_for("invitations.brief", slug=study.slug)
    return url_for("invitations.account", slug=study.slug, account_id=invitation.account_id)


@bp.route("/<int:invitation_id>/address", methods=["GET", "POST"])
@staff_required
def address(slug: str, invitation_id: int) -> Response | tuple[str, int]:
    study = study_or_404(slug)
    invitation = invitation_or_404(study, invitation_id)
    form = AddressForm()
    if form.validate_on_submit():
        try:
            correct_address(
                session=db.session,
                study=study,
                contact=invitation.contact,
                email=form.email.data or "",
                mail=mail_settings(current_app.config),
                actor=current_user,
            )
        except InvitationError as exc:
            db.session.rollback()
            form.email.errors = [str(exc.message)]
        else:
            _commit_and_deliver()
            flash(_("Address corrected; the invitations are being sent to it."), "success")
            return redirect(_list_url(study, invitation))
    status = 422 if form.errors else 200
    return render_template("invitations/address.html", study=study, invitation=invitation, form=form), status


from surveyapp.invitations import settings_views  # noqa: E402,F401  (registers the email settings routes on bp)
