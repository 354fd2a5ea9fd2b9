"""The deal fit check's optional report sections (a REPORT_SECTION_PROVIDERS entry, see reporting/assemble.py).

`sections(session=..., study=..., language=...)` returns

    {account name: {"deal_check": {...}}, None: {"deal_checks": {...}}}

- per account of the study's scope whose linked prospect has a check: what the latest check *before the study*
  predicted (`advice`, `advice_label`, `score` rounded to one decimal, `checked_at` as a date in words,
  `knocked_out`, `prospect`), next to the `quadrant` the study measured (None when the study measured none);
- for the portfolio: `deal_checks` = {"n": pairs, "advice": [{"advice", "label", "counts": {quadrant: n},
  "total"}], "quadrants": [{"key", "label"}]}, the advice of those checks against the quadrants measured,
  over accounts with a measured quadrant (not incomplete). Empty dict entries are left out: no linked prospect,
  no section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.analysis.rounding import round_score
from surveyapp.analysis.service import analysis_document
from surveyapp.deals.forms import SHORT_ADVICE
from surveyapp.deals.models import Prospect
from surveyapp.deals.queries import MEASURED, Comparison, deciding_check, study_comparison
from surveyapp.reporting.formatting import Formatter
from surveyapp.reporting.labels import QUADRANT_NAMES
from surveyapp.studies.models import Account, Study, StudyAccount


def sections(
    *, session: Session, study: Study, language: str, document: Mapping[str, Any] | None = None
) -> dict[str | None, dict[str, Any]]:
    rows = session.execute(
        select(Account.name, Prospect)
        .join(StudyAccount, StudyAccount.account_id == Account.id)
        .join(Prospect, Prospect.account_id == Account.id)
        .where(StudyAccount.study_id == study.id)
    ).all()
    if not rows:
        return {}
    if document is None:
        document = analysis_document(session=session, study=study)
    quadrants = {account["account"]: account["quadrant"] for account in document["accounts"]}
    fmt = Formatter(language, study.time_zone)
    result: dict[str | None, dict[str, Any]] = {}
    with force_locale(language):
        for name, prospect in rows:
            check = deciding_check(prospect, before=study.created_at)
            if check is None:
                continue
            result[name] = {
                "deal_check": {
                    "prospect": prospect.name,
                    "advice": check.advice.value,
                    "advice_label": str(SHORT_ADVICE[check.advice.value]),
                    "score": round_score(check.score),
                    "checked_at": fmt.date(check.completed_at),
                    "knocked_out": bool(check.knockouts),
                    "quadrant": quadrants.get(name),
                }
            }
        comparison = study_comparison(session=session, study=study, document=document)
        if comparison.n:
            result[None] = {"deal_checks": _table(comparison)}
    return result


def _table(comparison: Comparison) -> dict[str, Any]:
    return {
        "n": comparison.n,
        "quadrants": [{"key": q.value, "label": str(QUADRANT_NAMES[q])} for q in MEASURED],
        "advice": [
            {
                "advice": advice,
                "label": str(SHORT_ADVICE[advice]),
                "counts": counts,
                "total": comparison.row_total(advice),
            }
            for advice, counts in comparison.counts.items()
        ],
    }
