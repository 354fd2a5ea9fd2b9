"""Rule 18 as an account team meets it: a member of the demo supplier's account team crawls every page they can
reach, downloads every report of the study and every export they are offered, and finds no figure on fewer than
`confidential_min_n` respondents of a subgroup, no standard deviation on fewer than three, and no team-energy
score of an account that fewer than that many staff rated. The demo is the right test bed: every account's team
energy and every staff sd rest on two raters, and its role groups hold one or two respondents each."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.analysis.service import analysis_document, current_scoring
from surveyapp.extensions import db
from tests.dashboard.conftest import tables
from tests.security import crawl

TEAM = "accountteam@demo.example"
RESEARCHER = "researcher@demo.example"
MIN_N = 3
N_IN_CELL = re.compile(r"n\s*=\s*([\d,.]+)")


@pytest.fixture(scope="module")
def app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with crawl.demo_app(database_url, tmp_path_factory.mktemp("confidential")) as application:
        _render_every_queued_report()
        yield application


def _render_every_queued_report() -> None:
    """Render the demo's queued reports as `surveyapp tick` would, and approve every ready one as the
    researcher would: account teams see approved reports only."""
    from surveyapp.auth.models import User
    from surveyapp.reporting.models import Report, ReportStatus
    from surveyapp.reporting.pipeline import render_stored_report
    from surveyapp.reporting.services import approve_report

    queued = db.session.scalars(select(Report.id).where(Report.status == ReportStatus.QUEUED)).all()
    db.session.commit()
    for report_id in queued:
        assert render_stored_report(report_id=report_id)["ok"] is True
    db.session.expire_all()
    researcher = db.session.scalar(select(User).where(User.email == RESEARCHER))
    for report in db.session.scalars(
        select(Report).where(Report.status == ReportStatus.READY, Report.approved_at.is_(None))
    ).all():
        approve_report(session=db.session, report=report, actor=researcher)
    db.session.commit()


def _study() -> Any:
    from surveyapp.studies.models import Study

    return db.session.scalar(select(Study).where(Study.slug == crawl.DEMO_STUDY))


def _secrets() -> dict[str, Any]:
    """What the research team sees and account teams must not: per account, the team-energy mean of fewer than
    MIN_N raters, and every sd on fewer than three respondents."""
    document = analysis_document(session=db.session, study=_study())
    energy, sds = {}, []
    for entry in document["accounts"]:
        for row in entry["dimensions"]:
            for side in ("client", "supplier"):
                cell = row[side]
                if cell is None:
                    continue
                if cell["n"] < 3 and cell["sd"] is not None:
                    sds.append((entry["account"], row["key"], side, cell["sd"]))
                if row["key"] == "team_energy" and side == "supplier" and cell["n"] < MIN_N:
                    energy[entry["account"]] = cell["mean"]
    return {"energy": energy, "sds": sds}


@pytest.fixture(scope="module")
def team_crawl(app: Flask) -> crawl.Crawl:
    return crawl.crawl(
        _english(crawl.logged_in(app, TEAM)), app, ["/"], limit=400, per_pattern=40, keep_files=True
    )


def _english(client: Any) -> Any:
    """The demo's users read Dutch; these tests read the English pages (the reports keep their language)."""
    assert client.post_form("/language", {"lang": "en"}).status_code == 302
    return client


def _n_of(cell: str) -> int | None:
    found = N_IN_CELL.search(cell)
    return None if found is None else int(found.group(1).replace(",", "").replace(".", ""))


def test_confidential_the_demo_holds_what_must_be_withheld(app):
    secrets = _secrets()

    # The crawl below proves something only if there is something to hide.
    assert len(secrets["energy"]) == 8
    assert len(secrets["sds"]) >= 8


def test_confidential_crawl_reaches_the_account_teams_pages(team_crawl):
    endpoints = team_crawl.endpoints

    assert {
        "dashboard.study_dashboard",
        "dashboard.account",
        "reporting.reports",
        "reporting.download",
        "exports.study_exports",
    } <= endpoints
    assert len([p for p in team_crawl.pages if p.endpoint == "dashboard.account"]) >= 8


def test_confidential_role_groups_below_the_threshold_are_withheld_on_every_page(team_crawl):
    checked = sentences = 0
    for page in team_crawl.pages:
        if not page.body:
            continue
        assert "identifiable" not in page.body.lower(), page.url
        for caption, rows in tables(page.body).items():
            if "by respondent role" not in caption:
                continue
            header = rows[0]
            for row in rows[1:]:
                for column, cell in zip(header[2:], row[2:], strict=True):
                    n = _n_of(cell)
                    assert cell in ("—", "withheld") or (n is not None and n >= MIN_N), (
                        page.url,
                        column,
                        cell,
                    )
                    checked += 1
        sentences += page.body.count("the scores per role are withheld to protect the respondents")

    # The demo's role groups are all small in some account: its pages say so rather than show a table
    assert checked + sentences >= 16


