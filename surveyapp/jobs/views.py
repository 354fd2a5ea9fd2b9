"""The failed-jobs page for admins (rq mode only): jobs that failed after their retries, to requeue or delete.

Without Redis there is no queue and the page does not exist (404), as it does not for other roles.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from redis import Redis
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from surveyapp.auth.decorators import admin_required
from surveyapp.i18n import _
from surveyapp.jobs.queue import delete_failed, failed_jobs, redis_connection, requeue_failed

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


class FailedJobForm(FlaskForm):
    job_id = HiddenField(validators=[DataRequired(), Length(max=128)])


def _connection() -> Redis:
    if current_app.config["JOBS_MODE"] != "rq":
        abort(404)
    return redis_connection(current_app.config)


@bp.get("/failed")
@admin_required
def failed() -> str:
    jobs = failed_jobs(connection=_connection())
    return render_template("jobs/failed.html", jobs=jobs, form=FailedJobForm())


def _act(action: str) -> Response:
    connection = _connection()
    form = FailedJobForm()
    if not form.validate_on_submit():
        flash(_("The request was incomplete or expired; please try again."), "error")
        return redirect(url_for("jobs.failed"))
    job_id = str(form.job_id.data)
    done = (requeue_failed if action == "requeue" else delete_failed)(connection=connection, job_id=job_id)
    if not done:
        flash(_("That job is no longer in the list of failed jobs."), "error")
    elif action == "requeue":
        flash(_("The job is back in its queue; a worker runs it next."), "success")
    else:
        flash(_("The failed job was deleted."), "success")
    return redirect(url_for("jobs.failed"))


@bp.post("/failed/requeue")
@admin_required
def requeue() -> Response:
    return _act("requeue")


@bp.post("/failed/delete")
@admin_required
def delete() -> Response:
    return _act("delete")
