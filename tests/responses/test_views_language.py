"""Language: the contact's own by default; the NL/EN switch saves the page first and keeps every answer."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.responses.models import Response
from tests.responses.conftest import ABOUT, checked, count, location, stored, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def test_language_defaults_to_the_contacts_own(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    dutch = respondent(make_invitation(setup.study, setup.anna, setup.acme_id))

    start = text_of(dutch.get())
    page = text_of(dutch.page("about"))

    assert '<html lang="nl">' in start
    assert "Welkom, Acme BV." in start
    assert "Wat is je rol?" in page
    assert '<span class="r-language-current" lang="nl" aria-current="true">Nederlands</span>' in page
    assert (
        '<button type="submit" name="action" value="lang-en" class="link-button" lang="en">English</button>'
        in page
    )


def test_language_switch_on_a_page_saves_first_and_keeps_the_answers(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.anna, setup.acme_id))

    switched = browser.save(
        "about", {"q-role": "user", "q-hours": "", "q-since": "", "q-name": "Anna"}, action="lang-en"
    )
    page = text_of(browser.page("about"))

    assert (switched.status_code, location(switched)) == (303, f"{browser.base}/page/about")
    assert stored(db) == {"name": "Anna", "role": "user"}
    assert '<html lang="en">' in page
    assert "What is your role?" in page
    assert checked(page) == ["q-role-1"]
    assert 'value="Anna"' in page
    assert db.session.scalar(select(Response.language)) == "en"


def test_language_switch_with_an_invalid_answer_shows_the_problem_and_saves_nothing(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.anna, setup.acme_id))

    refused = browser.save("about", {**ABOUT, "q-hours": "veel"}, action="lang-en")

    assert refused.status_code == 422
    assert '<html lang="nl">' in text_of(refused)
    assert 'value="veel"' in text_of(refused)
    assert count(db, Response) == 0


def test_language_switch_on_the_start_and_review_pages(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.anna, setup.acme_id))
    browser.save("about", ABOUT)

    from_start = browser.post("/language", {"lang": "en", "page": "start"})
    english = text_of(browser.get())
    from_review = browser.post("/language", {"lang": "nl", "page": "review"})
    elsewhere = browser.post("/language", {"lang": "de", "page": "https://evil.example/"})

    assert location(from_start) == browser.base
    assert "Welcome, Acme BV." in english
    assert location(from_review) == f"{browser.base}/review"
    assert location(elsewhere) == browser.base
    assert '<html lang="nl">' in text_of(browser.get("/review"))
