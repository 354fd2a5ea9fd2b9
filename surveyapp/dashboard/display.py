"""Method v2's figures as the research team's and the account team's screens show them (the dashboard and the
act screen): rule 17's headline marks, rule 6's cost-to-serve side, rule 11's cost, rule 12's drift per
dimension, rule 20's staff advice and the warning signals grouped as the article names them.

Pure functions of an account entry of the analysis JSON, as the reader may see it (rule 18's outside view for
an account team). They return display values: texts translated in the active locale, and numbers the
templates print with `fmt` (rule 14's rounding is the JSON's). Nothing is recomputed: every figure is the
JSON's, except the agreed count of a signal on fewer than `min_n` respondents, which is its share of n.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from surveyapp.act.proposals import propose
from surveyapp.analysis.disclosure import Disclosure
from surveyapp.i18n import _, _l, ngettext
from surveyapp.reporting import labels
from surveyapp.reporting.context import signal_groups as grouped_signals
from surveyapp.reporting.formatting import Formatter

#: The currency of the accounts' annual revenue, and so of revenue forgone (rule 11). The supplier has no
#: currency setting: the study's figures are in euros.
CURRENCY = "EUR"

#: Why a cost of mismatch figure cannot be formed (the JSON's `reason` codes).
REASONS = {
    "no_match_account_with_effort": _l(
        "there is no matching account with effort hours above zero to compare with"
    ),
    "no_match_account_with_revenue": _l("no matching account has an annual revenue above zero"),
}


def reason_text(code: str | None) -> str | None:
    """The reason a cost figure is missing, in words (the code itself for a code this screen does not know)."""
    if code is None:
        return None
    return str(REASONS[code]) if code in REASONS else code


def nps_answers(nps: Mapping[str, Any]) -> str | None:
    """Rule 17: an NPS resting on fewer than `min_n` answers (an indicative one) is shown as its answers
    instead of a bare score: "1 promoter of 1", "2 passives, 1 detractor of 3". None for any other NPS."""
    if not nps.get("indicative") or not nps.get("n"):
        return None
    return labels.nps_answers(nps)


def supplier_only(
    dimensions: Iterable[Mapping[str, Any]], overall: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Rule 6: the dimensions only the supplier rated for this account (the cost-to-serve side, beside the
    like-for-like gap), with their names and the supplier's cells, in the dimensions' order."""
    keys = set(overall.get("supplier_only") or ())
    return [
        {"key": row["key"], "name": row.get("name", row["key"]), "supplier": row["supplier"]}
        for row in dimensions
        if row["key"] in keys
    ]


def proposal(quadrant: str) -> dict[str, Any] | None:
    """The quadrant's proposed decision (None for an incomplete account): its name, and whether a researcher
    must confirm it (exit)."""
    found = propose(quadrant)
    if found is None:
        return None
    kind = found.kind.value
    return {
        "kind": kind,
        "name": labels.label(labels.DECISION_NAMES, kind),
        "to_be_confirmed": found.to_be_confirmed,
    }


def advice_tally(
    advice: Mapping[str, Any] | None, *, disclosure: Disclosure, outside: bool
) -> dict[str, Any] | None:
    """Rule 20's tally of the staff's own advice, beside the quadrant's proposal; None without an advice
    question. Outside the research team a tally of fewer than `confidential_min_n` advisers arrives withheld
    (rule 18: `disclosure.outside_advice`) and only its n is shown; inside it, such a tally is marked
    `identifiable`; a withheld one carries the sentence that says so (`text`)."""
    if advice is None:
        return None
    n = advice.get("n") or 0
    if advice.get("withheld"):
        return {
            "n": n,
            "withheld": True,
            "identifiable": False,
            "options": [],
            "text": ngettext(
                "Withheld to protect the team: %(num)d staff member advised; the advice is shown from "
                "%(min)d staff members on.",
                "Withheld to protect the team: %(num)d staff members advised; the advice is shown from "
                "%(min)d staff members on.",
                n,
                min=disclosure.confidential_min_n,
            ),
        }
    options = [
        {"key": key, "name": labels.label_or_key(labels.ADVICE_OPTION_NAMES, key), "count": count}
        for key, count in (advice.get("counts") or {}).items()
    ]
    return {
        "n": n,
        "withheld": False,
        "identifiable": not outside and 0 < n < disclosure.confidential_min_n,
        "options": options,
        "text": None,
    }


