"""What a report template receives: the analysis JSON's numbers as they are, with names, texts and charts.

Pure (no database, no request): `ReportInputs` is gathered by `assemble.py` (or built by a test), and these
functions run under `force_locale(language)` so that every label is in the report's language.

Numbers are never recomputed: every score, gap, n, NPS, statistic and hour total printed in a report is a
value of the analysis document, formatted by `Formatter`. The only arithmetic on inputs is the per-account
"hours beyond billable" line that explains the cost of mismatch (its total is the document's).

Optional sections: data that later capabilities bring (interviews, themes and quotes, decisions and actions)
arrives in `ReportInputs.sections`, per account name (and under None for the portfolio). The keys are
`OPTIONAL_SECTIONS`; a key that is absent leaves its section out of the report:
- `themes`: [{"name": str, "mentions": int}]
- `quotes`: [{"text": str, "attribution": str | None, "perspective": "client" | "supplier"}] (permitted only)
- `decision`: {"decision": "continue" | "realign" | "exit", "rationale": str, "decided_at": date | None}
- `actions`: [{"title": str, "owner": str, "due": date | None, "status": str}]
- `deal_check`: {"prospect": str, "advice": str, "advice_label": str, "score": float, "checked_at": str,
  "knocked_out": bool, "quadrant": str | None} (what the deal fit check before the offer predicted)
A decision may carry `follow_up`: one sentence on what became of the previous wave's decision for the account.
- `previous_decision`: {"decision": "continue" | "realign" | "exit", "follow_up": str} — the previous wave's
  decision for the account and what became of it (rule 12: on the account report's first page).
For the portfolio (under None): `themes`, and `deal_checks` = {"n": int, "quadrants": [{"key", "label"}],
"advice": [{"advice", "label", "counts": {quadrant: n}, "total": int}]}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from surveyapp.analysis import charts
from surveyapp.enums import Quadrant, SignalGroup
from surveyapp.i18n import _
from surveyapp.questionnaires.placeholders import render_template
from surveyapp.reporting import labels
from surveyapp.reporting.formatting import Formatter

OPTIONAL_SECTIONS = ("themes", "quotes", "decision", "actions", "deal_check", "previous_decision")
LARGEST_GAPS = 3
SUMMARY_SIGNALS = 3


class AccountMissing(KeyError):
    """The report's account has no entry in the study's analysis document."""


@dataclass(frozen=True, slots=True)
class DimensionText:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class QuestionnaireRef:
    slug: str
    title: str
    version: str


@dataclass(frozen=True, slots=True)
class Hours:
    effort: float | None
    billable: float | None


@dataclass(frozen=True, slots=True)
class StudyFacts:
    """The report's subject: who it is for and which study and versions it rests on."""

    supplier: str
    study_name: str
    study_slug: str
    generated_at: datetime
    time_zone: str = "Europe/Amsterdam"
    previous_study: str | None = None
    logo: str | None = None  # a data: URL
    brand_colour: str | None = None  # "#rrggbb", checked by the supplier settings
    questionnaires: tuple[QuestionnaireRef, ...] = ()
    currency: str = "EUR"  # of the accounts' annual revenue, and so of revenue forgone (rule 11)


@dataclass(frozen=True, slots=True)
class ReportInputs:
    document: Mapping[str, Any]
    language: str
    facts: StudyFacts
    dimensions: Mapping[str, DimensionText]
    # (perspective, item key) -> the item's text in the report's language, with its {supplier}/{account}.
    item_texts: Mapping[tuple[str, str], str] = field(default_factory=dict)
    commentary: Mapping[str | None, str] = field(default_factory=dict)
    hours: Mapping[str, Hours] = field(default_factory=dict)
    sections: Mapping[str | None, Mapping[str, Any]] = field(default_factory=dict)

    def account(self, name: str) -> Mapping[str, Any]:
        """The account's entry of the analysis document; AccountMissing when the study has no such account."""
        for entry in self.document["accounts"]:
            if entry["account"] == name:
                return entry
        raise AccountMissing(name)


