"""Benchmark: PDF reports against bare WeasyPrint; the web process's memory around a 200-account portfolio.

Set-up: a fresh SQLite database (schema from the models) with the demo data set (`surveyapp demo`, plus the
researcher's commentary on the benchmark's account) and a study of `--accounts` (default 200) accounts whose
answers follow the synthetic profiles of tests/reporting/synthetic.py (imported responses).

1. The demo's account report (Noordzee Havenbedrijf, wave brightline-2025) vs bare WeasyPrint on the same
   final HTML (its stylesheets inlined), medians over `--repeat` runs, the order alternating:
   - in process (the work per report, start-up done): ours = the renderer child's start-up
     (`surveyapp.reporting.worker.start`: the app, the modules, `gc.freeze()`), then, measured, read the
     study and its analysis from the database, build the context and the SVG charts, render the templates,
     WeasyPrint with the locked-down fetcher; bare = `import weasyprint`, `gc.freeze()`, then, measured,
     `weasyprint.HTML(string=html).write_pdf()`. Memory: the peak RSS while the report is made (sampled
     every millisecond) minus the RSS just before, so that imports do not count.
   - end to end (what a request costs): ours = `run_render`, the renderer child with its limits, from
     process start to stored PDF; bare = a fresh `python` that imports WeasyPrint and writes the same HTML.
     Memory: each process's own peak RSS (VmHWM).
2. The portfolio report of `--accounts` accounts through `run_render` (the renderer child): the RSS of this
   process (standing in for the web process) before and after, and the child's time and peak memory.

Not a test; not run in CI.

    .venv/bin/python bench/bench_report.py [--repeat 5] [--accounts 200]
    .venv/bin/python bench/bench_report.py --samples docs/   # the demo's report pages as PNG (needs pdftoppm)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveyapp.app import create_app  # noqa: E402
from surveyapp.enums import Language, Perspective, Phase, Purpose, Side  # noqa: E402
from surveyapp.extensions import db  # noqa: E402
from surveyapp.jobs.render import run_render  # noqa: E402
from surveyapp.questionnaires.runtime import catalogue  # noqa: E402
from surveyapp.questionnaires.services import load_version  # noqa: E402
from surveyapp.reporting.models import Report, ReportKind  # noqa: E402
from surveyapp.reporting.services import request_report  # noqa: E402
from surveyapp.studies import scope  # noqa: E402
from surveyapp.studies.models import Account  # noqa: E402
from surveyapp.studies.services import create_study, create_supplier, default_questionnaires  # noqa: E402
from tests.reporting.studies import _answers, add_response  # noqa: E402
from tests.reporting.synthetic import PROFILES  # noqa: E402

ACCOUNT = "Noordzee Havenbedrijf"


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _level(value: float | None, fallback: float) -> int:
    return max(1, min(5, round(1 + (value if value is not None else fallback) / 25)))


def make_study(slug: str, accounts: int, language: Language) -> int:
    """A study in the analyse phase with `accounts` accounts answered after the synthetic profiles."""
    supplier = create_supplier(session=db.session, name=f"Brightline {slug}", report_language=language)
    study = create_study(
        session=db.session,
        supplier=supplier,
        slug=slug,
        name="Client fit 2025",
        questionnaires=default_questionnaires(catalogue()),
    )
    versions = {
        p: load_version(session=db.session, version_id=study.questionnaire_for(p, Purpose.SURVEY).version_id)
        for p in (Perspective.CLIENT, Perspective.SUPPLIER)
    }
    staff = [
        scope.add_contact(
            session=db.session, study=study, side=Side.SUPPLIER, email=f"staff{n}@{slug}.example", actor=None
        )
        for n in range(3)
    ]
    when = datetime(2026, 10, 1, tzinfo=UTC)
    for index in range(accounts):
        name, client, supplier_level, _own, clients, staffing, effort, billable, _previous = PROFILES[
            index % 8
        ]
        if accounts > len(PROFILES):
            name = f"{name} {index // len(PROFILES) + 1:03d}"
        account_id = scope.add_account(
            session=db.session,
            study=study,
            name=name,
            effort_hours=Decimal(effort),
            billable_hours=Decimal(billable),
            actor=None,
        ).account_id
        for number in range(max(clients, 1)):
            contact = scope.add_contact(
                session=db.session,
                study=study,
                side=Side.CLIENT,
                account_id=account_id,
                email=f"c{index}.{number}@{slug}.example",
                actor=None,
            )
            when += timedelta(minutes=1)
            level = _level(client, 50) if number % 2 == 0 else max(1, _level(client, 50) - 1)
            add_response(
                db.session,
                study,
                contact,
                account_id,
                Perspective.CLIENT,
                _answers(versions[Perspective.CLIENT], level, min(10, level * 2)),
                when,
            )
        for number in range(staffing):
            when += timedelta(minutes=1)
            add_response(
                db.session,
                study,
                staff[number],
                account_id,
                Perspective.SUPPLIER,
                _answers(versions[Perspective.SUPPLIER], _level(supplier_level, 50), 7),
                when,
            )
    study.phase = Phase.ANALYSE
    db.session.commit()
    return study.id


def queue(study_slug: str, kind: ReportKind, account: str | None = None) -> int:
    from surveyapp.studies.models import Study

    study = db.session.query(Study).filter_by(slug=study_slug).one()
    found = (
        db.session.query(Account).filter_by(name=account, supplier_id=study.supplier_id).one()
        if account
        else None
    )
    report_id = request_report(session=db.session, study=study, kind=kind, account=found).id
    db.session.commit()
    return report_id


IN_PROCESS = r"""
import json, os, sys, threading, time
from pathlib import Path
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_KB
class Sampler(threading.Thread):
    # The peak RSS while the report is made, sampled every millisecond (ru_maxrss would include imports).
    def __init__(self):
        super().__init__(daemon=True); self.peak = rss(); self.running = True
    def run(self):
        while self.running:
            self.peak = max(self.peak, rss()); time.sleep(0.001)
