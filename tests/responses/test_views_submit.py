"""Submitting: idempotent (enforced by a compare-and-set in the database), reopening with history kept, the
deadline (end of that day in the study's time zone), required answers checked across pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.enums import Perspective, ResponseMode
from surveyapp.invitations.models import Invitation
from surveyapp.responses import services
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Response
from tests.responses.conftest import (
    ABOUT,
    ALL_TYPES,
    FIT,
    LOYALTY,
    count,
    events,
    filled,
    location,
    stored,
    submissions,
    text_of,
    the_response,
)
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def answered(browser) -> None:
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        browser.save(section, data)


def test_submit_twice_gives_one_completion_and_both_see_the_thank_you_page(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)

    first, second = browser.submit(), browser.submit()

    assert [(r.status_code, location(r)) for r in (first, second)] == [(303, f"{browser.base}/done")] * 2
    assert (the_response(db).status, len(submissions(db))) == (COMPLETED, 1)
    assert events(db, invitation.id) == [("started", None), ("completed", None)]


def test_submit_after_completion_a_page_post_changes_nothing(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    answered(browser)
    browser.submit()
    before = stored(db)

    late = browser.save("about", {**ABOUT, "q-name": "Changed"})
    page = browser.page("about")

    assert [(r.status_code, location(r)) for r in (late, page)] == [(303, f"{browser.base}/done")] * 2
    assert stored(db) == before


def test_submit_reopen_change_and_submit_again_keeps_one_response_with_history(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    browser.submit()
    first_time = the_response(db).submitted_at

    done = text_of(browser.get("/done"))
    reopened = browser.post("/reopen")
    review = text_of(browser.get("/review"))
    browser.save("fit", {**FIT, "q-needs": "2"}, action="next")
    in_between = (the_response(db).status, stored(db)["needs"])
    browser.submit()

    response = the_response(db)
    history = submissions(db)
    assert "Change my answers" in done
    assert (reopened.status_code, location(reopened)) == (303, f"{browser.base}/review")
    assert "You can change your answers now. Your earlier answers still count" in review
    assert in_between == (COMPLETED, "4")
    assert count(db, Response) == 1
    assert (response.status, response.submitted_at > first_time) == (COMPLETED, True)
    assert [(s.number, s.answers["needs"]) for s in history] == [(1, "4"), (2, "2")]
    assert history[0].submitted_at == first_time
    assert [status for status, _ in events(db, invitation.id)] == [
        "started",
        "completed",
        "started",
        "completed",
    ]
    assert events(db, invitation.id)[2] == ("started", services.REOPENED_DETAIL)


def test_submit_reopen_twice_reopens_once(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    browser.submit()

    first, second = browser.post("/reopen"), browser.post("/reopen")

    assert [location(r) for r in (first, second)] == [f"{browser.base}/review"] * 2
    assert [status for status, _ in events(db, invitation.id)] == ["started", "completed", "started"]


def test_submit_with_a_required_question_unanswered_goes_to_its_page(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    browser.save("fit", FIT)
    browser.save("loyalty", {"q-statements-clear": "2"}, action="back")  # the required nps is still open

    review = text_of(browser.get("/review"))
    refused = browser.submit()
    page = text_of(browser.page("loyalty"))

    assert "This question needs an answer." in review
    assert (refused.status_code, location(refused)) == (303, f"{browser.base}/page/loyalty")
    assert "Some questions still need an answer before you can submit." in page
    assert the_response(db).status == IN_PROGRESS


def test_submit_without_any_saved_page_goes_to_the_start(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    response = browser.submit()

    assert (response.status_code, location(response)) == (303, browser.base)
    assert count(db, Response) == 0


def test_submit_after_the_deadline_is_refused_clearly_and_writes_nothing(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    setup.study.deadline = date.today() - timedelta(days=2)
    db.session.commit()

    refused = browser.submit()
    save = browser.save("about", {**ABOUT, "q-name": "Too late"})

    assert refused.status_code == 410
    assert "This survey has closed" in text_of(refused)
    assert "Nothing from this last step has been saved." in text_of(refused)
    assert save.status_code == 410
    assert (the_response(db).status, submissions(db), stored(db)["name"]) == (IN_PROGRESS, [], "Ann")
    assert events(db, invitation.id) == [("started", None)]


def test_submit_reopen_after_the_deadline_is_refused_and_the_response_stays_complete(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    answered(browser)
    browser.submit()
    setup.study.deadline = date.today() - timedelta(days=2)
    db.session.commit()

    done = text_of(browser.get("/done"))
    refused = browser.post("/reopen")

    assert "Change my answers" not in done
    assert refused.status_code == 410
    assert the_response(db).status == COMPLETED


@pytest.mark.parametrize(
    ("local", "closed"),
    [(datetime(2030, 3, 31, 23, 59, 59), False), (datetime(2030, 4, 1, 0, 0, 0), True)],
)
def test_submit_deadline_is_the_end_of_that_day_in_the_study_time_zone(
    db, survey_study, make_invitation, respondent, local, closed
):
    setup = survey_study(deadline=date(2030, 3, 31), time_zone="Pacific/Auckland")
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    now = local.replace(tzinfo=ZoneInfo("Pacific/Auckland")).astimezone(UTC)

    if closed:
        with pytest.raises(services.SurveyClosed):
            services.submit(session=db.session, invitation=invitation, questionnaire=ALL_TYPES, now=now)
    else:
        assert (
            services.submit(session=db.session, invitation=invitation, questionnaire=ALL_TYPES, now=now)
            is True
        )


def test_submit_after_a_completed_interview_is_refused_and_the_link_thanks_for_the_interview(
    db, survey_study, make_invitation, respondent
):
    # Arrange: Ben was interviewed about Globex three days ago (rule 19)
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    interview = Response(
        study_id=setup.study.id, contact_id=setup.ben.id, account_id=setup.globex_id,
        perspective=Perspective.CLIENT,
        mode=ResponseMode.INTERVIEW, questionnaire_version_id=invitation.study_questionnaire.version_id,
        status=COMPLETED, submitted_at=utcnow() - timedelta(days=3),
    )  # fmt: skip
    db.session.add(interview)
    db.session.commit()
    browser = respondent(invitation)

    # Act
    start = browser.get()
    save = browser.save("about", ABOUT)
    submit = browser.submit()

    # Assert: thanked for the interview (a submit without a survey goes back to that page); nothing stored
    assert [r.status_code for r in (start, save)] == [200, 200]
    assert (submit.status_code, location(submit)) == (303, browser.base)
    assert "Your interview about Globex has been received." in text_of(start)
    assert "Nothing from this last step has been saved." in text_of(save)
    rows = db.session.execute(select(Response.mode, Response.superseded).order_by(Response.id)).all()
    assert rows == [(ResponseMode.INTERVIEW, False)]


def test_submit_done_page_lists_the_staff_members_other_questionnaires(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    acme = make_invitation(setup.study, setup.sam, setup.acme_id, perspective=Perspective.SUPPLIER)
    globex = make_invitation(setup.study, setup.sam, setup.globex_id, perspective=Perspective.SUPPLIER)
    browser = respondent(globex)
    respondent(acme)
    questionnaire = browser.client.application.extensions["surveyapp.catalogue"].questionnaires[
        "fit-supplier"
    ]
    for section in questionnaire.sections:
        browser.save(section.key, filled(section))
    submitted = browser.submit()

    page = text_of(browser.get("/done"))

    assert location(submitted) == f"{browser.base}/done"
    assert the_response(db).perspective == Perspective.SUPPLIER
    assert f'<a href="/survey/{acme.id}">Acme BV</a>' in page
    assert "still to do" in page
    assert db.session.get(Invitation, globex.id).completed_at is not None
