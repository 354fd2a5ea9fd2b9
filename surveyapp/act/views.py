"""The act pages: decisions per account, action items and their progress, and starting the next wave."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.act import next_wave, queries, services
from surveyapp.act.forms import (
    DECISION_NAMES,
    STATUS_LABELS,
    ActionForm,
    DecisionForm,
    NextWaveForm,
    ProgressForm,
)
from surveyapp.act.models import ActionItem
from surveyapp.act.proposals import propose
from surveyapp.analysis.service import AnalysisError, disclosure_of, shared_analysis_document
from surveyapp.auth.decorators import staff_required
from surveyapp.auth.permissions import is_staff
from surveyapp.core import paging
from surveyapp.db import shown_version
from surveyapp.enums import ActionStatus, DecisionKind, Language, Phase
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.reporting.formatting import Formatter
from surveyapp.studies import queries as study_queries
from surveyapp.studies.forms import PHASE_LABELS
from surveyapp.studies.models import Study

bp = Blueprint("act", __name__)
EARLY = (Phase.PREPARE, Phase.INTERVIEW)


def _study(slug: str) -> Study:
    return study_queries.get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


def _document(study: Study) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return shared_analysis_document(session=db.session, study=study), None
    except AnalysisError as exc:
        return None, str(exc)


def _common(study: Study) -> dict[str, Any]:
    return {
        "study": study,
        "decision_names": DECISION_NAMES,
        "status_labels": STATUS_LABELS,
        "phase_labels": PHASE_LABELS,
        "today": services.study_today(study),
        "editable": study.phase == Phase.ACT,
    }


@bp.get("/studies/<slug>/act")
@login_required
def overview(slug: str) -> str | tuple[str, int]:
    study = _study(slug)
    if study.phase in EARLY:
        return render_template("act/overview.html", too_early=True, **_common(study))
    pages = queries.group_pages(request.args)
    document, error = _document(study)
    page = None
    if document is not None:
        page = queries.act_page(
            session=db.session,
            study=study,
            document=document,
            today=services.study_today(study),
            pages=pages,
        )
        if (missing := paging.beyond_end(*page.pages())) is not None:
            return missing
    return render_template(
        "act/overview.html",
        page=page,
        fmt=Formatter(str(get_locale() or "en"), study.time_zone),
        thresholds=document["thresholds"] if document else None,
        error=error,
        follower=next_wave.next_wave_of(session=db.session, study=study),
        wave_form=NextWaveForm(formdata=None, data=next_wave.suggestion(study)),
        **_common(study),
    )


def _action_form(study: Study, decision: Any, form: ActionForm | None = None) -> ActionForm:
    form = form or ActionForm(formdata=None, owner_language=study.supplier.report_language.value)
    form.owner_user.choices = [SelectChoice(0, _("— a contact, named below —"))] + [
        SelectChoice(user.id, f"{user.display_name} ({user.email})")
        for user in services.owner_candidates(session=db.session, study=study)
    ]
    links = [SelectChoice("", _("None"))]
    if decision is not None:
        links += [SelectChoice(f"dimension:{row['key']}", row["key"]) for row in decision.gaps]
        links += [SelectChoice(f"signal:{row['question']}", row["question"]) for row in decision.signals]
    form.link.choices = links
    return form


def _action_fields(form: ActionForm) -> dict[str, Any]:
    """What an action form says about the action, as the services take it (adding and changing alike)."""
    return {
        "title": form.title.data or "",
        "due": form.due.data,
        "owner_user_id": form.owner_user.data or None,
        "owner_name": form.owner_name.data or "",
        "owner_email": form.owner_email.data or "",
        "owner_language": Language(form.owner_language.data),
        "link": form.link.data or "",
    }


def _render_account(
    study: Study,
    account_id: int,
    *,
    decision_form: DecisionForm | None = None,
    action_form: ActionForm | None = None,
    progress: dict[int, ProgressForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if study.phase in EARLY:
        abort(404)
    try:
        account = services.account_in_study(session=db.session, study=study, account_id=account_id)
    except services.ActError:
        abort(404)
    document, error = _document(study)
    entry = services.document_entry(document, account.name) if document else None
    staff = is_staff(current_user)
    disclosure = disclosure_of(session=db.session, study=study)
    summary = services.analysis_summary(entry, disclosure=disclosure, outside=not staff)
    decision = services.get_decision(session=db.session, study=study, account_id=account.id)
    if decision_form is None:
        decision_form = DecisionForm(formdata=None, obj=decision)
        proposal = propose(entry["quadrant"]) if entry else None
        if decision is None and proposal is not None:
            decision_form.kind.data = proposal.kind.value
    actions = decision.actions if decision else []
    forms = progress or {}
    for action in actions:
        if action.id not in forms and services.can_update_action(current_user, action):
            forms[action.id] = ProgressForm(formdata=None, status=action.status.value, notes=action.notes)
    return render_template(
        "act/account.html",
        account=account,
        entry=summary["entry"] if summary else None,
        summary=summary,
        fmt=Formatter(str(get_locale() or "en"), study.time_zone),
        thresholds=document["thresholds"] if document else None,
        error=error,
        proposal=propose(entry["quadrant"]) if entry else None,
        decision=decision,
        decision_form=decision_form,
        action_form=_action_form(study, decision, action_form),
        progress_forms=forms,
        # Rule 18: an action's link to a warning signal of a sensitive dimension (team energy) would tell an
        # account team what the signal itself, withheld, does not.
        hidden_signals=frozenset() if staff else disclosure.sensitive_items,
        **_common(study),
    ), status


@bp.get("/studies/<slug>/act/accounts/<int:account_id>")
@login_required
def account(slug: str, account_id: int) -> tuple[str, int]:
    return _render_account(_study(slug), account_id)


@bp.post("/studies/<slug>/act/accounts/<int:account_id>")
@staff_required
def decide(slug: str, account_id: int) -> Response | tuple[str, int]:
    study = _study(slug)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.record_decision(
                session=db.session,
                study=study,
                account_id=account_id,
                kind=DecisionKind(form.kind.data),
                rationale=form.rationale.data or "",
                override_reason=form.override_reason.data or "",
                handover_plan=form.handover_plan.data or "",
                actor=current_user,
                expected_version=shown_version(form.edit_version.data),
            )
        except (services.ActError, AnalysisError) as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            if isinstance(exc, services.DecisionConflict):
                # A second save now knowingly replaces the decision shown above.
                current = services.get_decision(session=db.session, study=study, account_id=account_id)
                form.edit_version.data = str(current.edit_version if current else 0)
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
            return redirect(url_for("act.account", slug=study.slug, account_id=account_id))
    return _render_account(study, account_id, decision_form=form, status=422)


@bp.post("/studies/<slug>/act/accounts/<int:account_id>/actions")
@staff_required
def add_action(slug: str, account_id: int) -> Response | tuple[str, int]:
    study = _study(slug)
    decision = services.get_decision(session=db.session, study=study, account_id=account_id)
    form = _action_form(study, decision, ActionForm())
    if form.validate_on_submit():
        try:
            if decision is None:
                services.account_in_study(session=db.session, study=study, account_id=account_id)
                raise services.ActError(_("Record the decision for this account before adding actions."))
            services.add_action(
                session=db.session,
                decision=decision,
                **_action_fields(form),
                notes=form.notes.data or "",
                actor=current_user,
            )
        except services.ActError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Action added."), "success")
            return redirect(url_for("act.account", slug=study.slug, account_id=account_id))
    return _render_account(study, account_id, action_form=form, status=422)


@bp.post("/studies/<slug>/act/actions/<int:action_id>")
@login_required
def update_action(slug: str, action_id: int) -> Response | tuple[str, int]:
    study = _study(slug)
    action = db.session.get(ActionItem, action_id)
    if (
        action is None
        or action.decision.study_id != study.id
        or not services.can_update_action(current_user, action)
    ):
        abort(404)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            services.update_action(
                session=db.session,
                action=action,
                status=ActionStatus(form.status.data),
                notes=form.notes.data or "",
                actor=current_user,
            )
        except services.ActError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Action updated."), "success")
            return redirect(url_for("act.account", slug=study.slug, account_id=action.decision.account_id))
    return _render_account(study, action.decision.account_id, progress={action.id: form}, status=422)


@bp.route("/studies/<slug>/act/next-wave", methods=["GET", "POST"])
@staff_required
def start_next_wave(slug: str) -> Response | tuple[str, int]:
    study = _study(slug)
    form = NextWaveForm(data=next_wave.suggestion(study))
    if form.validate_on_submit():
        try:
            wave = next_wave.start_next_wave(
                session=db.session,
                study=study,
                slug=form.slug.data or "",
                name=form.name.data or "",
                deadline=form.deadline.data,
                catalogue=catalogue(),
                actor=current_user,
            )
            db.session.commit()
        except services.ActError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        except IntegrityError:  # another request started it at the same moment
            db.session.rollback()
            form.form_errors.append(_("The next wave of this study has already been started."))
        else:
            flash(_("Next wave %(name)s started in the prepare phase.", name=wave.name), "success")
            return redirect(url_for("studies.study", slug=wave.slug))
    follower = next_wave.next_wave_of(session=db.session, study=study)
    return render_template(
        "act/next_wave.html", form=form, follower=follower, **_common(study)
    ), 422 if form.errors or form.form_errors else 200


def action_link(action: ActionItem) -> str:
    """The link select's value for an action's dimension or signal ("" for none)."""
    if action.dimension:
        return f"dimension:{action.dimension}"
    return f"signal:{action.signal}" if action.signal else ""


def _editable_action(study: Study, action_id: int) -> ActionItem:
    action = db.session.get(ActionItem, action_id)
    if action is None or action.decision.study_id != study.id or not is_staff(current_user):
        abort(404)
    return action


@bp.route("/studies/<slug>/act/actions/<int:action_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_action(slug: str, action_id: int) -> Response | tuple[str, int]:
    study = _study(slug)
    action = _editable_action(study, action_id)
    form = _action_form(study, action.decision, ActionForm() if request.method == "POST" else None)
    if request.method == "GET":
        form.process(obj=action, owner_user=action.owner_user_id or 0, link=action_link(action))
    elif form.validate_on_submit():
        try:
            services.edit_action(
                session=db.session,
                action=action,
                **_action_fields(form),
                actor=current_user,
            )
        except services.ActError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Action changed."), "success")
            return redirect(url_for("act.account", slug=study.slug, account_id=action.decision.account_id))
    status = 422 if request.method == "POST" else 200
    return render_template("act/edit_action.html", action=action, form=form, **_common(study)), status
