"""The analysis JSON document (a contract for reports, exports and the CLI); rounding happens here only.

Shape decisions the rules leave open (each is also stated where the value is computed):

- Every mean cell carries ``"indicative"``; it is true exactly when the cell has a value and its n < min_n.
  A null value (e.g. NPS with n = 0) is never indicative: there is nothing to read with caution.
- A dimension cell without respondents is null (not ``{"mean": null, ...}``), for accounts and portfolio.
- Gaps and overall gaps are rounded from the unrounded difference, so a shown gap can differ by 0.1 from the
  difference of the shown means; flags and quadrants are decided on unrounded values (rules 7 and 14).
- Thresholds are echoed as configured, unrounded, so the document states exactly what was applied.
- ``"cost_of_mismatch"."reason"`` holds the stable reason code (reports translate it), or null.
- ``"by_mode"`` counts the client and supplier responses shown under ``"client"`` and ``"supplier"``.
- ``"wilcoxon"."statistic"`` is scipy's two-sided statistic min(W+, W−), one decimal; ``"pairs"`` the non-zero
  pairs the test used.
- ``"drift"`` is null without a previous study, and for an account with no overall fit to compare (not in
  the previous wave, or no responses in one of them); otherwise deltas that cannot be formed are null.
- ``"understanding"`` is null for an account without any supplier_predicts_client score.
- ``"signals"`` come from client and supplier answers only; a prediction of the client's answer is no signal.
"""

from __future__ import annotations

from typing import Any

from surveyapp.analysis.accounts import AccountDimensionScore
from surveyapp.analysis.cost import CostOfMismatch
from surveyapp.analysis.drift import Drift
from surveyapp.analysis.fit import AccountFit
from surveyapp.analysis.nps import NpsResult
from surveyapp.analysis.portfolio import PortfolioCell, PortfolioDimension
from surveyapp.analysis.rounding import round_score, round_statistic
from surveyapp.analysis.signals import Signal
from surveyapp.analysis.stats import WilcoxonResult
from surveyapp.analysis.study import AccountResponses, AccountResult, StudyAnalysis
from surveyapp.analysis.thresholds import Thresholds

Json = dict[str, Any]


def _indicative(value: float | None, n: int, thresholds: Thresholds) -> bool:
    return value is not None and thresholds.is_indicative(n)


def _account_cell(cell: AccountDimensionScore | None, thresholds: Thresholds) -> Json | None:
    if cell is None:
        return None
    return {
        "mean": round_score(cell.mean),
        "n": cell.n,
        "sd": round_score(cell.sd),
        "indicative": _indicative(cell.mean, cell.n, thresholds),
    }


def _portfolio_cell(cell: PortfolioCell | None, thresholds: Thresholds) -> Json | None:
    if cell is None:
        return None
    return {
        "mean": round_score(cell.mean),
        "n": cell.n,
        "indicative": _indicative(cell.mean, cell.n, thresholds),
    }


def _nps(nps: NpsResult, thresholds: Thresholds) -> Json:
    return {
        "score": round_score(nps.score),
        "n": nps.n,
        "indicative": _indicative(nps.score, nps.n, thresholds),
    }


def _signal(signal: Signal, thresholds: Thresholds) -> Json:
    return {
        "question": signal.item_key,
        "perspective": signal.perspective.value,
        "score": round_score(signal.score),
        "n": signal.n,
        "indicative": _indicative(signal.score, signal.n, thresholds),
    }


def _responses(responses: AccountResponses) -> Json:
    return {
        "client": {"invited": responses.client.invited, "completed": responses.client.completed},
        "supplier": {"invited": responses.supplier.invited, "completed": responses.supplier.completed},
        "by_mode": {
            "survey": responses.survey,
            "interview": responses.interview,
            "import": responses.imported,
        },
    }


