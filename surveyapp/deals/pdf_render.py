"""The one-page PDF of a deal fit check: the renderer child's side (imports WeasyPrint; never the web process).

Lays out `reports/deal_check/report.html` with the reporting machinery's autoescaping template environment and
WeasyPrint behind the locked-down URL fetcher (reporting/pdf.py), and stores the PDF with its SHA-256.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import update
from sqlalchemy.orm import Session

from surveyapp.db import utcnow
from surveyapp.deals.forms import ADVICE_LABELS, RATER_LABELS, SHORT_ADVICE, STAGE_LABELS
from surveyapp.deals.models import DealCheck, DealCheckPdf
from surveyapp.deals.queries import both_raters, check_view
from surveyapp.enums import DealPdfStatus
from surveyapp.extensions import db
from surveyapp.questionnaires.services import load_scoring_version
from surveyapp.reporting.formatting import Formatter
from surveyapp.reporting.pdf import AssetBundle, render_pdf
from surveyapp.reporting.rendering import report_environment

KIND = "deal_check"


def check_html(*, session: Session, check: DealCheck, language: str) -> str:
    """The complete HTML of a check's one-page PDF in `language` (autoescaped: user text is never markup)."""
    view = check_view(session=session, check=check)
    both = both_raters(session=session, prospect=check.prospect, check=check)
    thresholds = load_scoring_version(session=session, version_id=check.scoring_version_id).thresholds
    prospect = check.prospect
    assets = AssetBundle(KIND)
    with force_locale(language):
        template = report_environment(current_app).get_template(f"{KIND}/report.html")
        return template.render(
            asset=assets.url,
            lang=language,
            fmt=Formatter(language),
            view=view,
            both=both,
            rater_labels=RATER_LABELS,
            short_advice=SHORT_ADVICE,
            prospect=prospect,
            supplier=prospect.supplier.name,
            stage=str(STAGE_LABELS[prospect.stage.value]),
            advice_label=str(ADVICE_LABELS[check.advice.value]),
            thresholds=thresholds,
            generated=utcnow(),
        )


def render_stored_pdf(*, pdf_id: int) -> dict[str, Any]:
    """In the renderer child: claim a queued PDF, render and store it (commits); the outcome for the parent."""
    session = db.session
    claimed = session.execute(
        update(DealCheckPdf)
        .where(DealCheckPdf.id == pdf_id, DealCheckPdf.status == DealPdfStatus.QUEUED)
        .values(status=DealPdfStatus.RENDERING)
    ).rowcount
    session.commit()
    if not claimed:
        return {"ok": True, "skipped": True}
    row = session.get(DealCheckPdf, pdf_id)
    assert row is not None
    html = check_html(session=session, check=row.check, language=row.language.value)
    # No transaction while rendering: on SQLite it would hold the write lock every survey save waits for.
    session.rollback()
    rendered = render_pdf(html, assets=AssetBundle(KIND))
    row = session.get(DealCheckPdf, pdf_id)
    assert row is not None
    row.pdf = rendered.data
    row.sha256 = hashlib.sha256(rendered.data).hexdigest()
    row.pages = rendered.pages
    row.status = DealPdfStatus.READY
    row.rendered_at = utcnow()
    session.commit()
    return {"ok": True, "pages": rendered.pages, "refused": len(rendered.refused)}
