"""`surveyapp report account|portfolio`: the PDF written to a file, rendered in the child process."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.cli import cli
from surveyapp.reporting.models import Report, ReportKind
from tests.reporting.conftest import pdf_text


def _run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)


def test_report_account_writes_the_pdf_in_the_chosen_language(app, db, answered_study, tmp_path):
    study = answered_study()
    target = tmp_path / "noordzee.pdf"

    result = _run(
        app,
        "report",
        "account",
        "--study",
        study.slug,
        "--account",
        "noordzee havenbedrijf",
        "--language",
        "en",
        "-o",
        str(target),
    )

    report = db.session.scalar(select(Report))
    assert result.exit_code == 0, result.output
    summary = f"{report.pages} pages, {report.size} bytes, sha256 {report.sha256}"
    assert result.output == f"wrote {target}: {summary} (report {report.id})\n"
    assert target.read_bytes() == report.pdf
    assert (report.kind, report.created_by_label) == (ReportKind.ACCOUNT, "cli")
    assert "Account report" in pdf_text(target.read_bytes())


def test_report_portfolio_writes_the_pdf(app, db, answered_study, tmp_path):
    study = answered_study()
    target = tmp_path / "portfolio.pdf"

    result = _run(app, "report", "portfolio", "--study", study.slug, "-o", str(target))

    assert result.exit_code == 0, result.output
    text = pdf_text(target.read_bytes())
    assert all(name in text for name in ("Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht"))


def test_report_account_with_an_unknown_account_fails_with_one_line(app, db, answered_study, tmp_path):
    study = answered_study()

    result = _run(
        app, "report", "account", "--study", study.slug, "--account", "Nobody", "-o", str(tmp_path / "x.pdf")
    )

    assert result.exit_code == 1
    assert result.output == "Error: unknown account 'Nobody' of Brightline Facility Services\n"
    assert not (tmp_path / "x.pdf").exists()


def test_report_portfolio_that_fails_says_why(app, make_app, db, answered_study, tmp_path):
    slug = answered_study().slug
    db.session.rollback()  # end this session's transaction: the command below works in another app context
    impatient = make_app(REPORT_TIME_LIMIT=0.3)

    with impatient.app_context():  # the command runs in the app context it finds
        result = _run(impatient, "report", "portfolio", "--study", slug, "-o", str(tmp_path / "x.pdf"))

    assert result.exit_code == 1
    assert result.output.startswith("Error: Preparing the report took longer than the limit of 0.3 seconds")
    assert not (tmp_path / "x.pdf").exists()
