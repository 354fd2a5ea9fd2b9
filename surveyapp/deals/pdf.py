"""The one-page PDF of a deal fit check, rendered away from the web process (the web side).

The web process stores a queued `DealCheckPdf` and hands it to the report renderer child (jobs/render.py:
`child_request` + `run_in_child`, with `"job": "deal_check_pdf"` in the request; reporting/worker.py
dispatches on it to pdf_render.py). This module never imports WeasyPrint.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.deals.models import DealCheck, DealCheckPdf
from surveyapp.enums import DealPdfStatus, Language
from surveyapp.extensions import db
from surveyapp.jobs.render import child_request, limits_of, run_in_child
from surveyapp.reporting.settings import report_settings

log = logging.getLogger(__name__)
JOB = "deal_check_pdf"


def request_pdf(*, session: Session, check: DealCheck, language: Language) -> DealCheckPdf:
    """A queued PDF of the check in a language (flushes; commit before handing it to `submit_pdf`)."""
    row = DealCheckPdf(check_id=check.id, language=language, status=DealPdfStatus.QUEUED)
    session.add(row)
    session.flush()
    return row


def latest_pdf(*, session: Session, check_id: int, language: Language) -> DealCheckPdf | None:
    return session.scalar(
        select(DealCheckPdf)
        .where(DealCheckPdf.check_id == check_id, DealCheckPdf.language == language)
        .order_by(DealCheckPdf.id.desc())
        .limit(1)
    )


def run_pdf(pdf_id: int, *, app: Flask) -> bool:
    """Render a committed, queued PDF in the renderer child and wait; a failure is recorded on the row."""
    limits = limits_of(app)
    request = {**child_request(app, pdf_id, limits), "job": JOB}
    outcome = run_in_child(request, limits, instance_path=app.instance_path)
    if not outcome.ok:
        with app.app_context():
            try:
                db.session.execute(
                    update(DealCheckPdf)
                    .where(DealCheckPdf.id == pdf_id)
                    .values(
                        status=DealPdfStatus.FAILED,
                        failure=f"{outcome.code}: {outcome.detail or ''}"[:2000],
                    )
                )
                db.session.commit()
            finally:
                db.session.remove()
    return outcome.ok


def _run_logged(app: Flask, pdf_id: int) -> None:
    try:
        run_pdf(pdf_id, app=app)
    except Exception:
        log.exception("deal check pdf %s: the render job failed", pdf_id)


def submit_pdf(pdf_id: int) -> None:
    """Hand a committed, queued PDF to a renderer (inline mode waits; background mode returns at once)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if report_settings(app.config).mode == "inline":
        run_pdf(pdf_id, app=app)
        return
    threading.Thread(target=_run_logged, args=(app, pdf_id), name=f"deal-pdf-{pdf_id}", daemon=True).start()
