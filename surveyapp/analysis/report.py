"""The analysis JSON document (a contract for reports, exports and the CLI); rounding happens here only.

Shape decisions the rules leave open (each is also stated where the value is computed):

- Every mean cell carries ``"indicative"``; it is true exactly when the cell has a value and its n < min_n.
  A null value (e.g. NPS with n = 0) is never indicative: there is nothing to read with caution.
- A dimension cell without respondents is null (not ``{"mean": null, ...}``), for accounts and portfolio.
- Gaps and overall gaps are rounded from the unrounded difference, so a shown gap can differ by 0.1 from the
  difference of the shown means; flags and quadrants are decided on unrounded values (rules 7 and 14).
- Thresholds are echoed as configured, unrounded, so the document states exactly what was applied.
- ``"cost_of_mismatch"."reason"`` holds the stable reason code (reports translate it) of the first figure that
  cannot be formed (the equivalent, then the revenue), or null. Hours get one decimal, ``baseline_share`` three,
  money (``revenue_forgone``, ``median_match_revenue``) whole units. ``"match_accounts"`` is how many match
  accounts with effort the median effort rests on (a median of one or two is read with care).
- ``"cost"`` per account is null without effort > 0 and billable hours; it is given for every quadrant (a match
  account may cost more than the baseline too); the portfolio sums only misfit and customer_swayed accounts.
- ``"overall"`` always has every key: ``"gap"`` is rule 6's like-for-like gap over ``"shared_dimensions"``;
  ``"supplier_only"`` lists the dimensions only the supplier scored for an account the client scored too (the
  cost-to-serve side; empty without a client score);
  ``"indicative"`` is true when either perspective's n is below min_n (0 included: an incomplete headline);
  ``"supplier_without_sensitive"`` is the supplier's overall without the dimensions scoring.yaml marks
  sensitive (null when the supplier scored none of them): rule 18's outside view shows it in place of the
  supplier's overall while a sensitive dimension is withheld, as the overall would give that score away.
- ``"nps"`` carries its promoters, passives and detractors, so a view can show "1 promoter of 1".
- ``"signals"`` carry the article's ``"group"`` and ``"agreed"``: the share (0-100, one decimal) of the n
  respondents who agreed with the item's statement, null when not known; with ``"behaviour"`` true (a
  frequency, a count or hours: no statement to agree with) the share who reported the problem.
- ``"staff_advice"`` is null when the study has no question tagged ``advice``; otherwise ``"counts"`` per
  option (every option, in the question's order) and ``"n"``.
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

from surveyapp.analysis._collector import collector_paused
from surveyapp.analysis.accounts import AccountDimensionScore
from surveyapp.analysis.advice import StaffAdvice
from surveyapp.analysis.cost import AccountCost, CostOfMismatch
from surveyapp.analysis.drift import Drift
from surveyapp.analysis.fit import AccountFit, DimensionGap, UnderstandingGap
from surveyapp.analysis.nps import NpsResult
from surveyapp.analysis.portfolio import PortfolioCell, PortfolioDimension
from surveyapp.analysis.rounding import round_money, round_score, round_statistic
from surveyapp.analysis.signals import Signal
from surveyapp.analysis.stats import WilcoxonResult
from surveyapp.analysis.study import AccountResult, StudyAnalysis
from surveyapp.analysis.thresholds import Thresholds

Json = dict[str, Any]


def _indicative(value: float | None, n: int, thresholds: Thresholds) -> bool:
    return value is not None and thresholds.is_indicative(n)


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
        "promoters": nps.promoters,
        "passives": nps.passives,
        "detractors": nps.detractors,
    }


def _account_cost(cost: AccountCost | None) -> Json | None:
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


class _AccountEntries:
    """The accounts' entries, one per account in scope: the document's hot loop (20,000 accounts in a large
    study), so two things are done once instead of per value:

    - rule 14's rounding is a function of the number alone, and a study's means, sds, gaps and signal scores
      repeat a lot (few respondents per account, discrete scales): each distinct value is rounded once;
    - the dimension rows of an account without any client or supplier cell are the same for every such
      account (`fit.unscored_fit` gives them all one frozen tuple): they are rendered once per tuple and
      copied.

    Every entry is a fresh object graph (copies, never shared dicts or lists), exactly as rendering each
    value on its own gives it.
    """

    __slots__ = ("_advice", "_costs", "_empty_rows", "_is_indicative", "_rounded", "_thresholds", "_unscored")

    def __init__(self, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        # Rule 11's cost per account, rendered once per distinct set of figures (a large study's accounts
        # share few effort and billable figures); each entry gets its own copy.
        self._costs: dict[AccountCost, Json] = {}
        self._unscored: Json | None = None
        # Rule 20's tallies by the (frozen, shared) StaffAdvice object, kept with it so its id stays unique.
        self._advice: dict[int, tuple[StaffAdvice, Json]] = {}
        self._is_indicative = thresholds.is_indicative
        self._rounded: dict[float, float] = {}
        self._empty_rows: dict[int, tuple[tuple[DimensionGap, ...], list[Json]]] = {}

    def _score(self, value: float | None) -> float | None:
        if value is None:
            return None
        rounded = self._rounded.get(value)
        if rounded is None:
            rounded = self._rounded[value] = round_score(value)
        return rounded

    def _cell(self, cell: AccountDimensionScore | None) -> Json | None:
        if cell is None:
            return None
        # `_score` inlined: two values of every cell (tens of thousands in a large study).
        rounded = self._rounded
        mean, sd = cell.mean, cell.sd
        shown_mean = rounded.get(mean)
        if shown_mean is None and mean is not None:
            shown_mean = rounded[mean] = round_score(mean)
        shown_sd = None if sd is None else rounded.get(sd)
        if shown_sd is None and sd is not None:
            shown_sd = rounded[sd] = round_score(sd)
        return {
            "mean": shown_mean,
            "n": cell.n,
            "sd": shown_sd,
            "indicative": mean is not None and self._is_indicative(cell.n),
        }

    def _dimensions(self, rows: tuple[DimensionGap, ...]) -> list[Json]:
        empty = self._empty_rows.get(id(rows))
        if empty is not None and empty[0] is rows:
            return list(map(dict.copy, empty[1]))
        rendered = [
            {
                "key": row.dimension,
                "client": self._cell(row.client),
                "supplier": self._cell(row.supplier),
                "gap": self._score(row.gap),
                "flagged": row.flagged,
            }
            for row in rows
        ]
        if all(row.client is None and row.supplier is None for row in rows):
            # Rows without cells hold only str, None and bool: a shallow copy of each is a full copy. The
            # tuple is kept with them, so its id cannot be reused while this renderer lives.
            self._empty_rows[id(rows)] = (rows, [row.copy() for row in rendered])
        return rendered

    def _understanding(self, rows: tuple[UnderstandingGap, ...] | None) -> list[Json] | None:
        if rows is None:
            return None
        return [
            {
                "key": row.dimension,
                "predicted": self._cell(row.predicted),
                "client": self._cell(row.client),
                "gap": self._score(row.gap),
                "flagged": row.flagged,
            }
            for row in rows
        ]

    def _signal(self, signal: Signal) -> Json:
        return {
            "question": signal.item_key,
            "perspective": signal.perspective.value,
            "score": self._score(signal.score),
            "n": signal.n,
            "indicative": signal.score is not None and self._is_indicative(signal.n),
            "group": signal.group.value,
            "agreed": self._score(signal.agreed_share),
            "behaviour": signal.behaviour,
        }

    def _drift(self, drift: Drift | None) -> Json | None:
        if drift is None:
            return None
        return {
            "client": self._score(drift.client),
            "supplier": self._score(drift.supplier),
            "gap": self._score(drift.gap),
            "growing_apart": drift.growing_apart,
            "dimensions": [
                {
                    "key": row.dimension,
                    "client": self._score(row.client),
                    "supplier": self._score(row.supplier),
                    "gap": self._score(row.gap),
                    "growing_apart": row.growing_apart,
                }
                for row in drift.dimensions
            ],
        }

    def _staff_advice(self, advice: StaffAdvice) -> Json:
        known = self._advice.get(id(advice))
        if known is None or known[0] is not advice:
            known = self._advice[id(advice)] = (advice, {"counts": dict(advice.counts), "n": advice.n})
        rendered = known[1]
        return {"counts": dict(rendered["counts"]), "n": rendered["n"]}

    def _cost(self, cost: AccountCost) -> Json:
        rendered = self._costs.get(cost)
        if rendered is None:
            rendered = self._costs[cost] = _account_cost(cost)  # type: ignore[assignment]
        return dict(rendered)  # type: ignore[arg-type]

    def _overall(self, fit: AccountFit) -> Json:
        overall = fit.overall
        if overall.client is None and overall.supplier is None:
            # No score on either side (most accounts of a large study while fieldwork runs): the same values
            # for every such account, rendered once, a fresh dict (and list) each time.
            if self._unscored is None:
                self._unscored = self._overall_of(fit)
            return {**self._unscored, "supplier_only": []}
        return self._overall_of(fit)

    def _overall_of(self, fit: AccountFit) -> Json:
        overall = fit.overall
        return {
            "client": self._score(overall.client),
            "supplier": self._score(overall.supplier),
            "gap": self._score(overall.gap),
            "shared_dimensions": overall.shared_dimensions,
            "supplier_only": (
                []
                if overall.client is None
                else [
                    row.dimension for row in fit.dimensions if row.client is None and row.supplier is not None
                ]
            ),
            "client_n": overall.client_n,
            "supplier_n": overall.supplier_n,
            "indicative": overall.indicative(self._thresholds),
            "borderline": overall.borderline(self._thresholds),
            "supplier_without_sensitive": self._score(overall.supplier_without_sensitive),
        }

    def entry(self, result: AccountResult) -> Json:
        fit = result.fit
        nps = result.nps
        responses = result.responses
        client, supplier = responses.client, responses.supplier
        return {
            "account": result.account.name,
            "external_id": result.account.external_id,
            "quadrant": fit.quadrant.value,
            "overall": self._overall(fit),
            "dimensions": self._dimensions(fit.dimensions),
            "understanding": None if fit.understanding is None else self._understanding(fit.understanding),
            "nps": {
                "score": self._score(nps.score),
                "n": nps.n,
                "indicative": nps.score is not None and self._is_indicative(nps.n),
                "promoters": nps.promoters,
                "passives": nps.passives,
                "detractors": nps.detractors,
            },
            "signals": [self._signal(signal) for signal in result.signals] if result.signals else [],
            "responses": {
                "client": {"invited": client.invited, "completed": client.completed},
                "supplier": {"invited": supplier.invited, "completed": supplier.completed},
                "by_mode": {
                    "survey": responses.survey,
                    "interview": responses.interview,
                    "import": responses.imported,
                },
            },
            "drift": None if result.drift is None else self._drift(result.drift),
            "cost": None if result.cost is None else self._cost(result.cost),
            "staff_advice": None if result.staff_advice is None else self._staff_advice(result.staff_advice),
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
    basis = cost.basis
    return {
        "accounts": cost.accounts,
        "nonbillable_hours": round_score(cost.nonbillable_hours),
        "excess_hours": round_score(cost.excess_hours),
        "baseline_share": round_statistic(basis.baseline_share),
        "match_accounts": basis.match_accounts,
        "median_match_hours": round_score(basis.median_match_hours),
        "median_match_revenue": round_money(basis.median_match_revenue),
        "equivalent_matching_clients": round_score(cost.equivalent_matching_clients),
        "revenue_forgone": round_money(cost.revenue_forgone),
        "reason": cost.reason,
    }


def build_analysis_document(analysis: StudyAnalysis) -> Json:
    """The analysis JSON of a study: accounts by name, dimensions in scoring.yaml order, rule 14 rounding.

    The result holds only str, int, float, bool, None, lists and dicts, so `json.dumps` takes it as is.
    """
    with collector_paused():  # an entry's dozen dicts and lists per account, none in a cycle
        return _document(analysis)


def _document(analysis: StudyAnalysis) -> Json:
    thresholds = analysis.thresholds
    portfolio = analysis.portfolio
    entries = _AccountEntries(thresholds)
    return {
        "study": analysis.study,
        "scoring_version": analysis.scoring_version,
        "provisional": analysis.provisional,
        "thresholds": {
            "quadrant": thresholds.quadrant,
            "gap": thresholds.gap,
            "signal": thresholds.signal,
            "min_n": thresholds.min_n,
            "borderline_band": thresholds.borderline_band,
        },
        "accounts": [entries.entry(result) for result in analysis.accounts],
        "portfolio": {
            "quadrants": {quadrant.value: count for quadrant, count in portfolio.quadrants.items()},
            "nps": _nps(portfolio.nps, thresholds),
            "cost_of_mismatch": _cost(portfolio.cost),
            "dimensions": [_portfolio_dimension(row, thresholds) for row in portfolio.dimensions],
        },
    }
