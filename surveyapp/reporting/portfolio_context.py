"""The context of the portfolio report: every account of the study, and the portfolio block of the JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.analysis import charts
from surveyapp.enums import Quadrant
from surveyapp.reporting import labels
from surveyapp.reporting.context import (
    ReportInputs,
    account_view,
    chart_labels,
    common_context,
    dimension_name,
    mirror_rows,
)

# Above this many accounts the fit matrix shows unnumbered dots (the table lists every account), and the table
# of contents lists the account pages as one entry.
NUMBERED_POINTS = 40
TOC_ACCOUNTS = 40
COST_QUADRANTS = (Quadrant.MISFIT.value, Quadrant.CUSTOMER_SWAYED.value)


def risk_key(account: Mapping[str, Any]) -> tuple[Any, ...]:
    """Most at risk first: by quadrant (misfit, blind spot, customer swayed, incomplete, match), then growing
    apart, then more warning signals, then the lower of the two overall fits, then the name."""
    overall = [v for v in (account["overall"]["client"], account["overall"]["supplier"]) if v is not None]
    drift = account["drift"]
    return (
        labels.RISK_ORDER.index(Quadrant(account["quadrant"])),
        not (drift is not None and drift["growing_apart"]),
        -len(account["signals"]),
        min(overall) if overall else float("inf"),
        account["name"].casefold(),
        account["name"],
    )


def cost_explanation(inputs: ReportInputs, accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The accounts behind the cost of mismatch (rule 11), with their `cost` as the document has it: the
    mismatched ones (misfit, customer swayed) and the matching ones, whose medians are the baseline share and
    the divisor."""
    mismatched, matching = [], []
    for account in accounts:
        cost = account.get("cost")
        if cost is None:
            continue
        if account["quadrant"] in COST_QUADRANTS:
            mismatched.append({"account": account, "cost": cost})
        elif account["quadrant"] == Quadrant.MATCH.value:
            matching.append({"account": account, "cost": cost})
    return {
        "mismatched": mismatched,
        "matching": sorted(matching, key=lambda row: row["cost"]["effort_hours"]),
    }


def response_totals(accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The response counts of all accounts added up (whole numbers: the sum is exact)."""
    modes = ("survey", "interview", "import")
    client_invited = client_completed = supplier_invited = supplier_completed = 0
    by_mode = dict.fromkeys(modes, 0)
    # One pass: a study may have 20,000 accounts.
    for account in accounts:
        responses = account["responses"]
        client, supplier, per_mode = responses["client"], responses["supplier"], responses["by_mode"]
        client_invited += client["invited"]
        client_completed += client["completed"]
        supplier_invited += supplier["invited"]
        supplier_completed += supplier["completed"]
        for mode in modes:
            by_mode[mode] += per_mode[mode]
    return {
        "client": {"invited": client_invited, "completed": client_completed},
        "supplier": {"invited": supplier_invited, "completed": supplier_completed},
        "by_mode": by_mode,
    }


def _dimensions(inputs: ReportInputs, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    # The portfolio block has no gap flags (rule 6 flags account gaps): nothing is marked as flagged here.
    return [{**row, "name": dimension_name(inputs, row["key"]), "flagged": False} for row in rows]


def portfolio_context(inputs: ReportInputs) -> dict[str, Any]:
    """The context of `reports/portfolio/report.html`."""
    document = inputs.document
    thresholds = document["thresholds"]
    accounts = [account_view(inputs, entry) for entry in document["accounts"]]
    for number, account in enumerate(accounts, start=1):
        account["number"] = number
    points = [
        charts.FitPoint(
            account["number"],
            account["overall"]["client"],
            account["overall"]["supplier"],
            indicative=bool(account["overall"].get("indicative")),
        )
        for account in accounts
        if account["overall"]["client"] is not None and account["overall"]["supplier"] is not None
    ]
    names = {q: labels.label(labels.QUADRANT_NAMES, q) for q in Quadrant}
    matrix = charts.fit_matrix(
        points,
        labels=chart_labels(),
        threshold=thresholds["quadrant"],
        quadrant_names=names,
        numbered=len(points) <= NUMBERED_POINTS,
    )
    portfolio = document["portfolio"]
    dimensions = _dimensions(inputs, portfolio["dimensions"])
    # The portfolio gap is the mean of paired account gaps; the chart and the table show exactly that value,
    # all bars solid (there are no portfolio flags to set apart).
    gap_chart = charts.gap_bars(
        [charts.GapRow(row["name"], row["gap"], flagged=True) for row in dimensions],
        labels=chart_labels(),
        threshold=thresholds["gap"],
    )
    mirror = charts.mirror_chart(
        mirror_rows(dimensions), labels=chart_labels(), threshold=thresholds["quadrant"]
    )
    section = inputs.sections.get(None, {})
    drift = [account for account in accounts if account["drift"] is not None]
    return {
        **common_context(inputs, "portfolio"),
        "accounts": accounts,
        "ranked": sorted(accounts, key=risk_key),
        "drift_accounts": drift,
        "portfolio": {**portfolio, "dimensions": dimensions},
        "quadrant_order": [
            q.value
            for q in (
                Quadrant.MATCH,
                Quadrant.CUSTOMER_SWAYED,
                Quadrant.BLIND_SPOT,
                Quadrant.MISFIT,
                Quadrant.INCOMPLETE,
            )
        ],
        "cost": cost_explanation(inputs, accounts),
        "numbered": len(points) <= NUMBERED_POINTS,
        "toc_accounts": TOC_ACCOUNTS,
        "responses": response_totals(accounts),
        "commentary": (inputs.commentary.get(None) or "").strip() or None,
        "themes": section.get("themes") or None,
        "deal_checks": section.get("deal_checks") or None,
        "charts": {
            "matrix": charts.svg_data_url(matrix),
            "gaps": charts.svg_data_url(gap_chart),
            "mirror": charts.svg_data_url(mirror),
        },
    }