def _drift(drift: Drift | None) -> Json | None:
    if drift is None:
        return None
    return {
        "client": round_score(drift.client),
        "supplier": round_score(drift.supplier),
        "gap": round_score(drift.gap),
        "growing_apart": drift.growing_apart,
    }


def _fit(fit: AccountFit, thresholds: Thresholds) -> Json:
    understanding = None
    if fit.understanding is not None:
        understanding = [
            {
                "key": row.dimension,
                "predicted": _account_cell(row.predicted, thresholds),
                "client": _account_cell(row.client, thresholds),
                "gap": round_score(row.gap),
                "flagged": row.flagged,
            }
            for row in fit.understanding
        ]
    return {
        "quadrant": fit.quadrant.value,
        "overall": {
            "client": round_score(fit.overall.client),
            "supplier": round_score(fit.overall.supplier),
            "gap": round_score(fit.overall.gap),
        },
        "dimensions": [
            {
                "key": row.dimension,
                "client": _account_cell(row.client, thresholds),
                "supplier": _account_cell(row.supplier, thresholds),
                "gap": round_score(row.gap),
                "flagged": row.flagged,
            }
            for row in fit.dimensions
        ],
        "understanding": understanding,
    }


def _account(result: AccountResult, thresholds: Thresholds) -> Json:
    fit = _fit(result.fit, thresholds)
    return {
        "account": result.account.name,
        "external_id": result.account.external_id,
        "quadrant": fit["quadrant"],
        "overall": fit["overall"],
        "dimensions": fit["dimensions"],
        "understanding": fit["understanding"],
        "nps": _nps(result.nps, thresholds),
        "signals": [_signal(signal, thresholds) for signal in result.signals],
        "responses": _responses(result.responses),
        "drift": _drift(result.drift),
    }


def _wilcoxon(result: WilcoxonResult | None) -> Json | None:
    if result is None:
        return None
    return {
        "pairs": result.pairs,
        "statistic": round_score(result.statistic),
        "p": round_statistic(result.p),
        "r": round_statistic(result.r),
    }


def _portfolio_dimension(row: PortfolioDimension, thresholds: Thresholds) -> Json:
    return {
        "key": row.dimension,
        "client": _portfolio_cell(row.client, thresholds),
        "supplier": _portfolio_cell(row.supplier, thresholds),
        "gap": round_score(row.gap),
        "wilcoxon": _wilcoxon(row.wilcoxon),
        "alpha": {
            "client": round_statistic(row.alpha_client.alpha),
            "supplier": round_statistic(row.alpha_supplier.alpha),
        },
    }


def _cost(cost: CostOfMismatch) -> Json:
    return {
        "nonbillable_hours": round_score(cost.nonbillable_hours),
        "median_match_hours": round_score(cost.median_match_hours),
        "equivalent_matching_clients": round_score(cost.equivalent_matching_clients),
        "reason": cost.reason,
    }


def build_analysis_document(analysis: StudyAnalysis) -> Json:
    """The analysis JSON of a study: accounts by name, dimensions in scoring.yaml order, rule 14 rounding.

    The result holds only str, int, float, bool, None, lists and dicts, so `json.dumps` takes it as is.
    """
    thresholds = analysis.thresholds
    portfolio = analysis.portfolio
    return {
        "study": analysis.study,
        "scoring_version": analysis.scoring_version,
        "provisional": analysis.provisional,
        "thresholds": {
            "quadrant": thresholds.quadrant,
            "gap": thresholds.gap,
            "signal": thresholds.signal,
            "min_n": thresholds.min_n,
        },
        "accounts": [_account(result, thresholds) for result in analysis.accounts],
        "portfolio": {
            "quadrants": {quadrant.value: count for quadrant, count in portfolio.quadrants.items()},
            "nps": _nps(portfolio.nps, thresholds),
            "cost_of_mismatch": _cost(portfolio.cost),
            "dimensions": [_portfolio_dimension(row, thresholds) for row in portfolio.dimensions],
        },
    }
