"""Invitation tests: a study with staff, a lead and clients in both languages, and a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask

from surveyapp.enums import Language, Side
from surveyapp.mail.settings import mail_settings
from surveyapp.studies import scope
from surveyapp.studies.models import Contact
from tests.mail.smtpserver import free_port, smtp_server  # noqa: F401
from tests.studies.conftest import make_study, ready_study  # noqa: F401

LINK = re.compile(r"https://surveys\.example\.org/s/([A-Za-z0-9_-]+)")


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Iterator[Flask]:  # noqa: F811
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application


@pytest.fixture
def mail(app: Flask) -> Any:
    return mail_settings(app.config)


@pytest.fixture
def fit_study(db: Any, make_study: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """Acme BV (client Anna, Dutch) and Globex (client Ben, English); staff Sam rates both, Lea (lead) rates
    Globex."""

    def factory(**kwargs: Any) -> Any:
        kwargs.setdefault("deadline", date(2099, 12, 31))
        study = make_study(**kwargs)
        acme = scope.add_account(session=db.session, study=study, name="Acme BV", actor=None)
        globex = scope.add_account(session=db.session, study=study, name="Globex", actor=None)
        scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="anna@acme.example",
            name="Anna de Vries",
            language=Language.NL,
            account_id=acme.account_id,
            actor=None,
        )
        scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="ben@globex.example",
            name="Ben Smith",
            language=Language.EN,
            account_id=globex.account_id,
            actor=None,
        )
        sam = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.SUPPLIER,
            email="sam@supplier.example",
            name="Sam Staff",
            language=Language.EN,
            account_id=acme.account_id,
            actor=None,
        )
        scope.assign_staff(
            session=db.session, study=study, contact=sam, account_id=globex.account_id, actor=None
        )
        lea = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.SUPPLIER,
            email="lea@supplier.example",
            name="Lea Lead",
            language=Language.NL,
            account_id=globex.account_id,
            actor=None,
        )
        scope.set_lead(session=db.session, study=study, contact=lea, actor=None)
        db.session.commit()
        return study

    return factory


def contact(db: Any, email: str) -> Contact:
    from sqlalchemy import select

    return db.session.scalar(select(Contact).where(Contact.email == email))


def links_in(text: str) -> list[str]:
    return LINK.findall(text)
