"""The analysis document as tables (pure: no database), for the CSV and XLSX exports.

Every value is the analysis JSON's own (rounded as there); a cell that the document leaves out (null) is empty.
Dimensions and items appear by their keys as scoring.yaml and the questionnaires name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.exports.writers import Table

ACCOUNTS = (
    "account", "external_id", "quadrant", "overall_client", "overall_supplier", "overall_gap",
    "overall_shared_dimensions", "overall_client_n", "overall_supplier_n", "overall_indicative",
    "overall_borderline", "nps", "nps_n", "nps_indicative", "nps_promoters", "nps_passives",
    "nps_detractors", "client_invited", "client_completed", "supplier_invited",
    "supplier_completed", "by_mode_survey", "by_mode_interview", "by_mode_import",
    "drift_client", "drift_supplier", "drift_gap", "growing_apart",
    "effort_hours", "billable_hours", "nonbillable_hours", "excess_hours", "equivalent_matching_clients",
    "revenue_forgone", "staff_advice_n",
)  # fmt: skip
_ACCOUNT_COST = ACCOUNTS[-7:-1]
ACCOUNT_DIMENSIONS = (
    "account", "dimension", "client_mean", "client_n", "client_sd", "client_indicative",
    "supplier_mean", "supplier_n", "supplier_sd", "supplier_indicative", "gap", "flagged",
)  # fmt: skip
PORTFOLIO_DIMENSIONS = (
    "dimension", "client_mean", "client_n", "client_indicative", "supplier_mean", "supplier_n",
    "supplier_indicative", "gap", "wilcoxon_pairs", "wilcoxon_statistic", "wilcoxon_p", "wilcoxon_r",
    "alpha_client", "alpha_supplier",
)  # fmt: skip
SIGNALS = ("account", "question", "perspective", "group", "score", "agreed", "n", "indicative")
DRIFT_DIMENSIONS = ("account", "dimension", "client", "supplier", "gap", "growing_apart")
STAFF_ADVICE = ("account", "option", "count", "n")
QUADRANTS = ("quadrant", "accounts")
COST = (
    "accounts", "nonbillable_hours", "excess_hours", "baseline_share", "match_accounts", "median_match_hours",
    "median_match_revenue", "equivalent_matching_clients", "revenue_forgone", "reason",
)  # fmt: skip


def _get(mapping: Mapping[str, Any] | None, *path: str) -> Any:
    value: Any = mapping
    for key in path:
        if value is None:
            return None
        value = value.get(key)
    return value


def _cell(cell: Mapping[str, Any] | None, *, sd: bool) -> list[Any]:
    values = [_get(cell, "mean"), _get(cell, "n")]
    if sd:
        values.append(_get(cell, "sd"))
    values.append(_get(cell, "indicative"))
    return values


def analysis_tables(document: Mapping[str, Any]) -> list[Table]:
    """Accounts (with rule 17's headline marks and rule 11's cost), dimensions per account, portfolio
    dimensions, signals, drift per dimension, staff advice, quadrant counts, cost of mismatch."""
    accounts = document["accounts"]
    portfolio = document["portfolio"]
    account_rows = [
        [
            a["account"], a["external_id"], a["quadrant"],
            _get(a, "overall", "client"), _get(a, "overall", "supplier"), _get(a, "overall", "gap"),
            _get(a, "overall", "shared_dimensions"), _get(a, "overall", "client_n"),
            _get(a, "overall", "supplier_n"), _get(a, "overall", "indicative"),
            _get(a, "overall", "borderline"),
            _get(a, "nps", "score"), _get(a, "nps", "n"), _get(a, "nps", "indicative"),
            _get(a, "nps", "promoters"), _get(a, "nps", "passives"), _get(a, "nps", "detractors"),
            _get(a, "responses", "client", "invited"), _get(a, "responses", "client", "completed"),
            _get(a, "responses", "supplier", "invited"), _get(a, "responses", "supplier", "completed"),
            _get(a, "responses", "by_mode", "survey"), _get(a, "responses", "by_mode", "interview"),
            _get(a, "responses", "by_mode", "import"),
            _get(a, "drift", "client"), _get(a, "drift", "supplier"), _get(a, "drift", "gap"),
            _get(a, "drift", "growing_apart"),
            *(_get(a, "cost", name) for name in _ACCOUNT_COST),
            _get(a, "staff_advice", "n"),
        ]
        for a in accounts
    ]  # fmt: skip
    dimension_rows = [
        [
            a["account"],
            d["key"],
            *_cell(d["client"], sd=True),
            *_cell(d["supplier"], sd=True),
            d["gap"],
            d["flagged"],
        ]
        for a in accounts
        for d in a["dimensions"]
    ]
    portfolio_rows = [
        [
            d["key"], *_cell(d["client"], sd=False), *_cell(d["supplier"], sd=False), d["gap"],
            _get(d, "wilcoxon", "pairs"), _get(d, "wilcoxon", "statistic"), _get(d, "wilcoxon", "p"),
            _get(d, "wilcoxon", "r"), _get(d, "alpha", "client"), _get(d, "alpha", "supplier"),
        ]
        for d in portfolio["dimensions"]
    ]  # fmt: skip
    signal_rows = [
        [
            a["account"], s["question"], s["perspective"], s.get("group"), s["score"], s.get("agreed"),
            s["n"], s["indicative"],
        ]
        for a in accounts
        for s in a["signals"]
    ]  # fmt: skip
    drift_rows = [
        [a["account"], d["key"], d["client"], d["supplier"], d["gap"], d["growing_apart"]]
        for a in accounts
        for d in _get(a, "drift", "dimensions") or []
    ]
    # Rule 18: a tally withheld outside the research team has no counts; its n stays in `accounts`.
    advice_rows = [
        [a["account"], option, count, a["staff_advice"]["n"]]
        for a in accounts
        for option, count in (_get(a, "staff_advice", "counts") or {}).items()
    ]
    cost = portfolio["cost_of_mismatch"]
    return [
        Table("accounts", ACCOUNTS, account_rows),
        Table("account_dimensions", ACCOUNT_DIMENSIONS, dimension_rows),
        Table("portfolio_dimensions", PORTFOLIO_DIMENSIONS, portfolio_rows),
        Table("signals", SIGNALS, signal_rows),
        Table("drift_dimensions", DRIFT_DIMENSIONS, drift_rows),
        Table("staff_advice", STAFF_ADVICE, advice_rows),
        Table("quadrants", QUADRANTS, [[q, n] for q, n in portfolio["quadrants"].items()]),
        Table("cost_of_mismatch", COST, [[cost.get(name) for name in COST]]),
    ]
