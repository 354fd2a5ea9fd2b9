"""Prospect pages and running a check in the browser: the flow a new sales user follows, and bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from surveyapp.deals.models import DealCheck, Prospect, ProspectDecision
from surveyapp.enums import DealAdvice, DealRater, OfferDecision
from surveyapp.questionnaires import messages
from tests.deals.conftest import ANSWERS_A, ANSWERS_B


def _form(answers: dict[str, str]) -> dict[str, str]:
    return {f"q-{key}": value for key, value in answers.items()}


def test_sales_user_runs_a_check_and_sees_the_advice_with_reasons(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "Harbour Clinic")
    login(sales_user(supplier))

    form_page = client.get(f"/prospects/{prospect.id}/check")
    posted = client.post_form(f"/prospects/{prospect.id}/check", _form(ANSWERS_B))
    result = client.get(posted.headers["Location"])

    assert form_page.status_code == 200
    assert "How well does the prospect&#39;s question match what we are really good at?" in form_page.text
    assert posted.status_code == 302
    page = result.text
    assert "Advice: Go with conditions: agree these first" in page
    assert "Deal fit score: 60.0 of 100." in page
    assert "Fix the scope in writing, with a change procedure: who decides and what a change costs." in page
    assert "Weak point" in page
    stored = db.session.scalars(select(DealCheck)).one()
    assert (stored.advice, stored.score, stored.answers["dc_scope"]) == (
        DealAdvice.GO_WITH_CONDITIONS,
        60.0,
        "unknown",
    )


def test_check_with_missing_answers_is_refused_keeps_answers_and_writes_nothing(
    client: Any,
    db: Any,
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    prospect = make_prospect()
    login(make_user())
    partial = {key: value for key, value in ANSWERS_A.items() if key != "dc_budget"}

    response = client.post_form(f"/prospects/{prospect.id}/check", _form(partial))

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert str(messages.REQUIRED) in response.text
    assert re.search(r'<input checked[^>]*value="reputation"', response.text) is not None
    assert db.session.scalar(select(func.count()).select_from(DealCheck)) == 0


def test_prospect_with_duplicate_name_is_refused(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier()
    make_prospect(supplier, "Harbour Clinic")
    login(make_user())

    response = client.post_form(
        f"/suppliers/{supplier.id}/prospects/new",
        {"name": " harbour  clinic ", "stage": "lead", "segment": "Care"},
    )

    assert response.status_code == 422
    assert "This supplier already has a prospect named harbour clinic." in response.text
    assert 'value="Care"' in response.text
    assert db.session.scalar(select(func.count()).select_from(Prospect)) == 1


def test_sales_user_creates_a_prospect_for_own_supplier(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier()
    login(sales_user(supplier))

    response = client.post_form(
        f"/suppliers/{supplier.id}/prospects/new",
        {
            "name": "Polder Data",
            "segment": "IT",
            "sales_owner": "Sam",
            "stage": "proposal",
            "expected_value": "125000",
        },
    )

    prospect = db.session.scalars(select(Prospect)).one()
    assert response.status_code == 302
    assert (prospect.name, prospect.segment, prospect.sales_owner, prospect.stage.value) == (
        "Polder Data",
        "IT",
        "Sam",
        "proposal",
    )
    assert str(prospect.expected_value) == "125000.00"


def test_sales_user_gets_404_for_another_suppliers_prospects(
    client: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    own, other = make_supplier(), make_supplier()
    foreign = make_prospect(other)
    check = make_check(foreign, make_user())
    login(sales_user(own))

    codes = [
        client.get(f"/suppliers/{other.id}/prospects").status_code,
        client.get(f"/prospects/{foreign.id}").status_code,
        client.get(f"/prospects/{foreign.id}/check").status_code,
        client.get(f"/checks/{check.id}").status_code,
        client.get(f"/suppliers/{other.id}/prospects.csv").status_code,
        client.post_form(f"/suppliers/{other.id}/prospects/new", {"name": "X", "stage": "lead"}).status_code,
        client.post_form(f"/prospects/{foreign.id}/decisions", {"decision": "offer_made"}).status_code,
    ]

    assert codes == [404, 404, 404, 404, 404, 404, 404]


def test_sales_user_cannot_reach_any_study_page(
    client: Any,
    make_supplier: Callable[..., Any],
    make_study: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier()
    study = make_study(supplier=supplier, slug="fit-2026")
    login(sales_user(supplier))

    codes = {
        path: client.get(path).status_code
        for path in (
            f"/studies/{study.slug}",
            f"/studies/{study.slug}/dashboard",
            f"/studies/{study.slug}/reports",
            f"/studies/{study.slug}/interviews",
            "/interviews",
            f"/studies/{study.slug}/settings",
            f"/studies/{study.slug}/act",
            f"/studies/{study.slug}/coding",
            f"/studies/{study.slug}/exports",
            f"/studies/{study.slug}/exports/download",
        )
    }
    studies_list = client.get("/studies")

    assert set(codes.values()) == {404}
    assert study.name not in studies_list.text


def test_account_team_member_gets_404_on_prospect_pages(
    client: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier()
    prospect = make_prospect(supplier)
    login(make_user("account_team", suppliers=[supplier]))

    codes = [
        client.get("/prospects").status_code,
        client.get(f"/suppliers/{supplier.id}/prospects").status_code,
        client.get(f"/prospects/{prospect.id}").status_code,
    ]

    assert codes == [404, 404, 404]


def test_prospects_page_redirects_a_single_supplier_user_to_its_list(
    client: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "<b>Harbour</b>")
    make_check(prospect, make_user(), ANSWERS_A)
    login(sales_user(supplier))

    response = client.get("/prospects", follow_redirects=True)

    assert response.request.path == f"/suppliers/{supplier.id}/prospects"
    assert "&lt;b&gt;Harbour&lt;/b&gt;" in response.text
    assert "<b>Harbour</b>" not in response.text
    assert ">Go</a> (74.9)" in response.text


def test_decision_is_recorded_with_note_and_latest_check(
    client: Any,
    db: Any,
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    prospect = make_prospect()
    user = make_user()
    check = make_check(prospect, user)
    login(user)

    response = client.post_form(
        f"/prospects/{prospect.id}/decisions", {"decision": "offer_declined", "note": "Scope kept moving."}
    )

    decision = db.session.scalars(select(ProspectDecision)).one()
    assert response.status_code == 302
    assert (decision.decision, decision.note, decision.check_id) == (
        OfferDecision.OFFER_DECLINED,
        "Scope kept moving.",
        check.id,
    )


def test_decision_without_choice_is_refused(
    client: Any,
    db: Any,
    make_prospect: Callable[..., Any],
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    prospect = make_prospect()
    login(make_user())

    response = client.post_form(f"/prospects/{prospect.id}/decisions", {"note": "kept"})

    assert response.status_code == 422
    assert "Choose whether the offer was made or declined." in response.text
    assert "kept</textarea>" in response.text
    assert db.session.scalar(select(func.count()).select_from(ProspectDecision)) == 0


def test_sales_user_home_links_the_supplier_to_its_prospects_not_its_studies(
    client: Any,
    make_supplier: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    supplier = make_supplier()
    login(sales_user(supplier))

    page = client.get("/").get_data(as_text=True)

    assert f'href="/suppliers/{supplier.id}/prospects"' in page
    assert f'href="/suppliers/{supplier.id}"' not in page


def test_checks_by_sales_and_delivery_stand_side_by_side_with_the_stricter_advice(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    # Arrange: one user answers as sales (example A: go), then as delivery (example B: go with conditions)
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "Harbour Clinic")
    login(sales_user(supplier))

    # Act
    form_page = client.get(f"/prospects/{prospect.id}/check")
    client.post_form(f"/prospects/{prospect.id}/check", {**_form(ANSWERS_A), "rater": "sales"})
    after_one = client.get(f"/prospects/{prospect.id}")
    posted = client.post_form(f"/prospects/{prospect.id}/check", {**_form(ANSWERS_B), "rater": "delivery"})
    page = client.get(f"/prospects/{prospect.id}").text
    check_page = client.get(posted.headers["Location"]).text

    # Assert
    assert 'id="rater" name="rater"><option selected value="sales">Sales</option>' in form_page.text
    assert "A deal needs both sales and delivery" in after_one.text
    stored = db.session.scalars(select(DealCheck).order_by(DealCheck.id)).all()
    assert [(check.rater.value, check.advice) for check in stored] == [
        ("sales", DealAdvice.GO),
        ("delivery", DealAdvice.GO_WITH_CONDITIONS),
    ]
    for shown in (page, check_page):
        assert "Sales and delivery together: Go with conditions: agree these first" in shown
        assert "They do not agree: talk before you make an offer." in shown
        assert "Where they disagree" in shown
    assert "for Delivery." in check_page


def test_check_with_a_rater_that_is_not_offered_is_refused_and_writes_nothing(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    # Arrange
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "Harbour Clinic")
    login(sales_user(supplier))

    # Act
    posted = client.post_form(f"/prospects/{prospect.id}/check", {**_form(ANSWERS_A), "rater": "marketing"})

    # Assert
    assert posted.status_code == 422
    assert "Not a valid choice" in posted.text
    assert db.session.scalar(select(func.count()).select_from(DealCheck)) == 0


def test_check_page_shows_the_two_views_as_they_stood_when_it_was_answered(
    client: Any,
    db: Any,
    make_supplier: Callable[..., Any],
    make_prospect: Callable[..., Any],
    make_check: Callable[..., Any],
    sales_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    # Arrange: sales says go (1 March), delivery go with conditions (2 March), sales again no-go (3 March)
    supplier = make_supplier("Brightline")
    prospect = make_prospect(supplier, "Harbour Clinic")
    user = sales_user(supplier)
    first = make_check(prospect, user, ANSWERS_A, now=datetime(2024, 3, 1, tzinfo=UTC))
    delivery = make_check(
        prospect, user, ANSWERS_B, now=datetime(2024, 3, 2, tzinfo=UTC), rater=DealRater.DELIVERY
    )
    make_check(
        prospect, user, {**ANSWERS_A, "dc_standard": "their_way"}, now=datetime(2024, 3, 3, tzinfo=UTC)
    )
    login(user)

    # Act
    first_page = client.get(f"/checks/{first.id}").text
    delivery_page = client.get(f"/checks/{delivery.id}").text
    prospect_page = client.get(f"/prospects/{prospect.id}").text

    # Assert: the first check had no delivery view yet; delivery's stood beside the go of 1 March; the
    # prospect page combines the latest of each (the no-go of 3 March)
    assert "Sales and delivery together" not in first_page
    assert "Sales and delivery together: Go with conditions: agree these first" in delivery_page
    assert "Sales and delivery together: No-go: do not make an offer" in prospect_page
