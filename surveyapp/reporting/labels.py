"""The words reports and report pages use for the analysis' codes, translated lazily (in the report's
language when rendered under `force_locale`, in the user's language on a web page)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from surveyapp.enums import Quadrant, SignalGroup
from surveyapp.i18n import _l, gettext, ngettext

QUADRANT_NAMES = {
    Quadrant.MATCH: _l("Match"),
    Quadrant.CUSTOMER_SWAYED: _l("Customer swayed"),
    Quadrant.BLIND_SPOT: _l("Blind spot"),
    Quadrant.MISFIT: _l("Misfit"),
    Quadrant.INCOMPLETE: _l("Incomplete"),
}

QUADRANT_MEANINGS = {
    Quadrant.MATCH: _l("Both the client and the supplier see a good fit."),
    Quadrant.CUSTOMER_SWAYED: _l("The client is content; the supplier pays for it."),
    Quadrant.BLIND_SPOT: _l("The supplier thinks all is well; the client does not."),
    Quadrant.MISFIT: _l("Neither the client nor the supplier sees a good fit."),
    Quadrant.INCOMPLETE: _l("Only one side has answered, so no quadrant can be drawn."),
}

# The advice that follows from the quadrant when the act phase has not recorded a decision (method.md §7).
ADVICE_HEADLINES = {
    Quadrant.MATCH: _l("Continue and strengthen"),
    Quadrant.CUSTOMER_SWAYED: _l("Realign: the client is content, but the supplier pays for it"),
    Quadrant.BLIND_SPOT: _l("Realign: the supplier thinks all is well, the client does not"),
    Quadrant.MISFIT: _l("Consider an exit, to be confirmed"),
    Quadrant.INCOMPLETE: _l("Collect the missing perspective"),
}

ADVICE_TEXTS = {
    Quadrant.MATCH: _l(
        "Both sides see a good fit. Keep investing in the relationship, and keep an eye on the gaps and "
        "warning signals in this report all the same."
    ),
    Quadrant.CUSTOMER_SWAYED: _l(
        "Look at which of the supplier's dimensions are low (effort, risk, team energy) and renegotiate: "
        "scope "
        "and a change procedure, a price for the extra work, a return to the standard way of working."
    ),
    Quadrant.BLIND_SPOT: _l(
        "The client may leave without warning. Use the flagged gaps to find what the client misses, and talk "
        "to the client soon."
    ),
    Quadrant.MISFIT: _l(
        "The quadrant alone does not decide an exit: confirm it with the warning signals, the number of "
        "respondents and, ideally, an interview. If you exit, do it responsibly, with a transition period."
    ),
    Quadrant.INCOMPLETE: _l(
        "Only one side has answered. Ask the other side for its view before drawing conclusions about this "
        "account."
    ),
}

PERSPECTIVE_NAMES = {
    "client": _l("Client"),
    "supplier": _l("Supplier"),
    "supplier_predicts_client": _l("Supplier's prediction"),
}

DECISION_NAMES = {"continue": _l("Continue"), "realign": _l("Realign"), "exit": _l("Exit")}

# The staff's advice (rule 20): the decisions, and the "don't know" the shipped question offers.
ADVICE_OPTION_NAMES = {**DECISION_NAMES, "unsure": _l("Don't know")}

# The article's names for the warning signals (scoring.yaml `signal_group`), in the order reports show them.
SIGNAL_GROUP_NAMES = {
    SignalGroup.SMALL_ERRORS: _l("Runs of small errors"),
    SignalGroup.WORKAROUNDS: _l("Workarounds and work outside the agreement"),
    SignalGroup.FEAR_AND_RELUCTANCE: _l("Fear and reluctance"),
    SignalGroup.COST_TO_SERVE: _l("Cost to serve"),
    SignalGroup.OTHER: _l("Other signals"),
}

# The risk order of "accounts ranked by risk" (portfolio report), most at risk first.
RISK_ORDER = (
    Quadrant.MISFIT,
    Quadrant.BLIND_SPOT,
    Quadrant.CUSTOMER_SWAYED,
    Quadrant.INCOMPLETE,
    Quadrant.MATCH,
)


def label(mapping: dict[Any, Any], key: Any) -> str:
    """The translated text for a code, evaluated now (in the active locale)."""
    return str(mapping[key])


def nps_answers(nps: Mapping[str, Any]) -> str:
    """Rule 17: what a small NPS rests on, in words ("1 promoter of 1", "1 passive, 1 detractor of 2")."""
    parts = []
    if nps["promoters"]:
        parts.append(ngettext("%(num)d promoter", "%(num)d promoters", nps["promoters"]))
    if nps["passives"]:
        parts.append(ngettext("%(num)d passive", "%(num)d passives", nps["passives"]))
    if nps["detractors"]:
        parts.append(ngettext("%(num)d detractor", "%(num)d detractors", nps["detractors"]))
    return gettext("%(answers)s of %(n)d", answers=", ".join(parts), n=nps["n"])


def agreed_count(agreed: float, n: int) -> int:
    """The respondents behind a signal's `agreed` share (0-100, one decimal) of n: a whole number, half-up (the
    share of n whole answers rounded to one decimal is within 0.5 of it for any n below 1,000)."""
    return int((Decimal(repr(float(agreed))) * n / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def label_or_key(mapping: dict[Any, Any], key: Any) -> str:
    """`label`, or the code itself when the mapping has no text for it (an option of another questionnaire)."""
    return str(mapping[key]) if key in mapping else str(key)
