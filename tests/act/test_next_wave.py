"""Starting the next wave: the set-up copied once into a linked study in prepare; drift and the follow-up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.act import next_wave, services
from surveyapp.act.proposals import Change
from surveyapp.act.queries import follow_ups
from surveyapp.analysis.service import analysis_document
from surveyapp.db import utcnow
from surveyapp.enums import ActionStatus, DecisionKind, Phase
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import scope
from surveyapp.studies.models import Assignment, Contact, Study, StudyAccount
from tests.act.conftest import MATCH, MISFIT, SWAYED, account_id, act, answer_again, decide_all


def staffed(db, study):
    """Give the answered study two staff assignments and a lead, one of them later erased."""
    eva = db.session.scalar(select(Contact).where(Contact.email == "eva@brightline.example"))
    mark = db.session.scalar(select(Contact).where(Contact.email == "mark@brightline.example"))
    scope.assign_staff(
        session=db.session, study=study, contact=eva, account_id=account_id(db, MATCH), actor=None
    )
    scope.assign_staff(
        session=db.session, study=study, contact=mark, account_id=account_id(db, SWAYED), actor=None
    )
    scope.set_lead(session=db.session, study=study, contact=eva, actor=None)
    mark.erased_at = utcnow()
    db.session.commit()
    return eva


def start(db, study, researcher, slug="fit-2026"):
    wave = next_wave.start_next_wave(
        session=db.session,
        study=study,
        slug=slug,
        name="Client fit 2026",
        deadline=None,
        catalogue=catalogue(),
        actor=researcher,
    )
    db.session.commit()
    return wave


def test_next_wave_copies_the_set_up_into_a_linked_study_in_prepare(db, act_study, researcher):
    study = act_study()
    eva = staffed(db, study)

    wave = start(db, study, researcher)

    accounts = db.session.scalars(
        select(StudyAccount).where(StudyAccount.study_id == wave.id).order_by(StudyAccount.account_id)
    ).all()
    assignments = db.session.execute(
        select(Assignment.contact_id, Assignment.account_id).where(Assignment.study_id == wave.id)
    ).all()
    assert (wave.phase, wave.previous_study_id, wave.lead_contact_id) == (Phase.PREPARE, study.id, eva.id)
    assert [row.account_id for row in accounts] == sorted(
        account_id(db, name) for name in (MATCH, SWAYED, MISFIT)
    )
    assert [(row.effort_hours, row.billable_hours, row.annual_revenue) for row in accounts] == [
        (None, None, None)
    ] * 3
    assert assignments == [(eva.id, account_id(db, MATCH))]
    assert [(q.slug, q.version.version) for q in wave.questionnaires] == [
        (q.slug, catalogue().get(q.slug).version) for q in study.questionnaires
    ]
    assert (wave.time_zone, wave.reminder_days, wave.max_reminders) == (
        study.time_zone,
        study.reminder_days,
        study.max_reminders,
    )


def test_next_wave_is_started_once(db, act_study, researcher):
    study = act_study()
    start(db, study, researcher)

    with pytest.raises(services.ActError) as caught:
        start(db, study, researcher, slug="fit-2026-again")

    assert str(caught.value) == "The next wave of this study has already been started: fit-2026."
    assert (
        db.session.scalar(select(func.count()).select_from(Study).where(Study.previous_study_id == study.id))
        == 1
    )


def test_next_wave_is_refused_before_the_act_phase(db, answered_study, researcher):
    study = answered_study()

    with pytest.raises(services.ActError) as caught:
        start(db, study, researcher)

    assert str(caught.value) == "The next wave is started from the act phase."


def test_next_wave_with_a_taken_slug_says_so_and_creates_nothing(db, act_study, researcher, make_study):
    study = act_study()
    make_study(supplier=study.supplier, slug="taken")

    with pytest.raises(services.ActError) as caught:
        start(db, study, researcher, slug="taken")
    db.session.rollback()

    assert str(caught.value) == "A study with short name taken already exists."
    assert db.session.scalar(select(func.count()).select_from(Study)) == 2


def test_suggestion_moves_the_year_on():
    study = Study(slug="brightline-2025", name="Klantfit 2025", deadline=None)

    assert next_wave.suggestion(study) == {
        "slug": "brightline-2026",
        "name": "Klantfit 2026",
        "deadline": None,
    }


def test_follow_up_shows_the_previous_decision_its_actions_and_the_drift(db, act_study, researcher):
    study = act_study()
    decisions = decide_all(db, study, researcher)
    done = act(db, decisions[SWAYED], "Agree a fixed scope", researcher)
    act(db, decisions[SWAYED], "Review monthly", researcher)
    services.update_action(
        session=db.session, action=done, status=ActionStatus.DONE, notes="", actor=researcher
    )
    db.session.commit()
    wave = start(db, study, researcher)
    # The match account grows apart (client 5 -> 1), the customer-swayed one comes closer (supplier 2 -> 5).
    answer_again(db, wave, {MATCH: (1, 4), SWAYED: (5, 5)})

    document = analysis_document(session=db.session, study=wave)
    result = follow_ups(session=db.session, study=wave, document=document)

    by_name = {e["account"]: e for e in document["accounts"]}
    assert by_name[MATCH]["drift"]["growing_apart"] is True
    assert (result[account_id(db, MATCH)].decision, result[account_id(db, MATCH)].change) == (
        DecisionKind.CONTINUE,
        Change.GROWING_APART,
    )
    swayed = result[account_id(db, SWAYED)]
    assert (swayed.decision, swayed.actions_done, swayed.actions_total, swayed.change) == (
        DecisionKind.REALIGN,
        1,
        2,
        Change.CLOSER,
    )
    assert result[account_id(db, MISFIT)].change == Change.NOT_MEASURED
