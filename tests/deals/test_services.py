"""Services: linking to accounts, the personal link for a sales manager without a login (real SMTP server)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.deals import services
from surveyapp.deals.models import DealCheck, DealCheckInvitation, Prospect
from surveyapp.enums import DealAdvice, DealRater, Language, ProspectStage, Role
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.settings import mail_settings
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import scope
from tests.deals.conftest import ANSWERS_A

LINK = re.compile(r"https://surveys\.example\.org/deal-check/([A-Za-z0-9_-]+)")


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Iterator[Flask]:
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application


def _account(db: Any, study: Any, name: str) -> Any:
    in_scope = scope.add_account(session=db.session, study=study, name=name, actor=None)
    db.session.commit()
    return in_scope.account


def test_link_account_of_same_supplier_marks_prospect_won(
    db: Any, make_study: Callable[..., Any], make_prospect: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    study = make_study()
    account = _account(db, study, "Harbour Clinic BV")
    prospect = make_prospect(study.supplier, "Harbour Clinic")

    services.link_account(session=db.session, prospect=prospect, account_id=account.id, actor=make_user())
    db.session.commit()

    assert (prospect.account_id, prospect.stage) == (account.id, ProspectStage.WON)


def test_link_account_of_another_supplier_is_refused_and_changes_nothing(
    client: Any,
    db: Any,
    make_study: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    foreign = _account(db, make_study(), "Other Client")
    prospect = make_prospect()
    login(make_user())

    response = client.post_form(f"/prospects/{prospect.id}/account", {"account": str(foreign.id)})

    db.session.expire_all()
    assert response.status_code == 422
    assert "That account is not a client of this prospect&#39;s supplier." in response.text
    assert db.session.get(Prospect, prospect.id).account_id is None


def test_link_account_service_refuses_foreign_account(
    db: Any, make_study: Callable[..., Any], make_prospect: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    foreign = _account(db, make_study(), "Other Client")
    prospect = make_prospect()

    with pytest.raises(services.DealError) as raised:
        services.link_account(session=db.session, prospect=prospect, account_id=foreign.id, actor=make_user())

    assert str(raised.value) == "That account is not a client of this prospect's supplier."
    assert prospect.account_id is None


def test_link_account_already_linked_elsewhere_is_refused(
    db: Any, make_study: Callable[..., Any], make_prospect: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    study = make_study()
    account = _account(db, study, "Harbour Clinic BV")
    first = make_prospect(study.supplier, "Harbour Clinic")
    second = make_prospect(study.supplier, "Harbour Clinic (2)")
    services.link_account(session=db.session, prospect=first, account_id=account.id, actor=make_user())
    db.session.commit()

    with pytest.raises(services.DealError) as raised:
        services.link_account(session=db.session, prospect=second, account_id=account.id, actor=make_user())

    assert str(raised.value) == "Account Harbour Clinic BV is already linked to prospect Harbour Clinic."


def test_personal_link_is_emailed_and_answers_one_check(
    client: Any,
    db: Any,
    app: Flask,
    smtp_server: Any,
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    prospect = make_prospect(name="Harbour Clinic")
    services.invite(
        session=db.session,
        prospect=prospect,
        email="Sam.Sales@Example.org",
        name="Sam",
        language=Language.EN,
        actor=make_user(),
        mail=mail_settings(app.config),
    )
    db.session.commit()
    deliver_outbox()
    message = smtp_server.received[0].message
    token = LINK.search(message.get_body(("plain",)).get_content()).group(1)

    form = client.get(f"/deal-check/{token}")
    answered = client.post_form(f"/deal-check/{token}", {f"q-{k}": v for k, v in ANSWERS_A.items()})
    again = client.get(f"/deal-check/{token}")

    check = db.session.scalars(select(DealCheck)).one()
    assert smtp_server.received[0].rcpt_tos == ["sam.sales@example.org"]
    assert message["Subject"] == "Deal fit check: Harbour Clinic"
    assert form.status_code == 200
    assert answered.status_code == 200
    assert "Advice: Go: make the offer" in answered.text
    assert (check.advice, check.respondent_label, check.respondent_user_id) == (DealAdvice.GO, "Sam", None)
    assert again.status_code == 404
    assert db.session.scalars(select(DealCheckInvitation)).one().used_at == check.completed_at


def test_unknown_personal_link_is_404_and_writes_nothing(client: Any, db: Any) -> None:
    response = client.post_form("/deal-check/not-a-real-token", {f"q-{k}": v for k, v in ANSWERS_A.items()})

    assert response.status_code == 404
    assert "Link not valid" in response.text
    assert db.session.scalar(select(func.count()).select_from(DealCheck)) == 0


def test_invite_with_bad_address_is_refused(
    db: Any, app: Flask, make_prospect: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    prospect = make_prospect()

    with pytest.raises(services.DealError):
        services.invite(
            session=db.session,
            prospect=prospect,
            email="not an address",
            name="",
            language=Language.NL,
            actor=make_user(),
            mail=mail_settings(app.config),
        )

    assert db.session.scalar(select(func.count()).select_from(DealCheckInvitation)) == 0


def test_record_check_with_missing_answer_raises_and_writes_nothing(
    db: Any, make_prospect: Callable[..., Any], make_user: Callable[..., Any], make_check: Callable[..., Any]
) -> None:
    prospect = make_prospect()
    partial = {k: v for k, v in ANSWERS_A.items() if k != "dc_risk"}

    with pytest.raises(services.DealError) as raised:
        make_check(prospect, make_user(), partial)

    assert str(raised.value) == "Answer every question before you ask for advice; still open: dc_risk."
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DealCheck)) == 0


def test_record_check_names_the_rater_by_name_and_by_email_only_without_one(
    db, make_prospect, make_check, make_user, make_supplier
):
    # Arrange
    supplier = make_supplier()
    named = make_user(Role.SALES, email="pieter@supplier.example", name="Pieter Smit", suppliers=[supplier])
    unnamed = make_user(Role.SALES, email="anon@supplier.example", suppliers=[supplier])
    prospect = make_prospect(supplier=supplier)

    # Act
    labels = [make_check(prospect, user).respondent_label for user in (named, unnamed)]

    # Assert
    assert labels == ["Pieter Smit", "anon@supplier.example"]


def test_check_through_a_delivery_link_is_delivery_s_check(
    db: Any, app: Flask, smtp_server: Any, make_prospect: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    # Arrange: an invitation for someone who will deliver the work
    prospect = make_prospect(name="Harbour Clinic")
    invitation, _token = services.invite(
        session=db.session,
        prospect=prospect,
        email="dana@supplier.example",
        name="Dana Doe",
        language=Language.EN,
        actor=make_user(),
        mail=mail_settings(app.config),
        rater=DealRater.DELIVERY,
    )

    # Act
    check = services.record_check(
        session=db.session,
        prospect=prospect,
        questionnaire=catalogue().get(services.DEAL_CHECK_SLUG),
        scoring=catalogue().scoring,
        answers=ANSWERS_A,
        invitation=invitation,
        rater=DealRater.SALES,  # a link's rater wins over what is passed
    )

    # Assert
    assert (check.rater, check.respondent_label, invitation.rater) == (
        DealRater.DELIVERY,
        "Dana Doe",
        DealRater.DELIVERY,
    )