mode, arg, out = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "bare":
    import gc, weasyprint
    html = Path(arg).read_text()
    gc.freeze()  # as the renderer's start-up does (worker.start), so that both sides are treated alike
    before, sampler = rss(), Sampler(); sampler.start()
    started, cpu = time.perf_counter(), time.process_time()
    data = weasyprint.HTML(string=html).write_pdf()
else:
    sys.path.insert(0, "@ROOT@")
    from surveyapp.extensions import db
    from surveyapp.reporting.assemble import report_inputs
    from surveyapp.reporting.models import Report
    from surveyapp.reporting.rendering import report_pdf, report_html
    from surveyapp.reporting.worker import start
    app = start(json.loads(Path(arg).read_text()))  # the renderer child's own start-up
    with app.app_context():
        report = db.session.get(Report, int(out.split(":")[0]))
        before, sampler = rss(), Sampler(); sampler.start()
        started, cpu = time.perf_counter(), time.process_time()
        inputs = report_inputs(session=db.session, report=report)
        data = report_pdf(inputs, report.kind, report.account.name if report.account else None).data
        if out.endswith(":html"):
            # The final HTML, self-contained for bare WeasyPrint: the bundled stylesheets inlined.
            import re
            from surveyapp.reporting.pdf import AssetBundle
            bundle = AssetBundle(report.kind.value)
            html = report_html(inputs, report.kind, report.account.name if report.account else None)
            html = re.sub(r'<link rel="stylesheet" href="report-asset:([^"]+)">',
                          lambda m: "<style>" + bundle.path(m.group(1)).read_text() + "</style>", html)
            Path(out.split(":")[1]).write_text(html)
        db.session.rollback()
elapsed = time.perf_counter() - started; cpu = time.process_time() - cpu
sampler.running = False; sampler.join()
delta = max(sampler.peak, rss()) - before
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_delta_kb": delta, "bytes": len(data)}))
""".replace("@ROOT@", str(ROOT))


def in_process(mode: str, arg: str, out: str) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603  (our interpreter, our script)
        [sys.executable, "-c", IN_PROCESS, mode, arg, out],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def end_to_end_bare(html_path: str) -> tuple[float, int]:
    """A fresh process that imports WeasyPrint and writes the PDF; its own peak RSS (VmHWM), since a child's
    rusage includes the parent's memory at the fork."""
    code = (
        "import sys, weasyprint; weasyprint.HTML(string=open(sys.argv[1]).read()).write_pdf()\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])"
    )
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, html_path], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return time.perf_counter() - started, int(result.stdout.strip().splitlines()[-1])


