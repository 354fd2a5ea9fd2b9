"""The analysis JSON document: the exact contract, hand-computed (see conftest.py for the study)."""

import json

from surveyapp.analysis.accounts import AccountDimensionScore, account_scores_from_respondents
from surveyapp.analysis.inputs import AccountFigures, NpsAnswer
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.enums import Perspective


def _cell(mean, n, sd, indicative):
    return {"mean": mean, "n": n, "sd": sd, "indicative": indicative}


EXPECTED = {
    "study": "acme-2025",
    "scoring_version": "a1b2c3",
    "provisional": True,
    "thresholds": {"quadrant": 60.0, "gap": 15.0, "signal": 40.0, "min_n": 3, "borderline_band": 5.0},
    "accounts": [
        {
            # sorted by name, case-insensitively: "alpha NV" before "Beta BV"
            "account": "alpha NV",
            "external_id": None,
            "quadrant": "customer_swayed",
            # client 200/3 = 66.67; supplier (50*2 + 40 + 30)/4 = 42.5 (rule 5, effort included);
            # like-for-like gap (rule 6) over needs and errors: client (70*2 + 60)/3 = 200/3, supplier
            # (50*2 + 40)/3 = 140/3: 60/3 = 20 (not 200/3 - 42.5 = 24.17); effort is supplier-only;
            # n: clients 2, staff 1 (the largest cell n) -> indicative; |66.67 - 60| and |42.5 - 60| >= 5
            "overall": {
                "client": 66.7,
                "supplier": 42.5,
                "gap": 20.0,
                "shared_dimensions": 2,
                "supplier_only": ["effort"],
                "client_n": 2,
                "supplier_n": 1,
                "indicative": True,
                "borderline": False,
                "supplier_without_sensitive": None,
            },
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
            "nps": {
                "score": 0.0,
                "n": 2,
                "indicative": True,
                "promoters": 0,
                "passives": 2,
                "detractors": 0,
            },
            # worst first; 12.25 rounds half-up to 12.3; the prediction raises no signal;
            # agreed: 3 of 4 = 75%, 2 of 2 = 100%
            "signals": [
                {
                    "question": "team_fear",
                    "perspective": "supplier",
                    "score": 12.3,
                    "n": 4,
                    "indicative": False,
                    "group": "fear_and_reluctance",
                    "agreed": 75.0,
                    "behaviour": False,
                },
                {
                    "question": "small_errors",
                    "perspective": "client",
                    "score": 25.0,
                    "n": 2,
                    "indicative": True,
                    "group": "small_errors",
                    "agreed": 100.0,
                    "behaviour": False,
                },
            ],
            "responses": {
                "client": {"invited": 2, "completed": 2},
                "supplier": {"invited": 1, "completed": 1},
                "by_mode": {"survey": 2, "interview": 0, "import": 1},
            },
            "drift": None,  # not in the previous wave
            # baseline share b = Beta's (the one match account) 20/120 = 1/6; non-billable 200 - 50 = 150;
            # excess 150 - 200/6 = 350/3 = 116.67; / Beta's effort 120 = 35/36 = 0.972 -> 1.0;
            # x Beta's revenue 1,000,000 = 972,222.22 -> 972222
            "cost": {
                "effort_hours": 200.0,
                "billable_hours": 50.0,
                "nonbillable_hours": 150.0,
                "excess_hours": 116.7,
                "equivalent_matching_clients": 1.0,
                "revenue_forgone": 972222,
            },
            "staff_advice": {"counts": {"continue": 0, "realign": 0, "exit": 1, "unsure": 0}, "n": 1},
        },
        {
            "account": "Beta BV",
            "external_id": "B-1",
            "quadrant": "match",  # supplier exactly 60.0 reaches the threshold
            # client (70*2 + 45)/3 = 185/3 = 61.67; supplier (60*2 + 60 + 60)/4 = 60; like-for-like gap
            # over needs and errors: 185/3 - (60*2 + 60)/3 = 5/3 = 1.67; n 3 clients, 1 staff: indicative;
            # |61.67 - 60| = 1.67 < 5: borderline
            "overall": {
                "client": 61.7,
                "supplier": 60.0,
                "gap": 1.7,
                "shared_dimensions": 2,
                "supplier_only": ["effort"],
                "client_n": 3,
                "supplier_n": 1,
                "indicative": True,
                "borderline": True,
                "supplier_without_sensitive": None,
            },
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
            "nps": {
                "score": 33.3,
                "n": 3,
                "indicative": False,
                "promoters": 2,
                "passives": 0,
                "detractors": 1,
            },
            # 40.0 is at the threshold: raised; 40.1 is not; no agreement count given: agreed null
            "signals": [
                {
                    "question": "workarounds",
                    "perspective": "supplier",
                    "score": 40.0,
                    "n": 1,
                    "indicative": True,
                    "group": "workarounds",
                    "agreed": None,
                    "behaviour": False,
                }
            ],
            "responses": {
                "client": {"invited": 4, "completed": 3},
                "supplier": {"invited": 1, "completed": 1},
                "by_mode": {"survey": 3, "interview": 1, "import": 0},
            },
            # previous client 70, supplier 80 (gap -10): client 185/3 - 70 = -8.33, supplier 60 - 80 = -20
            # (a fall of more than 15: growing apart), gap 5/3 - (-10) = 11.67. Per dimension only needs was
            # scored in both waves: client 70 - 70 = 0, supplier 60 - 80 = -20 (growing apart), gap
            # 10 - (-10) = 20; errors and effort were not scored last time and are left out
            "drift": {
                "client": -8.3,
                "supplier": -20.0,
                "gap": 11.7,
                "growing_apart": True,
                "dimensions": [
                    {"key": "needs", "client": 0.0, "supplier": -20.0, "gap": 20.0, "growing_apart": True}
                ],
            },
            # the match account itself: non-billable 120 - 100 = 20 = b x 120: no excess
            "cost": {
                "effort_hours": 120.0,
                "billable_hours": 100.0,
                "nonbillable_hours": 20.0,
                "excess_hours": 0.0,
                "equivalent_matching_clients": 0.0,
                "revenue_forgone": 0,
            },
            "staff_advice": {"counts": {"continue": 1, "realign": 0, "exit": 0, "unsure": 0}, "n": 1},
        },
        {
            "account": "Gamma",
            "external_id": "G-7",
            "quadrant": "incomplete",
            # nothing shared: gap null; one client, no staff: indicative; 30 is far from 60
            "overall": {
                "client": 30.0,
                "supplier": None,
                "gap": None,
                "shared_dimensions": 0,
                "supplier_only": [],
                "client_n": 1,
                "supplier_n": 0,
                "indicative": True,
                "borderline": False,
                "supplier_without_sensitive": None,
            },
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
            "nps": {
                "score": None,
                "n": 0,
                "indicative": False,
                "promoters": 0,
                "passives": 0,
                "detractors": 0,
            },
            "signals": [],
            "responses": {
                "client": {"invited": 3, "completed": 1},
                "supplier": {"invited": 0, "completed": 0},
                "by_mode": {"survey": 0, "interview": 1, "import": 0},
            },
            # previous client 40: 30 - 40 = -10; no supplier in either wave; needs alike per dimension
            "drift": {
                "client": -10.0,
                "supplier": None,
                "gap": None,
                "growing_apart": False,
                "dimensions": [
                    {"key": "needs", "client": -10.0, "supplier": None, "gap": None, "growing_apart": False}
                ],
            },
            # incomplete, but its cost is its own: non-billable 80 - 10 = 70; excess 70 - 80/6 = 170/3 =
            # 56.67; / 120 = 17/36 = 0.472 -> 0.5; x 1,000,000 = 472,222.22 -> 472222
            "cost": {
                "effort_hours": 80.0,
                "billable_hours": 10.0,
                "nonbillable_hours": 70.0,
                "excess_hours": 56.7,
                "equivalent_matching_clients": 0.5,
                "revenue_forgone": 472222,
            },
            # nobody advised: every option 0
            "staff_advice": {"counts": {"continue": 0, "realign": 0, "exit": 0, "unsure": 0}, "n": 0},
        },
    ],
    "portfolio": {
        "quadrants": {"match": 1, "customer_swayed": 1, "blind_spot": 0, "misfit": 0, "incomplete": 1},
        # pooled: promoters 9, 10; detractor 6; passives 7, 8: (2 - 1)/5 * 100 = 20
        "nps": {
            "score": 20.0,
            "n": 5,
            "indicative": False,
            "promoters": 2,
            "passives": 2,
            "detractors": 1,
        },
        # only customer_swayed alpha NV counts (Gamma is incomplete): 150 non-billable, 350/3 = 116.67
        # excess; baseline 1/6 = 0.167 (three decimals); median match effort 120 and revenue 1,000,000 (Beta
        # alone); 350/3 / 120 = 0.972 -> 1.0; x 1,000,000 = 972,222.22 -> 972222
        "cost_of_mismatch": {
            "accounts": 1,
            "nonbillable_hours": 150.0,
            "excess_hours": 116.7,
            "baseline_share": 0.167,
            "match_accounts": 1,  # Beta: the median effort rests on one account
            "median_match_hours": 120.0,
            "median_match_revenue": 1000000,
            "equivalent_matching_clients": 1.0,
            "revenue_forgone": 972222,
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

    # Assert: plain JSON types only; rounded numbers print as written, money as whole units
    assert json.loads(text) == EXPECTED
    assert '"excess_hours": 116.7' in text
    assert '"revenue_forgone": 972222,' in text


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
    inputs.update(response_counts=[], item_matrices=[], previous=None, advice_answers=[], signal_agreement=[])

    # Act
    document = build_analysis_document(analyse_study(account_scores=scores, **inputs))

    # Assert: statistic 10; p = 86/1024 = 0.083984375 -> 0.084; r = 35/55 = 0.6364 -> 0.636;
    # gap = 35/12 = 2.917 -> 2.9
    (needs,) = document["portfolio"]["dimensions"]
    assert needs["wilcoxon"] == {"pairs": 10, "statistic": 10.0, "p": 0.084, "r": 0.636}
    assert needs["gap"] == 2.9
    assert all(account["drift"] is None for account in document["accounts"])


def test_build_analysis_document_nps_of_one_respondent_has_its_counts(study_inputs, respondent_scores):
    # Arrange: one client of Gamma answers 10; nobody else answers the nps item
    inputs = {**study_inputs, "nps_answers": [NpsAnswer(12, 121, 10)]}

    # Act
    document = build_analysis_document(
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)
    )

    # Assert: 1 promoter of 1 = 100, indicative (n 1 < 3), for the account and the pooled portfolio
    one = {"score": 100.0, "n": 1, "indicative": True, "promoters": 1, "passives": 0, "detractors": 0}
    nps = {account["account"]: account["nps"] for account in document["accounts"]}
    assert nps["Gamma"] == one
    assert nps["Beta BV"] == {
        "score": None,
        "n": 0,
        "indicative": False,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
    }
    assert document["portfolio"]["nps"] == one


def test_build_analysis_document_signals_without_groups_are_other_and_agreed_null(
    study_inputs, respondent_scores
):
    # Arrange: no signal groups (a scoring.yaml without signal_group) and no agreement counts
    inputs = {**study_inputs, "signal_groups": None, "signal_agreement": []}

    # Act
    document = build_analysis_document(
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)
    )

    # Assert
    signals = [signal for account in document["accounts"] for signal in account["signals"]]
    assert [(s["question"], s["group"], s["agreed"]) for s in signals] == [
        ("team_fear", "other", None),
        ("small_errors", "other", None),
        ("workarounds", "other", None),
    ]


def test_build_analysis_document_staff_advice_null_without_advice_question(study_inputs, respondent_scores):
    # Arrange: the study has no question tagged advice (no options), so no answers either
    inputs = {**study_inputs, "advice_answers": [], "advice_options": None}

    # Act
    document = build_analysis_document(
        analyse_study(account_scores=account_scores_from_respondents(respondent_scores), **inputs)
    )

    # Assert
    assert [account["staff_advice"] for account in document["accounts"]] == [None, None, None]