def test_confidential_account_pages_withhold_team_energy_and_show_no_sd(app, team_crawl):
    secrets = _secrets()
    from surveyapp.studies.models import Account

    seen = 0
    for page in team_crawl.pages:
        if page.endpoint != "dashboard.account" or page.status != 200:
            continue
        account_id = int(page.url.split("/accounts/")[1].split("?")[0])
        name = db.session.get(Account, account_id).name
        dimensions = tables(page.body)["Scores and gaps per dimension"]
        energy = next(row for row in dimensions if row[0] == "Team energy")
        assert "the scores per role are withheld to protect the respondents" in page.body
        if name in secrets["energy"]:
            assert energy[2].startswith("withheld"), (name, energy)
            assert "to protect the team" in page.body
            seen += 1
        for caption, rows in tables(page.body).items():
            assert "sd" not in rows[0], (page.url, caption)

    assert seen >= 8


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


WITHHELD = {"en": "withheld", "nl": "achtergehouden"}


def _count(token: str) -> int | None:
    return int(token) if token.isdigit() else None


def _dimension_rows(text: str, language: str) -> list[tuple[str, list[str]]]:
    """Every row of every per-account dimension table in a report (an account report has one, a portfolio
    report one per account): (dimension key, [client score, n, sd, supplier score, n, sd, gap, ▲?])."""
    names = {dimension.key: dimension.name.get(language) for dimension in current_scoring().dimensions}
    found = []
    for line in text.splitlines():
        for key, name in names.items():
            if not line.startswith(name + " "):
                continue
            cells = line[len(name) :].split()
            if len(cells) in (7, 8) and all(cells[i] == "—" or cells[i].isdigit() for i in (1, 4)):
                found.append((key, cells))
    return found


def test_confidential_every_report_withholds_team_energy_and_small_sds(app, team_crawl):
    downloads = [p for p in team_crawl.pages if p.endpoint == "reporting.download" and p.status == 200]
    from surveyapp.reporting.models import Report

    energy_rows = sd_cells = 0
    for page in downloads:
        report = db.session.get(Report, int(page.url.split("/reports/")[1].split("/")[0]))
        language = report.language.value
        rows = _dimension_rows(_pdf_text(page.data), language)
        assert rows, report.id
        for key, cells in rows:
            for n, sd in ((_count(cells[1]), cells[2]), (_count(cells[4]), cells[5])):
                if n is not None and n < 3:
                    assert sd == "—", (report.id, key, cells)
                    sd_cells += 1
            supplier_n = _count(cells[4])
            if key == "team_energy" and supplier_n is not None and supplier_n < MIN_N:
                assert cells[3] == WITHHELD[language], (report.id, cells)
                energy_rows += 1

    assert len(downloads) >= 8
    assert energy_rows >= 8
    assert sd_cells >= 8


def test_confidential_analysis_export_withholds_what_rule_18_withholds(app):
    client = _english(crawl.logged_in(app, TEAM))

    response = client.get(f"/studies/{crawl.DEMO_STUDY}/exports/download?what=analysis&format=json")

    assert response.status_code == 200
    document = json.loads(response.get_data())
    checked = 0
    for entry in document["accounts"]:
        for row in entry["dimensions"]:
            for side in ("client", "supplier"):
                cell = row[side]
                if cell is None:
                    continue
                if cell["n"] < 3:
                    assert cell["sd"] is None, (entry["account"], row["key"], side)
                    checked += 1
                if row["key"] == "team_energy" and cell["n"] < MIN_N:
                    assert (cell["mean"], cell["withheld"]) == (None, True)
        assert all(
            not signal["question"].startswith("energy_") for signal in entry["signals"] if signal["n"] < MIN_N
        )
    assert checked > 0
    assert document["thresholds"]["confidential_min_n"] == MIN_N


def test_confidential_researchers_see_everything_with_small_groups_marked(app):
    client = _english(crawl.logged_in(app, RESEARCHER))
    secrets = _secrets()
    from surveyapp.studies.models import Account

    account = db.session.scalar(select(Account).where(Account.name == "Atlas Engineering"))

    page = client.get(f"/studies/{crawl.DEMO_STUDY}/dashboard/accounts/{account.id}").get_data(as_text=True)
    export = json.loads(
        client.get(f"/studies/{crawl.DEMO_STUDY}/exports/download?what=analysis&format=json").get_data()
    )

    energy = next(row for row in tables(page)["Scores and gaps per dimension"] if row[0] == "Team energy")
    assert energy[2].startswith(f"{secrets['energy']['Atlas Engineering']:.1f}")
    assert "(identifiable)" in page
    assert "confidentiality" not in export
