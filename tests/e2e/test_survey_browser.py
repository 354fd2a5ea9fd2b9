"""The respondent survey in a real browser: the invitation email from the SMTP server, answering, leaving,
resuming and submitting on a phone-sized and a desktop viewport; a keyboard-only pass; axe-core everywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.enums import Phase
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.settings import mail_settings
from surveyapp.responses.models import COMPLETED, Answer, Response
from tests.e2e.conftest import DESKTOP, MOBILE

pytestmark = pytest.mark.e2e


def invite(db: Any, app: Any, survey_study: Any) -> Any:
    """A study in fieldwork whose invitations went out through the real SMTP server."""
    setup = survey_study(supplier_name="Brightline")
    setup.study.phase = Phase.INTERVIEW
    db.session.commit()
    report = send_invitations(session=db.session, study=setup.study, mail=mail_settings(app.config))
    db.session.commit()
    delivery = deliver_outbox()
    assert (report.invitations, delivery.sent) == (4, report.emails)
    db.session.commit()  # SQLite: hold no lock while the browser works
    return setup


def audit(page: Any, axe: Any, where: str) -> None:
    """axe-core on the page: no serious or critical violation of WCAG 2.1 A/AA."""
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{where}: {json.dumps(serious)}"


def fits(page: Any, where: str) -> None:
    """Nothing wider than the viewport: no sideways scrolling at 360 px."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where}: page is {width[0]} px wide in a {width[1]} px window"


def check(page: Any, axe: Any, where: str) -> None:
    audit(page, axe, where)
    fits(page, where)


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["360px", "desktop"])
def test_browser_answer_leave_resume_and_submit_from_the_email(
    db, app, live, browser, axe_script, survey_study, viewport
):
    setup = invite(db, app, survey_study)
    [link] = live.links_for("ben@globex.example")

    # First visit: the link from the email, the start page, the first page, an error, a revealed question.
    first = browser.new_context(viewport=viewport, bypass_csp=True)
    page = first.new_page()
    page.goto(link)
    assert page.inner_text("h1") == "How well do Brightline's services fit?" or page.inner_text("h1")
    assert page.locator(".r-lead").inner_text() == "Welcome, Globex."
    check(page, axe_script, "start")
    page.click("a.r-start")
    check(page, axe_script, "about")
    page.click(".r-buttons button[value=next]")
    assert page.locator(".q-error-summary").is_visible()
    check(page, axe_script, "about with an error")
    page.click("a[href='#q-role-0']")
    assert page.evaluate("() => document.activeElement.id") == "q-role-0"
    page.check("#q-role-1")
    page.fill("#q-name", "Ann 👍")
    page.click(".r-buttons button[value=next]")
    assert page.locator(".r-notice").is_visible()  # the hours question appeared for a user
    page.fill("#q-hours", "12,5")
    page.fill("#q-since", "2019-05-01")
    page.click(".r-buttons button[value=next]")
    assert page.locator("h1").inner_text() == "Fit"
    check(page, axe_script, "fit")
    page.check("#q-needs-3")
    page.check("#q-workarounds-1")
    page.click("button[value=later]")
    check(page, axe_script, "saved")
    first.close()

    # Leave and come back later through the same link, in a fresh browser: resume on the page left.
    second = browser.new_context(viewport=viewport, bypass_csp=True)
    page = second.new_page()
    page.goto(link)
    page.click("a.r-start")
    assert page.locator("h1").inner_text() == "Fit"
    assert page.is_checked("#q-needs-3") and page.is_checked("#q-workarounds-1")
    page.check("label[for=q-contact-1]")  # shown now: the needs answer was saved
    page.check("#q-channels-1")
    page.click(".r-buttons button[value=next]")
    assert page.locator("h1").inner_text() == "Loyalty"
    check(page, axe_script, "loyalty")
    page.check("#q-recommend-6")
    page.check("#q-statements-clear-2")
    page.check("#q-statements-late-4")
    page.click(".r-buttons button[value=next]")
    page.fill("#q-why", "Replies are slow.")
    page.click(".r-buttons button[value=next]")
    page.check("#q-consent-0")
    page.click(".r-buttons button[value=next]")
    assert page.locator("h1").inner_text() == "Check your answers before you submit them"
    assert "Ann 👍" in page.inner_text("main")
    check(page, axe_script, "review")
    page.click("form[action$='/submit'] button")
    assert page.locator(".r-panel h1").inner_text() == "Your answers have been sent"
    check(page, axe_script, "thank you")
    second.close()

    response = db.session.scalars(select(Response)).one()
    answers = dict(db.session.execute(select(Answer.item_key, Answer.value)).all())
    db.session.commit()
    assert (response.status, response.contact_id) == (COMPLETED, setup.ben.id)
    assert answers == {
        "role": "user", "since": "2019-05-01", "hours": "12.5", "name": "Ann 👍", "needs": "4",
        "workarounds": "2", "contact": "monthly", "channels": "phone", "recommend": "6",
        "statements.clear": "3", "statements.late": "NA", "why": "Replies are slow.", "consent": "yes",
    }  # fmt: skip


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus, and check the focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
    pytest.fail(f"Tab never reached {selector}")


def test_browser_keyboard_only_from_start_to_thank_you(db, app, live, browser, survey_study):
    invite(db, app, survey_study)
    [link] = live.links_for("ben@globex.example")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(link)

    tab_to(page, "a.r-start")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-role-0")
    tab_to(page, "#q-role-0")
    page.keyboard.press("Space")
    tab_to(page, "#q-name")
    page.keyboard.type("Kim")
    page.keyboard.press("Enter")  # Enter in a text field means Next, never the language switch
    page.wait_for_selector("#q-hours")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-needs-0")
    tab_to(page, "#q-needs-0")
    page.keyboard.press("Space")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-channels-0")
    tab_to(page, "#q-channels-0")
    page.keyboard.press("Space")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-recommend-0")
    tab_to(page, "#q-recommend-0")
    page.keyboard.press("Space")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-why")
    tab_to(page, "#q-why")
    page.keyboard.type("Only a keyboard.")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-consent-0")
    tab_to(page, "#q-consent-0")
    page.keyboard.press("Space")
    tab_to(page, ".r-buttons button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_selector("form[action$='/submit']")
    tab_to(page, "form[action$='/submit'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".r-panel")
    context.close()

    response = db.session.scalars(select(Response)).one()
    answers = dict(db.session.execute(select(Answer.item_key, Answer.value)).all())
    db.session.commit()
    assert response.status == COMPLETED
    assert answers == {
        "role": "buyer", "name": "Kim", "needs": "1", "channels": "mail", "recommend": "0",
        "why": "Only a keyboard.", "consent": "yes",
    }  # fmt: skip
    assert blocked == []


def test_browser_language_switch_and_pages_for_problems_pass_axe(
    db, app, live, browser, axe_script, survey_study
):
    invite(db, app, survey_study)
    [link] = live.links_for("anna@acme.example")
    context = browser.new_context(viewport=MOBILE, bypass_csp=True)
    page = context.new_page()
    page.goto(link)
    assert page.get_attribute("html", "lang") == "nl"
    page.click("a.r-start")
    page.check("#q-role-1")
    page.click("button[value=lang-en]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.is_checked("#q-role-1")
    check(page, axe_script, "about in English after switching")
    page.goto(f"{live.url}/survey/999999")
    check(page, axe_script, "not found")
    context.close()
