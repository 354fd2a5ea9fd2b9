"""Rule 19's drafts, from the respondent's side over HTTP: "change my answers" opens a draft on top of the
completed response; the answers sent keep counting until the changes are sent; a draft left alone, kept away
or closed by the move to analyse changes nothing; erasure takes a draft along."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.enums import InvitationStatus
from surveyapp.invitations.models import Invitation
from surveyapp.privacy.services import erase_contact
from surveyapp.responses import services
from surveyapp.responses.models import COMPLETED, ResponseDimensionSums, ResponseDraft
from surveyapp.responses.queries import progress
from tests.conftest import is_postgres
from tests.responses.conftest import (
    ABOUT,
    FIT,
    LOYALTY,
    events,
    location,
    stored,
    submissions,
    text_of,
    the_response,
)
from tests.responses.test_concurrency import at_once
from tests.studies.conftest import make_study, ready_study  # noqa: F401

STILL_COUNT = "Those answers still count until you send the changed ones."


def sent_and_reopened(survey_study, make_invitation, respondent):
    """Ben sent his answers (needs = 4) and pressed "Change my answers"."""
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        browser.save(section, data)
    browser.submit()
    browser.post("/reopen")
    return setup, invitation, browser


def sums(db) -> list[tuple[str, int, float]]:
    rows = db.session.execute(
        select(ResponseDimensionSums.dimension, ResponseDimensionSums.answered, ResponseDimensionSums.weighted)
        .order_by(ResponseDimensionSums.dimension)
    )  # fmt: skip
    return [tuple(row) for row in rows]


def test_draft_changes_count_for_nothing_until_sent(db, survey_study, make_invitation, respondent):
    # Arrange
    setup, invitation, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    counted, counted_sums = stored(db), sums(db)

    # Act: he changes a score and leaves without sending
    saved = browser.save("fit", {**FIT, "q-needs": "1"}, action="next")
    page = text_of(browser.page("fit"))
    review = text_of(browser.get("/review"))

    # Assert: the answers sent still count, everywhere the analysis and the study page read them
    assert saved.status_code == 303
    assert (the_response(db).status, stored(db), sums(db)) == (COMPLETED, counted, counted_sums)
    figures = progress(session=db.session, study=setup.study)[0]
    assert (figures.invited, figures.in_progress, figures.completed) == (1, 0, 1)
    assert db.session.get(Invitation, invitation.id).status is InvitationStatus.COMPLETED
    assert STILL_COUNT in page
    assert STILL_COUNT in review
    assert "Send my changed answers" in review
    assert db.session.scalar(select(ResponseDraft.answers))["needs"] == "1"


def test_draft_sent_replaces_the_answers_and_keeps_the_history(db, survey_study, make_invitation, respondent):
    # Arrange
    _, invitation, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    browser.save("fit", {**FIT, "q-needs": "1"}, action="next")

    # Act
    sent = browser.submit()
    done = text_of(browser.get("/done"))

    # Assert
    assert (sent.status_code, location(sent)) == (303, f"{browser.base}/done")
    assert (the_response(db).status, stored(db)["needs"]) == (COMPLETED, "1")
    assert [(s.number, s.answers["needs"]) for s in submissions(db)] == [(1, "4"), (2, "1")]
    assert db.session.scalars(select(ResponseDraft)).all() == []
    assert "Your answers have been sent" in done
    assert events(db, invitation.id)[-1] == ("completed", services.RESENT_DETAIL)


def test_draft_kept_away_leaves_the_answers_sent(db, survey_study, make_invitation, respondent):
    # Arrange
    _, invitation, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    counted = stored(db)
    browser.save("fit", {**FIT, "q-needs": "1"}, action="next")

    # Act
    kept = browser.post("/keep")
    done = text_of(browser.get("/done"))
    again = text_of(browser.get("/review"))

    # Assert
    assert (kept.status_code, location(kept)) == (303, f"{browser.base}/done")
    assert "Nothing was changed: the answers you sent before still stand." in done
    assert "Change my answers" in done
    assert "Send my changed answers" not in again
    assert (stored(db), len(submissions(db))) == (counted, 1)
    assert db.session.scalars(select(ResponseDraft)).all() == []
    assert events(db, invitation.id)[-1] == ("started", services.DISCARDED_DETAIL)


def test_draft_missing_a_required_answer_is_refused_and_changes_nothing(
    db, survey_study, make_invitation, respondent
):
    # Arrange: a draft without the required recommendation (a browser cannot empty a chosen radio button, so
    # the draft is edited here as a request crafted by hand could leave it)
    _, _, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    counted = stored(db)
    draft = db.session.scalar(select(ResponseDraft))
    draft.answers = {key: value for key, value in draft.answers.items() if key != "recommend"}
    db.session.commit()

    # Act
    refused = browser.submit()

    # Assert
    assert (refused.status_code, location(refused)) == (303, f"{browser.base}/page/loyalty")
    assert (the_response(db).status, stored(db), len(submissions(db))) == (COMPLETED, counted, 1)
    assert db.session.scalar(select(ResponseDraft.response_id)) == the_response(db).id


def test_draft_done_page_leads_back_to_the_changes(db, survey_study, make_invitation, respondent):
    # Arrange
    _, _, browser = sent_and_reopened(survey_study, make_invitation, respondent)

    # Act
    done = browser.get("/done")
    start = browser.get("")

    # Assert
    assert (done.status_code, location(done)) == (303, f"{browser.base}/review")
    assert start.status_code == 200


def test_draft_reopened_twice_opens_one_draft(db, survey_study, make_invitation, respondent):
    # Arrange
    _, invitation, browser = sent_and_reopened(survey_study, make_invitation, respondent)

    # Act
    again = browser.post("/reopen")

    # Assert
    assert (again.status_code, location(again)) == (303, f"{browser.base}/review")
    assert len(db.session.scalars(select(ResponseDraft)).all()) == 1
    assert [detail for _, detail in events(db, invitation.id)].count(services.REOPENED_DETAIL) == 1


def test_draft_goes_with_the_erased_contact(db, survey_study, make_invitation, respondent):
    # Arrange: a draft holding his words
    setup, _, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    browser.save("about", {**ABOUT, "q-name": "Words never sent"})

    # Act
    erase_contact(session=db.session, email=setup.ben.email, actor_label="test")
    db.session.commit()

    # Assert
    assert db.session.scalars(select(ResponseDraft)).all() == []


@pytest.mark.skipif(
    not is_postgres(), reason="PostgreSQL lets writers run side by side; SQLite one at a time"
)
def test_draft_sent_from_ten_tabs_at_once_is_sent_once(app, db, survey_study, make_invitation, respondent):
    # Arrange
    _, invitation, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    browser.save("fit", {**FIT, "q-needs": "1"}, action="next")
    token = browser.client.csrf_token()
    db.session.commit()

    # Act
    results = at_once(
        app, browser.client, 10, lambda c: c.post(f"{browser.base}/submit", data={"csrf_token": token})
    )

    # Assert
    assert [(r.status_code, location(r)) for r in results] == [(303, f"{browser.base}/done")] * 10
    assert [(s.number, s.answers["needs"]) for s in submissions(db)] == [(1, "4"), (2, "1")]
    assert [detail for _, detail in events(db, invitation.id)].count(services.RESENT_DETAIL) == 1


def test_draft_open_when_the_deadline_passes_leaves_the_answers_sent_on_show(
    db, survey_study, make_invitation, respondent
):
    # Arrange: Ben began changing his answers; the deadline passed before he sent them
    from datetime import date

    setup, _, browser = sent_and_reopened(survey_study, make_invitation, respondent)
    browser.save("fit", {**FIT, "q-needs": "1"}, action="next")
    setup.study.deadline = date(2020, 1, 1)
    db.session.commit()

    # Act
    done = browser.get("/done")
    sent = browser.submit()

    # Assert: the thank-you page with what he sent, no way to send the draft, nothing changed
    assert done.status_code == 200
    assert "Your answers have been sent" in text_of(done)
    assert "Change my answers" not in text_of(done)
    assert sent.status_code == 410
    assert (the_response(db).status, stored(db)["needs"], len(submissions(db))) == (COMPLETED, "4", 1)
