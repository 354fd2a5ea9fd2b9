"""The home page, the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from surveyapp.app import SUPPORTED_LANGUAGES
from surveyapp.core.urls import safe_next
from surveyapp.extensions import csrf, db
from surveyapp.studies.queries import visible_suppliers

bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "core/index.html", suppliers=visible_suppliers(session=db.session, user=current_user)
    )


@bp.post("/language")
def language() -> Response:
    chosen = request.form.get("lang", "")
    if chosen in SUPPORTED_LANGUAGES:
        session["lang"] = chosen
        if current_user.is_authenticated and current_user.language is not None:
            # An explicit choice wins over the stored setting for this session's user.
            current_user.language = chosen
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.index"))


@bp.get("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok"), 200
