"""The one-page PDF of a check: rendered in the renderer child, its text read back with pypdf."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.deals.models import DealCheckPdf
from surveyapp.enums import DealPdfStatus, DealRater
from tests.deals.conftest import ANSWERS_A, ANSWERS_B


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    return len(reader.pages), " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_check_pdf_is_one_page_with_advice_conditions_and_reasons(
    db: Any,
    make_app: Callable[..., Any],
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "Harbour <Clinic> & Co", sales_owner="Sam")
    user = make_user()
    check = make_check(prospect, user, {**ANSWERS_B, "dc_notes": "<script>alert(1)</script> budget in Q3"})
    browser = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(user, target=browser)

    requested = browser.post_form(f"/checks/{check.id}/pdf", {"language": "en"})
    download = browser.get(requested.headers["Location"])

    row = db.session.scalars(select(DealCheckPdf)).one()
    pages, text = pdf_text(download.data)
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert (row.status, row.sha256) == (DealPdfStatus.READY, hashlib.sha256(download.data).hexdigest())
    assert pages == 1
    assert "Harbour <Clinic> & Co" in text
    assert "Go with conditions: agree these first" in text
    assert "Deal fit score 60.0 of 100 (go from 70, no-go below 50)." in text
    assert "Conditions to agree with the client before signing" in text
    assert "Fix the scope in writing, with a change procedure: who decides and what a change costs." in text
    assert "Weak point" in text
    assert "<script>alert(1)</script> budget in Q3" in text


def test_check_pdf_in_dutch(
    db: Any,
    make_app: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    user = make_user()
    check = make_check(make_prospect(name="Polder Data"), user, {**ANSWERS_B, "dc_standard": "their_way"})
    browser = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(user, target=browser)

    requested = browser.post_form(f"/checks/{check.id}/pdf", {"language": "nl"})
    pages, text = pdf_text(browser.get(requested.headers["Location"]).data)

    assert pages == 1
    assert "Nee, de prospect eist dat we volledig op zijn manier werken" in text


def test_check_pdf_with_both_raters_shows_the_stricter_advice_and_where_they_disagree(
    db: Any,
    make_app: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    # Arrange: sales (Pieter) says go (example A), delivery (Dana) go with conditions (example B)
    prospect = make_prospect(name="Polder Data")
    pieter, dana = make_user(name="Pieter Smit"), make_user(name="Dana Doe")
    make_check(prospect, pieter, ANSWERS_A)
    check = make_check(
        prospect, dana, {**ANSWERS_B, "dc_notes": "Capacity is tight in Q3."}, rater=DealRater.DELIVERY
    )
    browser = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(dana, target=browser)

    # Act
    requested = browser.post_form(f"/checks/{check.id}/pdf", {"language": "en"})
    pages, text = pdf_text(browser.get(requested.headers["Location"]).data)

    # Assert: one page; the rater by name and role; both views; the widest disagreements (5 of 8)
    assert pages == 1
    assert "Dana Doe (Delivery)" in text
    assert "Sales and delivery together: Go with conditions" in text
    assert "Sales: Go, 74.9 (Pieter Smit, " in text
    assert "Delivery: Go with conditions, 60.0 (Dana Doe, " in text
    assert "They do not agree: talk before you make an offer." in text
    assert "the first 5 of 8" in text
    assert (
        "Question Sales Delivery Why does the prospect want to work with us? Because of our name or a "
        "recommendation (70.0) Don't know (yet) (25.0) How firm is the scope of the work? Mostly clear (70.0)"
    ) in text
    assert "Notes from Dana Doe" in text


def test_check_pdf_stays_one_page_with_every_answer_weak_and_long_notes(
    db: Any,
    make_app: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    user = make_user()
    worst = {
        "dc_need": "partly",
        "dc_why_us": "price_or_availability",
        "dc_difference": "2",
        "dc_standard": "large_changes",
        "dc_scope": "shifting",
        "dc_quality": "3",
        "dc_effort": "much_more",
        "dc_budget": "too_low",
        "dc_decision": "unclear",
        "dc_risk": "manageable",
        "dc_chemistry": "stiff",
        "dc_energy": "2",
        "dc_horizon": "cheapest_once",
        "dc_reference": "revenue_only",
        "dc_notes": "Long story. " * 300,
    }
    check = make_check(make_prospect(name="W" * 200), user, worst)
    browser = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(user, target=browser)

    requested = browser.post_form(f"/checks/{check.id}/pdf", {"language": "en"})
    pages, text = pdf_text(browser.get(requested.headers["Location"]).data)

    assert pages == 1
    assert "No-go: do not make an offer" in text


def test_the_deal_pages_never_load_the_renderer() -> None:
    # A fresh interpreter: the web side of the deal fit check never imports WeasyPrint (the child does).
    code = (
        "import sys\n"
        "from surveyapp.app import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'k' * 40, 'DATABASE_URL': 'sqlite://'})\n"
        "import surveyapp.deals.views, surveyapp.deals.check_views, surveyapp.deals.pdf\n"
        "import surveyapp.deals.report_sections, surveyapp.deals.exports\n"
        "heavy = ('weasyprint', 'surveyapp.reporting.pdf', 'surveyapp.reporting.rendering')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
