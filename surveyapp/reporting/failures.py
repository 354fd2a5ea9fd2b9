"""Why a report could not be prepared: stable codes stored on the report, explained in the reader's
language."""

from __future__ import annotations

from surveyapp.i18n import _

TIME_LIMIT = "time_limit"
MEMORY_LIMIT = "memory_limit"
CRASHED = "crashed"
STALLED = "stalled"
ACCOUNT_MISSING = "account_missing"
ANALYSIS = "analysis"
ERROR = "error"


def describe(code: str | None, detail: str | None, *, time_limit: float, memory_mb: int) -> str:
    """A clear sentence for the researcher; the technical detail follows where it helps."""
    if code == TIME_LIMIT:
        return _(
            "Preparing the report took longer than the limit of %(seconds)s seconds, so it was stopped. "
            "Try again later; if it keeps happening, ask the administrator to raise "
            "SURVEYAPP_REPORT_TIME_LIMIT.",
            seconds=f"{time_limit:g}",
        )
    if code == MEMORY_LIMIT:
        return _(
            "Preparing the report needed more memory than the limit of %(mb)s MB, so it was stopped. Ask the "
            "administrator to raise SURVEYAPP_REPORT_MEMORY_LIMIT_MB.",
            mb=memory_mb,
        )
    if code == CRASHED:
        return _(
            "The report renderer stopped unexpectedly (%(detail)s). Try again; if it keeps happening, "
            "tell the administrator.",
            detail=detail or "?",
        )
    if code == STALLED:
        return _(
            "The report renderer stopped without a result (the server may have restarted). Request the "
            "report again."
        )
    if code == ACCOUNT_MISSING:
        return _("This account is not in the study's analysis any more. Check the accounts in scope.")
    if code == ANALYSIS:
        return _("The analysis of this study cannot be computed: %(detail)s", detail=detail or "?")
    return _("The report could not be prepared: %(detail)s", detail=detail or "?")
