"""The analysis JSON document: the exact contract, hand-computed (see conftest.py for the study)."""

import json

from surveyapp.analysis.accounts import AccountDimensionScore, account_scores_from_respondents
from surveyapp.analysis.inputs import AccountFigures
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.enums import Perspective


def _cell(mean, n, sd, indicative):
    return {"mean": mean, "n": n, "sd": sd, "indicative": indicative}


EXPECTED = {
    "study": "acme-2025",
    "scoring_version": "a1b2c3",
    "provisional": True,
    "thresholds": {"quadrant": 60.0, "gap": 15.0, "signal": 40.0, "min_n": 3},
    "accounts": [
        {
            # sorted by name, case-insensitively: "alpha NV" before "Beta BV"
            "account": "alpha NV",
            "external_id": None,
            "quadrant": "customer_swayed",
            # client 200/3 = 66.67; supplier 42.5; gap 200/3 - 42.5 = 24.17
            "overall": {"client": 66.7, "supplier": 42.5, "gap": 24.2},
            "dimensions": [
                # needs: clients 80, 60 -> 70, sd sqrt(200) = 14.14; n 2 < 3 indicative; gap 70 - 50 = 20
                {
                    "key": "needs",
                    "client": _cell(70.0, 2, 14.1, True),
                    "supplier": _cell(50.0, 1, None, True),
                    "gap": 20.0,
                    "flagged": True,
                },
                # errors: clients 70, 50 -> 60; gap 60 - 40 = 20
                {
                    "key": "errors",
                    "client": _cell(60.0, 2, 14.1, True),
                    "supplier": _cell(40.0, 1, None, True),
                    "gap": 20.0,
                    "flagged": True,
                },
                {
                    "key": "effort",
                    "client": None,
                    "supplier": _cell(30.0, 1, None, True),
                    "gap": None,
                    "flagged": False,
                },
            ],
            # predicted 90 - client 70 = 20
            "understanding": [
                {
                    "key": "needs",
                    "predicted": _cell(90.0, 1, None, True),
                    "client": _cell(70.0, 2, 14.1, True),
                    "gap": 20.0,
                    "flagged": True,
                }
            ],
            # 7 and 8 are passives: 0
            "nps": {"score": 0.0, "n": 2, "indicative": True},
            # worst first; 12.25 rounds half-up to 12.3; the prediction raises no signal
            "signals": [
                {
                    "question": "team_fear",
                    "perspective": "supplier",
                    "score": 12.3,
                    "n": 4,
                    "indicative": False,
                },
                {
                    "question": "small_errors",
                    "perspective": "client",
                    "score": 25.0,
                    "n": 2,
                    "indicative": True,
                },
            ],
            "responses": {
                "client": {"invited": 2, "completed": 2},
                "supplier": {"invited": 1, "completed": 1},
                "by_mode": {"survey": 2, "interview": 0, "import": 1},
            },
            "drift": None,  # not in the previous wave
        },
        {
            "account": "Beta BV",
            "external_id": "B-1",
            "quadrant": "match",  # supplier exactly 60.0 reaches the threshold
            # client (70*2 + 45)/3 = 185/3 = 61.67; supplier 60; gap 185/3 - 60 = 1.67
            "overall": {"client": 61.7, "supplier": 60.0, "gap": 1.7},
            "dimensions": [
                # needs: 60, 60, 90 -> 70, sd sqrt(600/2) = 17.32; n 3 not indicative; gap 10
                {
                    "key": "needs",
                    "client": _cell(70.0, 3, 17.3, False),
                    "supplier": _cell(60.0, 1, None, True),
                    "gap": 10.0,
                    "flagged": False,
                },
                # errors: 45 x 3 -> sd 0; gap 45 - 60 = -15: flagged at the edge
                {
                    "key": "errors",
                    "client": _cell(45.0, 3, 0.0, False),
                    "supplier": _cell(60.0, 1, None, True),
                    "gap": -15.0,
                    "flagged": True,
                },
                {
                    "key": "effort",
                    "client": None,
                    "supplier": _cell(60.0, 1, None, True),
                    "gap": None,
                    "flagged": False,
                },
            ],
            "understanding": None,  # no prediction for this account
            # 9, 10 promoters, 6 detractor: (2 - 1)/3 * 100 = 33.33
            "nps": {"score": 33.3, "n": 3, "indicative": False},
            # 40.0 is at the threshold: raised; 40.1 is not
            "signals": [
                {
                    "question": "workarounds",
                    "perspective": "supplier",
                    "score": 40.0,
                    "n": 1,
                    "indicative": True,
                }
            ],
            "responses": {
                "client": {"invited": 4, "completed": 3},
                "supplier": {"invited": 1, "completed": 1},
                "by_mode": {"survey": 3, "interview": 1, "import": 0},
            },
            # previous client 70, supplier 80 (gap -10): client 185/3 - 70 = -8.33, supplier 60 - 80 = -20
            # (a fall of more than 15: growing apart), gap 5/3 - (-10) = 11.67
            "drift": {"client": -8.3, "supplier": -20.0, "gap": 11.7, "growing_apart": True},
        },
        {
            "account": "Gamma",
            "external_id": "G-7",
            "quadrant": "incomplete",
            "overall": {"client": 30.0, "supplier": None, "gap": None},
            "dimensions": [
                {
                    "key": "needs",
                    "client": _cell(30.0, 1, None, True),
                    "supplier": None,
                    "gap": None,
                    "flagged": False,
                },
                {"key": "errors", "client": None, "supplier": None, "gap": None, "flagged": False},
                {"key": "effort", "client": None, "supplier": None, "gap": None, "flagged": False},
            ],
            "understanding": None,
            "nps": {"score": None, "n": 0, "indicative": False},
            "signals": [],
            "responses": {
                "client": {"invited": 3, "completed": 1},
                "supplier": {"invited": 0, "completed": 0},
                "by_mode": {"survey": 0, "interview": 1, "import": 0},
            },
            # previous client 40: 30 - 40 = -10; no supplier in either wave
            "drift": {"client": -10.0, "supplier": None, "gap": None, "growing_apart": False},
        },
    ],
    "portfolio": {
        "quadrants": {"match": 1, "customer_swayed": 1, "blind_spot": 0, "misfit": 0, "incomplete": 1},
        # pooled: promoters 9, 10; detractor 6; passives 7, 8: (2 - 1)/5 * 100 = 20
        "nps": {"score": 20.0, "n": 5, "indicative": False},
        # customer_swayed alpha NV: 200 - 50 = 150 unpaid; match Beta BV effort 120 (Gamma is incomplete):
        # 150 / 120 = 1.25 -> 1.3 half-up
        "cost_of_mismatch": {
            "nonbillable_hours": 150.0,
            "median_match_hours": 120.0,
            "equivalent_matching_clients": 1.3,
            "reason": None,
        },
        "dimensions": [
            # client (70 + 70 + 30)/3 = 56.67 over 3 accounts; supplier (60 + 50)/2 = 55;
            # paired gap ((70-60) + (70-50))/2 = 15; alpha 12/13 = 0.923
            {
                "key": "needs",
                "client": {"mean": 56.7, "n": 3, "indicative": False},
                "supplier": {"mean": 55.0, "n": 2, "indicative": True},
                "gap": 15.0,
                "wilcoxon": None,
                "alpha": {"client": 0.923, "supplier": None},
            },
            # client (45 + 60)/2 = 52.5; supplier (60 + 40)/2 = 50; paired gap (-15 + 20)/2 = 2.5
            {
                "key": "errors",
                "client": {"mean": 52.5, "n": 2, "indicative": True},
                "supplier": {"mean": 50.0, "n": 2, "indicative": True},
                "gap": 2.5,
                "wilcoxon": None,
                "alpha": {"client": None, "supplier": None},
            },
            # supplier only: (60 + 30)/2 = 45; "unused" has no data anywhere and is left out
            {
                "key": "effort",
                "client": None,
                "supplier": {"mean": 45.0, "n": 2, "indicative": True},
                "gap": None,
                "wilcoxon": None,
                "alpha": {"client": None, "supplier": None},
            },
        ],
    },
}


