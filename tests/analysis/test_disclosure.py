"""Rule 18's pure part: what of an analysis document leaves the research team, and which subgroups to hide."""

from __future__ import annotations

import copy

import pytest

from surveyapp.analysis.disclosure import Disclosure, hidden_groups, outside_view, shared_outside_view

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
