"""The coding pages in a real Chromium: themes added through the form, the queue coded with the keyboard
shortcuts of coding.js (announced in the live region) and saved with `s`; the pages pass axe-core and fit
360 px."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.coding.models import Theme, ThemeTag
from surveyapp.enums import Role
from tests.coding.conftest import coded_study  # noqa: F401 (a fixture)
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_survey_browser import check

pytestmark = pytest.mark.e2e


def _log_in(context: Any, url: str, email: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_coding_queue_with_the_keyboard(db, live, browser, axe_script, coded_study, make_user):  # noqa: F811
    # Arrange
    coded_study()
    email = make_user(Role.RESEARCHER, all_suppliers=True).email
    db.session.commit()
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = _log_in(context, live.url, email)
    page.goto(f"{live.url}/studies/fit-2025/coding")
    for name in ("Scope creep", "Speed"):
        page.fill("#name", name)
        page.click("main form button[type=submit]")
    check(page, axe_script, "coding page")

    # Act
    page.goto(f"{live.url}/studies/fit-2025/coding/queue?perspective=client")
    check(page, axe_script, "coding queue")
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.wait_for_function("() => document.getElementById('coding-status').textContent.includes('on')")
    announced = page.inner_text("#coding-status")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("1")
    page.keyboard.press("1")
    current = page.evaluate("() => document.activeElement.id")
    page.keyboard.press("s")
    page.wait_for_selector("text=Saved: 2 changes.")
    phone = context.new_page()
    phone.set_viewport_size(MOBILE)
    phone.goto(f"{live.url}/studies/fit-2025/coding/queue")
    check(phone, axe_script, "coding queue on a phone")
    context.close()

    # Assert
    themes = {t.name: t.id for t in db.session.scalars(select(Theme))}
    tags = sorted((tag.theme_id, tag.answer_id) for tag in db.session.scalars(select(ThemeTag)))
    db.session.rollback()
    assert announced == "Scope creep: on"
    assert current.startswith("item-a")
    assert [theme_id for theme_id, _answer in tags] == sorted([themes["Scope creep"], themes["Speed"]])
    assert len({answer for _theme, answer in tags}) == 2
