"""The render job: a real child process with a time and a memory limit, storing the PDF in the database."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from surveyapp.analysis.disclosure import outside_view
from surveyapp.analysis.service import analysis_document, disclosure_of
from surveyapp.enums import Language
from surveyapp.jobs.render import RenderLimits, _classify, run_render, submit_render
from surveyapp.jobs.tasks import tick
from surveyapp.reporting import failures
from surveyapp.reporting.formatting import Formatter
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import request_report
from surveyapp.studies.models import Account
from tests.reporting.conftest import has_number, pdf_text
from tests.reporting.studies import answered_study_factory
from tests.reporting.test_report_content import account_numbers
from tests.studies.conftest import make_study  # noqa: F401  (a fixture, used through `answered` below)

ACCOUNT = "Noordzee Havenbedrijf"


@pytest.fixture
def answered(db, request):
    """tests/reporting's `answered_study`: a study in the analyse phase with three accounts and answers."""
    return answered_study_factory(
        db, request.getfixturevalue("make_study"), request.getfixturevalue("make_supplier")
    )


def _queued(db, study, kind=ReportKind.ACCOUNT, language=Language.EN):
    account = db.session.query(Account).filter_by(name=ACCOUNT).one() if kind is ReportKind.ACCOUNT else None
    report_id = request_report(
        session=db.session, study=study, kind=kind, account=account, language=language
    ).id
    db.session.commit()  # (reading the id after the commit would open a transaction that locks SQLite)
    return report_id


def _reload(db, report_id):
    db.session.expire_all()
    return db.session.get(Report, report_id)


def _peek(db, report_id, column):
    """One column of the report, read in a transaction that ends at once (an open one would lock SQLite while
    the renderer child needs it)."""
    value = db.session.scalar(select(column).where(Report.id == report_id))
    db.session.rollback()
    return value


def test_run_render_stores_the_pdf_with_its_hash_and_the_analysis_numbers(db, answered):
    # Arrange
    study = answered()
    report_id = _queued(db, study)

    # Act
    outcome = run_render(report_id)

    # Assert
    report = _reload(db, report_id)
    # A report goes to account teams: it holds the analysis as rule 18 lets it leave the research team.
    document = outside_view(
        analysis_document(session=db.session, study=study), disclosure_of(session=db.session, study=study)
    )
    account = next(entry for entry in document["accounts"] if entry["account"] == ACCOUNT)
    text = pdf_text(report.pdf)
    assert outcome.ok and outcome.code is None
    assert report.status is ReportStatus.READY
    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert (report.size, report.pages) == (len(report.pdf), text.count("Page ") and report.pages)
    assert report.analysis == document
    assert report.scoring_version == document["scoring_version"]
    assert set(report.questionnaire_versions) == {q.slug for q in study.questionnaires}
    assert account["quadrant"] == "customer_swayed"
    assert ACCOUNT in text
    assert [n for n in account_numbers(Formatter("en"), account) if not has_number(text, n)] == []


def test_run_render_over_its_time_limit_is_stopped_and_reported(db, make_app, answered):
    # Arrange
    study = answered()
    report_id = _queued(db, study)
    impatient = make_app(REPORT_TIME_LIMIT=0.4)
    started = time.monotonic()

    # Act
    outcome = run_render(report_id, app=impatient)

    # Assert
    report = _reload(db, report_id)
    assert (outcome.ok, outcome.code) == (False, failures.TIME_LIMIT)
    assert time.monotonic() - started < 20
    assert (report.status, report.failure_code, report.pdf) == (
        ReportStatus.FAILED,
        failures.TIME_LIMIT,
        None,
    )


def test_run_render_over_its_memory_limit_is_stopped_and_reported(db, make_app, answered):
    # Arrange
    study = answered()
    report_id = _queued(db, study)
    frugal = make_app(REPORT_MEMORY_LIMIT_MB=48)

    # Act
    outcome = run_render(report_id, app=frugal)

    # Assert
    report = _reload(db, report_id)
    assert (outcome.ok, outcome.code) == (False, failures.MEMORY_LIMIT)
    assert (report.status, report.failure_code) == (ReportStatus.FAILED, failures.MEMORY_LIMIT)


