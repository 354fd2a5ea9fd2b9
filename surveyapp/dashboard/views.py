"""Dashboard pages: the study's portfolio with filters, each account's results, and the researcher's
commentary on both. Everything of a supplier the user may not see answers 404; an account team sees the
results read-only, from the analyse phase on (before that the study itself is hidden from them: 404)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from surveyapp.analysis.service import AnalysisError
from surveyapp.auth.decorators import staff_required
from surveyapp.coding.queries import account_themes
from surveyapp.core import paging
from surveyapp.dashboard import accounts, queries, services
from surveyapp.dashboard.forms import CommentaryForm, FilterForm
from surveyapp.dashboard.services import DashboardAccess
from surveyapp.deals.queries import account_prediction
from surveyapp.enums import Quadrant
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.reporting import labels
from surveyapp.reporting.formatting import Formatter
from surveyapp.reporting.services import ReportError, commentary_text, save_commentary
from surveyapp.studies.models import Account, Study
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("dashboard", __name__)
Page = tuple[str, int]


def _language() -> str:
    return str(get_locale() or "en")


def _open(slug: str) -> tuple[Study, DashboardAccess]:
    study = get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)
    access = services.access_of(current_user, study)
    if access is DashboardAccess.NONE:
        abort(404)
    return study, access


def _account_or_404(study: Study, account_id: int) -> Account:
    return queries.account_in_scope(session=db.session, study=study, account_id=account_id) or abort(404)


def _links(study: Study) -> dict[str, str]:
    """Pages of other capabilities, when their blueprints are registered (addressed by slug or by id)."""
    targets = {"exports": "exports.study_exports", "coding": "coding.study_themes"}
    found = {}
    for name, endpoint in targets.items():
        if endpoint not in current_app.view_functions:
            continue
        arguments = set().union(*(rule.arguments for rule in current_app.url_map.iter_rules(endpoint)))
        found[name] = url_for(
            endpoint, **({"slug": study.slug} if "slug" in arguments else {"study_id": study.id})
        )
    return found


def _common(study: Study, access: DashboardAccess) -> dict[str, Any]:
    return {
        "study": study,
        "fmt": Formatter(_language(), study.time_zone),
        "full": access is DashboardAccess.FULL,
        "links": _links(study) if access is DashboardAccess.FULL else {},
        "quadrant_names": {q.value: labels.label(labels.QUADRANT_NAMES, q) for q in Quadrant},
        "quadrant_meanings": {q.value: labels.label(labels.QUADRANT_MEANINGS, q) for q in Quadrant},
        "perspective_names": {key: str(name) for key, name in labels.PERSPECTIVE_NAMES.items()},
    }


def _unavailable(study: Study, access: DashboardAccess, error: AnalysisError) -> Page:
    return render_template("dashboard/unavailable.html", error=error, **_common(study, access)), 409


def _dashboard(study: Study, access: DashboardAccess, form: CommentaryForm | None = None) -> Page:
    groups = queries.role_groups(session=db.session, study=study, language=_language())
    filters = FilterForm(request.args).offer(
        segments=queries.segments(session=db.session, study=study),
        roles=queries.roles(session=db.session, study=study, groups=groups),
        role_labels=groups.labels,
    )
    valid = filters.validate()
    try:
        view = services.portfolio_view(
            session=db.session,
            study=study,
            language=_language(),
            outside=access is DashboardAccess.READ,
            segment=filters.chosen_segment if valid else None,
            role=filters.chosen_role if valid else None,
            table_page=paging.wanted(request.args, anchor="matrix-table"),
            drift_page=paging.wanted(request.args, "drift_page", anchor="drift-table"),
            cost_page=paging.wanted(request.args, "cost_page", anchor="cost-table"),
        )
    except AnalysisError as exc:
        return _unavailable(study, access, exc)
    missing = paging.beyond_end(view["rows"], view["drift_rows"], view["cost_accounts"])
    if missing is not None:
        return missing
    commentary = commentary_text(session=db.session, study=study, account=None)
    if form is None and access is DashboardAccess.FULL:
        form = CommentaryForm(formdata=None, text=commentary)
    page = render_template(
        "dashboard/study.html",
        filters=filters,
        form=form,
        commentary=commentary,
        **view,
        **_common(study, access),
    )
    failed = form is not None and (form.errors or form.form_errors)
    return page, 400 if not valid else 422 if failed else 200


@bp.get("/studies/<slug>/dashboard")
@login_required
def study_dashboard(slug: str) -> Page:
    study, access = _open(slug)
    return _dashboard(study, access)


def _account_page(
    study: Study, access: DashboardAccess, account: Account, form: CommentaryForm | None = None
) -> Page:
    full = access is DashboardAccess.FULL
    try:
        view = accounts.account_view(
            session=db.session,
            study=study,
            account=account,
            language=_language(),
            with_responses=full,
            outside=not full,
        )
    except AnalysisError as exc:
        return _unavailable(study, access, exc)
    if view is None:
        abort(404)
    commentary = commentary_text(session=db.session, study=study, account=account)
    if form is None and full:
        form = CommentaryForm(formdata=None, text=commentary)
    page = render_template(
        "dashboard/account.html",
        account=account,
        form=form,
        commentary=commentary,
        account_themes=account_themes(session=db.session, study=study, account_id=account.id),
        prediction=account_prediction(session=db.session, account_id=account.id),
        **view,
        **_common(study, access),
    )
    return page, 422 if form is not None and (form.errors or form.form_errors) else 200


@bp.get("/studies/<slug>/dashboard/accounts/<int:account_id>")
@login_required
def account(slug: str, account_id: int) -> Page:
    study, access = _open(slug)
    return _account_page(study, access, _account_or_404(study, account_id))


def _save(study: Study, account: Account | None, form: CommentaryForm) -> bool:
    if not form.validate_on_submit():
        return False
    try:
        save_commentary(
            session=db.session, study=study, account=account, text=form.text.data or "", actor=current_user
        )
    except ReportError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    db.session.commit()
    flash(_("Commentary saved. It appears on the dashboard and in reports made from now on."), "success")
    return True


@bp.post("/studies/<slug>/dashboard/commentary")
@staff_required
def portfolio_commentary(slug: str) -> Page | Response:
    study, access = _open(slug)
    form = CommentaryForm()
    if _save(study, None, form):
        return redirect(url_for("dashboard.study_dashboard", slug=study.slug, _anchor="commentary-heading"))
    return _dashboard(study, access, form)


@bp.post("/studies/<slug>/dashboard/accounts/<int:account_id>/commentary")
@staff_required
def account_commentary(slug: str, account_id: int) -> Page | Response:
    study, access = _open(slug)
    found = _account_or_404(study, account_id)
    form = CommentaryForm()
    if _save(study, found, form):
        target = url_for(
            "dashboard.account", slug=study.slug, account_id=found.id, _anchor="commentary-heading"
        )
        return redirect(target)
    return _account_page(study, access, found, form)
