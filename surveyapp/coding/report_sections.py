"""The report's optional sections from coding (see the docstring of `surveyapp.reporting.context`).

Configured as `REPORT_SECTION_PROVIDERS="surveyapp.coding.report_sections:sections"`. Per account name: the
themes mentioned for it (tagged answers and quotes of both perspectives) and the chosen quotes the consent allows
now; under None, the portfolio's themes. A study without themes or quotes gives no sections at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.coding.queries import selected_quotes, theme_counts
from surveyapp.studies.models import Study


def sections(
    *, session: Session, study: Study, language: str, document: Mapping[str, Any] | None = None
) -> dict[str | None, dict[str, Any]]:
    """{account name: {"themes": [...], "quotes": [...]}, None: {"themes": [...]}} for the report."""
    counts = theme_counts(session=session, study=study, document=document)
    found: dict[str | None, dict[str, Any]] = {}
    for account, mentions in counts.by_account.items():
        themes = [
            {"name": row.theme.name, "mentions": mentions[row.theme.id]}
            for row in counts.rows
            if mentions[row.theme.id] > 0
        ]
        if themes:
            found.setdefault(account, {})["themes"] = themes
    for quote in selected_quotes(session=session, study=study):
        found.setdefault(quote.account, {}).setdefault("quotes", []).append(
            {"text": quote.text, "attribution": quote.attribution, "perspective": quote.perspective}
        )
    portfolio = [{"name": row.theme.name, "mentions": row.total} for row in counts.rows if row.total > 0]
    if portfolio:
        found[None] = {"themes": portfolio}
    return found
