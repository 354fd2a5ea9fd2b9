"""Reports in a real Chromium, without any JavaScript of ours: a researcher asks for a portfolio report, the page
says it is being prepared and reloads itself until the report is ready, and the PDF downloads; the report
pages pass axe-core (injected, so the page's CSP is bypassed for it) and fit a phone's width."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.enums import Role
from surveyapp.reporting.models import Report, ReportStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_survey_browser import check
from tests.reporting.studies import answered_study_factory

pytestmark = pytest.mark.e2e


def _log_in(context: Any, url: str, email: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_reports_browser_request_wait_and_download(
    db, request, app, live, browser, axe_script, make_user, tmp_path: Path
):
    # Arrange: a study with answers, a researcher; this test's session holds no lock while the browser works
    study = answered_study_factory(
        db, request.getfixturevalue("make_study"), request.getfixturevalue("make_supplier")
    )()
    slug = study.slug
    email = make_user(Role.RESEARCHER, all_suppliers=True).email
    db.session.commit()
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, bypass_csp=True)
    page = _log_in(context, live.url, email)

    # Act: ask for the portfolio report in Dutch
    page.goto(f"{live.url}/studies/{slug}/reports")
    check(page, axe_script, "reports page")
    page.select_option("#subject", "portfolio")
    page.select_option("#language", "nl")
    page.click("main form button[type=submit]")
    waiting = page.locator("main").inner_text()
    page.wait_for_selector("text=The report is ready.", timeout=120_000)  # reloaded by the Refresh header
    check(page, axe_script, "report page")
    with page.expect_download() as download_info:
        page.click("text=Download the PDF")
    saved = tmp_path / "report.pdf"
    download_info.value.save_as(saved)

    report = db.session.scalar(select(Report))
    stored = (report.id, report.status, report.sha256)
    db.session.rollback()  # end the read before the browser asks the server again
    phone = context.new_page()
    phone.set_viewport_size(MOBILE)
    phone.goto(f"{live.url}/reports/{stored[0]}")
    check(phone, axe_script, "report page on a phone")
    context.close()

    # Assert
    assert "The report is being prepared" in waiting or "The report is ready." in waiting
    assert stored[1] is ReportStatus.READY
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == stored[2]
    assert download_info.value.suggested_filename == "portfolio-report-fit-2025-nl-v1.pdf"
