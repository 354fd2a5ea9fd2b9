"""Leaving the prepare phase needs the supplier staff's invitations delivered."""

from __future__ import annotations

import pytest

from surveyapp.enums import Phase
from surveyapp.invitations.guards import supplier_invitations_sent
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.studies.phases import PhaseError, change_phase


def test_guard_names_every_staff_assignment_without_a_delivered_invitation(db, fit_study):
    study = fit_study()

    requirement = supplier_invitations_sent(db.session, study)

    assert (requirement.key, requirement.met, requirement.count) == ("supplier_invitations", False, 0)
    assert str(requirement.missing) == (
        "Send the supplier staff's invitations first (Invitations page): 3 of 3 staff assignments have no "
        "delivered invitation yet (Lea Lead: Globex; Sam Staff: Acme BV; Sam Staff: Globex)."
    )


def test_queued_but_undelivered_invitations_do_not_count(db, fit_study, mail, free_port, make_app):
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()

    with pytest.raises(PhaseError) as error:
        change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)

    assert [str(m) for m in error.value.missing][-1].startswith("Send the supplier staff's invitations first")


def test_study_leaves_prepare_once_the_staff_invitations_are_delivered(db, fit_study, mail, smtp_server):
    study = fit_study()
    send_invitations(session=db.session, study=study, mail=mail)
    db.session.commit()
    deliver_outbox()

    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)

    assert supplier_invitations_sent(db.session, study).met is True
    assert study.phase == Phase.INTERVIEW
