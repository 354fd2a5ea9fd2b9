"""The dashboard in a real Chromium, without JavaScript of ours: a researcher opens the study dashboard of an
answered study, follows an account link to its page and back; axe-core reports no violation at all (WCAG 2.1
A/AA and best practice, every impact) on both pages, on a desktop and a 360 px viewport, and nothing is wider
than the window."""

from __future__ import annotations

import json
from typing import Any

import pytest

from surveyapp.enums import Role
from tests.conftest import PASSWORD
from tests.dashboard.conftest import dashboard_study  # noqa: F401 (a fixture)
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_survey_browser import fits

pytestmark = pytest.mark.e2e


def no_violations(page: Any, axe: Any, where: str) -> None:
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]
    assert found == [], f"{where}: {json.dumps(found)}"


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "360px"])
def test_dashboard_browser_matrix_to_account_and_back(
    db,
    app,
    live,
    browser,
    axe_script,
    make_user,
    dashboard_study,  # noqa: F811
    viewport,
):
    # Arrange: an answered study in the analyse phase and a researcher; no lock held while the browser works
    built = dashboard_study()
    slug = built.study.slug
    email = make_user(Role.RESEARCHER, all_suppliers=True).email
    db.session.commit()
    context = browser.new_context(viewport=viewport, bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live.url}/")

    # Act: the study page's link, the dashboard, an account from the matrix table, back to the dashboard
    page.goto(f"{live.url}/studies/{slug}")
    page.click("a[href$='/dashboard']")
    dashboard_heading = page.inner_text("h1")
    no_violations(page, axe_script, "dashboard")
    fits(page, "dashboard")
    matrix_loaded = page.evaluate("() => document.querySelector('.dash-chart img').naturalWidth > 0")
    page.click("table a:text-is('Beta Zorg')")
    account_heading = page.inner_text("h1")
    no_violations(page, axe_script, "account page")
    fits(page, "account page")
    mirror_loaded = page.evaluate("() => document.querySelector('.dash-chart img').naturalWidth > 0")
    page.click("main a:text-is('← Dashboard: Client fit 2026')")
    back = page.url
    page.goto(f"{live.url}/studies/{slug}/dashboard?segment=Care&role=Buyer")
    no_violations(page, axe_script, "filtered dashboard")
    fits(page, "filtered dashboard")
    context.close()

    # Assert
    assert dashboard_heading == "Dashboard: Client fit 2026"
    assert account_heading == "Beta Zorg"
    assert (matrix_loaded, mirror_loaded) == (True, True)
    assert back == f"{live.url}/studies/{slug}/dashboard"
