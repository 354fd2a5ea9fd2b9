"""The study's exports page and its downloads (GET links with `what` and `format`).

Researchers and admins may download every export; account-team users of the supplier (who see the study from
the analyse phase on) only the analysis — never the raw answers or the themes with their quotes. Anything else
answers 404. Every download is recorded in the audit log: files built whole before they are sent, CSV and JSON
answers (streamed on a connection of their own) when the stream ends, with its outcome.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from surveyapp.exports import services
from surveyapp.extensions import db
from surveyapp.studies.models import Study
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("exports", __name__)


def _study_or_404(slug: str) -> Study:
    return get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


@bp.get("/studies/<slug>/exports")
@login_required
def study_exports(slug: str) -> str:
    study = _study_or_404(slug)
    allowed = services.allowed_exports(current_user)
    if not allowed:
        abort(404)
    return render_template("exports/exports.html", study=study, allowed=allowed, formats=services.FORMATS)


def _page_with_error(study: Study, message: str) -> tuple[str, int]:
    allowed = services.allowed_exports(current_user)
    page = render_template(
        "exports/exports.html", study=study, allowed=allowed, formats=services.FORMATS, error=message
    )
    return page, 400


@bp.get("/studies/<slug>/exports/download")
@login_required
def download(slug: str) -> Response | tuple[str, int]:
    study = _study_or_404(slug)
    what, fmt = request.args.get("what", "answers"), request.args.get("format", "")
    if what not in services.allowed_exports(current_user):
        abort(404)
    try:
        made = services.download(session=db.session, study=study, what=what, fmt=fmt, actor=current_user)
    except services.ExportError as exc:
        return _page_with_error(study, str(exc))
    db.session.commit()
    response = Response(made.chunks, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
