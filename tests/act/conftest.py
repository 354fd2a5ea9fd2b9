"""Act fixtures: a study in the act phase with accounts in three quadrants, users, and a way to answer a wave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.act import services
from surveyapp.enums import DecisionKind, Perspective, Phase, Purpose, Role, Side
from surveyapp.questionnaires.services import load_version
from surveyapp.studies.models import Account, Contact, Study
from tests.reporting.studies import _answers, add_response, answered_study  # noqa: F401
from tests.studies.conftest import make_study, ready_study  # noqa: F401

# The quadrants of the answered study's accounts (tests/reporting/studies.py).
MATCH, SWAYED, MISFIT = "Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht"
FAR_AHEAD = date(2099, 1, 1)


def account_id(db: Any, name: str) -> int:
    return db.session.scalar(select(Account.id).where(Account.name == name))


@pytest.fixture
def act_study(db: Any, answered_study: Callable[..., Any]) -> Callable[..., Study]:  # noqa: F811
    """The answered study (match, customer swayed, misfit), moved on to the act phase."""

    def factory(**kwargs: Any) -> Study:
        study = answered_study(**kwargs)
        study.phase = Phase.ACT
        db.session.commit()
        return study

    return factory


@pytest.fixture
def researcher(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.RESEARCHER, email="rita@agency.example", name="Rita Researcher", all_suppliers=True)


def decide(db: Any, study: Study, name: str, kind: DecisionKind, actor: Any, **kwargs: Any) -> Any:
    if kind == DecisionKind.EXIT:
        kwargs.setdefault("handover_plan", "Three months' notice, files handed over in person.")
    decision = services.record_decision(
        session=db.session,
        study=study,
        account_id=account_id(db, name),
        kind=kind,
        rationale=kwargs.pop("rationale", f"Why {kind.value}"),
        actor=actor,
        **kwargs,
    )
    db.session.commit()
    return decision


def decide_all(db: Any, study: Study, actor: Any) -> dict[str, Any]:
    """The proposed decision for every account of the answered study."""
    return {
        MATCH: decide(db, study, MATCH, DecisionKind.CONTINUE, actor),
        SWAYED: decide(db, study, SWAYED, DecisionKind.REALIGN, actor),
        MISFIT: decide(db, study, MISFIT, DecisionKind.EXIT, actor),
    }


def act(db: Any, decision: Any, title: str, actor: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("due", FAR_AHEAD)
    if "owner_user_id" not in kwargs:
        kwargs.setdefault("owner_name", "Olga Owner")
        kwargs.setdefault("owner_email", "olga@client.example")
    action = services.add_action(session=db.session, decision=decision, title=title, actor=actor, **kwargs)
    db.session.commit()
    return action


def answer_again(db: Any, study: Study, levels: dict[str, tuple[int, int]]) -> None:
    """Complete responses in `study` for each account name: (client level, supplier level), 1-5."""
    when = datetime(2027, 10, 1, 9, tzinfo=UTC)
    supplier_contact = db.session.scalar(
        select(Contact.id).where(Contact.supplier_id == study.supplier_id, Contact.side == Side.SUPPLIER)
    )
    for name, (client_level, supplier_level) in levels.items():
        account = account_id(db, name)
        client = db.session.scalar(select(Contact.id).where(Contact.account_id == account).limit(1))
        for contact_id, perspective, level in (
            (client, Perspective.CLIENT, client_level),
            (supplier_contact, Perspective.SUPPLIER, supplier_level),
        ):
            questionnaire = load_version(
                session=db.session, version_id=study.questionnaire_for(perspective, Purpose.SURVEY).version_id
            )
            when += timedelta(hours=1)
            add_response(
                db.session,
                study,
                db.session.get(Contact, contact_id),
                account,
                perspective,
                _answers(questionnaire, level, 9),
                when,
            )
    db.session.commit()
