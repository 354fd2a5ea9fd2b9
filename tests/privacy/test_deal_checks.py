"""Erasure and the deal fit check: a person who answered a check through a personal link (under the name the
link was sent to) loses their name from it, and every stored PDF of that prospect goes, since a check's PDF names
the other rater too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from surveyapp.deals import services
from surveyapp.deals.models import DealCheck, DealCheckInvitation, DealCheckPdf
from surveyapp.enums import DealPdfStatus, DealRater, Language, Side
from surveyapp.privacy.services import erase_contact
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import scope
from tests.deals.conftest import ANSWERS_A, ANSWERS_B
from tests.studies.conftest import make_study  # noqa: F401

DAY = datetime(2026, 11, 24, 15, tzinfo=UTC)


def _stored_pdf(db, check):
    db.session.add(
        DealCheckPdf(
            check_id=check.id, language=Language.EN, status=DealPdfStatus.READY, pdf=b"%PDF", sha256="0" * 64
        )
    )


def test_erase_contact_who_answered_a_deal_check_by_link_blanks_the_rater_and_drops_the_prospects_pdfs(
    db,
    make_study,  # noqa: F811
    make_user,
):
    # Arrange: Dana is a contact of a study ("Dana de Boer") and answered delivery's check through a link sent
    # to "Dana"; Pieter answered sales' check; both checks have a stored PDF
    study = make_study()
    account = scope.add_account(session=db.session, study=study, name="Acme BV", actor=None)
    scope.add_contact(
        session=db.session, study=study, side=Side.SUPPLIER, email="dana@supplier.example", name="Dana de Boer",
        language=Language.EN, account_id=account.account_id, actor=None,
    )  # fmt: skip
    prospect = services.create_prospect(session=db.session, supplier=study.supplier, name="Harbour Clinic")
    invitation = DealCheckInvitation(
        prospect=prospect, email="dana@supplier.example", name="Dana", language=Language.EN,
        rater=DealRater.DELIVERY, token_hash="h", created_at=DAY, expires_at=DAY + timedelta(days=30),
    )  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    questionnaire, scoring = catalogue().get(services.DEAL_CHECK_SLUG), catalogue().scoring
    sales = services.record_check(
        session=db.session, prospect=prospect, questionnaire=questionnaire, scoring=scoring, answers=ANSWERS_A,
        user=make_user(name="Pieter Smit"), now=DAY,
    )  # fmt: skip
    delivery = services.record_check(
        session=db.session, prospect=prospect, questionnaire=questionnaire, scoring=scoring, answers=ANSWERS_B,
        invitation=invitation, now=DAY,
    )  # fmt: skip
    for check in (sales, delivery):
        _stored_pdf(db, check)
    db.session.commit()

    # Act
    erase_contact(session=db.session, email="dana@supplier.example")
    db.session.commit()

    # Assert: her check no longer names her, Pieter's still does; no PDF of the prospect is left
    labels = dict(db.session.execute(select(DealCheck.rater, DealCheck.respondent_label)).all())
    assert labels == {DealRater.SALES: "Pieter Smit", DealRater.DELIVERY: ""}
    assert (invitation.email, invitation.name) == ("", "")
    assert db.session.scalar(select(func.count()).select_from(DealCheckPdf)) == 0
