"""One stored report from request to PDF, as the renderer child runs it (in an app context)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from surveyapp.analysis.service import AnalysisError
from surveyapp.extensions import db
from surveyapp.reporting import failures
from surveyapp.reporting.assemble import report_inputs, section_providers
from surveyapp.reporting.context import AccountMissing
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.rendering import report_pdf
from surveyapp.reporting.services import claim_for_rendering, store_pdf
from surveyapp.reporting.settings import report_settings
from surveyapp.reporting.sources import state_of_inputs

log = logging.getLogger(__name__)


def render_stored_report(*, report_id: int) -> dict[str, Any]:
    """Claim a queued report, render it and store the PDF (commits); the outcome for the parent process."""
    session = db.session
    report = claim_for_rendering(session=session, report_id=report_id)
    if report is None:
        session.rollback()
        return {"ok": True, "skipped": True}
    session.commit()
    settings = report_settings(current_app.config)
    try:
        inputs = report_inputs(
            session=session, report=report, providers=section_providers(settings.section_providers)
        )
        kind, account = report.kind, report.account.name if report.account else None
        report.source_state = state_of_inputs(inputs, account if kind is ReportKind.ACCOUNT else None)
        # The inputs are plain values: keep the analysis they were made from and end the transaction, so that
        # rendering (seconds) holds none — on SQLite that would be the write lock every survey save waits for
        # (tests/reporting/test_render_transactions.py).
        session.commit()
        rendered = report_pdf(inputs, kind, account)
    except AnalysisError as exc:
        session.rollback()
        return {"ok": False, "code": failures.ANALYSIS, "detail": str(exc)}
    except AccountMissing:
        session.rollback()
        return {"ok": False, "code": failures.ACCOUNT_MISSING, "detail": None}
    if rendered.refused:
        log.warning("report %s: the renderer refused %d URL(s)", report_id, len(rendered.refused))
    report = session.get(Report, report_id)
    store_pdf(session=session, report=report, pdf=rendered.data, pages=rendered.pages)
    session.commit()
    return {"ok": True, "pages": rendered.pages, "refused": len(rendered.refused)}
