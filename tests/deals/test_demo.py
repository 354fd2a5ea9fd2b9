"""The demo as a new sales manager meets it: log in, run a check on a demo prospect, get the advice with its
reasons; the linked demo prospects show the comparison with the fit measured later."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.cli import cli
from surveyapp.deals.models import DealCheck, Prospect, ProspectDecision
from tests.deals.conftest import ANSWERS_B


@pytest.fixture
def demo(app: Any) -> Any:
    runner = app.test_cli_runner()

    def invoke() -> Any:
        result = runner.invoke(cli, ["demo"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def _counts(db: Any) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Prospect, DealCheck, ProspectDecision)
    )


def test_demo_loads_sales_login_and_prospects_once(db: Any, demo: Any) -> None:
    first = demo()
    counts = _counts(db)

    demo()

    assert (
        "sales: sales@demo.example / demo-sales-password" in first.output
        or "sales@demo.example" in first.output
    )
    assert counts == (5, 5, 3)
    assert _counts(db) == counts


def test_demo_sales_manager_runs_a_check_and_sees_the_comparison(client: Any, db: Any, demo: Any) -> None:
    demo()
    client.post_form("/login", {"email": "sales@demo.example", "password": "demo-sales-password"})
    prospect = db.session.scalar(select(Prospect).where(Prospect.name == "Kustlijn Zorggroep"))

    listing = client.get("/prospects", follow_redirects=True)
    posted = client.post_form(f"/prospects/{prospect.id}/check", {f"q-{k}": v for k, v in ANSWERS_B.items()})
    result = client.get(posted.headers["Location"])
    studies = client.get("/studies/brightline-2025")

    page = re.sub(r">\s+<", "><", listing.text)
    assert "Kustlijn Zorggroep" in page
    assert "2 prospects became clients and were measured in a study later." in page
    assert '<th scope="row">Go</th><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>' in page
    assert '<th scope="row">Go with conditions</th><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td>' in page
    assert "Advice: Go with conditions: agree these first" in result.text
    assert "Why: the answers that drove the advice" in result.text
    assert studies.status_code == 404


def test_demo_prospect_checked_by_sales_and_delivery_shows_both_views(
    client: Any, db: Any, demo: Any
) -> None:
    # Arrange
    demo()
    client.post_form("/login", {"email": "sales@demo.example", "password": "demo-sales-password"})
    prospect = db.session.scalar(select(Prospect).where(Prospect.name == "Vermeer Bouwgroep"))

    # Act
    page = client.get(f"/prospects/{prospect.id}").text

    # Assert: sales says go, delivery (Dana de Boer, through a personal link) doubts the capacity
    assert "Sales and delivery together: Go with conditions: agree these first" in page
    assert "Dana de Boer" in page
    assert "They do not agree: talk before you make an offer." in page
