"""Rule 18's pure part: what of an analysis document leaves the research team, and which subgroups to hide."""

from __future__ import annotations

import copy

import pytest

from surveyapp.analysis.disclosure import (
    Disclosure,
    hidden_groups,
    lazy_outside_view,
    outside_account,
    outside_summary,
    outside_view,
    shared_outside_view,
)

RULE = Disclosure(
    confidential_min_n=3,
    sensitive_dimensions=frozenset({"team_energy"}),
    sensitive_items=frozenset({"energy_1"}),
)


def cell(mean: float | None, n: int, sd: float | None) -> dict:
    return {"mean": mean, "n": n, "sd": sd, "indicative": n < 3}


def document() -> dict:
    return {
        "thresholds": {"min_n": 3, "quadrant": 60.0, "gap": 15.0, "signal": 40.0},
        "portfolio": {"dimensions": [{"key": "team_energy", "supplier": {"mean": 55.0, "n": 8}}]},
        "accounts": [
            {
                "account": "Acme",
                "dimensions": [
                    {"key": "needs_match", "client": cell(70.0, 2, 14.1), "supplier": cell(60.0, 3, 5.0)},
                    {"key": "team_energy", "client": None, "supplier": cell(25.0, 2, 35.4)},
                ],
                "understanding": [
                    {"key": "needs_match", "predicted": cell(50.0, 1, None), "client": cell(70.0, 2, 14.1)}
                ],
                "signals": [
                    {
                        "question": "energy_1",
                        "perspective": "supplier",
                        "score": 25.0,
                        "n": 2,
                        "indicative": True,
                    },
                    {
                        "question": "effort_1",
                        "perspective": "supplier",
                        "score": 0.0,
                        "n": 2,
                        "indicative": True,
                    },
                ],
            },
            {
                "account": "Globex",
                "dimensions": [{"key": "team_energy", "client": None, "supplier": cell(80.0, 3, 10.0)}],
                "understanding": None,
                "signals": [
                    {
                        "question": "energy_1",
                        "perspective": "supplier",
                        "score": 30.0,
                        "n": 3,
                        "indicative": False,
                    }
                ],
            },
        ],
    }


def test_outside_view_drops_sd_below_three_and_keeps_it_from_three():
    # Act
    shown = outside_view(document(), RULE)

    # Assert
    needs = shown["accounts"][0]["dimensions"][0]
    assert needs["client"] == {"mean": 70.0, "n": 2, "sd": None, "indicative": True}
    assert needs["supplier"] == {"mean": 60.0, "n": 3, "sd": 5.0, "indicative": False}
    assert shown["accounts"][0]["understanding"][0]["client"]["sd"] is None


def test_outside_view_withholds_a_sensitive_dimension_below_the_threshold():
    # Act
    shown = outside_view(document(), RULE)

    # Assert: two raters, withheld with n kept; three raters, shown
    assert shown["accounts"][0]["dimensions"][1]["supplier"] == {
        "mean": None, "n": 2, "sd": None, "indicative": True, "withheld": True
    }  # fmt: skip
    assert shown["accounts"][1]["dimensions"][0]["supplier"] == cell(80.0, 3, 10.0)


def test_outside_view_drops_signals_of_sensitive_items_below_the_threshold_only():
    # Act
    shown = outside_view(document(), RULE)

    # Assert
    assert [s["question"] for s in shown["accounts"][0]["signals"]] == ["effort_1"]
    assert [s["question"] for s in shown["accounts"][1]["signals"]] == ["energy_1"]


def test_outside_view_leaves_the_shared_document_and_the_portfolio_as_they_are():
    # Arrange
    original = document()
    before = copy.deepcopy(original)

    # Act
    shown = outside_view(original, RULE)

    # Assert
    assert original == before
    # Acme's team energy is withheld, so the portfolio's (n × mean minus Globex's would give it away) is too
    assert shown["portfolio"] == {
        "dimensions": [{"key": "team_energy", "supplier": {"mean": None, "n": 8, "withheld": True}}]
    }
    assert shown["thresholds"] == {**before["thresholds"], "confidential_min_n": 3}
    assert shown["confidentiality"] == {"sd_min_n": 3, "sensitive_dimensions": ["team_energy"]}


def test_shared_outside_view_is_made_once_per_document_object():
    # Arrange
    original = document()

    # Act
    first, again = shared_outside_view(original, RULE), shared_outside_view(original, RULE)
    other = shared_outside_view(document(), RULE)

    # Assert
    assert first is again
    assert other is not first
    assert other == first


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"user": 5, "buyer": 4}, set()),
        ({"user": 5, "buyer": 1, "decision_maker": 2}, {"buyer", "decision_maker"}),
        # one small group alone could be worked out from the total: the next smallest goes with it
        ({"user": 5, "buyer": 1, "decision_maker": 4}, {"buyer", "decision_maker"}),
        ({"user": 5, "buyer": 1}, {"buyer", "user"}),
        ({"buyer": 2}, {"buyer"}),
        ({}, set()),
    ],
)
def test_hidden_groups_hide_small_groups_and_what_would_give_them_away(sizes, hidden):
    assert hidden_groups(sizes, RULE) == hidden


