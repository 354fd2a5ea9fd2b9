"""An interview scores exactly like a survey: the same answers give the same Answer rows. With the same
contact answering both, the latest completed response counts and the account's list shows both."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from surveyapp.analysis.queries import response_counts
from surveyapp.db import utcnow
from surveyapp.enums import Perspective, Purpose
from surveyapp.interviews.models import InterviewChannel
from surveyapp.questionnaires.services import load_version
from surveyapp.responses import services as survey
from surveyapp.responses.models import Answer, Response
from tests.interviews.conftest import text_of
from tests.responses.conftest import make_invitation  # noqa: F401

ANSWERS = {
    "role": "decision_maker",
    "needs_1": "4",
    "needs_2": "5",
    "needs_3": "2",
    "wow_1": "4",
    "wow_ease": "4",
    "wow_freq": "never",
    "wow_3": "3",
    "scope_1": "5",
    "scope_2": "1",
    "scope_3": "NA",
    "quality_1": "4",
    "quality_freq": "rarely",
    "quality_3": "NA",
    "friction_1": "4",
    "friction_2": "2",
    "friction_3": "4",
    "risk_1": "4",
    "risk_2": "2",
    "risk_3": "3",
    "value_1": "4",
    "value_2": "3",
    "value_3": "4",
    "value_4": "NA",
    "rel_1": "5",
    "rel_trust": "4",
    "rel_commit": "5",
    "rel_2": "5",
    "rel_3": "1",
    "rel_nps": "9",
    "open_works": "Fast.",
    "open_change": "Reports.",
    "open_leave": "Price.",
}


def _survey(db, work, contact, make_invitation, now):  # noqa: F811
    invitation = make_invitation(work.study, contact, contact.account_id)
    row = work.study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    questionnaire = load_version(session=db.session, version_id=row.version_id)
    for section in questionnaire.sections:
        survey.save_page(
            session=db.session,
            invitation=invitation,
            questionnaire=questionnaire,
            section_key=section.key,
            page_answers=ANSWERS,
            resume_at=section.key,
            language="en",
            now=now,
        )
    assert survey.submit(session=db.session, invitation=invitation, questionnaire=questionnaire, now=now)
    db.session.commit()
    return db.session.scalars(select(Response).where(Response.invitation_id == invitation.id)).one()


def _interview(db, client, tab, interview, questionnaire):
    for key, value in ANSWERS.items():
        section = questionnaire.section_of(key).key
        assert tab.autosave(section, key, {f"q-{key}": value}).status_code == 200
    assert client.post_form(f"/interviews/{interview.id}/complete").status_code == 303


def _rows(db, response_id):
    return {
        key: rest
        for key, *rest in db.session.execute(
            select(
                Answer.item_key,
                Answer.value,
                Answer.not_applicable,
                Answer.score,
                Answer.dimension,
                Answer.weight,
            ).where(Answer.response_id == response_id)
        )
    }


def test_scores_interview_answers_equal_the_same_answers_as_a_survey(
    db,
    client,
    login,
    fieldwork,
    researcher,
    started,
    screen,
    make_invitation,  # noqa: F811
):
    # Arrange
    work = fieldwork()
    login(researcher)
    by_survey = _survey(db, work, work.carl, make_invitation, utcnow())
    interview = started(work, researcher, contact=work.anna)
    questionnaire = load_version(session=db.session, version_id=interview.response.questionnaire_version_id)

    # Act
    _interview(db, client, screen(interview), interview, questionnaire)

    # Assert
    db.session.expire_all()
    surveyed, interviewed = _rows(db, by_survey.id), _rows(db, interview.response_id)
    assert len(interviewed) == len(ANSWERS)
    assert interviewed == {key: surveyed[key] for key in ANSWERS}
    assert interviewed["wow_freq"] == ["never", False, 100.0, "ways_of_working", 1.0]  # as in the survey
    assert interviewed["needs_3"] == ["2", False, 75.0, "needs_match", 1.0]  # reverse-keyed, as in the survey
    assert interviewed["scope_3"] == ["NA", True, None, "scope_stability", 1.0]


def test_scores_latest_completed_counts_and_the_account_list_shows_both(
    db,
    client,
    login,
    fieldwork,
    researcher,
    started,
    screen,
    make_invitation,  # noqa: F811
):
    # Arrange: the contact answers the survey first, then is interviewed
    work = fieldwork()
    login(researcher)
    earlier = _survey(db, work, work.anna, make_invitation, utcnow() - timedelta(days=2))
    interview = started(work, researcher, contact=work.anna)
    questionnaire = load_version(session=db.session, version_id=interview.response.questionnaire_version_id)

    # Act
    _interview(db, client, screen(interview), interview, questionnaire)
    page = client.get(f"/studies/{work.study.slug}/interviews/accounts/{work.acme_id}")

    # Assert
    db.session.expire_all()
    assert db.session.get(Response, earlier.id).superseded is True
    assert db.session.get(Response, interview.response_id).superseded is False
    counts = {(c.account_id, c.perspective): c for c in response_counts(session=db.session, study=work.study)}
    acme = counts[(work.acme_id, Perspective.CLIENT)]
    assert (acme.survey, acme.interview) == (0, 1)
    html = text_of(page)
    assert page.status_code == 200
    assert html.count('<th scope="row">Anna</th>') == 2
    assert ">interview</a>" in html and ">survey<" in html
    assert ">counts<" in html and ">superseded<" in html


def test_scores_paper_interview_counts_over_a_survey_answered_after_it_was_held(
    db,
    client,
    login,
    fieldwork,
    researcher,
    started,
    screen,
    make_invitation,  # noqa: F811
):
    # Arrange: a paper interview held three days ago, entered now; the survey was answered yesterday.
    # Rule 19: the interview counts, whenever each was completed; the survey is kept, superseded.
    work = fieldwork()
    login(researcher)
    held = utcnow().replace(microsecond=0) - timedelta(days=3)
    surveyed = _survey(db, work, work.anna, make_invitation, utcnow() - timedelta(days=1))
    interview = started(work, researcher, contact=work.anna, channel=InterviewChannel.PAPER, when=held)
    questionnaire = load_version(session=db.session, version_id=interview.response.questionnaire_version_id)

    # Act
    _interview(db, client, screen(interview), interview, questionnaire)

    # Assert
    db.session.expire_all()
    paper = db.session.get(Response, interview.response_id)
    assert paper.submitted_at == held + timedelta(minutes=40)
    assert (paper.superseded, db.session.get(Response, surveyed.id).superseded) == (False, True)
