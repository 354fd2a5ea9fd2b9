"""Fixtures for the deal fit check: the shipped check and scoring model, hand-computed answer sets, prospects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from surveyapp.deals import services
from surveyapp.enums import DealRater, Role
from surveyapp.questionnaires.loader import load_directory
from surveyapp.questionnaires.runtime import catalogue
from tests.mail.smtpserver import smtp_server  # noqa: F401
from tests.studies.conftest import make_study  # noqa: F401

# docs/method.md section 12, example A: 1048.33 / 14 = 74.9 -> go.
ANSWERS_A = {
    "dc_need": "core",
    "dc_why_us": "reputation",
    "dc_difference": "4",
    "dc_standard": "small_changes",
    "dc_scope": "mostly_clear",
    "dc_quality": "4",
    "dc_effort": "somewhat_more",
    "dc_budget": "fits",
    "dc_decision": "clear",
    "dc_risk": "none_known",
    "dc_chemistry": "businesslike",
    "dc_energy": "4",
    "dc_horizon": "project",
    "dc_reference": "some",
}
# Example B: 840 / 14 = 60.0 -> go with conditions, seven conditions.
ANSWERS_B = {
    **ANSWERS_A,
    "dc_need": "mostly",
    "dc_why_us": "unknown",
    "dc_scope": "unknown",
    "dc_quality": "3",
    "dc_effort": "unknown",
    "dc_budget": "tight",
    "dc_decision": "partly_clear",
    "dc_horizon": "partner",
}
# Every answer at its best (score 100 everywhere).
ANSWERS_BEST = {
    "dc_need": "core",
    "dc_why_us": "expertise",
    "dc_difference": "5",
    "dc_standard": "as_is",
    "dc_scope": "fixed",
    "dc_quality": "5",
    "dc_effort": "little",
    "dc_budget": "fits",
    "dc_decision": "clear",
    "dc_risk": "none_known",
    "dc_chemistry": "smooth",
    "dc_energy": "5",
    "dc_horizon": "partner",
    "dc_reference": "high",
}
CHECKED = datetime(2024, 3, 1, 10, tzinfo=UTC)


@pytest.fixture(scope="session")
def shipped() -> Any:
    """The shipped questionnaire folder, read without an app (pure tests)."""
    return load_directory(Path(__file__).resolve().parents[2] / "questionnaires")


@pytest.fixture
def make_prospect(db: Any, make_supplier: Callable[..., Any]) -> Callable[..., Any]:
    counter = iter(range(1, 10_000))

    def factory(supplier: Any = None, name: str | None = None, **kwargs: Any) -> Any:
        prospect = services.create_prospect(
            session=db.session,
            supplier=supplier or make_supplier(),
            name=name or f"Prospect {next(counter)}",
            **kwargs,
        )
        db.session.commit()
        return prospect

    return factory


@pytest.fixture
def make_check(db: Any) -> Callable[..., Any]:
    def factory(
        prospect: Any,
        user: Any,
        answers: dict[str, str] | None = None,
        now: datetime = CHECKED,
        rater: DealRater = DealRater.SALES,
    ) -> Any:
        check = services.record_check(
            session=db.session,
            prospect=prospect,
            questionnaire=catalogue().get(services.DEAL_CHECK_SLUG),
            scoring=catalogue().scoring,
            answers=answers or ANSWERS_A,
            user=user,
            rater=rater,
            now=now,
        )
        db.session.commit()
        return check

    return factory


@pytest.fixture
def sales_user(make_user: Callable[..., Any]) -> Callable[..., Any]:
    def factory(supplier: Any) -> Any:
        return make_user(Role.SALES, suppliers=[supplier])

    return factory
