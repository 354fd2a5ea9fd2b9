"""The dashboard's account page: one account of the analysis JSON with names, the mirror chart, the role
breakdown and (for researchers) the responses behind it, and method v2's figures as `display` shows them
(headline marks, cost, drift per dimension, staff advice, grouped signals). Numbers are the JSON's; nothing is
recomputed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.analysis import charts
from surveyapp.dashboard import display, queries
from surveyapp.dashboard.services import Analysis, load_analysis, role_table
from surveyapp.enums import Perspective, Purpose, Quadrant
from surveyapp.questionnaires.placeholders import render_template
from surveyapp.questionnaires.services import load_version
from surveyapp.reporting import labels
from surveyapp.reporting.context import chart_labels, mirror_rows
from surveyapp.reporting.formatting import Formatter
from surveyapp.studies.models import Account, Study

# Where a signal's statement is looked up, per perspective: the survey first, then the interview guide.
STATEMENT_SOURCES = {
    Perspective.CLIENT.value: (Purpose.SURVEY, Purpose.INTERVIEW),
    Perspective.SUPPLIER.value: (Purpose.SURVEY, Purpose.INTERVIEW),
}


def statements(*, session: Session, study: Study, language: str) -> dict[tuple[str, str], str]:
    """(perspective, item key) -> the item's text in `language`, with the study's questionnaires."""
    texts: dict[tuple[str, str], str] = {}
    for perspective, purposes in STATEMENT_SOURCES.items():
        for purpose in reversed(purposes):  # the survey's wording wins where both have the item
            chosen = study.questionnaire_for(Perspective(perspective), purpose)
            if chosen is None:
                continue
            questionnaire = load_version(session=session, version_id=chosen.version_id)
            for item in questionnaire.items:
                texts[(perspective, item.key)] = item.text.get(language)
    return texts


def _named(analysis: Analysis, rows: list[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return [{**row, "name": analysis.dimension_names.get(row["key"], row["key"])} for row in rows]


def account_view(
    *,
    session: Session,
    study: Study,
    account: Account,
    language: str,
    with_responses: bool,
    outside: bool = False,
) -> dict[str, Any] | None:
    """Everything the account page shows; None when the analysis has no entry for the account.
    `with_responses` adds the responses behind the numbers (researchers only); `outside`: the reader is not
    of the research team, and sees what rule 18 allows. Raises AnalysisError."""
    analysis = load_analysis(session=session, study=study, language=language, outside=outside)
    entry = analysis.entries.get(account.id)
    if entry is None:
        return None
    dimensions = _named(analysis, entry["dimensions"]) or []
    understanding = _named(analysis, entry["understanding"])
    mirror = charts.mirror_chart(
        mirror_rows(dimensions),
        labels=chart_labels(),
        threshold=float(analysis.document["thresholds"]["quadrant"]),
    )
    texts = statements(session=session, study=study, language=language)
    values = {"supplier": study.supplier.name, "account": account.name}

    def statement(signal: Mapping[str, Any]) -> str:
        text = texts.get((signal["perspective"], signal["question"]))
        return signal["question"] if text is None else render_template(text, values)

    quadrant = Quadrant(entry["quadrant"])
    signals = [{**signal, "statement": statement(signal)} for signal in entry["signals"]]
    portfolio_cost = analysis.document["portfolio"]["cost_of_mismatch"]
    return {
        "analysis": analysis,
        "document": analysis.document,
        "entry": entry,
        "dimensions": dimensions,
        "understanding": understanding,
        "mirror": charts.svg_data_url(mirror),
        "quadrant_name": labels.label(labels.QUADRANT_NAMES, quadrant),
        "quadrant_meaning": labels.label(labels.QUADRANT_MEANINGS, quadrant),
        "signals": signals,
        "signal_groups": display.signal_groups(
            signals, min_n=analysis.min_n, fmt=Formatter(language, study.time_zone)
        ),
        "nps_answers": display.nps_answers(entry["nps"]),
        "supplier_only": display.supplier_only(dimensions, entry["overall"]),
        "proposal": display.proposal(entry["quadrant"]),
        "advice": display.advice_tally(
            entry.get("staff_advice"), disclosure=analysis.disclosure, outside=analysis.outside
        ),
        "cost": display.account_cost(entry.get("cost"), portfolio_cost),
        "currency": display.CURRENCY,
        "drift_rows": display.drift_rows(entry["drift"], analysis.dimension_names),
        "roles": role_table(
            session=session, study=study, analysis=analysis, account_ids={account.id}, language=language
        ),
        "responses": (
            queries.account_responses(session=session, study=study, account_id=account.id)
            if with_responses
            else None
        ),
    }
