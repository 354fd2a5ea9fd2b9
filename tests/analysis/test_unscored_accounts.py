"""Issue 22: the fast paths of a large study give exactly what the general path gives.

An account without any score (most accounts of a large study while fieldwork runs) gets its fit from
`unscored_fit` with rows shared by every such account, and its JSON entry from rows rendered once; equal
response counts share one `AccountResponses`; rounding is done once per distinct value. Each is checked here
against the general path: `assess_account` for every account, and a renderer that formats every value on its
own as the document did before (`_reference_entry`, the contract of `build_analysis_document`).
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_respondents
from surveyapp.analysis.fit import assess_account, empty_dimension_rows, unscored_fit
from surveyapp.analysis.inputs import (
    AccountFigures,
    DimensionSpec,
    FitModel,
    NpsAnswer,
    RespondentDimensionScore,
    ResponseCounts,
    SignalAggregate,
)
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.rounding import round_money, round_score
from surveyapp.analysis.study import AccountResult, analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, Quadrant

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT

# Accounts 20-29 of the mixed study, none with a dimension score: invitations only (20-24, two kinds of
# counts), nothing at all (25), an NPS answer (26: an nps item without a dimension), a warning signal (27: a
# signal item without a dimension), a prediction of the client's answers only (28: scored, but only as
# supplier_predicts_client), and one in the previous wave (29).
UNSCORED = [AccountFigures(20 + number, f"Unanswered {number}", None) for number in range(10)]
# Account 29 in the previous wave: one client needs 55, one staff needs 65.
PREVIOUS_29 = assess_account(
    29,
    AccountScoreIndex(
        account_scores_from_respondents(
            [
                RespondentDimensionScore(29, 291, CLIENT, "needs", 55.0),
                RespondentDimensionScore(29, 292, SUPPLIER, "needs", 65.0),
            ]
        )
    ),
    FitModel((DimensionSpec("needs"),)),
    Thresholds(),
)


def _reference_cell(cell: Any, thresholds: Thresholds) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "mean": round_score(cell.mean),
        "n": cell.n,
        "sd": round_score(cell.sd),
        "indicative": cell.mean is not None and thresholds.is_indicative(cell.n),
    }


def _reference_cost(cost: Any) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "effort_hours": round_score(cost.effort_hours),
        "billable_hours": round_score(cost.billable_hours),
        "nonbillable_hours": round_score(cost.nonbillable_hours),
        "excess_hours": round_score(cost.excess_hours),
        "equivalent_matching_clients": round_score(cost.equivalent_matching_clients),
        "revenue_forgone": round_money(cost.revenue_forgone),
    }


def _reference_entry(result: AccountResult, thresholds: Thresholds) -> dict[str, Any]:
    """One account's entry with every value formatted on its own: the document before issue 22, with the
    method v2 fields (rules 6, 11, 12, 17, 20) as report.py's docstring states them."""
    fit, nps, responses, drift = result.fit, result.nps, result.responses, result.drift
    overall, advice = fit.overall, result.staff_advice
    return {
        "account": result.account.name,
        "external_id": result.account.external_id,
        "quadrant": fit.quadrant.value,
        "overall": {
            "client": round_score(overall.client),
            "supplier": round_score(overall.supplier),
            "gap": round_score(overall.gap),
            "shared_dimensions": overall.shared_dimensions,
            "supplier_only": []
            if overall.client is None
            else [row.dimension for row in fit.dimensions if row.client is None and row.supplier is not None],
            "client_n": overall.client_n,
            "supplier_n": overall.supplier_n,
            "indicative": thresholds.is_indicative(overall.client_n)
            or thresholds.is_indicative(overall.supplier_n),
            "borderline": thresholds.is_borderline(overall.client)
            or thresholds.is_borderline(overall.supplier),
            "supplier_without_sensitive": round_score(overall.supplier_without_sensitive),
        },
        "dimensions": [
            {
                "key": row.dimension,
                "client": _reference_cell(row.client, thresholds),
                "supplier": _reference_cell(row.supplier, thresholds),
                "gap": round_score(row.gap),
                "flagged": row.flagged,
            }
            for row in fit.dimensions
        ],
        "understanding": None
        if fit.understanding is None
        else [
            {
                "key": row.dimension,
                "predicted": _reference_cell(row.predicted, thresholds),
                "client": _reference_cell(row.client, thresholds),
                "gap": round_score(row.gap),
                "flagged": row.flagged,
            }
            for row in fit.understanding
        ],
        "nps": {
            "score": round_score(nps.score),
            "n": nps.n,
            "indicative": nps.score is not None and thresholds.is_indicative(nps.n),
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
        },
        "signals": [
            {
                "question": signal.item_key,
                "perspective": signal.perspective.value,
                "score": round_score(signal.score),
                "n": signal.n,
                "indicative": thresholds.is_indicative(signal.n),
                "group": signal.group.value,
                "agreed": None if signal.agreed is None else round_score(signal.agreed * 100 / signal.n),
                "behaviour": signal.behaviour,
            }
            for signal in result.signals
        ],
        "responses": {
            "client": {"invited": responses.client.invited, "completed": responses.client.completed},
            "supplier": {"invited": responses.supplier.invited, "completed": responses.supplier.completed},
            "by_mode": {
                "survey": responses.survey,
                "interview": responses.interview,
                "import": responses.imported,
            },
        },
        "drift": None
        if drift is None
        else {
            "client": round_score(drift.client),
            "supplier": round_score(drift.supplier),
            "gap": round_score(drift.gap),
            "growing_apart": drift.growing_apart,
            "dimensions": [
                {
                    "key": row.dimension,
                    "client": round_score(row.client),
                    "supplier": round_score(row.supplier),
                    "gap": round_score(row.gap),
                    "growing_apart": row.growing_apart,
                }
                for row in drift.dimensions
            ],
        },
        "cost": _reference_cost(result.cost),
        "staff_advice": None if advice is None else {"counts": dict(advice.counts), "n": advice.n},
    }


