"""Study scope pages: accounts with figures, contacts, staff assignments, the lead, and CSV imports."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.enums import Language, Side
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.studies import imports, queries, scope
from surveyapp.studies.forms import (
    AccountForm,
    AssignForm,
    ConfirmImportForm,
    ContactForm,
    FiguresForm,
    ImportForm,
    LeadForm,
)
from surveyapp.studies.models import Contact, StudyAccount
from surveyapp.studies.services import StudyError
from surveyapp.studies.views import bp, visible_study_or_404


@bp.route("/studies/<slug>/accounts", methods=["GET", "POST"])
@staff_required
def accounts(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            scope.add_account(
                session=db.session,
                study=study,
                name=form.name.data or "",
                segment=form.segment.data or "",
                external_id=form.external_id.data,
                annual_revenue=form.annual_revenue.data,
                effort_hours=form.effort_hours.data,
                billable_hours=form.billable_hours.data,
                actor=current_user,
            )
        except StudyError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Account %(name)s added.", name=" ".join((form.name.data or "").split())), "success")
            return redirect(url_for("studies.accounts", slug=slug))
    rows = queries.account_rows(session=db.session, study=study)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("studies/accounts.html", study=study, form=form, rows=rows), status


@bp.route("/studies/<slug>/accounts/<int:account_id>", methods=["GET", "POST"])
@staff_required
def account_figures(slug: str, account_id: int) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    in_scope = db.session.get(StudyAccount, (study.id, account_id)) or abort(404)
    form = FiguresForm(obj=in_scope)
    if not form.is_submitted():
        form.segment.data = in_scope.account.segment
    if form.validate_on_submit():
        try:
            scope.update_account_figures(
                session=db.session,
                in_scope=in_scope,
                segment=form.segment.data or "",
                annual_revenue=form.annual_revenue.data,
                effort_hours=form.effort_hours.data,
                billable_hours=form.billable_hours.data,
                actor=current_user,
            )
        except StudyError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("studies.accounts", slug=slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("studies/account_figures.html", study=study, form=form, in_scope=in_scope), status


@bp.post("/studies/<slug>/accounts/<int:account_id>/remove")
@staff_required
def remove_account(slug: str, account_id: int) -> Response:
    study = visible_study_or_404(slug)
    db.session.get(StudyAccount, (study.id, account_id)) or abort(404)
    try:
        scope.remove_account(session=db.session, study=study, account_id=account_id, actor=current_user)
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The account is no longer in this study."), "success")
    return redirect(url_for("studies.accounts", slug=slug))


def _contact_forms(study):  # type: ignore[no-untyped-def]
    account_choices = [
        SelectChoice(r.account.id, r.account.name)
        for r in queries.account_rows(session=db.session, study=study)
    ]
    staff = queries.study_contacts(session=db.session, study=study, side=Side.SUPPLIER)
    staff_choices = [SelectChoice(c.id, f"{c.label} <{c.email or '—'}>") for c in staff]
    contact_form = ContactForm(prefix="contact", language=study.supplier.report_language.value)
    contact_form.account.choices = [SelectChoice(0, _("No account")), *account_choices]
    assign_form = AssignForm(prefix="assign")
    assign_form.contact.choices, assign_form.account.choices = staff_choices, account_choices
    lead_form = LeadForm(prefix="lead", contact=study.lead_contact_id)
    lead_form.contact.choices = staff_choices
    return contact_form, assign_form, lead_form, staff


@bp.route("/studies/<slug>/contacts", methods=["GET", "POST"])
@staff_required
def contacts(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    contact_form, assign_form, lead_form, staff = _contact_forms(study)
    if contact_form.validate_on_submit():
        try:
            scope.add_contact(
                session=db.session,
                study=study,
                side=Side(contact_form.side.data),
                email=contact_form.email.data or "",
                name=contact_form.name.data or "",
                role=contact_form.role.data or "",
                language=Language(contact_form.language.data),
                account_id=contact_form.account.data or None,
                actor=current_user,
            )
        except StudyError as exc:
            db.session.rollback()
            contact_form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Contact %(email)s added.", email=contact_form.email.data), "success")
            return redirect(url_for("studies.contacts", slug=slug))
    status = 422 if contact_form.errors or contact_form.form_errors else 200
    return render_template(
        "studies/contacts.html",
        study=study,
        contact_form=contact_form,
        assign_form=assign_form,
        lead_form=lead_form,
        clients=queries.study_contacts(session=db.session, study=study, side=Side.CLIENT),
        staff=staff,
        assignments=queries.assignments(session=db.session, study=study),
    ), status


@bp.post("/studies/<slug>/assignments")
@staff_required
def assign(slug: str) -> Response:
    study = visible_study_or_404(slug)
    _contact, assign_form, _lead, _staff = _contact_forms(study)
    if assign_form.validate_on_submit():
        contact = db.session.get(Contact, assign_form.contact.data) or abort(404)
        try:
            scope.assign_staff(
                session=db.session,
                study=study,
                contact=contact,
                account_id=assign_form.account.data,
                actor=current_user,
            )
        except StudyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Assignment saved."), "success")
    else:
        flash(_("Choose a staff member and an account."), "error")
    return redirect(url_for("studies.contacts", slug=slug))


@bp.post("/studies/<slug>/assignments/<int:contact_id>/<int:account_id>/remove")
@staff_required
def unassign(slug: str, contact_id: int, account_id: int) -> Response:
    study = visible_study_or_404(slug)
    scope.unassign_staff(
        session=db.session, study=study, contact_id=contact_id, account_id=account_id, actor=current_user
    )
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return redirect(url_for("studies.contacts", slug=slug))


@bp.post("/studies/<slug>/lead")
@staff_required
def set_lead(slug: str) -> Response:
    study = visible_study_or_404(slug)
    _contact, _assign, lead_form, _staff = _contact_forms(study)
    if lead_form.validate_on_submit():
        contact = db.session.get(Contact, lead_form.contact.data) or abort(404)
        try:
            scope.set_lead(session=db.session, study=study, contact=contact, actor=current_user)
        except StudyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Study lead saved."), "success")
    else:
        flash(_("Choose a staff member."), "error")
    return redirect(url_for("studies.contacts", slug=slug))


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


IMPORTERS = {"accounts": imports.import_accounts, "contacts": imports.import_contacts}


@bp.route("/studies/<slug>/import", methods=["GET", "POST"])
@staff_required
def import_file(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = ImportForm()
    if form.validate_on_submit():
        token = secrets.token_urlsafe(24)
        path = _upload_dir() / f"{token}.csv"
        form.file.data.save(path)
        report = IMPORTERS[form.kind.data](
            session=db.session, study=study, source=path, actor=current_user, dry_run=True
        )
        db.session.rollback()
        confirm = ConfirmImportForm(kind=form.kind.data, upload=token)
        status = 200 if report.ok else 422
        return render_template(
            "studies/import_preview.html", study=study, report=report, confirm=confirm, kind=form.kind.data
        ), status
    status = 422 if form.errors else 200
    return render_template("studies/import.html", study=study, form=form), status


@bp.post("/studies/<slug>/import/confirm")
@staff_required
def confirm_import(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or form.kind.data not in IMPORTERS:
        abort(400)
    path = _upload_dir() / f"{form.upload.data}.csv"
    if not path.is_file():
        abort(410)
    report = IMPORTERS[form.kind.data](session=db.session, study=study, source=path, actor=current_user)
    if not report.ok:
        db.session.rollback()
        return render_template(
            "studies/import_preview.html", study=study, report=report, confirm=None, kind=form.kind.data
        ), 422
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(
        _(
            "Import done: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(
        url_for("studies.accounts" if form.kind.data == "accounts" else "studies.contacts", slug=slug)
    )
