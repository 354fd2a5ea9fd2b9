"""All-or-nothing CSV imports into a study: its accounts (with the period's figures) and its contacts.

Both functions validate the whole file first and write only when it has no error at all; they flush but
never commit. The caller commits when `report.ok`, and rolls back otherwise (or on an exception).
`dry_run=True` gives the same report without writing anything: the preview. A file with more rows below its
header than the cap (`max_rows`, by default the IMPORT_MAX_ROWS setting) is refused before any row is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from surveyapp.studies.imports.accounts import AccountImport
from surveyapp.studies.imports.common import ImportConsistencyError, run_import
from surveyapp.studies.imports.contacts import ContactImport
from surveyapp.studies.imports.report import ImportErrorRow, ImportNotice, ImportReport
from surveyapp.studies.models import Study

__all__ = [
    "ImportConsistencyError",
    "ImportErrorRow",
    "ImportNotice",
    "ImportReport",
    "import_accounts",
    "import_contacts",
]


def import_accounts(
    *,
    session: Session,
    study: Study,
    source: BinaryIO | Path,
    actor: Any = None,
    actor_label: str | None = None,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Import `name,segment,annual_revenue,effort_hours,billable_hours[,external_id]` into the study's scope.

    `source` is a path, or a binary file object that can seek (read from its current position, left open).
    A file with more than `max_rows` rows below its header (default: the IMPORT_MAX_ROWS setting) is refused.
    """
    return run_import(
        AccountImport,
        session=session,
        study=study,
        source=source,
        actor=actor,
        actor_label=actor_label,
        dry_run=dry_run,
        max_rows=max_rows,
    )


def import_contacts(
    *,
    session: Session,
    study: Study,
    source: BinaryIO | Path,
    actor: Any = None,
    actor_label: str | None = None,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Import `account,email,name,role,language,side`: client contacts, supplier staff, their assignments.

    `source` and `max_rows` as for `import_accounts`.
    """
    return run_import(
        ContactImport,
        session=session,
        study=study,
        source=source,
        actor=actor,
        actor_label=actor_label,
        dry_run=dry_run,
        max_rows=max_rows,
    )
