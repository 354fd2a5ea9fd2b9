"""Migration a2c4e6f8b0d1 (issue 25): deal fit checks stored with their rater's email address name the rater
by the user's or the invitation's name where there is one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import text

from surveyapp.auth.passwords import hasher_from_config
from surveyapp.auth.services import create_user
from surveyapp.deals import services
from surveyapp.deals.models import DealCheckInvitation
from surveyapp.enums import Language, Role
from surveyapp.extensions import db as _db
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies.services import create_supplier
from tests.deals.conftest import ANSWERS_A
from tests.test_migrations import MIGRATIONS, migration_url  # noqa: F401

BEFORE = "f1b3d5a7c9e2"
UNDER_TEST = "a2c4e6f8b0d1"
DAY = datetime(2026, 10, 1, 9, tzinfo=UTC)


def test_migration_deal_raters_replaces_email_labels_by_names(make_app, migration_url):  # noqa: F811
    # Arrange: the schema before the migration, four checks whose labels are as the earlier code stored them:
    # the rater's email address, or erased
    app = make_app(DATABASE_URL=migration_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        # The data is written through today's models: the columns a later migration adds are added ahead here,
        # and only the migration under test runs below.
        with _db.engine.begin() as connection:
            for table in ("deal_checks", "deal_check_invitations"):
                connection.execute(
                    text(f"ALTER TABLE {table} ADD COLUMN rater VARCHAR(16) DEFAULT 'sales' NOT NULL")
                )
        session = _db.session
        supplier = create_supplier(session=session, name="Brightline")
        hasher = hasher_from_config(app.config)
        named, unnamed = (
            create_user(
                session=session, email=email, name=name, role=Role.SALES, suppliers=[supplier], hasher=hasher
            )
            for email, name in (("pieter@s.example", "Pieter Smit"), ("anon@s.example", ""))
        )
        prospect = services.create_prospect(session=session, supplier=supplier, name="Harbour Clinic")
        invitation = DealCheckInvitation(
            prospect=prospect, email="sam@s.example", name="Sam", language=Language.EN, token_hash="h",
            created_at=DAY, expires_at=DAY + timedelta(days=14),
        )  # fmt: skip
        session.add(invitation)
        session.flush()
        checks = [
            services.record_check(
                session=session,
                prospect=prospect,
                questionnaire=catalogue().get(services.DEAL_CHECK_SLUG),
                scoring=catalogue().scoring,
                answers=ANSWERS_A,
                now=DAY,
                **who,
            )
            for who in ({"user": named}, {"user": unnamed}, {"invitation": invitation}, {"user": named})
        ]
        ids = [check.id for check in checks]
        session.commit()
        session.close()
        labels = ("pieter@s.example", "anon@s.example", "sam@s.example", "")
        with _db.engine.begin() as connection:
            for check_id, label in zip(ids, labels, strict=True):
                connection.execute(
                    text("UPDATE deal_checks SET respondent_label = :label WHERE id = :id"),
                    {"label": label, "id": check_id},
                )

        # Act
        upgrade(directory=MIGRATIONS, revision=UNDER_TEST)

        # Assert: names where known; without a name the address stays; an erased label stays erased
        with _db.engine.connect() as connection:
            found = dict(connection.execute(text("SELECT id, respondent_label FROM deal_checks")).all())
        assert [found[check_id] for check_id in ids] == ["Pieter Smit", "anon@s.example", "Sam", ""]