def chart_labels() -> charts.PerspectiveLabels:
    return charts.PerspectiveLabels(
        client=_("Client's view"),
        supplier=_("Supplier's view"),
        indicative=_("hollow: indicative"),
        score_axis=_("Score (0–100, higher is a better fit)"),
        threshold=_("Gap in points (client − supplier); dashed: the gap threshold"),
    )


def dimension_name(inputs: ReportInputs, key: str) -> str:
    text = inputs.dimensions.get(key)
    return text.name if text is not None else key


def _dimension_rows(inputs: ReportInputs, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "name": dimension_name(inputs, row["key"])} for row in rows]


def statement(inputs: ReportInputs, perspective: str, item_key: str, account: str) -> str:
    """The statement of a questionnaire item in the report's language, placeholders filled in; the key itself
    when the study's questionnaires do not have it."""
    text = inputs.item_texts.get((perspective, item_key))
    if text is None:
        return item_key
    return render_template(text, {"supplier": inputs.facts.supplier, "account": account})


def _signals(inputs: ReportInputs, signals: list[Mapping[str, Any]], account: str) -> list[dict[str, Any]]:
    return [
        {
            **signal,
            "text": statement(inputs, signal["perspective"], signal["question"], account),
            "perspective_name": labels.label(labels.PERSPECTIVE_NAMES, signal["perspective"]),
            # The JSON's share back in respondents (exact: a share of n whole answers), for small n.
            "agreed_count": None
            if signal.get("agreed") is None
            else labels.agreed_count(signal["agreed"], signal["n"]),
        }
        for signal in signals
    ]


