"""The phase workflow: guards that say what is missing, one step forward at a time, back with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.db import utcnow
from surveyapp.enums import Perspective, Phase, Purpose, ResponseMode
from surveyapp.responses.models import COMPLETED, Response
from surveyapp.studies.models import Contact
from surveyapp.studies.phases import PhaseError, change_phase, requirements


def _complete_client_response(db, study):
    contact = db.session.scalar(select(Contact).where(Contact.email == "anna@acme.example"))
    version = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY).version_id
    db.session.add(
        Response(
            study_id=study.id,
            contact_id=contact.id,
            account_id=contact.account_id,
            perspective=Perspective.CLIENT,
            mode=ResponseMode.SURVEY,
            questionnaire_version_id=version,
            status=COMPLETED,
            submitted_at=utcnow(),
        )
    )
    db.session.commit()


def test_requirements_of_an_empty_study_list_everything_missing(db, make_study):
    study = make_study()

    result = [(r.key, r.met, r.count) for r in requirements(session=db.session, study=study)]

    assert result == [
        ("accounts", False, 0),
        ("client_contacts", False, 0),
        ("staff_assigned", False, 0),
        ("supplier_invitations", True, 0),
    ]


def test_change_phase_without_prerequisites_names_every_missing_thing(db, make_study):
    study = make_study()

    with pytest.raises(PhaseError) as error:
        change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)

    assert str(error.value.message) == "The study cannot move to Interview yet."
    assert [str(m) for m in error.value.missing] == [
        "Add at least one account to the study.",
        "Add at least one client contact to an account in the study.",
        "Assign at least one supplier staff member to rate an account, so the supplier's own view is collected first.",
    ]
    assert study.phase == Phase.PREPARE


def test_change_phase_forward_when_ready_is_audited(db, ready_study):
    study = ready_study()

    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None, actor_label="cli")
    db.session.commit()

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "study.phase_changed")).one()
    assert study.phase == Phase.INTERVIEW
    assert event.details == {"from": "prepare", "to": "interview"}


def test_change_phase_cannot_skip_a_phase(db, ready_study):
    study = ready_study()

    with pytest.raises(PhaseError, match="from Prepare the next phase is Interview"):
        change_phase(session=db.session, study=study, target=Phase.ANALYSE, actor=None)


def test_interview_to_analyse_needs_a_completed_client_response(db, ready_study):
    study = ready_study()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)

    with pytest.raises(PhaseError) as error:
        change_phase(session=db.session, study=study, target=Phase.ANALYSE, actor=None)

    assert [str(m) for m in error.value.missing] == [
        "Collect at least one completed client response (survey, interview or import)."
    ]


def test_entering_analyse_pins_the_scoring_version_and_moving_back_keeps_it(db, ready_study):
    study = ready_study()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    _complete_client_response(db, study)

    change_phase(session=db.session, study=study, target=Phase.ANALYSE, actor=None)
    pinned = study.scoring_version_id
    change_phase(
        session=db.session, study=study, target=Phase.INTERVIEW, actor=None, reason="one more interview"
    )
    change_phase(session=db.session, study=study, target=Phase.ANALYSE, actor=None)

    assert pinned is not None
    assert study.scoring_version_id == pinned


def test_moving_back_needs_a_reason_and_keeps_it_in_the_audit_log(db, ready_study):
    study = ready_study()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)

    with pytest.raises(PhaseError, match="needs a reason"):
        change_phase(session=db.session, study=study, target=Phase.PREPARE, actor=None, reason="  ")
    change_phase(
        session=db.session, study=study, target=Phase.PREPARE, actor=None, reason="forgot an account"
    )
    db.session.commit()

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "study.phase_changed").order_by(AuditEvent.id.desc())
    ).first()
    assert study.phase == Phase.PREPARE
    assert event.reason == "forgot an account"


def test_change_to_the_same_phase_is_refused(db, make_study):
    study = make_study()

    with pytest.raises(PhaseError, match="already in the Prepare phase"):
        change_phase(session=db.session, study=study, target=Phase.PREPARE, actor=None)
