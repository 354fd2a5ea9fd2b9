"""The interview screen in a real Chromium (CSP enforced): scores entered with the number keys, notes typed,
everything autosaved with a visible status, a reload (and a fresh browser) showing it all again; the screen
passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.interviews.models import InterviewNote
from surveyapp.responses.models import Answer
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_survey_browser import audit
from tests.interviews.conftest import fieldwork, plan, researcher, started  # noqa: F401

pytestmark = pytest.mark.e2e
SAVED = "() => document.getElementById('save-status').textContent.startsWith('All changes saved')"
NOTES = "Said: <script>alert('x')</script> & \"more\"\nSecond line."


def _log_in(context: Any, url: str, email: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def _watch_csp(page: Any) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return blocked


def _wait_saved(page: Any) -> None:
    page.wait_for_function(SAVED, timeout=10_000)


def test_interview_browser_keyboard_scores_and_autosave_survive_a_reload(
    db,
    app,
    live,
    browser,
    axe_script,
    fieldwork,  # noqa: F811
    researcher,  # noqa: F811
    started,  # noqa: F811
):
    work = fieldwork()
    interview_id, email, slug = started(work, researcher).id, researcher.email, work.study.slug
    db.session.commit()  # SQLite: hold no lock (no ORM access either) while the browser works
    context = browser.new_context(viewport=DESKTOP)
    page = _log_in(context, live.url, email)
    blocked = _watch_csp(page)
    page.goto(f"{live.url}/interviews/{interview_id}/topics/needs")
    assert page.inner_text("#save-status") == "Changes are saved as you go."
    page.wait_for_function(
        "() => document.querySelector('[data-timer-start]').textContent.includes('Time elapsed')"
    )

    # Scores by number keys: the focus moves on to the next scale after each digit.
    page.focus("#q-needs_1-0")
    page.keyboard.press("4")
    assert page.evaluate("() => document.activeElement.name") == "q-needs_2"
    page.keyboard.press("5")
    page.keyboard.press("2")
    page.keyboard.press("9")  # not on the 1-5 scale: refused with a message, nothing changes
    assert page.inner_text("#save-status") == "9 is not on this scale."
    _wait_saved(page)

    # Notes typed into the box are saved as they are typed, exactly.
    page.click("#note-needs_1")
    page.keyboard.type(NOTES)
    _wait_saved(page)
    page.wait_for_function(
        "() => document.querySelector('[data-topic=needs] [data-state-label]').textContent === 'done'"
    )

    # A reload shows everything again, from the server.
    page.reload()
    assert (
        page.is_checked("#q-needs_1-3")
        and page.is_checked("#q-needs_2-4")
        and page.is_checked("#q-needs_3-1")
    )
    assert page.input_value("#note-needs_1") == NOTES
    assert page.inner_text("[data-topic=needs] [data-state-label]") == "done"

    # 0-10: "1" then "0" is a 10.
    page.goto(f"{live.url}/interviews/{interview_id}/topics/future")
    page.focus("#q-rel_nps-0")
    page.keyboard.press("1")
    page.keyboard.press("0")
    assert page.is_checked("#q-rel_nps-10")
    _wait_saved(page)
    context.close()

    # Closing the browser halfway: a fresh one continues on the topic where it stopped.
    second = browser.new_context(viewport=MOBILE, bypass_csp=True)
    page = _log_in(second, live.url, email)
    page.goto(f"{live.url}/interviews/{interview_id}/continue")
    assert page.url.endswith(f"/interviews/{interview_id}/topics/future")
    assert page.is_checked("#q-rel_nps-10")
    page.goto(f"{live.url}/interviews/{interview_id}/topics/needs")
    assert page.input_value("#note-needs_1") == NOTES
    audit(page, axe_script, "interview topic")
    for where in (
        f"/studies/{slug}/interviews",
        f"/interviews/{interview_id}",
        f"/interviews/{interview_id}/guide",
        f"/interviews/{interview_id}/complete",
        "/interviews",
    ):
        page.goto(live.url + where)
        audit(page, axe_script, where)
    second.close()

    answers = dict(db.session.execute(select(Answer.item_key, Answer.value)).all())
    notes = db.session.scalars(select(InterviewNote.text)).all()
    db.session.commit()
    assert answers == {"needs_1": "4", "needs_2": "5", "needs_3": "2", "rel_nps": "10"}
    assert notes == [NOTES]
    assert blocked == []
