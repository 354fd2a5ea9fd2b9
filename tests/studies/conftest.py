"""Factories for studies: a study with accounts, client contacts and assigned staff, built through the services."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from surveyapp.enums import Language, Side
from surveyapp.jobs.tasks import send_study_invitations
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.studies import scope
from surveyapp.studies.services import create_study, default_questionnaires


def fielded_in_2025() -> list[Any]:
    """The default questionnaires as they were fielded in 2025 (questionnaires/earlier/2025). For the study
    fixtures whose expected figures were worked out on those items: like a real study, they keep the versions
    they were made with, whatever today's files say."""
    return default_questionnaires(catalogue().as_fielded("2025"))


@pytest.fixture
def make_study(db: Any, make_supplier: Callable[..., Any]) -> Callable[..., Any]:
    counter = iter(range(1, 10_000))

    def factory(supplier: Any = None, slug: str | None = None, **kwargs: Any) -> Any:
        number = next(counter)
        study = create_study(
            session=db.session,
            supplier=supplier or make_supplier(),
            slug=slug or f"study-{number}",
            name=kwargs.pop("name", f"Study {number}"),
            questionnaires=kwargs.pop("questionnaires", None) or default_questionnaires(catalogue()),
            **kwargs,
        )
        db.session.commit()
        return study

    return factory


@pytest.fixture
def ready_study(db: Any, make_study: Callable[..., Any]) -> Callable[..., Any]:
    """A study whose prepare phase is complete: two accounts, a client contact each, one staff member."""

    def factory(send_staff_invitations: bool = True, **kwargs: Any) -> Any:
        study = make_study(**kwargs)
        first = scope.add_account(
            session=db.session,
            study=study,
            name="Acme BV",
            annual_revenue=Decimal(1000),
            effort_hours=Decimal(100),
            billable_hours=Decimal(80),
            actor=None,
        )
        second = scope.add_account(
            session=db.session, study=study, name="Globex", annual_revenue=Decimal(3000), actor=None
        )
        for account, email in ((first, "anna@acme.example"), (second, "ben@globex.example")):
            scope.add_contact(
                session=db.session,
                study=study,
                side=Side.CLIENT,
                email=email,
                name=email.split("@")[0].title(),
                language=Language.NL,
                account_id=account.account_id,
                actor=None,
            )
        scope.add_contact(
            session=db.session,
            study=study,
            side=Side.SUPPLIER,
            email="staff@supplier.example",
            name="Sam Staff",
            account_id=first.account_id,
            actor=None,
        )
        db.session.commit()
        if send_staff_invitations:
            # The supplier's own view is collected first: leaving prepare needs the staff invitations sent.
            send_study_invitations(study_id=study.id, actor_label="test")
        return study

    return factory