def test_build_analysis_document_exact_contract(study_inputs, respondent_scores):
    # Arrange
    analysis = analyse_study(
        account_scores=account_scores_from_respondents(respondent_scores), **study_inputs
    )

    # Act
    document = build_analysis_document(analysis)

    # Assert
    assert document == EXPECTED


def test_build_analysis_document_json_round_trip(study_inputs, respondent_scores):
    # Arrange
    analysis = analyse_study(
        account_scores=account_scores_from_respondents(respondent_scores), **study_inputs
    )

    # Act
    text = json.dumps(build_analysis_document(analysis), allow_nan=False)

    # Assert: plain JSON types only; rounded numbers print as written
    assert json.loads(text) == EXPECTED
    assert '"equivalent_matching_clients": 1.3' in text


def test_build_analysis_document_wilcoxon_block(study_inputs):
    # Arrange: twelve accounts with client = 50 + d and supplier = 50, d = 1..9, -10, 0, 0 (see test_stats)
    differences = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, -10.0, 0.0, 0.0]
    accounts = [AccountFigures(index, f"Account {index:02d}") for index in range(1, 13)]
    scores = []
    for account, difference in zip(accounts, differences, strict=True):
        scores.append(
            AccountDimensionScore(account.account_id, Perspective.CLIENT, "needs", 50 + difference, 3, 1.0)
        )
        scores.append(AccountDimensionScore(account.account_id, Perspective.SUPPLIER, "needs", 50.0, 3, 1.0))
    inputs = {**study_inputs, "accounts": accounts, "nps_answers": [], "signal_aggregates": []}
    inputs.update(response_counts=[], item_matrices=[], previous=None)

    # Act
    document = build_analysis_document(analyse_study(account_scores=scores, **inputs))

    # Assert: statistic 10; p = 86/1024 = 0.083984375 -> 0.084; r = 35/55 = 0.6364 -> 0.636;
    # gap = 35/12 = 2.917 -> 2.9
    (needs,) = document["portfolio"]["dimensions"]
    assert needs["wilcoxon"] == {"pairs": 10, "statistic": 10.0, "p": 0.084, "r": 0.636}
    assert needs["gap"] == 2.9
    assert all(account["drift"] is None for account in document["accounts"])