def median_ratio(ours: list[float], bare: list[float]) -> float:
    return statistics.median(ours) / statistics.median(bare)


def bench_account(app: Any, config_path: str, folder: str, repeat: int) -> dict[str, Any]:
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "ours_s",
            "bare_s",
            "ours_cpu",
            "bare_cpu",
            "ours_mb",
            "bare_mb",
            "e2e_ours_s",
            "e2e_bare_s",
            "e2e_ours_mb",
            "e2e_bare_mb",
        )
    }
    html_path = str(Path(folder) / "account.html")
    first = queue(DEMO_STUDY, ReportKind.ACCOUNT, ACCOUNT)
    in_process("ours", config_path, f"{first}:{html_path}:html")  # also writes the final HTML once
    for run in range(repeat):
        order = ("ours", "bare") if run % 2 == 0 else ("bare", "ours")
        for mode in order:
            result = in_process(mode, config_path if mode == "ours" else html_path, f"{first}:x")
            rows[f"{mode}_s"].append(result["seconds"])
            rows[f"{mode}_cpu"].append(result["cpu"])
            rows[f"{mode}_mb"].append(result["rss_delta_kb"] / 1024)
        for mode in order:
            if mode == "ours":
                outcome = run_render(queue(DEMO_STUDY, ReportKind.ACCOUNT, ACCOUNT), app=app)
                assert outcome.ok, outcome
                rows["e2e_ours_s"].append(outcome.seconds)
                rows["e2e_ours_mb"].append(outcome.peak_rss_kb / 1024)
            else:
                seconds, peak = end_to_end_bare(html_path)
                rows["e2e_bare_s"].append(seconds)
                rows["e2e_bare_mb"].append(peak / 1024)
    return rows


def bench_portfolio(app: Any, accounts: int) -> dict[str, Any]:
    report_id = queue(f"bench-{accounts}", ReportKind.PORTFOLIO)
    db.session.remove()
    before = rss_kb()
    outcome = run_render(report_id, app=app)
    after = rss_kb()
    report = db.session.get(Report, report_id)
    return {
        "ok": outcome.ok,
        "code": outcome.code,
        "seconds": outcome.seconds,
        "child_peak_mb": outcome.peak_rss_kb / 1024,
        "pages": report.pages,
        "bytes": report.size,
        "rss_before_mb": before / 1024,
        "rss_after_mb": after / 1024,
    }


DEMO_STUDY = "brightline-2025"
DEMO_COMMENTARY = (
    "The client values the team and the result; the cost sits with us. Workarounds and work outside the "
    "agreement have become normal, and the team is reluctant.\n\nWe advise a conversation about scope, the "
    "standard way of working and price before the next contract period."
)


def load_demo_study(app: Any) -> None:
    """The demo data set (`surveyapp demo`) with the researcher's commentary on the benchmark's account."""
    from surveyapp.demo import load_demo
    from surveyapp.reporting.services import save_commentary
    from surveyapp.studies.models import Study

    load_demo(session=db.session, config=app.config, catalogue=catalogue())
    study = db.session.query(Study).filter_by(slug=DEMO_STUDY).one()
    account = db.session.query(Account).filter_by(name=ACCOUNT, supplier_id=study.supplier_id).one()
    save_commentary(session=db.session, study=study, account=account, text=DEMO_COMMENTARY, actor=None)
    db.session.commit()


