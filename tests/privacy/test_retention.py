"""Retention per study: one notice to the researchers, then the erasure when the period has ended."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from surveyapp.enums import Perspective, Purpose
from surveyapp.invitations.models import Invitation
from surveyapp.jobs.tasks import apply_retention_periods
from surveyapp.mail.models import OutboxMessage
from surveyapp.privacy.retention import deletion_due
from surveyapp.responses.models import Answer, Response, ResponseDraft
from surveyapp.studies.models import Contact, Study
from tests.privacy.conftest import EMAIL, NAME, OPEN_ANSWER


def _notices(db):
    return db.session.scalars(
        select(OutboxMessage.recipient)
        .where(OutboxMessage.dedupe_key.like("retention:%"))
        .order_by(OutboxMessage.id)
    ).all()


def test_retention_notices_researchers_once_then_erases_at_the_end(db, spread_person, make_user):
    # Arrange
    spread = spread_person()
    study = db.session.get(Study, spread.study.id)
    study.retention_days = 30
    db.session.commit()
    due = deletion_due(session=db.session, study=study)

    # Act
    early = apply_retention_periods(now=due - timedelta(days=20))
    first = apply_retention_periods(now=due - timedelta(days=10))
    second = apply_retention_periods(now=due - timedelta(days=5))
    notices = _notices(db)
    erased = apply_retention_periods(now=due)
    again = apply_retention_periods(now=due + timedelta(days=1))

    # Assert
    assert (early, second, again) == ("", "", "")
    assert first == "retention: 1 notices queued, 0 contacts erased in 0 studies"
    assert len(notices) == 1
    assert erased == "retention: 0 notices queued, 5 contacts erased in 1 studies"
    db.session.expire_all()
    contact = db.session.get(Contact, spread.contact_id)
    assert (contact.email, contact.name, contact.erased_at is not None) == (None, "", True)
    assert db.session.get(Study, spread.study.id).retention_applied_at is not None


def test_retention_notice_names_the_study_and_the_day(db, spread_person):
    spread = spread_person()
    study = db.session.get(Study, spread.study.id)
    study.retention_days = 30
    db.session.commit()
    due = deletion_due(session=db.session, study=study)

    apply_retention_periods(now=due - timedelta(days=1))

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("retention:%")))
    day = due.astimezone(__import__("zoneinfo").ZoneInfo(study.time_zone)).date().isoformat()
    assert message.subject == f"Personal data of {study.name} will be deleted on {day}"


def test_retention_keeps_a_contact_of_another_live_study_but_removes_this_studys_free_text(
    db, spread_person, make_study
):
    spread = spread_person()
    study = db.session.get(Study, spread.study.id)
    study.retention_days = 30
    other = make_study(supplier=study.supplier, slug="fit-2026", name="Fit 2026")
    db.session.add(
        Invitation(
            study_id=other.id,
            contact_id=spread.contact_id,
            account_id=spread.account_id,
            study_questionnaire_id=other.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY).id,
        )
    )
    # Her changes to the sent survey, not sent yet, hold her words too.
    response = db.session.scalar(select(Response).where(Response.contact_id == spread.contact_id))
    db.session.add(ResponseDraft(response_id=response.id, answers={"open_works": OPEN_ANSWER}))
    db.session.commit()
    due = deletion_due(session=db.session, study=study)

    apply_retention_periods(now=due)

    db.session.expire_all()
    contact = db.session.get(Contact, spread.contact_id)
    assert (contact.email, contact.name, contact.erased_at) == (EMAIL, NAME, None)
    assert db.session.scalars(select(ResponseDraft)).all() == []
    texts = db.session.scalars(
        select(Answer.value).join(Response).where(Response.contact_id == spread.contact_id)
    ).all()
    assert OPEN_ANSWER not in texts
    assert (
        db.session.scalar(select(func.count()).select_from(Contact).where(Contact.erased_at.is_not(None)))
        == 4
    )
