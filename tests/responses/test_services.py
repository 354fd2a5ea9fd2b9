"""The respondent services on their own: pinning, the batch write of a page, the guards of save, submit and
reopen (nothing written when they refuse)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.questionnaires.models import QuestionnaireVersion
from surveyapp.responses import services
from surveyapp.responses.models import COMPLETED, Answer
from tests.responses.conftest import ALL_TYPES, count, stored, the_response
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def save(db, invitation, section, answers, now=None, resume="fit"):
    response = services.save_page(
        session=db.session, invitation=invitation, questionnaire=ALL_TYPES, section_key=section,
        page_answers=answers, resume_at=resume, language="en", now=now or utcnow(),
    )  # fmt: skip
    db.session.commit()
    return response


def test_services_response_is_pinned_to_the_version_of_its_first_save(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    pinned = invitation.study_questionnaire.version_id
    save(db, invitation, "about", {"role": "user"})
    other = QuestionnaireVersion(slug="all-types", version="f" * 64, title="later", content={})
    db.session.add(other)
    db.session.flush()
    invitation.study_questionnaire.version_id = other.id
    db.session.commit()

    save(db, invitation, "about", {"role": "buyer"})

    assert the_response(db).questionnaire_version_id == pinned


def test_services_unchanged_answers_keep_their_row_changed_ones_move_on(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    save(db, invitation, "about", {"role": "user", "name": "Ann"})
    before = {
        a.item_key: (a.id, a.version, a.created_at, a.updated_at) for a in db.session.scalars(select(Answer))
    }

    save(db, invitation, "about", {"role": "user", "name": "Annie"}, now=utcnow() + timedelta(minutes=5))

    after = {
        a.item_key: (a.id, a.version, a.created_at, a.updated_at) for a in db.session.scalars(select(Answer))
    }
    assert after["role"] == before["role"]
    assert (after["name"][0], after["name"][1], after["name"][2]) == (before["name"][0], 2, before["name"][2])
    assert after["name"][3] > before["name"][3]


def test_services_save_on_a_completed_response_is_refused(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    save(db, invitation, "about", {"role": "other"})
    save(db, invitation, "loyalty", {"recommend": "9"})
    assert services.submit(session=db.session, invitation=invitation, questionnaire=ALL_TYPES, now=utcnow())
    db.session.commit()

    with pytest.raises(services.AlreadySubmitted):
        save(db, invitation, "loyalty", {"recommend": "1"})
    db.session.rollback()

    assert (the_response(db).status, stored(db)["recommend"]) == (COMPLETED, "9")


def test_services_submit_twice_true_then_false(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    save(db, invitation, "about", {"role": "other"})
    save(db, invitation, "loyalty", {"recommend": "9"})

    results = [
        services.submit(session=db.session, invitation=invitation, questionnaire=ALL_TYPES, now=utcnow())
        for _ in range(2)
    ]

    assert results == [True, False]


def test_services_submit_incomplete_names_the_first_page_to_finish(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    save(db, invitation, "about", {"role": "user"})

    with pytest.raises(services.Incomplete) as refused:
        services.submit(session=db.session, invitation=invitation, questionnaire=ALL_TYPES, now=utcnow())

    assert refused.value.section == "fit"


def test_services_save_after_the_deadline_creates_nothing(db, survey_study, make_invitation):
    setup = survey_study(deadline=date(2030, 3, 31), time_zone="Europe/Amsterdam")
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    after = utcnow().replace(year=2030, month=4, day=2)

    with pytest.raises(services.SurveyClosed):
        save(db, invitation, "about", {"role": "user"}, now=after)
    db.session.rollback()

    assert count(db, Answer) == 0
    assert db.session.scalar(select(type(invitation).started_at)) is None


def test_services_reopen_needs_a_completed_response(db, survey_study, make_invitation):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)

    with pytest.raises(services.NotStarted):
        services.reopen(session=db.session, invitation=invitation, now=utcnow())
    save(db, invitation, "about", {"role": "user"})

    assert services.reopen(session=db.session, invitation=invitation, now=utcnow()) is False
