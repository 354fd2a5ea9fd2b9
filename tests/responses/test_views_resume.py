"""Save as you go: Back and "finish later" save without requiring answers; leaving and coming back through the
link resumes where the respondent was, with the answers filled in; access only through the personal link."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.invitations.models import Invitation
from surveyapp.responses.models import Response
from tests.responses.conftest import ABOUT, FIT, checked, count, events, location, stored, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def test_resume_through_the_link_continues_on_the_page_left_with_answers_filled_in(
    app, db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    browser.save("about", ABOUT)
    browser.save("fit", {"q-needs": "4"}, action="later")

    other_browser = app.test_client()
    resumed = respondent(invitation, target=other_browser)
    start = text_of(resumed.get())
    page = text_of(resumed.page("fit"))

    assert "Welcome back." in start
    assert f'href="/survey/{invitation.id}/page/fit">Continue</a>' in start
    assert checked(page) == ["q-needs-3"]
    assert db.session.scalar(select(Response.current_section)) == "fit"


def test_resume_earlier_page_shows_its_answers_again(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)

    page = text_of(browser.page("about"))

    assert checked(page) == ["q-role-1"]
    assert 'name="q-hours" type="text" value="12.5"' in page
    assert 'name="q-since" type="date" value="2019-05-01"' in page


def test_resume_back_saves_without_requiring_answers(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)

    back = browser.save("fit", {"q-workarounds": "6"}, action="back")
    to_start = browser.save("about", {**ABOUT, "q-name": "Annie"}, action="back")

    assert (back.status_code, location(back)) == (303, f"{browser.base}/page/about")
    assert (to_start.status_code, location(to_start)) == (303, f"{browser.base}")
    assert (stored(db)["workarounds"], stored(db)["name"]) == ("6", "Annie")


def test_resume_finish_later_saves_and_says_how_to_come_back(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    later = browser.save("about", {"q-name": "Ann"}, action="later")
    page = text_of(browser.get("/saved"))

    assert location(later) == f"{browser.base}/saved"
    assert "open the link in your invitation email again" in page
    assert "The survey is open until December 31, 2099." in page
    assert stored(db) == {"name": "Ann"}


def test_resume_first_save_creates_the_response_once_and_marks_started(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)

    shown = browser.page("about")
    before = count(db, Response)
    browser.save("about", {"q-role": "user"})
    browser.save("about", ABOUT)

    assert (shown.status_code, before, count(db, Response)) == (200, 0, 1)
    assert events(db, invitation.id) == [("started", None)]
    assert db.session.get(Invitation, invitation.id).started_at is not None


def test_resume_review_is_the_resume_point_after_the_last_page(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", {"q-recommend": "9"})):
        browser.save(section, data)

    start = text_of(browser.get())

    assert f'href="{browser.base}/review">Continue</a>' in start


def test_resume_without_access_every_page_is_404(db, survey_study, make_invitation, client):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    base = f"/survey/{invitation.id}"

    pages = [
        client.get(base + path).status_code for path in ("", "/page/about", "/review", "/done", "/saved")
    ]
    posts = [
        client.post_form(base + path).status_code
        for path in ("/page/about", "/submit", "/reopen", "/language")
    ]

    assert pages == [404] * 5
    assert posts == [404] * 4
    assert count(db, Response) == 0


def test_resume_post_without_a_session_is_the_404_page(db, survey_study, make_invitation, client):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)

    response = client.post(f"/survey/{invitation.id}/page/about", data={"q-role": "user", "action": "next"})

    assert response.status_code == 404
    assert "open the personal link in your invitation email again" in text_of(response)
    assert count(db, Response) == 0


def test_resume_access_to_one_invitation_is_not_access_to_another(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    mine = make_invitation(setup.study, setup.ben, setup.globex_id)
    theirs = make_invitation(setup.study, setup.anna, setup.acme_id)
    browser = respondent(mine)

    response = browser.client.get(f"/survey/{theirs.id}/page/about")

    assert response.status_code == 404


def test_resume_unknown_section_is_404(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    assert [browser.page("nope").status_code, browser.save("nope", {}).status_code] == [404, 404]


def test_resume_erased_contact_gets_404(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    setup.ben.erased_at = setup.ben.created_at
    db.session.commit()

    assert browser.get().status_code == 404


def test_resume_staff_opening_a_survey_address_gets_the_preview(
    db, survey_study, make_invitation, make_user, login, client
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    login(make_user())

    response = client.get(f"/survey/{invitation.id}")

    assert location(response) == f"/studies/{setup.study.slug}/preview/all-types?account={setup.globex_id}"
