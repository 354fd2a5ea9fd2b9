"""Report settings, read from the app's configuration (`SURVEYAPP_REPORT_*` environment variables).

- `REPORT_TIME_LIMIT` (seconds, default 300): the renderer child is stopped after this long.
- `REPORT_MEMORY_LIMIT_MB` (default 2048): the child's address-space limit (RLIMIT_AS).
- `REPORT_ATTACH_MAX_BYTES` (default 2 MiB, the outbox's attachment limit): larger reports are sent as a
  login link instead of an attachment.
- `REPORT_JOBS_MODE`: `background` (default; a thread in this process waits for the child) or `inline` (the
  caller waits: command-line tools and tests). Either way the rendering happens in a child process.
- `REPORT_SECTION_PROVIDERS`: "module:function" names of optional-section providers (see assemble.py),
  comma-separated; default: the built-in ones (themes and quotes, decisions and actions, deal fit checks).
- `REPORT_CONCURRENCY` (default 2): renderer children one web process runs at once in background mode; more
  requests wait, queued, for a free slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MODES = ("background", "inline")
# The optional sections the product ships: themes and quotes, decisions and actions, deal fit checks.
BUILT_IN_PROVIDERS = (
    "surveyapp.coding.report_sections:sections",
    "surveyapp.act.report_sections:sections",
    "surveyapp.deals.report_sections:sections",
)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    time_limit: float = 300.0
    memory_mb: int = 2048
    attach_max_bytes: int = 2 * 1024 * 1024
    mode: str = "background"
    section_providers: tuple[str, ...] = BUILT_IN_PROVIDERS
    concurrency: int = 2


def report_settings(config: Mapping[str, Any]) -> ReportSettings:
    defaults = ReportSettings()
    mode = str(config.get("REPORT_JOBS_MODE") or defaults.mode).lower()
    if mode not in MODES:
        raise ValueError(f"SURVEYAPP_REPORT_JOBS_MODE must be background or inline, not {mode!r}")
    providers = config.get("REPORT_SECTION_PROVIDERS")
    if providers is None:
        providers = defaults.section_providers
    if isinstance(providers, str):
        providers = [name for name in providers.split(",") if name.strip()]
    return ReportSettings(
        time_limit=float(config.get("REPORT_TIME_LIMIT") or defaults.time_limit),
        memory_mb=int(config.get("REPORT_MEMORY_LIMIT_MB") or defaults.memory_mb),
        attach_max_bytes=int(config.get("REPORT_ATTACH_MAX_BYTES") or defaults.attach_max_bytes),
        mode=mode,
        section_providers=tuple(name.strip() for name in providers),
        concurrency=max(1, int(config.get("REPORT_CONCURRENCY") or defaults.concurrency)),
    )
