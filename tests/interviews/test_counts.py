"""The study's figures: planned, started and completed interviews count as invited, cancelled ones do not;
the study page's interview section counts them per status."""

from __future__ import annotations

from surveyapp.analysis.queries import response_counts
from surveyapp.db import utcnow
from surveyapp.enums import Perspective
from surveyapp.interviews import services


def test_counts_interviews_count_as_invited_unless_cancelled(
    db, client, login, fieldwork, researcher, plan, started
):
    # Arrange: the study's own invitations (the staff's, sent in prepare) are the baseline
    work = fieldwork()
    before = _invited(db, work)
    plan(work, researcher, contact=work.anna)
    started(work, researcher, contact=work.carl)
    plan(work, researcher, contact=work.sam)
    cancelled = plan(work, researcher, contact=work.ben)
    services.cancel_interview(
        session=db.session, interview=cancelled, reason="No time.", actor=researcher, now=utcnow()
    )
    db.session.commit()
    login(researcher)

    # Act
    after = _invited(db, work)
    per_status = client.application.jinja_env.globals["interview_counts"](work.study)

    # Assert
    added = {key: n - before.get(key, 0) for key, n in after.items() if n != before.get(key, 0)}
    # Sam was already invited to the staff survey about Acme: one person counts once (rule 19)
    assert added == {(work.acme_id, Perspective.CLIENT): 2}
    assert per_status == {"planned": 2, "in_progress": 1, "completed": 0, "cancelled": 1}


def _invited(db, work):
    return {
        (c.account_id, c.perspective): c.invited
        for c in response_counts(session=db.session, study=work.study)
    }
