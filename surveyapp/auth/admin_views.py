"""Admin pages for users: list, create, change role and supplier access, deactivate, password links."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth import services
from surveyapp.auth.decorators import admin_required
from surveyapp.auth.forms import ROLE_LABELS, UserForm
from surveyapp.auth.models import User
from surveyapp.auth.passwords import hasher_from_config
from surveyapp.enums import Language, Role
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.password import send_password_link
from surveyapp.mail.settings import mail_settings
from surveyapp.studies.models import Supplier

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user) if user else UserForm()
    if user is not None and not form.is_submitted():
        form.role.data = user.role.value
        form.language.data = user.language.value if user.language else ""
        form.suppliers.data = [s.id for s in user.suppliers]
        form.active.data = user.is_active_user
    form.suppliers.choices = [
        SelectChoice(s.id, s.name) for s in db.session.scalars(select(Supplier).order_by(Supplier.name))
    ]
    return form


def _chosen_suppliers(form: UserForm) -> list[Supplier]:
    ids = form.suppliers.data or []
    return list(db.session.scalars(select(Supplier).where(Supplier.id.in_(ids)))) if ids else []


@bp.get("/users")
@admin_required
def users() -> str:
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user() -> Response | tuple[str, int]:
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                session=db.session,
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                suppliers=_chosen_suppliers(form),
                all_suppliers=form.all_suppliers.data,
                language=Language(form.language.data) if form.language.data else None,
                hasher=hasher_from_config(current_app.config),
                actor=current_user,
            )
        except services.UserError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _("User %(email)s created. Issue a password link so they can log in.", email=user.email),
                "success",
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template(
        "admin/user_form.html", form=form, user=None
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int) -> Response | tuple[str, int]:
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(
                session=db.session,
                user=user,
                name=form.name.data or "",
                role=Role(form.role.data),
                suppliers=_chosen_suppliers(form),
                all_suppliers=form.all_suppliers.data,
                language=Language(form.language.data) if form.language.data else None,
                active=form.active.data,
                actor=current_user,
            )
        except services.UserError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template(
        "admin/user_form.html", form=form, user=user
    ), 422 if form.errors or form.form_errors else 200


@bp.post("/users/<int:user_id>/password-link")
@admin_required
def password_link(user_id: int) -> str:
    user = db.session.get(User, user_id) or abort(404)
    purpose = "reset" if user.password_hash else "set"
    issued = send_password_link(
        session=db.session,
        user=user,
        purpose=purpose,
        hours=current_app.config["PASSWORD_TOKEN_HOURS"],
        mail=mail_settings(current_app.config),
        actor=current_user,
    )
    db.session.commit()
    enqueue(deliver_outbox)
    flash(_("The link has also been emailed to %(email)s.", email=user.email), "success")
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.set_password_link", token=issued.token)
    return render_template(
        "admin/password_link.html", user=user, link=link, expires_at=issued.record.expires_at
    )
