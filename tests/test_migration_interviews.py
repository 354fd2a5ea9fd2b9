"""Migration 7a1d0c3e9f25 (issue 23, rule 19) on data stored under the earlier rule: completed interviews count
over surveys of the same contact, account and perspective, and close the contact's survey invitation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import select, text

from surveyapp.enums import InvitationStatus, Language, Perspective, Purpose, ResponseMode, Side
from surveyapp.extensions import db as _db
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses.models import COMPLETED, Response
from surveyapp.studies import scope
from surveyapp.studies.services import create_study, create_supplier
from tests.test_migrations import MIGRATIONS, migration_url  # noqa: F401

BEFORE = "5c2e81a0b7d4"
UNDER_TEST = "7a1d0c3e9f25"
DAY = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _response(study, contact, account_id, mode, submitted, superseded):
    row = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    return Response(
        study_id=study.id, contact_id=contact.id, account_id=account_id, perspective=Perspective.CLIENT,
        mode=mode, questionnaire_version_id=row.version_id, status=COMPLETED, submitted_at=submitted,
        superseded=superseded,
    )  # fmt: skip


def test_migration_interviews_rank_first_and_close_survey_invitations(make_app, migration_url):  # noqa: F811
    # Arrange: the schema before the migration, and data as the earlier rule left it
    app = make_app(DATABASE_URL=migration_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        # The data is written through today's models: the one column they have that later migrations add is
        # added ahead here, and only the migration under test runs below.
        with _db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE suppliers ADD COLUMN research_contact_email VARCHAR(254)"))
        session = _db.session
        questionnaires = catalogue().questionnaires
        study = create_study(
            session=session, supplier=create_supplier(session=session, name="Brightline"), slug="wave-1",
            name="Wave 1", questionnaires=[questionnaires["fit-client"], questionnaires["fit-supplier"]],
        )  # fmt: skip
        acme = scope.add_account(session=session, study=study, name="Acme BV", actor=None).account_id
        people = {
            name: scope.add_contact(
                session=session, study=study, side=Side.CLIENT, email=f"{name}@acme.example", name=name.title(),
                language=Language.EN, account_id=acme, actor=None,
            )
            for name in ("anna", "carl", "dora")
        }  # fmt: skip
        row = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
        mailed = Invitation(
            study_id=study.id, contact_id=people["anna"].id, account_id=acme, study_questionnaire_id=row.id,
            status=InvitationStatus.SENT,
        )  # fmt: skip
        session.add(mailed)
        # Anna: interviewed on day 1, surveyed on day 2 (the survey counted); Carl: interviewed, never mailed;
        # Dora: surveyed only.
        session.add_all(
            [
                _response(study, people["anna"], acme, ResponseMode.INTERVIEW, DAY, superseded=True),
                _response(study, people["anna"], acme, ResponseMode.SURVEY, DAY + timedelta(days=1), False),
                _response(study, people["carl"], acme, ResponseMode.INTERVIEW, DAY, superseded=False),
                _response(study, people["dora"], acme, ResponseMode.SURVEY, DAY, superseded=False),
            ]
        )
        session.commit()

        # Act
        upgrade(directory=MIGRATIONS, revision=UNDER_TEST)

        # Assert
        session.expire_all()
        ranked = session.execute(
            select(Response.contact_id, Response.mode, Response.superseded).order_by(Response.id)
        ).all()
        invitations = {
            contact_id: (status, completed)
            for contact_id, status, completed in session.execute(
                select(Invitation.contact_id, Invitation.status, Invitation.completed_at)
            )
        }
        details = session.scalars(select(InvitationEvent.detail).order_by(InvitationEvent.id)).all()
        anna, carl, dora = (people[name].id for name in ("anna", "carl", "dora"))
        _db.session.remove()  # its connection back to the pool first, or dispose() leaves it open
        _db.engine.dispose()

    assert ranked == [
        (anna, ResponseMode.INTERVIEW, False),
        (anna, ResponseMode.SURVEY, True),
        (carl, ResponseMode.INTERVIEW, False),
        (dora, ResponseMode.SURVEY, False),
    ]
    assert invitations == {
        anna: (InvitationStatus.COMPLETED, DAY),
        carl: (InvitationStatus.COMPLETED, DAY),
    }
    assert details == ["interviewed", "interviewed"]


def test_migration_reminder_interval_keeps_existing_schedules_valid(make_app, migration_url):  # noqa: F811
    # Arrange: two studies stored before the interval existed, one with reminders two days apart
    app = make_app(DATABASE_URL=migration_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="04e779882f32")
        with _db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO suppliers (id, name, report_language, created_at) "
                    "VALUES (1, 'Brightline', 'en', :at)"
                ),
                {"at": DAY},
            )
            for study_id, days in ((1, "[2, 4]"), (2, "[4, 9]")):
                connection.execute(
                    text(
                        "INSERT INTO studies (id, supplier_id, slug, name, phase, time_zone, reminder_days, "
                        "max_reminders, keep_anonymous_scores, created_at, phase_changed_at) VALUES "
                        "(:id, 1, :slug, 'Wave', 'interview', 'Europe/Amsterdam', :days, 2, false, :at, :at)"
                    ),
                    {"id": study_id, "slug": f"wave-{study_id}", "days": days, "at": DAY},
                )

        # Act
        upgrade(directory=MIGRATIONS)
        with _db.engine.connect() as connection:
            intervals = connection.execute(
                text("SELECT slug, reminder_min_interval_days FROM studies ORDER BY id")
            ).all()
        _db.engine.dispose()

    # Assert
    assert [tuple(row) for row in intervals] == [("wave-1", 2), ("wave-2", 3)]