@pytest.fixture
def mixed_inputs(study_inputs, respondent_scores):
    """The conftest study (three answered accounts) plus ten accounts without a dimension score."""
    counts = [
        *study_inputs["response_counts"],
        *(ResponseCounts(20 + number, CLIENT, invited=2) for number in range(3)),
        *(ResponseCounts(20 + number, SUPPLIER, invited=1) for number in range(3)),
        *(ResponseCounts(23 + number, CLIENT, invited=3) for number in range(2)),
        ResponseCounts(26, CLIENT, invited=1, survey=1),
        ResponseCounts(27, SUPPLIER, invited=1, survey=1),
        ResponseCounts(28, PREDICTED, invited=1, survey=1),
    ]
    return {
        **study_inputs,
        "accounts": [*study_inputs["accounts"], *UNSCORED],
        "account_scores": account_scores_from_respondents(
            [*respondent_scores, RespondentDimensionScore(28, 381, PREDICTED, "needs", 40.0)]
        ),
        "nps_answers": [*study_inputs["nps_answers"], NpsAnswer(26, 261, 3)],
        "signal_aggregates": [
            *study_inputs["signal_aggregates"],
            SignalAggregate(27, SUPPLIER, "late", 2, 25.0),
        ],
        "response_counts": counts,
        "previous": [*study_inputs["previous"], PREVIOUS_29],
    }


def test_unscored_fit_equals_assess_account(study_inputs, respondent_scores):
    # Arrange: an index with scores for other accounts only
    index = AccountScoreIndex(account_scores_from_respondents(respondent_scores))
    model, thresholds = study_inputs["fit_model"], study_inputs["thresholds"]
    keys = ("needs", "errors", "effort")

    # Act
    fast = unscored_fit(99, empty_dimension_rows(keys))
    general = assess_account(99, index, model, thresholds, dimension_keys=keys, understanding_keys=("needs",))

    # Assert
    assert fast == general
    assert fast.quadrant is Quadrant.INCOMPLETE
    assert fast.understanding is None


def test_mixed_study_fits_equal_assess_account_for_every_account(mixed_inputs):
    # Act
    analysis = analyse_study(**mixed_inputs)

    # Assert: the same fits as the general path, and one shared tuple of empty rows for the unscored
    index = AccountScoreIndex(mixed_inputs["account_scores"])
    keys = tuple(row.dimension for row in analysis.accounts[0].fit.dimensions)
    general = {
        result.account.account_id: assess_account(
            result.account.account_id,
            index,
            mixed_inputs["fit_model"],
            mixed_inputs["thresholds"],
            dimension_keys=keys,
            understanding_keys=("needs",),
        )
        for result in analysis.accounts
    }
    assert keys == ("needs", "errors", "effort")
    assert {result.account.account_id: result.fit for result in analysis.accounts} == general
    unscored = [result for result in analysis.accounts if result.account.account_id in range(20, 30)]
    shared = {id(result.fit.dimensions) for result in unscored if result.account.account_id != 28}
    assert len(unscored) == 10
    assert len(shared) == 1
    predicted_only = next(result for result in unscored if result.account.account_id == 28)
    assert predicted_only.fit.understanding is not None  # scored, as a prediction only: the general path


