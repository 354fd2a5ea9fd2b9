"""What an import did or would do (the preview): counts, change lines, skipped rows, errors with rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from surveyapp.i18n import ngettext

# Each list keeps at most this many lines plus one "and N more" line: a report is shown in full in a browser,
# and a file with a systematic mistake would otherwise produce one line per row.
MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class ImportErrorRow:
    """One problem. `row` is the row as a spreadsheet shows it (header = 1), None for the file as a whole.

    `message` is a (lazily) translated sentence that does not repeat the row number: the screen and the
    command line put the row in front of it.
    """

    row: int | None
    message: Any


@dataclass(frozen=True, slots=True)
class ImportNotice:
    """A row that is valid but deliberately left alone, e.g. a contact who opted out."""

    row: int | None
    message: Any


@dataclass
class ImportReport:
    """The outcome of an import, identical for a dry run (the preview) and the real thing.

    Counts are per account (accounts import: `created` = put in the study's scope) or per contact (contacts
    import: a staff member on several rows counts once); `assignments_created` counts staff assignments.
    """

    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    assignments_created: int = 0
    errors: list[ImportErrorRow] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)
    notices: list[ImportNotice] = field(default_factory=list)
    error_count: int = 0
    change_count: int = 0
    notice_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def changed(self) -> bool:
        """Whether importing writes anything (an unchanged re-import writes nothing, not even audit)."""
        return bool(self.created or self.updated or self.assignments_created)

    def counts(self) -> dict[str, int]:
        """The numbers, as the audit event records them (no names or emails: those are personal data)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "assignments_created": self.assignments_created,
        }

    def add_error(self, row: int | None, message: Any) -> None:
        self.error_count += 1
        if self.error_count <= MAX_LISTED:
            self.errors.append(ImportErrorRow(row, message))

    def add_change(self, message: Any) -> None:
        self.change_count += 1
        if self.change_count <= MAX_LISTED:
            self.changes.append(message)

    def add_notice(self, row: int | None, message: Any) -> None:
        self.notice_count += 1
        if self.notice_count <= MAX_LISTED:
            self.notices.append(ImportNotice(row, message))

    def finish(self) -> ImportReport:
        """Close each capped list with a line saying how many more there were."""
        if (more := self.error_count - MAX_LISTED) > 0:
            self.errors.append(
                ImportErrorRow(
                    None, ngettext("… and %(num)d more error.", "… and %(num)d more errors.", more)
                )
            )
        if (more := self.change_count - MAX_LISTED) > 0:
            self.changes.append(ngettext("… and %(num)d more change.", "… and %(num)d more changes.", more))
        if (more := self.notice_count - MAX_LISTED) > 0:
            self.notices.append(
                ImportNotice(
                    None,
                    ngettext("… and %(num)d more skipped row.", "… and %(num)d more skipped rows.", more),
                )
            )
        return self
