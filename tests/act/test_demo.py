"""The demo's finished wave in the act phase: a decision for every account, actions done and overdue, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.act.models import ActionItem, Decision
from surveyapp.act.services import study_today
from surveyapp.cli import cli
from surveyapp.enums import ActionStatus, DecisionKind
from surveyapp.studies.models import Study


@pytest.fixture
def demo(app: Any) -> Any:
    runner = app.test_cli_runner()

    def invoke(*args: str) -> Any:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    invoke("demo")
    return invoke


def test_demo_finished_wave_has_a_decision_for_every_account_and_a_second_run_adds_nothing(db, demo):
    study = db.session.scalar(select(Study).where(Study.slug == "brightline-2025"))
    decisions = db.session.scalars(select(Decision).where(Decision.study_id == study.id)).all()
    actions = [action for decision in decisions for action in decision.actions]
    before = (len(decisions), len(actions))

    demo("demo")

    today = study_today(study)
    assert {d.account.name: d.kind for d in decisions} == {
        "Atlas Engineering": DecisionKind.REALIGN,
        "Greenfield Offices Ltd": DecisionKind.CONTINUE,
        "Helder Zorggroep": DecisionKind.REALIGN,
        "Kempen Retail": DecisionKind.CONTINUE,
        "Noordzee Havenbedrijf": DecisionKind.REALIGN,
        "Polderwind Energie": DecisionKind.REALIGN,
        "Stadsbank Utrecht": DecisionKind.EXIT,
        "Van Dijk Logistiek": DecisionKind.CONTINUE,
    }
    assert sum(1 for a in actions if a.status == ActionStatus.DONE) == 7
    assert sum(1 for a in actions if a.is_overdue(today)) == 5
    assert (
        db.session.scalar(select(func.count()).select_from(Decision)),
        db.session.scalar(select(func.count()).select_from(ActionItem)),
    ) == before
