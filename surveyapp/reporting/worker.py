"""The renderer child: `python -m surveyapp.reporting.worker`, started by surveyapp/jobs/render.py.

Reads one JSON request from stdin ({"report_id", "config", "limits"}), limits its own address space and CPU
time *before* importing anything heavy, builds the app from the given settings, renders the report and
stores the PDF. It writes one JSON line to stdout: {"ok": true} or {"ok": false, "code": ..., "detail": ...};
the parent records failures (a child out of memory cannot be trusted to reach the database).
"""

from __future__ import annotations

import errno
import gc
import json
import resource
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

MB = 1024 * 1024


def apply_limits(limits: dict[str, Any]) -> None:
    """RLIMIT_AS caps the address space (memory); RLIMIT_CPU is a second guard behind the parent's clock."""
    memory = int(limits["memory_mb"]) * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = max(1, int(float(limits["seconds"])) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return True
    text = str(exc).lower()
    return "cannot allocate memory" in text or "failed to map segment" in text or "out of memory" in text


def peak_rss_kb() -> int | None:
    """This process's own peak resident memory (VmHWM, Linux): unlike the rusage of a child, it does not
    include the memory of the parent that started it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def start(config: dict[str, Any]) -> Flask:
    """The renderer's start-up: the app from `config` and the modules a report needs (the analysis, the
    charts, WeasyPrint), imported before the report is made.

    Then the objects made so far are frozen (`gc.freeze()`): they live as long as this short-lived process,
    and without it the cyclic garbage collector walks all of them (a quarter of a million: the app,
    SQLAlchemy, SciPy, WeasyPrint) again in the collections that rendering triggers, a good part of a
    report's fixed cost (bench/README.md, "PDF reports").
    """
    from surveyapp.app import create_app

    app = create_app(config)
    import surveyapp.reporting.pipeline  # noqa: F401  (imported now, so that its modules are frozen too)

    gc.freeze()
    return app


def _render(request: dict[str, Any]) -> dict[str, Any]:
    app = start(request["config"])
    with app.app_context():
        if request.get("job") == "deal_check_pdf":  # a deal fit check's PDF (deals/pdf.py)
            from surveyapp.deals.pdf_render import render_stored_pdf

            return render_stored_pdf(pdf_id=int(request["report_id"]))
        from surveyapp.reporting.pipeline import render_stored_report

        return render_stored_report(report_id=int(request["report_id"]))


def main() -> int:
    request = json.loads(sys.stdin.read())
    apply_limits(request["limits"])
    try:
        outcome = _render(request)
    except BaseException as exc:
        code = "memory_limit" if _is_out_of_memory(exc) else "error"
        outcome = {"ok": False, "code": code, "detail": f"{type(exc).__name__}: {exc}"[:2000]}
    outcome["peak_rss_kb"] = peak_rss_kb()
    sys.stdout.write(json.dumps(outcome) + "\n")
    sys.stdout.flush()
    return 0 if outcome["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
