"""Export fixtures: the coding test study (answers with consents, themes), a CLI runner and a fresh twin study."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.cli import cli
from surveyapp.enums import Side
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import Response
from surveyapp.studies import scope
from surveyapp.studies.models import Contact, StudyAccount
from tests.coding.conftest import add_interview_quote, coded_study  # noqa: F401
from tests.studies.conftest import make_study  # noqa: F401


@pytest.fixture
def run(app: Any) -> Callable[..., Any]:
    runner = app.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def twin_study(db: Any, make_study: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """A fresh study of the same supplier with the same accounts (and figures) and the same respondents, on the
    same questionnaire versions."""

    def factory(original: Any, slug: str = "fit-twin") -> Any:
        pinned = [
            load_version(session=db.session, version_id=row.version_id) for row in original.questionnaires
        ]
        study = make_study(supplier=original.supplier, slug=slug, name="Twin", questionnaires=pinned)
        for in_scope in db.session.scalars(select(StudyAccount).where(StudyAccount.study_id == original.id)):
            scope.add_account(
                session=db.session,
                study=study,
                name=in_scope.account.name,
                effort_hours=in_scope.effort_hours,
                billable_hours=in_scope.billable_hours,
                actor=None,
            )
        pairs = db.session.execute(
            select(Contact, Response.account_id)
            .join(Response, Response.contact_id == Contact.id)
            .where(Response.study_id == original.id)
        ).all()
        for contact, account_id in pairs:
            scope.add_contact(
                session=db.session,
                study=study,
                side=contact.side,
                email=contact.email,
                account_id=account_id,
                actor=None,
            )
        assert all(contact.side in (Side.CLIENT, Side.SUPPLIER) for contact, _ in pairs)
        study.phase = original.phase
        db.session.commit()
        return study

    return factory
