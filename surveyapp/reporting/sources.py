"""What a report was made from, as digests per part, and which parts have changed since (issue 23).

A report stores `source_state` when it is rendered: a SHA-256 of each part of its inputs — the analysis
document with the hours behind the cost of mismatch (`analysis`), the researcher's commentary (`commentary`)
and each optional section it shows (`decision`, `actions`, the coding's themes and quotes, ...), for its own
account (or the portfolio) and in its own language. `outdated_parts` makes the same digests from the data as it
is now: a report whose parts differ is outdated — the list says so and why, approval asks to render it again,
and it is not sent. A report made before this record existed has no state and counts as outdated.

The digests are of canonical JSON (sorted keys; dates, decimals and enums as text), so equal data gives equal
digests in any process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from surveyapp.analysis.disclosure import shared_outside_view
from surveyapp.analysis.service import disclosure_of, shared_analysis_document
from surveyapp.i18n import _l
from surveyapp.reporting.assemble import commentary_of, hours_of, optional_sections
from surveyapp.reporting.context import ReportInputs
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.studies.models import Study

ANALYSIS, COMMENTARY = "analysis", "commentary"
#: The part a report without a recorded state misses.
UNKNOWN = "unknown"


_LABELS = {
    ANALYSIS: _l("the answers and the analysis"),
    COMMENTARY: _l("the commentary"),
    "section:decision": _l("the decision"),
    "section:actions": _l("the actions"),
    "section:themes": _l("the coding of open answers"),
    "section:quotes": _l("the quotes"),
    UNKNOWN: _l("not recorded: made by an earlier version"),
}


def part_label(part: str) -> Any:
    """How a part is named to the researcher (a section without a label by its name)."""
    return _LABELS.get(part, part.removeprefix("section:"))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return str(value)


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of a value."""
    text = json.dumps(value, sort_keys=True, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_state(
    *,
    document: Mapping[str, Any],
    hours: Mapping[str, Any],
    commentary: Mapping[str | None, str],
    sections: Mapping[str | None, Mapping[str, Any]],
    account: str | None,
) -> dict[str, str]:
    """The digests of what a report about `account` (None: the portfolio) is made from."""
    state = {
        ANALYSIS: digest({"document": document, "hours": hours}),
        COMMENTARY: digest({"account": commentary.get(account), "portfolio": commentary.get(None)}),
    }
    for name, value in sections.get(account, {}).items():
        state[f"section:{name}"] = digest(value)
    return state


def state_of_inputs(inputs: ReportInputs, account: str | None) -> dict[str, str]:
    """The state of a report rendered from `inputs` (what the renderer stores on the report)."""
    return source_state(
        document=inputs.document,
        hours=inputs.hours,
        commentary=inputs.commentary,
        sections=inputs.sections,
        account=account,
    )


def changed_parts(stored: Mapping[str, str] | None, current: Mapping[str, str]) -> list[str]:
    """The parts whose digest differs (a section that appeared or went away included), sorted."""
    if not stored:
        return [UNKNOWN]
    return sorted(part for part in set(stored) | set(current) if stored.get(part) != current.get(part))


def current_states(
    *,
    session: Session,
    study: Study,
    reports: Iterable[Report],
    providers: Iterable[Callable[..., Any]],
) -> dict[int, dict[str, str]]:
    """For each of the study's reports: the state a report like it would be made from now."""
    reports = list(reports)
    if not reports:
        return {}
    document = shared_outside_view(
        shared_analysis_document(session=session, study=study), disclosure_of(session=session, study=study)
    )
    hours, commentary = hours_of(session, study), commentary_of(session, study)
    providers = list(providers)
    sections_by_language: dict[str, Mapping[str | None, Mapping[str, Any]]] = {}
    found = {}
    for report in reports:
        language = report.language.value
        if language not in sections_by_language:
            sections_by_language[language] = optional_sections(
                session=session, study=study, language=language, document=document, providers=providers
            )
        account = report.account.name if report.kind is ReportKind.ACCOUNT and report.account else None
        found[report.id] = source_state(
            document=document,
            hours=hours,
            commentary=commentary,
            sections=sections_by_language[language],
            account=account,
        )
    return found


def outdated_parts(
    *,
    session: Session,
    study: Study,
    reports: Iterable[Report],
    providers: Iterable[Callable[..., Any]],
) -> dict[int, list[str]]:
    """For each ready report of the study: the parts that changed since it was made ([] when none)."""
    ready = [report for report in reports if report.status is ReportStatus.READY]
    current = current_states(session=session, study=study, reports=ready, providers=providers)
    return {report.id: changed_parts(report.source_state, current[report.id]) for report in ready}