def test_mixed_study_document_equals_the_value_by_value_rendering(mixed_inputs):
    # Arrange
    analysis = analyse_study(**mixed_inputs)

    # Act
    document = build_analysis_document(analysis)

    # Assert: every entry as the document rendered it before, key order included
    expected = [_reference_entry(result, analysis.thresholds) for result in analysis.accounts]
    assert document["accounts"] == expected
    assert [list(entry) for entry in document["accounts"]] == [list(entry) for entry in expected]
    by_name = {entry["account"]: entry for entry in document["accounts"]}
    assert by_name["Unanswered 6"]["nps"] == {
        "score": -100.0,
        "n": 1,
        "indicative": True,
        "promoters": 0,
        "passives": 0,
        "detractors": 1,
    }
    # "late" has no group in the study's signal groups and no agreement count
    assert by_name["Unanswered 7"]["signals"] == [
        {
            "question": "late",
            "perspective": "supplier",
            "score": 25.0,
            "n": 2,
            "indicative": True,
            "group": "other",
            "agreed": None,
            "behaviour": False,
        }
    ]
    assert by_name["Unanswered 9"]["drift"] is None
    assert by_name["Unanswered 0"]["responses"]["client"] == {"invited": 2, "completed": 0}
    assert by_name["Unanswered 5"]["responses"]["supplier"] == {"invited": 0, "completed": 0}


def test_entries_of_unscored_accounts_share_no_object(mixed_inputs):
    # Arrange
    document = build_analysis_document(analyse_study(**mixed_inputs))
    first, second = [entry for entry in document["accounts"] if entry["account"].startswith("Unanswered")][:2]

    # Act: a caller changes what it was given
    first["dimensions"][0]["flagged"] = True
    first["dimensions"].append({"key": "extra"})
    first["overall"]["client"] = 1.0
    first["responses"]["client"]["invited"] = 99

    # Assert: no other entry changes with it
    assert second["dimensions"][0]["flagged"] is False
    assert [row["key"] for row in second["dimensions"]] == ["needs", "errors", "effort"]
    assert second["overall"]["client"] is None
    assert second["responses"]["client"]["invited"] == 2
    again = build_analysis_document(analyse_study(**mixed_inputs))
    assert again["accounts"][3]["dimensions"] == [
        {"key": key, "client": None, "supplier": None, "gap": None, "flagged": False}
        for key in ("needs", "errors", "effort")
    ]


def test_equal_response_counts_share_one_account_responses(mixed_inputs):
    # Act
    analysis = analyse_study(**mixed_inputs)

    # Assert
    responses = {result.account.account_id: result.responses for result in analysis.accounts}
    assert responses[20] is responses[21] is responses[22]
    assert responses[23] is responses[24]
    assert responses[20] is not responses[23]
    assert (responses[23].client.invited, responses[23].supplier.invited) == (3, 0)
    assert responses[25].client.invited == responses[25].supplier.invited == 0
    assert responses[26].survey == 1
    assert responses[28].predicted.completed == 1


def test_drift_leaves_out_an_account_without_an_overall_fit_that_was_in_the_previous_wave(mixed_inputs):
    # Act
    analysis = analyse_study(**mixed_inputs)

    # Assert: account 29 was in the previous wave (55/65) and has no responses now: nothing to compare
    drifts = {result.account.account_id: result.drift for result in analysis.accounts}
    assert drifts[29] is None
    assert drifts[10] is not None


@pytest.mark.parametrize("enabled", [True, False])
def test_build_analysis_document_leaves_the_garbage_collector_as_it_found_it(mixed_inputs, enabled):
    # Arrange
    analysis = analyse_study(**mixed_inputs)
    was_enabled = gc.isenabled()
    if not enabled:
        gc.disable()

    # Act
    try:
        document = build_analysis_document(analysis)
        after = gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()

    # Assert
    assert after is enabled
    assert len(document["accounts"]) == 13


def test_index_view_is_the_cells_read_only(respondent_scores):
    # Arrange
    index = AccountScoreIndex(account_scores_from_respondents(respondent_scores))

    # Act
    view = index.view(10, CLIENT)

    # Assert
    assert dict(view) == index.for_perspective(10, CLIENT)
    assert sorted(view) == ["errors", "needs"]
    assert dict(index.view(12, SUPPLIER)) == {}
    with pytest.raises(TypeError):
        view["needs"] = None  # type: ignore[index]
