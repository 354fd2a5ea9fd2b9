"""The fit analysis: pure functions over plain rows (no Flask, no database session, no ORM).

The SQL layer (`queries/`) turns a study into input rows (`inputs`), `analyse_study` applies the scoring
rules (DESIGN.md "Scoring rules" 3-13) and `build_analysis_document` renders the JSON contract with rule 14's
rounding.
"""

from surveyapp.analysis.accounts import (
    AccountDimensionScore,
    AccountScoreIndex,
    account_scores_from_aggregates,
    account_scores_from_respondents,
)
from surveyapp.analysis.cost import NO_MATCH_ACCOUNT_WITH_EFFORT, CostOfMismatch, cost_of_mismatch
from surveyapp.analysis.drift import Drift, drift, drift_by_account
from surveyapp.analysis.fit import (
    AccountFit,
    DimensionGap,
    OverallFit,
    UnderstandingGap,
    assess_account,
    overall_fit,
    quadrant,
)
from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    AccountFigures,
    AlphaAggregate,
    DimensionSpec,
    FitModel,
    ItemMatrix,
    ItemScore,
    NpsAnswer,
    RespondentDimensionScore,
    ResponseCounts,
    SignalAggregate,
)
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.analysis.nps import NpsResult, net_promoter_score, nps_by_account, portfolio_nps
from surveyapp.analysis.portfolio import (
    PortfolioCell,
    PortfolioDimension,
    portfolio_dimensions,
    quadrant_counts,
)
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.rounding import round_score, round_statistic
from surveyapp.analysis.signals import Signal, signal_aggregates_from_items, warning_signals
from surveyapp.analysis.stats import (
    AlphaResult,
    WilcoxonResult,
    alpha_aggregates_from_items,
    alpha_from_aggregate,
    cronbach_alpha,
    item_matrices_from_items,
    paired_wilcoxon,
    reliability,
    signed_ranks,
)
from surveyapp.analysis.study import AccountResult, Portfolio, StudyAnalysis, analyse_study
from surveyapp.analysis.thresholds import TOLERANCE, Direction, Thresholds, reaches

__all__ = [
    "NO_MATCH_ACCOUNT_WITH_EFFORT",
    "TOLERANCE",
    "AccountDimensionAggregate",
    "AccountDimensionScore",
    "AccountFigures",
    "AccountFit",
    "AccountResult",
    "AccountScoreIndex",
    "AlphaAggregate",
    "AlphaResult",
    "CostOfMismatch",
    "DimensionGap",
    "DimensionSpec",
    "Direction",
    "Drift",
    "FitModel",
    "ItemMatrix",
    "ItemScore",
    "NpsAnswer",
    "NpsResult",
    "OverallFit",
    "Portfolio",
    "PortfolioCell",
    "PortfolioDimension",
    "RespondentDimensionScore",
    "ResponseCounts",
    "Signal",
    "SignalAggregate",
    "StudyAnalysis",
    "Thresholds",
    "UnderstandingGap",
    "WilcoxonResult",
    "account_scores_from_aggregates",
    "account_scores_from_respondents",
    "alpha_aggregates_from_items",
    "alpha_from_aggregate",
    "analyse_study",
    "assess_account",
    "build_analysis_document",
    "cost_of_mismatch",
    "cronbach_alpha",
    "drift",
    "drift_by_account",
    "item_matrices_from_items",
    "net_promoter_score",
    "nps_by_account",
    "overall_fit",
    "paired_wilcoxon",
    "portfolio_dimensions",
    "portfolio_nps",
    "quadrant",
    "quadrant_counts",
    "reaches",
    "reliability",
    "respondent_dimension_scores",
    "round_score",
    "round_statistic",
    "signal_aggregates_from_items",
    "signed_ranks",
    "warning_signals",
]
