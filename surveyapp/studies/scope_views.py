"""Study scope pages: accounts with figures, contacts, staff assignments, the lead, and CSV imports."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.core import paging
from surveyapp.core.csvfiles import lazy_count, max_rows_setting
from surveyapp.enums import Language, Side
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.studies import imports, queries, scope, uploads
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
from surveyapp.studies.uploads import ImportKind
from surveyapp.studies.views import bp, visible_study_or_404

#: The longest search text a list takes (longer is cut): more than any name or email column holds.
MAX_SEARCH = 254
#: The most accounts a contact or assignment form lists. A study with more (issue 22: 20,000 accounts made
#: two lists of 1.8 MB that took seconds to render) lists those matching a search instead.
MAX_ACCOUNT_CHOICES = 300


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
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    rows = queries.account_page(
        session=db.session, study=study, page=paging.wanted(request.args), search=search
    )
    status = 422 if form.errors or form.form_errors else 200
    return paging.beyond_end(rows) or (
        render_template("studies/accounts.html", study=study, form=form, rows=rows, search=search),
        status,
    )


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


def _offered_accounts(study: Any, search: str = "") -> queries.AccountChoices:
    """The accounts the contact and assignment forms list: at most MAX_ACCOUNT_CHOICES, those matching
    `search` (the page's "narrow the account lists" field), plus the ones a submitted form chose."""
    chosen = [
        int(value)
        for value in (request.form.get("contact-account", ""), request.form.get("assign-account", ""))
        if value.isascii() and value.isdigit() and len(value) < 10
    ]
    return queries.account_choices(
        session=db.session, study=study, search=search, limit=MAX_ACCOUNT_CHOICES, also=chosen
    )


def _contact_forms(study, offered=None):  # type: ignore[no-untyped-def]
    offered = offered or _offered_accounts(study)
    account_choices = [SelectChoice(account_id, name) for account_id, name in offered.choices]
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
    account_search = request.args.get("account", "").strip()[:MAX_SEARCH]
    offered = _offered_accounts(study, account_search)
    contact_form, assign_form, lead_form, staff = _contact_forms(study, offered)
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
    # Two paged lists on one page, each with its own GET parameter (issue 22).
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    clients = queries.client_contact_page(
        session=db.session,
        study=study,
        page=paging.wanted(request.args, anchor="clients-heading"),
        search=search,
    )
    assignments = queries.assignment_page(
        session=db.session,
        study=study,
        page=paging.wanted(request.args, "assignments_page", anchor="assignments-heading"),
    )
    return paging.beyond_end(clients, assignments) or (
        render_template(
            "studies/contacts.html",
            study=study,
            contact_form=contact_form,
            assign_form=assign_form,
            lead_form=lead_form,
            clients=clients,
            search=search,
            staff=staff,
            assignments=assignments,
            offered=offered,
            account_search=account_search,
            max_account_choices=MAX_ACCOUNT_CHOICES,
        ),
        status,
    )


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


IMPORTERS = {ImportKind.ACCOUNTS: imports.import_accounts, ImportKind.CONTACTS: imports.import_contacts}
IMPORTED_PAGES = {ImportKind.ACCOUNTS: "studies.accounts", ImportKind.CONTACTS: "studies.contacts"}


def _import_page(study: Any, form: ImportForm, problem: str | None = None) -> str:
    return render_template(
        "studies/import.html",
        study=study,
        form=form,
        problem=problem,
        max_rows=lazy_count(max_rows_setting()),
    )


def _preview_page(study: Any, report: Any, kind: ImportKind, filename: str, confirm: Any = None) -> str:
    return render_template(
        "studies/import_preview.html",
        study=study,
        report=report,
        confirm=confirm,
        kind=kind.value,
        filename=filename,
    )


@bp.route("/studies/<slug>/import", methods=["GET", "POST"])
@staff_required
def import_file(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = ImportForm()
    if form.validate_on_submit():
        kind = ImportKind(form.kind.data)
        file = form.file.data
        filename = uploads.clean_filename(file.filename)
        file.stream.seek(0)
        report = IMPORTERS[kind](
            session=db.session, study=study, source=file.stream, actor=current_user, dry_run=True
        )
        db.session.rollback()
        if not report.ok:
            # Only a file that can be imported is kept: there is nothing to confirm for the others.
            return _preview_page(study, report, kind, filename), 422
        file.stream.seek(0)
        upload = uploads.store_upload(
            session=db.session,
            study=study,
            user=current_user,
            kind=kind,
            filename=filename,
            content=file.stream.read(),
        )
        confirm = ConfirmImportForm(kind=kind.value, upload=upload.token)
        db.session.commit()
        return _preview_page(study, report, kind, filename, confirm), 200
    return _import_page(study, form), 422 if form.errors else 200


@bp.post("/studies/<slug>/import/confirm")
@staff_required
def confirm_import(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        kind = ImportKind(form.kind.data)
        upload = uploads.claim_upload(
            session=db.session, token=form.upload.data or "", study=study, user=current_user, kind=kind
        )
    except (ValueError, uploads.UploadNotFound):
        # Another study's, another user's or another kind's preview is as unknown here as a made-up one.
        db.session.rollback()
        problem = _(
            "This import preview does not exist (any more); it may have been imported already. "
            "Upload the file again to see a new preview."
        )
        return _import_page(study, ImportForm(), problem), 404
    except uploads.UploadExpired:
        db.session.commit()  # the expired upload is deleted
        problem = _(
            "This import preview has expired: previews are kept for %(minutes)d minutes. "
            "Upload the file again to see a new preview.",
            minutes=uploads.UPLOAD_LIFETIME // timedelta(minutes=1),
        )
        return _import_page(study, ImportForm(kind=kind.value), problem), 410
    filename = upload.filename
    report = IMPORTERS[kind](
        session=db.session, study=study, source=io.BytesIO(upload.content), actor=current_user
    )
    if not report.ok:
        # The database changed since the preview; the rollback keeps the upload as well.
        db.session.rollback()
        return _preview_page(study, report, kind, filename), 422
    db.session.commit()
    flash(
        _(
            "Import done: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for(IMPORTED_PAGES[kind], slug=slug))
