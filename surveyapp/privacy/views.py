"""Admin pages: find a contact by email, see what is held, download it as JSON, erase it; retention per study.

Email addresses travel in POST bodies only, never in URLs (which end up in logs and browser history).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from surveyapp.audit.services import record
from surveyapp.auth.decorators import admin_required
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.privacy.forms import EraseContactForm, ExportContactForm, FindContactForm, RetentionForm
from surveyapp.privacy.requests import open_requests
from surveyapp.privacy.retention import deletion_due, folders
from surveyapp.privacy.services import PrivacyError, erase_contact, export_contact_data, export_json
from surveyapp.studies.models import Study

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")


def _studies() -> list[tuple[Study, object]]:
    rows = db.session.scalars(select(Study).order_by(Study.slug)).all()
    return [(study, deletion_due(session=db.session, study=study)) for study in rows]


def _index(find: FindContactForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "privacy/index.html",
            form=find,
            studies=_studies(),
            erasure_requests=open_requests(session=db.session),
        ),
        status,
    )


@bp.get("")
@admin_required
def index() -> tuple[str, int]:
    return _index(FindContactForm())


def _overview(email: str, erase: EraseContactForm | None = None, status: int = 200) -> tuple[str, int]:
    document = export_contact_data(session=db.session, email=email)
    erase = erase or EraseContactForm(formdata=None, email=document["email"])
    return (
        render_template(
            "privacy/contact.html",
            document=document,
            export_form=ExportContactForm(formdata=None, email=document["email"]),
            erase_form=erase,
        ),
        status,
    )


@bp.post("/contact")
@admin_required
def contact() -> tuple[str, int]:
    form = FindContactForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        return _overview(form.email.data or "")
    except PrivacyError as exc:
        form.email.errors = [str(exc)]
        return _index(form, 404)


@bp.post("/export")
@admin_required
def export() -> Response | tuple[str, int]:
    form = ExportContactForm()
    if not form.validate_on_submit():
        return _index(FindContactForm(formdata=None), 400)
    try:
        document = export_contact_data(session=db.session, email=form.email.data or "")
    except PrivacyError as exc:
        find = FindContactForm(formdata=None)
        find.email.errors = [str(exc)]
        return _index(find, 404)
    response = Response(export_json(document), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="contact-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/erase")
@admin_required
def erase() -> Response | tuple[str, int]:
    form = EraseContactForm()
    email = form.email.data or ""
    try:
        if not form.validate_on_submit():
            return _overview(email, erase=form, status=400)
        outbox_dir, upload_dir = folders(current_app.config)
        summary = erase_contact(
            session=db.session,
            email=email,
            actor=current_user,
            outbox_dir=outbox_dir,
            upload_dir=upload_dir,
        )
    except PrivacyError as exc:
        db.session.rollback()
        find = FindContactForm(formdata=None)
        find.email.errors = [str(exc)]
        return _index(find, 404)
    db.session.commit()
    flash(
        _(
            "The contact's personal data was erased; %(reports)s reports were withdrawn and queued again.",
            reports=summary.withdrawn_reports,
        ),
        "success",
    )
    return redirect(url_for("privacy.index"))


@bp.route("/studies/<slug>", methods=["GET", "POST"])
@admin_required
def retention(slug: str) -> Response | tuple[str, int]:
    study = db.session.scalar(select(Study).where(Study.slug == slug)) or abort(404)
    form = RetentionForm(obj=study)
    if form.validate_on_submit():
        old = {"retention_days": study.retention_days, "keep_anonymous_scores": study.keep_anonymous_scores}
        study.retention_days = form.retention_days.data
        study.keep_anonymous_scores = bool(form.keep_anonymous_scores.data)
        if study.retention_days != old["retention_days"]:
            # A new period gets its own notice.
            study.retention_notified_at = None
        record(
            session=db.session,
            action="study.retention_changed",
            actor=current_user,
            obj=study,
            supplier_id=study.supplier_id,
            details={
                "old": old,
                "new": {
                    "retention_days": study.retention_days,
                    "keep_anonymous_scores": study.keep_anonymous_scores,
                },
            },
        )
        db.session.commit()
        flash(_("The retention settings of %(study)s were saved.", study=study.name), "success")
        return redirect(url_for("privacy.index"))
    status = 400 if form.is_submitted() else 200
    due = deletion_due(session=db.session, study=study)
    return render_template("privacy/retention.html", study=study, form=form, due=due), status
