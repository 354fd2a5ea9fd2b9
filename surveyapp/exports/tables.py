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
    "nps", "nps_n", "nps_indicative", "client_invited", "client_completed", "supplier_invited",
    "supplier_completed", "by_mode_survey", "by_mode_interview", "by_mode_import",
    "drift_client", "drift_supplier", "drift_gap", "growing_apart",
)  # fmt: skip
ACCOUNT_DIMENSIONS = (
    "account", "dimension", "client_mean", "client_n", "client_sd", "client_indicative",
    "supplier_mean", "supplier_n", "supplier_sd", "supplier_indicative", "gap", "flagged",
)  # fmt: skip
PORTFOLIO_DIMENSIONS = (
    "dimension", "client_mean", "client_n", "client_indicative", "supplier_mean", "supplier_n",
    "supplier_indicative", "gap", "wilcoxon_pairs", "wilcoxon_statistic", "wilcoxon_p", "wilcoxon_r",
    "alpha_client", "alpha_supplier",
)  # fmt: skip
SIGNALS = ("account", "question", "perspective", "score", "n", "indicative")
QUADRANTS = ("quadrant", "accounts")
COST = ("nonbillable_hours", "median_match_hours", "equivalent_matching_clients", "reason")


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
    """Accounts, dimensions per account, portfolio dimensions, signals, quadrant counts, cost of mismatch."""
    accounts = document["accounts"]
    portfolio = document["portfolio"]
    account_rows = [
        [
            a["account"], a["external_id"], a["quadrant"],
            _get(a, "overall", "client"), _get(a, "overall", "supplier"), _get(a, "overall", "gap"),
            _get(a, "nps", "score"), _get(a, "nps", "n"), _get(a, "nps", "indicative"),
            _get(a, "responses", "client", "invited"), _get(a, "responses", "client", "completed"),
            _get(a, "responses", "supplier", "invited"), _get(a, "responses", "supplier", "completed"),
            _get(a, "responses", "by_mode", "survey"), _get(a, "responses", "by_mode", "interview"),
            _get(a, "responses", "by_mode", "import"),
            _get(a, "drift", "client"), _get(a, "drift", "supplier"), _get(a, "drift", "gap"),
            _get(a, "drift", "growing_apart"),
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
        [a["account"], s["question"], s["perspective"], s["score"], s["n"], s["indicative"]]
        for a in accounts
        for s in a["signals"]
    ]
    cost = portfolio["cost_of_mismatch"]
    return [
        Table("accounts", ACCOUNTS, account_rows),
        Table("account_dimensions", ACCOUNT_DIMENSIONS, dimension_rows),
        Table("portfolio_dimensions", PORTFOLIO_DIMENSIONS, portfolio_rows),
        Table("signals", SIGNALS, signal_rows),
        Table("quadrants", QUADRANTS, [[q, n] for q, n in portfolio["quadrants"].items()]),
        Table("cost_of_mismatch", COST, [[cost[name] for name in COST]]),
    ]