def test_disclosure_group_shown_from_the_threshold():
    assert [RULE.group_shown(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


def test_outside_view_keeps_a_sensitive_portfolio_figure_when_no_account_is_withheld():
    # Arrange: every account's team energy rests on three raters
    original = document()
    original["accounts"] = [original["accounts"][1]]

    # Act
    shown = outside_view(original, RULE)

    # Assert
    assert shown["portfolio"] is original["portfolio"]


def advice(counts: dict[str, int]) -> dict:
    return {"counts": counts, "n": sum(counts.values())}


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        # two staff members advised: the tally would be their answers, so only n leaves the research team
        ({"continue": 0, "realign": 2, "exit": 0}, {"counts": None, "n": 2, "withheld": True}),
        ({"continue": 1, "realign": 0, "exit": 0}, {"counts": None, "n": 1, "withheld": True}),
        # from the threshold on, the tally is shown as it is
        (
            {"continue": 1, "realign": 1, "exit": 1},
            {"counts": {"continue": 1, "realign": 1, "exit": 1}, "n": 3},
        ),
        # nobody advised: an empty tally gives nothing away
        (
            {"continue": 0, "realign": 0, "exit": 0},
            {"counts": {"continue": 0, "realign": 0, "exit": 0}, "n": 0},
        ),
    ],
)
def test_outside_account_withholds_staff_advice_of_fewer_advisers_than_the_threshold(counts, shown):
    # Arrange
    entry = {**document()["accounts"][1], "staff_advice": advice(counts)}
    before = copy.deepcopy(entry)

    # Act
    outside = outside_account(entry, RULE)

    # Assert
    assert outside["staff_advice"] == shown
    assert entry == before


def test_outside_views_withhold_small_staff_advice_and_keep_a_study_without_the_question():
    # Arrange: Acme's tally rests on two advisers, Globex's study has no advice question (null)
    original = document()
    original["accounts"][0]["staff_advice"] = advice({"continue": 0, "realign": 2, "exit": 0})
    original["accounts"][1]["staff_advice"] = None

    # Act
    shown, lazy = outside_view(original, RULE), lazy_outside_view(original, RULE)

    # Assert
    assert shown["accounts"][0]["staff_advice"] == {"counts": None, "n": 2, "withheld": True}
    assert lazy["accounts"][0]["staff_advice"] == {"counts": None, "n": 2, "withheld": True}
    assert shown["accounts"][1]["staff_advice"] is None
    assert original["accounts"][0]["staff_advice"]["counts"] == {"continue": 0, "realign": 2, "exit": 0}


def test_outside_account_is_the_entry_itself_when_its_staff_advice_may_be_shown():
    # Arrange: three raters of team energy, no sensitive signal under the threshold, three advisers
    entry = {**document()["accounts"][1], "staff_advice": advice({"continue": 3, "realign": 0, "exit": 0})}

    # Act / Assert
    assert outside_account(entry, RULE) is entry


def drift_row(key: str, client: float | None, supplier: float | None) -> dict:
    gap = None if client is None or supplier is None else client - supplier
    return {"key": key, "client": client, "supplier": supplier, "gap": gap, "growing_apart": False}


def test_outside_account_withholds_the_drift_of_a_sensitive_dimension():
    # Arrange: team energy fell 30 points; with the current score shown that gives the previous wave's away
    drift = {
        "client": -5.0,
        "supplier": -10.0,
        "gap": 5.0,
        "growing_apart": False,
        "dimensions": [drift_row("needs_match", -5.0, 0.0), drift_row("team_energy", None, -30.0)],
    }
    entry = {**document()["accounts"][1], "drift": drift}
    before = copy.deepcopy(entry)

    # Act
    shown = outside_account(entry, RULE)

    # Assert: the overall drift (an account total) and the other dimensions stay
    assert shown["drift"] == {
        **drift,
        "dimensions": [
            drift_row("needs_match", -5.0, 0.0),
            {
                "key": "team_energy",
                "client": None,
                "supplier": None,
                "gap": None,
                "growing_apart": None,
                "withheld": True,
            },
        ],
    }
    assert entry == before
    assert outside_account({**entry, "drift": None}, RULE)["drift"] is None


def overall(supplier: float | None, without: float | None) -> dict:
    return {"client": 70.0, "supplier": supplier, "gap": 4.0, "supplier_without_sensitive": without}


def test_outside_account_shows_the_supplier_overall_without_a_withheld_sensitive_dimension():
    # Arrange: Acme's team energy (2 raters) is withheld; its supplier overall 51.0 includes it, 60.0 does not
    entry = {
        **document()["accounts"][0],
        "overall": overall(51.0, 60.0),
        "drift": {"client": 1.0, "supplier": -3.0, "gap": 0.0, "growing_apart": False, "dimensions": []},
    }
    before = copy.deepcopy(entry)

    # Act
    shown = outside_account(entry, RULE)

    # Assert: the full overall (and its change) would give the withheld score away
    assert shown["overall"] == {**overall(60.0, 60.0), "supplier_excludes": ["team_energy"]}
    assert (shown["drift"]["supplier"], shown["drift"]["supplier_withheld"]) == (None, True)
    assert entry == before


def test_outside_account_keeps_the_supplier_overall_when_the_sensitive_dimension_is_shown():
    # Arrange: Globex's team energy has 3 raters
    entry = {**document()["accounts"][1], "overall": overall(72.0, 70.0)}

    # Act
    shown = outside_account(entry, RULE)

    # Assert
    assert shown["overall"] == overall(72.0, 70.0)


def test_outside_summary_holds_back_the_headline_as_the_account_page_does():
    # Arrange
    entry = {**document()["accounts"][0], "overall": overall(51.0, 60.0), "quadrant": "blind_spot"}

    # Act
    summary = outside_summary(entry, ("account", "quadrant", "overall"), RULE)

    # Assert
    assert summary == {
        "account": "Acme",
        "quadrant": "blind_spot",
        "overall": {**overall(60.0, 60.0), "supplier_excludes": ["team_energy"]},
    }