def samples(app: Any, target: Path) -> None:
    """Pages of the demo's account report (EN, and one NL) and of its portfolio report as PNG, for the README:
    the demo data set (`surveyapp demo`), its finished wave, rendered by the renderer child."""
    from surveyapp.studies.models import Study

    load_demo_study(app)
    study = db.session.query(Study).filter_by(slug=DEMO_STUDY).one()
    account = db.session.query(Account).filter_by(name=ACCOUNT, supplier_id=study.supplier_id).one()
    folder = Path(tempfile.mkdtemp())
    jobs = (
        (Language.EN, ReportKind.ACCOUNT, (1, 2, 3)),
        (Language.NL, ReportKind.ACCOUNT, (2,)),
        (Language.EN, ReportKind.PORTFOLIO, (3,)),
    )
    for language, kind, pages in jobs:
        made = request_report(
            session=db.session,
            study=study,
            kind=kind,
            language=language,
            account=account if kind is ReportKind.ACCOUNT else None,
        )
        report_id = made.id
        db.session.commit()
        outcome = run_render(report_id, app=app)
        assert outcome.ok, outcome
        pdf = folder / f"{kind.value}-{language.value}.pdf"
        pdf.write_bytes(db.session.get(Report, report_id).pdf)
        db.session.rollback()
        for page in pages:
            subprocess.run(  # noqa: S603
                [  # noqa: S607  (pdftoppm from poppler-utils, on the PATH)
                    "pdftoppm",
                    "-r",
                    "60",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    str(pdf),
                    str(target / f"report-{kind.value}-{language.value}-{page}"),
                ],
                check=True,
            )


def summary(rows: dict[str, list[float]]) -> None:
    def line(label: str, ours: str, bare: str, unit: str) -> None:
        o, b = rows[ours], rows[bare]
        print(
            f"  {label:<34} ours {statistics.median(o):7.2f} {unit}  "
            f"bare {statistics.median(b):7.2f} {unit}  "
            f"ratio {median_ratio(o, b):.2f}  (runs: {', '.join(f'{x:.2f}' for x in o)} / "
            f"{', '.join(f'{x:.2f}' for x in b)})"
        )

    print("account report vs bare WeasyPrint on the same HTML (medians):")
    line("in process, time", "ours_s", "bare_s", "s ")
    line("in process, CPU time", "ours_cpu", "bare_cpu", "s ")
    line("in process, peak memory (delta)", "ours_mb", "bare_mb", "MB")
    line("end to end, time", "e2e_ours_s", "e2e_bare_s", "s ")
    line("end to end, peak memory", "e2e_ours_mb", "e2e_bare_mb", "MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--samples", type=Path, default=None, help="write PNG pages of the demo reports here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SURVEYAPP_INSTANCE_PATH"] = folder
        config = {
            "TESTING": True,
            "SECRET_KEY": "bench-" + "k" * 40,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "REPORT_TIME_LIMIT": 600,
            "REPORT_MEMORY_LIMIT_MB": 4096,
        }
        config_path = str(Path(folder) / "config.json")
        Path(config_path).write_text(json.dumps(config))
        app = create_app(config)
        with app.app_context():
            db.create_all()
            if options.samples:
                options.samples.mkdir(parents=True, exist_ok=True)
                samples(app, options.samples)
                return
            load_demo_study(app)
            rows = bench_account(app, config_path, folder, options.repeat)
            started = time.perf_counter()
            make_study(f"bench-{options.accounts}", options.accounts, Language.EN)
            print(f"set-up of {options.accounts} accounts: {time.perf_counter() - started:.1f} s")
            portfolio = bench_portfolio(app, options.accounts)
        summary(rows)
        print(f"portfolio report, {options.accounts} accounts, rendered in the child process:")
        print(
            f"  ok {portfolio['ok']} ({portfolio['code']}), {portfolio['pages']} pages, "
            f"{portfolio['bytes']} bytes, "
            f"{portfolio['seconds']:.1f} s, child peak {portfolio['child_peak_mb']:.0f} MB"
        )
        print(
            f"  this (web) process RSS before {portfolio['rss_before_mb']:.1f} MB, after "
            f"{portfolio['rss_after_mb']:.1f} MB, "
            f"growth {portfolio['rss_after_mb'] - portfolio['rss_before_mb']:+.1f} MB"
        )
        print(
            "  peak RSS of this process over the whole run: "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
