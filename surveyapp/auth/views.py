"""Logging in and out, and passwords."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from surveyapp.auth import services
from surveyapp.auth.forms import ForgotPasswordForm, LoginForm, PasswordChangeForm, PasswordSetForm
from surveyapp.auth.models import User
from surveyapp.auth.passwords import hasher_from_config
from surveyapp.core.urls import safe_next
from surveyapp.extensions import db, limiter, login_manager
from surveyapp.i18n import _
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.password import request_password_reset
from surveyapp.mail.settings import mail_settings

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user only while the session's version is the user's current one (logout ends every copy)."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active_user or user.session_version != int(version):
        return None
    return user


def _login_account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _begin_session(user: User) -> None:
    # A fresh session on every login: nothing planted before it (fixation) survives.
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session["sid"] = secrets.token_urlsafe(16)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> Response | str:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("core.index"))
    if form.validate_on_submit():
        user = services.authenticate(
            session=db.session,
            email=form.email.data or "",
            password=form.password.data or "",
            hasher=hasher_from_config(current_app.config),
        )
        if user is not None:
            _begin_session(user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("core.index"))
        db.session.rollback()
        form.password.errors = [_("The email address or password is not correct.")]
    status = 200 if request.method == "GET" else 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    services.end_sessions(session=db.session, user=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                session=db.session,
                user=current_user,
                current=form.current_password.data or "",
                new=form.new_password.data or "",
                hasher=hasher_from_config(current_app.config),
            )
        except services.UserError as exc:
            db.session.rollback()
            form.current_password.errors = [str(exc)]
        else:
            user = current_user._get_current_object()
            db.session.commit()
            _begin_session(user)
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("core.index"))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


def _reset_address_key() -> str:
    return "password-reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_PASSWORD_RESET_PER_ADDRESS"],
    key_func=_reset_address_key,
    methods=["POST"],
)
def forgot_password() -> Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(
            session=db.session,
            email=form.email.data or "",
            hours=current_app.config["PASSWORD_TOKEN_HOURS"],
            mail=mail_settings(current_app.config),
        )
        db.session.commit()
        enqueue(deliver_outbox)
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If %(email)s belongs to an account, a link to choose a new password is on its way. "
                "It works once.",
                email=(form.email.data or "").strip()[:254],
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.get("/set-password/<token>")
def set_password_link(token: str) -> Response:
    # Move the token out of the URL at once, so it leaks through neither history nor Referer.
    session["password_token"] = services.token_hash(token[:200])
    return redirect(url_for("auth.set_password"))


@bp.route("/set-password", methods=["GET", "POST"])
def set_password() -> Response | str:
    digest = session.get("password_token")
    found = services.valid_password_token(session=db.session, token_digest=digest) if digest else None
    if found is None:
        abort(410)
    form = PasswordSetForm()
    if form.validate_on_submit():
        try:
            services.set_password_with_token(
                session=db.session,
                token_digest=digest,
                password=form.new_password.data or "",
                hasher=hasher_from_config(current_app.config),
            )
        except services.UserError as exc:
            db.session.rollback()
            form.new_password.errors = [str(exc)]
        else:
            db.session.commit()
            session.pop("password_token", None)
            flash(_("Your password has been set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/set_password.html", form=form, email=found.user.email), status
