"""Rule 19: from the analyse phase on, personal links take no answers, changes or reopened surveys; moving
the study back to interview opens them again. Tried as the respondent does: over HTTP, from the link."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.db import utcnow
from surveyapp.enums import InvitationStatus, Phase
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.tokens import new_token, token_hash
from surveyapp.questionnaires.services import load_version
from surveyapp.responses import services
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, ResponseDraft
from surveyapp.studies.models import Study
from surveyapp.studies.phases import on_enter_analyse
from tests.conftest import is_postgres
from tests.responses.conftest import ABOUT, FIT, LOYALTY, events, stored, submissions, text_of, the_response
from tests.studies.conftest import make_study, ready_study  # noqa: F401

ANALYSING_EN = (
    "The answers to this survey are now being analysed, so answers can no longer be given or changed."
)
ANALYSING_NL = (
    "De antwoorden op deze enquête worden nu geanalyseerd; u kunt geen antwoorden meer geven of wijzigen."
)


def answered(browser) -> None:
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        browser.save(section, data)


def move(db, study, phase: Phase) -> None:
    study.phase = phase
    db.session.commit()


def test_closed_phase_refuses_answers_and_submit_and_writes_nothing(
    db, survey_study, make_invitation, respondent
):
    # Arrange: a respondent half-way when the study moves to analyse
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    move(db, setup.study, Phase.ANALYSE)

    # Act
    page = browser.page("about")
    save = browser.save("about", {**ABOUT, "q-name": "Too late"})
    refused = browser.submit()

    # Assert
    assert [r.status_code for r in (page, save, refused)] == [410, 410, 410]
    assert ANALYSING_EN in text_of(save)
    assert "Nothing from this last step has been saved." in text_of(refused)
    assert (the_response(db).status, submissions(db), stored(db)["name"]) == (IN_PROGRESS, [], "Ann")
    assert events(db, invitation.id) == [("started", None)]


def test_closed_phase_completed_survey_cannot_be_reopened(db, survey_study, make_invitation, respondent):
    # Arrange
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    answered(browser)
    browser.submit()
    move(db, setup.study, Phase.ACT)

    # Act
    done = text_of(browser.get("/done"))
    refused = browser.post("/reopen")

    # Assert: the answers under analysis stay as they were
    assert "Change my answers" not in done
    assert "The answers to this survey are now being analysed, so they can no longer be changed." in done
    assert refused.status_code == 410
    assert (the_response(db).status, len(submissions(db))) == (COMPLETED, 1)


def test_closed_phase_moving_back_to_interview_reopens_the_links(
    db, survey_study, make_invitation, respondent
):
    # Arrange
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    answered(browser)
    move(db, setup.study, Phase.ANALYSE)
    move(db, setup.study, Phase.INTERVIEW)

    # Act
    save = browser.save("about", {**ABOUT, "q-name": "Ann again"})
    submitted = browser.submit()

    # Assert
    assert (save.status_code, submitted.status_code) == (303, 303)
    assert (the_response(db).status, stored(db)["name"]) == (COMPLETED, "Ann again")


def test_closed_phase_link_shows_closed_page_in_respondents_language_and_records_nothing(
    db, client, survey_study, make_invitation
):
    # Arrange: Anna (Dutch) follows her link after the study moved to act
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.anna, setup.acme_id)
    link = new_token()
    token = db.session.scalar(select(InvitationToken).where(InvitationToken.invitation_id == invitation.id))
    token.token_hash = token_hash(link)  # the link Anna's email carried
    db.session.commit()
    move(db, setup.study, Phase.ACT)

    # Act
    landing = client.get(f"/s/{link}", headers={"Accept-Language": "en"})
    page = client.get(landing.headers["Location"], headers={"Accept-Language": "en"}, follow_redirects=True)

    # Assert
    assert (landing.status_code, landing.headers["Location"]) == (302, f"/survey/{invitation.id}")
    assert page.status_code == 410
    assert ANALYSING_NL in text_of(page)
    status = db.session.scalar(select(Invitation.status).where(Invitation.id == invitation.id))
    assert status is InvitationStatus.SENT
    assert events(db, invitation.id) == []


def test_closed_phase_drops_a_draft_not_sent_and_the_answers_sent_count(
    db, survey_study, make_invitation, respondent
):
    # Arrange: Ben sent his answers, reopened them, changed his name and left without sending
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    answered(browser)
    browser.submit()
    sent = stored(db)
    browser.post("/reopen")
    browser.save("about", {**ABOUT, "q-name": "Changed but never sent"})

    # Act: the study enters analyse (what `change_phase` does once its guards are met)
    setup.study.phase = Phase.ANALYSE
    on_enter_analyse(db.session, setup.study)
    db.session.commit()

    # Assert: what he last sent counts, as sent; the invitation is answered again
    response = the_response(db)
    db.session.refresh(response)
    assert (response.status, response.superseded) == (COMPLETED, False)
    assert stored(db) == sent
    assert response.submitted_at == submissions(db)[-1].submitted_at
    assert db.session.get(Invitation, invitation.id).status is InvitationStatus.COMPLETED
    assert db.session.scalars(select(ResponseDraft)).all() == []


@pytest.mark.skipif(
    not is_postgres(), reason="PostgreSQL lets writers run side by side; SQLite one at a time"
)
def test_closed_phase_an_answer_written_while_the_study_moves_to_analyse_waits_and_is_refused(
    db, app, survey_study, make_invitation, respondent
):
    # Arrange: Ben has started; a researcher's transaction has moved the study to analyse, not committed yet
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    respondent(invitation).save("about", ABOUT)
    mover = Session(bind=db.engine)
    mover.execute(update(Study).where(Study.id == setup.study.id).values(phase=Phase.ANALYSE))
    outcome: dict[str, object] = {}

    def save_in_another_request() -> None:
        with app.app_context(), Session(bind=db.engine) as other:
            found = other.get(Invitation, invitation.id)
            questionnaire = load_version(session=other, version_id=found.study_questionnaire.version_id)
            try:
                services.save_page(
                    session=other, invitation=found, response=None, questionnaire=questionnaire,
                    section_key="about", page_answers={"name": "Too late"}, resume_at="fit", language="en",
                    now=utcnow(),
                )  # fmt: skip
                other.commit()
                outcome["saved"] = True
            except services.SurveyClosed:
                other.rollback()
                outcome["closed"] = True

    # Act
    writer = threading.Thread(target=save_in_another_request)
    writer.start()
    writer.join(timeout=1.0)
    waited = writer.is_alive()
    mover.commit()
    writer.join(timeout=30)
    mover.close()

    # Assert
    assert waited
    assert outcome == {"closed": True}
    assert stored(db)["name"] == "Ann"
