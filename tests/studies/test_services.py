"""Creating studies and managing their scope through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from surveyapp.enums import Language, Perspective, Phase, Purpose, Side
from surveyapp.studies import scope
from surveyapp.studies.models import StudyAccount
from surveyapp.studies.phases import change_phase
from surveyapp.studies.queries import assignments
from surveyapp.studies.services import StudyError, update_supplier

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_create_study_pins_the_default_questionnaires(make_study):
    study = make_study(slug="acme-2026", name="  Acme   fit 2026 ")

    pinned = {(q.perspective, q.purpose): q.slug for q in study.questionnaires}

    assert study.name == "Acme fit 2026"
    assert study.phase == Phase.PREPARE
    assert pinned == {
        (Perspective.CLIENT, Purpose.SURVEY): "fit-client",
        (Perspective.CLIENT, Purpose.INTERVIEW): "interview-guide",
        (Perspective.SUPPLIER, Purpose.SURVEY): "fit-supplier",
        (Perspective.SUPPLIER, Purpose.INTERVIEW): "interview-guide-supplier",
        (Perspective.NONE, Purpose.BRIEF): "intake",
    }
    assert all(q.version.version for q in study.questionnaires)


@pytest.mark.parametrize("slug", ["Acme 2026", "-acme", "acme_2026", " ", "a" * 81])
def test_create_study_with_a_bad_short_name_is_refused(make_study, slug):
    with pytest.raises(StudyError, match="lower-case letters, digits and hyphens"):
        make_study(slug=slug)


def test_create_study_with_a_duplicate_short_name_is_refused(make_study):
    make_study(slug="acme-2026")

    with pytest.raises(StudyError, match="A study with short name acme-2026 already exists."):
        make_study(slug="acme-2026")


def test_next_wave_can_be_linked_only_once_and_only_within_the_supplier(make_study, make_supplier):
    supplier = make_supplier()
    first = make_study(supplier=supplier)
    make_study(supplier=supplier, previous=first, slug="second")

    with pytest.raises(StudyError, match=f"Study {first.slug} already has a next wave: second."):
        make_study(supplier=supplier, previous=first)
    with pytest.raises(StudyError, match="The previous wave must be a study of the same supplier."):
        make_study(previous=make_study(supplier=supplier))


def test_create_study_with_unknown_time_zone_is_refused(make_study):
    with pytest.raises(StudyError, match="Unknown time zone Mars/Olympus"):
        make_study(time_zone="Mars/Olympus")


def test_create_study_with_reminder_days_out_of_range_is_refused(make_study):
    with pytest.raises(StudyError, match="whole numbers from 1 to 90"):
        make_study(reminder_days=[0, 5])


def test_add_account_twice_is_refused(db, make_study):
    study = make_study()
    scope.add_account(session=db.session, study=study, name="Acme", actor=None)

    with pytest.raises(StudyError, match="Account Acme is already in this study."):
        scope.add_account(session=db.session, study=study, name="acme", actor=None)


def test_add_account_with_billable_above_effort_is_refused(db, make_study):
    study = make_study()

    with pytest.raises(StudyError, match="Billable hours cannot be more than the effort hours."):
        scope.add_account(
            session=db.session,
            study=study,
            name="Acme",
            effort_hours=Decimal(10),
            billable_hours=Decimal(11),
            actor=None,
        )


def test_client_contact_on_two_accounts_is_refused(db, make_study):
    study = make_study()
    first = scope.add_account(session=db.session, study=study, name="Acme", actor=None)
    second = scope.add_account(session=db.session, study=study, name="Globex", actor=None)
    scope.add_contact(
        session=db.session,
        study=study,
        side=Side.CLIENT,
        email="a@acme.example",
        account_id=first.account_id,
        actor=None,
    )

    with pytest.raises(StudyError, match="a@acme.example is already a contact of account Acme"):
        scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="A@acme.example",
            account_id=second.account_id,
            actor=None,
        )


def test_staff_member_rates_several_accounts(db, make_study):
    study = make_study()
    accounts = [
        scope.add_account(session=db.session, study=study, name=n, actor=None) for n in ("Acme", "Globex")
    ]

    for account in accounts:
        contact = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.SUPPLIER,
            email="sam@supplier.example",
            account_id=account.account_id,
            actor=None,
        )
    scope.assign_staff(
        session=db.session, study=study, contact=contact, account_id=accounts[0].account_id, actor=None
    )

    assert [(a.contact.email, a.account.name) for a in assignments(session=db.session, study=study)] == [
        ("sam@supplier.example", "Acme"),
        ("sam@supplier.example", "Globex"),
    ]


def test_client_contact_needs_an_account_in_scope(db, make_study):
    study = make_study()

    with pytest.raises(StudyError, match="A client contact belongs to an account"):
        scope.add_contact(
            session=db.session, study=study, side=Side.CLIENT, email="x@example.org", actor=None
        )


def test_remove_account_is_only_possible_in_prepare(db, ready_study):
    study = ready_study()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    account_id = db.session.scalar(select(StudyAccount.account_id).where(StudyAccount.study_id == study.id))

    with pytest.raises(StudyError, match="only in the prepare phase"):
        scope.remove_account(session=db.session, study=study, account_id=account_id, actor=None)


def test_supplier_logo_must_really_be_an_image(db, make_supplier):
    supplier = make_supplier()

    with pytest.raises(StudyError, match="The logo must be a PNG or JPEG image."):
        update_supplier(
            session=db.session,
            supplier=supplier,
            report_language=Language.EN,
            brand_colour=None,
            logo=b"<svg onload=alert(1)>",
            logo_mime="image/png",
            actor=None,
        )
    update_supplier(
        session=db.session,
        supplier=supplier,
        report_language=Language.EN,
        brand_colour="#ABCDEF",
        logo=PNG,
        logo_mime="image/png",
        actor=None,
    )

    assert (supplier.brand_colour, supplier.logo_mime, supplier.report_language) == (
        "#abcdef",
        "image/png",
        Language.EN,
    )
