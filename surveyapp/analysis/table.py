"""The analysis document as a readable text summary (`surveyapp analysis --format table`).

Built from the JSON document itself, so the table shows exactly the rounded numbers the JSON holds. Values
resting on fewer than min_n respondents (or accounts) carry a `*`; a missing value is shown as `-`.
"""

from __future__ import annotations

from typing import Any

from surveyapp.analysis.cost import REASON_TEXTS

MISSING = "-"


def _number(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return MISSING
    return f"{value:+.1f}" if signed and value != 0 else f"{value:.1f}"


def _cell(cell: dict[str, Any] | None) -> str:
    """A mean with its n, marked when indicative: `72.5 (n 2*)`."""
    if cell is None:
        return MISSING
    return f"{_number(cell['mean'])} (n {cell['n']}{'*' if cell['indicative'] else ''})"


def _nps(nps: dict[str, Any]) -> str:
    if nps["score"] is None:
        return f"{MISSING} (n 0)"
    return f"{_number(nps['score'])} (n {nps['n']}{'*' if nps['indicative'] else ''})"


def _headline(overall: dict[str, Any]) -> str:
    """Rule 17's marks of a quadrant: `*` when indicative, `~` when borderline."""
    return ("*" if overall.get("indicative") else "") + ("~" if overall.get("borderline") else "")


def _accounts_table(accounts: list[dict[str, Any]]) -> list[str]:
    width = max([len("account"), *(len(account["account"]) for account in accounts)])
    lines = [
        f"{'account':<{width}}  {'quadrant':<17}  {'client':>6}  {'supplier':>8}  {'gap':>6}  "
        f"{'NPS':<13}  responses done/invited"
    ]
    for account in accounts:
        overall, responses = account["overall"], account["responses"]
        lines.append(
            f"{account['account']:<{width}}  {account['quadrant'] + _headline(overall):<17}  "
            f"{_number(overall['client']):>6}  "
            f"{_number(overall['supplier']):>8}  {_number(overall['gap'], signed=True):>6}  "
            f"{_nps(account['nps']):<13}  "
            f"client {responses['client']['completed']}/{responses['client']['invited']}, "
            f"supplier {responses['supplier']['completed']}/{responses['supplier']['invited']}"
        )
    return lines


def _account_details(account: dict[str, Any]) -> list[str]:
    overall = account["overall"]
    lines = [
        f"{account['account']}: {account['quadrant']}{_headline(overall)} (client "
        f"{_number(overall['client'])} n {overall['client_n']}, supplier {_number(overall['supplier'])} n "
        f"{overall['supplier_n']}, gap {_number(overall['gap'], signed=True)} over "
        f"{overall['shared_dimensions']} shared dimensions)"
    ]
    if overall.get("supplier_only"):
        lines.append(f"  supplier only (cost-to-serve side): {', '.join(overall['supplier_only'])}")
    flagged = [row for row in account["dimensions"] if row["flagged"]]
    for row in flagged:
        lines.append(
            f"  gap {row['key']}: client {_cell(row['client'])}, supplier {_cell(row['supplier'])}, "
            f"gap {_number(row['gap'], signed=True)}"
        )
    if not flagged:
        lines.append("  no flagged dimension gaps")
    for row in account["understanding"] or ():
        if row["flagged"]:
            lines.append(
                f"  understanding {row['key']}: predicted {_cell(row['predicted'])}, client "
                f"{_cell(row['client'])}, gap {_number(row['gap'], signed=True)}"
            )
    for signal in account["signals"]:
        verb = "reported it" if signal.get("behaviour") else "agreed"
        agreed = "" if signal.get("agreed") is None else f", {_number(signal['agreed'])}% {verb}"
        lines.append(
            f"  signal {signal['question']} ({signal['perspective']}, {signal.get('group', 'other')}): "
            f"{_number(signal['score'])}{agreed} (n {signal['n']}{'*' if signal['indicative'] else ''})"
        )
    drift = account["drift"]
    if drift is not None:
        lines.append(
            f"  drift: client {_number(drift['client'], signed=True)}, supplier "
            f"{_number(drift['supplier'], signed=True)}, gap {_number(drift['gap'], signed=True)}"
            + (" - GROWING APART" if drift["growing_apart"] else "")
        )
        apart = [row["key"] for row in drift.get("dimensions") or () if row["growing_apart"]]
        if apart:
            lines.append(f"  growing apart on: {', '.join(apart)}")
    cost = account.get("cost")
    if cost is not None:
        lines.append(
            f"  cost: {_number(cost['nonbillable_hours'])} of {_number(cost['effort_hours'])} hours not billed, "
            f"{_number(cost['excess_hours'])} beyond a matching client = "
            f"{_number(cost['equivalent_matching_clients'])} matching clients, revenue forgone "
            f"{MISSING if cost['revenue_forgone'] is None else cost['revenue_forgone']}"
        )
    advice = account.get("staff_advice")
    if advice is not None and advice["n"]:
        counts = ", ".join(f"{option} {count}" for option, count in (advice.get("counts") or {}).items())
        lines.append(f"  staff advice (n {advice['n']}): {counts or 'withheld'}")
    return lines


def _cost(cost: dict[str, Any]) -> str:
    hours = _number(cost["nonbillable_hours"])
    text = (
        f"cost of mismatch: {hours} non-billable hours on misfit and customer_swayed accounts, "
        f"{_number(cost['excess_hours'])} beyond the baseline share of {cost['baseline_share']:.3f}"
    )
    if cost["equivalent_matching_clients"] is None:
        reason = REASON_TEXTS.get(cost["reason"], cost["reason"])
        return f"{text}; no equivalent in matching clients: {reason}"
    text += (
        f" / {_number(cost['median_match_hours'])} median effort hours of a match account = "
        f"{_number(cost['equivalent_matching_clients'])} equivalent matching clients"
    )
    if cost["revenue_forgone"] is None:
        return f"{text}; no revenue: {REASON_TEXTS.get(cost['reason'], cost['reason'])}"
    return (
        f"{text} x {cost['median_match_revenue']} median revenue = {cost['revenue_forgone']} revenue forgone"
    )


def _wilcoxon(row: dict[str, Any]) -> str:
    test = row["wilcoxon"]
    if test is None:
        return "not shown (fewer than 10 non-zero pairs)"
    return f"W {_number(test['statistic'])}, p {test['p']:.3f}, r {test['r']:+.3f} ({test['pairs']} pairs)"


def _alpha(value: float | None) -> str:
    return MISSING if value is None else f"{value:.3f}"


def _portfolio(portfolio: dict[str, Any]) -> list[str]:
    quadrants = ", ".join(f"{name} {count}" for name, count in portfolio["quadrants"].items())
    lines = [
        f"quadrants: {quadrants}",
        f"NPS: {_nps(portfolio['nps'])}",
        _cost(portfolio["cost_of_mismatch"]),
    ]
    dimensions = portfolio["dimensions"]
    width = max([len("dimension"), *(len(row["key"]) for row in dimensions)])
    lines.append(
        f"{'dimension':<{width}}  {'client':<13}  {'supplier':<13}  {'gap':>6}  {'alpha c/s':<11}  Wilcoxon"
    )
    for row in dimensions:
        alpha = f"{_alpha(row['alpha']['client'])}/{_alpha(row['alpha']['supplier'])}"
        lines.append(
            f"{row['key']:<{width}}  {_cell(row['client']):<13}  {_cell(row['supplier']):<13}  "
            f"{_number(row['gap'], signed=True):>6}  {alpha:<11}  {_wilcoxon(row)}"
        )
    return lines


def render_table(document: dict[str, Any]) -> str:
    """The text summary of an analysis document (`build_analysis_document`'s output)."""
    thresholds = document["thresholds"]
    pinned = "provisional: the current scoring.yaml" if document["provisional"] else "pinned"
    lines = [
        f"{document['study']}: scoring version {document['scoring_version'][:12]} ({pinned})",
        f"thresholds: quadrant {thresholds['quadrant']:g}, gap {thresholds['gap']:g}, signal "
        f"{thresholds['signal']:g}, min n {thresholds['min_n']}; "
        f"* = indicative (n below {thresholds['min_n']}), ~ = borderline (within "
        f"{thresholds.get('borderline_band', 5):g} of the quadrant threshold)",
        "",
        "ACCOUNTS",
        *_accounts_table(document["accounts"]),
    ]
    for account in document["accounts"]:
        lines += ["", *_account_details(account)]
    lines += ["", "PORTFOLIO", *_portfolio(document["portfolio"])]
    return "\n".join(lines) + "\n"
