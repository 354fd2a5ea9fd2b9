"""Report services: versions, the phase and scope guards, approval, failures, the researcher's commentary."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.audit.models import AuditEvent
from surveyapp.db import utcnow
from surveyapp.enums import Language, Phase, Role
from surveyapp.reporting import failures
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import (
    ReportError,
    approve_report,
    claim_for_rendering,
    commentary_text,
    is_stalled,
    mark_failed,
    request_report,
    save_commentary,
)
from surveyapp.studies import scope
from surveyapp.studies.models import Account
from tests.reporting.studies import mark_rendered


def _account(db, name="Noordzee Havenbedrijf"):
    return db.session.scalar(select(Account).where(Account.name == name))


def _ready(db, report):
    return mark_rendered(db.session, report)


def test_request_report_numbers_versions_per_kind_account_and_language(db, answered_study):
    study = answered_study(language=Language.NL)
    account = _account(db)

    first = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account)
    second = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account)
    english = request_report(
        session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account, language=Language.EN
    )
    portfolio = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)

    assert [(r.version, r.language, r.status) for r in (first, second, english, portfolio)] == [
        (1, Language.NL, ReportStatus.QUEUED),
        (2, Language.NL, ReportStatus.QUEUED),
        (1, Language.EN, ReportStatus.QUEUED),
        (1, Language.NL, ReportStatus.QUEUED),
    ]
    assert (
        db.session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "reports", AuditEvent.object_id == first.id
            )
        )
        == "report.requested"
    )


def test_request_report_before_the_analyse_phase_is_refused(db, answered_study):
    study = answered_study()
    study.phase = Phase.INTERVIEW

    with pytest.raises(ReportError) as raised:
        request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)

    assert (
        str(raised.value)
        == "Reports can be made from the analyse phase on; this study is still in an earlier phase."
    )


def test_request_report_for_an_account_outside_the_scope_is_refused(db, answered_study, make_study):
    study = answered_study()
    other = make_study(supplier=study.supplier)
    outside = scope.add_account(session=db.session, study=other, name="Elsewhere BV", actor=None).account

    with pytest.raises(ReportError) as raised:
        request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=outside)

    assert str(raised.value) == "The account Elsewhere BV is not in this study's scope."


def test_claim_for_rendering_happens_once(db, answered_study):
    report = request_report(session=db.session, study=answered_study(), kind=ReportKind.PORTFOLIO)

    first = claim_for_rendering(session=db.session, report_id=report.id)
    second = claim_for_rendering(session=db.session, report_id=report.id)

    assert first is not None and first.status is ReportStatus.RENDERING
    assert second is None


def test_mark_failed_only_touches_pending_reports(db, answered_study):
    study = answered_study()
    pending = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)
    done = _ready(db, request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO))

    assert mark_failed(session=db.session, report_id=pending.id, code=failures.TIME_LIMIT, detail="300 s")
    assert not mark_failed(session=db.session, report_id=done.id, code=failures.TIME_LIMIT)
    db.session.expire_all()
    assert (pending.status, pending.failure_code, pending.failure_detail) == (
        ReportStatus.FAILED,
        failures.TIME_LIMIT,
        "300 s",
    )
    assert done.status is ReportStatus.READY


def test_store_pdf_keeps_the_sha256(db, answered_study):
    report = _ready(db, request_report(session=db.session, study=answered_study(), kind=ReportKind.PORTFOLIO))

    assert report.sha256 == hashlib.sha256(b"%PDF-1.7 test").hexdigest()
    assert (report.size, report.pages, report.status) == (13, 1, ReportStatus.READY)


def test_is_stalled_after_the_time_limit_and_a_margin(db, answered_study):
    queued = request_report(session=db.session, study=answered_study(), kind=ReportKind.PORTFOLIO)
    rendering = request_report(session=db.session, study=queued.study, kind=ReportKind.PORTFOLIO)
    claim_for_rendering(session=db.session, report_id=rendering.id)
    created, started = queued.created_at, rendering.started_at

    assert not is_stalled(queued, now=created + timedelta(seconds=2100), time_limit=300)
    assert is_stalled(queued, now=created + timedelta(seconds=2101), time_limit=300)
    assert not is_stalled(rendering, now=started + timedelta(seconds=420), time_limit=300)
    assert is_stalled(rendering, now=started + timedelta(seconds=421), time_limit=300)


def test_approve_report_needs_a_researcher_and_a_ready_report(db, answered_study, make_user):
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    queued = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)
    ready = _ready(db, request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO))

    with pytest.raises(ReportError, match=r"Only a report that is ready can be approved\."):
        approve_report(session=db.session, report=queued, actor=researcher)
    with pytest.raises(ReportError, match=r"Only a researcher can approve a report\."):
        approve_report(session=db.session, report=ready, actor=member)
    approve_report(session=db.session, report=ready, actor=researcher)
    with pytest.raises(ReportError, match=r"This report is already approved\."):
        approve_report(session=db.session, report=ready, actor=researcher)

    assert ready.approved_by_id == researcher.id
    assert utcnow() - ready.approved_at < timedelta(minutes=1)


def test_save_commentary_per_account_and_for_the_portfolio(db, answered_study, make_user):
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    account = _account(db)

    save_commentary(
        session=db.session, study=study, account=account, text="  First.\r\n\r\nSecond.  ", actor=researcher
    )
    save_commentary(session=db.session, study=study, account=None, text="Portfolio view.", actor=researcher)
    save_commentary(
        session=db.session, study=study, account=None, text="Portfolio, revised.", actor=researcher
    )

    assert commentary_text(session=db.session, study=study, account=account) == "First.\n\nSecond."
    assert commentary_text(session=db.session, study=study, account=None) == "Portfolio, revised."
    assert commentary_text(session=db.session, study=study, account=_account(db, "Stadsbank Utrecht")) == ""


def test_save_commentary_refuses_an_overlong_text(db, answered_study, make_user):
    study = answered_study()

    with pytest.raises(ReportError, match="at most 20000 characters"):
        save_commentary(
            session=db.session,
            study=study,
            account=None,
            text="x" * 20_001,
            actor=make_user(Role.RESEARCHER, all_suppliers=True),
        )


def test_the_report_row_refuses_an_account_report_without_an_account(db, answered_study):
    study = answered_study()
    db.session.add(Report(study_id=study.id, kind=ReportKind.ACCOUNT, language=Language.EN, account_id=None))

    with pytest.raises(IntegrityError, match="account_matches_kind"):
        db.session.flush()
    db.session.rollback()
