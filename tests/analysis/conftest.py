"""A small study with hand-checkable numbers, shared by the study and report tests.

Three accounts, min_n 3, model needs (weight 2), errors (1), effort (1), unused (1):

- 10 "Beta BV": clients needs 60/60/90 (mean 70, sd sqrt(300)), errors 45/45/45 (mean 45, sd 0);
  supplier needs 60, errors 60, effort 60. Client overall (70*2 + 45)/3 = 185/3, supplier (120+60+60)/4 = 60:
  both reach 60 -> match. Gaps: needs 10, errors -15 (flagged, the edge).
- 11 "alpha NV": clients needs 80/60 (mean 70), errors 70/50 (mean 60); supplier needs 50, errors 40,
  effort 30. Client overall (140 + 60)/3 = 200/3, supplier (100+40+30)/4 = 42.5 -> customer_swayed.
  A staff prediction of the client's needs: 90.
- 12 "Gamma": one client, needs 30; no supplier view -> incomplete.

Method v2 inputs beside the scores: the signal items' groups and how many respondents agreed with them, and
the staff's continue / realign / exit advice (Beta: one "continue", alpha: one "exit", Gamma: nobody).

The previous wave (rule 12) is that wave's `StudyAnalysis.account_fits()`, built here the same way from its
respondents: 10 one client needs 70, one staff needs 80 (overall 70 / 80, gap -10 over 1 shared dimension);
12 one client needs 40 (no supplier); 99 (since left the scope) 50 / 50.
"""

import pytest

from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_respondents
from surveyapp.analysis.fit import AccountFit, assess_account
from surveyapp.analysis.inputs import (
    AccountFigures,
    AdviceAnswer,
    DimensionSpec,
    FitModel,
    ItemMatrix,
    NpsAnswer,
    RespondentDimensionScore,
    ResponseCounts,
    SignalAggregate,
    SignalAgreement,
)
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, SignalGroup

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT

RESPONDENT_SCORES = [
    (10, 101, CLIENT, "needs", 60.0),
    (10, 101, CLIENT, "errors", 45.0),
    (10, 102, CLIENT, "needs", 60.0),
    (10, 102, CLIENT, "errors", 45.0),
    (10, 103, CLIENT, "needs", 90.0),
    (10, 103, CLIENT, "errors", 45.0),
    (10, 201, SUPPLIER, "needs", 60.0),
    (10, 201, SUPPLIER, "errors", 60.0),
    (10, 201, SUPPLIER, "effort", 60.0),
    (11, 111, CLIENT, "needs", 80.0),
    (11, 111, CLIENT, "errors", 70.0),
    (11, 112, CLIENT, "needs", 60.0),
    (11, 112, CLIENT, "errors", 50.0),
    (11, 211, SUPPLIER, "needs", 50.0),
    (11, 211, SUPPLIER, "errors", 40.0),
    (11, 211, SUPPLIER, "effort", 30.0),
    (11, 311, PREDICTED, "needs", 90.0),
    (12, 121, CLIENT, "needs", 30.0),
]

PREVIOUS_SCORES = [
    (10, 1101, CLIENT, "needs", 70.0),
    (10, 1201, SUPPLIER, "needs", 80.0),
    (12, 1121, CLIENT, "needs", 40.0),
    (99, 1991, CLIENT, "needs", 50.0),
    (99, 1992, SUPPLIER, "needs", 50.0),
]

MODEL = FitModel(
    (
        DimensionSpec("needs", 2.0),
        DimensionSpec("errors"),
        DimensionSpec("effort"),
        DimensionSpec("unused"),
    )
)

# The options of the staff's advice question, in the question's order (rule 20).
ADVICE_OPTIONS = ("continue", "realign", "exit", "unsure")


def previous_fits(model: FitModel = MODEL, thresholds: Thresholds | None = None) -> list[AccountFit]:
    """The previous wave's account fits (rule 12), as that wave's analysis gives them."""
    index = AccountScoreIndex(
        account_scores_from_respondents(RespondentDimensionScore(*row) for row in PREVIOUS_SCORES)
    )
    return [
        assess_account(account_id, index, model, thresholds or Thresholds()) for account_id in (10, 12, 99)
    ]


# Alpha's item matrix is its own input (item level, not dimension level): the 3-row pattern of test_stats
# repeated ten times on account 10, alpha = 12/13.
ALPHA_PATTERN = [(0.0, 25.0), (50.0, 25.0), (100.0, 100.0)] * 10


@pytest.fixture
def respondent_scores():
    """The study's respondent dimension scores (rule 3 already applied)."""
    return [RespondentDimensionScore(*row) for row in RESPONDENT_SCORES]


@pytest.fixture
def study_inputs():
    """Keyword arguments for `analyse_study`, except `account_scores`."""
    return {
        "study": "acme-2025",
        "scoring_version": "a1b2c3",
        "provisional": True,
        "fit_model": MODEL,
        "thresholds": Thresholds(),
        "accounts": [
            AccountFigures(10, "Beta BV", "B-1", 1_000_000, effort_hours=120, billable_hours=100),
            AccountFigures(11, "alpha NV", None, None, effort_hours=200, billable_hours=50),
            AccountFigures(12, "Gamma", "G-7", None, effort_hours=80, billable_hours=10),
        ],
        "nps_answers": [
            NpsAnswer(10, 101, 9),
            NpsAnswer(10, 102, 10),
            NpsAnswer(10, 103, 6),
            NpsAnswer(11, 111, 7),
            NpsAnswer(11, 112, 8),
        ],
        "signal_aggregates": [
            SignalAggregate(10, SUPPLIER, "workarounds", 1, 40.0),
            SignalAggregate(10, CLIENT, "errors_seen", 3, 40.1),
            SignalAggregate(11, PREDICTED, "team_fear", 1, 0.0),
            SignalAggregate(11, CLIENT, "small_errors", 2, 25.0),
            SignalAggregate(11, SUPPLIER, "team_fear", 4, 12.25),
        ],
        "response_counts": [
            ResponseCounts(10, CLIENT, invited=4, survey=2, interview=1),
            ResponseCounts(10, SUPPLIER, invited=1, survey=1),
            ResponseCounts(11, CLIENT, invited=2, survey=1, imported=1),
            ResponseCounts(11, SUPPLIER, invited=1, survey=1),
            ResponseCounts(11, PREDICTED, invited=1, survey=1),
            ResponseCounts(12, CLIENT, invited=3, interview=1),
        ],
        "item_matrices": [
            ItemMatrix(
                CLIENT,
                "needs",
                {(10, 1000 + index): {"q1": a, "q2": b} for index, (a, b) in enumerate(ALPHA_PATTERN)},
            )
        ],
        "previous": previous_fits(),
        "signal_groups": {
            "team_fear": SignalGroup.FEAR_AND_RELUCTANCE,
            "small_errors": SignalGroup.SMALL_ERRORS,
            "workarounds": SignalGroup.WORKAROUNDS,
        },
        "signal_agreement": [
            SignalAgreement(11, SUPPLIER, "team_fear", 3),
            SignalAgreement(11, CLIENT, "small_errors", 2),
        ],
        "advice_answers": [AdviceAnswer(10, 201, "continue"), AdviceAnswer(11, 211, "exit")],
        "advice_options": ADVICE_OPTIONS,
    }