def agreed_text(signal: Mapping[str, Any], *, min_n: int, fmt: Formatter) -> str:
    """How many of a signal's n respondents agreed with its statement: as a count on fewer than `min_n`
    respondents ("2 of 2 agreed": a share of two reads surer than it is), else as a share ("67% agreed");
    for a behaviour item (how often, how many) how many reported the problem ("2 of 2 reported it"); a dash
    when the JSON does not know."""
    agreed, n = signal.get("agreed"), signal.get("n") or 0
    if agreed is None or n == 0:
        return "—"
    if n < min_n:
        count = labels.agreed_count(agreed, n)
        if signal.get("behaviour"):
            return ngettext("%(num)d of %(n)d reported it", "%(num)d of %(n)d reported it", count, n=n)
        return ngettext("%(num)d of %(n)d agreed", "%(num)d of %(n)d agreed", count, n=n)
    if signal.get("behaviour"):
        return _("%(share)s reported it", share=fmt.percent(agreed))
    return _("%(share)s agreed", share=fmt.percent(agreed))


def signal_groups(
    signals: Iterable[Mapping[str, Any]], *, min_n: int, fmt: Formatter
) -> list[dict[str, Any]]:
    """The warning signals grouped as the article names them (runs of small errors, workarounds, fear and
    reluctance, then cost to serve and other signals), each group in the JSON's order (worst first); only
    groups with a signal. A row is the signal with `agreed_text`."""
    return grouped_signals(
        [{**signal, "agreed_text": agreed_text(signal, min_n=min_n, fmt=fmt)} for signal in signals]
    )


def drift_rows(drift: Mapping[str, Any] | None, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rule 12's drift per dimension with the dimensions' names (empty without drift)."""
    if drift is None:
        return []
    return [{**row, "name": names.get(row["key"], row["key"])} for row in drift.get("dimensions") or []]


def _reasons(equivalent: float | None, revenue: int | None) -> dict[str, str | None]:
    """Why equivalent matching clients and revenue forgone cannot be formed: without a matching account with
    effort neither can; without one with revenue, the revenue cannot (as the JSON's `reason` says)."""
    if equivalent is None:
        return {
            "equivalent_reason": reason_text("no_match_account_with_effort"),
            "revenue_reason": reason_text("no_match_account_with_effort"),
        }
    revenue_reason = reason_text("no_match_account_with_revenue") if revenue is None else None
    return {"equivalent_reason": None, "revenue_reason": revenue_reason}


def account_cost(cost: Mapping[str, Any] | None, portfolio: Mapping[str, Any]) -> dict[str, Any] | None:
    """Rule 11 for one account: its figures, the baseline share of a matching client and the median effort of
    the matching accounts (the portfolio's), and why a figure cannot be formed (`equivalent_reason`,
    `revenue_reason`). None without the account's effort and billable hours."""
    if cost is None:
        return None
    return {
        **cost,
        "baseline_share": portfolio.get("baseline_share"),
        "median_match_hours": portfolio.get("median_match_hours"),
        **_reasons(cost.get("equivalent_matching_clients"), cost.get("revenue_forgone")),
    }


def portfolio_cost(cost: Mapping[str, Any]) -> dict[str, Any]:
    """Rule 11 over the portfolio, with the reason in words for each figure that cannot be formed."""
    return {**cost, **_reasons(cost.get("equivalent_matching_clients"), cost.get("revenue_forgone"))}