def signal_groups(signals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The signals grouped as the article names them, in `labels.SIGNAL_GROUP_NAMES` order, worst first in
    each group (the document's order): [{"key", "name", "signals"}], only groups with a signal."""
    groups = []
    for group in labels.SIGNAL_GROUP_NAMES:
        rows = [signal for signal in signals if signal.get("group", SignalGroup.OTHER.value) == group.value]
        if rows:
            groups.append(
                {"key": group.value, "name": labels.label(labels.SIGNAL_GROUP_NAMES, group), "signals": rows}
            )
    return groups


def advice_tally(advice: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Rule 20's tally with each option's name, or None without an advice question; `withheld` (rule 18)
    keeps only n."""
    if advice is None:
        return None
    if advice.get("withheld"):
        return {"n": advice["n"], "withheld": True, "options": []}
    options = [
        {"key": key, "name": labels.label_or_key(labels.ADVICE_OPTION_NAMES, key), "count": count}
        for key, count in advice["counts"].items()
    ]
    top = max((option["count"] for option in options), default=0)
    return {
        "n": advice["n"],
        "withheld": False,
        "options": options,
        "most": [option["name"] for option in options if top and option["count"] == top],
    }


def drift_rows(inputs: ReportInputs, drift: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Rule 12's drift per dimension with the dimensions' names."""
    if drift is None:
        return []
    return [{**row, "name": dimension_name(inputs, row["key"])} for row in drift.get("dimensions") or []]


def largest_gaps(dimensions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flagged dimension gaps, largest first (ties in scoring.yaml order), at most three."""
    flagged = [row for row in dimensions if row["flagged"] and row["gap"] is not None]
    return sorted(flagged, key=lambda row: -abs(row["gap"]))[:LARGEST_GAPS]


def _mean(cell: Mapping[str, Any] | None) -> float | None:
    return None if cell is None else cell["mean"]


def _indicative(cell: Mapping[str, Any] | None) -> bool:
    return bool(cell and cell["indicative"])


def mirror_rows(dimensions: list[dict[str, Any]], *, other: str = "supplier") -> list[charts.MirrorRow]:
    """Chart rows of the client's view beside `other` (the supplier's view, or the staff's prediction)."""
    return [
        charts.MirrorRow(
            label=row["name"],
            client=_mean(row["client"]),
            supplier=_mean(row[other]),
            client_indicative=_indicative(row["client"]),
            supplier_indicative=_indicative(row[other]),
            flagged=row["flagged"],
        )
        for row in dimensions
    ]


def account_view(inputs: ReportInputs, entry: Mapping[str, Any]) -> dict[str, Any]:
    """One account of the document, with names and texts added (used by both report kinds)."""
    quadrant = Quadrant(entry["quadrant"])
    dimensions = _dimension_rows(inputs, entry["dimensions"])
    understanding = entry["understanding"]
    signals = _signals(inputs, entry["signals"], entry["account"])
    view: dict[str, Any] = {
        **entry,
        "name": entry["account"],
        "quadrant_name": labels.label(labels.QUADRANT_NAMES, quadrant),
        "quadrant_meaning": labels.label(labels.QUADRANT_MEANINGS, quadrant),
        "advice": {
            "headline": labels.label(labels.ADVICE_HEADLINES, quadrant),
            "text": labels.label(labels.ADVICE_TEXTS, quadrant),
        },
        "dimensions": dimensions,
        "understanding": None if understanding is None else _dimension_rows(inputs, understanding),
        "signals": signals,
        "largest_gaps": largest_gaps(dimensions),
        "signal_groups": signal_groups(signals),
        "nps_answers": labels.nps_answers(entry["nps"]) if entry["nps"]["n"] else None,
        "advice_tally": advice_tally(entry.get("staff_advice")),
        "drift_rows": drift_rows(inputs, entry.get("drift")),
        "supplier_only": [
            row for row in dimensions if row["key"] in (entry["overall"].get("supplier_only") or [])
        ],
        "commentary": (inputs.commentary.get(entry["account"]) or "").strip() or None,
    }
    extra = inputs.sections.get(entry["account"], {})
    for key in OPTIONAL_SECTIONS:
        if extra.get(key):
            view[key] = extra[key]
    for key in ("decision", "previous_decision"):
        if key in view:
            view[key] = {**view[key], "name": labels.label(labels.DECISION_NAMES, view[key]["decision"])}
    return view


def common_context(inputs: ReportInputs, kind: str) -> dict[str, Any]:
    document = inputs.document
    return {
        "kind": kind,
        "lang": inputs.language,
        "fmt": Formatter(inputs.language, inputs.facts.time_zone),
        "facts": inputs.facts,
        "thresholds": document["thresholds"],
        "cost_basis": document["portfolio"]["cost_of_mismatch"] if "portfolio" in document else None,
        "currency": inputs.facts.currency,
        "scoring_version": document["scoring_version"],
        "provisional": document["provisional"],
        "quadrant_names": {q.value: labels.label(labels.QUADRANT_NAMES, q) for q in Quadrant},
        "perspective_names": {k: str(v) for k, v in labels.PERSPECTIVE_NAMES.items()},
    }


def understanding_chart(rows: list[dict[str, Any]]) -> str:
    """The client's score beside the staff's prediction of it (the prediction is the supplier side's)."""
    chart_text = replace(chart_labels(), supplier=_("Supplier's prediction of the client's view"))
    return charts.mirror_chart(mirror_rows(rows, other="predicted"), labels=chart_text)


def account_context(inputs: ReportInputs, account_name: str) -> dict[str, Any]:
    """The context of `reports/account/report.html` for one account."""
    account = account_view(inputs, inputs.account(account_name))
    mirror = charts.mirror_chart(
        mirror_rows(account["dimensions"]),
        labels=chart_labels(),
        threshold=inputs.document["thresholds"]["quadrant"],
    )
    understanding = account["understanding"]
    return {
        **common_context(inputs, "account"),
        "account": account,
        "charts": {
            "mirror": charts.svg_data_url(mirror),
            "understanding": charts.svg_data_url(understanding_chart(understanding))
            if understanding
            else None,
        },
    }
