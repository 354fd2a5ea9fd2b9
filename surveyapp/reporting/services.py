"""Requesting, rendering (the renderer's side), approving reports, and the researcher's commentary.

Services take explicit keyword arguments, never `request` or `session` of Flask; they flush, and the caller
(view, CLI command or renderer) commits once. Sending is in delivery.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveyapp.analysis.service import AnalysisError
from surveyapp.audit.services import record
from surveyapp.auth.permissions import is_staff
from surveyapp.db import utcnow
from surveyapp.enums import Language, Phase
from surveyapp.i18n import _l
from surveyapp.reporting import sources
from surveyapp.reporting.assemble import section_providers
from surveyapp.reporting.models import PENDING_STATUSES, Report, ReportCommentary, ReportKind, ReportStatus
from surveyapp.reporting.settings import BUILT_IN_PROVIDERS
from surveyapp.studies.models import Account, Study, StudyAccount

REPORTING_PHASES = (Phase.ANALYSE, Phase.ACT)
MAX_COMMENTARY = 20_000
MAX_DETAIL = 2_000
STALL_MARGIN = 120  # seconds beyond the time limit before a rendering report counts as stopped
QUEUE_PATIENCE = 1800  # seconds a report may wait for a free renderer (see REPORT_CONCURRENCY)


class ReportError(ValueError):
    """A report request or step that cannot be carried out; the message says what is wrong."""


def _actor_label(actor: Any, actor_label: str | None) -> str:
    return actor_label or (actor.email if actor is not None else "system")


def request_report(
    *,
    session: Session,
    study: Study,
    kind: ReportKind,
    account: Account | None = None,
    language: Language | None = None,
    actor: Any = None,
    actor_label: str | None = None,
) -> Report:
    """Queue a new report (the next version for its study, kind, account and language); flushes.

    Reports exist from the analyse phase on. Without a language, the supplier's report language is used.
    """
    if study.phase not in REPORTING_PHASES:
        raise ReportError(
            _l("Reports can be made from the analyse phase on; this study is still in an earlier phase.")
        )
    if kind is ReportKind.ACCOUNT:
        if account is None:
            raise ReportError(_l("Choose the account the report is about."))
        in_scope = session.get(StudyAccount, (study.id, account.id))
        if in_scope is None or account.supplier_id != study.supplier_id:
            raise ReportError(_l("The account %(name)s is not in this study's scope.", name=account.name))
    elif account is not None:
        raise ReportError(_l("A portfolio report covers every account; it is not about one account."))
    chosen = language or study.supplier.report_language
    latest = session.scalar(
        select(func.max(Report.version)).where(
            Report.study_id == study.id,
            Report.kind == kind,
            Report.account_id.is_(None) if account is None else Report.account_id == account.id,
            Report.language == chosen,
        )
    )
    report = Report(
        study_id=study.id,
        account_id=None if account is None else account.id,
        kind=kind,
        language=chosen,
        version=(latest or 0) + 1,
        status=ReportStatus.QUEUED,
        created_by_id=actor.id if actor is not None else None,
        created_by_label=_actor_label(actor, actor_label)[:254],
        created_at=utcnow(),
    )
    session.add(report)
    session.flush()
    record(
        session=session,
        action="report.requested",
        actor=actor,
        actor_label=actor_label,
        obj=report,
        supplier_id=study.supplier_id,
        details={"kind": kind.value, "account": account.name if account else None, "language": chosen.value},
    )
    return report


def claim_for_rendering(*, session: Session, report_id: int, now: datetime | None = None) -> Report | None:
    """Move a queued report to `rendering` (compare-and-set: one renderer per report); None if not queued."""
    result = session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status == ReportStatus.QUEUED)
        .values(status=ReportStatus.RENDERING, started_at=now or utcnow())
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    session.flush()
    return session.get(Report, report_id, populate_existing=True)


def store_pdf(
    *, session: Session, report: Report, pdf: bytes, pages: int, now: datetime | None = None
) -> Report:
    """Keep a finished PDF with its SHA-256; the report is ready."""
    report.pdf = pdf
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.pages = pages
    report.status = ReportStatus.READY
    report.finished_at = now or utcnow()
    report.failure_code = report.failure_detail = None
    session.flush()
    return report


def mark_failed(
    *, session: Session, report_id: int, code: str, detail: str | None = None, now: datetime | None = None
) -> bool:
    """Record why a pending report failed; False when it is no longer pending (it finished or failed)."""
    result = session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status.in_(PENDING_STATUSES))
        .values(
            status=ReportStatus.FAILED,
            failure_code=code,
            failure_detail=(detail or "")[:MAX_DETAIL] or None,
            finished_at=now or utcnow(),
        )
    )
    session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def requeue_stalled(*, session: Session, now: datetime, time_limit: float) -> list[int]:
    """Put back in the queue the reports whose renderer died mid-render (a restart, a killed process):
    `rendering` for longer than the time limit plus `STALL_MARGIN`. A compare-and-set on the status and the
    claim time, so a renderer that is still alive and finishes first keeps its result; returns their ids."""
    requeued = session.scalars(
        update(Report)
        .where(
            Report.status == ReportStatus.RENDERING,
            Report.started_at < now - timedelta(seconds=time_limit + STALL_MARGIN),
        )
        .values(status=ReportStatus.QUEUED, started_at=None)
        .returning(Report.id)
    ).all()
    session.flush()
    return sorted(requeued)


def is_stalled(report: Report, *, now: datetime, time_limit: float) -> bool:
    """A pending report whose renderer is gone (the server restarted, say): rendering for longer than the time
    limit plus two minutes, or still waiting for a renderer after the time limit plus half an hour."""
    if report.status is ReportStatus.RENDERING and report.started_at is not None:
        return report.started_at < now - timedelta(seconds=time_limit + STALL_MARGIN)
    if report.status is ReportStatus.QUEUED:
        return report.created_at < now - timedelta(seconds=time_limit + QUEUE_PATIENCE)
    return False


def approve_report(
    *, session: Session, report: Report, actor: Any, providers: Iterable[Callable[..., Any]] | None = None
) -> Report:
    """A researcher approves a ready report: from now on account teams may see it and it may be sent. An
    outdated report (`reporting.sources`: the data it was made from has changed) is refused: render it again.
    `providers`: the optional report sections in use (default: the built-in ones)."""
    if actor is None or not is_staff(actor):
        raise ReportError(_l("Only a researcher can approve a report."))
    if report.status is not ReportStatus.READY:
        raise ReportError(_l("Only a report that is ready can be approved."))
    if report.approved_at is not None:
        raise ReportError(_l("This report is already approved."))
    refuse_if_outdated(session=session, report=report, providers=providers)
    report.approved_by_id = actor.id
    report.approved_at = utcnow()
    session.flush()
    record(
        session=session,
        action="report.approved",
        actor=actor,
        obj=report,
        supplier_id=report.study.supplier_id,
        details={"sha256": report.sha256},
    )
    return report


def refuse_if_outdated(
    *, session: Session, report: Report, providers: Iterable[Callable[..., Any]] | None = None
) -> None:
    """ReportError when the data the report was made from has changed since (or was not recorded)."""
    chosen = section_providers(BUILT_IN_PROVIDERS) if providers is None else providers
    try:
        changed = sources.outdated_parts(
            session=session, study=report.study, reports=[report], providers=chosen
        )
    except AnalysisError as exc:  # what it rests on cannot be analysed now: nothing to approve or send
        raise ReportError(str(exc)) from exc
    if changed.get(report.id):
        raise ReportError(
            _l(
                "This report is outdated: what it was made from has changed since (%(parts)s). Render it again, "
                "then approve and send the new version.",
                parts=", ".join(str(sources.part_label(part)) for part in changed[report.id]),
            )
        )


def commentary_text(*, session: Session, study: Study, account: Account | None) -> str:
    row = session.scalar(_commentary_query(study, account))
    return row.text if row is not None else ""


def _commentary_query(study: Study, account: Account | None) -> Any:
    statement = select(ReportCommentary).where(ReportCommentary.study_id == study.id)
    if account is None:
        return statement.where(ReportCommentary.account_id.is_(None))
    return statement.where(ReportCommentary.account_id == account.id)


def save_commentary(
    *, session: Session, study: Study, account: Account | None, text: str, actor: Any
) -> ReportCommentary:
    """Set the researcher's commentary for an account (or, without one, the portfolio); flushes."""
    clean = text.replace("\r\n", "\n").strip()
    if len(clean) > MAX_COMMENTARY:
        raise ReportError(_l("The commentary may have at most %(n)d characters.", n=MAX_COMMENTARY))
    if account is not None and session.get(StudyAccount, (study.id, account.id)) is None:
        raise ReportError(_l("The account %(name)s is not in this study's scope.", name=account.name))
    row = session.scalar(_commentary_query(study, account))
    if row is None:
        row = ReportCommentary(study_id=study.id, account_id=None if account is None else account.id)
        session.add(row)
    row.text = clean
    row.updated_by_id = actor.id if actor is not None else None
    row.updated_at = utcnow()
    session.flush()
    record(
        session=session,
        action="report.commentary_saved",
        actor=actor,
        obj=row,
        supplier_id=study.supplier_id,
        details={"account": account.name if account else None, "length": len(clean)},
    )
    return row
