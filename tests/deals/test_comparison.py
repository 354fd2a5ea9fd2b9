"""What the checks predicted against the fit measured later: account prediction, the confusion table, the report
sections and the prospects page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import render_template
from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.deals import services
from surveyapp.deals.models import Prospect
from surveyapp.deals.queries import account_prediction, supplier_comparison
from surveyapp.deals.report_sections import sections
from surveyapp.enums import DealRater, Phase
from surveyapp.studies.models import Account
from tests.deals.conftest import ANSWERS_A, ANSWERS_B, CHECKED
from tests.reporting.studies import answered_study_factory

NO_GO = {**ANSWERS_A, "dc_risk": "serious"}


@pytest.fixture
def measured(
    db: Any,
    make_study: Callable[..., Any],
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
) -> Any:
    """The three-account study (match, customer swayed, misfit) with a linked, checked prospect per account."""
    study = answered_study_factory(db, make_study, make_supplier)()
    user = make_user()
    for account_name, answers in (
        ("Van Dijk Logistiek", ANSWERS_A),
        ("Noordzee Havenbedrijf", ANSWERS_B),
        ("Stadsbank Utrecht", NO_GO),
    ):
        prospect = make_prospect(study.supplier, f"{account_name} (prospect)")
        make_check(prospect, user, answers)
        account = db.session.query(Account).filter_by(name=account_name).one()
        services.link_account(session=db.session, prospect=prospect, account_id=account.id, actor=user)
    db.session.commit()
    return study


def test_account_prediction_gives_latest_check(
    db: Any, measured: Any, make_check: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    account = db.session.query(Account).filter_by(name="Noordzee Havenbedrijf").one()

    prediction = account_prediction(session=db.session, account_id=account.id)

    assert {key: prediction[key] for key in ("prospect", "advice", "score", "knocked_out", "checked_at")} == {
        "prospect": "Noordzee Havenbedrijf (prospect)",
        "advice": "go_with_conditions",
        "score": 60.0,
        "knocked_out": False,
        "checked_at": CHECKED,
    }


def test_account_prediction_with_sales_and_delivery_is_the_stricter_advice(
    db: Any, measured: Any, make_check: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    # Arrange: Van Dijk's prospect has sales' go (example A); delivery says no-go a day later, and sales checks
    # again two days later with a go
    account = db.session.query(Account).filter_by(name="Van Dijk Logistiek").one()
    prospect = db.session.scalar(select(Prospect).where(Prospect.account_id == account.id))
    delivery = make_check(
        prospect, make_user(), NO_GO, now=CHECKED + timedelta(days=1), rater=DealRater.DELIVERY
    )
    make_check(prospect, make_user(), ANSWERS_A, now=CHECKED + timedelta(days=2))

    # Act
    prediction = account_prediction(session=db.session, account_id=account.id)

    # Assert: a deal needs both, so delivery's no-go carries the advice, although sales' check is later
    assert (prediction["check_id"], prediction["advice"], prediction["knocked_out"]) == (
        delivery.id,
        "no_go",
        True,
    )


def test_account_prediction_is_none_without_linked_prospect(db: Any, measured: Any) -> None:
    other = Account(supplier_id=measured.supplier_id, name="Unlinked BV")
    db.session.add(other)
    db.session.commit()

    assert account_prediction(session=db.session, account_id=other.id) is None


def test_supplier_comparison_counts_advice_against_measured_quadrant(db: Any, measured: Any) -> None:
    comparison = supplier_comparison(session=db.session, supplier_id=measured.supplier_id)

    assert comparison.n == 3
    assert comparison.counts == {
        "go": {"match": 1, "customer_swayed": 0, "blind_spot": 0, "misfit": 0},
        "go_with_conditions": {"match": 0, "customer_swayed": 1, "blind_spot": 0, "misfit": 0},
        "no_go": {"match": 0, "customer_swayed": 0, "blind_spot": 0, "misfit": 1},
    }
    assert [(row.prospect, row.study) for row in comparison.rows] == [
        ("Noordzee Havenbedrijf (prospect)", "fit-2025"),
        ("Stadsbank Utrecht (prospect)", "fit-2025"),
        ("Van Dijk Logistiek (prospect)", "fit-2025"),
    ]


def test_supplier_comparison_ignores_checks_after_the_study_and_studies_before_analyse(
    db: Any,
    measured: Any,
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    van_dijk = db.session.query(Account).filter_by(name="Van Dijk Logistiek").one()
    prospect = account_prediction(session=db.session, account_id=van_dijk.id)
    later = make_check(
        db.session.get(services.Prospect, prospect["prospect_id"]),
        make_user(),
        NO_GO,
        now=utcnow() + timedelta(days=1),
    )

    comparison = supplier_comparison(session=db.session, supplier_id=measured.supplier_id)
    measured.phase = Phase.INTERVIEW
    db.session.commit()
    before_analyse = supplier_comparison(session=db.session, supplier_id=measured.supplier_id)

    assert account_prediction(session=db.session, account_id=van_dijk.id)["check_id"] == later.id
    assert comparison.counts["go"]["match"] == 1
    assert comparison.counts["no_go"]["match"] == 0
    assert before_analyse.n == 0


def test_report_sections_give_account_prediction_and_portfolio_table(db: Any, measured: Any) -> None:
    result = sections(session=db.session, study=measured, language="en")

    assert result["Van Dijk Logistiek"] == {
        "deal_check": {
            "prospect": "Van Dijk Logistiek (prospect)",
            "advice": "go",
            "advice_label": "Go",
            "score": 74.9,
            "checked_at": "March 1, 2024",
            "knocked_out": False,
            "quadrant": "match",
        }
    }
    assert result["Stadsbank Utrecht"]["deal_check"]["knocked_out"] is True
    table = result[None]["deal_checks"]
    assert table["n"] == 3
    assert [row["label"] for row in table["quadrants"]] == [
        "Match",
        "Customer swayed",
        "Blind spot",
        "Misfit",
    ]
    assert [(row["advice"], row["total"], row["counts"]["misfit"]) for row in table["advice"]] == [
        ("go", 1, 0),
        ("go_with_conditions", 1, 0),
        ("no_go", 1, 1),
    ]


def test_report_sections_are_empty_without_linked_prospects(
    db: Any, make_study: Callable[..., Any], make_supplier: Callable[..., Any]
) -> None:
    study = answered_study_factory(db, make_study, make_supplier)()

    assert sections(session=db.session, study=study, language="nl") == {}


def test_prospects_page_shows_the_comparison(
    client: Any, measured: Any, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    login(make_user())

    page = re.sub(r">\s+<", "><", client.get(f"/suppliers/{measured.supplier_id}/prospects").text)

    assert "Did the checks predict the fit?" in page
    assert "3 prospects became clients and were measured in a study later." in page
    assert '<th scope="row">No-go</th><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td>' in page


def test_account_prediction_partial_shows_advice_score_and_prospect(app: Any, db: Any, measured: Any) -> None:
    account = db.session.query(Account).filter_by(name="Stadsbank Utrecht").one()
    prediction = account_prediction(session=db.session, account_id=account.id)

    with app.test_request_context("/"):
        html = render_template("deals/_account_prediction.html", prediction=prediction)
        empty = render_template("deals/_account_prediction.html", prediction=None)

    text = " ".join(html.split())
    assert "What the deal fit check predicted" in text
    assert "No-go · score 71.3" in text  # example A with risk (100 + 0) / 2: 998.33 / 14
    assert "knock-out" in text
    assert "From the latest check of prospect Stadsbank Utrecht (prospect), before the offer." in text
    assert empty.strip() == ""
