"""Running a deal fit check (logged in, or through a personal link), its result, its PDF and the exports."""

from __future__ import annotations

import io

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from surveyapp.db import utcnow
from surveyapp.deals import exports, pdf, queries, services
from surveyapp.deals.advice import answer_text
from surveyapp.deals.forms import CheckForm, PdfForm
from surveyapp.deals.models import DealCheck, DealCheckPdf, Prospect
from surveyapp.deals.views import LABELS, bp, prospect_or_404, prospect_users, supplier_or_404
from surveyapp.enums import DealPdfStatus, Language
from surveyapp.extensions import db, limiter
from surveyapp.questionnaires.runtime import catalogue

REFRESH_SECONDS = 2


def _check_form(
    prospect: Prospect, lang: str, formdata: object = None, *, ask_rater: bool = False
) -> CheckForm:
    questionnaire = catalogue().get(services.DEAL_CHECK_SLUG)
    placeholders = {"supplier": prospect.supplier.name, "account": prospect.name}
    return CheckForm(
        questionnaire, lang=lang, placeholders=placeholders, formdata=formdata, ask_rater=ask_rater
    )


def _submit(form: CheckForm, prospect: Prospect, **who: object) -> DealCheck | None:
    """Validate and store a submitted check; None (with the problem on the form) when it is refused."""
    if not form.validate():
        return None
    try:
        check = services.record_check(
            session=db.session,
            prospect=prospect,
            questionnaire=catalogue().get(services.DEAL_CHECK_SLUG),
            scoring=catalogue().scoring,
            answers=form.answers(),
            rater=form.rater,
            **who,  # type: ignore[arg-type]
        )
    except services.DealError as exc:
        db.session.rollback()
        form.csrf.form_errors.append(str(exc))
        return None
    db.session.commit()
    return check


@bp.route("/prospects/<int:prospect_id>/check", methods=["GET", "POST"])
@prospect_users
def run_check(prospect_id: int) -> Response | tuple[str, int]:
    found = prospect_or_404(prospect_id)
    lang = str(get_locale() or "en")
    form = _check_form(found, lang, request.form if request.method == "POST" else None, ask_rater=True)
    if request.method == "POST":
        check = _submit(form, found, user=current_user)
        if check is not None:
            return redirect(url_for("deals.check", check_id=check.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "deals/check_form.html", form=form, prospect=found, public=False, lang=lang
    ), status


def visible_check_or_404(check_id: int) -> DealCheck:
    return queries.visible_check(session=db.session, user=current_user, check_id=check_id) or abort(404)


@bp.get("/checks/<int:check_id>")
@prospect_users
def check(check_id: int) -> str:
    found = visible_check_or_404(check_id)
    return render_template(
        "deals/check.html",
        view=queries.check_view(session=db.session, check=found),
        both=queries.both_raters(session=db.session, prospect=found.prospect, check=found),
        prospect=found.prospect,
        pdf_form=PdfForm(formdata=None),
        labels=LABELS,
        public=False,
        lang=str(get_locale() or "en"),
        answer_text=answer_text,
    )


@bp.post("/checks/<int:check_id>/pdf")
@prospect_users
def request_pdf(check_id: int) -> Response:
    found = visible_check_or_404(check_id)
    form = PdfForm()
    if not form.validate_on_submit():
        abort(400)
    row = pdf.request_pdf(session=db.session, check=found, language=Language(form.language.data))
    row_id = row.id
    db.session.commit()
    pdf.submit_pdf(row_id)
    return redirect(url_for("deals.check_pdf", pdf_id=row_id))


@bp.get("/check-pdfs/<int:pdf_id>")
@prospect_users
def check_pdf(pdf_id: int) -> Response:
    row = db.session.get(DealCheckPdf, pdf_id) or abort(404)
    visible_check_or_404(row.check_id)
    if row.status is DealPdfStatus.READY and row.pdf is not None:
        name = f"deal-fit-check-{row.check_id}-{row.language.value}.pdf"
        return send_file(
            io.BytesIO(row.pdf),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=name,
            etag=row.sha256,
        )
    response = current_app.make_response(render_template("deals/pdf_wait.html", row=row))
    if row.status in (DealPdfStatus.QUEUED, DealPdfStatus.RENDERING):
        response.headers["Refresh"] = f"{REFRESH_SECONDS}; url={url_for('deals.check_pdf', pdf_id=row.id)}"
    return response


def _missed(response: Response) -> bool:
    return response.status_code == 404


# Shares the per-IP budget of the survey links: only misses count, so a valid link is never locked out.
deal_link_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LINK_PER_IP"], scope="personal-links", deduct_when=_missed
)


@bp.route("/deal-check/<token>", methods=["GET", "POST"])
@deal_link_limit
def public_check(token: str) -> tuple[str, int]:
    invitation = services.find_invitation(session=db.session, token=token, now=utcnow())
    if invitation is None:
        # Logged like the survey links' misses, so guessing shows up in the log.
        current_app.logger.info("deal-check link unknown from %s", request.remote_addr)
        return render_template("deals/link_error.html", lang=str(get_locale() or "en")), 404
    prospect = invitation.prospect
    lang = invitation.language.value
    with force_locale(lang):
        form = _check_form(prospect, lang, request.form if request.method == "POST" else None)
        if request.method == "POST":
            check = _submit(form, prospect, invitation=invitation)
            if check is not None:
                view = queries.check_view(session=db.session, check=check)
                page = render_template(
                    "deals/check.html",
                    view=view,
                    prospect=prospect,
                    labels=LABELS,
                    public=True,
                    pdf_form=None,
                    lang=lang,
                    answer_text=answer_text,
                )
                return page, 200
        status = 422 if request.method == "POST" else 200
        return render_template(
            "deals/check_form.html", form=form, prospect=prospect, public=True, lang=lang
        ), status


@bp.get("/suppliers/<int:supplier_id>/prospects.<any(csv, xlsx):fmt>")
@prospect_users
def export(supplier_id: int, fmt: str) -> Response:
    supplier = supplier_or_404(supplier_id)
    rows = exports.exported_rows(session=db.session, supplier=supplier, fmt=fmt, actor=current_user)
    db.session.commit()
    data, mimetype = (
        (exports.to_csv(rows), "text/csv")
        if fmt == "csv"
        else (exports.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    name = exports.filename(supplier.name, fmt)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
