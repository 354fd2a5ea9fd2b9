"""The screens' display values of method v2 (`dashboard.display`): pure functions of the analysis JSON, in the
active locale."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from surveyapp.analysis.disclosure import Disclosure
from surveyapp.dashboard import display
from surveyapp.reporting.formatting import Formatter

RULE = Disclosure(confidential_min_n=3)


def nps(promoters: int, passives: int, detractors: int, min_n: int = 3) -> dict:
    n = promoters + passives + detractors
    score = None if n == 0 else (promoters - detractors) * 100 / n
    return {
        "score": score,
        "n": n,
        "indicative": score is not None and n < min_n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
    }


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ((1, 0, 0), "1 promoter of 1"),
        ((0, 2, 1), "2 passives, 1 detractor of 3"),
        ((1, 1, 0), "1 promoter, 1 passive of 2"),
        ((0, 0, 2), "2 detractors of 2"),
    ],
)
def test_nps_below_min_n_is_its_answers(app, answers, shown):
    with force_locale("en"):
        assert display.nps_answers(nps(*answers, min_n=4)) == shown


def test_nps_from_min_n_or_without_answers_is_no_sentence(app):
    with force_locale("en"):
        assert display.nps_answers(nps(2, 0, 1)) is None
        assert display.nps_answers(nps(0, 0, 0)) is None


@pytest.mark.parametrize(
    ("agreed", "n", "shown"),
    [
        (100.0, 2, "2 of 2 agreed"),
        (50.0, 2, "1 of 2 agreed"),
        (0.0, 1, "0 of 1 agreed"),
        (66.7, 3, "67% agreed"),
        (100.0, 4, "100% agreed"),
        (None, 2, "—"),
    ],
)
def test_agreed_is_a_count_below_min_n_and_a_share_from_it(app, agreed, n, shown):
    with force_locale("en"):
        assert display.agreed_text({"agreed": agreed, "n": n}, min_n=3, fmt=Formatter("en")) == shown


@pytest.mark.parametrize(
    ("language", "agreed", "n", "shown"),
    [
        ("en", 100.0, 2, "2 of 2 reported it"),
        ("en", 50.0, 4, "50% reported it"),
        ("nl", 50.0, 2, "1 van 2 meldde het"),
        ("nl", 100.0, 2, "2 van 2 meldden het"),
    ],
)
def test_agreed_of_a_behaviour_signal_says_who_reported_the_problem(app, language, agreed, n, shown):
    with force_locale(language):
        signal = {"agreed": agreed, "n": n, "behaviour": True}
        assert display.agreed_text(signal, min_n=3, fmt=Formatter(language)) == shown


def test_agreed_share_in_the_readers_notation(app):
    with force_locale("nl"):
        shown = display.agreed_text({"agreed": 66.7, "n": 40}, min_n=3, fmt=Formatter("nl"))

    assert shown.startswith("67%")


def test_signal_groups_follow_the_article_and_keep_the_documents_order(app):
    signals = [
        {"question": "a", "group": "workarounds", "agreed": 100.0, "n": 2},
        {"question": "b", "group": "small_errors", "agreed": 50.0, "n": 2},
        {"question": "c", "group": "other", "agreed": 100.0, "n": 4},
        {"question": "d", "group": "workarounds", "agreed": 0.0, "n": 2},
    ]

    with force_locale("en"):
        groups = display.signal_groups(signals, min_n=3, fmt=Formatter("en"))

    assert [(group["key"], group["name"]) for group in groups] == [
        ("small_errors", "Runs of small errors"),
        ("workarounds", "Workarounds and work outside the agreement"),
        ("other", "Other signals"),
    ]
    assert [row["question"] for row in groups[1]["signals"]] == ["a", "d"]
    assert [row["agreed_text"] for row in groups[1]["signals"]] == ["2 of 2 agreed", "0 of 2 agreed"]


def test_advice_tally_withheld_identifiable_and_shown(app):
    counts = {"continue": 0, "realign": 2, "exit": 0, "unsure": 0}

    with force_locale("en"):
        inside = display.advice_tally({"counts": counts, "n": 2}, disclosure=RULE, outside=False)
        withheld = display.advice_tally(
            {"counts": None, "n": 2, "withheld": True}, disclosure=RULE, outside=True
        )
        shown = display.advice_tally({"counts": {**counts, "exit": 1}, "n": 3}, disclosure=RULE, outside=True)
        none = display.advice_tally(None, disclosure=RULE, outside=True)

    assert inside["identifiable"] and not inside["withheld"]
    assert [(o["name"], o["count"]) for o in inside["options"]] == [
        ("Continue", 0), ("Realign", 2), ("Exit", 0), ("Don't know", 0)
    ]  # fmt: skip
    assert withheld == {
        "n": 2,
        "withheld": True,
        "identifiable": False,
        "options": [],
        "text": "Withheld to protect the team: 2 staff members advised; the advice is shown from 3 staff "
        "members on.",
    }
    assert not shown["identifiable"] and shown["n"] == 3
    assert none is None


def test_cost_reasons_for_missing_figures(app):
    portfolio = {"baseline_share": 0.1, "median_match_hours": None}
    cost = {"excess_hours": 300.0, "equivalent_matching_clients": None, "revenue_forgone": None}

    with force_locale("en"):
        without_effort = display.account_cost(cost, portfolio)
        without_revenue = display.portfolio_cost({**cost, "equivalent_matching_clients": 0.3, "reason": "x"})

    assert without_effort["baseline_share"] == 0.1
    assert (
        without_effort["equivalent_reason"]
        == without_effort["revenue_reason"]
        == ("there is no matching account with effort hours above zero to compare with")
    )
    assert without_revenue["equivalent_reason"] is None
    assert without_revenue["revenue_reason"] == "no matching account has an annual revenue above zero"
    assert display.account_cost(None, portfolio) is None


def test_supplier_only_dimensions_by_name_in_the_models_order():
    dimensions = [
        {"key": "needs_match", "name": "Needs match", "client": {"mean": 70.0}, "supplier": {"mean": 60.0}},
        {"key": "effort", "name": "Effort", "client": None, "supplier": {"mean": 35.0}},
        {"key": "team_energy", "name": "Team energy", "client": None, "supplier": {"mean": 50.0}},
    ]

    shown = display.supplier_only(dimensions, {"supplier_only": ["team_energy", "effort"]})

    assert [(row["name"], row["supplier"]["mean"]) for row in shown] == [
        ("Effort", 35.0),
        ("Team energy", 50.0),
    ]