def test_submit_render_in_the_background_returns_before_the_report_is_ready(db, answered):
    # Arrange
    study = answered()
    report_id = _queued(db, study, kind=ReportKind.PORTFOLIO, language=Language.NL)

    # Act
    thread = submit_render(report_id)
    pending = _peek(db, report_id, Report.status)
    thread.join(timeout=120)

    # Assert
    assert pending in (ReportStatus.QUEUED, ReportStatus.RENDERING)
    assert _reload(db, report_id).status is ReportStatus.READY


def test_run_render_of_a_report_that_is_no_longer_queued_changes_nothing(db, answered):
    # Arrange
    study = answered()
    report_id = _queued(db, study)
    run_render(report_id)
    first = _peek(db, report_id, Report.sha256)

    # Act
    outcome = run_render(report_id)

    # Assert
    assert outcome.ok
    assert _reload(db, report_id).sha256 == first


def test_the_web_app_never_loads_the_renderer():
    # A fresh interpreter: the app and its report pages never import WeasyPrint or a plotting library (the
    # SVG charts, which the dashboard draws in the web process, are plain Python).
    code = (
        "import sys\n"
        "from surveyapp.app import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'k' * 40, 'DATABASE_URL': 'sqlite://'})\n"
        "import surveyapp.reporting.views, surveyapp.jobs.render, surveyapp.reporting.delivery\n"
        "import surveyapp.analysis.charts\n"
        "heavy = ('weasyprint', 'matplotlib', 'surveyapp.reporting.pdf', 'surveyapp.reporting.rendering')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


def test_the_renderer_start_up_loads_what_a_report_needs_and_freezes_it():
    # A fresh interpreter, as the renderer child: after start-up the analysis, the charts and WeasyPrint are
    # loaded, and the objects of the start-up are out of the garbage collector's reach (gc.freeze).
    code = (
        "import gc, sys\n"
        "from surveyapp.reporting.worker import start\n"
        "app = start({'TESTING': True, 'SECRET_KEY': 'k' * 40, 'DATABASE_URL': 'sqlite://'})\n"
        "loaded = ('weasyprint', 'surveyapp.analysis.service', 'surveyapp.analysis.charts')\n"
        "print(all(m in sys.modules for m in loaded), gc.get_freeze_count() > 50000, len(gc.get_objects()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )

    loaded, frozen, still_tracked = result.stdout.split()
    assert (loaded, frozen) == ("True", "True")
    assert int(still_tracked) < 1000


@pytest.mark.parametrize(
    ("returncode", "report", "elapsed", "expected"),
    [
        (-signal.SIGXCPU, None, 3.0, ("time_limit", "300 s")),
        (-signal.SIGKILL, None, 299.0, ("time_limit", "300 s")),
        (-signal.SIGKILL, None, 5.0, ("memory_limit", "SIGKILL before the time limit")),
        (-signal.SIGSEGV, None, 5.0, ("memory_limit", "SIGSEGV under a 2048 MB limit")),
        (-signal.SIGTERM, None, 5.0, ("crashed", "SIGTERM")),
        (
            1,
            {"ok": False, "code": "analysis", "detail": "unknown dimension"},
            5.0,
            ("analysis", "unknown dimension"),
        ),
        (3, None, 5.0, ("crashed", "exit status 3 without a result")),
    ],
)
def test_a_failed_child_is_classified_for_the_researcher(returncode, report, elapsed, expected):
    assert _classify(returncode, report, RenderLimits(seconds=300, memory_mb=2048), elapsed) == expected


def test_tick_renders_reports_left_in_the_queue_and_leaves_fresh_ones_to_their_web_process(db, answered):
    # Arrange
    study = answered()
    waiting = _queued(db, study)
    fresh = _queued(db, study, kind=ReportKind.PORTFOLIO)
    created = _peek(db, waiting, Report.created_at)
    db.session.execute(
        update(Report).where(Report.id == waiting).values(created_at=created - timedelta(minutes=2))
    )
    db.session.commit()

    # Act
    report = tick(now=created)
    again = tick(now=created)

    # Assert
    assert (report.reports_rendered, again.reports_rendered) == (1, 0)
    assert report.lines()[-1] == "reports: 1 rendered"
    assert again.lines()[-1].startswith("outbox:")
    assert (_peek(db, waiting, Report.status), _peek(db, fresh, Report.status)) == (
        ReportStatus.READY,
        ReportStatus.QUEUED,
    )
