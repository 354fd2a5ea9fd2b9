"""Report pages: request and follow a report, download with supplier scoping, approve before sending, see
why a report failed, write the commentary."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from surveyapp.enums import Language, Role
from surveyapp.mail.models import OutboxMessage
from surveyapp.reporting import failures
from surveyapp.reporting.models import Report, ReportCommentary, ReportKind, ReportStatus
from surveyapp.reporting.services import (
    approve_report,
    mark_failed,
    request_report,
)
from surveyapp.studies.models import Account
from tests.reporting.studies import mark_rendered

PDF = b"%PDF-1.7\n% a stand-in for the pages\n"


def _report(db, study, *, ready=True, approved_by=None, kind=ReportKind.PORTFOLIO):
    account = db.session.scalar(select(Account).where(Account.name == "Noordzee Havenbedrijf"))
    report = request_report(
        session=db.session, study=study, kind=kind, account=account if kind is ReportKind.ACCOUNT else None
    )
    if ready:
        mark_rendered(db.session, report, PDF)
    if approved_by is not None:
        approve_report(session=db.session, report=report, actor=approved_by)
    report_id = report.id
    db.session.commit()
    return report_id


def test_requesting_a_report_renders_it_and_says_when_it_is_ready(
    db, make_app, make_user, login, answered_study
):
    # Arrange: an app whose render jobs run inline (the request waits for the child process)
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    account_id = db.session.scalar(select(Account.id).where(Account.name == "Stadsbank Utrecht"))
    inline = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(researcher, target=inline)

    # Act
    response = inline.post_form(
        f"/studies/{study.slug}/reports", {"subject": str(account_id), "language": "nl"}
    )
    page = inline.get(response.headers["Location"])

    # Assert
    report = db.session.scalar(select(Report))
    assert response.status_code == 302
    assert (report.status, report.language, report.kind) == (
        ReportStatus.READY,
        Language.NL,
        ReportKind.ACCOUNT,
    )
    assert "The report is ready." in page.get_data(as_text=True)
    assert f"/reports/{report.id}/download" in page.get_data(as_text=True)
    assert "Refresh" not in page.headers


def test_a_report_being_prepared_reloads_its_page_without_javascript(
    db, client, make_user, login, answered_study
):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    report_id = _report(db, study, ready=False)

    page = client.get(f"/reports/{report_id}")

    assert page.status_code == 200
    assert "The report is being prepared." in page.get_data(as_text=True)
    assert page.headers["Refresh"] == f"3; url=/reports/{report_id}?waiting=1"
    assert "<script" not in page.get_data(as_text=True)


def test_a_failed_report_shows_the_researcher_a_clear_reason(db, client, make_user, login, answered_study):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    report_id = _report(db, study, ready=False)
    mark_failed(session=db.session, report_id=report_id, code=failures.MEMORY_LIMIT, detail="MemoryError")
    db.session.commit()

    text = client.get(f"/reports/{report_id}").get_data(as_text=True)

    assert "Preparing the report needed more memory than the limit of 2048 MB, so it was stopped." in text
    assert "SURVEYAPP_REPORT_MEMORY_LIMIT_MB" in text


def test_download_follows_supplier_scoping_and_approval(
    db, client, make_app, make_user, make_supplier, login, answered_study
):
    # Arrange
    study = answered_study()
    rival = make_supplier("Rival Services")
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    draft = _report(db, study)
    approved = _report(db, study, approved_by=researcher)
    people = {
        "researcher": researcher,
        "rival_researcher": make_user(Role.RESEARCHER, suppliers=[rival]),
        "team": make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]),
        "rival_team": make_user(Role.ACCOUNT_TEAM, suppliers=[rival]),
    }

    # Act
    seen = {}
    for who, user in people.items():
        browser = make_app().test_client()
        login(user, target=browser)
        seen[who] = tuple(
            browser.get(f"/reports/{report_id}/download").status_code for report_id in (draft, approved)
        )

    # Assert
    assert seen == {
        "researcher": (200, 200),
        "rival_researcher": (404, 404),
        "team": (404, 200),
        "rival_team": (404, 404),
    }


def test_download_sends_the_stored_pdf(db, client, make_user, login, answered_study):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    report_id = _report(db, study, kind=ReportKind.ACCOUNT)

    response = client.get(f"/reports/{report_id}/download")

    assert response.mimetype == "application/pdf"
    assert response.data == PDF
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=account-report-fit-2025-noordzee-havenbedrijf-en-v1.pdf"
    )


def test_account_teams_see_only_approved_reports_in_the_list(db, client, make_user, login, answered_study):
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    _report(db, study, kind=ReportKind.ACCOUNT)
    approved = _report(db, study, approved_by=researcher)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    text = client.get(f"/studies/{study.slug}/reports").get_data(as_text=True)

    assert f"/reports/{approved}" in text
    assert "Account report: Noordzee Havenbedrijf" not in text
    assert "Make a report" not in text


def test_sending_needs_an_approved_report(db, client, make_user, login, answered_study):
    study = answered_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    report_id = _report(db, study)

    response = client.post_form(
        f"/reports/{report_id}/send", {"recipients": str(member.id)}, follow_redirects=True
    )

    assert "A report must be approved by a researcher before it can be sent." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_approving_on_the_page_lets_account_teams_see_the_report(
    db, client, make_user, login, answered_study
):
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    login(researcher)
    report_id = _report(db, study)

    response = client.post_form(f"/reports/{report_id}/approve", follow_redirects=True)

    report = db.session.get(Report, report_id)
    assert "Report approved" in response.get_data(as_text=True)
    assert report.approved_by_id == researcher.id


def test_account_teams_cannot_request_or_approve(db, client, make_user, login, answered_study):
    study = answered_study()
    report_id = _report(db, study)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    requested = client.post_form(f"/studies/{study.slug}/reports", {"subject": "portfolio"})
    approved = client.post_form(f"/reports/{report_id}/approve")

    assert (requested.status_code, approved.status_code) == (404, 404)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_commentary_is_written_on_its_own_page(db, client, make_user, login, answered_study):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    account_id = db.session.scalar(select(Account.id).where(Account.name == "Stadsbank Utrecht"))

    form = client.get(f"/studies/{study.slug}/reports/commentary/{account_id}")
    saved = client.post_form(
        f"/studies/{study.slug}/reports/commentary/{account_id}", {"text": "<b>Exit</b> soon."}
    )

    row = db.session.scalar(select(ReportCommentary))
    assert form.status_code == 200
    assert "Commentary on Stadsbank Utrecht" in form.get_data(as_text=True)
    assert saved.status_code == 302
    assert (row.account_id, row.text) == (account_id, "<b>Exit</b> soon.")


def test_the_study_page_links_to_its_reports(db, client, make_user, login, answered_study):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    text = client.get(f"/studies/{study.slug}").get_data(as_text=True)

    assert f'href="/studies/{study.slug}/reports"' in text


def test_a_report_whose_renderer_vanished_is_shown_as_stopped(db, client, make_user, login, answered_study):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    report_id = _report(db, study, ready=False)
    report = db.session.get(Report, report_id)
    report.created_at = report.created_at - timedelta(hours=1)
    db.session.commit()

    page = client.get(f"/reports/{report_id}")
    listing = client.get(f"/studies/{study.slug}/reports").get_data(as_text=True)

    assert "The report renderer stopped without a result" in page.get_data(as_text=True)
    assert "Refresh" not in page.headers
    assert "stopped" in listing


def test_researchers_see_the_latest_version_listed_and_older_ones_on_its_page(
    db, client, make_user, login, answered_study
):
    study = answered_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    first = _report(db, study)
    second = _report(db, study, ready=False)

    listing = client.get(f"/studies/{study.slug}/reports").get_data(as_text=True)
    page = client.get(f"/reports/{second}").get_data(as_text=True)

    assert "waiting for the renderer" in listing
    assert "(1 older version)" in listing
    assert "ready, not approved yet" not in listing
    assert f'href="/reports/{first}/download"' in page  # the older version, downloadable from the newer one


def test_sending_from_the_page_queues_an_email_per_chosen_member(
    db, client, make_user, login, answered_study
):
    # Arrange
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    chosen = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], name="Tom Bakker")
    make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], name="Not Chosen")
    report_id = _report(db, study, approved_by=researcher)
    login(researcher)

    # Act
    form = client.get(f"/reports/{report_id}").get_data(as_text=True)
    sent = client.post_form(
        f"/reports/{report_id}/send", {"recipients": str(chosen.id)}, follow_redirects=True
    )

    # Assert
    page = sent.get_data(as_text=True)
    assert "Not Chosen" in form and "Tom Bakker" in form
    assert "The report is on its way to 1 person." in page
    assert f"{chosen.email}: attached" in page
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == [chosen.email]


def test_report_made_before_the_confidentiality_rules_is_kept_from_account_teams(
    db, make_app, make_user, login, answered_study
):
    # Arrange: an approved report whose analysis was stored whole (as before rule 18), and a current one
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    old = _report(db, study, approved_by=researcher)
    report = db.session.get(Report, old)
    report.analysis = {key: value for key, value in report.analysis.items() if key != "confidentiality"}
    db.session.commit()
    current = _report(db, study, approved_by=researcher)
    team = make_app().test_client()
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]), target=team)
    staff = make_app().test_client()
    login(researcher, target=staff)

    # Act
    listing = team.get(f"/studies/{study.slug}/reports").get_data(as_text=True)
    statuses = [team.get(f"/reports/{old}{path}").status_code for path in ("", "/download")]
    staff_statuses = [staff.get(f"/reports/{old}{path}").status_code for path in ("", "/download")]

    # Assert
    assert f"/reports/{current}" in listing
    assert f"/reports/{old}" not in listing
    assert statuses == [404, 404]
    assert staff_statuses == [200, 200]
