"""The report context: the document's numbers untouched, with names, advice, rankings and cost explanation."""

from __future__ import annotations

from flask_babel import force_locale

from surveyapp.reporting.context import account_view, largest_gaps
from surveyapp.reporting.portfolio_context import cost_explanation, response_totals, risk_key


def _row(key, gap, flagged):
    return {
        "key": key,
        "name": key,
        "client": {"mean": 50.0},
        "supplier": {"mean": 50.0},
        "gap": gap,
        "flagged": flagged,
    }


def test_largest_gaps_are_the_flagged_ones_largest_first_at_most_three():
    rows = [
        _row("a", 15.0, True),
        _row("b", -40.0, True),
        _row("c", 30.0, False),
        _row("d", 20.0, True),
        _row("e", -20.0, True),
    ]

    assert [row["key"] for row in largest_gaps(rows)] == ["b", "d", "e"]


def test_account_view_keeps_the_numbers_and_adds_names_and_advice(make_inputs):
    inputs = make_inputs("nl")
    entry = inputs.account("Stadsbank Utrecht")

    with force_locale("nl"):
        view = account_view(inputs, entry)

    assert view["overall"] == entry["overall"]
    assert [row["gap"] for row in view["dimensions"]] == [row["gap"] for row in entry["dimensions"]]
    assert view["quadrant_name"] == "Misfit"
    assert view["dimensions"][0]["name"] == "Aansluiting op de behoefte"
    assert (
        view["signals"][0]["text"]
        == "Wij merken regelmatig kleine fouten in het werk van Brightline Facility Services."
    )
    assert view["signals"][0]["perspective_name"] == "Klant"
    assert "decision" not in view and "themes" not in view


def test_accounts_are_ranked_by_risk(make_inputs):
    inputs = make_inputs("en")
    with force_locale("en"):
        accounts = [account_view(inputs, entry) for entry in inputs.document["accounts"]]

    ranked = [account["name"] for account in sorted(accounts, key=risk_key)]

    assert ranked == [
        "Stadsbank Utrecht",
        "Polderwind Energie",
        "Noordzee Havenbedrijf",
        "Greenfield Offices Ltd",
        "Atlas Engineering",
        "Helder Zorggroep",
        "Van Dijk Logistiek",
        "Kempen Retail",
    ]


def test_cost_explanation_lists_the_accounts_behind_the_json_totals(make_inputs):
    inputs = make_inputs("en")
    with force_locale("en"):
        accounts = [account_view(inputs, entry) for entry in inputs.document["accounts"]]

    cost = cost_explanation(inputs, accounts)

    assert [(row["account"]["name"], row["cost"]["nonbillable_hours"]) for row in cost["mismatched"]] == [
        ("Greenfield Offices Ltd", 150.0),
        ("Noordzee Havenbedrijf", 1300.0),
        ("Stadsbank Utrecht", 1300.0),
    ]
    totals = inputs.document["portfolio"]["cost_of_mismatch"]
    assert sum(row["cost"]["nonbillable_hours"] for row in cost["mismatched"]) == totals["nonbillable_hours"]
    assert [row["cost"]["effort_hours"] for row in cost["matching"]] == [1700.0, 2600.0, 2900.0]


def test_response_totals_add_up_the_accounts(make_inputs):
    inputs = make_inputs("en")

    totals = response_totals(inputs.document["accounts"])

    # synthetic.py: 16 clients (each account invites one more), 15 staff; clients answer by survey except one
    # interview per account, staff by survey
    assert totals == {
        "client": {"invited": 24, "completed": 16},
        "supplier": {"invited": 15, "completed": 15},
        "by_mode": {"survey": 23, "interview": 8, "import": 0},
    }
