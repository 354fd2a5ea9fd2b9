"""Report pages: request, follow ("being prepared"), download, approve, send; the researcher's commentary.

The PDF is never rendered here: a request queues the report and hands it to `jobs.render.submit_render`.
While a report is being prepared its page asks the browser to reload it (a `Refresh` header, no JavaScript)
and says so when it is ready. Everything of a supplier the user may not see answers 404.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from surveyapp.analysis.service import AnalysisError
from surveyapp.auth.decorators import staff_required
from surveyapp.auth.permissions import is_staff
from surveyapp.db import utcnow
from surveyapp.enums import Language
from surveyapp.extensions import db
from surveyapp.i18n import _, ngettext
from surveyapp.jobs.render import submit_render
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting import failures, queries, services, sources
from surveyapp.reporting.assemble import section_providers
from surveyapp.reporting.delivery import report_filename, send_report
from surveyapp.reporting.forms import PORTFOLIO, ApproveForm, CommentaryForm, RequestReportForm, SendForm
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.settings import report_settings
from surveyapp.studies.models import Account, Study
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("reporting", __name__)
REFRESH_SECONDS = 3


def visible_study_or_404(slug: str) -> Study:
    return get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


def _report_or_404(report_id: int) -> Report:
    return queries.visible_report(session=db.session, user=current_user, report_id=report_id) or abort(404)


def _account_or_404(study: Study, account_id: int) -> Account:
    found = next(
        (a for a in queries.accounts_in_scope(session=db.session, study=study) if a.id == account_id), None
    )
    return found or abort(404)


def _request_form(study: Study) -> RequestReportForm:
    form = RequestReportForm()
    form.subject.choices = [(PORTFOLIO, _("Portfolio report (all accounts)"))] + [
        (str(account.id), _("Account report: %(name)s", name=account.name))
        for account in queries.accounts_in_scope(session=db.session, study=study)
    ]
    return form


@bp.get("/studies/<slug>/reports")
@login_required
def reports(slug: str) -> str:
    study = visible_study_or_404(slug)
    found = queries.study_reports(session=db.session, user=current_user, study=study)
    settings = report_settings(current_app.config)
    latest, older = queries.latest_versions(found)
    return render_template(
        "reporting/reports.html",
        study=study,
        reports=latest,
        older=older,
        outdated=_outdated(study, latest),
        form=_request_form(study),
        accounts=queries.accounts_in_scope(session=db.session, study=study),
        can_request=study.phase in services.REPORTING_PHASES,
        now=utcnow(),
        time_limit=settings.time_limit,
        is_stalled=services.is_stalled,
    )


def _providers() -> list[Any]:
    return section_providers(report_settings(current_app.config).section_providers)


def _outdated(study: Study, shown: list[Report]) -> dict[int, list[str]]:
    """Per outdated report, what changed since it was made, in words (for the research team only: what changed
    may be a researcher's edit an account team is not to see yet)."""
    if not is_staff(current_user):
        return {}
    try:
        found = sources.outdated_parts(session=db.session, study=study, reports=shown, providers=_providers())
    except AnalysisError:  # the analysis cannot be made now: the report page says why when one is requested
        return {}
    return {
        report_id: [str(sources.part_label(part)) for part in parts]
        for report_id, parts in found.items()
        if parts
    }


@bp.post("/studies/<slug>/reports")
@staff_required
def request_report(slug: str) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    form = _request_form(study)
    if not form.validate_on_submit():
        flash(_("Choose which report to make."), "error")
        return redirect(url_for("reporting.reports", slug=study.slug))
    account = None if form.subject.data == PORTFOLIO else _account_or_404(study, int(form.subject.data or 0))
    try:
        report = services.request_report(
            session=db.session,
            study=study,
            kind=ReportKind.PORTFOLIO if account is None else ReportKind.ACCOUNT,
            account=account,
            language=Language(form.language.data) if form.language.data else None,
            actor=current_user,
        )
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reporting.reports", slug=study.slug))
    report_id = report.id  # before the commit, so that no new transaction holds the database meanwhile
    db.session.commit()
    submit_render(report_id)
    return redirect(url_for("reporting.report", report_id=report_id, waiting=1))


@bp.get("/reports/<int:report_id>")
@login_required
def report(report_id: int) -> Response:
    found = _report_or_404(report_id)
    settings = report_settings(current_app.config)
    now = utcnow()
    stalled = services.is_stalled(found, now=now, time_limit=settings.time_limit)
    reason = None
    if found.status is ReportStatus.FAILED or stalled:
        code = failures.STALLED if stalled else found.failure_code
        reason = failures.describe(
            code, found.failure_detail, time_limit=settings.time_limit, memory_mb=settings.memory_mb
        )
    send_form = SendForm()
    members = queries.account_team_members(session=db.session, supplier_id=found.study.supplier_id)
    send_form.recipients.choices = [(user.id, f"{user.display_name} <{user.email}>") for user in members]
    response = current_app.make_response(
        render_template(
            "reporting/report.html",
            report=found,
            study=found.study,
            stalled=stalled,
            reason=reason,
            waited=bool(request.args.get("waiting")),
            approve_form=ApproveForm(),
            send_form=send_form,
            members=members,
            filename=report_filename(found),
            versions=queries.older_versions(session=db.session, user=current_user, report=found),
            outdated=_outdated(found.study, [found]).get(found.id, []),
            request_form=_request_form(found.study),
        )
    )
    if found.is_pending and not stalled:
        target = url_for("reporting.report", report_id=found.id, waiting=1)
        response.headers["Refresh"] = f"{REFRESH_SECONDS}; url={target}"
    return response


@bp.get("/reports/<int:report_id>/download")
@login_required
def download(report_id: int) -> Response:
    found = _report_or_404(report_id)
    if found.status is not ReportStatus.READY or found.pdf is None:
        abort(404)
    return send_file(
        io.BytesIO(found.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=report_filename(found),
        etag=found.sha256 or False,
    )


@bp.post("/reports/<int:report_id>/approve")
@staff_required
def approve(report_id: int) -> Response:
    found = _report_or_404(report_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        services.approve_report(session=db.session, report=found, actor=current_user, providers=_providers())
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Report approved: account teams can now see it, and you can send it."), "success")
    return redirect(url_for("reporting.report", report_id=found.id))


@bp.post("/reports/<int:report_id>/send")
@staff_required
def send(report_id: int) -> Response:
    found = _report_or_404(report_id)
    form = SendForm()
    members = queries.account_team_members(session=db.session, supplier_id=found.study.supplier_id)
    form.recipients.choices = [(user.id, user.email) for user in members]
    if not form.validate_on_submit():
        flash(_("Choose at least one account-team member to send the report to."), "error")
        return redirect(url_for("reporting.report", report_id=found.id))
    chosen = [user for user in members if user.id in set(form.recipients.data or [])]
    try:
        deliveries = send_report(
            session=db.session,
            report=found,
            recipients=chosen,
            actor=current_user,
            mail=mail_settings(current_app.config),
            attach_max_bytes=report_settings(current_app.config).attach_max_bytes,
            providers=_providers(),
        )
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The report is on its way to %(num)d person.",
                "The report is on its way to %(num)d people.",
                len(deliveries),
            ),
            "success",
        )
    return redirect(url_for("reporting.report", report_id=found.id))


@bp.route("/studies/<slug>/reports/commentary", methods=["GET", "POST"], defaults={"account_id": None})
@bp.route("/studies/<slug>/reports/commentary/<int:account_id>", methods=["GET", "POST"])
@staff_required
def commentary(slug: str, account_id: int | None) -> Response | tuple[str, int]:
    study = visible_study_or_404(slug)
    account = None if account_id is None else _account_or_404(study, account_id)
    form = CommentaryForm()
    if not form.is_submitted():
        form.text.data = services.commentary_text(session=db.session, study=study, account=account)
    if form.validate_on_submit():
        try:
            services.save_commentary(
                session=db.session,
                study=study,
                account=account,
                text=form.text.data or "",
                actor=current_user,
            )
        except services.ReportError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Commentary saved. It appears in reports made from now on."), "success")
            return redirect(url_for("reporting.reports", slug=study.slug))
    page = render_template("reporting/commentary.html", study=study, account=account, form=form)
    return page, 422 if form.errors or form.form_errors else 200  # type: ignore[return-value]
