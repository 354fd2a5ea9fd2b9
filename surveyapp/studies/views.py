"""Supplier and study pages: lists, creation, the study overview per phase, settings and phase changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.auth.permissions import can_create_suppliers
from surveyapp.db import shown_version
from surveyapp.enums import Language, Phase
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import phases, queries, services
from surveyapp.studies.forms import (
    PHASE_LABELS,
    PhaseForm,
    StudyForm,
    StudySettingsForm,
    SupplierForm,
    SupplierSettingsForm,
    parse_days,
)
from surveyapp.studies.models import Study

bp = Blueprint("studies", __name__)


def visible_study_or_404(slug: str) -> Study:
    return queries.get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


@bp.get("/suppliers")
@login_required
def suppliers() -> str:
    return render_template(
        "studies/suppliers.html",
        suppliers=queries.visible_suppliers(session=db.session, user=current_user),
    )


@bp.route("/suppliers/new", methods=["GET", "POST"])
@staff_required
def new_supplier() -> Response | tuple[str, int]:
    if not can_create_suppliers(current_user):
        abort(404)
    form = SupplierForm()
    if form.validate_on_submit():
        try:
            supplier = services.create_supplier(
                session=db.session,
                name=form.name.data or "",
                report_language=Language(form.report_language.data),
                actor=current_user,
            )
        except services.StudyError as exc:
            db.session.rollback()
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Supplier %(name)s created.", name=supplier.name), "success")
            return redirect(url_for("studies.supplier", supplier_id=supplier.id))
    return render_template("studies/supplier_form.html", form=form), 422 if form.errors else 200


@bp.get("/suppliers/<int:supplier_id>")
@login_required
def supplier(supplier_id: int) -> str:
    found = queries.get_visible_supplier(
        session=db.session, user=current_user, supplier_id=supplier_id
    ) or abort(404)
    studies = queries.visible_studies(session=db.session, user=current_user, supplier_id=found.id)
    return render_template(
        "studies/supplier.html", supplier=found, studies=studies, phase_labels=PHASE_LABELS
    )


@bp.route("/suppliers/<int:supplier_id>/settings", methods=["GET", "POST"])
@staff_required
def supplier_settings(supplier_id: int) -> Response | tuple[str, int]:
    found = queries.get_visible_supplier(
        session=db.session, user=current_user, supplier_id=supplier_id
    ) or abort(404)
    form = SupplierSettingsForm(obj=found)
    if not form.is_submitted():
        form.report_language.data = found.report_language.value
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            services.update_supplier(
                session=db.session,
                supplier=found,
                report_language=Language(form.report_language.data),
                brand_colour=form.brand_colour.data or None,
                logo=upload.read(services.MAX_LOGO_BYTES + 1) if upload else None,
                logo_mime=upload.mimetype if upload else None,
                remove_logo=form.remove_logo.data,
                research_contact_email=form.research_contact_email.data,
                actor=current_user,
            )
        except services.StudyError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("studies.supplier", supplier_id=found.id))
    return render_template(
        "studies/supplier_settings.html", form=form, supplier=found
    ), 422 if form.errors or form.form_errors else 200


@bp.get("/studies")
@login_required
def studies() -> str:
    rows = queries.visible_studies(session=db.session, user=current_user)
    return render_template("studies/studies.html", studies=rows, phase_labels=PHASE_LABELS)


def _study_form() -> StudyForm:
    form = StudyForm(supplier=request.args.get("supplier", type=int))
    visible = queries.visible_suppliers(session=db.session, user=current_user)
    form.supplier.choices = [SelectChoice(s.id, s.name) for s in visible]
    earlier = [s for s in queries.visible_studies(session=db.session, user=current_user)]
    form.previous.choices = [SelectChoice(0, _("None: this is the first wave"))] + [
        SelectChoice(s.id, f"{s.supplier.name} · {s.name} ({s.slug})") for s in earlier
    ]
    return form


@bp.route("/studies/new", methods=["GET", "POST"])
@staff_required
def new_study() -> Response | tuple[str, int]:
    form = _study_form()
    if form.validate_on_submit():
        supplier = queries.get_visible_supplier(
            session=db.session, user=current_user, supplier_id=form.supplier.data
        ) or abort(404)
        previous = db.session.get(Study, form.previous.data) if form.previous.data else None
        try:
            study = services.create_study(
                session=db.session,
                supplier=supplier,
                slug=form.slug.data or "",
                name=form.name.data or "",
                questionnaires=services.default_questionnaires(catalogue()),
                previous=previous,
                time_zone=form.time_zone.data or "",
                deadline=form.deadline.data,
                reminder_days=parse_days(form.reminder_days.data or ""),
                max_reminders=form.max_reminders.data or 0,
                reminder_min_interval_days=form.reminder_min_interval_days.data or 3,
                actor=current_user,
            )
        except services.StudyError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Study %(name)s created. Next: add accounts and contacts.", name=study.name), "success")
            return redirect(url_for("studies.study", slug=study.slug))
    return render_template(
        "studies/study_form.html", form=form
    ), 422 if form.errors or form.form_errors else 200


@bp.get("/studies/<slug>")
@login_required
def study(slug: str) -> str:
    found = visible_study_or_404(slug)
    # Counts, not a row per account: a study may have tens of thousands (issue 22); the lists are paged.
    segments, more_segments = queries.segment_counts(session=db.session, study=found)
    return render_template(
        "studies/study.html",
        study=found,
        requirements=phases.requirements(session=db.session, study=found),
        next_phase=phases.next_phase(found.phase),
        coverage=queries.coverage(session=db.session, study=found),
        scope=queries.scope_summary(session=db.session, study=found),
        segments=segments,
        more_segments=more_segments,
        phase_labels=PHASE_LABELS,
        phase_order=phases.ORDER,
        phase_form=PhaseForm(),
    )


@bp.post("/studies/<slug>/phase")
@staff_required
def change_phase(slug: str) -> Response:
    found = visible_study_or_404(slug)
    form = PhaseForm()
    if not form.validate_on_submit() or form.target.data not in {p.value for p in Phase}:
        abort(400)
    try:
        phases.change_phase(
            session=db.session,
            study=found,
            target=Phase(form.target.data),
            actor=current_user,
            reason=form.reason.data or "",
        )
    except phases.PhaseError as exc:
        db.session.rollback()
        flash(" ".join([str(exc.message), *(str(m) for m in exc.missing)]), "error")
    else:
        db.session.commit()
        flash(_("The study is now in the %(phase)s phase.", phase=PHASE_LABELS[found.phase.value]), "success")
    return redirect(url_for("studies.study", slug=found.slug))


@bp.route("/studies/<slug>/settings", methods=["GET", "POST"])
@staff_required
def study_settings(slug: str) -> Response | tuple[str, int]:
    found = visible_study_or_404(slug)
    form = StudySettingsForm(obj=found)
    if not form.is_submitted():
        form.reminder_days.data = ", ".join(str(d) for d in found.reminder_days)
    if form.validate_on_submit():
        try:
            services.update_study_settings(
                session=db.session,
                study=found,
                name=form.name.data or "",
                time_zone=form.time_zone.data or "",
                deadline=form.deadline.data,
                reminder_days=parse_days(form.reminder_days.data or ""),
                max_reminders=form.max_reminders.data or 0,
                reminder_min_interval_days=form.reminder_min_interval_days.data or 3,
                actor=current_user,
                expected_version=shown_version(form.edit_version.data),
            )
        except services.StudyError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            if isinstance(exc, services.StudyEditConflict):
                # A second save now knowingly replaces the other person's version.
                form.edit_version.data = str(found.edit_version)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("studies.study", slug=found.slug))
    return render_template(
        "studies/study_settings.html", form=form, study=found
    ), 422 if form.errors or form.form_errors else 200


from surveyapp.studies import scope_views  # noqa: E402,F401  (registers the scope routes on this blueprint)
