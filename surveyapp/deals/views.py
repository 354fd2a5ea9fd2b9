"""Prospect pages: the list per supplier with the prediction comparison, a prospect, its checks and decisions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from surveyapp.auth.decorators import roles_required
from surveyapp.deals import queries, services
from surveyapp.deals.forms import (
    ADVICE_LABELS,
    DECISION_LABELS,
    RATER_LABELS,
    SHORT_ADVICE,
    STAGE_LABELS,
    DecisionForm,
    InviteForm,
    LinkForm,
    PdfForm,
    ProspectForm,
)
from surveyapp.deals.models import Prospect
from surveyapp.enums import DealRater, Language, OfferDecision, ProspectStage, Role
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting.labels import QUADRANT_NAMES
from surveyapp.studies.models import Supplier
from surveyapp.studies.queries import get_visible_supplier, visible_suppliers

bp = Blueprint("deals", __name__)
prospect_users = roles_required(Role.ADMIN, Role.RESEARCHER, Role.SALES)
LABELS = {
    "advice": ADVICE_LABELS,
    "short": SHORT_ADVICE,
    "stage": STAGE_LABELS,
    "decision": DECISION_LABELS,
    "quadrant": {quadrant.value: name for quadrant, name in QUADRANT_NAMES.items()},
    "rater": RATER_LABELS,
}


def supplier_or_404(supplier_id: int) -> Supplier:
    found = get_visible_supplier(session=db.session, user=current_user, supplier_id=supplier_id)
    return found or abort(404)


def prospect_or_404(prospect_id: int) -> Prospect:
    found = queries.visible_prospect(session=db.session, user=current_user, prospect_id=prospect_id)
    return found or abort(404)


@bp.get("/prospects")
@prospect_users
def index() -> Response | str:
    suppliers = visible_suppliers(session=db.session, user=current_user)
    if len(suppliers) == 1:
        return redirect(url_for("deals.supplier_prospects", supplier_id=suppliers[0].id))
    return render_template("deals/index.html", suppliers=suppliers)


@bp.get("/suppliers/<int:supplier_id>/prospects")
@prospect_users
def supplier_prospects(supplier_id: int) -> str:
    supplier = supplier_or_404(supplier_id)
    return render_template(
        "deals/prospects.html",
        supplier=supplier,
        prospects=queries.supplier_prospects(session=db.session, supplier_id=supplier.id),
        comparison=queries.supplier_comparison(session=db.session, supplier_id=supplier.id),
        latest_check=queries.latest_check,
        labels=LABELS,
    )


@bp.route("/suppliers/<int:supplier_id>/prospects/new", methods=["GET", "POST"])
@prospect_users
def new_prospect(supplier_id: int) -> Response | tuple[str, int]:
    supplier = supplier_or_404(supplier_id)
    form = ProspectForm()
    if form.validate_on_submit():
        try:
            prospect = services.create_prospect(
                session=db.session,
                supplier=supplier,
                name=form.name.data or "",
                segment=form.segment.data or "",
                sales_owner=form.sales_owner.data or "",
                stage=ProspectStage(form.stage.data),
                expected_value=form.expected_value.data,
                actor=current_user,
            )
        except services.DealError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Prospect %(name)s added. Next: run a deal fit check.", name=prospect.name), "success")
            return redirect(url_for("deals.prospect", prospect_id=prospect.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("deals/prospect_form.html", form=form, supplier=supplier, prospect=None), status


@bp.route("/prospects/<int:prospect_id>/edit", methods=["GET", "POST"])
@prospect_users
def edit_prospect(prospect_id: int) -> Response | tuple[str, int]:
    found = prospect_or_404(prospect_id)
    form = ProspectForm(obj=found)
    if not form.is_submitted():
        form.stage.data = found.stage.value
    if form.validate_on_submit():
        try:
            services.update_prospect(
                session=db.session,
                prospect=found,
                name=form.name.data or "",
                segment=form.segment.data or "",
                sales_owner=form.sales_owner.data or "",
                stage=ProspectStage(form.stage.data),
                expected_value=form.expected_value.data,
                actor=current_user,
            )
        except services.DealError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("deals.prospect", prospect_id=found.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "deals/prospect_form.html", form=form, supplier=found.supplier, prospect=found
    ), status


def _link_form(prospect: Prospect) -> LinkForm:
    form = LinkForm()
    accounts = queries.supplier_accounts(session=db.session, supplier_id=prospect.supplier_id)
    form.account.choices = [(0, _("Choose an account"))] + [(a.id, a.name) for a in accounts]
    return form


def render_prospect(prospect: Prospect, status: int = 200, **forms: object) -> tuple[str, int]:
    """The prospect page, with the forms given (kept as typed after an error) or fresh ones."""
    return render_template(
        "deals/prospect.html",
        prospect=prospect,
        checks=list(reversed(prospect.checks)),
        both=queries.both_raters(session=db.session, prospect=prospect),
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None),
        link_form=forms.get("link_form") or _link_form(prospect),
        invite_form=forms.get("invite_form") or InviteForm(formdata=None),
        pdf_form=PdfForm(formdata=None),
        labels=LABELS,
    ), status


@bp.get("/prospects/<int:prospect_id>")
@prospect_users
def prospect(prospect_id: int) -> tuple[str, int]:
    return render_prospect(prospect_or_404(prospect_id))


@bp.post("/prospects/<int:prospect_id>/decisions")
@prospect_users
def decide(prospect_id: int) -> Response | tuple[str, int]:
    found = prospect_or_404(prospect_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.record_decision(
                session=db.session,
                prospect=found,
                decision=OfferDecision(form.decision.data),
                note=form.note.data or "",
                actor=current_user,
            )
        except services.DealError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
            return redirect(url_for("deals.prospect", prospect_id=found.id))
    return render_prospect(found, 422, decision_form=form)


@bp.post("/prospects/<int:prospect_id>/account")
@prospect_users
def link_account(prospect_id: int) -> Response | tuple[str, int]:
    found = prospect_or_404(prospect_id)
    form = _link_form(found)
    if form.validate_on_submit():
        try:
            services.link_account(
                session=db.session, prospect=found, account_id=form.account.data, actor=current_user
            )
        except services.DealError as exc:
            db.session.rollback()
            form.account.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Prospect linked to its account."), "success")
            return redirect(url_for("deals.prospect", prospect_id=found.id))
    return render_prospect(found, 422, link_form=form)


@bp.post("/prospects/<int:prospect_id>/invitations")
@prospect_users
def invite(prospect_id: int) -> Response | tuple[str, int]:
    found = prospect_or_404(prospect_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(
                session=db.session,
                prospect=found,
                email=form.email.data or "",
                name=form.name.data or "",
                language=Language(form.language.data),
                actor=current_user,
                mail=mail_settings(current_app.config),
                rater=DealRater(form.rater.data),
            )
        except services.DealError as exc:
            db.session.rollback()
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The personal link was queued for %(email)s.", email=form.email.data), "success")
            return redirect(url_for("deals.prospect", prospect_id=found.id))
    return render_prospect(found, 422, invite_form=form)


from surveyapp.deals import check_views  # noqa: E402,F401  (registers the check routes on this blueprint)
