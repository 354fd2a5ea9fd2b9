"""Supplier pages (the studies issue adds studies, accounts and contacts)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from surveyapp.auth.decorators import staff_required
from surveyapp.enums import Language
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.studies import services
from surveyapp.studies.forms import SupplierForm
from surveyapp.studies.queries import get_visible_supplier, visible_suppliers

bp = Blueprint("studies", __name__)


@bp.get("/suppliers")
@login_required
def suppliers() -> str:
    return render_template("studies/suppliers.html", suppliers=visible_suppliers(session=db.session, user=current_user))


@bp.route("/suppliers/new", methods=["GET", "POST"])
@staff_required
def new_supplier() -> Response | tuple[str, int]:
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
    found = get_visible_supplier(session=db.session, user=current_user, supplier_id=supplier_id) or abort(404)
    return render_template("studies/supplier.html", supplier=found)
